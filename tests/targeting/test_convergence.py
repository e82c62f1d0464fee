"""Convergence and targeting errors against a brute-force count of the rules, on DuckDB and Spark.

The reference below reads DESIGN.md's "Targeting rules" literally, one group
and one programme at a time, in plain Python; it shares no code with
:mod:`sinergi.targeting.convergence`.
"""

from __future__ import annotations

import doctest
import importlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.cli import main
from sinergi.stats import DuckDBEngine, InputError
from sinergi.targeting import (
    convergence,
    overlap,
    unmatched,
    unreached_eligible,
    well_off_multiple,
)
from tests.stats._support import ENGINES

Row = dict[str, Any]
COUNTS = (
    "eligible_max_decile",
    "households",
    "persons",
    "eligible_households",
    "eligible_persons",
    "beneficiary_households",
    "beneficiary_persons",
    "eligible_beneficiary_households",
    "eligible_beneficiary_persons",
    "unmatched_rows",
)
FRACTIONS = ("inclusion_error", "exclusion_error", "coverage", "cgh")


# --------------------------------------------------------------------------- reference


def ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def clean(hid: Any) -> str | None:
    return None if hid is None or str(hid).strip() == "" else str(hid).strip()


def brute_force(
    registry: Sequence[Row],
    lists: Sequence[Row],
    rules: Mapping[str, int | None],
    by: Sequence[str] = (),
) -> dict[tuple[Any, ...], Row]:
    """Every metric counted literally for every (group, programme)."""
    ids = {r["household_id"] for r in registry}
    groups = sorted({tuple(r[b] for b in by) for r in registry})
    out: dict[tuple[Any, ...], Row] = {}
    for programme, k in rules.items():
        rows = [row for row in lists if row["programme"].strip() == programme]
        listed = {clean(row["household_id"]) for row in rows}
        lost = sum(1 for row in rows if clean(row["household_id"]) not in ids)
        for group in groups:
            members = [r for r in registry if tuple(r[b] for b in by) == group]
            on_list = [r for r in members if r["household_id"] in listed]
            row_out: Row = {
                "eligible_max_decile": k,
                "households": len(members),
                "persons": sum(r["persons"] for r in members),
                "beneficiary_households": len(on_list),
                "beneficiary_persons": sum(r["persons"] for r in on_list),
                "unmatched_rows": 0 if by else lost,
            }
            if k is None:
                row_out |= dict.fromkeys(
                    (
                        "eligible_households",
                        "eligible_persons",
                        "eligible_beneficiary_households",
                        "eligible_beneficiary_persons",
                        *FRACTIONS,
                    )
                )
            else:
                eligible = [r for r in members if r["decile"] <= k]
                reached = [r for r in eligible if r["household_id"] in listed]
                wrongly = [r for r in on_list if r["decile"] > k]
                share_listed = ratio(len(reached), len(on_list))
                share_all = ratio(len(eligible), len(members))
                row_out |= {
                    "eligible_households": len(eligible),
                    "eligible_persons": sum(r["persons"] for r in eligible),
                    "eligible_beneficiary_households": len(reached),
                    "eligible_beneficiary_persons": sum(r["persons"] for r in reached),
                    "inclusion_error": ratio(len(wrongly), len(on_list)),
                    "exclusion_error": ratio(len(eligible) - len(reached), len(eligible)),
                    "coverage": ratio(
                        sum(r["persons"] for r in reached), sum(r["persons"] for r in eligible)
                    ),
                    "cgh": None
                    if share_listed is None or not share_all
                    else share_listed / share_all,
                }
            out[(*group, programme)] = row_out
        if by and lost:
            out[(*(None for _ in by), programme)] = {
                "eligible_max_decile": k,
                "households": 0,
                "persons": 0,
                "beneficiary_households": 0,
                "beneficiary_persons": 0,
                "unmatched_rows": lost,
                "eligible_households": None if k is None else 0,
                "eligible_persons": None if k is None else 0,
                "eligible_beneficiary_households": None if k is None else 0,
                "eligible_beneficiary_persons": None if k is None else 0,
                **dict.fromkeys(FRACTIONS),
            }
    return out


def keyed(table: pa.Table, by: Sequence[str]) -> dict[tuple[Any, ...], Row]:
    out = {}
    for row in table.to_pylist():
        key = (*(row[b] for b in by), row["programme"])
        assert key not in out, f"two rows for {key}"
        out[key] = {c: row[c] for c in (*COUNTS, *FRACTIONS)}
    return out


