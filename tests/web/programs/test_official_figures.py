"""Official monev figures: one rounding on the page, the PDF and the XLSX; drafts counted
nowhere and seen only by their agency and the reviewers; a period without a plan."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from sinergi.web.core.formatting import number, rounded
from sinergi.web.programs import reports, services
from sinergi.web.programs.models import Realisation
from sinergi.web.programs.policy import MonevPolicy

pytestmark = pytest.mark.django_db
OVERVIEW = "/monev/16.07/2019/tw3/"
PORPROV = "2.19.03.2.03.0001"  # Disparpora; its Q3 realisation is a draft in the demo


def client_for(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def page_row(html: str, anchor: str) -> list[str]:
    """The numeric cells of the overview's by-agency row that links to ``anchor``."""
    row = re.search(rf'<tr><td><a href="#{anchor}">.*?</tr>', html, re.S)
    assert row, anchor
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r'<td class="num">(.*?)</td>', row.group(0))
    ]


def test_page_pdf_and_xlsx_show_the_same_rounded_figures(prima, banyuasin, users):
    client = client_for(users.bappeda)
    html = client.get(OVERVIEW).content.decode()
    pdf = pdf_text(client.get(OVERVIEW + "laporan.pdf").content)
    book = load_workbook(io.BytesIO(client.get(OVERVIEW + "laporan.xlsx").content))
    with translation.override("id"):
        report = services.monev_data(banyuasin, 2019, 3)
        summary = book[book.sheetnames[0]]
        for index, block in enumerate(report.blocks):
            t = block.totals
            expected = [
                number(t.financial_pct, 1),
                number(t.planned_financial_pct, 1),
                number(t.physical_pct, 1),
            ]
            # The page: the by-agency table (activities, budget, non-APBD, spent, fin, plan, phys).
            assert page_row(html, f"opd-{block.agency.pk}")[4:7] == expected, block.agency
            # The PDF: the agency's summary line carries the same three figures, in order.
            assert re.search(r"\s+".join(map(re.escape, expected)), pdf), (block.agency, expected)
            # The XLSX: the same figures stored rounded, shown with one decimal.
            cells = [summary.cell(row=6 + index, column=c) for c in (8, 9, 10)]
            assert [c.value for c in cells] == [
                float(rounded(v, 1) / 100)
                for v in (t.financial_pct, t.planned_financial_pct, t.physical_pct)
            ]
            assert {c.number_format for c in cells} == {"0.0%"}
        # The regency totals: the page's footer, the PDF's total line, the XLSX total row.
        t = report.totals
        expected = [
            number(t.financial_pct, 1),
            number(t.planned_financial_pct, 1),
            number(t.physical_pct, 1),
        ]
        foot = re.search(r"<tfoot>.*?</tfoot>", html, re.S).group(0)
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r'<th class="num">(.*?)</th>', foot)]
        assert cells[4:7] == expected
        total_line = next(line for line in pdf.splitlines() if line.strip().startswith("Jumlah"))
        assert re.search(r"\s+".join(map(re.escape, expected)), total_line), total_line
        total_row = 6 + len(report.blocks)
        assert summary.cell(row=total_row, column=1).value == "Jumlah"
        assert [summary.cell(row=total_row, column=c).value for c in (8, 9, 10)] == [
            float(rounded(v, 1) / 100)
            for v in (t.financial_pct, t.planned_financial_pct, t.physical_pct)
        ]
    # The case seen in the browser: Bappeda spent 80 of 120 million, 66.67 %: 66,7 everywhere.
    bappeda = next(b for b in report.blocks if b.agency.code == "bappeda-litbang")
    assert bappeda.totals.financial_pct.quantize(D("0.001")) == D("66.667")
    assert page_row(html, f"opd-{bappeda.agency.pk}")[4] == "66,7"
    assert "66,7" in pdf and "66,6" not in pdf


