"""Read queries on a stored release: search, household, history, area profile, small cells."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sinergi.targeting import browse
from sinergi.targeting.browse import BrowseError, suppress, suppressed_share

DESA_A = "16.07.05.2001"
DESA_B = "16.07.05.2002"
DESA_C = "16.07.06.2001"


def h(n: int) -> str:
    return f"{n:064x}"


def write_release(
    dest: Path, households: list[dict], members: list[dict], scores: list[dict] | None = None
) -> Path:
    """A stored release in the contract's layout (already pseudonymised)."""
    dest.mkdir(parents=True)
    defaults = {
        "address": None,
        "floor_area_m2": 40.0,
        "floor_material": "ceramic",
        "wall_material": "masonry",
        "roof_material": "tile",
        "drinking_water": "piped",
        "sanitation": "private",
        "electricity": "pln_metered",
        "cooking_fuel": "gas",
        "has_motorcycle": 1,
        "has_car": 0,
        "has_refrigerator": 1,
        "has_tv": 1,
        "has_smartphone": 1,
        "livestock_units": 0.0,
        "land_ha": 0.0,
        "score": None,
        "model_decile": None,
        "decile": None,
    }
    rows = []
    for row in households:
        full = {**defaults, **row}
        full["kecamatan_code"] = full["desa_code"].rsplit(".", 1)[0]
        full["regency_code"] = "16.07"
        full["province_code"] = "16"
        full["kk_masked"] = "1607**********" + full["household_id"][-2:].rjust(2, "0")
        full["kk_enc"] = "enc-kk-" + full["household_id"]
        full["persons"] = sum(1 for m in members if m["household_id"] == row["household_id"])
        rows.append(full)
    table = pa.Table.from_pylist(rows)
    table = table.set_column(
        table.schema.get_field_index("score"),
        "score",
        pa.array(table["score"].to_pylist(), pa.float64()),
    )
    for col in ("model_decile", "decile"):
        table = table.set_column(
            table.schema.get_field_index(col), col, pa.array(table[col].to_pylist(), pa.int32())
        )
    pq.write_table(table, dest / "households.parquet")
    mrows = [
        {
            "household_id": m["household_id"],
            "nik_hash": m["nik_hash"],
            "nik_masked": "1607**********" + m["nik_hash"][-2:],
            "nik_enc": "enc-nik-" + m["nik_hash"][-4:],
            "full_name": m["full_name"],
            "sex": m.get("sex", "F"),
            "birth_date": m.get("birth_date", date(1980, 1, 1)),
            "relationship": m.get("relationship", "child"),
            "education": "senior",
            "work_sector": "agriculture",
            "age": m.get("age", 40),
        }
        for m in members
    ]
    pq.write_table(pa.Table.from_pylist(mrows), dest / "members.parquet")
    if scores is not None:
        pq.write_table(pa.Table.from_pylist(scores), dest / "scores.parquet")
    return dest


@pytest.fixture
def release(tmp_path: Path) -> Path:
    households = [
        {
            "household_id": "H01",
            "kk_hash": h(1),
            "desa_code": DESA_A,
            "decile": 1,
            "floor_material": "earth",
        },
        {
            "household_id": "H02",
            "kk_hash": h(2),
            "desa_code": DESA_A,
            "decile": 3,
            "sanitation": "none",
        },
        {"household_id": "H03", "kk_hash": h(3), "desa_code": DESA_B, "decile": 5},
        {"household_id": "H04", "kk_hash": h(4), "desa_code": DESA_C, "decile": 9},
    ]
    members = [
        {
            "household_id": "H01",
            "nik_hash": h(101),
            "full_name": "Siti Aminah",
            "relationship": "head",
        },
        {
            "household_id": "H01",
            "nik_hash": h(102),
            "full_name": "Budi Santoso",
            "relationship": "spouse",
            "sex": "M",
        },
        {
            "household_id": "H02",
            "nik_hash": h(201),
            "full_name": "Ahmad Fauzi",
            "relationship": "head",
            "sex": "M",
        },
        {
            "household_id": "H03",
            "nik_hash": h(301),
            "full_name": "Rina 100% Aminah",
            "relationship": "head",
        },
        {
            "household_id": "H04",
            "nik_hash": h(401),
            "full_name": "Dewi Lestari",
            "relationship": "head",
        },
    ]
    scores = [
        {"household_id": "H01", "score": 12.5, "model_decile": 2, "model_version": "pmt-1"},
        {"household_id": "H02", "score": 13.0, "model_decile": 3, "model_version": "pmt-1"},
    ]
    return write_release(tmp_path / "r1", households, members, scores)


def test_search_by_name_is_case_insensitive_and_scoped(release: Path) -> None:
    page = browse.search(release, name="aminah")
    assert [r.household_id for r in page.rows] == ["H01", "H03"]
    assert page.rows[0].head_name == "Siti Aminah"
    assert page.rows[0].kk_masked.startswith("1607****")
    scoped = browse.search(release, name="a", scope="16.07.06")
    assert [r.household_id for r in scoped.rows] == ["H04"]


def test_search_name_wildcards_are_literal(release: Path) -> None:
    assert [r.household_id for r in browse.search(release, name="100%").rows] == ["H03"]
    assert browse.search(release, name="_").total == 0


def test_search_by_hashes(release: Path) -> None:
    assert [r.household_id for r in browse.search(release, kk_hash=h(2)).rows] == ["H02"]
    assert [r.household_id for r in browse.search(release, nik_hash=h(102)).rows] == ["H01"]
    assert browse.search(release, nik_hash=h(102), scope="16.07.06").total == 0
    with pytest.raises(BrowseError):
        browse.search(release, kk_hash="1607050101800001")  # a clear number is refused