def assert_matches(got: pa.Table, expected: dict[tuple[Any, ...], Row], by: Sequence[str]) -> None:
    rows = keyed(got, by)
    assert sorted(rows, key=repr) == sorted(expected, key=repr)
    for key, want in expected.items():
        have = rows[key]
        for column in COUNTS:
            assert have[column] == want[column], (key, column)
        for column in FRACTIONS:
            if want[column] is None:
                assert have[column] is None, (key, column, have[column])
            else:
                assert have[column] == pytest.approx(want[column], rel=1e-12), (key, column)
                assert 0 <= have[column] <= (float("inf") if column == "cgh" else 1)


# --------------------------------------------------------------------------- data

household = st.fixed_dictionaries(
    {
        "desa": st.sampled_from(["A", "B", "C"]),
        "kec": st.sampled_from(["01", "02"]),
        "decile": st.integers(1, 10),
        "persons": st.integers(1, 7),
    }
)
PROGRAMMES = ["PKH", "BPNT", "KIS"]


@st.composite
def worlds(draw: Any) -> tuple[list[Row], list[Row]]:
    registry = [
        dict(h, household_id=f"H{i:02d}")
        for i, h in enumerate(draw(st.lists(household, min_size=1, max_size=25)))
    ]
    ids = [r["household_id"] for r in registry]
    hid = st.one_of(
        st.sampled_from(ids),
        st.sampled_from(ids).map(lambda i: f" {i} "),  # padded: the same household
        st.sampled_from(["X1", "X2", "", "  ", None]),  # no registry household
    )
    lists = draw(
        st.lists(
            st.fixed_dictionaries({"household_id": hid, "programme": st.sampled_from(PROGRAMMES)}),
            max_size=40,
        )
    )
    return registry, lists


rule_specs = st.one_of(
    st.integers(0, 10),
    st.fixed_dictionaries(
        {p: st.one_of(st.none(), st.integers(0, 10)) for p in [*PROGRAMMES, "PIP"]}
    ),
)


def reg_table(rows: Sequence[Row]) -> pa.Table:
    return pa.Table.from_pylist(
        list(rows),
        schema=pa.schema(
            [
                ("household_id", pa.string()),
                ("desa", pa.string()),
                ("kec", pa.string()),
                ("decile", pa.int64()),
                ("persons", pa.int64()),
            ]
        ),
    )


def list_table(rows: Sequence[Row]) -> pa.Table:
    names = sorted({k for r in rows for k in r} | {"household_id", "programme"})
    types = {"household_id": pa.string(), "programme": pa.string()}
    schema = pa.schema([(n, types.get(n, pa.string())) for n in names])
    return pa.Table.from_pylist(list(rows), schema=schema)


def resolve(spec: int | Mapping[str, int | None], lists: Sequence[Row]) -> dict[str, int | None]:
    if isinstance(spec, int):
        return dict.fromkeys({r["programme"] for r in lists}, spec)
    return dict(spec)


# --------------------------------------------------------------------------- the rules


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), rule_specs, st.sampled_from([(), ("desa",), ("kec", "desa")]))
def test_every_metric_matches_brute_force(
    world: tuple[list[Row], list[Row]], spec: Any, by: tuple[str, ...]
) -> None:
    registry, lists = world
    got = convergence(reg_table(registry), list_table(lists), eligible_max_decile=spec, by=by)
    assert_matches(got, brute_force(registry, lists, resolve(spec, lists), by), by)
    assert got.column_names[: len(by)] == list(by)