def test_drafts_count_in_no_total_and_the_reports_say_the_status(prima, banyuasin, users):
    report = services.monev_data(banyuasin, 2019, 3, agency_id=prima.agencies["disparpora"].pk)
    porprov = next(r for r in report.rows if r.activity.code == PORPROV)
    assert porprov.realisation is None and porprov.pending.status == "draft"
    assert porprov.physical is None and porprov.spent is None and porprov.status == "not_submitted"
    # Tourism 52 % of 2,000 M; the Porprov draft (83 %) is not counted: 0 % of 650 M.
    assert report.totals.physical_pct == D(52) * 2000 / 2650
    assert report.totals.spent == D(880_000_000)
    with translation.override("id"):
        pdf = pdf_text(reports.build_pdf(services.monev_data(banyuasin, 2019, 3)))
        book = load_workbook(
            io.BytesIO(reports.build_xlsx(services.monev_data(banyuasin, 2019, 3)))
        )
    assert "Status laporan" in pdf and "Belum dikirim" in pdf and "Diajukan ke" in pdf
    assert "83,0" not in pdf  # the draft's figure
    sheet = book["Disparpora"]
    header = [c.value for c in sheet[5]]
    status = header.index("Status laporan") + 1
    by_code = {sheet.cell(row=r, column=1).value: r for r in range(6, sheet.max_row + 1)}
    assert sheet.cell(row=by_code[PORPROV], column=status).value == "Belum dikirim"
    physical = header.index("Fisik %") + 1
    assert sheet.cell(row=by_code[PORPROV], column=physical).value is None
    # Once sent, it counts.
    services.transition(
        Realisation.objects.get(activity__code=PORPROV, quarter=3), "submit", users.other_opd
    )
    again = services.monev_data(banyuasin, 2019, 3, agency_id=prima.agencies["disparpora"].pk)
    assert again.totals.physical_pct == (D(52) * 2000 + D(83) * 650) / 2650


def test_a_draft_is_seen_by_its_agency_and_the_reviewers_only(prima, users):
    porprov = prima.activities[PORPROV]
    draft = Realisation.objects.get(activity=porprov, quarter=3)
    activity_url = f"/monev/kegiatan/{porprov.pk}/?tw=3"
    entry_url = f"/monev/kegiatan/{porprov.pk}/realisasi/tw3/"
    for user, sees in [
        (users.other_opd, True),  # the Disparpora operator: its own draft
        (users.bappeda, True),  # the reviewer
        (users.owner, False),  # the Disnakertrans operator: another agency
        (users.viewer, False),  # the executive
    ]:
        policy = MonevPolicy.for_user(user)
        assert policy.can_see_unsubmitted(porprov) is sees, user
        assert policy.can_see_realisation(draft) is sees, user
        visible = policy.visible_realisations(Realisation.objects.filter(activity=porprov))
        assert (draft in visible) is sees, user
        client = client_for(user)
        for url in (activity_url, entry_url, OVERVIEW):
            html = client.get(url).content.decode()
            assert bool(re.search(r'>83,0<|83,0%|value="83"', html)) is sees, (user, url)
        assert "Belum dikirim" in client.get(activity_url).content.decode()


