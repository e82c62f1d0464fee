"""Convergence and targeting errors: do the programmes reach the households the rule picks?

A *registry* has one row per household (``household_id``, ``persons``,
``decile`` and the area columns); each programme's *beneficiary list* has one
row per listed household (``household_id``, ``programme``, any other columns).
The rule (DESIGN.md, "Targeting rules"): a household is eligible for a
programme when its decile is at most the programme's ``K``.

Per area group and programme:

``households``, ``persons``
    the registry's households and persons of the group;
``eligible_households``, ``eligible_persons``
    those with decile <= K;
``beneficiary_households``, ``beneficiary_persons``
    distinct registry households of the group on the programme's list (a
    household listed twice counts once) and their persons;
``eligible_beneficiary_households``, ``eligible_beneficiary_persons``
    the eligible ones among them (kept so that groups can be summed up to a
    larger area and the fractions recomputed);
``inclusion_error``
    beneficiary households with decile > K / beneficiary households;
``exclusion_error``
    eligible households not on the list / eligible households;
``coverage``
    persons in eligible households on the list / persons in eligible households;
``cgh``
    the Coady-Grosh-Hoddinott indicator: the share of the programme's
    beneficiary households that are eligible, divided by the share of all
    the group's households that are eligible. The unit is the household, as
    for the errors (a person-weighted CGH would favour large households, which
    the decile rule already weights by persons). 1 is neutral (random)
    targeting, above 1 progressive; undefined when no household is eligible
    or none is on the list;
``unmatched_rows``
    list rows whose household id is empty or not in the registry. They cannot
    be placed in an area, so with ``by`` columns they are counted on an extra
    row per programme whose area columns are null (only when there are
    some); :func:`unmatched` lists them.

Fractions are floats in 0..1, null (never 0 or NaN) when their denominator
is 0. A programme without a rule (``K = None``) keeps its counts but has null
eligible counts, errors, coverage and CGH. Every group of the registry gets a
row for every programme, so an area no programme reaches shows an exclusion
error of 1.0. Household ids are compared as text with surrounding spaces
removed; the area of a listed household is the registry's, whatever the list
says.

The SQL is written once in DuckDB's dialect and runs on DuckDB or Spark
through :mod:`sinergi.stats._engines`.

Examples
--------
>>> import pyarrow as pa
>>> reg = pa.table({"household_id": ["a", "b", "c", "d"], "persons": [4, 2, 3, 1],
...                 "decile": [1, 2, 7, 9], "desa": ["x", "x", "x", "y"]})
>>> ben = pa.table({"household_id": ["a", "a", "c", "zz"], "programme": ["PKH"] * 4})
>>> out = convergence(reg, ben, eligible_max_decile=3, by=["desa"]).to_pylist()
>>> [(r["desa"], r["beneficiary_households"], r["exclusion_error"], r["unmatched_rows"])
...  for r in out]
[('x', 2, 0.5, 0), ('y', 0, None, 0), (None, 0, None, 1)]
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from sinergi.stats._engines import Engine, EngineName, SparkEngine, get_engine, temp_name
from sinergi.stats._errors import InputError, Problem

from .deciles import EXAMPLES, _q

__all__ = [
    "CONVERGENCE_COLUMNS",
    "convergence",
    "overlap",
    "unmatched",
    "unreached_eligible",
    "well_off_multiple",
]

#: The registry columns every function reads (besides the ``by`` columns).
REGISTRY_COLUMNS = ("household_id", "persons", "decile")
#: The beneficiary-list columns every function reads.
LIST_COLUMNS = ("household_id", "programme")

#: The output columns of :func:`convergence` after the ``by`` columns, with their types.
CONVERGENCE_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("programme", pa.string()),
    ("eligible_max_decile", pa.int64()),
    ("households", pa.int64()),
    ("persons", pa.int64()),
    ("eligible_households", pa.int64()),
    ("eligible_persons", pa.int64()),
    ("beneficiary_households", pa.int64()),
    ("beneficiary_persons", pa.int64()),
    ("eligible_beneficiary_households", pa.int64()),
    ("eligible_beneficiary_persons", pa.int64()),
    ("inclusion_error", pa.float64()),
    ("exclusion_error", pa.float64()),
    ("coverage", pa.float64()),
    ("cgh", pa.float64()),
    ("unmatched_rows", pa.int64()),
)

Rules = int | Mapping[str, int | None]


# --------------------------------------------------------------------------- inputs


def _hid(column: str = "household_id", alias: str = "") -> str:
    """A household id as the functions compare it: text, without surrounding spaces."""
    prefix = f"{alias}." if alias else ""
    return f"TRIM(CAST({prefix}{_q(column)} AS VARCHAR))"


def _register(engine: Engine, source: Any, name: str) -> None:
    if (
        isinstance(engine, SparkEngine)
        and isinstance(source, str)
        and not os.path.exists(source)
        and engine.session.catalog.tableExists(source)
    ):
        # The engine layer reads a string as a path on Spark; a session view is a frame.
        source = engine.session.table(source)
    engine.register(source, name)


def _examples(engine: Engine, view: str, cond: str) -> str:
    rows = engine.fetch(
        f"SELECT DISTINCT {_hid()} AS i FROM {view} WHERE ({cond}) "
        f"AND {_hid()} IS NOT NULL AND {_hid()} <> '' ORDER BY 1 LIMIT {EXAMPLES}"
    )
    return f" (e.g. household_id {', '.join(str(r['i']) for r in rows)})" if rows else ""


def _missing(engine: Engine, view: str, wanted: Sequence[str], what: str) -> list[Problem]:
    columns = engine.column_types(view)
    known = ", ".join(sorted(columns))
    return [
        Problem(c, 0, f"no such column in the {what} (it has: {known})")
        for c in wanted
        if c not in columns
    ]


def _row_problems(
    engine: Engine, view: str, checks: Sequence[tuple[str, str, str]], what: str
) -> tuple[list[Problem], int]:
    """Count the rows failing each check in one scan; also return the number of rows."""
    counts = "".join(
        f", SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS c{i}"
        for i, (_c, cond, _r) in enumerate(checks)
    )
    row = engine.fetch(f"SELECT COUNT(*) AS n{counts} FROM {view}")[0]
    problems = []
    for i, (column, cond, reason) in enumerate(checks):
        count = int(row[f"c{i}"] or 0)
        if count:
            problems.append(
                Problem(column, count, f"{reason} in the {what}{_examples(engine, view, cond)}")
            )
    return problems, int(row["n"])


def _check_registry(engine: Engine, view: str, by: Sequence[str]) -> list[Problem]:
    missing = _missing(engine, view, [*REGISTRY_COLUMNS, *by], "registry")
    if missing:
        return missing
    hid = _hid()
    p, d = "TRY_CAST(persons AS DOUBLE)", "TRY_CAST(decile AS DOUBLE)"
    checks: list[tuple[str, str, str]] = [
        ("household_id", f"{hid} IS NULL OR {hid} = ''", "no household id"),
        ("persons", "persons IS NULL", "no number of persons"),
        (
            "persons",
            f"persons IS NOT NULL AND ({p} IS NULL OR isnan({p}))",
            "a number of persons that is not a number",
        ),
        ("persons", f"{p} < 1", "fewer than one person (a household has at least one person)"),
        ("persons", f"{p} >= 1 AND {p} <> FLOOR({p})", "a number of persons that is not whole"),
        ("decile", "decile IS NULL", "no decile"),
        (
            "decile",
            f"decile IS NOT NULL AND ({d} IS NULL OR isnan({d}))",
            "a decile that is not a number",
        ),
        (
            "decile",
            f"{d} < 1 OR {d} > 10 OR {d} <> FLOOR({d})",
            "a decile that is not a whole number from 1 to 10",
        ),
        *((b, f"{_q(b)} IS NULL", "no area") for b in by),
    ]
    problems, rows = _row_problems(engine, view, checks, "registry")
    if rows == 0:
        problems.append(Problem("household_id", 0, "the registry has no rows"))
    dup = engine.fetch(
        f"SELECT i, c FROM (SELECT {hid} AS i, COUNT(*) AS c FROM {view} "
        f"WHERE {hid} <> '' GROUP BY {hid} HAVING COUNT(*) > 1) dup ORDER BY i"
    )
    if dup:
        ids = ", ".join(str(r["i"]) for r in dup[:EXAMPLES])
        problems.append(
            Problem(
                "household_id",
                sum(int(r["c"]) for r in dup),
                f"a household id listed more than once in the registry (e.g. {ids})",
            )
        )
    return problems


def _check_list(engine: Engine, view: str) -> list[Problem]:
    missing = _missing(engine, view, LIST_COLUMNS, "beneficiary list")
    if missing:
        return missing
    prog = "TRIM(CAST(programme AS VARCHAR))"
    checks = [("programme", f"{prog} IS NULL OR {prog} = ''", "no programme")]
    return _row_problems(engine, view, checks, "beneficiary list")[0]


def _check_by(by: Sequence[str]) -> list[str]:
    by = list(by)
    reserved = {*REGISTRY_COLUMNS, *(c for c, _t in CONVERGENCE_COLUMNS)}
    clash = [b for b in by if b in reserved or b.startswith("_")]
    if clash:
        raise ValueError(
            f"cannot group by {', '.join(clash)}: give area columns "
            f"(not {', '.join(sorted(reserved))} or a name starting with _)"
        )
    if len(set(by)) != len(by):
        raise ValueError(f"a column is given twice in by: {', '.join(by)}")
    return by


@contextmanager
def _inputs(
    engine: Engine, registry: Any, beneficiaries: Any, by: Sequence[str] = ()
) -> Iterator[tuple[str, str]]:
    """Register and validate both inputs; yield their view names; drop them afterwards."""
    views: list[str] = []
    try:
        reg, lst = temp_name("conv_registry"), temp_name("conv_list")
        _register(engine, registry, reg)
        views.append(reg)
        _register(engine, beneficiaries, lst)
        views.append(lst)
        problems = _check_registry(engine, reg, by) + _check_list(engine, lst)
        if problems:
            raise InputError(problems, header="cannot compute convergence")
        yield reg, lst
    finally:
        for view in views:
            engine.drop(view)


def _ctes(reg: str, lst: str, by: Sequence[str]) -> str:
    """``reg_rows`` (registry, typed) and ``list_rows`` (list, normalised) as SQL CTEs."""
    cols = "".join(f", {_q(b)}" for b in by)
    return (
        f"reg_rows AS (SELECT {_hid()} AS _hid, CAST(CAST(persons AS DOUBLE) AS BIGINT) AS _n, "
        f"CAST(CAST(decile AS DOUBLE) AS INTEGER) AS _d{cols} FROM {reg}), "
        f"list_rows AS (SELECT {_hid()} AS _hid, TRIM(CAST(programme AS VARCHAR)) AS _prog "
        f"FROM {lst})"
    )


def _programmes(engine: Engine, lst: str) -> list[str]:
    rows = engine.fetch(
        f"SELECT DISTINCT TRIM(CAST(programme AS VARCHAR)) AS p FROM {lst} ORDER BY 1"
    )
    return [str(r["p"]) for r in rows]


def _check_k(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(
            f"{what} must be a whole number from 0 (nobody eligible) to 10 (everyone), "
            f"or None for no rule; got {value!r}"
        )
    return value


def _rules(spec: Rules, programmes: Sequence[str]) -> dict[str, int | None]:
    """Each programme's K: one for all, or a mapping that must cover every listed programme."""
    if isinstance(spec, Mapping):
        # A defaultdict answers a missing key by inserting it: ask a copy, not the caller's.
        lookup = copy.copy(spec) if isinstance(spec, dict) else spec
        rules: dict[str, int | None] = {}
        missing = []
        for programme in programmes:
            try:
                rules[programme] = _check_k(lookup[programme], f"the rule of {programme}")
            except KeyError:
                missing.append(programme)
        if missing:
            raise ValueError(
                f"no eligibility rule for programme {', '.join(missing)}: give each programme "
                "a maximum decile, or None for a programme without a rule"
            )
        for key, value in spec.items():
            name = str(key).strip()
            if name and name not in rules:
                # A programme with a rule but nobody listed yet: it reaches no one.
                rules[name] = _check_k(value, f"the rule of {name}")
        return dict(sorted(rules.items()))
    if spec is None:
        raise ValueError("give eligible_max_decile: one K for all programmes or a mapping")
    k = _check_k(spec, "eligible_max_decile")
    return dict.fromkeys(programmes, k)