def village() -> tuple[list[Row], list[Row]]:
    """Four desa: A reached (with a household listed twice and a better-off one listed),
    E with households and nobody listed, U whose list rows name no registry household,
    R all better-off."""
    registry = [
        {"household_id": "A1", "desa": "A", "kec": "01", "decile": 1, "persons": 5},
        {"household_id": "A2", "desa": "A", "kec": "01", "decile": 2, "persons": 3},
        {"household_id": "A3", "desa": "A", "kec": "01", "decile": 4, "persons": 2},
        {"household_id": "A4", "desa": "A", "kec": "01", "decile": 9, "persons": 1},
        {"household_id": "E1", "desa": "E", "kec": "01", "decile": 1, "persons": 4},
        {"household_id": "E2", "desa": "E", "kec": "01", "decile": 6, "persons": 2},
        {"household_id": "U1", "desa": "U", "kec": "02", "decile": 3, "persons": 6},
        {"household_id": "R1", "desa": "R", "kec": "02", "decile": 10, "persons": 2},
    ]
    lists = [
        {"household_id": "A1", "programme": "PKH", "desa_code": "A"},
        {"household_id": "A1", "programme": "PKH", "desa_code": "A"},  # listed twice
        {"household_id": "A4", "programme": "PKH", "desa_code": "A"},
        {"household_id": "A1", "programme": "BPNT", "desa_code": "A"},
        {"household_id": "A4", "programme": "BPNT", "desa_code": "A"},
        {"household_id": "R1", "programme": "BPNT", "desa_code": "R"},
        {"household_id": "A4", "programme": "KIS", "desa_code": "A"},
        # desa U on the list, but these ids are not the registry's
        {"household_id": "U9", "programme": "PKH", "desa_code": "U"},
        {"household_id": "U9", "programme": "PKH", "desa_code": "U"},
        {"household_id": "", "programme": "BPNT", "desa_code": "U"},
        {"household_id": None, "programme": "BPNT", "desa_code": "U"},
    ]
    return registry, lists


def by_key(table: pa.Table, by: Sequence[str] = ("desa",)) -> dict[tuple[Any, ...], Row]:
    return {(*(r[b] for b in by), r["programme"]): r for r in table.to_pylist()}


def test_a_worked_village() -> None:
    registry, lists = village()
    got = convergence(reg_table(registry), list_table(lists), eligible_max_decile=4, by=["desa"])
    rows = by_key(got)
    a = rows[("A", "PKH")]
    # A: eligible A1..A3 (10 persons); PKH lists A1 (twice) and A4.
    assert (a["households"], a["persons"], a["eligible_households"]) == (4, 11, 3)
    assert (a["beneficiary_households"], a["beneficiary_persons"]) == (2, 6)
    assert a["inclusion_error"] == 0.5
    assert a["exclusion_error"] == pytest.approx(2 / 3)
    assert a["coverage"] == 0.5
    assert a["cgh"] == pytest.approx((1 / 2) / (3 / 4))
    # E: households and no beneficiary of any programme: a row for each, exclusion 1.0.
    for programme in ("BPNT", "KIS", "PKH"):
        e = rows[("E", programme)]
        assert e["beneficiary_households"] == 0 and e["exclusion_error"] == 1.0
        assert e["coverage"] == 0.0
        assert e["inclusion_error"] is None and e["cgh"] is None
    # U: only unmatched list rows, whatever the list says its desa is.
    assert rows[("U", "PKH")]["beneficiary_households"] == 0
    assert rows[("U", "PKH")]["exclusion_error"] == 1.0
    assert rows[(None, "PKH")]["unmatched_rows"] == 2  # rows, not households
    assert rows[(None, "BPNT")]["unmatched_rows"] == 2  # empty and missing id
    assert (None, "KIS") not in rows  # nothing unmatched there
    assert rows[(None, "PKH")]["households"] == 0
    assert rows[(None, "PKH")]["exclusion_error"] is None
    # R: nobody eligible, one better-off household listed.
    r = rows[("R", "BPNT")]
    assert r["eligible_households"] == 0 and r["exclusion_error"] is None
    assert r["inclusion_error"] == 1.0 and r["coverage"] is None and r["cgh"] is None
    assert sum(got["unmatched_rows"].to_pylist()) == 4
    assert got.num_rows == 4 * 3 + 2
    assert [k[0] for k in by_key(got)][-1] is None  # the unmatched rows come last


def test_no_by_counts_unmatched_on_the_one_row() -> None:
    registry, lists = village()
    got = convergence(reg_table(registry), list_table(lists), eligible_max_decile=4)
    rows = {r["programme"]: r for r in got.to_pylist()}
    assert sorted(rows) == ["BPNT", "KIS", "PKH"]
    assert rows["PKH"]["unmatched_rows"] == 2 and rows["KIS"]["unmatched_rows"] == 0
    assert rows["PKH"]["households"] == 8


