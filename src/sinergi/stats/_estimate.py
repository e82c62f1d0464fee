"""The entry point: validate the input, run the SQL plan, build typed results."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._design import Design
from ._engines import Engine, EngineName, get_engine, temp_name
from ._errors import DesignError, InputError, Problem
from ._measures import Measure, resolve_measures
from ._results import RESULT_COLUMNS, Results, results_table
from ._sql import _DBL_MAX, FpcMode, Missing, Plan

if TYPE_CHECKING:
    import pyarrow as pa

Progress = Callable[[str], None]


def estimate(
    source: object,
    measures: Sequence[str | Measure] | str,
    *,
    design: Design,
    value: str | None = None,
    poverty_line: str | None = None,
    denominator: str | None = None,
    by: Sequence[str] | str | None = None,
    engine: EngineName | Engine = "duckdb",
    level: float = 0.95,
    missing: Missing = "error",
    progress: Progress | None = None,
) -> Results:
    """Estimate poverty, inequality and survey means with their standard errors.

    Every estimate carries a Taylor-linearised standard error under the
    stratified, clustered design (ultimate-cluster, PSUs with replacement, with
    an optional finite population correction), a normal confidence interval,
    the relative standard error and the BPS publication flag. Domains
    (``by``) keep the whole design: a PSU without records of the domain counts
    as a zero, so a domain that cuts across strata (urban / rural) gets the
    right standard error.

    Parameters
    ----------
    source
        The survey records: a Parquet or CSV file path (or a directory of
        Parquet files), a ``pyarrow.Table``, a pandas or polars DataFrame, a
        table name on a :class:`DuckDBEngine` connection, or a Spark DataFrame
        (Spark engine).
    measures
        Names (``'fgt0'``, ``'fgt1'``, ``'fgt2'``, ``'gini'``, ``'gini_convey'``,
        ``'mean'``, ``'total'``, ``'proportion'``, ``'ratio'``; a list or one
        comma-separated string) using the default columns below, and/or
        :class:`Measure` objects for anything else (e.g. extreme poverty:
        ``Measure('fgt0', 'pcexp', poverty_line='line_extreme', name='fgt0_extreme')``).
    design
        The sample design (weights, strata, PSUs, fpc, lonely-PSU rule).
    value
        Default value column: per-capita expenditure for FGT and Gini, the
        variable for mean, total and proportion, the numerator for ratio.
    poverty_line
        Default poverty line column for FGT measures (one value per record, so
        urban and rural lines, or one per regency, can differ).
    denominator
        Default denominator column for ``'ratio'``.
    by
        Domain columns; one result row per combination present in the data and
        measure. ``None`` estimates for the whole population.
    engine
        ``'duckdb'`` (default), ``'spark'`` (needs ``sinergi[spark]``), or an
        engine object (:class:`DuckDBEngine`, :class:`SparkEngine`) to reuse a
        connection or session.
    level
        Confidence level of the intervals (normal quantile), default 0.95.
    missing
        ``'error'`` (default) rejects missing (null or NaN) values; ``'exclude'``
        leaves records with a missing value out of the measures that read it
        while keeping them in the design (their PSUs still count), as Stata
        and R do for subpopulations. Missing weights, strata or PSUs are always
        an error.
    progress
        Called with a short message before each stage, for progress displays.

    Returns
    -------
    Results
        Iterable of :class:`Estimate` rows; ``.to_arrow()`` for a table.

    Raises
    ------
    InputError
        Unknown columns, negative or missing weights, non-numeric or missing
        values, non-positive poverty lines, non-0/1 proportions: every problem
        with its column and number of bad rows.
    DesignError
        A stratum with a single PSU (with ``lonely_psu='error'``) or an fpc
        that is not constant within strata or smaller than the sample.

    Notes
    -----
    *FGT.* ``P_a = sum(w (1 - y/z)^a [y < z]) / sum(w)`` with the line ``z`` fixed,
    so it is a ratio of totals, linearised as ``(g - P) / N``.

    *Gini.* The default is the laeken / Eurostat estimator (``gini`` in laeken,
    equal to the World Bank PIP formula)::

        G = sum_k w_k y_k (C_{k-1} + C_k) / (N Y) - 1

    over records sorted by ``y``, with ``C_k`` the cumulative weight, ``N`` the
    total weight and ``Y`` the weighted total of ``y``. Because
    ``w_k (C_{k-1} + C_k) = C_k^2 - C_{k-1}^2`` telescopes, the order of tied
    values does not change it. R convey's ``svygini`` (``'gini_convey'``,
    after Osier 2009) uses ``(2 C_k - 1)`` in place of ``(C_{k-1} + C_k)``:

        G_convey = G_laeken + (sum_k w_k^2 y_k - sum_k w_k y_k) / (N Y)

    a difference of order (mean weight) / N, e.g. 0.2648962 against 0.2649652
    on laeken's eusilc data. Both share one linearised variable, the Gini's
    influence function (Langel & Tillé 2013, as in convey and vardpoor)::

        z_k = 2 (y_k C_k + Y - G_k) / (N Y) - (G + 1) (1/N + y_k / Y)

    with ``G_k`` the cumulative ``w y``; ``y_k C_k - G_k`` is also constant over
    a tie. Its SE on eusilc under ``ids=rb030, strata=db040`` is 0.001947,
    convey's published value.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({
    ...     "pcexp": [300e3, 450e3, 520e3, 610e3, 380e3, 900e3, 250e3, 700e3],
    ...     "line": [480e3] * 8,
    ...     "w": [120.0, 80.0, 100.0, 90.0, 110.0, 70.0, 95.0, 105.0],
    ...     "stratum": [1, 1, 1, 1, 2, 2, 2, 2],
    ...     "block": [1, 1, 2, 2, 3, 3, 4, 4],
    ... })
    >>> res = estimate(t, ["fgt0", "gini"], value="pcexp", poverty_line="line",
    ...                design=Design(weight="w", strata="stratum", psu="block"))
    >>> [(r.measure, round(r.estimate, 4), round(r.se, 4), r.n) for r in res]
    [('fgt0', 0.526, 0.2551, 8), ('gini', 0.2197, 0.0277, 8)]
    """
    report = progress or (lambda _msg: None)
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1; got {level}")
    if missing not in ("error", "exclude"):
        raise ValueError(f"missing must be 'error' or 'exclude'; got {missing!r}")
    resolved = resolve_measures(
        measures, value=value, poverty_line=poverty_line, denominator=denominator
    )
    by_cols = _as_columns(by)
    eng = get_engine(engine)
    src = temp_name("src")
    created: list[str] = []
    report(f"reading input ({eng.name})")
    eng.register(source, src)
    created.append(src)
    try:
        types = eng.column_types(src)
        _check_columns(types, by_cols, design, resolved)
        plan = Plan(src, by_cols, design, resolved, types, missing)
        report("validating records")
        checked = _validate(eng, plan)
        plan.nested = _maybe_nested(eng, plan, checked)
        psu_table = temp_name("psu")
        report("summing per PSU")
        eng.materialize(plan.psu_sql(), psu_table)
        created.append(psu_table)
        if plan.nested and int(eng.fetch(plan.nested_check_sql(psu_table))[0]["n"] or 0):
            # Some PSU holds records of several domains: group by the domain too.
            eng.drop(psu_table)
            plan.nested = False
            eng.materialize(plan.psu_sql(), psu_table)
        strata_table = temp_name("strata")
        eng.materialize(plan.strata_sql(psu_table), strata_table)
        created.append(strata_table)
        fpc_mode = _check_design(eng, design, strata_table)
        report("estimating variances")
        table = eng.fetch_arrow(plan.estimate_sql(psu_table, strata_table, fpc_mode))
    finally:
        for name in reversed(created):
            eng.drop(name)
    report("done")
    return _build_results(table, by_cols, resolved, level, eng.name)


def _as_columns(by: Sequence[str] | str | None) -> tuple[str, ...]:
    if by is None:
        return ()
    if isinstance(by, str):
        return tuple(c.strip() for c in by.split(",") if c.strip())
    return tuple(by)


def _check_columns(
    types: dict[str, bool], by: tuple[str, ...], design: Design, measures: tuple[Measure, ...]
) -> None:
    wanted: list[tuple[str, str]] = [(c, "--by") for c in by]
    for role in ("weight", "strata", "psu", "fpc"):
        name = getattr(design, role)
        if name is not None:
            wanted.append((name, role))
    for m in measures:
        wanted += [(c, f"measure {m.name}") for c in m.columns]
    available = ", ".join(types)
    problems = [
        Problem(name, 0, f"unknown column (used as {role}); available: {available}")
        for name, role in wanted
        if name not in types
    ]
    clash = [c for c in by if c in RESULT_COLUMNS]
    problems += [
        Problem(c, 0, "a domain column cannot share a result column's name") for c in clash
    ]
    if problems:
        raise InputError(problems, header="cannot estimate: bad column names")


_NESTED_SAMPLE = 100_000


def _maybe_nested(eng: Engine, plan: Plan, checked: dict[str, Any]) -> bool:
    """Whether to try grouping the PSU table by (stratum, PSU) alone.

    Worth it when every PSU lies in one domain (e.g. census blocks within desa):
    the same groups, with a smaller hash key. Domain keys must have no nulls, and
    the first records must show no PSU spanning two domains (so a design whose
    domains cut across PSUs, such as sex, does not pay a second pass); the PSU
    table is then checked in full, and rebuilt the general way if needed.
    """
    if not (plan.grouped and plan.by):
        return False
    if any(int(checked.get(f"null_d{i}") or 0) for i in range(len(plan.by))):
        return False
    return not int(eng.fetch(plan.nested_sample_sql(_NESTED_SAMPLE))[0]["n"] or 0)


def _validate(eng: Engine, plan: Plan) -> dict[str, Any]:
    got = eng.fetch(plan.validation_sql())[0]
    total = int(got["n_rows"] or 0)
    if total == 0:
        raise InputError([Problem("(input)", 0, "no records")], header="cannot estimate")
    problems: list[Problem] = []
    for column, a in plan.aliases.items():
        role = plan.roles[column]
        bad_type = int(got.get(f"nn_{a}") or 0)
        if bad_type:
            problems.append(Problem(column, bad_type, "non-numeric values"))
        null = total - int(got[f"cnt_{a}"] or 0) - bad_type
        lo, hi = got[f"min_{a}"], got[f"max_{a}"]
        if lo is not None and (math.isnan(hi) or math.isinf(hi) or math.isinf(lo)):
            # NaN sorts above every number on both engines, so MAX reveals it.
            null += _count(eng, plan, f"ISNAN({a}) OR ABS({a}) > {_DBL_MAX}")
            lo = None if math.isinf(lo) else lo
        if null and (role in ("weight", "fpc") or plan.missing == "error"):
            problems.append(
                Problem(column, null, f"missing {role.replace('_', ' ')} (null or NaN)")
            )
        if lo is not None and role == "weight" and lo < 0:
            problems.append(Problem(column, _count(eng, plan, f"{a} < 0"), "negative weight"))
        if lo is not None and role == "poverty_line" and lo <= 0:
            n = _count(eng, plan, f"{a} <= 0")
            problems.append(Problem(column, n, "poverty line not > 0"))
        if lo is not None and role == "fpc" and lo <= 0:
            problems.append(Problem(column, _count(eng, plan, f"{a} <= 0"), "fpc not > 0"))
        if got.get(f"nb_{a}"):
            problems.append(Problem(column, int(got[f"nb_{a}"]), "values other than 0 and 1"))
    design = plan.design
    key_roles = [("h", design.strata), ("p", design.psu)]
    key_roles += [(f"d{i}", name) for i, name in enumerate(plan.by)]
    for key, name in key_roles:
        if name is None:
            continue
        null = int(got.get(f"null_{key}") or 0)
        if null and (key in ("h", "p") or plan.missing == "error"):
            problems.append(Problem(name, null, "missing values"))
    if problems:
        raise InputError(problems, header="cannot estimate: invalid values")
    return got


def _count(eng: Engine, plan: Plan, condition: str) -> int:
    return int(eng.fetch(plan.count_sql(condition))[0]["n"] or 0)


def _check_design(eng: Engine, design: Design, strata_table: str) -> FpcMode:
    lonely = eng.fetch(f"SELECT h FROM {strata_table} WHERE n_h = 1 ORDER BY h")
    if lonely and design.lonely_psu == "error":
        names = ", ".join(repr(r["h"]) for r in lonely[:10])
        more = f" and {len(lonely) - 10} more" if len(lonely) > 10 else ""
        raise DesignError(
            f"{len(lonely)} stratum(s) of {design.strata or '(one stratum)'} have a single PSU: "
            f"{names}{more}. Their variance cannot be estimated. Merge them with a "
            "neighbouring stratum, or choose lonely_psu='certainty' (contributes 0), "
            "'adjust' (centre at the grand mean) or 'average' (mean of the other strata)."
        )
    if design.fpc is None:
        return "none"
    info = eng.fetch(
        f"SELECT SUM(CASE WHEN f_min <> f_max THEN 1 ELSE 0 END) AS varying, "
        f"MAX(f_max) AS top, "
        f"SUM(CASE WHEN f_min < n_h THEN 1 ELSE 0 END) AS too_small FROM {strata_table}"
    )[0]
    if info["varying"]:
        raise DesignError(f"fpc column {design.fpc} varies within {info['varying']} stratum(s)")
    if info["top"] <= 1:
        return "fraction"
    if info["too_small"]:
        raise DesignError(
            f"fpc column {design.fpc}: {info['too_small']} stratum(s) have a population "
            "number of PSUs below the number sampled (give either all fractions <= 1 "
            "or all population counts)"
        )
    return "count"


def _build_results(
    table: pa.Table,
    by: tuple[str, ...],
    measures: tuple[Measure, ...],
    level: float,
    engine: str,
) -> Results:
    import pyarrow.compute as pc

    keys = [f"d{i}" for i in range(len(by))]
    if keys:
        table = table.sort_by([(k, "ascending") for k in keys])
    domains = table.select(keys).rename_columns(list(by))

    def column(name: str, dtype: type) -> np.ndarray:
        col = pc.fill_null(table.column(name).cast("float64"), float("nan"))
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=dtype)

    idx = range(len(measures))
    return Results(
        by=by,
        table=results_table(
            domains,
            [m.name for m in measures],
            [column(f"e{i}", float) for i in idx],
            [column(f"var{i}", float) for i in idx],
            [np.nan_to_num(column(f"n{i}", float)).astype(np.int64) for i in idx],
            level,
        ),
        level=level,
        engine=engine,
    )
