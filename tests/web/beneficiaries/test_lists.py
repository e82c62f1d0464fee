"""Importing beneficiary lists: layouts, column mapping saved and reused, every bad-file
case, every bad row reported, nothing written unless valid, no clear NIK stored anywhere."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from django.db import connection

from sinergi.web.beneficiaries import importer, services
from sinergi.web.beneficiaries.models import BeneficiaryList, ColumnMapping
from tests.web.beneficiaries.conftest import LIST_HEADERS, write_list

pytestmark = pytest.mark.django_db


def _import(programme, path, **kw):
    kw.setdefault("label", "2025 Triwulan III")
    kw.setdefault("user", None)
    return services.import_list(programme, path, **kw)


def test_suggested_mapping_from_indonesian_headers():
    headers = [
        "No",
        "NIK",
        "Nama Lengkap",
        "Tanggal Lahir",
        "Jenis Kelamin",
        "Alamat",
        "Desa/Kelurahan",
        "No KK",
    ]
    assert importer.suggest_mapping(headers) == {
        "source_id": "No",
        "nik": "NIK",
        "full_name": "Nama Lengkap",
        "birth_date": "Tanggal Lahir",
        "sex": "Jenis Kelamin",
        "address": "Alamat",
        "region_code": "Desa/Kelurahan",
        "kk": "No KK",
    }
    assert (
        importer.suggest_mapping(["ID KPM", "Nama", "Tgl Lahir", "JK"])["birth_date"] == "Tgl Lahir"
    )


def test_good_list_is_stored_hashed_and_mapping_saved(
    data_dir, programme, list_file, registry_people
):
    outcome = _import(programme, list_file)
    blist = outcome.blist
    assert blist is not None and blist.rows == 8 and blist.status == "ready"
    assert outcome.counts["nik_valid"] == 8 and outcome.counts["error_rows"] == 0
    table = pq.read_table(services.list_dir(blist) / services.ROWS_FILE)
    assert table.num_rows == 8
    assert "nik" not in table.column_names
    row = table.to_pylist()[0]
    assert len(row["nik_hash"]) == 64 and "*" in row["nik_masked"]
    assert row["birth_date"] == dt.date(1980, 7, 1) and row["sex"] == "M"
    assert row["region_code"].startswith("16.07.0")
    # hashed as the registry hashes
    heads = [m for m in registry_people[1] if m["relationship"] == "head"]
    assert row["nik_hash"] == services.pseudonymiser().hash(heads[0]["nik"])
    saved = ColumnMapping.objects.get(programme=programme).columns
    assert saved["full_name"] == "Nama Penerima" and saved["source_id"] == "ID KPM"
    # written atomically: no temporary directory left behind
    assert [p.name for p in (data_dir / "beneficiaries").iterdir()] == [str(blist.pk)]


def test_mapping_saved_for_own_headers_is_reused(data_dir, programme, tmp_path, list_file):
    odd = ["Kolom A", "Kolom B", "Kolom C"]
    first = write_list(tmp_path / "a.csv", [["1", "Ani", "x"], ["2", "Badu", "y"]], odd, ",")
    mapping = {"source_id": "Kolom A", "full_name": "Kolom B", "address": "Kolom C"}
    assert _import(programme, first, mapping=mapping).blist is not None
    second = write_list(tmp_path / "b.csv", [["3", "Cici", "z"]], odd, ",")
    table = importer.read_file(second)
    assert importer.suggest_mapping(table.headers, services.saved_mapping(programme)) == mapping
    outcome = _import(programme, second, label="kedua")
    assert outcome.blist is not None and outcome.mapping == mapping


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "file_empty"),
        (b"\xef\xbb\xbf \r\n\r\n", "file_empty"),
        (";".join(LIST_HEADERS).encode() + b"\r\n", "file_header_only"),
    ],
)
def test_empty_and_header_only_files_are_refused(data_dir, programme, tmp_path, content, reason):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(importer.FileRefused) as info:
        _import(programme, path)
    assert info.value.reason == reason
    assert not BeneficiaryList.objects.exists()


def test_garbage_renamed_xlsx_is_refused(data_dir, programme, tmp_path):
    path = tmp_path / "daftar.xlsx"
    path.write_bytes(b"NIK;Nama\n1607;Ani\n" * 20)
    with pytest.raises(importer.FileRefused) as info:
        _import(programme, path)
    assert info.value.reason == "file_unreadable"
    assert "XLSX" in str(info.value)


def test_too_large_file_is_refused(data_dir, programme, list_file, settings):
    settings.SINERGI_BENEFICIARY_MAX_UPLOAD_MB = 0
    with pytest.raises(importer.FileRefused) as info:
        _import(programme, list_file)
    assert info.value.reason == "file_too_large"


def test_other_kinds_are_refused(data_dir, programme, tmp_path):
    path = tmp_path / "daftar.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(importer.FileRefused):
        _import(programme, path)


def test_wrong_headers_are_a_mapping_error(data_dir, programme, tmp_path):
    path = write_list(tmp_path / "x.csv", [["1", "2"]], ["Kolom Satu", "Kolom Dua"])
    with pytest.raises(importer.MappingInvalid) as info:
        _import(programme, path)
    reasons = {r for r, _p in info.value.problems}
    assert reasons == {"mapping_missing"}
    with pytest.raises(importer.MappingInvalid) as info:
        _import(programme, path, mapping={"source_id": "Kolom Satu", "full_name": "Nama"})
    assert {r for r, _p in info.value.problems} == {"mapping_unknown"}
    with pytest.raises(importer.MappingInvalid) as info:
        _import(programme, path, mapping={"source_id": "Kolom Satu", "full_name": "Kolom Satu"})
    assert {r for r, _p in info.value.problems} == {"mapping_twice"}


BAD_NIK = "16070512345"  # too short


def _mixed_rows(list_file: Path) -> list[list[str]]:
    import csv

    with list_file.open(newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[1:]
    rows[1][2] = ""  # row 3: no name
    rows[2][0] = rows[0][0]  # row 4: duplicate id of row 2
    rows[3][3] = "31-02-1980"  # row 5: no such date
    rows[4][1] = BAD_NIK  # row 6: malformed NIK -> kept, counted
    rows[5][4] = "X"  # row 7: unknown sex
    rows[6][6] = "99.99.99.9999"  # row 8: unknown desa code
    return rows


def test_every_bad_row_is_reported_and_nothing_written(data_dir, programme, tmp_path, list_file):
    path = write_list(tmp_path / "mixed.csv", _mixed_rows(list_file))
    outcome = _import(programme, path)
    assert outcome.blist is None
    assert not BeneficiaryList.objects.exists()
    assert not (data_dir / "beneficiaries").exists() or not any(
        (data_dir / "beneficiaries").iterdir()
    )
    got = {(p.row, p.column, p.reason, p.fatal) for p in outcome.problems}
    assert got == {
        (3, "Nama Penerima", "required", True),
        (4, "ID KPM", "duplicate_id", True),
        (5, "Tgl Lahir", "bad_date", True),
        (6, "NIK", "nik_invalid", False),
        (7, "JK", "bad_sex", True),
        (8, "Kode Desa", "region_outside", True),
    }
    assert outcome.counts["error_rows"] == 5 and outcome.counts["valid_rows"] == 3
    assert outcome.counts["nik_invalid"] == 1
    for p in outcome.problems:
        assert BAD_NIK not in p.message and BAD_NIK not in str(p.as_dict())
    dup = next(p for p in outcome.problems if p.reason == "duplicate_id")
    assert "2" in dup.message  # names the first row with that id


def test_valid_rows_only(data_dir, programme, tmp_path, list_file):
    path = write_list(tmp_path / "mixed.csv", _mixed_rows(list_file))
    outcome = _import(programme, path, valid_only=True)
    blist = outcome.blist
    assert blist is not None and blist.rows == 3
    stored = pq.read_table(services.list_dir(blist) / services.ROWS_FILE).to_pylist()
    invalid = [r for r in stored if r["nik_status"] == "invalid"]
    assert len(invalid) == 1 and invalid[0]["nik_hash"] is None and invalid[0]["nik_masked"] is None
    assert len(blist.errors) == 6


def test_dry_run_writes_nothing(data_dir, programme, list_file):
    outcome = _import(programme, list_file, dry_run=True)
    assert outcome.blist is None and outcome.validation.ok
    assert not BeneficiaryList.objects.exists() and not ColumnMapping.objects.exists()


def test_cp1252_tab_separated_and_date_formats(data_dir, programme, tmp_path, list_file):
    import csv

    with list_file.open(newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[1:]
    rows[0][2] = "Séna Müller"
    rows[1][3] = "01/07/1980"
    rows[2][3] = "1980-07-01"
    path = write_list(tmp_path / "cp.csv", rows, delimiter="\t", encoding="cp1252")
    outcome = _import(programme, path)
    assert outcome.blist is not None, [p.as_dict() for p in outcome.problems]
    stored = {r["source_id"]: r for r in services.read_rows(outcome.blist).to_pylist()}
    assert stored["KPM-001"]["full_name"] == "Séna Müller"
    assert {stored[k]["birth_date"] for k in ("KPM-002", "KPM-003")} == {dt.date(1980, 7, 1)}


def test_xlsx_with_excel_dates_numeric_nik_and_desa_names(data_dir, programme, tmp_path, list_file):
    import csv

    import openpyxl

    from sinergi.web.regions.models import Region

    with list_file.open(newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[1:]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["No", "NIK", "Nama", "Tanggal Lahir", "L/P", "Alamat", "Desa/Kelurahan"])
    for r in rows:
        desa = Region.objects.get(code=r[6])
        birth = dt.datetime.strptime(r[3], "%d-%m-%Y")
        sheet.append([int(r[0][4:]), int(r[1]), r[2], birth, r[4], r[5], desa.name])
    sheet.append([None, None, None, None, None, None, None])
    path = tmp_path / "desa.xlsx"
    book.save(path)
    outcome = _import(programme, path)
    assert outcome.blist is not None, [p.as_dict() for p in outcome.problems]
    stored = services.read_rows(outcome.blist).to_pylist()
    assert len(stored) == 8
    assert {r["nik_status"] for r in stored} == {"valid"}
    assert {r["region_code"] for r in stored} == {r[6] for r in rows} or any(
        p.reason == "region_name_ambiguous" for p in outcome.problems
    )
    assert stored[0]["birth_date"] == dt.date(1980, 7, 1)


def test_parse_date_variants():
    assert importer.parse_date("17-08-1945") == dt.date(1945, 8, 17)
    assert importer.parse_date("17/08/1945") == dt.date(1945, 8, 17)
    assert importer.parse_date("1945-08-17") == dt.date(1945, 8, 17)
    assert importer.parse_date(16666) == dt.date(1945, 8, 17)
    assert importer.parse_date("16666") == dt.date(1945, 8, 17)
    with pytest.raises(ValueError):
        importer.parse_date("17 Agustus 1945")


def _clear_niks(registry_people) -> list[str]:
    return [m["nik"] for m in registry_people[1]] + [BAD_NIK]


def test_no_clear_nik_in_files_database_or_log(
    data_dir, programme, tmp_path, list_file, registry_people, release, caplog
):
    from sinergi.web.beneficiaries import matching

    caplog.set_level(logging.DEBUG)
    path = write_list(tmp_path / "mixed.csv", _mixed_rows(list_file))
    outcome = _import(programme, path, valid_only=True)
    _import(programme, list_file, label="lengkap")
    matching.start(outcome.blist, release, user=None, background=False)
    niks = _clear_niks(registry_people)
    for f in (data_dir / "beneficiaries").rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            if f.suffix == ".parquet":
                table = pq.read_table(f)
                data = str(table.to_pylist()).encode()
            for nik in niks:
                assert nik.encode() not in data, f
    with connection.cursor() as cur:
        tables = [
            t
            for t in connection.introspection.table_names()
            if t.startswith(("beneficiaries_", "audit_"))
        ]
        for t in tables:
            cur.execute(f'SELECT * FROM "{t}"')
            text = str(cur.fetchall())
            for nik in niks:
                assert nik not in text, t
    for nik in niks:
        assert nik not in caplog.text


def test_cli_import_dry_run_and_errors(data_dir, programme, tmp_path, list_file):
    from sinergi.cli import main

    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "beneficiaries",
            "import",
            str(list_file),
            "--programme",
            "pkh",
            "--label",
            "L",
            "--dry-run",
        ],
    )
    assert result.exit_code == 0, result.output
    assert not BeneficiaryList.objects.exists()
    bad = write_list(tmp_path / "mixed.csv", _mixed_rows(list_file))
    result = runner.invoke(
        main, ["beneficiaries", "import", str(bad), "--programme", "pkh", "--label", "L"]
    )
    assert result.exit_code == 1
    assert BAD_NIK not in result.output
    result = runner.invoke(
        main,
        [
            "beneficiaries",
            "import",
            str(bad),
            "--programme",
            "pkh",
            "--label",
            "L",
            "--valid-only",
            "--map",
            "full_name=Nama Penerima",
        ],
    )
    assert result.exit_code == 0, result.output
    assert BeneficiaryList.objects.get().rows == 3
    result = runner.invoke(
        main, ["beneficiaries", "import", str(bad), "--programme", "nope", "--label", "L"]
    )
    assert result.exit_code != 0 and "nope" in result.output
    result = runner.invoke(
        main,
        [
            "beneficiaries",
            "import",
            str(bad),
            "--programme",
            "pkh",
            "--label",
            "L",
            "--map",
            "bogus=X",
        ],
    )
    assert result.exit_code != 0