# --------------------------------------------------------------------------- functions


def convergence(
    registry: Any,
    beneficiaries: Any,
    *,
    eligible_max_decile: Rules,
    by: Sequence[str] = (),
    engine: EngineName | Engine = "duckdb",
) -> pa.Table:
    """Targeting errors, coverage and CGH of every programme in every area group.

    Parameters
    ----------
    registry
        A ``pyarrow.Table`` (or pandas/polars frame), a CSV or Parquet path, or
        a view name known to ``engine``: one row per household with
        ``household_id`` (unique), ``persons`` (whole, >= 1), ``decile``
        (1..10) and the ``by`` columns (no nulls).
    beneficiaries
        The same kinds of source: ``household_id`` and ``programme``, one row
        per listed household (repeats count once); other columns are ignored.
    eligible_max_decile
        ``K``: eligible = decile <= K (0 = nobody, 10 = everyone). One ``int``
        for every programme, or a mapping programme -> K or ``None`` (no rule)
        that must hold every listed programme (a missing one is an error; a
        ``collections.defaultdict`` gives a default). A programme in the
        mapping that nobody is listed for still gets its rows.
    by
        Area columns of the registry, e.g. ``["kecamatan_code", "desa_code"]``;
        empty = one group.
    engine
        ``"duckdb"`` (default), ``"spark"``, or an engine object.

    Returns
    -------
    pyarrow.Table
        One row per (group, programme), sorted by the ``by`` columns and
        programme, plus (with ``by``) one row per programme with unmatched
        list rows whose ``by`` columns are null: the ``by`` columns, then
        :data:`CONVERGENCE_COLUMNS` (see the module docstring).

    Raises
    ------
    sinergi.stats.InputError
        A missing column (named), or registry rows with no or a repeated id,
        no, bad or fractional persons, a decile outside 1..10 or none, no area;
        list rows with no programme: every problem with its count and
        example household ids, in one message.
    ValueError
        ``K`` outside 0..10, a programme without a rule, or a bad ``by``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> reg = pa.table({"household_id": ["a", "b", "c"], "persons": [5, 3, 2],
    ...                 "decile": [1, 3, 8]})
    >>> ben = pa.table({"household_id": ["a", "c", "c"], "programme": ["PKH"] * 3})
    >>> row = convergence(reg, ben, eligible_max_decile=4).to_pylist()[0]
    >>> row["beneficiary_households"], row["inclusion_error"], row["exclusion_error"]
    (2, 0.5, 0.5)
    >>> row["coverage"], round(row["cgh"], 3)
    (0.625, 0.75)
    """
    eng = get_engine(engine)
    by = _check_by(by)
    if isinstance(eligible_max_decile, int):
        _check_k(eligible_max_decile, "eligible_max_decile")
    with _inputs(eng, registry, beneficiaries, by) as (reg, lst):
        rules = _rules(eligible_max_decile, _programmes(eng, lst))
        schema = _convergence_schema(eng, reg, by)
        if not rules:
            return schema.empty_table()
        rules_view = temp_name("conv_rules")
        eng.register(
            pa.table(
                {
                    "_prog": pa.array(list(rules), pa.string()),
                    "_k": pa.array(list(rules.values()), pa.int32()),
                }
            ),
            rules_view,
        )
        try:
            table = eng.fetch_arrow(_convergence_sql(reg, lst, rules_view, by))
        finally:
            eng.drop(rules_view)
    return add_fractions(table).select(schema.names).cast(schema)