def test_k0_nobody_and_k10_everyone_eligible() -> None:
    registry, lists = village()
    reg, lst = reg_table(registry), list_table(lists)
    none = by_key(convergence(reg, lst, eligible_max_decile=0, by=["desa"]))
    every = by_key(convergence(reg, lst, eligible_max_decile=10, by=["desa"]))
    a0, a10 = none[("A", "PKH")], every[("A", "PKH")]
    assert a0["eligible_households"] == 0 and a0["eligible_persons"] == 0
    assert a0["exclusion_error"] is None and a0["coverage"] is None and a0["cgh"] is None
    assert a0["inclusion_error"] == 1.0
    assert a10["eligible_households"] == 4 and a10["inclusion_error"] == 0.0
    assert a10["exclusion_error"] == 0.5 and a10["coverage"] == 6 / 11
    assert a10["cgh"] == 1.0


def test_a_programme_without_rule_keeps_its_counts() -> None:
    registry, lists = village()
    rules = {"PKH": 4, "BPNT": None, "KIS": 3, "PIP": 2}
    rows = by_key(
        convergence(reg_table(registry), list_table(lists), eligible_max_decile=rules, by=["desa"])
    )
    b = rows[("A", "BPNT")]
    assert b["eligible_max_decile"] is None
    assert (b["households"], b["beneficiary_households"], b["beneficiary_persons"]) == (4, 2, 6)
    for column in ("eligible_households", "eligible_persons", *FRACTIONS):
        assert b[column] is None, column
    assert rows[(None, "BPNT")]["unmatched_rows"] == 2
    # PIP has a rule and nobody listed: it reaches no one, everywhere.
    assert rows[("A", "PIP")]["exclusion_error"] == 1.0
    assert rows[("A", "PKH")]["eligible_max_decile"] == 4


def test_a_default_rule_through_a_defaultdict() -> None:
    registry, lists = village()
    rules: defaultdict[str, int | None] = defaultdict(lambda: 4, {"KIS": None})
    got = convergence(reg_table(registry), list_table(lists), eligible_max_decile=rules)
    by_prog = {r["programme"]: r["eligible_max_decile"] for r in got.to_pylist()}
    assert by_prog == {"BPNT": 4, "KIS": None, "PKH": 4}
    assert dict(rules) == {"KIS": None}  # the caller's mapping is left as it was


def test_ids_and_programmes_are_compared_without_surrounding_spaces() -> None:
    registry, _ = village()
    lists = [
        {"household_id": " A1", "programme": "PKH"},
        {"household_id": "A1 ", "programme": " PKH "},
        {"household_id": "A2", "programme": "PKH  "},
    ]
    got = convergence(reg_table(registry), list_table(lists), eligible_max_decile=4)
    assert got["programme"].to_pylist() == ["PKH"]
    assert got["beneficiary_households"].to_pylist() == [2]
    assert got["unmatched_rows"].to_pylist() == [0]


def test_a_programme_missing_from_the_rules_is_an_error() -> None:
    registry, lists = village()
    with pytest.raises(ValueError, match="no eligibility rule for programme KIS"):
        convergence(
            reg_table(registry), list_table(lists), eligible_max_decile={"PKH": 4, "BPNT": 4}
        )


@pytest.mark.parametrize("k", [-1, 11, 2.5, True, "4"])
def test_k_outside_0_to_10_is_refused(k: Any) -> None:
    registry, lists = village()
    with pytest.raises(ValueError, match="from 0"):
        convergence(reg_table(registry), list_table(lists), eligible_max_decile=k)
    with pytest.raises(ValueError, match="from 0"):
        convergence(reg_table(registry), list_table(lists), eligible_max_decile={"PKH": k})


def test_an_empty_list_gives_no_rows_or_the_declared_programmes() -> None:
    registry, _ = village()
    empty = list_table([])
    assert convergence(reg_table(registry), empty, eligible_max_decile=4, by=["desa"]).num_rows == 0
    got = convergence(reg_table(registry), empty, eligible_max_decile={"PKH": 4}, by=["desa"])
    assert got.num_rows == 4 and set(got["beneficiary_households"].to_pylist()) == {0}


