"""The quarterly monev report: XLSX and PDF contents from the same data, and the CLI."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.utils import translation
from openpyxl import load_workbook

from sinergi.web.programs import reports, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def q3(prima, banyuasin):  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield services.monev_data(banyuasin, 2019, 3)


def test_xlsx_has_a_summary_a_sheet_per_agency_and_the_warnings(q3):
    with translation.override("en"):
        book = load_workbook(io.BytesIO(reports.build_xlsx(q3)))
    assert book.sheetnames == [
        "Summary",
        "Bappeda Litbang",
        "Disparpora",
        "DPMPTSP",
        "Disdagkop UKM",
        "Disnakertrans",
        "Satpol PP",
        "Funding sources",
        "Warnings",
    ]
    summary = book["Summary"]
    assert "ILLUSTRATIVE" in summary["A3"].value
    assert [c.value for c in summary[5]][:4] == [
        "Agency (OPD)",
        "Head",
        "Activities",
        "Budget APBD/APBN",
    ]
    assert summary.freeze_panes == "C6"
    total = [c.value for c in summary[12]]
    assert total[0] == "Total" and total[2] == 10 and total[3] == 5_050_000_000 and total[10] == 6
    assert (
        summary["D6"].number_format == reports.RUPIAH
        and summary["H6"].number_format == reports.PERCENT
    )
    # Per agency: the Disnakertrans sheet lists its three activities, the job fair's 980 vacancies,
    # and a total row.
    sheet = book["Disnakertrans"]
    assert sheet["A1"].value.startswith("Dinas Tenaga Kerja dan Transmigrasi")
    codes = [sheet.cell(row=r, column=1).value for r in range(6, 9)]
    assert sorted(codes) == ["2.07.03.2.01.0001", "2.07.04.2.01.0002", "2.07.04.2.03.0001"]
    outputs = " ".join(str(sheet.cell(row=r, column=12).value) for r in range(6, 9))
    assert "980 / 1,000" in outputs
    assert (
        sheet.cell(row=9, column=2).value == "Total"
        and sheet.cell(row=9, column=4).value == 495_000_000
    )
    assert sheet.column_dimensions["B"].width == 42
    warnings = book["Warnings"]
    rows = [[c.value for c in r] for r in warnings.iter_rows(min_row=6)]
    assert len(rows) == sum(len(r.warnings) for r in q3.late) == 14
    assert any("43 days left until 29 November 2019" in r[5] for r in rows)


def test_pdf_is_landscape_a4_with_totals_and_warnings(q3):
    with translation.override("en"):
        content = reports.build_pdf(q3)
    assert content.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    info = subprocess.run(
        ["pdfinfo", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert "841.89 x 595.276" in info  # A4 landscape, in points
    assert "Monev report, Quarter III 2019: Kabupaten Banyuasin" in text
    assert "5,050,000,000" in text and "Deadline near with work left" in text
    assert "Noer Yosept Dzat" in text and "ILLUSTRATIVE DATA" in text


def test_report_for_a_flagship_only(prima, banyuasin):
    report = services.monev_data(banyuasin, 2019, 3, flagship=prima.flagship)
    _content, content_type, name = reports.build(report, "xlsx")
    assert name == "monev-banyuasin-prima-2019-Q3.xlsx" and content_type.endswith("sheet")
    with pytest.raises(ValueError):
        reports.build(report, "docx")


def test_cli_writes_both_formats(prima, tmp_path):
    from click.testing import CliRunner

    from sinergi.cli import main

    runner = CliRunner()
    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"monev.{fmt}"
        result = runner.invoke(
            main,
            [
                "report",
                "monev",
                "--region",
                "16.07",
                "--year",
                "2019",
                "--quarter",
                "3",
                "--format",
                fmt,
                "--out",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "10 activities of 6 agencies, 6 with warnings" in result.output
        assert out.stat().st_size > 5000
    bad = runner.invoke(
        main, ["report", "monev", "--region", "99", "--year", "2019", "--quarter", "3"]
    )
    assert bad.exit_code != 0 and "unknown region" in bad.output


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    first = reports.sheet_name("Dinas [Pariwisata]: Pemuda/Olahraga dan Kebudayaan", taken)
    second = reports.sheet_name("Dinas [Pariwisata]: Pemuda/Olahraga dan Kebudayaan", taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not set("[]:*?/\\") & set(first + second)
