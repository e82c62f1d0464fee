"""Demo step: Banyuasin SLRT (Pandu Gempita) with a few hundred ILLUSTRATIVE cases.

Nothing here is a real person or a real case. The people are households of the
synthetic registry release (:mod:`sinergi.web.registry.demo`) or invented names
for people "not in the registry"; the service catalogue is an illustrative
Banyuasin SLRT catalogue (agency names are the regency's, the services and their
SLAs are examples). Cases run over 2025-2026, up to today, in every state:
referrals in progress, accepted, rejected, revoked, done successfully or not,
some past their due date (escalated), some at risk; cases closed and reopened;
registry proposals pending, accepted and rejected.

Every case and service is stored with ``is_illustrative`` and the pages say so.
The step goes through :mod:`sinergi.web.social.services` (the same rules, audit
and timeline as a user's actions); it runs once: a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from sinergi.web.accounts.models import Agency, Profile, Role
from sinergi.web.regions.models import Level, Region
from sinergi.web.social import notifications, services
from sinergi.web.social.models import (
    AgencyHead,
    Case,
    Category,
    Channel,
    ProposalKind,
    ReasonCode,
    Service,
)

REGION = "16.07"
FRONT_KECAMATAN = "16.07.05"  # Betung: betung.demo is its front office
SEED = 20251107
CASES = 320
FIRST_DAY = dt.date(2025, 1, 2)
NOTE = "Ilustratif: contoh untuk demo Sinergi, bukan kasus nyata."

AGENCIES = [
    # code, name, short name (created if the monev demo has not made them)
    ("dinsos", "Dinas Sosial", "Dinsos"),
    ("dinkes", "Dinas Kesehatan", "Dinkes"),
    ("disdik", "Dinas Pendidikan", "Disdik"),
    ("disnakertrans", "Dinas Tenaga Kerja dan Transmigrasi", "Disnakertrans"),
    ("disdagkop-ukm", "Dinas Perdagangan, Koperasi dan UMKM", "Disdagkop UKM"),
    ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    ("perkim", "Dinas Perumahan dan Kawasan Permukiman", "Perkim"),
    ("dp3a", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "DP3A"),
    ("baznas", "Badan Amil Zakat Nasional Kabupaten Banyuasin", "Baznas"),
    ("mitra-csr", "Mitra CSR (ilustratif)", "Mitra CSR"),
]

# (username, agency code): service-agency operators (and escalation contacts) of the demo.
DEMO_USERS = [
    ("dinsos.demo", "dinsos"),
    ("dinkes.demo", "dinkes"),
    ("disdik.demo", "disdik"),
    ("disnakertrans.demo", "disnakertrans"),
    ("disdagkop.demo", "disdagkop-ukm"),
    ("dukcapil.demo", "disdukcapil"),
    ("perkim.demo", "perkim"),
    ("dp3a.demo", "dp3a"),
    ("baznas.demo", "baznas"),
    ("csr.demo", "mitra-csr"),
]

H = Category.HEALTH
E = Category.EDUCATION
S = Category.SOCIAL_ASSISTANCE
DIS = Category.DISABILITY
EL = Category.ELDERLY
EM = Category.EMPLOYMENT
HO = Category.HOUSING
CR = Category.CIVIL_REGISTRATION
CP = Category.CHILD_PROTECTION
OT = Category.OTHER

# code, agency, name, category, SLA (working days), eligibility, documents needed
SERVICES = [
    ("dinkes-berobat", "dinkes", "Pengobatan gratis di puskesmas", H, 3,
     "Warga Banyuasin tanpa jaminan kesehatan aktif.", "KTP-el atau KK"),
    ("dinkes-rujukan-rsud", "dinkes", "Rujukan berobat ke RSUD (Jamkesda)", H, 5,
     "Rujukan dokter puskesmas; bukan peserta JKN aktif.", "KK, surat rujukan puskesmas"),
    ("dinkes-jkn-pbi", "dinkes", "Aktivasi kepesertaan JKN PBI APBD", H, 7,
     "Terdaftar di DTSEN desil 1-5.", "KTP-el, KK"),
    ("dinkes-gizi", "dinkes", "Pendampingan gizi balita (pencegahan stunting)", H, 10,
     "Balita dengan berat atau tinggi badan kurang.", "KIA atau akta kelahiran, buku KIA"),
    ("dinkes-jiwa", "dinkes", "Layanan kesehatan jiwa (ODGJ)", H, 10,
     "Rekomendasi puskesmas.", "KK"),
    ("disdik-pip", "disdik", "Usulan Program Indonesia Pintar (KIP)", E, 15,
     "Siswa 6-21 tahun dari keluarga desil 1-4.", "KK, kartu pelajar"),
    ("disdik-beasiswa", "disdik", "Beasiswa siswa kurang mampu daerah", E, 20,
     "Siswa SD-SMP negeri/swasta di Banyuasin.", "KK, rapor terakhir, SKTM"),
    ("disdik-seragam", "disdik", "Bantuan seragam dan perlengkapan sekolah", E, 10,
     "Siswa baru dari keluarga miskin.", "KK"),
    ("disdik-kembali-sekolah", "disdik", "Kembali bersekolah (anak tidak sekolah)", E, 15,
     "Anak usia sekolah yang putus sekolah.", "KK, akta kelahiran"),
    ("disdik-kesetaraan", "disdik", "Pendidikan kesetaraan Paket A/B/C", E, 20,
     "Warga usia 15 tahun ke atas.", "KTP-el atau KK, ijazah terakhir"),
    ("dinsos-pkh", "dinsos", "Usulan Program Keluarga Harapan (PKH)", S, 20,
     "Keluarga desil 1-2 dengan komponen PKH.", "KK, KTP-el"),
    ("dinsos-sembako", "dinsos", "Usulan bantuan sembako (BPNT)", S, 20,
     "Keluarga desil 1-3.", "KK, KTP-el"),
    ("dinsos-bencana", "dinsos", "Bantuan sosial korban bencana atau musibah", S, 3,
     "Korban kebakaran, banjir atau musibah lain.", "KK, surat keterangan desa"),
    ("dinsos-dtsen", "dinsos", "Usulan pemutakhiran DTSEN", S, 15,
     "Keluarga belum terdata atau datanya berubah.", "KK, KTP-el"),
    ("dinsos-permakanan", "dinsos", "Bantuan permakanan lansia tunggal", EL, 10,
     "Lansia 60 tahun ke atas yang tinggal sendiri.", "KTP-el"),
    ("dinsos-atensi-lansia", "dinsos", "Asistensi rehabilitasi sosial lansia (ATENSI)", EL, 15,
     "Lansia terlantar atau tanpa pendamping.", "KTP-el, KK"),
    ("dinsos-alat-bantu", "dinsos", "Alat bantu penyandang disabilitas", DIS, 20,
     "Penyandang disabilitas fisik.", "KTP-el, surat keterangan dokter"),
    ("dinsos-atensi-disabilitas", "dinsos", "Asistensi rehabilitasi sosial disabilitas", DIS, 15,
     "Penyandang disabilitas dan keluarganya.", "KK"),
    ("dinsos-pemakaman", "dinsos", "Bantuan biaya pemakaman warga miskin", OT, 2,
     "Keluarga desil 1-4.", "Surat kematian, KK"),
    ("disnaker-blk", "disnakertrans", "Pelatihan kerja di BLK", EM, 20,
     "Pencari kerja usia 17-45 tahun.", "KTP-el, kartu AK/I"),
    ("disnaker-penempatan", "disnakertrans", "Penempatan kerja dan bursa kerja", EM, 15,
     "Pencari kerja terdaftar.", "Kartu AK/I, ijazah"),
    ("disnaker-ak1", "disnakertrans", "Kartu pencari kerja (AK/I)", EM, 3,
     "Warga usia kerja.", "KTP-el, pas foto, ijazah"),
    ("disdagkop-usaha-mikro", "disdagkop-ukm", "Pendampingan dan legalitas usaha mikro", EM, 15,
     "Pelaku usaha mikro.", "KTP-el"),
    ("perkim-rtlh", "perkim", "Bedah rumah tidak layak huni (RTLH)", HO, 30,
     "Rumah milik sendiri yang tidak layak huni; keluarga desil 1-3.", "KTP-el, KK, bukti tanah"),
    ("perkim-sanitasi", "perkim", "Sambungan air bersih dan jamban sehat", HO, 20,
     "Rumah tanpa jamban atau air bersih.", "KK"),
    ("dukcapil-ktp", "disdukcapil", "Perekaman dan pencetakan KTP-el", CR, 5,
     "Warga 17 tahun ke atas.", "KK"),
    ("dukcapil-kk", "disdukcapil", "Penerbitan atau perubahan Kartu Keluarga", CR, 3,
     "Keluarga yang datanya berubah.", "KK lama, dokumen perubahan"),
    ("dukcapil-akta", "disdukcapil", "Akta kelahiran", CR, 3,
     "Anak yang belum memiliki akta.", "Surat keterangan lahir, KK"),
    ("dukcapil-kia", "disdukcapil", "Kartu Identitas Anak (KIA)", CR, 3,
     "Anak di bawah 17 tahun.", "Akta kelahiran, KK"),
    ("dp3a-ppa", "dp3a", "Pendampingan anak dan perempuan korban kekerasan (UPTD PPA)", CP, 2,
     "Korban atau saksi kekerasan.", "Tidak ada (layanan segera)"),
    ("dp3a-puspaga", "dp3a", "Konseling keluarga (Puspaga)", CP, 5,
     "Keluarga dengan masalah pengasuhan.", "KK"),
    ("baznas-hidup", "baznas", "Bantuan biaya hidup mustahik (Banyuasin Peduli)", S, 10,
     "Fakir miskin menurut penilaian amil.", "KTP-el, KK, SKTM"),
    ("baznas-modal", "baznas", "Bantuan modal usaha mustahik (Banyuasin Makmur)", EM, 15,
     "Mustahik yang memiliki usaha kecil.", "KTP-el, KK"),
    ("baznas-pendidikan", "baznas", "Bantuan biaya pendidikan (Banyuasin Cerdas)", E, 15,
     "Siswa atau mahasiswa dari keluarga mustahik.", "KK, kartu pelajar"),
    ("baznas-berobat", "baznas", "Bantuan biaya berobat (Banyuasin Sehat)", H, 7,
     "Mustahik yang dirawat dan tidak ditanggung JKN.", "KK, surat keterangan dokter"),
    ("csr-bedah-rumah", "mitra-csr", "Bedah rumah mitra CSR", HO, 30,
     "Usulan Perkim yang belum terdanai APBD.", "KK, surat usulan desa"),
    ("csr-sembako", "mitra-csr", "Paket sembako mitra CSR", S, 5,
     "Keluarga desil 1-2.", "KK"),
]  # fmt: skip

NARRATIVES = {
    H: ["Anak demam tinggi beberapa hari, belum berobat karena tidak punya biaya.",
        "Ibu hamil belum pernah periksa kehamilan; kartu JKN tidak aktif.",
        "Balita tampak kurus, berat badan tidak naik tiga bulan terakhir.",
        "Kepala keluarga sakit menahun, perlu rujukan ke rumah sakit."],
    E: ["Anak kelas 5 SD berhenti sekolah karena tidak ada biaya seragam dan buku.",
        "Anak lulus SMP tetapi belum mendaftar SMA karena biaya.",
        "Siswa terancam putus sekolah; orang tua tidak bekerja."],
    S: ["Keluarga belum menerima bantuan sosial apa pun walau penghasilan tidak tetap.",
        "Rumah terbakar, keluarga mengungsi di rumah kerabat.",
        "Kepala keluarga meninggal, istri menanggung tiga anak."],
    DIS: ["Anak penyandang disabilitas fisik membutuhkan kursi roda.",
          "Warga tuna netra membutuhkan pendampingan dan alat bantu."],
    EL: ["Lansia tinggal sendiri, tidak ada keluarga yang merawat.",
         "Lansia sakit-sakitan, kesulitan makan sehari-hari."],
    EM: ["Kepala keluarga kehilangan pekerjaan setelah kontrak berakhir.",
         "Pemuda lulusan SMK ingin pelatihan kerja.",
         "Ibu rumah tangga ingin modal usaha warung kecil."],
    HO: ["Atap rumah bocor dan dinding papan lapuk.",
         "Rumah tidak memiliki jamban; keluarga buang air di sungai."],
    CR: ["Anak belum memiliki akta kelahiran sehingga sulit mendaftar sekolah.",
         "KTP-el hilang; keluarga tidak bisa mengurus bantuan.",
         "Data KK belum diperbarui setelah kelahiran anak."],
    CP: ["Dugaan kekerasan terhadap anak dilaporkan tetangga.",
         "Anak sering ditinggal sendiri; orang tua bekerja di luar kota."],
    OT: ["Keluarga meminta bantuan biaya pemakaman anggota keluarga."],
}  # fmt: skip
# Services a case of each category is referred to (first the main one).
BY_CATEGORY: dict[str, list[str]] = {}
for _code, _agency, _name, _category, *_rest in SERVICES:
    BY_CATEGORY.setdefault(_category, []).append(_code)
# A second service often added to a case of each category.
COMPANIONS = {
    H: ["dinkes-jkn-pbi", "baznas-berobat"],
    E: ["baznas-pendidikan", "dukcapil-akta"],
    S: ["dinsos-dtsen", "csr-sembako"],
    DIS: ["dinkes-berobat"],
    EL: ["dinkes-berobat", "dinsos-permakanan"],
    EM: ["disnaker-ak1", "baznas-modal"],
    HO: ["csr-bedah-rumah", "perkim-sanitasi"],
    CR: ["dukcapil-kk"],
    CP: ["dinkes-jiwa", "dp3a-puspaga"],
    OT: ["dinsos-pkh"],
}
CATEGORY_WEIGHTS = {H: 22, E: 16, S: 20, DIS: 5, EL: 7, EM: 10, HO: 7, CR: 8, CP: 3, OT: 2}
FIRST_NAMES = ["Siti", "Nur", "Ahmad", "Rudi", "Yanti", "Sri", "Dedi", "Maya", "Hendra",
               "Rina", "Joko", "Wati", "Agus", "Lestari", "Fauzi", "Indah"]  # fmt: skip
LAST_NAMES = ["Aminah", "Hasanah", "Saputra", "Wijaya", "Rahmawati", "Kurniawan", "Susanti",
              "Pratama", "Handayani", "Setiawan"]  # fmt: skip


def _agencies(region: Region) -> dict[str, Agency]:
    out = {}
    for code, name, short in AGENCIES:
        agency = Agency.objects.filter(region=region, code=code).first()
        if agency is None:
            agency = Agency.objects.create(region=region, code=code, name=name, short_name=short)
        out[code] = agency
    return out


def _users(agencies: dict[str, Agency], region: Region) -> dict[str, User]:
    """The agency logins (shared demo password); existing users keep their profile."""
    from sinergi.web.demo.services import DEMO_PASSWORD

    hashed: str | None = None
    users = {}
    for username, agency_code in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            if hashed is None:
                validate_password(DEMO_PASSWORD, user=User(username=username))
                hashed = make_password(DEMO_PASSWORD)
            user = User.objects.create(username=username, password=hashed)
            Profile.objects.create(
                user=user, role=Role.OPD_OPERATOR, region=region, agency=agencies[agency_code]
            )
        users[agency_code] = user
        AgencyHead.objects.get_or_create(agency=agencies[agency_code], defaults={"user": user})
    return users


def _catalogue(agencies: dict[str, Agency], user: User) -> dict[str, Service]:
    out = {}
    for code, agency, name, category, sla, eligibility, documents in SERVICES:
        service = Service.objects.filter(code=code).first()
        if service is None:
            service = services.save_service(
                Service(
                    code=code,
                    agency=agencies[agency],
                    name=name,
                    category=category,
                    description=NOTE,
                    eligibility=eligibility,
                    documents_needed=documents,
                    sla_working_days=sla,
                    is_illustrative=True,
                ),
                user=user,
            )
        out[code] = service
    return out


def _households(rng: random.Random, count: int) -> tuple[Any, list[dict[str, Any]]]:
    """``count`` households (with their head) sampled from the newest synthetic release."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from sinergi.web.registry.models import Release
    from sinergi.web.registry.services import release_dir

    release = (
        Release.objects.filter(status="ready", region_id=REGION)
        .order_by("-reference_date", "-created_at")
        .first()
    )
    if release is None:
        return None, []
    folder = Path(release_dir(release))
    hh = pq.read_table(
        folder / "households.parquet",
        columns=["household_id", "kk_hash", "kk_masked", "desa_code", "address"],
    )
    n = hh.num_rows
    if n == 0:
        return release, []
    # A quarter of the cases at the Betung front office (the demo's front-office login).
    betung = pc.starts_with(hh["desa_code"], FRONT_KECAMATAN + ".").to_pylist()
    betung_rows = [i for i, b in enumerate(betung) if b]
    other_rows = [i for i, b in enumerate(betung) if not b]
    k_betung = min(len(betung_rows), count // 4)
    picked = rng.sample(betung_rows, k_betung) + rng.sample(
        other_rows, min(len(other_rows), count - k_betung)
    )
    rows = hh.take(sorted(picked)).to_pylist()
    wanted = {r["household_id"] for r in rows}
    heads = pq.read_table(
        folder / "members.parquet",
        columns=["household_id", "nik_hash", "nik_masked", "full_name", "relationship"],
        filters=[("relationship", "=", "head")],
    )
    by_household = {m["household_id"]: m for m in heads.to_pylist() if m["household_id"] in wanted}
    out = []
    for r in rows:
        head = by_household.get(r["household_id"])
        if head is None:
            continue
        out.append({**r, **{k: head[k] for k in ("nik_hash", "nik_masked", "full_name")}})
    rng.shuffle(out)
    return release, out


def _workday_after(day: dt.date, n: int) -> dt.date:
    return services.calendar().due_on(day, n)


def load(progress: Callable[[str], None] | None = None) -> str:
    """Load the illustrative SLRT of Banyuasin (runs once; a second run changes nothing)."""
    say = progress or (lambda _m: None)
    region = Region.objects.get(code=REGION)
    if Case.objects.filter(is_illustrative=True).exists():
        n = Case.objects.filter(is_illustrative=True).count()
        return f"{n} illustrative cases already loaded"
    rng = random.Random(SEED)
    today = services.today()
    with transaction.atomic(), notifications.muted():
        agencies = _agencies(region)
        operators = _users(agencies, region)
        back_office = operators["dinsos"]
        catalogue = _catalogue(agencies, back_office)
        say("SLRT: sampling registry households")
        release, households = _households(rng, int(CASES * 0.85))
        front_users = {
            u.profile.region_id: u
            for u in User.objects.filter(
                profile__role=Role.KECAMATAN_OPERATOR, profile__region__level=Level.DISTRICT
            ).select_related("profile")
            if u.profile.region_id.startswith(REGION + ".")
        }
        betung = User.objects.filter(username="betung.demo", profile__region_id=FRONT_KECAMATAN)
        if betung.exists():
            front_users[FRONT_KECAMATAN] = betung.get()
        desa_codes = list(
            Region.objects.filter(level=Level.VILLAGE, code__startswith=REGION + ".").values_list(
                "code", flat=True
            )
        )
        say(f"SLRT: {CASES} illustrative cases")
        counts = _cases(
            rng,
            today,
            release=release,
            households=households,
            desa_codes=desa_codes,
            front_users=front_users,
            back_office=back_office,
            operators=operators,
            catalogue=catalogue,
        )
        escalated = services.escalate_breaches(on=today, user=None)
    return (
        f"{counts['cases']} illustrative cases ({counts['registry']} from the synthetic "
        f"registry), {counts['referrals']} referrals, {len(catalogue)} services, "
        f"{len(escalated)} breaches escalated; logins "
        f"{', '.join(u for u, _a in DEMO_USERS)}"
    )


def _cases(
    rng: random.Random,
    today: dt.date,
    *,
    release: Any,
    households: list[dict[str, Any]],
    desa_codes: list[str],
    front_users: dict[str, User],
    back_office: User,
    operators: dict[str, User],
    catalogue: dict[str, Service],
) -> dict[str, int]:
    categories = list(CATEGORY_WEIGHTS)
    weights = [CATEGORY_WEIGHTS[c] for c in categories]
    span = (today - FIRST_DAY).days
    counts = {"cases": 0, "registry": 0, "referrals": 0}
    regions = {r.code: r for r in Region.objects.filter(code__in=desa_codes)}
    queue = list(households)
    for i in range(CASES):
        category = rng.choices(categories, weights)[0]
        # More cases recently (the front offices are getting known).
        opened = FIRST_DAY + dt.timedelta(days=int(span * (rng.random() ** 0.7)))
        if rng.random() < 0.15:  # the last weeks: referrals still running, some at risk
            opened = today - dt.timedelta(days=rng.randint(0, 28))
        opened = min(opened, today)
        if opened.weekday() >= 5:
            opened -= dt.timedelta(days=opened.weekday() - 4)
        if queue and i % 7 != 3:
            h = queue.pop()
            fields = {
                "person_name": h["full_name"],
                "nik_hash": h["nik_hash"],
                "nik_masked": h["nik_masked"],
                "kk_hash": h["kk_hash"],
                "kk_masked": h["kk_masked"],
                "address": (h.get("address") or "")[:300],
            }
            desa_code, household_id, rel = h["desa_code"], h["household_id"], release
        else:
            fields = {
                "person_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "address": f"Dusun {rng.randint(1, 6)}",
            }
            desa_code, household_id, rel = rng.choice(desa_codes), "", None
        desa = regions.get(desa_code)
        if desa is None:
            continue
        front = front_users.get(desa_code[:8], back_office)
        case = services.insert_case(
            user=front,
            desa=desa,
            person_fields=fields,
            release=rel,
            household_id=household_id,
            category=category,
            narrative=f"{rng.choice(NARRATIVES[category])} ({NOTE})",
            channel=rng.choices(list(Channel.values), [50, 15, 25, 10])[0],
            opened_on=opened,
            is_illustrative=True,
        )
        counts["cases"] += 1
        counts["registry"] += bool(household_id)
        counts["referrals"] += _life(rng, today, case, front, back_office, operators, catalogue)
    return counts


def _life(
    rng: random.Random,
    today: dt.date,
    case: Case,
    front: User,
    back_office: User,
    operators: dict[str, User],
    catalogue: dict[str, Service],
) -> int:
    """Consent, referrals and their outcome, by the case's age."""
    opened = case.opened_on
    roll = rng.random()
    if roll < 0.05:
        services.record_consent(case, user=front, state="refused", on=opened)
        if (today - opened).days > 10:
            services.close_case(
                case,
                user=front,
                reason="Warga menolak datanya dibagikan; diberi informasi layanan.",
                on=min(today, opened + dt.timedelta(days=2)),
            )
        return 0
    override = roll < 0.07
    if override:
        services.record_consent(case, user=front, state="refused", on=opened)
    else:
        services.record_consent(case, user=front, state="given", on=opened)
    main = rng.choice(BY_CATEGORY[case.category])
    chosen = [main]
    if rng.random() < 0.45:
        extra = [c for c in COMPANIONS[case.category] if c != main]
        if extra:
            chosen.append(rng.choice(extra))
    sent = min(today, _workday_after(opened, rng.choice([0, 0, 1, 1, 2])))
    sent_by = back_office if override else front
    referrals = []
    for code in chosen:
        service = catalogue[code]
        referrals.append(
            services.refer(
                case,
                service,
                user=sent_by,
                sent_on=sent,
                override_reason=(
                    "Anak dalam situasi berbahaya; perlindungan anak didahulukan (ilustratif)."
                    if override
                    else ""
                ),
            )
        )
    # All sent the same day, then each agency answers (the last answer closes the case).
    for referral in referrals:
        _outcome(rng, today, referral, operators[referral.service.agency.code], sent_by)
    made = len(referrals)
    case.refresh_from_db()
    if case.status == "closed" and rng.random() < 0.04 and case.closed_on:
        services.reopen(
            case,
            user=front,
            reason="Keluarga datang lagi: kebutuhan belum terpenuhi.",
            on=min(today, case.closed_on + dt.timedelta(days=3)),
        )
    if rng.random() < 0.08:
        kind = ProposalKind.CORRECT if case.household_id else ProposalKind.ADD
        details = (
            {"field": "alamat", "value": "Pindah ke dusun lain", "note": "Ilustratif"}
            if kind == ProposalKind.CORRECT
            else {"name": case.person_name, "address": case.address, "members": rng.randint(2, 6)}
        )
        proposal = services.propose_registry_change(case, user=front, kind=kind, details=details)
        r = rng.random()
        if r < 0.6:
            services.review_proposal(
                proposal, user=back_office, accept=r < 0.5, note="Diperiksa (ilustratif)."
            )
    return made


def _outcome(
    rng: random.Random,
    today: dt.date,
    referral: Any,
    operator: User,
    sender: User,
) -> None:
    """Move a referral on: the older it is, the likelier it has ended."""
    cal = services.calendar()
    sla = referral.sla_working_days
    elapsed = cal.working_days_between(referral.sent_on, today)
    if elapsed <= 0:
        return
    # How many working days the agency takes to answer; a few run late.
    answer = max(1, int(sla * rng.uniform(0.15, 1.35)))
    if answer > elapsed:
        # Not answered yet: still in progress, or accepted and running.
        if rng.random() < 0.5 and elapsed >= 1:
            services.accept(referral, user=operator, on=cal.due_on(referral.sent_on, 1))
        return
    if rng.random() < 0.04 and (today - referral.sent_on).days < 150:
        return  # forgotten by the agency: breached, escalated to its head
    fate = rng.random()
    answered_on = cal.due_on(referral.sent_on, answer)
    if fate < 0.05:
        services.revoke(
            referral,
            user=sender,
            reason="Kebutuhan sudah dipenuhi layanan lain (ilustratif).",
            on=answered_on,
        )
        return
    if fate < 0.20:
        code = rng.choice([ReasonCode.NOT_ELIGIBLE, ReasonCode.NO_CAPACITY, ReasonCode.OTHER])
        services.reject(
            referral,
            user=operator,
            reason_code=code,
            reason="Kuota tahun ini sudah habis (ilustratif)."
            if code != ReasonCode.NOT_ELIGIBLE
            else "Tidak memenuhi syarat layanan (ilustratif).",
            on=answered_on,
        )
        return
    accepted_on = cal.due_on(referral.sent_on, max(1, answer // 3))
    referral = services.accept(referral, user=operator, on=min(accepted_on, answered_on))
    if fate > 0.93 and answer + 2 > elapsed:
        return  # accepted, still running
    if fate < 0.80:
        services.complete(referral, user=operator, outcome="successful", reason="", on=answered_on)
    else:
        code = rng.choice(
            [
                ReasonCode.CLIENT_REFUSED,
                ReasonCode.UNREACHABLE,
                ReasonCode.NO_LONGER_NEEDED,
                ReasonCode.NO_CAPACITY,
            ]
        )
        services.complete(
            referral, user=operator, outcome="not_successful", reason_code=code, on=answered_on
        )