# --------------------------------------------------------------------------- the lists


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.sampled_from([(), ("desa",)]), st.integers(0, 10), st.integers(1, 3))
def test_lists_match_brute_force(
    world: tuple[list[Row], list[Row]], by: tuple[str, ...], k: int, min_programmes: int
) -> None:
    registry, lists = world
    reg, lst = reg_table(registry), list_table(lists)
    ids = {r["household_id"]: r for r in registry}
    on = {
        p: {clean(r["household_id"]) for r in lists if r["programme"] == p} & set(ids)
        for p in PROGRAMMES
    }
    listed = sorted({r["programme"] for r in lists})
    # overlap: every group x every ordered pair
    groups = sorted({tuple(r[b] for b in by) for r in registry})
    expected = {
        (*g, a, b): sum(1 for h in on[a] & on[b] if tuple(ids[h][c] for c in by) == g)
        for g in groups
        for a in listed
        for b in listed
    }
    got = {
        (*(r[c] for c in by), r["programme_a"], r["programme_b"]): r["households"]
        for r in overlap(reg, lst, by=by).to_pylist()
    }
    assert got == expected
    # unreached eligible
    anywhere = set().union(*on.values())
    want = sorted(h for h, r in ids.items() if r["decile"] <= k and h not in anywhere)
    out = unreached_eligible(reg, lst, eligible_max_decile=k)
    assert out["household_id"].to_pylist() == want
    assert out.column_names == reg.column_names
    # better-off on several lists
    min_decile = max(k, 1)
    counts = {h: sorted(p for p in PROGRAMMES if h in on[p]) for h in ids}
    want_rows = [
        (h, len(ps), ",".join(ps))
        for h, ps in sorted(counts.items())
        if ids[h]["decile"] >= min_decile and len(ps) >= min_programmes
    ]
    flagged = well_off_multiple(reg, lst, min_decile=min_decile, min_programmes=min_programmes)
    assert [
        (r["household_id"], r["programmes"], r["programme_list"]) for r in flagged.to_pylist()
    ] == want_rows
    assert flagged.column_names == [*reg.column_names, "programmes", "programme_list"]
    # unmatched
    lost = unmatched(reg, lst)
    want_lost = sorted(
        (r["programme"], r["household_id"] or "")
        for r in lists
        if clean(r["household_id"]) not in ids
    )
    assert sorted((r["programme"], r["household_id"] or "") for r in lost.to_pylist()) == want_lost
    reasons = {
        "no_household_id" if clean(r["household_id"]) is None else "not_in_registry"
        for r in lost.to_pylist()
    }
    assert set(lost["unmatched_reason"].to_pylist()) == reasons


def test_unmatched_keeps_every_column_of_the_list() -> None:
    registry, lists = village()
    lost = unmatched(reg_table(registry), list_table(lists))
    assert lost.column_names == [*list_table(lists).column_names, "unmatched_reason"]
    assert lost.num_rows == 4
    assert set(lost["desa_code"].to_pylist()) == {"U"}
    by_prog = convergence(reg_table(registry), list_table(lists), eligible_max_decile=4)
    assert sum(by_prog["unmatched_rows"].to_pylist()) == lost.num_rows


# --------------------------------------------------------------------------- bad input


def bad_registry(**changes: Any) -> pa.Table:
    registry, _ = village()
    registry[2] = {**registry[2], **changes}
    return pa.Table.from_pylist(registry)


@pytest.mark.parametrize(
    ("changes", "column", "reason"),
    [
        ({"decile": 0}, "decile", "not a whole number from 1 to 10"),
        ({"decile": 11}, "decile", "not a whole number from 1 to 10"),
        ({"decile": 2.5}, "decile", "not a whole number from 1 to 10"),
        ({"decile": None}, "decile", "no decile"),
        ({"persons": 0}, "persons", "fewer than one person"),
        ({"persons": None}, "persons", "no number of persons"),
        ({"persons": 1.5}, "persons", "not whole"),
        ({"household_id": "A1"}, "household_id", "listed more than once"),
        ({"desa": None}, "desa", "no area"),
    ],
)
def test_bad_registry_rows_are_refused(changes: Row, column: str, reason: str) -> None:
    _, lists = village()
    with pytest.raises(InputError) as err:
        convergence(bad_registry(**changes), list_table(lists), eligible_max_decile=4, by=["desa"])
    message = str(err.value)
    assert f"{column}: " in message and reason in message
    assert "registry" in message
    assert "A" in message.split(reason, 1)[1]  # an example household id