def add_fractions(counts: pa.Table) -> pa.Table:
    """``counts`` with the four fractions appended, by the definitions of the module
    docstring: the one place they are computed, for the engine's rows and for any sum
    of them over a larger area (the counts add up, the fractions do not).

    A fraction with a zero denominator, or of a programme without a rule (null eligible
    counts), is null.

    >>> t = pa.table({"households": [10], "beneficiary_households": [4],
    ...               "eligible_households": [5], "eligible_beneficiary_households": [3],
    ...               "eligible_persons": [20], "eligible_beneficiary_persons": [12]})
    >>> row = add_fractions(t).to_pylist()[0]
    >>> row["inclusion_error"], row["exclusion_error"], row["coverage"], row["cgh"]
    (0.25, 0.4, 0.6, 1.5)
    """
    real = pa.float64()
    nothing = pa.scalar(None, real)

    def column(name: str) -> Any:
        return counts.column(name)

    def ratio(numerator: Any, denominator: Any) -> Any:
        return pc.if_else(pc.equal(denominator, 0), nothing, pc.divide(numerator, denominator))

    hh, bh = column("households"), column("beneficiary_households")
    eh, ebh = column("eligible_households"), column("eligible_beneficiary_households")
    ep, ebp = column("eligible_persons"), column("eligible_beneficiary_persons")
    fractions = {
        "inclusion_error": ratio(pc.cast(pc.subtract(bh, ebh), real), pc.cast(bh, real)),
        "exclusion_error": ratio(pc.cast(pc.subtract(eh, ebh), real), pc.cast(eh, real)),
        "coverage": ratio(pc.cast(ebp, real), pc.cast(ep, real)),
        "cgh": ratio(
            pc.multiply(pc.cast(ebh, real), pc.cast(hh, real)),
            pc.multiply(pc.cast(bh, real), pc.cast(eh, real)),
        ),
    }
    for name, values in fractions.items():
        if name in counts.column_names:
            counts = counts.drop_columns([name])
        counts = counts.append_column(name, pc.cast(values, real))
    return counts


