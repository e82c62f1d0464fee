"""Welfare deciles of persons within areas: the one implementation of the decile rule.

Rule (DESIGN.md, "Targeting rules"): within an area, households are ranked
by welfare score, lowest = poorest = decile 1, and a household's decile is
``1 + floor(10 * persons in households with a strictly lower score / all
persons of the area)``. Households with equal scores share a decile.

The rule is one SQL query written in DuckDB's dialect and run through the
engine layer (DuckDB, or Spark through sqlglot). "Strictly lower" is the
persons with a score up to and including the household's,
``SUM(persons) OVER (... ORDER BY score RANGE BETWEEN UNBOUNDED PRECEDING AND
CURRENT ROW)``, minus the persons of its peers (the tied scores,
``RANGE BETWEEN CURRENT ROW AND CURRENT ROW``). RANGE frames, whose peers all
see the same sum, are right here, where ties must share (the Gini's
cumulative weights need ROWS, DESIGN.md); a ROWS frame would split tied
households across deciles. Both windows share one partitioning and ordering,
so the engine sorts once. (The tempting ``total - SUM(...) RANGE BETWEEN
CURRENT ROW AND UNBOUNDED FOLLOWING`` is the same number but about ten times
slower on DuckDB: it is not a running sum.)

Examples
--------
>>> import pyarrow as pa
>>> t = pa.table({"hh": ["a", "b", "c", "d"], "s": [1.0, 2.0, 2.0, 3.0], "n": [5, 2, 2, 1]})
>>> sorted(deciles(t, id="hh", score="s", persons="n").to_pydict()["decile"])
[1, 6, 6, 10]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from sinergi.stats._engines import Engine, EngineName, get_engine, temp_name
from sinergi.stats._errors import InputError, Problem

__all__ = ["decile_sql", "deciles"]

#: How many ids of bad rows an error message quotes.
EXAMPLES = 3


def _q(name: str) -> str:
    """Quote an identifier (DuckDB dialect; sqlglot rewrites it for Spark)."""
    return '"' + name.replace('"', '""') + '"'


def decile_sql(
    source: str,
    *,
    id: str,
    score: str,
    mass: str,
    by: Sequence[str] = (),
    integer: bool = True,
) -> str:
    """The decile query over view ``source`` (DuckDB dialect).

    Parameters
    ----------
    source
        A view or table name, or a parenthesised subquery with an alias.
    id, score
        Column names (quoted here); ``score`` must be numeric.
    mass
        A SQL expression of each row's persons (quoted by the caller), e.g.
        ``"persons"`` or ``weight * persons`` for a survey.
    by
        The area columns; none = one national area.
    integer
        Whether ``mass`` is a whole number (exact integer arithmetic);
        otherwise the share is computed in floating point.

    Returns
    -------
    str
        ``SELECT id, score, by..., decile`` with one row per input row.

    Examples
    --------
    >>> from sinergi.stats import DuckDBEngine
    >>> e = DuckDBEngine()
    >>> e.fetch(decile_sql("(VALUES (1, 0.5, 3)) t(i, s, n)", id="i", score="s", mass="n"))
    [{'i': 1, 's': 0.5, 'decile': 1}]
    """
    part = f"PARTITION BY {', '.join(_q(b) for b in by)} " if by else ""
    total = f"SUM(m) OVER ({part.strip()})"
    up_to = f"SUM(m) OVER ({part}ORDER BY s RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    peers = f"SUM(m) OVER ({part}ORDER BY s RANGE BETWEEN CURRENT ROW AND CURRENT ROW)"
    if integer:
        decile = f"1 + CAST((10 * ({up_to} - {peers})) // {total} AS INTEGER)"
    else:
        decile = f"1 + CAST(FLOOR(10.0 * ({up_to} - {peers}) / {total}) AS INTEGER)"
    cols = ", ".join(_q(c) for c in (id, *by))
    mass_expr = f"CAST({mass} AS BIGINT)" if integer else f"CAST({mass} AS DOUBLE)"
    return (
        f"SELECT {_q(id)}, s AS {_q(score)}{''.join(', ' + _q(b) for b in by)}, "
        f"{decile} AS decile "
        f"FROM (SELECT {cols}, CAST({_q(score)} AS DOUBLE) AS s, {mass_expr} AS m "
        f"FROM {source}) ranked"
    )


def _check(
    engine: Engine, view: str, *, id: str, score: str, persons: str, by: Sequence[str]
) -> None:
    """Refuse input the rule cannot rank, naming every bad column in one error."""
    columns = engine.column_types(view)
    missing = [c for c in (id, score, persons, *by) if c not in columns]
    if missing:
        known = ", ".join(sorted(columns))
        raise InputError(
            [Problem(c, 0, f"no such column (the input has: {known})") for c in missing],
            header="cannot compute deciles",
        )
    s, p = f"TRY_CAST({_q(score)} AS DOUBLE)", f"TRY_CAST({_q(persons)} AS DOUBLE)"
    checks: list[tuple[str, str, str]] = [
        (id, f"{_q(id)} IS NULL", "no household id"),
        (score, f"{_q(score)} IS NULL", "no score"),
        (
            score,
            f"{_q(score)} IS NOT NULL AND ({s} IS NULL OR isnan({s}))",
            "a score that is not a number",
        ),
        (persons, f"{_q(persons)} IS NULL", "no number of persons"),
        (
            persons,
            f"{_q(persons)} IS NOT NULL AND {p} IS NULL",
            "a number of persons that is not a number",
        ),
        (persons, f"{p} <= 0", "zero or negative persons (a household has at least one person)"),
        (
            persons,
            f"{p} > 0 AND {p} <> FLOOR({p})",
            "a number of persons that is not a whole number",
        ),
        *((b, f"{_q(b)} IS NULL", "no area") for b in by),
    ]
    counts = ", ".join(
        f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS c{i}"
        for i, (_c, cond, _r) in enumerate(checks)
    )
    row = engine.fetch(
        f"SELECT COUNT(*) AS n, COUNT(DISTINCT {_q(id)}) AS n_ids, {counts} FROM {view}"
    )[0]
    problems: list[Problem] = []
    for i, (column, cond, reason) in enumerate(checks):
        count = int(row[f"c{i}"] or 0)
        if count:
            problems.append(Problem(column, count, reason + _examples(engine, view, id, cond)))
    duplicates = int(row["n"]) - int(row["n_ids"]) - int(row["c0"] or 0)
    if duplicates > 0:
        dup = engine.fetch(
            f"SELECT {_q(id)} AS i FROM {view} WHERE {_q(id)} IS NOT NULL "
            f"GROUP BY {_q(id)} HAVING COUNT(*) > 1 ORDER BY 1 LIMIT {EXAMPLES}"
        )
        ids = ", ".join(str(r["i"]) for r in dup)
        problems.append(
            Problem(id, duplicates, f"a household id listed more than once (e.g. {ids})")
        )
    if int(row["n"]) == 0:
        problems.append(Problem(id, 0, "the input has no rows"))
    if problems:
        raise InputError(problems, header="cannot compute deciles")


def _examples(engine: Engine, view: str, id: str, cond: str) -> str:
    rows = engine.fetch(
        f"SELECT {_q(id)} AS i FROM {view} WHERE {cond} AND {_q(id)} IS NOT NULL "
        f"ORDER BY 1 LIMIT {EXAMPLES}"
    )
    return f" (e.g. {_q(id)[1:-1]} {', '.join(str(r['i']) for r in rows)})" if rows else ""


def deciles(
    source: Any,
    *,
    id: str,
    score: str,
    persons: str,
    by: Sequence[str] = (),
    engine: EngineName | Engine = "duckdb",
) -> pa.Table:
    """Welfare deciles of persons, by the rule, for every household of ``source``.

    Parameters
    ----------
    source
        A ``pyarrow.Table`` (or pandas/polars frame), a Parquet or CSV path,
        or a table/view name already known to ``engine``. One row per household.
    id, score, persons
        Columns: the household id (unique), the welfare score (lower =
        poorer) and its number of persons (a whole number >= 1).
    by
        Area columns the deciles are computed within (e.g. ``["regency_code"]``);
        empty (the default) = one national area.
    engine
        ``"duckdb"`` (default), ``"spark"``, or an engine object.

    Returns
    -------
    pyarrow.Table
        One row per input row (in no particular order): ``id``, ``score`` (as a
        double), the ``by`` columns and ``decile`` (1..10).

    Raises
    ------
    sinergi.stats.InputError
        A missing column (named), or rows with no or a non-numeric score, no,
        zero, negative or fractional persons, no area, or a repeated id: every
        problem with its count and example ids, in one message.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"hh": ["a", "b", "c"], "s": [1.0, 1.0, 2.0], "n": [1, 1, 8], "r": ["x"] * 3})
    >>> out = deciles(t, id="hh", score="s", persons="n", by=["r"])
    >>> sorted(zip(out["hh"].to_pylist(), out["decile"].to_pylist()))
    [('a', 1), ('b', 1), ('c', 3)]
    """
    eng = get_engine(engine)
    by = list(by)
    view = temp_name("deciles_in")
    eng.register(source, view)
    try:
        _check(eng, view, id=id, score=score, persons=persons, by=by)
        mass = f"CAST(CAST({_q(persons)} AS DOUBLE) AS BIGINT)"
        return eng.fetch_arrow(decile_sql(view, id=id, score=score, mass=mass, by=by))
    finally:
        eng.drop(view)
