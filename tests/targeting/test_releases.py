import json
import logging
from datetime import date

import pyarrow.parquet as pq
import pytest

from sinergi.targeting.pseudonym import Pseudonymiser
from sinergi.targeting.releases import (
    InputFileError,
    ReleaseInvalid,
    read_release,
    validate_release,
    write_release,
)
from tests.targeting import release_inputs as ri

P = Pseudonymiser(b"h" * 32, b"e" * 32)


def validate(h, m, **kw):
    return validate_release(h, m, desa_codes=ri.DESA, kecamatan_prefixes=ri.PREFIXES, **kw)


def write(h, m, dest, **kw):
    return write_release(
        h,
        m,
        dest,
        name="DTSEN 2025-Q2",
        reference_date=date(2025, 6, 30),
        pseudonymiser=P,
        desa_codes=ri.DESA,
        kecamatan_prefixes=ri.PREFIXES,
        **kw,
    )


def errors(report):
    return {(e.file, e.row, e.column, e.reason) for e in report.errors}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_a_valid_release_in_each_format(tmp_path, fmt):
    report = validate(*ri.pair(tmp_path, fmt=fmt))
    assert report.ok(), report.errors
    assert (report.households, report.members, report.valid_households, report.valid_members) == (
        3,
        9,
        3,
        9,
    )


def test_every_bad_row_is_reported_with_row_column_and_reason(tmp_path):
    hh, mm = ri.households(4), None
    mm = ri.members(hh)
    hh[0]["kk"] = "123"  # row 2
    hh[1]["desa_code"] = "16.07.99.2001"  # row 3
    hh[2]["floor_material"] = "marble"  # row 4
    hh[3]["floor_area_m2"] = "0"  # row 5
    mm[3]["nik"] = mm[3]["nik"][:6] + "3202" + mm[3]["nik"][10:]  # member row 5: bad date part
    mm[4]["sex"] = "M"  # row 6: a woman's NIK recorded as a man
    mm[6]["birth_date"] = "1980-07-02"  # row 8: disagrees with NIK
    mm[7]["relationship"] = "head"  # row 9: second head of H3
    mm[9]["nik"] = mm[10]["nik"]  # rows 11, 12: duplicate NIK (H4)
    report = validate(*ri.pair(tmp_path, hh, mm))
    got = errors(report)
    expected = {
        ("households", 2, "kk", "kk_invalid"),
        ("households", 3, "desa_code", "unknown_desa"),
        ("households", 4, "floor_material", "unknown_code"),
        ("households", 5, "floor_area_m2", "not_positive"),
        ("members", 5, "nik", "nik_bad_birth_date"),
        ("members", 6, "nik", "nik_sex_mismatch"),
        ("members", 8, "nik", "nik_birth_date_mismatch"),
        ("members", 9, "relationship", "several_heads"),
        ("members", 11, "nik", "duplicate_nik"),
        ("members", 12, "nik", "duplicate_nik"),
    }
    assert expected <= got, expected - got
    assert not report.ok()
    assert report.valid_households == 0


def test_household_and_membership_rules(tmp_path):
    hh = ri.households(3)
    mm = ri.members(hh)
    hh.append(dict(hh[0]))  # row 5: duplicate H1
    mm = [m for m in mm if not (m["household_id"] == "H2" and m["relationship"] == "head")]
    mm.append({**mm[0], "household_id": "H9", "nik": ri.nik("16.07.05", date(1990, 1, 1), "M", 99)})
    mm[0]["kk"] = "1607050101000099"
    extra = {**ri.households(1)[0], "household_id": "H7", "kk": "1607050101099999"}
    hh.append(extra)  # row 6: no members
    report = validate(*ri.pair(tmp_path, hh, mm))
    got = errors(report)
    assert ("households", 2, "household_id", "duplicate_household") in got
    assert ("households", 5, "household_id", "duplicate_household") in got
    assert ("households", 3, "household_id", "no_head") in got
    assert ("households", 6, "household_id", "no_members") in got
    assert ("members", len(mm) + 1, "household_id", "unknown_household") in got
    assert ("members", 2, "kk", "kk_mismatch") in got
    assert report.valid_households == 1  # H3 only


def test_birth_date_after_reference_date(tmp_path):
    hh = ri.households(1)
    mm = ri.members(hh)
    report = validate(*ri.pair(tmp_path, hh, mm), reference_date=date(2005, 1, 1))
    assert ("members", 4, "birth_date", "future_date") in errors(report)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("empty", "empty_file"),
        ("header_only", "empty_file"),
        ("garbage_xlsx", "unreadable_file"),
        ("too_large", "file_too_large"),
        ("unknown_type", "unsupported_file"),
    ],
)
def test_bad_files_get_a_clear_error_and_nothing_is_written(tmp_path, case, reason):
    h, m = ri.pair(tmp_path)
    if case == "empty":
        h.write_text("")
    elif case == "header_only":
        h.write_text(",".join(ri.ALL_HOUSEHOLD) + "\n")
    elif case == "garbage_xlsx":
        h = tmp_path / "households.xlsx"
        h.write_bytes(b"this is not a workbook\x00\x01" * 100)
    elif case == "unknown_type":
        h = h.rename(tmp_path / "households.doc")
    kw = {"max_bytes": 100} if case == "too_large" else {}
    dest = tmp_path / "out" / "release"
    with pytest.raises(InputFileError) as err:
        write(h, m, dest, **kw)
    assert (err.value.report.errors[0].file, err.value.report.errors[0].reason) == (
        "households",
        reason,
    )
    assert not dest.exists() and list((tmp_path / "out").iterdir()) == []