def _convergence_schema(engine: Engine, reg: str, by: Sequence[str]) -> pa.Schema:
    if by:
        sample = engine.fetch_arrow(f"SELECT {', '.join(_q(b) for b in by)} FROM {reg} LIMIT 0")
        fields = [sample.schema.field(b) for b in by]
        # Spark hands text over as large_string; one type whatever the engine.
        fields = [
            f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in fields
        ]
    else:
        fields = []
    return pa.schema([*fields, *(pa.field(c, t) for c, t in CONVERGENCE_COLUMNS)])


def _convergence_sql(reg: str, lst: str, rules: str, by: Sequence[str]) -> str:
    def cols(alias: str = "") -> str:
        prefix = f"{alias}." if alias else ""
        return "".join(f"{prefix}{_q(b)}, " for b in by)

    on_by = "".join(f" AND pop.{_q(b)} = ben.{_q(b)}" for b in by)
    eligible = "CASE WHEN rules._k IS NOT NULL AND _d <= rules._k THEN {x} ELSE 0 END"
    ruled = "CASE WHEN pop._k IS NULL THEN NULL ELSE {x} END"
    unmatched = "0" if by else "COALESCE(un.c, 0)"
    join_un = "" if by else " LEFT JOIN un ON pop._prog = un._prog"
    null_rows = (
        (
            " UNION ALL SELECT "
            + "".join(f"NULL AS {_q(b)}, " for b in by)
            + "un._prog, rules._k, 0, 0, "
            + ", ".join(["CASE WHEN rules._k IS NULL THEN NULL ELSE 0 END"] * 2)
            + ", 0, 0, "
            + ", ".join(["CASE WHEN rules._k IS NULL THEN NULL ELSE 0 END"] * 2)
            + ", un.c FROM un JOIN rules ON un._prog = rules._prog"
        )
        if by
        else ""
    )
    order = ", ".join([*(f"{_q(b)} NULLS LAST" for b in by), "programme"])
    return f"""
WITH {_ctes(reg, lst, by)},
rules AS (SELECT _prog, _k FROM {rules}),
hist AS (
  SELECT {cols()}_d, COUNT(*) AS hh, SUM(_n) AS pp FROM reg_rows GROUP BY {cols()}_d),
matched AS (
  SELECT DISTINCT {cols("r")}l._prog, r._hid, r._n, r._d
  FROM list_rows l JOIN reg_rows r ON l._hid = r._hid),
mhist AS (
  SELECT {cols()}_prog, _d, COUNT(*) AS hh, SUM(_n) AS pp
  FROM matched GROUP BY {cols()}_prog, _d),
pop AS (
  SELECT {cols("hist")}rules._prog, rules._k, SUM(hh) AS households, SUM(pp) AS persons,
    SUM({eligible.format(x="hh")}) AS eh, SUM({eligible.format(x="pp")}) AS ep
  FROM hist CROSS JOIN rules GROUP BY {cols("hist")}rules._prog, rules._k),
ben AS (
  SELECT {cols("mhist")}mhist._prog, SUM(hh) AS bh, SUM(pp) AS bp,
    SUM({eligible.format(x="hh")}) AS beh, SUM({eligible.format(x="pp")}) AS bep
  FROM mhist JOIN rules ON mhist._prog = rules._prog GROUP BY {cols("mhist")}mhist._prog),
un AS (
  SELECT l._prog, COUNT(*) AS c
  FROM list_rows l LEFT JOIN (SELECT _hid FROM reg_rows) r ON l._hid = r._hid
  WHERE r._hid IS NULL GROUP BY l._prog),
counted AS (
  SELECT {cols("pop")}pop._prog AS programme, pop._k AS eligible_max_decile,
    pop.households, pop.persons,
    {ruled.format(x="pop.eh")} AS eligible_households,
    {ruled.format(x="pop.ep")} AS eligible_persons,
    COALESCE(ben.bh, 0) AS beneficiary_households,
    COALESCE(ben.bp, 0) AS beneficiary_persons,
    {ruled.format(x="COALESCE(ben.beh, 0)")} AS eligible_beneficiary_households,
    {ruled.format(x="COALESCE(ben.bep, 0)")} AS eligible_beneficiary_persons,
    {unmatched} AS unmatched_rows
  FROM pop LEFT JOIN ben ON pop._prog = ben._prog{on_by}{join_un}{null_rows})
SELECT {cols()}programme,
  CAST(eligible_max_decile AS BIGINT) AS eligible_max_decile,
  CAST(households AS BIGINT) AS households,
  CAST(persons AS BIGINT) AS persons,
  CAST(eligible_households AS BIGINT) AS eligible_households,
  CAST(eligible_persons AS BIGINT) AS eligible_persons,
  CAST(beneficiary_households AS BIGINT) AS beneficiary_households,
  CAST(beneficiary_persons AS BIGINT) AS beneficiary_persons,
  CAST(eligible_beneficiary_households AS BIGINT) AS eligible_beneficiary_households,
  CAST(eligible_beneficiary_persons AS BIGINT) AS eligible_beneficiary_persons,
  CAST(unmatched_rows AS BIGINT) AS unmatched_rows
FROM counted
ORDER BY {order}
"""


