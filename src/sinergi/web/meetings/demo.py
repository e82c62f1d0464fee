"""Demo step: three meetings from the seed articles, with their problems and follow-up.

Real (each from its article, cited on the meeting):

- 000, 31 July 2025: the RKP 2025 coordination and synchronisation meeting in Sumatera
  Selatan, attended by Banyuasin's regional secretary Erwin Ibrahim; its three aims, the
  figures he presented (growth 3,44 in 2021, 5,32, 5,06, 5,14 in 2024; poverty 9,31 in 2024;
  unemployment 3,29; stunting from 20 to 11, hoping for single digit; two job fairs a year,
  about 250 companies, 500-1000 workers each) and its conclusion (strengthen the synergy of
  regional and central programmes for the national 8 % growth target and the Asta Cita).
- 001, 17 October 2019: the Banyuasin Prima monev of quarter III in the meeting room of
  Disnakertrans, led by the head of Bappeda Litbang Erwin Ibrahim for the Regent, the agency
  heads present, and its instructions: document every innovation (master plan, roadmap, DED
  or FS); send what the APBD cannot fund to Bappeda Litbang for the non-APBD RKPD; kecamatan-
  based data collection; mind physical and financial realisation with under 1.5 months left.
- 003, 16 August 2024: the Sumsel joint secretariat at the OJK office, chaired by the acting
  Governor Elen Setiadi with BI, OJK and BPS, on poverty: convergence and integration of
  programmes on one target, the secretariat hosted by BI and OJK, financial access.

ILLUSTRATIVE (flagged on each row): which computed proposals were accepted, the root
causes, USG scores, the recommendations' wording beyond the articles, every action item,
its owner, due date, status, progress and weight, and the evidence files.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from sinergi.web.accounts.models import Agency
from sinergi.web.demo.citations import ONLINE_NEWS, Citation, cite
from sinergi.web.meetings import services
from sinergi.web.meetings.choices import ActionStatus, Decision, MeetingKind, OrgLevel, ProblemLevel
from sinergi.web.meetings.models import Attendance, Meeting, Organisation, Problem
from sinergi.web.programs.choices import DocumentType
from sinergi.web.regions.models import Region

ILLUSTRATIVE = "ILUSTRATIF"
# Article 003 is not among the demo's indicator citations (it has no figure): cited here
# the same way.
SEKBER = Citation(
    key="003_a7d6aa144404f1cc",
    title="Rapat Sekretariat Bersama, Sumsel Percepat Penurunan Angka Kemiskinan",
    description={},
    outlet={"id": "KORANHARIANBANYUASIN.ID", "en": "KORANHARIANBANYUASIN.ID"},
    place="Sumatera Selatan",
    date=dt.date(2024, 8, 16),
)
_ = ONLINE_NEWS

# name, short name, level, agency code of the Banyuasin demo (or None)
ORGANISATIONS = [
    (
        "Kementerian Koordinator Bidang Politik dan Keamanan",
        "Kemenko Polkam",
        OrgLevel.CENTRAL,
        None,
    ),
    ("Kementerian Ketenagakerjaan", "Kemnaker", OrgLevel.CENTRAL, None),
    ("Pemerintah Provinsi Sumatera Selatan", "Pemprov Sumsel", OrgLevel.PROVINCE, None),
    ("Bank Indonesia Perwakilan Sumatera Selatan", "BI Sumsel", OrgLevel.VERTICAL, None),
    ("Otoritas Jasa Keuangan Sumatera Selatan", "OJK Sumsel", OrgLevel.VERTICAL, None),
    ("Badan Pusat Statistik Provinsi Sumatera Selatan", "BPS Sumsel", OrgLevel.VERTICAL, None),
    ("Sekretariat Daerah Kabupaten Banyuasin", "Setda Banyuasin", OrgLevel.REGENCY, None),
    ("Bappeda Litbang Kabupaten Banyuasin", "Bappeda Litbang", OrgLevel.REGENCY, "bappeda-litbang"),
    (
        "Dinas Perdagangan, Koperasi dan UMKM Kabupaten Banyuasin",
        "Disdagkop UKM",
        OrgLevel.REGENCY,
        "disdagkop-ukm",
    ),
    (
        "Dinas Tenaga Kerja dan Transmigrasi Kabupaten Banyuasin",
        "Disnakertrans",
        OrgLevel.REGENCY,
        "disnakertrans",
    ),
    (
        "Dinas Pariwisata, Pemuda dan Olahraga Kabupaten Banyuasin",
        "Disparpora",
        OrgLevel.REGENCY,
        "disparpora",
    ),
    ("DPMPTSP Kabupaten Banyuasin", "DPMPTSP", OrgLevel.REGENCY, "dpmptsp"),
    ("Satuan Polisi Pamong Praja Kabupaten Banyuasin", "Satpol PP", OrgLevel.REGENCY, "satpol-pp"),
    ("Dinas Sosial Kabupaten Banyuasin", "Dinsos", OrgLevel.REGENCY, "dinsos"),
    ("Perbankan penyalur KUR", "Bank penyalur KUR", OrgLevel.PARTNER, None),
]


def _pdf(title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    c.drawString(72, 760, title)
    c.drawString(72, 740, "ILUSTRATIF: berkas contoh demo, bukan dokumen resmi.")
    c.save()
    return buffer.getvalue()


def _organisations() -> dict[str, Organisation]:
    agencies = {a.code: a for a in Agency.objects.filter(region_id="16.07")}
    found = {}
    for name, short, level, code in ORGANISATIONS:
        org, _c = Organisation.objects.update_or_create(
            name=name,
            defaults={
                "short_name": short,
                "level": level,
                "agency": agencies.get(code) if code else None,
            },
        )
        found[short] = org
    return found


def _accept(meeting: Meeting, user: Any, keys: list[str]) -> list[Problem]:
    accepted = []
    for key in keys:
        p = meeting.problems.filter(key=key, decision=Decision.PROPOSED).first()
        if p is not None:
            accepted.append(services.decide(p, Decision.ACCEPTED, user))
    return accepted


def _attend(meeting: Meeting, rows: list[tuple[str, str, Organisation, str]]) -> None:
    for name, position, org, represented in rows:
        Attendance.objects.create(
            meeting=meeting,
            name=name,
            position=position,
            organisation=org,
            represented_by=represented,
        )


def _agenda(meeting: Meeting, titles: list[str]) -> None:
    for i, title in enumerate(titles, start=1):
        meeting.agenda.create(order=i, title=title)


def _rkp(orgs: dict[str, Organisation], region: Region, user: Any) -> Meeting:
    meeting = services.create_meeting(
        user,
        region=region,
        kind=MeetingKind.RKP_COORDINATION,
        title="Rapat Koordinasi dan Sinkronisasi Pencapaian Sasaran dan Target Prioritas Nasional RKP 2025",
        date=dt.date(2025, 7, 31),
        place="Palembang, Provinsi Sumatera Selatan",
        host=orgs["Kemenko Polkam"],
        year=2025,
        minutes=(
            "Sekda Banyuasin menyampaikan kapasitas dan kinerja Pemerintah Kabupaten Banyuasin: "
            "pertumbuhan ekonomi 3,44 (2021), 5,32 (2022), 5,06 (2023) dan 5,14 (2024); kemiskinan "
            "9,31 persen pada 2024; pengangguran menurun dalam empat tahun terakhir menjadi 3,29; "
            "job fair dua kali setahun dengan sekitar 250 perusahaan, 500-1.000 pekerja terserap "
            "setiap kali; stunting turun dari 20 menjadi 11, dengan harapan satu digit.\n\n"
            "Penyelenggara (Kemenko Polkam) disimpulkan dari tujuan rapat yang diberitakan."
        ),
        decisions=(
            "Sinergi antara program pemerintah daerah dan pemerintah pusat harus diperkuat untuk "
            "mendukung target pertumbuhan ekonomi nasional 8% dan mewujudkan Asta Cita Presiden "
            "dan Wakil Presiden Republik Indonesia."
        ),
        source=cite("000_7409e4fdadb58a26"),
        is_illustrative=True,
        participants=[orgs["Kemenko Polkam"], orgs["Pemprov Sumsel"], orgs["Setda Banyuasin"]],
    )
    _agenda(
        meeting,
        [
            "Mendorong implementasi penguatan kapasitas pemerintah daerah",
            "Mengidentifikasi akar permasalahan dan merumuskan langkah bersama Kemenko Polkam, "
            "kementerian/lembaga dan pemerintah daerah (alternatif solusi/rekomendasi) untuk "
            "sasaran dan target prioritas nasional RKP 2025",
            "Masukan dan rekomendasi pemerintah daerah untuk persiapan revisi UU Nomor 23 Tahun "
            "2014 tentang Pemerintahan Daerah",
        ],
    )
    _attend(
        meeting,
        [
            (
                "Ir. Erwin Ibrahim, S.T., M.M., M.B.A., IPU., ASEAN Eng.",
                "Sekretaris Daerah Kabupaten Banyuasin",
                orgs["Setda Banyuasin"],
                "",
            )
        ],
    )
    keys = list(meeting.problems.values_list("key", flat=True))
    growth = [k for k in keys if "growth" in k or "pertumbuhan" in k]
    stunting = [k for k in keys if "stunting" in k]
    accepted = _accept(meeting, user, (growth + stunting)[:2] or keys[:2])
    core = services.add_problem(
        meeting,
        user,
        level=ProblemLevel.CORE,
        title="Kinerja daerah belum sepenuhnya menopang target prioritas nasional RKP 2025",
        is_illustrative=True,
    )
    for p in accepted:
        services.place_problem(
            p, user, level=ProblemLevel.PROBLEM, parent=core, expected_version=None
        )
        services.score_problem(p, user, expected_version=None, urgency=5, seriousness=4, growth=4)
    root = services.add_problem(
        meeting,
        user,
        level=ProblemLevel.ROOT,
        parent=accepted[0] if accepted else None,
        title="Program daerah dan program pusat belum disinkronkan pada sasaran yang sama (ILUSTRATIF)",
        is_illustrative=True,
    )
    rec = services.add_recommendation(
        meeting,
        user,
        problem=core,
        text="Perkuat sinergi program pemerintah daerah dengan pemerintah pusat untuk mendukung "
        "target pertumbuhan ekonomi nasional 8% dan Asta Cita",
        level=OrgLevel.CENTRAL,
        addressee=orgs["Kemenko Polkam"],
    )
    services.add_action(
        rec,
        user,
        title="Memetakan program K/L yang berlokasi di Banyuasin dan menyelaraskannya dengan RKPD 2026 (ILUSTRATIF)",
        owner=orgs["Bappeda Litbang"],
        due_date=dt.date(2025, 10, 31),
        status=ActionStatus.IN_PROGRESS,
        progress=D(40),
        weight=D(2),
        is_illustrative=True,
    )
    services.add_action(
        rec,
        user,
        title="Menyampaikan masukan daerah untuk revisi UU 23/2014 (ILUSTRATIF)",
        owner=orgs["Setda Banyuasin"],
        due_date=dt.date(2025, 9, 30),
        status=ActionStatus.NOT_STARTED,
        progress=D(0),
        weight=D(1),
        is_illustrative=True,
    )
    rec2 = services.add_recommendation(
        meeting,
        user,
        problem=root if accepted else None,
        text="Turunkan stunting ke satu digit melalui intervensi spesifik dan sensitif yang terpadu (ILUSTRATIF)",
        level=OrgLevel.REGENCY,
        addressee=None,
        is_illustrative=True,
    )
    services.add_action(
        rec2,
        user,
        title="Menetapkan desa lokus stunting 2026 dari data terbaru (ILUSTRATIF)",
        owner=orgs["Bappeda Litbang"],
        due_date=dt.date(2025, 12, 15),
        status=ActionStatus.IN_PROGRESS,
        progress=D(25),
        weight=D(1),
        is_illustrative=True,
    )
    return meeting


INNOVATIONS = [
    ("Disdagkop UKM", "Forum Komunikasi KUR bersama perbankan dan OJK", DocumentType.ROADMAP),
    ("Disnakertrans", "Job fair tanpa dana APBD (980 peluang kerja)", DocumentType.REPORT),
    (
        "DPMPTSP",
        "Loket perizinan terintegrasi dengan pelayanan kependudukan di OPI Mall",
        DocumentType.FS,
    ),
    ("Satpol PP", "Penegakan perda ketertiban umum (pelanggaran turun 35%)", DocumentType.REPORT),
    ("Disparpora", "Rintisan bangkitan pariwisata dan prestasi olahraga", DocumentType.DED),
]


def _monev(orgs: dict[str, Organisation], region: Region, user: Any) -> Meeting:
    opd = [
        orgs[s] for s in ("Disdagkop UKM", "Disnakertrans", "Disparpora", "DPMPTSP", "Satpol PP")
    ]
    meeting = services.create_meeting(
        user,
        region=region,
        kind=MeetingKind.MONEV,
        title="Rapat monev triwulan III program Banyuasin Prima",
        date=dt.date(2019, 10, 17),
        place="Ruang rapat Dinas Tenaga Kerja dan Transmigrasi Kabupaten Banyuasin",
        host=orgs["Bappeda Litbang"],
        year=2019,
        quarter=3,
        minutes=(
            "Kepala Bappeda Litbang Erwin Ibrahim, mewakili Bupati, mengapresiasi terobosan OPD "
            "penanggung jawab Banyuasin Prima: Forum Komunikasi KUR (Disdagkop UKM, didukung OJK), "
            "penurunan pelanggaran trantib 35% (Satpol PP), job fair dengan 980 peluang kerja "
            "(Disnakertrans), loket perizinan terintegrasi di OPI Mall (DPMPTSP), bangkitan "
            "pariwisata dan prestasi olahraga (Disparpora).\n\n"
            "Bupati H. Askolani (melalui pesan daring) meminta OPD terus berinovasi dan "
            "memperhatikan realisasi fisik dan keuangan."
        ),
        decisions="\n".join(
            [
                "Seluruh langkah inovasi dan terobosan OPD pendukung Banyuasin Prima dituangkan dalam "
                "dokumen pendukung: rencana induk, peta jalan, DED atau FS.",
                "Rencana yang tidak dapat diakomodasi APBD disampaikan kepada Bappeda Litbang untuk "
                "dimasukkan ke RKPD non-APBD dan dicarikan pembiayaan dengan skema non-APBD.",
                "Pendataan dikerjakan berbasis kecamatan sebagai pusat pelayanan dasar dan informasi "
                "Banyuasin Prima.",
                "OPD memperhatikan realisasi fisik dan keuangan: waktu efektif kegiatan 2019 tidak "
                "lebih dari 1,5 bulan lagi.",
            ]
        ),
        source=cite("001_0cd5460b614fe378"),
        is_illustrative=True,
        participants=[orgs["Bappeda Litbang"], *opd],
    )
    _agenda(
        meeting,
        ["Capaian triwulan III per OPD", "Dokumen pendukung inovasi", "Usulan RKPD non-APBD"],
    )
    _attend(
        meeting,
        [
            (
                "Erwin Ibrahim",
                "Kepala Bappeda Litbang (mewakili Bupati)",
                orgs["Bappeda Litbang"],
                "",
            ),
            ("Lukman", "Kepala Dinas Perdagangan, Koperasi dan UMKM", orgs["Disdagkop UKM"], ""),
            (
                "Noer Yosept Dzat",
                "Kepala Dinas Tenaga Kerja dan Transmigrasi",
                orgs["Disnakertrans"],
                "",
            ),
            (
                "Kepala Dinas Pariwisata dan Olahraga",
                "Kepala Dinas",
                orgs["Disparpora"],
                "Sirojudin",
            ),
            ("Ali Sadikin", "Kepala Dinas PTSP", orgs["DPMPTSP"], ""),
            ("H. Indra Hadi", "Kepala Satuan Polisi Pamong Praja", orgs["Satpol PP"], ""),
        ],
    )
    proposals = list(meeting.problems.filter(decision=Decision.PROPOSED).order_by("key"))
    accepted = [services.decide(p, Decision.ACCEPTED, user) for p in proposals[:2]]
    core = services.add_problem(
        meeting,
        user,
        level=ProblemLevel.CORE,
        title="Inovasi Banyuasin Prima belum terdokumentasi dan terukur capaiannya",
        description="Dari arahan Kepala Bappeda Litbang pada rapat.",
    )
    for p in accepted:
        services.place_problem(
            p, user, level=ProblemLevel.PROBLEM, parent=core, expected_version=None
        )
        services.score_problem(p, user, expected_version=None, urgency=4, seriousness=3, growth=3)
    docs = services.add_recommendation(
        meeting,
        user,
        problem=core,
        text="Tuangkan setiap inovasi OPD pendukung Banyuasin Prima dalam dokumen pendukung "
        "(rencana induk, peta jalan, DED atau FS)",
        level=OrgLevel.REGENCY,
    )
    statuses = [
        (ActionStatus.DONE, D(100)),
        (ActionStatus.DONE, D(100)),
        (ActionStatus.IN_PROGRESS, D(60)),
        (ActionStatus.IN_PROGRESS, D(30)),
        (ActionStatus.NOT_STARTED, D(0)),
    ]
    for (short, innovation, doc_type), (status, progress) in zip(
        INNOVATIONS, statuses, strict=True
    ):
        item = services.add_action(
            docs,
            user,
            title=f"Dokumen pendukung ({DocumentType(doc_type).label}): {innovation}",
            owner=orgs[short],
            due_date=dt.date(2019, 12, 31),
            status=status,
            progress=progress,
            weight=D(1),
            is_illustrative=True,
        )
        if status == ActionStatus.DONE:
            content = _pdf(f"Dokumen pendukung: {innovation}")
            services.add_attachment(
                meeting,
                user,
                doc_type=doc_type,
                title=f"{innovation} (ILUSTRATIF)",
                name="dokumen-pendukung.pdf",
                stream=io.BytesIO(content),
                size=len(content),
                action=item,
                is_illustrative=True,
            )
    non_apbd = services.add_recommendation(
        meeting,
        user,
        text="Sampaikan rencana yang tidak dapat dibiayai APBD kepada Bappeda Litbang untuk RKPD non-APBD",
        level=OrgLevel.REGENCY,
        addressee=orgs["Bappeda Litbang"],
    )
    for short, title, status, progress in [
        (
            "Disnakertrans",
            "Usulan non-APBD: job fair dua kali setahun mulai 2020",
            ActionStatus.DONE,
            D(100),
        ),
        (
            "Disnakertrans",
            "Usulan non-APBD: bimtek dan paket wirausaha dari Kemnaker",
            ActionStatus.IN_PROGRESS,
            D(50),
        ),
        (
            "DPMPTSP",
            "Usulan non-APBD: gerai perizinan kedua di pusat keramaian",
            ActionStatus.NOT_STARTED,
            D(0),
        ),
    ]:
        services.add_action(
            non_apbd,
            user,
            title=title,
            owner=orgs[short],
            due_date=dt.date(2019, 11, 30),
            status=status,
            progress=progress,
            weight=D(1),
            is_illustrative=True,
        )
    return meeting


def _sekber(orgs: dict[str, Organisation], user: Any) -> Meeting:
    province = Region.objects.get(code="16")
    meeting = services.create_meeting(
        user,
        region=province,
        kind=MeetingKind.JOINT_SECRETARIAT,
        title="Rapat Sekretariat Bersama: isu pembangunan manusia dan kebudayaan, khususnya penurunan kemiskinan",
        date=dt.date(2024, 8, 16),
        place="Kantor OJK Sumatera Selatan",
        host=orgs["Pemprov Sumsel"],
        year=2024,
        minutes=(
            "Dipimpin Pj Gubernur Sumatera Selatan Elen Setiadi. Selain ketepatan sasaran "
            "intervensi, keterpaduan program semua pemangku kepentingan harus mengacu pada satu "
            "sasaran yang sama. Pemprov Sumsel tidak bisa bekerja sendiri karena keterbatasan "
            "fiskal dan sumber daya."
        ),
        decisions="\n".join(
            [
                "Seluruh pihak terus melakukan konvergensi, integrasi dan peningkatan kualitas "
                "pelaksanaan program penanggulangan kemiskinan secara bersama-sama.",
                "Pemprov Sumsel bersama Bank Indonesia, OJK, BPS dan pemangku kepentingan lain "
                "bersinergi dalam program kesejahteraan, kemiskinan dan literasi keuangan.",
                "Sekretariat bersama berkedudukan di kantor OJK; rapat-rapat difasilitasi Bank "
                "Indonesia dan OJK.",
            ]
        ),
        source=SEKBER.text("id"),
        is_illustrative=True,
        participants=[
            orgs["Pemprov Sumsel"],
            orgs["BI Sumsel"],
            orgs["OJK Sumsel"],
            orgs["BPS Sumsel"],
        ],
    )
    _agenda(
        meeting,
        [
            "Penurunan kemiskinan: ketepatan sasaran dan keterpaduan program",
            "Akses dan literasi keuangan",
        ],
    )
    _attend(
        meeting,
        [
            (
                "Elen Setiadi",
                "Pj Gubernur Sumatera Selatan (pimpinan rapat)",
                orgs["Pemprov Sumsel"],
                "",
            )
        ],
    )
    core = services.add_problem(
        meeting,
        user,
        level=ProblemLevel.CORE,
        title="Program penanggulangan kemiskinan para pemangku kepentingan belum mengacu pada satu sasaran yang sama",
    )
    services.score_problem(core, user, expected_version=None, urgency=5, seriousness=5, growth=3)
    rec = services.add_recommendation(
        meeting,
        user,
        problem=core,
        text="Konvergensikan dan integrasikan program penanggulangan kemiskinan pada sasaran rumah tangga yang sama",
        level=OrgLevel.PROVINCE,
        addressee=orgs["Pemprov Sumsel"],
    )
    services.add_action(
        rec,
        user,
        title="Menyepakati satu daftar sasaran rumah tangga miskin untuk program semua pihak (ILUSTRATIF)",
        owner=orgs["Pemprov Sumsel"],
        due_date=dt.date(2024, 12, 31),
        status=ActionStatus.IN_PROGRESS,
        progress=D(50),
        weight=D(2),
        is_illustrative=True,
    )
    rec2 = services.add_recommendation(
        meeting,
        user,
        text="Perluas akses dan literasi keuangan bagi rumah tangga miskin",
        level=OrgLevel.VERTICAL,
        addressee=orgs["OJK Sumsel"],
    )
    services.add_action(
        rec2,
        user,
        title="Program literasi keuangan di desa sasaran (ILUSTRATIF)",
        owner=orgs["OJK Sumsel"],
        due_date=dt.date(2024, 11, 30),
        status=ActionStatus.NOT_STARTED,
        progress=D(0),
        weight=D(1),
        is_illustrative=True,
    )
    return meeting


def load(progress: Callable[[str], None] | None = None) -> str:
    """Load the three demo meetings; safe to run again (a meeting already there is left as it is)."""
    say = progress or (lambda _m: None)
    region = Region.objects.get(code="16.07")
    user = User.objects.filter(username="bappeda.demo").first()
    made = []
    with transaction.atomic():
        orgs = _organisations()
        for kind, date, build in [
            (MeetingKind.RKP_COORDINATION, dt.date(2025, 7, 31), lambda: _rkp(orgs, region, user)),
            (MeetingKind.MONEV, dt.date(2019, 10, 17), lambda: _monev(orgs, region, user)),
            (MeetingKind.JOINT_SECRETARIAT, dt.date(2024, 8, 16), lambda: _sekber(orgs, user)),
        ]:
            if Meeting.objects.filter(kind=kind, date=date, is_illustrative=True).exists():
                continue
            say(str(kind.label))
            made.append(build())
    total = Meeting.objects.filter(is_illustrative=True).count()
    return f"{len(made)} new meetings ({total} demo meetings), {len(ORGANISATIONS)} organisations"