def test_missing_columns_are_named_for_both_inputs() -> None:
    registry, lists = village()
    reg = reg_table(registry).drop_columns(["decile"])
    lst = list_table(lists).rename_columns(["desa_code", "household_id", "program"])
    with pytest.raises(InputError) as err:
        convergence(reg, lst, eligible_max_decile=4, by=["desa_code"])
    message = str(err.value)
    assert "decile: no such column in the registry" in message
    assert "desa_code: no such column in the registry" in message
    assert "programme: no such column in the beneficiary list" in message


def test_a_list_row_without_programme_is_refused() -> None:
    registry, lists = village()
    lists[3] = {**lists[3], "programme": " "}
    with pytest.raises(
        InputError, match="programme: 1 row with no programme in the beneficiary list"
    ):
        convergence(reg_table(registry), list_table(lists), eligible_max_decile=4)


def test_an_empty_registry_is_refused() -> None:
    _, lists = village()
    with pytest.raises(InputError, match="the registry has no rows"):
        convergence(reg_table([]), list_table(lists), eligible_max_decile=4)


@pytest.mark.parametrize("by", [["decile"], ["persons"], ["desa", "desa"], ["households"]])
def test_bad_by_is_refused(by: list[str]) -> None:
    registry, lists = village()
    with pytest.raises(ValueError, match="by"):
        convergence(reg_table(registry), list_table(lists), eligible_max_decile=4, by=by)


# --------------------------------------------------------------------------- sources


def test_csv_files_and_registered_views(tmp_path: Path) -> None:
    registry, lists = village()
    reg, lst = reg_table(registry), list_table(lists)
    pacsv.write_csv(reg, tmp_path / "reg.csv")
    pacsv.write_csv(lst, tmp_path / "lists.csv")
    expected = convergence(reg, lst, eligible_max_decile=4, by=["kec", "desa"])
    from_csv = convergence(
        tmp_path / "reg.csv", tmp_path / "lists.csv", eligible_max_decile=4, by=["kec", "desa"]
    )
    assert from_csv.to_pylist() == expected.to_pylist()
    con = duckdb.connect()
    con.execute("CREATE TABLE households AS SELECT * FROM reg")
    con.execute("CREATE TABLE lists AS SELECT * FROM lst")
    from_views = convergence(
        "households",
        "lists",
        eligible_max_decile=4,
        by=["kec", "desa"],
        engine=DuckDBEngine(con),
    )
    assert from_views.to_pylist() == expected.to_pylist()


def test_docstring_examples_run() -> None:
    # importlib: the package exports the function `convergence` under the module's name.
    module = importlib.import_module("sinergi.targeting.convergence")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 10


# --------------------------------------------------------------------------- CLI


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_village(folder: Path) -> tuple[Path, Path]:
    registry, lists = village()
    pacsv.write_csv(reg_table(registry), folder / "registry.csv")
    pq.write_table(list_table(lists), folder / "lists.parquet")
    return folder / "registry.csv", folder / "lists.parquet"


def test_cli_writes_one_row_per_group_and_programme(tmp_path: Path) -> None:
    reg, lst = write_village(tmp_path)
    out = tmp_path / "out" / "convergence.csv"
    result = run(
        "convergence", reg, lst, "--eligible-max-decile", "4", "--by", "kec,desa", "--out", out
    )
    assert result.exit_code == 0, result.output
    assert "14 rows for 3 programme(s)" in result.output
    written = pacsv.read_csv(
        out, convert_options=pacsv.ConvertOptions(strings_can_be_null=True)
    ).to_pylist()
    expected = convergence(reg, lst, eligible_max_decile=4, by=["kec", "desa"]).to_pylist()
    assert len(written) == len(expected)
    assert list(written[0]) == list(expected[0])
    for have, want in zip(written, expected, strict=True):
        assert str(have["desa"]) == str(want["desa"]) and have["programme"] == want["programme"]
        for column in (*COUNTS, *FRACTIONS):
            assert have[column] == (
                pytest.approx(want[column]) if want[column] is not None else None
            ), column
    assert sorted(p.name for p in out.parent.iterdir()) == ["convergence.csv"]


