"""The meeting pages as each role sees them, the forms, and the downloads."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal as D

import pytest
from django.urls import reverse

from sinergi.web.audit.models import AuditEntry
from sinergi.web.meetings.models import ActionItem, Meeting

pytestmark = pytest.mark.django_db


def login(client, user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user)


def test_public_is_sent_to_login_and_kecamatan_refused(client, meeting, users) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("meeting-detail", args=[meeting.pk]))
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
    login(client, users.kecamatan)
    assert client.get(reverse("meeting-list")).status_code == 403
    login(client, users.outsider)
    assert client.get(reverse("meeting-detail", args=[meeting.pk])).status_code == 403


def test_detail_as_bappeda_shows_forms_and_progress(client, meeting, users) -> None:  # type: ignore[no-untyped-def]
    login(client, users.bappeda)
    page = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert "Rekomendasi dan aksi tindak lanjut" in page
    assert "Tambah rekomendasi" in page and "Catat keputusan" not in page  # no proposal here
    assert 'value="62.50"' in page  # the first recommendation's rolled-up progress
    assert "Kemajuan tindak lanjut per penanggung jawab" in page
    assert "(terlambat)" in page  # open items due before today
    assert "Perbarui" in page


def test_detail_as_opd_user_updates_only_its_own(client, meeting, users) -> None:  # type: ignore[no-untyped-def]
    login(client, users.naker)
    page = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert "Tambah rekomendasi" not in page
    own = ActionItem.objects.get(title="Lelang dini")
    other = ActionItem.objects.get(title="Laporan serapan")
    assert reverse("meeting-action", args=[own.pk]) in page
    assert reverse("meeting-action", args=[other.pk]) not in page
    assert client.get(reverse("meeting-action", args=[other.pk])).status_code == 403
    response = client.post(
        reverse("meeting-action", args=[own.pk]),
        {"status": "in_progress", "progress": "70", "notes": "dua paket", "version": own.version},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.progress, own.notes, own.title, own.version) == (
        D(70),
        "dua paket",
        "Lelang dini",
        2,
    )
    assert AuditEntry.objects.filter(object_id=str(own.pk), action="update").exists()


def test_a_stale_form_is_refused_with_a_message(client, meeting, users) -> None:  # type: ignore[no-untyped-def]
    login(client, users.bappeda)
    item = ActionItem.objects.get(title="Lelang dini")
    data = {
        "title": item.title,
        "owner": item.owner_id,
        "status": "in_progress",
        "progress": "60",
        "weight": "3",
        "version": 1,
    }
    assert client.post(reverse("meeting-action", args=[item.pk]), data).status_code == 302
    data["progress"] = "10"
    page = client.post(
        reverse("meeting-action", args=[item.pk]), data, follow=True
    ).content.decode()
    assert "sudah diubah orang lain" in page
    item.refresh_from_db()
    assert item.progress == D(60)


def test_field_errors_are_in_indonesian(client, meeting, users) -> None:  # type: ignore[no-untyped-def]
    login(client, users.bappeda)
    item = ActionItem.objects.get(title="Lelang dini")
    page = client.post(
        reverse("meeting-action", args=[item.pk]),
        {
            "title": "",
            "owner": item.owner_id,
            "status": "in_progress",
            "progress": "120",
            "weight": "0",
            "version": 1,
        },
    ).content.decode()
    assert "Isi kemajuan dari 0 sampai 100." in page
    assert "Isi bobot positif" in page


def test_prepare_the_next_meeting_accept_add_root_cause_and_actions(
    client, seeded, meeting, users, orgs
) -> None:  # type: ignore[no-untyped-def]
    """The issue's walk-through: the next monev from the carried follow-ups, two computed
    problems accepted, a root cause, a recommendation with two actions, progress recorded."""
    login(client, users.bappeda)
    response = client.post(
        reverse("meeting-create"),
        {
            "kind": "monev",
            "title": "Rapat monev TW II 2024",
            "date": "2024-07-10",
            "participants": [orgs.naker.pk],
        },
        follow=True,
    )
    nxt = Meeting.objects.get(title="Rapat monev TW II 2024")
    page = response.content.decode()
    assert "2 tindak lanjut dibawa dari rapat sebelumnya" in page
    assert "tindak lanjut yang dibawa" in page
    proposals = list(nxt.problems.filter(decision="proposed"))
    assert len(proposals) >= 2
    for p in proposals[:2]:
        r = client.post(
            reverse("meeting-problem-decide", args=[p.pk]),
            {f"p{p.pk}-decision": "accepted", f"p{p.pk}-version": p.version},
        )
        assert r.status_code == 302
    accepted = proposals[0]
    client.post(
        reverse("meeting-problem-add", args=[nxt.pk]),
        {
            "problem-title": "Data triwulanan terlambat masuk",
            "problem-level": "root",
            "problem-parent": accepted.pk,
        },
    )
    root = nxt.problems.get(title="Data triwulanan terlambat masuk")
    assert root.parent_id == accepted.pk and root.level == "root"
    client.post(
        reverse("meeting-rec-add", args=[nxt.pk]),
        {"rec-text": "Percepat pengiriman data", "rec-problem": root.pk, "rec-level": "regency"},
    )
    rec = nxt.recommendations.get()
    for title, weight in (("Surat edaran", "1"), ("Pendampingan operator", "3")):
        client.post(
            reverse("meeting-action-add", args=[rec.pk]),
            {
                f"action{rec.pk}-title": title,
                f"action{rec.pk}-owner": orgs.naker.pk,
                f"action{rec.pk}-status": "not_started",
                f"action{rec.pk}-progress": "0",
                f"action{rec.pk}-weight": weight,
                f"action{rec.pk}-due_date": "2024-09-30",
            },
        )
    assert rec.actions.count() == 2
    item = rec.actions.get(title="Pendampingan operator")
    client.post(
        reverse("meeting-action", args=[item.pk]),
        {
            "title": item.title,
            "owner": orgs.naker.pk,
            "status": "in_progress",
            "progress": "50",
            "weight": "3",
            "version": item.version,
        },
    )
    page = client.get(reverse("meeting-detail", args=[nxt.pk])).content.decode()
    assert 'value="37.50"' in page  # (0 x 1 + 50 x 3) / 4
    docx = client.get(reverse("meeting-minutes", args=[nxt.pk, "docx"]))
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxml")
    pdf = client.get(reverse("meeting-minutes", args=[nxt.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")


def test_minutes_docx_and_pdf_carry_the_records(client, meeting, users, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    meeting.decisions = "Lelang dipercepat mulai April.\nLaporan serapan tiap bulan."
    meeting.save()
    login(client, users.viewer)
    content = client.get(reverse("meeting-minutes", args=[meeting.pk, "docx"])).content
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "1. Lelang dipercepat mulai April." in text
    assert "Serapan anggaran rendah" in text
    assert "Lelang dini" in cells and "Disnaker" in cells and "50 %" in cells and "100 %" in cells
    assert "Dibatalkan" in cells  # the dropped item is listed with its status
    assert "Kemajuan rekomendasi “Percepat lelang”: 63 %." in text  # 62,50 rounded half-up
    pdf = tmp_path / "notulen.pdf"
    pdf.write_bytes(client.get(reverse("meeting-minutes", args=[meeting.pk, "pdf"])).content)
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Notulen: Rapat monev TW I 2024" in out
    assert "Lelang dipercepat mulai April." in out
    assert "Matriks tindak lanjut" in out and "Lelang dini" in out


def test_matrix_download_and_import_pages(client, meeting, users) -> None:  # type: ignore[no-untyped-def]
    login(client, users.bappeda)
    response = client.get(reverse("meeting-matrix", args=[meeting.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(response.content)
    upload.name = "matriks.xlsx"
    page = client.post(
        reverse("meeting-matrix-import", args=[meeting.pk]), {"file": upload}, follow=True
    ).content.decode()
    assert "Matriks diimpor: 0 baris berubah, 4 tetap." in page
    bad = io.BytesIO(b"not a workbook")
    bad.name = "matriks.xlsx"
    page = client.post(
        reverse("meeting-matrix-import", args=[meeting.pk]), {"file": bad}, follow=True
    ).content.decode()
    assert "bukan buku kerja Excel" in page


def test_evidence_upload_is_checked(client, meeting, users, media) -> None:  # type: ignore[no-untyped-def]
    login(client, users.naker)
    own = ActionItem.objects.get(title="Lelang dini")
    fake = io.BytesIO(b"this is not a pdf")
    fake.name = "bukti.pdf"
    page = client.post(
        reverse("meeting-attachment-add", args=[meeting.pk]),
        {"action": own.pk, "file-title": "Bukti", "file-doc_type": "report", "file-file": fake},
        follow=True,
    ).content.decode()
    assert own.evidence.count() == 0
    assert "bukan berkas .pdf" in page or "rusak" in page
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.drawString(72, 720, "bukti")
    c.save()
    real = io.BytesIO(buffer.getvalue())
    real.name = "bukti.pdf"
    client.post(
        reverse("meeting-attachment-add", args=[meeting.pk]),
        {
            "action": own.pk,
            "file-title": "Bukti lelang",
            "file-doc_type": "report",
            "file-file": real,
        },
    )
    att = own.evidence.get()
    assert client.get(reverse("meeting-attachment", args=[att.pk])).status_code == 200


def test_nav_link_for_readers_only(client, users) -> None:  # type: ignore[no-untyped-def]
    login(client, users.viewer)
    assert 'href="/rapat/"' in client.get(reverse("region-browser")).content.decode()
    login(client, users.kecamatan)
    assert 'href="/rapat/"' not in client.get(reverse("region-browser")).content.decode()


def test_demo_loads_once(db, prima, seeded) -> None:  # type: ignore[no-untyped-def]
    from sinergi.web.meetings import demo

    assert demo.load().startswith("3 new meetings")
    assert demo.load().startswith("0 new meetings")
    rkp = Meeting.objects.get(date=dt.date(2025, 7, 31))
    assert rkp.source.startswith("“Sinergikan Program Pemkab Banyuasin")
    assert rkp.problems.filter(decision="accepted", origin="indicator").count() == 2
    monev = Meeting.objects.get(date=dt.date(2019, 10, 17))
    assert monev.recommendations.count() == 2
    assert ActionItem.objects.filter(recommendation__meeting=monev).count() == 8
    sekber = Meeting.objects.get(date=dt.date(2024, 8, 16))
    assert sekber.region_id == "16" and "OJK" in sekber.place


def test_cli_writes_the_minutes_of_a_meeting(meeting, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from sinergi.web.briefings.cli import briefing

    out = tmp_path / "notulen.docx"
    args = [
        "--region",
        "16.07",
        "--year",
        "2024",
        "--kind",
        "minutes",
        "--meeting",
        str(meeting.pk),
    ]
    result = CliRunner().invoke(briefing, [*args, "--format", "docx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    from docx import Document

    assert "Notulen: Rapat monev TW I 2024" in "\n".join(
        p.text for p in Document(str(out)).paragraphs
    )
    wrong = CliRunner().invoke(briefing, ["--region", "16.71", *args[2:], "--out", str(out)])
    assert wrong.exit_code != 0 and "no meeting" in wrong.output


def test_the_rakor_briefing_lists_the_agreed_problems_and_recommendations(
    meeting, banyuasin
) -> None:  # type: ignore[no-untyped-def]
    from sinergi.web.briefings import services as briefings

    doc = briefings.build(banyuasin, "rakor", 2024, language="id")
    text = doc.text()
    assert "Permasalahan dan rekomendasi yang disepakati dalam rapat" in text
    assert (
        "Serapan anggaran rendah (Rapat monev TW I 2024, 10 Maret 2024) — tindak lanjut 63 persen selesai"
        in text
    )
    assert "Minta dukungan pusat | Kemenko Uji | 0 %" in text


def test_the_briefing_page_offers_the_minutes(client, meeting, users) -> None:  # type: ignore[no-untyped-def]
    login(client, users.bappeda)
    url = reverse("briefing-page", args=["16.07"])
    page = client.get(
        url, {"jenis": "minutes", "tahun": "2024", "bahasa": "id", "format": "pdf"}
    ).content.decode()
    assert "Notulen rapat" in page
    assert "Notulen: Rapat monev TW I 2024" in page


def test_the_list_runs_a_fixed_number_of_queries(
    client, meeting, users, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for day in (1, 2, 3):
        from tests.web.meetings.conftest import make_meeting

        make_meeting(users.bappeda, kind="tkpk", date=dt.date(2024, 5, day))
    login(client, users.bappeda)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("meeting-list")).content.decode()
    assert page.count('class="meeting-link"') == 4


def test_weighted_criteria_from_the_page(client, meeting, users) -> None:  # type: ignore[no-untyped-def]
    login(client, users.bappeda)
    url = reverse("meeting-scoring", args=[meeting.pk])
    page = client.post(
        url,
        {"scoring-scoring": "weighted", "scoring-criteria": "Dampak = 60\nKelayakan = 30"},
        follow=True,
    ).content.decode()
    assert "Jumlah bobot kriteria harus 100 (sekarang 90" in page
    client.post(
        url, {"scoring-scoring": "weighted", "scoring-criteria": "Dampak = 60\nKelayakan = 40"}
    )
    meeting.refresh_from_db()
    assert meeting.scoring == "weighted" and meeting.criteria.count() == 2
    core = meeting.problems.get(level="core")
    c1, c2 = meeting.criteria.all()
    client.post(
        reverse("meeting-problem-score", args=[core.pk]),
        {
            f"usg{core.pk}-version": core.version,
            f"crit{core.pk}-{c1.pk}": "4",
            f"crit{core.pk}-{c2.pk}": "3",
        },
    )
    page = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()
    assert "skor 3,60" in page


def test_agenda_and_attendance_are_added_through_the_services(client, meeting, users) -> None:  # type: ignore[no-untyped-def]
    login(client, users.bappeda)
    before = meeting.agenda.count()
    client.post(
        reverse("meeting-agenda-add", args=[meeting.pk]),
        {"agenda-title": "Evaluasi serapan TW III", "agenda-notes": ""},
    )
    item = meeting.agenda.order_by("-order").first()
    assert meeting.agenda.count() == before + 1 and item.title == "Evaluasi serapan TW III"
    assert item.order == max(meeting.agenda.values_list("order", flat=True))
    assert AuditEntry.objects.filter(object_id=str(item.pk), action="create").exists()
    page = client.post(
        reverse("meeting-attendance-add", args=[meeting.pk]), {"att-name": ""}, follow=True
    ).content.decode()
    assert "Nama: Bidang ini harus diisi." in page
    assert meeting.attendance.count() == 0
    login(client, users.naker)
    response = client.post(
        reverse("meeting-agenda-add", args=[meeting.pk]), {"agenda-title": "Bukan urusannya"}
    )
    assert response.status_code == 403 and meeting.agenda.count() == before + 1
