"""Demo step: the Banyuasin Prima flagship and its 2019 monev through Q3 (idempotent).

Real (from the article on the monev triwulan III of Banyuasin Prima, 17 October 2019):
the flagship and its aim, the five agencies and the people named, the
meeting's date and place, the job fair held without APBD funds opening 980
vacancies, violations of regional bylaws down 35 % against the previous
quarter, the KUR communication forum with banks and OJK, the licensing
counter at the mall, "less than 1.5 months of effective time left", the
request for master plans, roadmaps, DED and FS, and non-APBD proposals for
the RKPD. Everything else (budgets, plans, other realisations, targets,
documents' content, user accounts) is ILLUSTRATIVE and flagged as such.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from sinergi.web.accounts.models import Agency, Profile, Role
from sinergi.web.core.formatting import rounded
from sinergi.web.demo.citations import cite
from sinergi.web.demo.services import DEMO_PASSWORD
from sinergi.web.indicators.models import Indicator
from sinergi.web.programs import documents, services
from sinergi.web.programs.choices import (
    DocumentType,
    FundingSource,
    IndicatorLevel,
    Polarity,
    RealisationStatus,
    RkpdStatus,
)
from sinergi.web.programs.models import (
    Activity,
    Document,
    FlagshipProgramme,
    MonevRound,
    Nomenclature,
    NonApbdProposal,
    PerformanceIndicator,
    QuarterPlan,
    Realisation,
)
from sinergi.web.regions.models import Region

REGION = "16.07"
YEAR = 2019
SEED = cite("001_0cd5460b614fe378")  # the monev article, as a reader cites it
# Short form for notes on figures taken from it.
FROM_ARTICLE = "berita monev 17 Oktober 2019"
ILLUSTRATIVE = "ILUSTRATIF / illustrative demo figure"
JT = D(1_000_000)  # "juta": amounts below are in millions of rupiah

AGENCIES = [
    # code, name, short name, head, head's title (all as named in the seed)
    (
        "disdagkop-ukm",
        "Dinas Perdagangan, Koperasi dan UMKM",
        "Disdagkop UKM",
        "Lukman",
        "Kepala Dinas",
    ),
    (
        "disnakertrans",
        "Dinas Tenaga Kerja dan Transmigrasi",
        "Disnakertrans",
        "Noer Yosept Dzat",
        "Kepala Dinas",
    ),
    (
        "disparpora",
        "Dinas Pariwisata, Pemuda dan Olahraga",
        "Disparpora",
        "Sirojudin",
        "Mewakili Kepala Dinas (monev TW III 2019)",
    ),
    (
        "dpmptsp",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "DPMPTSP",
        "Ali Sadikin",
        "Kepala Dinas",
    ),
    ("satpol-pp", "Satuan Polisi Pamong Praja", "Satpol PP", "H. Indra Hadi", "Kepala Satuan"),
    (
        "bappeda-litbang",
        "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah",
        "Bappeda Litbang",
        "Erwin Ibrahim",
        "Kepala Badan",
    ),
]
# Agencies with a demo login but no Banyuasin Prima activity: Dinas Sosial verifies
# the synthetic household registry (sinergi.web.registry.demo); no head is named in a seed.
OTHER_AGENCIES = [("dinsos", "Dinas Sosial", "Dinsos", "", "Kepala Dinas")]

# Each activity: agency, sub-kegiatan code, name, end date, budgets {source: Rp million},
# plan [(physical %, disbursement to date in Rp million)] for Q1-Q4,
# realisation [(physical %, spent Rp million, problems, follow-up, status)] for Q1-Q3,
# outputs [(code, name, unit, polarity, additive, year target, {quarter: value}, regional indicator,
# serves outcome code, source note)].
OK = ("", "")

# Outputs that happen at one moment are due in the quarter they are planned for, not
# spread over the year: the 2019 job fair was held "a few months" before the Q3 meeting.
# Cumulative targets for Q1-Q4.
SCHEDULED_TARGETS: dict[str, tuple[int, int, int, int]] = {
    "job-fair-events": (0, 0, 1, 1),
    "job-fair-vacancies": (0, 0, 1000, 1000),
}


def quarter_targets(code: str, target: int, additive: bool) -> list[D]:
    """Quarterly targets of a demo output: cumulative whole units for counts, the level
    otherwise.

    An additive output is a count (events, persons, packages), so its cumulative target
    is a whole number: a quarter of the year target rounded half-up (``3`` gives
    ``1, 2, 2, 3``), never ``0,75 destinasi``.
    """
    if not additive:
        return [D(target)] * 4
    if code in SCHEDULED_TARGETS:
        return [D(v) for v in SCHEDULED_TARGETS[code]]
    return [rounded(D(target) * q / 4, 0) or D(0) for q in (1, 2, 3, 4)]


ACTIVITIES: list[dict[str, Any]] = [
    {
        "agency": "disdagkop-ukm",
        "code": "2.17.07.2.01.0003",
        "name": "Pembentukan Forum Komunikasi KUR bersama perbankan dan OJK",
        "end": dt.date(2019, 12, 13),
        "budgets": {FundingSource.APBD_KAB: 185, FundingSource.KUR: 12_500},
        "plan": [(10, 15), (40, 70), (75, 130), (100, 185)],
        "real": [(10, 14, *OK), (42, 68, *OK), (78, 126, *OK)],
        "outputs": [
            (
                "kur-forum-meetings",
                "Rapat Forum Komunikasi KUR",
                "rapat",
                Polarity.HIGHER,
                True,
                4,
                {2: 1, 3: 2},
                None,
                "umkm-kur-access",
                f"Forum KUR pertama di Sumatera Selatan ({FROM_ARTICLE}); jumlah rapat ilustratif",
            )
        ],
    },
    {
        "agency": "disdagkop-ukm",
        "code": "2.17.08.2.01.0001",
        "name": "Pelatihan peningkatan kapasitas usaha mikro (UMKM)",
        "end": dt.date(2019, 11, 29),
        "budgets": {FundingSource.APBD_KAB: 420},
        "plan": [(5, 20), (35, 150), (70, 300), (100, 420)],
        "real": [
            (5, 18, *OK),
            (
                25,
                95,
                "Instruktur dari provinsi belum tersedia",
                "Koordinasi dengan Dinas Koperasi Provinsi",
            ),
            (
                48,
                190,
                "Angkatan III menunggu instruktur; peserta dari 6 kecamatan belum terdata",
                "Angkatan III dan IV digabung pada November; pendataan peserta lewat kecamatan",
            ),
        ],
        "outputs": [
            (
                "umkm-trained",
                "Pelaku usaha mikro yang dilatih",
                "orang",
                Polarity.HIGHER,
                True,
                200,
                {2: 40, 3: 45},
                None,
                "umkm-kur-access",
                ILLUSTRATIVE,
            )
        ],
    },
    {
        "agency": "disnakertrans",
        "code": "2.07.04.2.01.0002",
        "name": "Job Fair Banyuasin 2019 (tanpa dana APBD)",
        "end": dt.date(2019, 9, 30),
        "budgets": {FundingSource.PRIVATE: 60, FundingSource.CSR: 25},
        "plan": [(10, 0), (60, 0), (100, 0), (100, 0)],
        "real": [
            (10, 0, *OK),
            (60, 0, *OK),
            (
                100,
                0,
                "Keterbatasan dana APBD dinas",
                "Dilaksanakan dengan dukungan perusahaan peserta; "
                "diusulkan dua kali setahun mulai 2020 melalui RKPD non-APBD",
            ),
        ],
        "outputs": [
            (
                "job-fair-vacancies",
                "Lowongan kerja dibuka melalui job fair",
                "lowongan",
                Polarity.HIGHER,
                True,
                1000,
                {3: 980},
                "job_fair_vacancies",
                "job-placement",
                f"980 lowongan: angka nyata; target 1.000 ('kurang lebih 1000 peluang'); keduanya dari {FROM_ARTICLE}",
            ),
            (
                "job-fair-events",
                "Penyelenggaraan job fair",
                "kali",
                Polarity.HIGHER,
                True,
                1,
                {3: 1},
                "job_fair_count",
                "job-placement",
                FROM_ARTICLE,
            ),
        ],
    },
    {
        "agency": "disnakertrans",
        "code": "2.07.03.2.01.0001",
        "name": "Bimtek kewirausahaan: paket wirausaha bantuan Kementerian Ketenagakerjaan",
        "end": dt.date(2019, 11, 29),
        "budgets": {FundingSource.APBN_DAK: 400},
        "plan": [(0, 0), (0, 0), (40, 160), (100, 400)],
        "real": [
            (0, 0, *OK),
            (0, 0, *OK),
            (
                5,
                0,
                "Petunjuk teknis dan alokasi paket dari Kementerian baru diterima akhir September",
                "Verifikasi calon penerima dipercepat; penyaluran bertahap mulai November",
            ),
        ],
        "outputs": [
            (
                "entrepreneur-packages",
                "Paket wirausaha disalurkan",
                "paket",
                Polarity.HIGHER,
                True,
                40,
                {3: 0},
                None,
                "job-placement",
                f"'lebih dari 40an paket wirausaha' ({FROM_ARTICLE}); sisanya ilustratif",
            )
        ],
    },
    {
        "agency": "disnakertrans",
        "code": "2.07.04.2.03.0001",
        "name": "Penyebarluasan informasi pasar kerja",
        "end": None,
        "budgets": {FundingSource.APBD_KAB: 95},
        "plan": [(20, 15), (45, 40), (75, 68), (100, 95)],
        "real": [(20, 14, *OK), (45, 41, *OK), (72, 66, *OK)],
        "outputs": [
            (
                "job-info-editions",
                "Edisi informasi lowongan kerja",
                "edisi",
                Polarity.HIGHER,
                True,
                12,
                {1: 3, 2: 3, 3: 3},
                None,
                "job-placement",
                ILLUSTRATIVE,
            )
        ],
    },
    {
        "agency": "disparpora",
        "code": "3.26.02.2.01.0001",
        "name": "Rintisan bangkitan pariwisata: pengembangan destinasi wisata unggulan",
        "end": dt.date(2019, 12, 13),
        "budgets": {FundingSource.APBD_KAB: 1_200, FundingSource.APBN_DAK: 800},
        "plan": [(5, 100), (30, 600), (70, 1_400), (100, 2_000)],
        "real": [
            (5, 90, *OK),
            (22, 420, "Tender fisik DAK gagal (tidak ada penawar memenuhi syarat)", "Tender ulang"),
            (
                52,
                880,
                "Tender ulang baru selesai; pekerjaan fisik mulai Agustus",
                "Penambahan tenaga kerja dan pengawasan mingguan oleh PPK",
            ),
        ],
        "outputs": [
            (
                "destinations-developed",
                "Destinasi wisata yang dikembangkan",
                "destinasi",
                Polarity.HIGHER,
                True,
                3,
                {3: 1},
                None,
                "tourist-visits",
                ILLUSTRATIVE,
            )
        ],
    },
    {
        "agency": "disparpora",
        "code": "2.19.03.2.03.0001",
        "name": "Pembinaan atlet berprestasi menuju Porprov",
        "end": None,
        "budgets": {FundingSource.APBD_KAB: 650},
        "plan": [(20, 100), (50, 300), (85, 540), (100, 650)],
        "real": [(20, 95, *OK), (50, 290, *OK), (83, 520, *OK)],
        "q3_status": RealisationStatus.DRAFT,
        "outputs": [
            (
                "porprov-medals",
                "Medali Porprov",
                "medali",
                Polarity.HIGHER,
                True,
                25,
                {3: 27},
                None,
                None,
                ILLUSTRATIVE,
            )
        ],
    },
    {
        "agency": "dpmptsp",
        "code": "2.18.04.2.01.0001",
        "name": "Loket pelayanan perizinan terintegrasi dengan pelayanan kependudukan di OPI Mall",
        "end": None,
        "budgets": {FundingSource.APBD_KAB: 310},
        "plan": [(30, 80), (80, 250), (100, 300), (100, 310)],
        "real": [(30, 75, *OK), (85, 240, *OK), (100, 295, *OK)],
        "outputs": [
            (
                "mall-counter",
                "Gerai pelayanan perizinan terpadu beroperasi",
                "gerai",
                Polarity.HIGHER,
                False,
                1,
                {2: 1, 3: 1},
                None,
                "permits-on-time",
                f"{FROM_ARTICLE} (loket di OPI Mall)",
            )
        ],
    },
    {
        "agency": "satpol-pp",
        "code": "1.05.02.2.02.0003",
        "name": "Penegakan perda dan operasi ketenteraman dan ketertiban umum",
        "end": None,
        "budgets": {FundingSource.APBD_KAB: 870},
        "plan": [(25, 200), (50, 430), (75, 650), (100, 870)],
        "real": [
            (25, 150, *OK),
            (50, 300, "Honor tim operasi gabungan menunggu SK Bupati", "SK diproses Bagian Hukum"),
            (
                76,
                420,
                "Pencairan honor tim operasi gabungan tertunda",
                "SK Bupati terbit Oktober; pencairan dijadwalkan November",
            ),
        ],
        "outputs": [
            (
                "violation-change",
                "Perubahan jumlah pelanggaran perda dibanding triwulan sebelumnya",
                "%",
                Polarity.LOWER,
                False,
                -20,
                {1: -5, 2: -12, 3: -35},
                "trantib_violation_change",
                "bylaw-enforcement",
                f"TW III: turun 35 % ({FROM_ARTICLE}); TW I-II dan target ilustratif",
            )
        ],
    },
    {
        "agency": "bappeda-litbang",
        "code": "5.01.02.2.04.0001",
        "name": "Pengendalian dan evaluasi program Banyuasin Prima",
        "end": None,
        "budgets": {FundingSource.APBD_KAB: 120},
        "plan": [(25, 25), (50, 55), (75, 85), (100, 120)],
        "real": [(25, 24, *OK), (50, 52, *OK), (75, 80, *OK)],
        "outputs": [
            (
                "monev-reports",
                "Laporan monev triwulanan Banyuasin Prima",
                "laporan",
                Polarity.HIGHER,
                True,
                4,
                {1: 1, 2: 1, 3: 1},
                None,
                None,
                ILLUSTRATIVE,
            )
        ],
    },
]

OUTCOMES = [
    # code, programme, agency, name, unit, polarity, target, regional indicator
    (
        "job-placement",
        "2.07.04",
        "disnakertrans",
        "Persentase pencari kerja yang ditempatkan",
        "%",
        Polarity.HIGHER,
        40,
        "open_unemployment_rate",
    ),
    (
        "umkm-kur-access",
        "2.17.07",
        "disdagkop-ukm",
        "Usaha mikro yang mengakses KUR (pertumbuhan)",
        "%",
        Polarity.HIGHER,
        10,
        "poverty_rate",
    ),
    (
        "bylaw-enforcement",
        "1.05.02",
        "satpol-pp",
        "Persentase penegakan perda",
        "%",
        Polarity.HIGHER,
        80,
        "trantib_violation_change",
    ),
    (
        "tourist-visits",
        "3.26.02",
        "disparpora",
        "Kunjungan wisatawan",
        "kunjungan",
        Polarity.HIGHER,
        150_000,
        None,
    ),
    (
        "permits-on-time",
        "2.18.04",
        "dpmptsp",
        "Persentase perizinan terbit tepat waktu",
        "%",
        Polarity.HIGHER,
        95,
        "companies_count",
    ),
]

PROPOSALS = [
    (
        "disnakertrans",
        2020,
        "Job fair dua kali setahun mulai 2020",
        "Menaikkan frekuensi job fair menjadi dua kali setahun (sekitar 2.000 peluang kerja per tahun), "
        "seperti disampaikan Kadisnakertrans pada monev TW III 2019.",
        150,
        FundingSource.PRIVATE,
        "Sponsor perusahaan peserta dan CSR, tanpa APBD (seperti Job Fair 2019).",
        RkpdStatus.IN_RKPD,
        "2.07.04.2.01.0002",
    ),
    (
        "disnakertrans",
        2020,
        "Bimtek dan paket wirausaha dari Kementerian Ketenagakerjaan",
        "Lebih dari 40 paket wirausaha untuk masyarakat melalui pendekatan ke kementerian.",
        400,
        FundingSource.APBN_DAK,
        "Bantuan pemerintah pusat (APBN) melalui Kementerian Ketenagakerjaan.",
        RkpdStatus.VERIFIED,
        "2.07.03.2.01.0001",
    ),
    (
        "dpmptsp",
        2020,
        "Gerai perizinan kedua di pusat keramaian",
        "Memperluas loket perizinan terpadu ke pusat bisnis lain.",
        250,
        FundingSource.PRIVATE,
        "Ruang disediakan pengelola pusat perbelanjaan (kerja sama); perangkat dari CSR.",
        RkpdStatus.PROPOSED,
        None,
    ),
]

DOCUMENTS = [
    # (activity code or None for the flagship, type, title)
    (None, DocumentType.MASTER_PLAN, "Rencana induk Banyuasin Prima 2019-2023 (draf)"),
    (None, DocumentType.ROADMAP, "Peta jalan Banyuasin Prima"),
    ("3.26.02.2.01.0001", DocumentType.DED, "DED pengembangan destinasi wisata unggulan"),
    ("2.18.04.2.01.0001", DocumentType.FS, "Studi kelayakan gerai pelayanan perizinan di OPI Mall"),
    ("2.07.04.2.01.0002", DocumentType.REPORT, "Laporan pelaksanaan Job Fair Banyuasin 2019"),
]

DEMO_USERS = [
    ("bappeda.demo", Role.BAPPEDA_ADMIN, "bappeda-litbang"),
    ("disnakertrans.demo", Role.OPD_OPERATOR, "disnakertrans"),
    ("disparpora.demo", Role.OPD_OPERATOR, "disparpora"),
    ("dinsos.demo", Role.OPD_OPERATOR, "dinsos"),  # verifier of the household registry
]


def _placeholder_pdf(title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 760, title)
    page.setFont("Helvetica", 11)
    page.drawString(
        72, 730, "Dokumen ILUSTRATIF untuk demo Sinergi (bukan dokumen resmi Pemkab Banyuasin)."
    )
    page.drawString(
        72, 712, "Illustrative placeholder for the Sinergi demo; not an official document."
    )
    page.showPage()
    page.save()
    return buffer.getvalue()


def _users(agencies: dict[str, Agency], region: Region) -> str:
    """The demo logins (shared password, see ``DEMO_PASSWORD``); existing ones keep theirs."""
    for username, role, agency_code in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            validate_password(DEMO_PASSWORD, user=User(username=username))
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
        Profile.objects.update_or_create(
            user=user, defaults={"role": role, "region": region, "agency": agencies[agency_code]}
        )
    return f"logins {', '.join(u for u, _r, _a in DEMO_USERS)} / password {DEMO_PASSWORD}"


def load(progress: Callable[[str], None] | None = None) -> str:
    """Load the Banyuasin Prima demo; safe to run again (nothing changes the second time)."""
    say = progress or (lambda _m: None)
    region = Region.objects.get(code=REGION)
    say("nomenclature")
    services.load_nomenclature()
    with transaction.atomic():
        say("Banyuasin Prima")
        agencies = {}
        for code, name, short, head, title in [*AGENCIES, *OTHER_AGENCIES]:
            agencies[code], _created = Agency.objects.update_or_create(
                region=region,
                code=code,
                defaults={
                    "name": name,
                    "short_name": short,
                    "head_name": head,
                    "head_title": title,
                },
            )
        logins = _users(agencies, region)
        bappeda_user = User.objects.get(username=DEMO_USERS[0][0])
        flagship, _created = FlagshipProgramme.objects.update_or_create(
            region=region,
            slug="banyuasin-prima",
            defaults={
                "name": "Banyuasin Prima",
                "goal": "Menurunkan tingkat pengangguran, membuka peluang kerja seluas-luasnya dan meningkatkan "
                "wirausaha masyarakat dengan menjaga keamanan dan ketertiban; tujuan akhirnya penurunan tingkat "
                "kemiskinan.",
                "year_start": 2019,
                "year_end": 2023,
                "coordinator": agencies["bappeda-litbang"],
            },
        )
        MonevRound.objects.update_or_create(
            region=region,
            year=YEAR,
            quarter=3,
            defaults={
                "held_on": dt.date(2019, 10, 17),
                "title": "Rapat monev triwulan III program Banyuasin Prima",
                "place": "Ruang rapat Dinas Tenaga Kerja dan Transmigrasi Kabupaten Banyuasin",
                "source": SEED,
            },
        )
        nomenclature = {n.code: n for n in Nomenclature.objects.all()}
        indicators = {i.code: i for i in Indicator.objects.all()}
        outcomes = {}
        for code, programme, agency, name, unit, polarity, target, regional in OUTCOMES:
            outcomes[code], _c = PerformanceIndicator.objects.update_or_create(
                region=region,
                year=YEAR,
                code=code,
                defaults={
                    "level": IndicatorLevel.OUTCOME,
                    "programme": nomenclature[programme],
                    "agency": agencies[agency],
                    "name": name,
                    "unit": unit,
                    "polarity": polarity,
                    "additive": False,
                    "target": D(target),
                    "regional_indicator": indicators.get(regional) if regional else None,
                    "source_note": ILLUSTRATIVE,
                },
            )
        activities = {}
        realised = 0
        for spec in ACTIVITIES:
            activity, _c = Activity.objects.update_or_create(
                region=region,
                year=YEAR,
                code=spec["code"],
                defaults={
                    "agency": agencies[spec["agency"]],
                    "nomenclature": nomenclature[spec["code"]],
                    "name": spec["name"],
                    "flagship": flagship,
                    "start_date": dt.date(YEAR, 1, 2),
                    "end_date": spec["end"],
                    "is_illustrative": True,
                },
            )
            activities[spec["code"]] = activity
            for source, amount in spec["budgets"].items():
                services.set_budget(activity, source, D(amount) * JT, user=None, note=ILLUSTRATIVE)
            for quarter, (physical, disbursement) in enumerate(spec["plan"], start=1):
                QuarterPlan.objects.update_or_create(
                    activity=activity,
                    quarter=quarter,
                    defaults={"physical_pct": D(physical), "disbursement": D(disbursement) * JT},
                )
            ids = {}
            for out in spec["outputs"]:
                code, name, unit, polarity, additive, target, _values, regional, serves, note = out
                per_quarter = quarter_targets(code, target, additive)
                ind, _c = PerformanceIndicator.objects.update_or_create(
                    region=region,
                    year=YEAR,
                    code=code,
                    defaults={
                        "level": IndicatorLevel.OUTPUT,
                        "activity": activity,
                        "agency": activity.agency,
                        "programme": activity.programme,
                        "name": name,
                        "unit": unit,
                        "polarity": polarity,
                        "additive": additive,
                        "target": D(target),
                        **{
                            f"target_q{q}": v
                            for q, v in zip((1, 2, 3, 4), per_quarter, strict=True)
                        },
                        "serves": outcomes.get(serves) if serves else None,
                        "regional_indicator": indicators.get(regional) if regional else None,
                        "source_note": note,
                    },
                )
                ids[code] = ind.pk
            for quarter, (physical, spent, problems, follow_up) in enumerate(spec["real"], start=1):
                outputs = {ids[o[0]]: D(o[6][quarter]) for o in spec["outputs"] if quarter in o[6]}
                real, changed = services.save_realisation(
                    activity,
                    quarter,
                    physical_pct=D(physical),
                    spent=D(spent) * JT,
                    problems=problems,
                    follow_up=follow_up,
                    outputs=outputs,
                    user=None,
                    comment="demo",
                )
                realised += int(changed)
                wanted = (
                    RealisationStatus.APPROVED
                    if quarter < 3
                    else spec.get("q3_status", RealisationStatus.SUBMITTED)
                )
                _advance(real, wanted, bappeda_user)
        for (
            agency,
            year,
            title,
            description,
            cost,
            source,
            scheme,
            status,
            activity_code,
        ) in PROPOSALS:
            NonApbdProposal.objects.update_or_create(
                region=region,
                agency=agencies[agency],
                rkpd_year=year,
                title=title,
                defaults={
                    "description": description,
                    "estimated_cost": D(cost) * JT,
                    "source": source,
                    "scheme": scheme,
                    "status": status,
                    "flagship": flagship,
                    "activity": activities.get(activity_code) if activity_code else None,
                    "status_note": ILLUSTRATIVE,
                    "is_illustrative": True,
                },
            )
        say("documents")
        for activity_code, doc_type, title in DOCUMENTS:
            subject: dict[str, Any] = (
                {"activity": activities[activity_code]} if activity_code else {"flagship": flagship}
            )
            if Document.objects.filter(title=title, **subject).exists():
                continue
            documents.add_document_bytes(
                _placeholder_pdf(title),
                doc_type=doc_type,
                title=title,
                name=f"{title[:40]}.pdf",
                user=None,
                is_illustrative=True,
                **subject,
            )
    late = services.monev_data(region, YEAR, 3, flagship=flagship).late
    return (
        f"Banyuasin Prima: {len(ACTIVITIES)} activities of {len(AGENCIES)} agencies, 2019 through Q3 "
        f"({realised} realisations written, {len(late)} late in Q3; illustrative except the figures of the article); "
        f"{logins}"
    )


def _advance(real: Realisation, wanted: str, reviewer: User) -> None:
    """Walk the review workflow up to ``wanted`` (only forwards, so reruns change nothing)."""
    path = {
        RealisationStatus.DRAFT: [],
        RealisationStatus.SUBMITTED: ["submit"],
        RealisationStatus.APPROVED: ["submit", "approve"],
    }[wanted]
    order = [RealisationStatus.DRAFT, RealisationStatus.SUBMITTED, RealisationStatus.APPROVED]
    for action in path:
        target = services.TRANSITIONS[action][1]
        if real.status in order and order.index(real.status) >= order.index(target):
            continue
        real = services.transition(
            real,
            action,
            reviewer if action == "approve" else None,
            note="demo" if action == "approve" else "",
        )