def overlap(
    registry: Any,
    beneficiaries: Any,
    *,
    by: Sequence[str] = (),
    engine: EngineName | Engine = "duckdb",
) -> pa.Table:
    """Households on two programmes' lists, for every pair of programmes, in long form.

    Parameters
    ----------
    registry, beneficiaries, by, engine
        As for :func:`convergence`. Only list rows matched to a registry
        household count (an unmatched row has no area and no household).

    Returns
    -------
    pyarrow.Table
        ``by...``, ``programme_a``, ``programme_b``, ``households``: distinct
        registry households of the group on both lists. Every ordered pair
        of listed programmes in every group of the registry, zeros included;
        ``programme_a == programme_b`` gives the size of that list.

    Examples
    --------
    >>> import pyarrow as pa
    >>> reg = pa.table({"household_id": ["a", "b"], "persons": [1, 1], "decile": [1, 2]})
    >>> ben = pa.table({"household_id": ["a", "b", "a"], "programme": ["PKH", "PKH", "BPNT"]})
    >>> [tuple(r.values()) for r in overlap(reg, ben).to_pylist()]
    [('BPNT', 'BPNT', 1), ('BPNT', 'PKH', 1), ('PKH', 'BPNT', 1), ('PKH', 'PKH', 2)]
    """
    eng = get_engine(engine)
    by = _check_by(by)
    with _inputs(eng, registry, beneficiaries, by) as (reg, lst):
        r_cols = "".join(f"r.{_q(b)}, " for b in by)
        a_cols = "".join(f"a.{_q(b)}, " for b in by)
        g_cols = "".join(f"g.{_q(b)}, " for b in by)
        groups = f"(SELECT DISTINCT {', '.join(_q(b) for b in by)} FROM reg_rows) g CROSS JOIN "
        on_by = "".join(f" AND g.{_q(b)} = pairs.{_q(b)}" for b in by)
        order = ", ".join([*(_q(b) for b in by), "programme_a", "programme_b"])
        sql = f"""
WITH {_ctes(reg, lst, by)},
matched AS (
  SELECT DISTINCT {r_cols}l._prog, r._hid
  FROM list_rows l JOIN reg_rows r ON l._hid = r._hid),
progs AS (SELECT DISTINCT _prog FROM list_rows),
pairs AS (
  SELECT {a_cols}a._prog AS pa, c._prog AS pb, COUNT(*) AS hh
  FROM matched a JOIN matched c ON a._hid = c._hid
  GROUP BY {a_cols}a._prog, c._prog)
SELECT {g_cols if by else ""}p1._prog AS programme_a, p2._prog AS programme_b,
  CAST(COALESCE(pairs.hh, 0) AS BIGINT) AS households
FROM {groups if by else ""}progs p1 CROSS JOIN progs p2
LEFT JOIN pairs ON p1._prog = pairs.pa AND p2._prog = pairs.pb{on_by}
ORDER BY {order}
"""
        table = eng.fetch_arrow(sql)
    return _plain_strings(table)