def test_wrong_headers_name_the_missing_and_unknown_columns(tmp_path):
    hh = [
        {("luas_lantai" if k == "floor_area_m2" else k): v for k, v in r.items()}
        for r in ri.households()
    ]
    h, m = ri.pair(tmp_path, hh, ri.members(ri.households()))
    report = validate(h, m)
    assert ("households", 1, "floor_area_m2", "missing_column") in errors(report)
    assert ("households", 1, "luas_lantai", "unknown_column") in errors(report)


def test_nothing_written_unless_valid_then_valid_only_keeps_good_households(tmp_path):
    hh = ri.households(3)
    mm = ri.members(hh)
    mm[0]["nik"] = "12345"
    h, m = ri.pair(tmp_path, hh, mm)
    dest = tmp_path / "rel"
    with pytest.raises(ReleaseInvalid):
        write(h, m, dest)
    assert not dest.exists()
    manifest = write(h, m, dest, valid_only=True)
    assert (manifest.households, manifest.members, manifest.skipped_households) == (2, 6, 1)
    ids = pq.read_table(dest / "households.parquet").column("household_id").to_pylist()
    assert ids == ["H2", "H3"]


def test_stored_layout_manifest_and_pseudonyms(tmp_path):
    hh = ri.households(3)
    mm = ri.members(hh)
    dest = tmp_path / "rel"
    manifest = write(*ri.pair(tmp_path, hh, mm), dest, synthetic=True)
    households = pq.read_table(dest / "households.parquet").to_pylist()
    members = pq.read_table(dest / "members.parquet").to_pylist()
    first = households[0]
    assert (
        first["kk_hash"] == P.hash(hh[0]["kk"])
        and first["kk_masked"] == hh[0]["kk"][:4] + "*" * 10 + hh[0]["kk"][-2:]
    )
    assert P.decrypt(first["kk_enc"]) == hh[0]["kk"]
    assert (first["kecamatan_code"], first["regency_code"], first["province_code"]) == (
        "16.07.05",
        "16.07",
        "16",
    )
    assert first["persons"] == 3 and first["score"] is None and first["floor_area_m2"] == 36.5
    assert "kk" not in first and "kk" not in members[0] and "nik" not in members[0]
    assert members[1]["sex"] == "F" and members[2]["sex"] == "M"  # L -> M
    assert members[0]["age"] == 44 and members[2]["age"] == 14
    # every token and hash sits on its own row (they are computed beside the engine)
    assert [P.decrypt(r["nik_enc"]) for r in members] == [r["nik"] for r in mm]
    assert [r["nik_hash"] for r in members] == [P.hash(r["nik"]) for r in mm]
    assert [P.decrypt(r["kk_enc"]) for r in households] == [r["kk"] for r in hh]
    data = json.loads((dest / "manifest.json").read_text())
    assert data["synthetic"] is True and data["households"] == 3 and data["members"] == 9
    assert read_release(dest, verify=True) == manifest
    with pytest.raises(FileExistsError):
        write(*ri.pair(tmp_path, hh, mm), dest)


