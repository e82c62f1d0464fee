"""Import of realisation and budgets: every bad row reported, nothing written unless chosen, atomic."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from sinergi.web.programs import importer
from sinergi.web.programs.models import Budget, OutputRealisation, Realisation
from sinergi.web.programs.policy import MonevPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """Assertions read English messages, whatever catalogue ships for Bahasa Indonesia."""
    from django.utils import translation

    with translation.override("en"):
        yield


HEADER = (
    "activity_code,year,quarter,physical_pct,spent,output_code,output_value,problems,follow_up\n"
)


def rows(text):  # type: ignore[no-untyped-def]
    return importer.read_rows("upload.csv", text.encode("utf-8"))


def q4_count():  # type: ignore[no-untyped-def]
    return Realisation.objects.filter(quarter=4).count()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1250000", "1250000"),
        ("Rp 1.250.000", "1250000"),
        ("1,250,000", "1250000"),
        ("45,5", "45.5"),
        ("45.5", "45.5"),
        ("1.250.000,50", "1250000.50"),
        ("185.000", "185000"),
    ],
)
def test_parse_number_indonesian_and_english(text, expected):  # type: ignore[no-untyped-def]
    assert importer.parse_number(text, money=True) == D(expected)


def test_parse_number_refuses_words():
    with pytest.raises(ValueError):
        importer.parse_number("sembilan")


def test_every_bad_row_is_reported_and_nothing_is_written(prima, banyuasin, users):
    text = HEADER + (
        "2.07.04.2.03.0001,2019,4,95,90000000,job-info-editions,3,,\n"  # row 2: valid
        "9.99.99.2.01.0001,2019,4,50,1,,,,\n"  # row 3: unknown activity
        "2.07.04.2.03.0001,2019,5,50,1,,,,\n"  # row 4: bad quarter
        "2.07.03.2.01.0001,2019,4,120,abc,,,,\n"  # row 5: two bad columns
        "2.07.04.2.03.0001,2019,4,95,90000000,nope,3,,\n"  # row 6: unknown output
        "2.07.03.2.01.0001,2019,4,50,500000000,,,,\n"  # row 7: over budget (400 M)
        "2.07.04.2.01.0002,2019,1,15,0,,,,\n"  # row 8: approved (Q1) and changed -> locked
    )
    before = (q4_count(), Realisation.objects.count())
    with pytest.raises(importer.ImportFailed) as caught:
        importer.import_file("realisation", rows(text), region=banyuasin, user=users.bappeda)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {
        (3, "activity_code"),
        (4, "quarter"),
        (5, "physical_pct"),
        (5, "spent"),
        (6, "output_code"),
        (7, "spent"),
        (8, "quarter"),
    }
    reasons = {(e.row, e.column): e.reason for e in caught.value.errors}
    assert "exceeds" in reasons[(7, "spent")] and "locked" in reasons[(8, "quarter")]
    assert (q4_count(), Realisation.objects.count()) == before


def test_valid_only_imports_the_good_rows_and_reports_the_rest(prima, banyuasin, users):
    text = HEADER + (
        '2.07.04.2.03.0001,2019,4,95,"90.000.000",job-info-editions,3,hujan,lanjut\n'
        "2.07.03.2.01.0001,2019,4,abc,1,,,,\n"
    )
    report = importer.import_file(
        "realisation", rows(text), region=banyuasin, user=users.bappeda, valid_only=True
    )
    assert report.written and report.created == 1 and [e.row for e in report.errors] == [3]
    real = Realisation.objects.get(activity=prima.info, quarter=4)
    assert real.spent == D(90_000_000) and real.problems == "hujan"
    assert OutputRealisation.objects.get(realisation=real).value == D(3)


def test_an_operator_may_import_only_its_own_agency(prima, banyuasin, users):
    text = HEADER + "2.07.04.2.03.0001,2019,4,95,1,,,,\n3.26.02.2.01.0001,2019,4,60,1,,,,\n"
    policy = MonevPolicy.for_user(users.owner)
    with pytest.raises(importer.ImportFailed) as caught:
        importer.import_file(
            "realisation",
            rows(text),
            region=banyuasin,
            user=users.owner,
            can_write=policy.can_write_activity_data,
        )
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "activity_code")]
    assert q4_count() == 0


def test_a_failure_while_writing_rolls_everything_back(prima, banyuasin, users):
    text = HEADER + "2.07.04.2.03.0001,2019,4,95,1,,,,\n2.07.03.2.01.0001,2019,4,60,1,,,,\n"

    def stop_after_first(done: int, total: int) -> None:
        if done == 1:
            raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError):
        importer.import_file(
            "realisation",
            rows(text),
            region=banyuasin,
            user=users.bappeda,
            progress=stop_after_first,
        )
    assert q4_count() == 0


def test_duplicate_rows_and_missing_columns(prima, banyuasin, users):
    text = HEADER + "2.07.04.2.03.0001,2019,4,95,1,,,,\n2.07.04.2.03.0001,2019,4,96,1,,,,\n"
    with pytest.raises(importer.ImportFailed) as caught:
        importer.import_file("realisation", rows(text), region=banyuasin)
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "quarter")]
    with pytest.raises(importer.ImportFailed) as caught:
        importer.import_file("realisation", rows("activity_code,year\nx,2019\n"), region=banyuasin)
    assert {e.column for e in caught.value.errors} == {"quarter", "physical_pct", "spent"}


def test_budget_import_with_indonesian_headers_is_idempotent(prima, banyuasin, users):
    text = (
        "kode_kegiatan,tahun,sumber_dana,pagu,keterangan\n"
        '2.07.04.2.01.0002,2019,csr,"Rp 30.000.000",sponsor\n'
        "2.07.04.2.01.0002,2019,apbd,1,\n"
    )
    with pytest.raises(importer.ImportFailed) as caught:
        importer.import_file("budget", rows(text), region=banyuasin, user=users.bappeda)
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "source")]
    good = text.rsplit("\n", 2)[0] + "\n"
    first = importer.import_file("budget", rows(good), region=banyuasin, user=users.bappeda)
    again = importer.import_file("budget", rows(good), region=banyuasin, user=users.bappeda)
    assert (first.updated, again.unchanged) == (1, 1)
    assert Budget.objects.get(activity=prima.job_fair, source="csr").amount == D(30_000_000)


def test_the_xlsx_template_round_trips(prima, banyuasin, users):
    content = importer.template_xlsx(
        "realisation", importer.template_rows("realisation", banyuasin, 2019, 4)
    )
    book = load_workbook(io.BytesIO(content))
    sheet = book["data"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["activity_code", "year", "quarter", "physical_pct", "spent"]
    codes = {sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)}
    assert prima.info.code in codes and len(codes) == 10
    for r in range(3, sheet.max_row + 1):  # fill in the Bappeda activity only; leave the rest
        if sheet.cell(row=r, column=1).value == "5.01.02.2.04.0001":
            sheet.cell(row=r, column=4, value=100)
            sheet.cell(row=r, column=5, value=118_000_000)
            sheet.cell(row=r, column=7, value=1)
    buffer = io.BytesIO()
    book.save(buffer)
    report = importer.import_file(
        "realisation",
        importer.read_rows("t.xlsx", buffer.getvalue()),
        region=banyuasin,
        user=users.bappeda,
    )
    # The label row and the rows left unfilled are skipped, not reported as errors.
    assert report.created == 1 and report.rows == 1 and not report.errors and q4_count() == 1


def test_the_template_speaks_indonesian_with_labels_validation_and_instructions(prima, banyuasin):
    from django.utils import translation

    with translation.override("id"):
        content = importer.template_xlsx(
            "realisation", importer.template_rows("realisation", banyuasin, 2019, 4)
        )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[0] == "data" and "Petunjuk" in book.sheetnames
    sheet = book["data"]
    labels = [c.value for c in sheet[2]]
    assert labels[3] == "Realisasi fisik s.d. saat ini (%) (0-100, mis. 45,5)"
    assert labels[4].startswith("Realisasi keuangan s.d. saat ini (Rp)")
    rules = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert (rules["C3"].type, rules["C3"].formula1, rules["C3"].formula2) == ("whole", "1", "4")
    assert (rules["D3"].type, rules["D3"].formula1, rules["D3"].formula2) == ("decimal", "0", "100")
    assert rules["E3"].operator == "greaterThanOrEqual"
    assert rules["F3"].type == "list" and rules["F3"].formula1.startswith("kode!")
    assert rules["D3"].error.startswith("Realisasi fisik")
    notes = "\n".join(str(c.value) for row in book["Petunjuk"].iter_rows() for c in row if c.value)
    assert "Cara mengisi templat ini" in notes and "paling besar 5 MB" in notes
    assert "Unggah" in notes and "Upload" not in notes  # an Indonesian sheet, not a docstring
    csv_template = importer.template_csv("budget", [])
    assert csv_template.decode("utf-8-sig").splitlines()[0].startswith("activity_code,year,source")


def test_a_header_mismatch_stops_the_import_even_for_valid_rows_only(prima, banyuasin, users):
    budget_file = "activity_code,year,source,amount\n2.07.04.2.03.0001,2019,csr,1\n"
    with pytest.raises(importer.FileRefused) as caught:
        importer.import_file(
            "realisation", rows(budget_file), region=banyuasin, user=users.bappeda, valid_only=True
        )
    assert {e.column for e in caught.value.errors} == {"quarter", "physical_pct", "spent"}
    assert q4_count() == 0


def test_unreadable_and_oversized_files_are_refused_plainly(settings):
    from django.utils import translation

    with translation.override("id"), pytest.raises(importer.FileRefused) as caught:
        importer.read_upload("laporan.xlsx", b"this is no workbook")
    reason = caught.value.errors[0].reason
    assert "Excel" in reason and "zip" not in reason
    with pytest.raises(importer.FileRefused, match="xls"):
        importer.read_upload("laporan.xls", b"x")
    settings.SINERGI_IMPORT_MAX_BYTES = 1024 * 1024
    with translation.override("id"), pytest.raises(importer.FileRefused) as caught:
        importer.read_upload("r.csv", b"a" * (5 * 1024 * 1024 // 2))
    assert caught.value.errors[0].reason == "Berkas berukuran 2,5 MB; batasnya 1 MB."
