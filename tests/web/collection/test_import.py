"""File import: validated whole, every bad cell reported, atomic; and the template."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sinergi.web.collection import importer
from sinergi.web.collection.models import Submission

HEADER = (
    "region_code,region_name,children_under5_measured:m,children_under5_measured:f,"
    "children_under5_stunted:m,children_under5_stunted:f,job_seekers_registered,"
    "kur_recipients_active"
)


@pytest.fixture
def kecamatan_user(make_user):  # type: ignore[no-untyped-def]
    """A kecamatan operator imports the row of its own kecamatan."""
    return make_user("op-import", role="kecamatan_operator", region="16.07.05")


def upload(client, period, text, name="data.csv", valid_only=False):  # type: ignore[no-untyped-def]
    url = reverse("collection-import", kwargs={"code": period.dataset.code, "period": period.code})
    body = text.encode() if isinstance(text, str) else text
    data = {"file": SimpleUploadedFile(name, body)}
    if valid_only:
        data["valid_only"] = "on"
    return client.post(url, data)


def test_valid_csv_is_saved_as_a_draft(client, period, kecamatan_user):
    client.force_login(kecamatan_user)
    response = upload(client, period, f"{HEADER}\n16.07.05,Betung,1300,1250,150,130,120,800\n")
    assert response.status_code == 200
    sub = Submission.objects.get(period=period, region_id="16.07.05")
    assert sub.status == "draft" and sub.values.count() == 6


def test_every_bad_cell_is_reported_and_nothing_is_written(client, period, kecamatan_user):
    client.force_login(kecamatan_user)
    rows = (
        f"{HEADER}\n"
        "16.07.05,Betung,1300,1250,9999,130,abc,800\n"  # stunted > measured; text
        "16.07.06,Rambutan,1,1,0,0,1,1\n"  # another kecamatan
        "99.99,Nowhere,1,1,0,0,1,1\n"
        "16.07.05,Betung again,1,1,0,0,1,-5\n"
    )  # duplicate region, below minimum
    response = upload(client, period, rows)
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["report"].errors}
    assert {
        (2, "job_seekers_registered"),
        (3, "region_code"),
        (4, "region_code"),
        (5, "region_code"),
        (5, "kur_recipients_active"),
    } <= errors
    assert not Submission.objects.filter(period=period).exists()


def test_hard_rule_failure_is_a_row_error_with_its_column(period, users):
    rows = [
        {
            "region_code": "16.07.05",
            "children_under5_measured:m": "10",
            "children_under5_measured:f": "10",
            "children_under5_stunted:m": "50",
            "children_under5_stunted:f": "1",
        }
    ]
    _valid, errors = importer.validate(period, users["operator"], rows)
    # The rule on the cell, and the derived stunting rate (51 of 20 = 255 %) it makes impossible.
    assert [(e.row, e.column) for e in errors] == [
        (2, "children_under5_stunted:m"),
        (2, "children_under5_stunted"),
    ]
    assert "255.0%" in errors[1].reason


def test_unknown_columns_are_reported_on_the_header_row(period, users):
    _valid, errors = importer.validate(
        period, users["operator"], [{"region_code": "16.07.05", "stunting": "1"}]
    )
    assert [(e.row, e.column) for e in errors] == [(1, "stunting")]


def test_valid_only_imports_the_good_rows(period, users):
    rows = [
        {"region_code": "16.07.05", "kur_recipients_active": "800"},
        {"region_code": "16.07.05", "kur_recipients_active": "x"},
    ]
    report = importer.import_rows(period, users["operator"], rows, valid_only=True)
    assert report.written and report.saved == 1 and report.bad_rows == 1


def test_rows_of_a_submitted_region_are_refused(period, users, make_submission):
    make_submission(period, status="submitted")
    report = importer.import_rows(
        period, users["operator"], [{"region_code": "16.07.05", "kur_recipients_active": "1"}]
    )
    assert not report.written and "cannot be changed" in report.errors[0].reason


def template_url(period, fmt="xlsx"):  # type: ignore[no-untyped-def]
    return reverse(
        "collection-download",
        kwargs={"code": period.dataset.code, "period": period.code, "kind": "template", "fmt": fmt},
    )


def test_xlsx_template_round_trips(client, period, users, make_submission):
    make_submission(period)
    client.force_login(users["operator"])
    book = load_workbook(io.BytesIO(client.get(template_url(period)).content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    # Row 1 in words (with the unit), row 2 the machine header, then the prefilled region.
    assert (
        rows[0][0] == "Region code" and rows[0][2] == "Children under five measured (Male) [anak]"
    )
    assert rows[1][0] == "region_code" and rows[2][0] == "16.07.05" and rows[2][-2] == 800
    assert rows[2][-1] == "Draft"  # the status in words, ignored on import
    sheet.cell(row=3, column=8, value=950)  # kur_recipients_active
    out = io.BytesIO()
    book.save(out)
    response = upload(client, period, out.getvalue(), name="filled.xlsx")
    assert response.status_code == 200
    sub = Submission.objects.get(period=period, region_id="16.07.05")
    assert sub.values.get(element__code="kur_recipients_active").value == 950


def test_xlsx_template_checks_cells_and_explains_itself(client, period, users):
    client.force_login(users["operator"])
    book = load_workbook(io.BytesIO(client.get(template_url(period)).content))
    sheet = book.worksheets[0]
    rules = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    measured = rules["C3"]  # children_under5_measured:m of Betung's row
    assert (measured.type, measured.operator) == ("whole", "between")
    assert (measured.formula1, measured.formula2) == ("0", "20000")
    assert measured.showErrorMessage and "0 – 20,000" in measured.error
    assert len(rules) == 6  # every value column, none on the code or name
    assert book.sheetnames[1] == "Instructions"
    text = [r for r in book.worksheets[1].iter_rows(values_only=True)]
    assert text[0][0] == "How to fill in this template"
    explained = {r[0]: r for r in text if r and r[0] and ":" in str(r[0])}
    assert explained["children_under5_stunted:f"][1:5] == (
        "Children under five stunted (Female)",
        "anak",
        "Whole number",
        "0 – 20,000",
    )


def test_a_row_error_names_the_spreadsheet_row_and_the_column_in_words(client, period, users):
    client.force_login(users["operator"])
    book = load_workbook(io.BytesIO(client.get(template_url(period)).content))
    sheet = book.worksheets[0]
    for column, value in zip(range(3, 9), [10, 10, 1, 1, "12,5", 5], strict=True):
        sheet.cell(row=3, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    response = upload(client, period, out.getvalue(), name="filled.xlsx")
    assert response.status_code == 400
    [error] = response.context["report"].errors
    assert (error.row, error.column) == (3, "job_seekers_registered")  # row 3 of the sheet
    assert error.reason == "“12,5” is not a whole number"
    html = response.content.decode()
    assert "Registered job seekers" in html


def test_csv_saved_by_indonesian_excel_with_semicolons_imports(client, period, kecamatan_user):
    client.force_login(kecamatan_user)
    text = HEADER.replace(",", ";") + "\n16.07.05;Betung;1.300;1.250;150;130;120;800\n"
    response = upload(client, period, text.encode("cp1252"))
    assert response.status_code == 200, response.context["report"].errors
    sub = Submission.objects.get(period=period, region_id="16.07.05")
    assert sub.values.get(element__code="children_under5_measured", category="m").value == 1300


def test_a_bad_header_imports_nothing_even_with_valid_rows_only(client, period, kecamatan_user):
    client.force_login(kecamatan_user)
    text = "kode,balita\n16.07.05,1300\n"
    response = upload(client, period, text, valid_only=True)
    report = response.context["report"]
    assert response.status_code == 400 and not report.written
    assert {e.column for e in report.errors} >= {"region_code", "balita"}
    assert not Submission.objects.filter(period=period).exists()


def test_a_corrupt_workbook_is_reported_not_crashed(client, period, users):
    client.force_login(users["operator"])
    response = upload(client, period, b"not a zip", name="bad.xlsx")
    html = response.content.decode()
    assert response.status_code == 200 and "cannot be read as an Excel workbook" in html
    assert "zip" not in html.lower()


def test_an_empty_file_is_reported(client, period, users):
    client.force_login(users["operator"])
    book = Workbook()
    out = io.BytesIO()
    book.save(out)
    response = upload(client, period, out.getvalue(), name="empty.xlsx")
    assert response.context["report"].errors[0].reason == "the file has no rows"
    _valid, errors = importer.validate(period, users["operator"], [])
    assert errors[0].reason == "the file has no rows"


def test_import_messages_are_indonesian_by_default(client, period, kecamatan_user):
    from django.conf import settings
    from django.utils import translation

    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.force_login(kecamatan_user)
    with translation.override("id"):
        rows = f"{HEADER}\n16.07.05,Betung,1300,1250,150,130,12.5,800\n"
        html = upload(client, period, rows).content.decode()
        assert "“12.5” bukan bilangan bulat" in html and "Pencari kerja terdaftar (AK/I)" in html
        assert "Baris" in html and "row 2" not in html
        html = upload(client, period, b"PK\x03\x04 broken", name="rusak.xlsx").content.decode()
        assert "tidak dapat dibaca sebagai buku kerja Excel" in html and "zip" not in html