def unreached_eligible(
    registry: Any,
    beneficiaries: Any,
    *,
    eligible_max_decile: int,
    engine: EngineName | Engine = "duckdb",
) -> pa.Table:
    """The registry rows of eligible households (decile <= K) on no programme's list.

    Returns every registry column, sorted by household id: the households a
    kecamatan operator should visit first.

    Examples
    --------
    >>> import pyarrow as pa
    >>> reg = pa.table({"household_id": ["a", "b", "c"], "persons": [1, 2, 3],
    ...                 "decile": [1, 2, 9]})
    >>> ben = pa.table({"household_id": ["a"], "programme": ["PKH"]})
    >>> unreached_eligible(reg, ben, eligible_max_decile=4)["household_id"].to_pylist()
    ['b']
    """
    eng = get_engine(engine)
    k = _check_k(eligible_max_decile, "eligible_max_decile")
    if k is None:
        raise ValueError("unreached_eligible needs a rule: eligible_max_decile from 0 to 10")
    with _inputs(eng, registry, beneficiaries) as (reg, lst):
        table = eng.fetch_arrow(
            f"SELECT reg.* FROM {reg} AS reg "
            f"LEFT JOIN (SELECT DISTINCT {_hid()} AS _hid FROM {lst}) l "
            f"ON {_hid(alias='reg')} = l._hid "
            f"WHERE l._hid IS NULL AND CAST(CAST(reg.decile AS DOUBLE) AS INTEGER) <= {k} "
            f"ORDER BY {_hid(alias='reg')}"
        )
    return _plain_strings(table)