def test_no_clear_nik_or_kk_in_any_stored_file_error_or_log(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    hh = ri.households(3)
    mm = ri.members(hh)
    clear = {r["kk"] for r in hh} | {r["nik"] for r in mm}
    bad = [dict(r) for r in mm]
    bad[0]["nik"] = bad[0]["nik"][:15]  # still mostly the clear number
    h, m = ri.pair(tmp_path, hh, bad)
    with pytest.raises(ReleaseInvalid) as err:
        write(h, m, tmp_path / "bad")
    texts = [str(err.value), json.dumps(err.value.report.as_dict())]
    good_h, good_m = ri.pair(
        tmp_path / "ok" if (tmp_path / "ok").mkdir() is None else tmp_path, hh, mm
    )
    write(good_h, good_m, tmp_path / "store" / "rel", valid_only=True)
    stored = [p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert len(stored) == 3
    texts.append(caplog.text)
    for number in clear | {bad[0]["nik"]}:
        for blob in stored:
            assert number.encode() not in blob
        for text in texts:
            assert number not in text


def test_rekey_rewrites_hashes_and_tokens(tmp_path):
    from sinergi.targeting.releases import rekey_release

    hh = ri.households(2)
    mm = ri.members(hh)
    dest = tmp_path / "rel"
    write(*ri.pair(tmp_path, hh, mm), dest)
    new = Pseudonymiser(b"H" * 32, b"E" * 32)
    manifest = rekey_release(dest, P, new)
    members = pq.read_table(dest / "members.parquet").to_pylist()
    assert members[0]["nik_hash"] == new.hash(mm[0]["nik"]) != P.hash(mm[0]["nik"])
    assert new.decrypt(members[0]["nik_enc"]) == mm[0]["nik"]
    with pytest.raises(ValueError):
        P.decrypt(members[0]["nik_enc"])
    assert read_release(dest, verify=True) == manifest
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_typed_parquet_input_is_read_as_values(tmp_path):
    import pyarrow as pa

    hh = ri.households(2)
    mm = ri.members(hh)
    table = pa.Table.from_pylist(hh)
    for name in ("has_motorcycle", "has_car", "has_refrigerator", "has_tv", "has_smartphone"):
        table = table.set_column(
            table.column_names.index(name), name, pa.array([v[name] == "1" for v in hh])
        )
    table = table.set_column(table.column_names.index("land_ha"), "land_ha", pa.array([0.5, 1.25]))
    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(table, folder / "households.parquet")
    members = pa.Table.from_pylist(mm)
    members = members.set_column(
        members.column_names.index("birth_date"),
        "birth_date",
        pa.array([date.fromisoformat(m["birth_date"]) for m in mm]),
    )
    pq.write_table(members, folder / "members.parquet")
    report = validate(folder / "households.parquet", folder / "members.parquet")
    assert report.ok(), report.errors
    write(folder / "households.parquet", folder / "members.parquet", tmp_path / "rel")
    stored = pq.read_table(tmp_path / "rel" / "households.parquet").to_pylist()
    assert (
        stored[0]["has_motorcycle"] == 1
        and stored[0]["has_car"] == 0
        and stored[1]["land_ha"] == 1.25
    )


def test_a_killed_imports_spill_folder_is_removed_by_the_next(tmp_path):
    """Spill files may hold clear numbers: a folder whose import process is gone
    does not outlive the next import; a live one is left alone."""
    import os
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    orphan = tmp_path / ".sinergi-spill-orphan"
    orphan.mkdir()
    (orphan / "owner.pid").write_text(dead.stdout.strip())
    (orphan / "spill.tmp").write_text("pretend spill")
    alive = tmp_path / ".sinergi-spill-alive"
    alive.mkdir()
    (alive / "owner.pid").write_text(str(os.getpid()))
    h, m = ri.pair(tmp_path)
    write(h, m, tmp_path / "release")
    assert not orphan.exists()
    assert alive.exists()
    assert not [p for p in tmp_path.glob(".sinergi-spill-*") if p not in (alive,)]


def test_a_callers_connection_keeps_its_spill_directory(tmp_path):
    from sinergi.stats import DuckDBEngine

    engine = DuckDBEngine()
    engine.connection.execute(f"SET temp_directory = '{tmp_path / 'mine'}'")
    h, m = ri.pair(tmp_path)
    write(h, m, tmp_path / "release", engine=engine)
    setting = engine.connection.execute("SELECT current_setting('temp_directory')").fetchone()
    assert setting[0] == str(tmp_path / "mine")


def test_the_fast_path_gives_the_errors_of_every_rule(tmp_path, monkeypatch):
    """Rows the fast path passes are skipped by the rules: with it switched off, every
    rule evaluated on every row, the report must be the same, on input with a fault
    (or an unusual but valid spelling) in nearly every column."""
    from sinergi.targeting import releases

    hh = ri.households(12)
    mm = ri.members(hh)
    hh[0]["floor_material"] = "Cement"  # valid, not the stored spelling
    hh[1]["floor_area_m2"] = "12,5"  # valid decimal comma
    hh[2]["has_tv"] = "true"  # valid Parquet-style flag
    hh[3]["livestock_units"] = "-1"
    hh[4]["decile"] = "11"
    hh[5]["decile"] = "2.5"
    hh[6]["kk"] = "16070501010000AB"
    hh[7]["desa_code"] = "16.07.05.9999"
    hh[8]["has_car"] = "2"
    mm[0]["sex"] = "L"  # valid alias
    mm[1]["sex"] = "X"
    mm[2]["birth_date"] = "2030-01-01"
    mm[3]["birth_date"] = "not a date"
    mm[4]["nik"] = "9999" + mm[4]["nik"][4:]  # unknown kecamatan
    mm[5]["kk"] = "1607050101999999"  # not the household's KK
    mm[6]["relationship"] = "HEAD"  # valid spelling, second head
    mm[7]["education"] = "phd"
    mm[8]["nik"] = mm[8]["nik"][:10] + "xx" + mm[8]["nik"][12:]
    mm[9]["full_name"] = ""
    mm[10]["household_id"] = "H404"
    mm[11]["nik"] = mm[12]["nik"]
    h, m = ri.pair(tmp_path, hh, mm)
    fast = validate(h, m, reference_date=date(2025, 6, 30))
    monkeypatch.setattr(releases, "_FAST_PATH", False)
    slow = validate(h, m, reference_date=date(2025, 6, 30))
    assert fast.as_dict() == slow.as_dict()
    assert fast.error_count >= 14 and 0 < fast.valid_households < 12