def test_cli_per_programme_rules(tmp_path: Path) -> None:
    reg, lst = write_village(tmp_path)
    out = tmp_path / "c.parquet"
    result = run(
        "convergence", reg, lst, "--eligible-max-decile", "4,KIS=none,BPNT=3", "--out", out
    )
    assert result.exit_code == 0, result.output
    rules = {r["programme"]: r["eligible_max_decile"] for r in pq.read_table(out).to_pylist()}
    assert rules == {"BPNT": 3, "KIS": None, "PKH": 4}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "desa_code"], "desa_code: no such column in the registry"),
        (["--eligible-max-decile", "11"], "0 to 10"),
        (["--eligible-max-decile", "PKH=4"], "no eligibility rule for programme BPNT, KIS"),
        (["--out", "x.txt"], ".csv or .parquet"),
    ],
)
def test_cli_refuses_bad_input_and_writes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    reg, lst = write_village(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    options = {"--eligible-max-decile": "4", "--out": str(out_dir / "c.csv")}
    extra: list[str] = []
    for i in range(0, len(args), 2):
        if args[i] == "--out":
            options["--out"] = str(out_dir / args[i + 1])
        elif args[i] in options:
            options[args[i]] = args[i + 1]
        else:
            extra += args[i : i + 2]
    flat = [x for pair in options.items() for x in pair]
    result = CliRunner().invoke(main, ["convergence", str(reg), str(lst), *flat, *extra])
    assert result.exit_code != 0
    assert message in result.output
    assert list(out_dir.iterdir()) == []


def test_cli_help_names_the_contract() -> None:
    result = run("convergence", "--help")
    assert result.exit_code == 0
    for word in ("--eligible-max-decile", "--by", "--out", "--engine", "unmatched_rows", "cgh"):
        assert word in result.output


# --------------------------------------------------------------------------- engines


def _world(n: int = 400) -> tuple[list[Row], list[Row]]:
    import numpy as np

    rng = np.random.default_rng(7)
    registry = [
        {
            "household_id": f"H{i:04d}",
            "desa": str(rng.choice(["2001", "2002", "2003", "2004"])),
            "kec": str(rng.choice(["16.07.01", "16.07.02"])),
            "decile": int(rng.integers(1, 11)),
            "persons": int(rng.integers(1, 9)),
        }
        for i in range(n)
    ]
    registry.append(
        {"household_id": "EMPTY", "desa": "2999", "kec": "16.07.09", "decile": 1, "persons": 3}
    )
    lists = [
        {
            "household_id": f"H{int(rng.integers(0, n * 1.1)):04d}" if rng.random() > 0.03 else "",
            "programme": str(rng.choice(["PKH", "BPNT", "KIS", "PIP"])),
        }
        for _ in range(n)
    ]
    return registry, lists


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_agree_with_brute_force(engine: str, make_engine: Any, tmp_path: Path) -> None:
    registry, lists = _world()
    pq.write_table(reg_table(registry), tmp_path / "reg.parquet")
    pq.write_table(list_table(lists), tmp_path / "lists.parquet")
    reg, lst = tmp_path / "reg.parquet", tmp_path / "lists.parquet"
    eng = make_engine(engine)
    rules = {"PKH": 3, "BPNT": 4, "KIS": None, "PIP": 10}
    by = ("kec", "desa")
    got = convergence(reg, lst, eligible_max_decile=rules, by=by, engine=eng)
    assert_matches(got, brute_force(registry, lists, rules, by), by)
    reference = DuckDBEngine()
    assert (
        got.schema
        == convergence(reg, lst, eligible_max_decile=rules, by=by, engine=reference).schema
    )
    for func, kwargs in [
        (overlap, {"by": ["desa"]}),
        (unreached_eligible, {"eligible_max_decile": 3}),
        (well_off_multiple, {"min_decile": 6, "min_programmes": 2}),
        (unmatched, {}),
    ]:
        here = func(reg, lst, engine=eng, **kwargs)  # type: ignore[operator]
        there = func(reg, lst, engine=reference, **kwargs)  # type: ignore[operator]
        assert here.num_rows > 0, func.__name__
        assert here.to_pylist() == there.to_pylist(), func.__name__
    if engine == "spark":
        # A view already in the Spark session is read by its name, as on DuckDB.
        eng.session.read.parquet(str(reg)).createOrReplaceTempView("conv_test_registry")
        eng.session.read.parquet(str(lst)).createOrReplaceTempView("conv_test_lists")
        named = convergence(
            "conv_test_registry", "conv_test_lists", eligible_max_decile=rules, by=by, engine=eng
        )
        assert named.to_pylist() == got.to_pylist()
