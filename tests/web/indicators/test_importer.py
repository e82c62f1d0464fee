"""The figures importer: whole-file validation, row/column/reason errors, atomic writes."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from sinergi.web.demo.services import SEED_FIGURES, seed_rows
from sinergi.web.indicators.importer import (
    COLUMN_NAMES,
    ImportFailed,
    import_rows,
    read_rows,
    template_csv,
    template_xlsx,
)
from sinergi.web.indicators.models import IndicatorValue, Target

pytestmark = pytest.mark.django_db

HEADER = "kind,indicator,region_code,period,value,unit,note,source\n"


def rows(text: str) -> list[dict[str, str]]:
    return read_rows("upload.csv", (HEADER + text).encode())


def test_every_bad_row_is_reported_and_nothing_is_written():
    data = rows(
        "value,poverty_rate,16.07,2023,9.58,percent,,BPS\n"  # line 2: fine
        "value,poverty_rte,16.07,2023,9.58,percent,,BPS\n"  # line 3: unknown indicator
        "value,poverty_rate,16.99,2023,9.58,percent,,BPS\n"  # line 4: unknown region
        "value,poverty_rate,16.07,2023-Q5,9.58,percent,,BPS\n"  # line 5: bad period
        "value,poverty_rate,16.07,2024,nine,percent,,BPS\n"  # line 6: not a number
        "value,poverty_rate,16.07,2024,9.1,kg,,BPS\n"  # line 7: wrong unit
        "value,poverty_rate,16.07,,9.1,percent,,BPS\n"  # line 8: no period and no note
        "value,poverty_rate,16.07,2022,<9,percent,,BPS\n"  # line 9: comparator on a value
        "estimate,poverty_rate,16.07,2022,9,percent,,BPS\n"  # line 10: bad kind
    )
    with pytest.raises(ImportFailed) as failure:
        import_rows(data)
    found = {(e.row, e.column) for e in failure.value.errors}
    assert found == {
        (3, "indicator"),
        (4, "region_code"),
        (5, "period"),
        (6, "value"),
        (7, "unit"),
        (8, "note"),
        (9, "value"),
        (10, "kind"),
    }
    messages = {(e.row, e.column): e.reason for e in failure.value.errors}
    assert "poverty_rte" in messages[(3, "indicator")]
    assert "16.99" in messages[(4, "region_code")]
    with translation.override("en"):
        with pytest.raises(ImportFailed) as in_english:
            import_rows(data)
        assert str(in_english.value.errors[0]) == (
            "row 3, column indicator: 'poverty_rte' is not in the indicator catalogue"
        )
    # Indonesian by default, frame and reason alike.
    assert "baris 3, kolom indicator: 'poverty_rte' tidak ada di katalog indikator" in str(
        failure.value
    )
    assert "8 masalah; tidak ada yang diimpor" in str(failure.value)
    assert not IndicatorValue.objects.exists()


def test_valid_only_writes_the_good_rows_and_reports_the_rest():
    data = rows(
        "value,poverty_rate,16.07,2023,9.58,percent,,BPS\n"
        "value,poverty_rate,16.07,2024,oops,percent,,BPS\n"
    )
    report = import_rows(data, valid_only=True)
    assert report.created == 1 and [(e.row, e.column) for e in report.errors] == [(3, "value")]
    assert IndicatorValue.objects.get().value == Decimal("9.58")


def test_dry_run_validates_without_writing():
    report = import_rows(rows("value,poverty_rate,16.07,2023,9.58,percent,,BPS\n"), dry_run=True)
    assert report.rows == 1 and not report.written
    assert not IndicatorValue.objects.exists()


def test_missing_column_is_reported():
    data = read_rows(
        "x.csv", b"kind,indicator,region_code,period,value\nvalue,poverty_rate,16.07,2023,9\n"
    )
    with pytest.raises(ImportFailed) as failure:
        import_rows(data)
    assert [(e.row, e.column) for e in failure.value.errors] == [(2, "unit")]


def test_targets_with_comparator_change_and_plan_level():
    data = read_rows(
        "t.csv",
        (
            b"kind,indicator,region_code,period,value,unit,note,source,plan_level,baseline_year\n"
            b"target,stunting_prevalence,16.07,,<10,percent,single digit,Sekda,aspiration,\n"
            b"target,open_unemployment_rate,16.07,2022,-50,percent change,halve it,Disnaker,aspiration,2019\n"
            b"target,economic_growth,00,2029,8,percent,,RPJMN,,\n"
            b"target,open_unemployment_rate,16.07,2023,-50,percent change,,x,aspiration,\n"
            b"target,poverty_rate,16.07,2024-Q1,9,percent,,x,,\n"
        ),
    )
    with pytest.raises(ImportFailed) as failure:
        import_rows(data)
    assert {(e.row, e.column) for e in failure.value.errors} == {
        (5, "baseline_year"),
        (6, "period"),
    }
    import_rows(data[:3])
    stunting = Target.objects.get(indicator__code="stunting_prevalence")
    assert (stunting.comparator, stunting.year, stunting.plan_level) == ("lt", None, "aspiration")
    tpt = Target.objects.get(indicator__code="open_unemployment_rate")
    assert (tpt.kind, tpt.baseline_year) == ("change_pct", 2019)
    growth = Target.objects.get(indicator__code="economic_growth")
    assert growth.plan_level == "rpjmn"  # a national target defaults to the RPJMN


def test_xlsx_is_read_like_csv():
    book = Workbook()
    sheet = book.active
    sheet.append(["kind", "indicator", "region_code", "period", "value", "unit", "note", "source"])
    sheet.append(["value", "gini_ratio", "16.07", "2023", 0.265, "ratio", None, "BPS"])
    sheet.append(["value", "gini_ratio", "16.07", 2018, "0,340", "ratio", None, "BPS"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_rows(read_rows("g.xlsx", buffer.getvalue()))
    assert report.created == 2
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [
        Decimal("0.265"),
        Decimal("0.34"),
    ]


def test_the_seed_figures_import_cleanly_and_idempotently():
    first = import_rows(seed_rows())
    assert first.created == 30 and not first.errors
    again = import_rows(seed_rows())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 30)
    poverty = IndicatorValue.objects.filter(
        indicator__code="poverty_rate", region="16.07"
    ).chronological()
    assert [(v.period, v.value) for v in poverty] == [
        ("2022", Decimal("10")),
        ("2023", Decimal("9.58")),
        ("2024", Decimal("9.31")),
    ]
    assert all("Banyuasin" in v.source for v in poverty)
    stunting = IndicatorValue.objects.filter(indicator__code="stunting_prevalence").chronological()
    assert [v.value for v in stunting] == [20, 11]
    assert all(v.year is None and "tidak menyebut tahunnya" in v.note for v in stunting)


def test_the_shipped_sample_file_is_what_the_demo_imports():
    """`sinergi import src/sinergi/web/demo/data/seed_figures.csv` and the demo agree."""
    assert read_rows(SEED_FIGURES) == seed_rows()
    report = import_rows(read_rows(SEED_FIGURES), dry_run=True)
    assert report.rows == 30 and not report.errors
    import_rows(read_rows(SEED_FIGURES))
    # "Halve the number of unemployed" is a target on the count, not on the rate.
    tpt = Target.objects.get(indicator__code="unemployed_persons")
    assert (tpt.kind, tpt.baseline_year, tpt.plan_level) == ("change_pct", 2019, "aspiration")
    assert not Target.objects.filter(indicator__code="open_unemployment_rate").exists()
    # Sources are citations (title, outlet, place, date), never file names.
    sources = set(IndicatorValue.objects.values_list("source", flat=True))
    assert sources and not any(".txt" in s or "seed" in s.lower() for s in sources)
    assert any(s.endswith("Pangkalan Balai, 22 April 2024") for s in sources)


def test_a_file_that_is_not_xlsx_gets_a_plain_message():
    with pytest.raises(ImportFailed) as failure:
        read_rows("angka.xlsx", b"%PDF-1.4 not a workbook")
    assert str(failure.value.errors[0]).startswith("Berkas ini bukan buku kerja Excel (.xlsx)")
    assert "zip" not in str(failure.value)
    with translation.override("en"), pytest.raises(ImportFailed, match="not an Excel workbook"):
        read_rows("angka.xlsx", b"PK\x03\x04 broken")
    with pytest.raises(ImportFailed, match="bukan CSV UTF-8"):
        read_rows("angka.csv", "kind;nilai\n\xe9".encode("latin-1"))


def test_the_xlsx_template_explains_itself_and_imports_when_filled():
    book = load_workbook(io.BytesIO(template_xlsx()))
    assert book.sheetnames == ["Data", "Petunjuk", "Indikator"]
    data = book["Data"]
    header = [c.value for c in data[1]]
    assert header[:3] == [
        "Jenis (kind)",
        "Kode indikator (indicator)",
        "Kode wilayah (region_code)",
    ]
    assert len(header) == len(COLUMN_NAMES)
    assert data["A1"].comment is not None and "wajib" in data["A1"].comment.text
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in data.data_validations.dataValidation}
    assert set(lists) == {"A2", "B2", "F2", "J2", "L2"}  # kind, indicator, unit, status, plan
    notes = "\n".join(str(c.value) for row in book["Petunjuk"].iter_rows() for c in row if c.value)
    assert "Impor nilai dan target indikator" in notes and "wajib" in notes
    assert "Kode wilayah (region_code)" in notes and "poverty_rate" in notes
    codes = [r[0].value for r in book["Indikator"].iter_rows(min_row=2) if r[0].value]
    assert "poverty_rate" in codes
    # Filled in as a user would (the header left as it is), it imports.
    data.append(["value", "poverty_rate", "16.07", 2023, 9.58, "persen", None, "BPS"])
    data.append([None] * 3)  # a blank line in between, as spreadsheets keep
    data.append(["target", "poverty_rate", "16.07", 2026, "<8", "percent", None, "RPJMD", None,
                 None, None, "rpjmd", "RPJMD 2021-2026"])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_rows(read_rows("isi.xlsx", buffer.getvalue()))
    assert (report.created, report.errors) == (2, [])
    assert Target.objects.get(indicator__code="poverty_rate").plan_document == "RPJMD 2021-2026"


def test_the_csv_template_is_the_machine_header():
    text = template_csv().decode("utf-8-sig")
    assert text.strip() == ",".join(COLUMN_NAMES)
    assert read_rows("t.csv", template_csv()) == []