def well_off_multiple(
    registry: Any,
    beneficiaries: Any,
    *,
    min_decile: int = 7,
    min_programmes: int = 2,
    engine: EngineName | Engine = "duckdb",
) -> pa.Table:
    """Registry rows of better-off households (decile >= ``min_decile``) on several lists.

    Returns
    -------
    pyarrow.Table
        Every registry column of the households with decile >= ``min_decile``
        on at least ``min_programmes`` distinct programmes' lists, plus
        ``programmes`` (how many) and ``programme_list`` (their names, sorted,
        joined by commas); sorted by household id.

    Examples
    --------
    >>> import pyarrow as pa
    >>> reg = pa.table({"household_id": ["a", "b"], "persons": [1, 2], "decile": [9, 2]})
    >>> ben = pa.table({"household_id": ["a", "a", "b", "b"],
    ...                 "programme": ["PKH", "BPNT", "PKH", "BPNT"]})
    >>> out = well_off_multiple(reg, ben)
    >>> out.select(["household_id", "programmes", "programme_list"]).to_pylist()
    [{'household_id': 'a', 'programmes': 2, 'programme_list': 'BPNT,PKH'}]
    """
    eng = get_engine(engine)
    if isinstance(min_decile, bool) or not isinstance(min_decile, int) or not 1 <= min_decile <= 10:
        raise ValueError(f"min_decile must be a whole number from 1 to 10; got {min_decile!r}")
    if (
        isinstance(min_programmes, bool)
        or not isinstance(min_programmes, int)
        or min_programmes < 1
    ):
        raise ValueError(f"min_programmes must be a whole number >= 1; got {min_programmes!r}")
    with _inputs(eng, registry, beneficiaries) as (reg, lst):
        clash = {"programmes", "programme_list", "_hid"} & set(eng.column_types(reg))
        if clash:
            raise ValueError(f"the registry already has a column {', '.join(sorted(clash))}")
        ctes = f"""WITH {_ctes(reg, lst, ())},
matched AS (
  SELECT DISTINCT r._hid, l._prog FROM list_rows l JOIN reg_rows r ON l._hid = r._hid
  WHERE r._d >= {min_decile}),
flagged AS (
  SELECT _hid, COUNT(*) AS programmes FROM matched GROUP BY _hid
  HAVING COUNT(*) >= {min_programmes})"""
        table = eng.fetch_arrow(
            f"{ctes} SELECT reg.*, CAST(f.programmes AS BIGINT) AS programmes, f._hid AS _hid "
            f"FROM {reg} AS reg JOIN flagged f ON {_hid(alias='reg')} = f._hid ORDER BY f._hid"
        )
        pairs = eng.fetch(
            f"{ctes} SELECT m._hid AS h, m._prog AS p FROM matched m "
            "JOIN flagged f ON m._hid = f._hid"
        )
    lists: dict[str, list[str]] = {}
    for pair in pairs:
        lists.setdefault(str(pair["h"]), []).append(str(pair["p"]))
    names = [",".join(sorted(lists[str(h)])) for h in table["_hid"].to_pylist()]
    table = table.drop_columns(["_hid"]).append_column(
        "programme_list", pa.array(names, pa.string())
    )
    return _plain_strings(table)