def test_a_period_without_a_plan_is_a_helpful_404(prima, client, users):
    response = client.get("/monev/16.07/1900/tw1/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "tidak memiliki rencana kegiatan untuk Triwulan I 1900" in html
    assert 'href="/monev/16.07/2019/tw3/"' in html  # the latest monev
    assert "Rp 0" not in html and "0,0" not in html
    bappeda = client_for(users.bappeda)
    assert bappeda.get("/monev/16.07/1900/tw1/terlambat/").status_code == 404
    assert bappeda.get("/monev/16.07/1900/tw1/laporan.pdf").status_code == 404
    assert bappeda.get("/monev/16.07/2019/tw3/laporan.docx").status_code == 404
    flagship = client.get("/monev/16.07/unggulan/banyuasin-prima/?tahun=1900&tw=1")
    assert flagship.status_code == 404 and "Triwulan I 1900" in flagship.content.decode()


def test_periods_and_dates_read_as_people_write_them(prima, users):
    html = client_for(users.bappeda).get(OVERVIEW).content.decode()
    assert "Monev Triwulan III 2019" in html and "17 Oktober 2019" in html
    activity = (
        client_for(users.bappeda).get(f"/monev/kegiatan/{prima.bimtek.pk}/?tw=3").content.decode()
    )
    assert "Triwulan III 2019" in activity and "29 November 2019" in activity
    assert "2019-11-29" not in activity


def test_the_activity_table_is_cumulative_like_its_chart(prima, users):
    import json

    response = client_for(users.bappeda).get(f"/monev/kegiatan/{prima.info.pk}/?tw=3")
    quarters = response.context["quarters"]
    chart = json.loads(
        re.search(
            r'id="monev-activity-data"[^>]*>(.*?)</script>', response.content.decode(), re.S
        ).group(1)
    )
    # Job vacancy editions: 3 a quarter -> 3, 6, 9 to date, and the chart draws the same.
    assert [q["outputs"][0] for q in quarters] == [D(3), D(6), D(9), None]
    assert chart["outputs"][0]["values"] == [3.0, 6.0, 9.0, None]
    assert chart["physical"] == [
        float(q["physical"]) if q["physical"] is not None else None for q in quarters
    ]
    html = response.content.decode()
    assert "kumulatif" in html and "s.d. triwulan" in html


def test_output_projections_grow_only_what_can_grow(prima, banyuasin, users):
    report = services.monev_data(banyuasin, 2019, 3)
    outputs = {o.indicator.code: o for row in report.rows for o in row.outputs}
    assert outputs["job-fair-vacancies"].projection == D(980)  # a finished job fair
    assert outputs["job-fair-events"].projection == D(1)
    assert outputs["umkm-trained"].projection == D(113)  # not 113,3 orang
    assert outputs["destinations-developed"].projection == D(1)  # not 1,3 destinasi
    html = (
        client_for(users.bappeda).get(f"/monev/kegiatan/{prima.job_fair.pk}/?tw=3").content.decode()
    )
    assert "1.307" not in html and "980" in html


IMPORT = "/monev/16.07/impor/"


def upload(client, text, name="r.csv", kind="realisation"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(IMPORT, {"kind": kind, "file": SimpleUploadedFile(name, text.encode())})


def test_import_page_states_and_enforces_its_size_limit(prima, users, settings):
    client = client_for(users.owner)
    assert "paling besar 5 MB" in client.get(IMPORT).content.decode()
    settings.SINERGI_IMPORT_MAX_BYTES = 1024 * 1024
    big = "activity_code,year,quarter,physical_pct,spent\n" + "x" * (3 * 1024 * 1024 // 2)
    html = upload(client, big).content.decode()
    assert "Berkas berukuran 1,5 MB; batasnya 1 MB." in html
    assert not Realisation.objects.filter(quarter=4).exists()


def test_a_header_mismatch_offers_no_valid_rows_option(prima, users):
    client = client_for(users.owner)
    response = upload(client, "activity_code,year,source,amount\n2.07.04.2.03.0001,2019,csr,1\n")
    html = response.content.decode()
    assert "Berkas tidak dapat diimpor; tidak ada yang disimpan." in html
    assert "Triwulan" in html and "quarter" not in html.split("<main", 1)[-1].split("<form")[0]
    assert 'name="token"' not in html and "Impor hanya" not in html
    response = upload(client, "not a workbook", name="r.xlsx")
    html = response.content.decode()
    assert "zip" not in html and 'name="token"' not in html


def test_row_errors_name_the_column_in_words_and_valid_rows_can_follow(prima, users):
    client = client_for(users.owner)
    text = (
        "activity_code,year,quarter,physical_pct,spent\n"
        "2.07.04.2.03.0001,2019,4,95,90000000\n"
        "3.26.02.2.01.0001,2019,4,60,1\n"
    )
    response = upload(client, text)
    html = response.content.decode()
    assert "<td>Kode kegiatan</td>" in html and "activity_code" not in html.split("<main", 1)[-1]
    assert "Impor hanya 1 baris yang benar" in html
    done = client.post(IMPORT, {"token": response.context["token"]}).content.decode()
    assert "Baris 3, kolom Kode kegiatan: Anda tidak berwenang mengisi data" in done
    assert "row 3" not in done


def test_pages_also_read_in_english(prima, users):
    client = client_for(users.bappeda)
    client.cookies["django_language"] = "en"
    html = client.get(OVERVIEW).content.decode()
    assert "Monev Quarter III 2019" in html and "17 October 2019" in html


def test_an_operator_gets_a_template_of_its_own_activities(prima, users):
    response = client_for(users.owner).get(
        "/monev/16.07/impor/templat-realisation.xlsx?tahun=2019&tw=4"
    )
    sheet = load_workbook(io.BytesIO(response.content))["data"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert {r[0] for r in rows} == {
        "2.07.04.2.01.0002",
        "2.07.03.2.01.0001",
        "2.07.04.2.03.0001",
    }  # Disnakertrans only
    assert {r[2] for r in rows} == {4}
