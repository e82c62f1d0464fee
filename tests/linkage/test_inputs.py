"""Reading and checking linkage inputs: clear errors naming row, column and reason."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from sinergi.linkage.inputs import LinkageInputError, read_records
from sinergi.linkage.prepare import normalise_address, prepare_records

NIK = "1607054107900001"


def test_missing_id_column_names_it_and_the_columns_there_are() -> None:
    with pytest.raises(LinkageInputError) as err:
        prepare_records(pa.table({"no": ["1"], "full_name": ["Budi"]}), "id", label="list.csv")
    message = str(err.value)
    assert "list.csv" in message and "column id" in message and "no, full_name" in message


def test_duplicate_and_empty_ids_are_reported_by_row() -> None:
    table = pa.table({"id": ["a", "b", "a", None, " "], "full_name": ["x"] * 5})
    with pytest.raises(LinkageInputError) as err:
        prepare_records(table, "id")
    rows = {(p.row, p.reason) for p in err.value.problems}
    # Data rows start at 2 (the header is row 1).
    assert rows == {(2, "duplicate id"), (4, "duplicate id"), (5, "empty id"), (6, "empty id")}


def test_bad_dates_and_sexes_are_reported_without_the_nik() -> None:
    table = pa.table(
        {
            "id": ["1", "2", "3"],
            "nik": [NIK, NIK, NIK],
            "birth_date": ["1990-07-01", "31/02/1990", "kemarin"],
            "sex": ["L", "X", "P"],
        }
    )
    with pytest.raises(LinkageInputError) as err:
        prepare_records(table, "id")
    text = str(err.value)
    assert "row 3, column birth_date: not a date" in text
    assert "row 4, column birth_date: not a date" in text
    assert "row 3, column sex" in text
    assert NIK not in text


def test_prepared_layout() -> None:
    table = pa.table(
        {
            "ID": [1, 2],
            "NIK": ["1607-0541-0790-0001", None],
            "full_name": ["Hj. Siti Aminah", "M. Rizki"],
            "birth_date": ["01/07/1990", "1985-03-04"],
            "sex": ["P", "Laki-laki"],
            "address": ["Jl. Merdeka RT.3/RW.2", None],
            "region_code": ["16.07.05.2001", "16.07"],
        }
    )
    p = prepare_records(table, "ID").table.to_pylist()
    assert p[0]["unique_id"] == "1" and p[0]["nik"] == NIK
    assert p[0]["name_norm"] == "siti aminah" and p[1]["name_norm"] == "muhammad rizki"
    assert p[0]["birth_date"] == "1990-07-01" and p[0]["birth_swapped"] == "1990-01-07"
    assert p[1]["birth_swapped"] == "1985-04-03"
    assert (p[0]["sex"], p[1]["sex"]) == ("F", "M")
    assert p[0]["address_norm"] == "jalan merdeka rt 3 rw 2"
    assert (p[0]["region"], p[0]["region6"], p[1]["region6"]) == ("1607052001", "160705", None)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jl. Merdeka No. 12 RT 003/RW 002", "JALAN MERDEKA NO 12 RT.3/RW.2"),
        ("Jln. Sudirman No.5", "jalan sudirman no 5"),
        ("Dsn. II RT 05/03", "Dusun II RT 5 RW 3"),
        ("Gg. Mawar RT 01 RW 04", "gang mawar rt.1 rw.4"),
    ],
)
def test_address_variants_normalise_alike(a: str, b: str) -> None:
    assert normalise_address(a) == normalise_address(b)


def test_csv_keeps_leading_zeros_and_xlsx_is_read(tmp_path: Path) -> None:
    import openpyxl

    csv = tmp_path / "list.csv"
    pacsv.write_csv(pa.table({"id": ["007"], "nik": [NIK]}), csv)
    assert read_records(csv).column("id").to_pylist() == ["007"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "nik", "birth_date"])
    sheet.append([7, NIK, None])
    book.save(tmp_path / "list.xlsx")
    table = read_records(tmp_path / "list.xlsx")
    assert table.to_pylist() == [{"id": "7", "nik": NIK, "birth_date": None}]


def test_unknown_file_type(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("{}")
    with pytest.raises(LinkageInputError, match=r"unsupported file type \.json"):
        read_records(path)