def unmatched(
    registry: Any, beneficiaries: Any, engine: EngineName | Engine = "duckdb"
) -> pa.Table:
    """The beneficiary-list rows that match no registry household, never silently dropped.

    Returns
    -------
    pyarrow.Table
        Every column of those list rows, plus ``unmatched_reason``:
        ``no_household_id`` (empty or missing) or ``not_in_registry``; sorted by
        programme and household id. Their count per programme is
        :func:`convergence`'s ``unmatched_rows``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> reg = pa.table({"household_id": ["a"], "persons": [1], "decile": [1]})
    >>> ben = pa.table({"household_id": ["a", "q", None], "programme": ["PKH"] * 3})
    >>> unmatched(reg, ben).select(["household_id", "unmatched_reason"]).to_pylist()
    [{'household_id': None, 'unmatched_reason': 'no_household_id'}, \
{'household_id': 'q', 'unmatched_reason': 'not_in_registry'}]
    """
    eng = get_engine(engine)
    with _inputs(eng, registry, beneficiaries) as (reg, lst):
        hid = _hid(alias="lst")
        table = eng.fetch_arrow(
            f"SELECT lst.*, CASE WHEN {hid} IS NULL OR {hid} = '' THEN 'no_household_id' "
            f"ELSE 'not_in_registry' END AS unmatched_reason "
            f"FROM {lst} AS lst LEFT JOIN (SELECT DISTINCT {_hid()} AS _hid FROM {reg}) r "
            f"ON {hid} = r._hid WHERE r._hid IS NULL "
            f"ORDER BY TRIM(CAST(lst.programme AS VARCHAR)), {hid} NULLS FIRST"
        )
    return _plain_strings(table)


def _plain_strings(table: pa.Table) -> pa.Table:
    """Spark hands text over as ``large_string``: one string type whatever the engine."""
    schema = pa.schema(
        [f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema]
    )
    return table.cast(schema)