def test_search_paginates(release: Path) -> None:
    first = browse.search(release, per_page=3)
    assert (first.total, first.pages, first.has_next, len(first.rows)) == (4, 2, True, 3)
    second = browse.search(release, per_page=3, page=2)
    assert [r.household_id for r in second.rows] == ["H04"]
    assert second.has_previous and not second.has_next


def test_household_detail_joins_scores_and_members(release: Path) -> None:
    hh = browse.household(release, "H01")
    assert (hh.score, hh.model_decile, hh.decile, hh.model_version) == (12.5, 2, 1, "pmt-1")
    assert hh.deciles_disagree
    assert [m.relationship for m in hh.members] == ["head", "spouse"]
    assert all("*" in m.nik_masked for m in hh.members)
    assert hh.characteristics["floor_material"] == "earth"
    assert not browse.household(release, "H02").deciles_disagree
    with pytest.raises(BrowseError):
        browse.household(release, "H04", scope="16.07.05")
    with pytest.raises(BrowseError):
        browse.household(release, "nope")


def test_encrypted_number_respects_scope(release: Path) -> None:
    assert browse.encrypted_number(release, "H01", nik_hash=h(102)) == "enc-nik-" + h(102)[-4:]
    assert browse.encrypted_number(release, "H01") == "enc-kk-H01"
    with pytest.raises(BrowseError):
        browse.encrypted_number(release, "H01", nik_hash=h(102), scope="16.07.06")
    with pytest.raises(BrowseError):
        browse.encrypted_number(release, "H02", nik_hash=h(102))  # not a member of H02


def test_history_follows_the_kk_hash(release: Path, tmp_path: Path) -> None:
    later = write_release(
        tmp_path / "r2",
        [{"household_id": "X9", "kk_hash": h(1), "desa_code": DESA_B, "decile": 2}],
        [
            {
                "household_id": "X9",
                "nik_hash": h(101),
                "full_name": "Siti Aminah",
                "relationship": "head",
            }
        ],
    )
    entries = browse.history(
        [("2025-Q1", release), ("2025-Q2", later), ("gone", tmp_path / "x")], h(1)
    )
    assert [
        (e.release, e.household_id, e.desa_code, e.decile, e.model_decile) for e in entries
    ] == [
        ("2025-Q1", "H01", DESA_A, 1, 2),
        ("2025-Q2", "X9", DESA_B, 2, None),
    ]


def test_suppress_hides_small_cells_and_a_complement() -> None:
    assert suppress([0, 12, 4, 30], 10) == [0, None, None, 30]
    assert suppress([3, 4, 30], 10) == [None, None, 30]
    assert suppress([11, 12, 30], 10) == [11, 12, 30]
    assert suppress([3, 0], 10) == [None, 0]  # nothing else to hide
    assert suppress([3, 4], 0) == [3, 4]
    assert suppressed_share(5, 100, 10) is None
    assert suppressed_share(95, 100, 10) is None  # its complement (5) would be given away
    assert suppressed_share(50, 100, 10) == 0.5


def test_area_profile_counts_and_indicators(release: Path) -> None:
    prof = browse.area_profile(release, "16.07.05")
    assert (prof.households, prof.persons, prof.decile_source) == (3, 4, "model")
    by = {c.decile: (c.households, c.persons) for c in prof.deciles}
    assert by[2] == (1, 2) and by[3] == (1, 1) and by[5] == (0, 0)
    assert prof.unranked_households == 1  # H03 has no model decile
    ind = {i.key: (i.households, i.share) for i in prof.indicators}
    assert ind["earth_floor"] == (1, pytest.approx(1 / 3))
    assert ind["no_sanitation"] == (1, pytest.approx(1 / 3))
    assert ind["no_electricity"] == (0, 0.0)
    release_deciles = browse.area_profile(release, DESA_A, decile_source="release")
    assert {c.decile: c.households for c in release_deciles.deciles}[1] == 1


def test_area_profile_suppresses_for_public(release: Path) -> None:
    prof = browse.area_profile(release, "16.07.05", threshold=10)
    assert prof.households is None and prof.persons is None
    assert all(c.households is None for c in prof.deciles if c.decile in (2, 3))
    assert all(i.households is None and i.share is None for i in prof.indicators)
    with pytest.raises(BrowseError):
        browse.area_profile(release, "16.07.09")


@pytest.fixture(scope="module")
def spark_engine():  # type: ignore[no-untyped-def]
    pytest.importorskip("pyspark", reason="pyspark is not installed (sinergi[spark])")
    from pyspark.sql import SparkSession

    from sinergi.stats import SparkEngine

    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    return SparkEngine(session)


@pytest.mark.spark
def test_spark_answers_as_duckdb(release: Path, tmp_path: Path, spark_engine) -> None:  # type: ignore[no-untyped-def]
    for kwargs in ({"name": "aminah"}, {"nik_hash": h(102)}, {"scope": "16.07.05", "per_page": 2}):
        assert browse.search(release, engine=spark_engine, **kwargs) == browse.search(
            release, **kwargs
        )
    assert browse.household(release, "H01", engine=spark_engine) == browse.household(release, "H01")
    for threshold in (0, 10):
        assert browse.area_profile(
            release, "16.07.05", threshold=threshold, engine=spark_engine
        ) == browse.area_profile(release, "16.07.05", threshold=threshold)
    assert browse.history([("a", release)], h(1), engine=spark_engine) == browse.history(
        [("a", release)], h(1)
    )
