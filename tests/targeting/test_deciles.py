"""Deciles of persons against a brute-force count of the rule, on DuckDB and Spark."""

from __future__ import annotations

from collections.abc import Sequence
from math import floor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.stats import InputError
from sinergi.targeting.deciles import deciles
from tests.stats._support import ENGINES


def brute_force(rows: Sequence[dict[str, Any]], by: Sequence[str] = ()) -> dict[Any, int]:
    """The rule read literally: for each household count persons strictly below it."""
    out = {}
    for r in rows:
        area = [o for o in rows if all(o[b] == r[b] for b in by)]
        total = sum(o["n"] for o in area)
        below = sum(o["n"] for o in area if o["s"] < r["s"])
        out[r["id"]] = 1 + floor(10 * below / total)
    return out


def as_table(rows: Sequence[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows))


def result(table: pa.Table) -> dict[Any, int]:
    return dict(zip(table["id"].to_pylist(), table["decile"].to_pylist(), strict=True))


household = st.fixed_dictionaries(
    {
        # Few distinct scores so that ties are common.
        "s": st.sampled_from([-1.5, 0.0, 0.25, 1.0, 2.0, 3.5, 1e6]),
        "n": st.integers(1, 12),
        "area": st.sampled_from(["A", "B", "C"]),
        "zone": st.sampled_from(["x", "y"]),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(household, min_size=1, max_size=40), st.sampled_from([(), ("area",), ("area", "zone")])
)
def test_matches_brute_force(households: list[dict[str, Any]], by: tuple[str, ...]) -> None:
    rows = [dict(h, id=f"H{i:03d}") for i, h in enumerate(households)]
    got = deciles(as_table(rows), id="id", score="s", persons="n", by=by)
    assert result(got) == brute_force(rows, by)
    assert got.num_rows == len(rows)


def test_ties_share_a_decile_and_lowest_is_one() -> None:
    # 10 persons: the two tied households (4 persons) both have 1 below them.
    rows = [
        {"id": "a", "s": 1.0, "n": 1},
        {"id": "b", "s": 2.0, "n": 2},
        {"id": "c", "s": 2.0, "n": 2},
        {"id": "d", "s": 3.0, "n": 5},
    ]
    got = result(deciles(as_table(rows), id="id", score="s", persons="n"))
    assert got == {"a": 1, "b": 2, "c": 2, "d": 6}


def test_all_tied_is_decile_one() -> None:
    rows = [{"id": i, "s": 7.0, "n": 3} for i in range(5)]
    assert set(result(deciles(as_table(rows), id="id", score="s", persons="n")).values()) == {1}


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ([4], [1]),  # one household: alone in its area
        ([1, 1], [1, 6]),
        ([1, 1, 1], [1, 4, 7]),
        ([9, 1], [1, 10]),
        ([1, 9], [1, 2]),
    ],
)
def test_tiny_areas(sizes: list[int], expected: list[int]) -> None:
    rows = [{"id": i, "s": float(i), "n": n, "area": "only"} for i, n in enumerate(sizes)]
    got = result(deciles(as_table(rows), id="id", score="s", persons="n", by=["area"]))
    assert [got[i] for i in range(len(sizes))] == expected


def test_areas_are_ranked_separately() -> None:
    rows = [
        {"id": 1, "s": 100.0, "n": 1, "r": "rich"},
        {"id": 2, "s": 200.0, "n": 1, "r": "rich"},
        {"id": 3, "s": 1.0, "n": 1, "r": "poor"},
        {"id": 4, "s": 2.0, "n": 1, "r": "poor"},
    ]
    by_area = result(deciles(as_table(rows), id="id", score="s", persons="n", by=["r"]))
    national = result(deciles(as_table(rows), id="id", score="s", persons="n"))
    assert by_area == {1: 1, 2: 6, 3: 1, 4: 6}
    assert national == {3: 1, 4: 3, 1: 6, 2: 8}


@pytest.mark.parametrize(
    ("bad", "column", "reason"),
    [
        ({"n": 0}, "n", "zero or negative persons"),
        ({"n": -2}, "n", "zero or negative persons"),
        ({"n": None}, "n", "no number of persons"),
        ({"n": 1.5}, "n", "not a whole number"),
        ({"s": None}, "s", "no score"),
        ({"s": float("nan")}, "s", "not a number"),
        ({"id": "H1"}, "id", "listed more than once"),
    ],
)
def test_bad_rows_are_refused_with_column_and_example(
    bad: dict[str, Any], column: str, reason: str
) -> None:
    rows = [{"id": f"H{i}", "s": float(i), "n": 2.0} for i in range(4)]
    rows[2] = {**rows[2], **bad}
    with pytest.raises(InputError) as err:
        deciles(as_table(rows), id="id", score="s", persons="n")
    message = str(err.value)
    assert f"{column}: 1 row with " in message
    assert reason in message
    assert "H" in message.split(reason, 1)[1]  # names an example household


def test_missing_columns_are_named() -> None:
    rows = [{"id": "a", "s": 1.0, "n": 1}]
    with pytest.raises(InputError) as err:
        deciles(as_table(rows), id="id", score="welfare", persons="n", by=["regency"])
    assert "welfare: no such column" in str(err.value)
    assert "regency: no such column" in str(err.value)


def test_empty_input_is_refused() -> None:
    empty = pa.table(
        {
            "id": pa.array([], pa.string()),
            "s": pa.array([], pa.float64()),
            "n": pa.array([], pa.int64()),
        }
    )
    with pytest.raises(InputError, match="no rows"):
        deciles(empty, id="id", score="s", persons="n")


def test_csv_text_columns_are_read_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "hh.csv"
    path.write_text("id,s,n\nA,0.5,2\nB,1.5,2\nC,10,1\n")
    got = result(deciles(path, id="id", score="s", persons="n"))
    assert got == {"A": 1, "B": 5, "C": 9}


def _world(n: int = 3000) -> list[dict[str, Any]]:
    import numpy as np

    rng = np.random.default_rng(4)
    return [
        {
            "id": f"H{i:05d}",
            # Rounded scores: many ties, as a coarse PMT gives.
            "s": float(np.round(rng.normal(13, 0.5), 1)),
            "n": int(rng.integers(1, 9)),
            "regency": str(rng.choice(["16.07", "16.08", "16.09"])),
            "kecamatan": str(rng.choice(["01", "02", "03", "04"])),
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_agree_with_brute_force(engine: str, make_engine: Any, tmp_path: Path) -> None:
    rows = _world()
    path = tmp_path / "households.parquet"
    pq.write_table(as_table(rows), path)
    by = ("regency", "kecamatan")
    got = deciles(path, id="id", score="s", persons="n", by=by, engine=make_engine(engine))
    expected = brute_force_fast(rows, by)
    assert result(got) == expected
    assert got.column_names == ["id", "s", "regency", "kecamatan", "decile"]


def brute_force_fast(rows: Sequence[dict[str, Any]], by: Sequence[str]) -> dict[Any, int]:
    """The same literal count, grouped first so thousands of rows stay quick."""
    areas: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        areas.setdefault(tuple(r[b] for b in by), []).append(r)
    out = {}
    for members in areas.values():
        total = sum(o["n"] for o in members)
        for r in members:
            below = sum(o["n"] for o in members if o["s"] < r["s"])
            out[r["id"]] = 1 + floor(10 * below / total)
    return out
