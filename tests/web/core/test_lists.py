"""The shared set-up list framework (core/lists.py), exercised through the agency sheet:
export and import back, field errors naming row and column, all-or-nothing, versions,
scope, the file type, headers in either language, and the list page itself."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sinergi.web.accounts.models import Agency
from sinergi.web.accounts.policy import Policy
from sinergi.web.accounts.tables import AgencySheet
from sinergi.web.audit.models import Action, AuditEntry
from sinergi.web.audit.services import history
from sinergi.web.core.lists import Column, display, export_rows, import_sheet


@pytest.fixture
def bappeda(make_user):  # type: ignore[no-untyped-def]
    return make_user("bappeda", role="bappeda_admin", region="16.07")


@pytest.fixture
def rows(db):  # type: ignore[no-untyped-def]
    made = [
        Agency.objects.create(
            region_id="16.07",
            code=f"opd{n:02d}",
            name=f"Dinas Nomor {n:02d}",
            head_name="Kepala" if n % 2 else "",
        )
        for n in range(1, 31)
    ]
    Agency.objects.create(region_id="16.01", code="luar", name="Dinas OKU")
    return made


def sheet_for(user):  # type: ignore[no-untyped-def]
    return AgencySheet(user, Policy.for_user(user))


def upload(book: Workbook, name: str = "opd.xlsx") -> io.BytesIO:
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = name
    out.size = len(out.getvalue())
    return out


def exported(user):  # type: ignore[no-untyped-def]
    sheet = sheet_for(user)
    return load_workbook(io.BytesIO(export_rows(sheet, sheet.queryset())))


def header(ws) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.value for c in ws[1]]


def cell(ws, row: int, label: str):  # type: ignore[no-untyped-def]
    return ws.cell(row=row, column=header(ws).index(label) + 1)


def test_export_then_import_changes_nothing(bappeda, rows):
    entries = AuditEntry.objects.count()
    result = import_sheet(sheet_for(bappeda), upload(exported(bappeda)))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 30)
    assert AuditEntry.objects.count() == entries
    assert set(Agency.objects.values_list("version", flat=True)) == {1}


def test_export_has_id_version_and_only_the_users_rows(bappeda, rows):
    ws = exported(bappeda).active
    assert header(ws)[:2] == ["ID", "Version"]
    assert ws.max_row == 31  # the header and 30 agencies of 16.07, not the one of 16.01
    assert "luar" not in [c.value for c in ws["D"]]


def test_one_changed_cell_is_one_audited_update(bappeda, rows):
    book = exported(bappeda)
    ws = book.active
    target = Agency.objects.get(pk=ws.cell(row=5, column=1).value)
    cell(ws, 5, "Head").value = "Ir. Hendra Wijaya"
    result = import_sheet(sheet_for(bappeda), upload(book))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 29)
    target.refresh_from_db()
    assert target.head_name == "Ir. Hendra Wijaya" and target.version == 2
    entry = history(target).get()
    assert entry.action == Action.UPDATE and entry.actor == bappeda
    assert entry.after["head_name"] == "Ir. Hendra Wijaya"


def test_a_row_without_id_is_created(bappeda, rows):
    book = exported(bappeda)
    ws = book.active
    ws.append([None, None, "16.07", "bpbd", "Badan Penanggulangan Bencana Daerah", "BPBD"])
    result = import_sheet(sheet_for(bappeda), upload(book))
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 0)
    made = Agency.objects.get(region_id="16.07", code="bpbd")
    assert made.short_name == "BPBD" and history(made).get().action == Action.CREATE


@pytest.mark.parametrize(
    ("label", "value", "reason"),
    [
        ("Name", "", "required"),
        ("Code", "bukan kode!", "slug"),
        ("Region code", "99.99", "unknown region"),
    ],
)
def test_a_bad_cell_names_row_column_reason_and_writes_nothing(bappeda, rows, label, value, reason):
    book = exported(bappeda)
    ws = book.active
    cell(ws, 3, "Head").value = "Changed before the bad row"  # a good change, earlier row
    cell(ws, 7, label).value = value
    result = import_sheet(sheet_for(bappeda), upload(book))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(7, label)]
    assert reason in result.errors[0].message.lower()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert not AuditEntry.objects.exists()
    assert not Agency.objects.filter(head_name="Changed before the bad row").exists()


def test_an_error_met_while_saving_rolls_back_the_rows_already_saved(bappeda, rows):
    """A duplicate code is found only by the service (a query): rows saved before it are
    undone too."""
    book = exported(bappeda)
    ws = book.active
    cell(ws, 2, "Head").value = "Saved first"
    ws.append([None, None, "16.07", "opd01", "A second OPD 01"])  # clashes with row 2's code
    result = import_sheet(sheet_for(bappeda), upload(book))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(32, "Code")]
    assert "already used" in result.errors[0].message
    assert not Agency.objects.filter(head_name="Saved first").exists()
    assert not AuditEntry.objects.exists()


def test_an_unknown_choice_names_the_choices():
    column = Column("kind", "Kind", kind="choice", choices=[("a", "Alpha"), ("b", "Beta")])
    assert column.from_cell("beta") == "b" and column.from_cell("a") == "a"
    with pytest.raises(ValueError, match="Alpha, Beta"):
        column.from_cell("Gamma")


def test_a_bad_number_is_refused_and_indonesian_numbers_read():
    column = Column("amount", "Amount", kind="decimal")
    assert str(column.from_cell("Rp 1.250.000")) == "1250000"
    assert str(column.from_cell("45,5")) == "45.5"
    with pytest.raises(ValueError, match="number"):
        column.from_cell("banyak")
    with pytest.raises(ValueError, match="whole"):
        Column("n", "N", kind="int").from_cell("2,5")


def test_a_stale_version_is_an_error(bappeda, rows):
    book = exported(bappeda)
    ws = book.active
    first = Agency.objects.get(pk=ws.cell(row=2, column=1).value)
    from sinergi.web.accounts.agencies import update_agency

    update_agency(first, None, expected_version=1, head_name="Changed meanwhile")
    cell(ws, 2, "Name").value = "Renamed in the file"
    result = import_sheet(sheet_for(bappeda), upload(book))
    assert [(e.row, e.column) for e in result.errors] == [(2, "Version")]
    assert "version 1 in the file, 2 now" in result.errors[0].message
    first.refresh_from_db()
    assert first.name != "Renamed in the file"


def test_a_row_outside_the_users_scope_is_an_error(bappeda, rows):
    outside = Agency.objects.get(region_id="16.01")
    book = exported(bappeda)
    ws = book.active
    ws.append([outside.pk, outside.version, "16.01", "luar", "Taken over"])
    ws.append([None, None, "16.01", "baru", "A new OPD of another regency"])
    result = import_sheet(sheet_for(bappeda), upload(book))
    assert [(e.row, e.column) for e in result.errors] == [(32, "ID"), (33, "")]
    assert "no such row" in result.errors[0].message.lower()
    assert "may not" in result.errors[1].message.lower()
    assert not Agency.objects.filter(code="baru").exists()
    outside.refresh_from_db()
    assert outside.name == "Dinas OKU"


def test_a_file_that_is_not_xlsx_is_a_clear_error(bappeda, rows):
    fake = io.BytesIO(b"code,name\nx,y\n")
    fake.name = "opd.csv"
    fake.size = 14
    result = import_sheet(sheet_for(bappeda), fake)
    assert not result.ok and "not an excel" in result.errors[0].message.lower()


def test_a_missing_required_column_is_named(bappeda, rows):
    book = Workbook()
    book.active.append(["ID", "Version", "Region code", "Code"])
    book.active.append([None, None, "16.07", "x"])
    result = import_sheet(sheet_for(bappeda), upload(book))
    assert [(e.row, e.column) for e in result.errors] == [(1, "Name")]


def test_headers_in_either_language_are_accepted(bappeda, rows):
    from django.utils import translation

    with translation.override("id"):
        book = exported(bappeda)
        indonesian = header(book.active)
    assert indonesian[1] != "Version"  # really the Indonesian labels
    result = import_sheet(sheet_for(bappeda), upload(book))  # read while English is active
    assert result.ok, result.errors
    assert result.unchanged == 30
    english = Workbook()
    english.active.append(["ID", "Version", "Region code", "Code", "Name"])
    english.active.append([None, None, "16.07", "satpolpp", "Satuan Polisi Pamong Praja"])
    with translation.override("id"):
        result = import_sheet(sheet_for(bappeda), upload(english))
    assert result.ok, result.errors
    assert result.created == 1


def test_import_page_lists_errors_and_saves_on_success(client, bappeda, rows):
    client.force_login(bappeda)
    url = reverse("accounts-agency-import")
    book = exported(bappeda)
    cell(book.active, 4, "Name").value = ""
    response = client.post(url, {"file": upload(book)})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="import-errors"' in page and "<td>4</td><td>Name</td>" in page
    cell(book.active, 4, "Name").value = "Dinas Baru"
    response = client.post(url, {"file": upload(book)})
    assert response.status_code == 302
    assert Agency.objects.filter(name="Dinas Baru").count() == 1


def test_list_page_paginates_sorts_and_searches(client, bappeda, rows):
    client.force_login(bappeda)
    url = reverse("accounts-agencies")
    first = client.get(url).content.decode()
    assert "Dinas Nomor 01" in first and "Dinas Nomor 25" in first
    assert "Dinas Nomor 26" not in first  # 25 a page
    assert 'rel="next"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Dinas Nomor 26" in second and "Dinas Nomor 01" not in second
    descending = client.get(url, {"sort": "-name"}).content.decode()
    assert descending.index("Dinas Nomor 30") < descending.index("Dinas Nomor 29")
    assert "Dinas Nomor 05" not in descending  # the first five are on page 2 now
    found = client.get(url, {"q": "nomor 1"}).content.decode()
    assert "Dinas Nomor 10" in found and "Dinas Nomor 19" in found
    assert "Dinas Nomor 20" not in found and "Dinas Nomor 02" not in found


def test_list_export_honours_the_filter(client, bappeda, rows):
    client.force_login(bappeda)
    page = client.get(reverse("accounts-agencies"), {"q": "opd2", "page": 1})
    assert "unduh=xlsx" in page.content.decode()
    response = client.get(reverse("accounts-agencies"), {"q": "opd2", "unduh": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    names = sorted(c.value for c in ws["E"][1:])
    assert names == [f"Dinas Nomor {n}" for n in range(20, 30)]


def test_list_query_count_does_not_grow_with_rows(
    client, bappeda, rows, django_assert_max_num_queries
):
    client.force_login(bappeda)
    with django_assert_max_num_queries(12):
        client.get(reverse("accounts-agencies"))


def test_display_formats_the_indonesian_way():
    from decimal import Decimal

    from django.utils import translation

    with translation.override("id"):
        assert display(Decimal("1250000")) == "1.250.000"
        assert display(Decimal("45.50")) == "45,5"
        assert display(None) == "–"


def test_a_title_with_characters_excel_refuses_still_exports(bappeda, rows):
    class Slashed(AgencySheet):
        title = "OPD / kepala: [daftar]?"

    sheet = Slashed(bappeda, Policy.for_user(bappeda))
    ws = load_workbook(io.BytesIO(export_rows(sheet, sheet.queryset()))).active
    assert ws.title == "OPD - kepala- -daftar--" and ws.max_row == 31


def test_stale_changes_lists_a_field_holding_a_list() -> None:
    """A JSON list field (e.g. an indicator's grades) is compared and shown, not hashed."""
    from types import SimpleNamespace

    from django import forms

    from sinergi.web.core.lists import stale_changes

    class GradesForm(forms.Form):
        grades = forms.JSONField(label="Grades")
        version = forms.IntegerField()

    form = GradesForm({"grades": '["A", "B"]', "version": "1"})
    assert form.is_valid()
    stored = SimpleNamespace(grades=["A", "C"], version=2)
    rows = stale_changes(form, stored)
    assert [r["label"] for r in rows] == ["Grades"]
    assert rows[0]["stored"] == "A, C" and rows[0]["typed"] == "A, B"
    assert stale_changes(form, SimpleNamespace(grades=["A", "B"], version=2)) == []
