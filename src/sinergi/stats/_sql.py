"""The estimation as SQL, written once in DuckDB's dialect.

The work is split in three statements so that the large input is scanned once:

0. ``validation``: one ungrouped pass (counts, minima, maxima) over the
   records, so bad input is reported before any heavy work. Numeric columns
   are aggregated as stored and only the extremes cast to DOUBLE.
1. ``psu``: one row per (domain, stratum, PSU) holding weighted sums of every
   measure's numerator and denominator and of the Gini influence-function
   terms. When PSUs nest in domains (checked on the first records, confirmed
   on the PSU table) it is grouped by (stratum, PSU) alone, the domain carried
   as its MIN and MAX. The Gini needs running sums over each domain sorted by income; they
   run over records pre-aggregated by (domain, stratum, PSU, income), which is
   exact because the estimator's terms telescope over ties, and collapses the
   members of a household (who share per-capita expenditure) into one row.
2. ``strata``: the number of PSUs of each stratum in the *whole* sample and its
   finite population correction.
3. ``estimate``: per domain, the point estimates, then per PSU the linearised
   variable ``z`` of each measure, then the with-replacement variance
   ``sum_h (1 - f_h) n_h / (n_h - 1) (sum_i z_hi^2 - (sum_i z_hi)^2 / n_h)``.
   PSUs of a stratum without records of the domain are zeros: they add
   nothing to the sums and ``n_h`` counts them, so they never need
   materialising. Each step reads the one before once, so Spark, which
   inlines CTEs, does not recompute any.

Column aliases are fixed, lower-case and distinct ignoring case, because Spark
resolves names case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import sqlglot.expressions as sge

from ._design import Design
from ._measures import FGT_KINDS, GINI_KINDS, Measure

Missing = Literal["error", "exclude"]
FpcMode = Literal["none", "fraction", "count"]

_DBL_MAX = "1.7976931348623157e308"


def quote(name: str) -> str:
    """Quote a user column name for DuckDB SQL (sqlglot re-quotes it for Spark)."""
    return str(sge.to_identifier(name, quoted=True).sql("duckdb"))


def _dbl(value: int | float) -> str:
    # A bare 1.0 is DECIMAL in Spark; keep every literal a DOUBLE on both engines.
    return f"CAST({value} AS DOUBLE)"


AggFn = Literal["SUM", "MIN", "MAX"]


@dataclass
class _Part:
    """One grouped SELECT that feeds the PSU table."""

    source: str
    items: dict[str, tuple[AggFn, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class MeasurePlan:
    """Which PSU-table columns a measure reads."""

    measure: Measure
    n: str
    num: str = ""
    den: str = ""
    gini_a: str = ""
    gini_k: str = ""
    gini_w: str = ""
    gini_y: str = ""


@dataclass
class Plan:
    """The SQL for one estimation call."""

    source: str
    by: tuple[str, ...]
    design: Design
    measures: tuple[Measure, ...]
    numeric: dict[str, bool]
    missing: Missing = "error"
    nested: bool = False
    aliases: dict[str, str] = field(init=False)
    plans: list[MeasurePlan] = field(init=False)
    roles: dict[str, str] = field(init=False)
    _parts: list[_Part] = field(init=False)
    _keys_by_expr: dict[tuple[int, str, str], str] = field(init=False)
    _windows: list[str] = field(init=False)
    _derived: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        cols: list[str] = []
        for name in (self.design.weight, self.design.fpc):
            if name is not None and name not in cols:
                cols.append(name)
        for m in self.measures:
            for name in m.columns:
                if name not in cols:
                    cols.append(name)
        self.aliases = {name: f"c{i}" for i, name in enumerate(cols)}
        self.roles = {}
        for m in self.measures:
            for name in m.columns:
                self.roles[name] = "value"
            if m.kind in FGT_KINDS:
                self.roles[str(m.poverty_line)] = "poverty_line"
        if self.design.fpc:
            self.roles[self.design.fpc] = "fpc"
        if self.design.weight:
            self.roles[self.design.weight] = "weight"
        # Part 0 reads the records directly; each Gini (with PSUs) adds a part.
        self._parts = [_Part("records")]
        self._keys_by_expr = {}
        self._windows = []
        self._derived = {}
        self.plans = [self._plan_measure(i, m) for i, m in enumerate(self.measures)]
        if self.design.fpc:
            # Every part covers every PSU, so the first non-empty one carries the fpc.
            f = self.aliases[self.design.fpc]
            if self._parts[0].items:
                self._agg(0, "MIN", f, alias="fpc_min")
                self._agg(0, "MAX", f, alias="fpc_max")
            else:
                self._agg(1, "MIN", "fmin", alias="fpc_min")
                self._agg(1, "MAX", "fmax", alias="fpc_max")
        self._parts = [p for p in self._parts if p.items]

    # -- helpers ---------------------------------------------------------

    @property
    def grouped(self) -> bool:
        """With PSUs, records are summed per PSU; without, each record is a PSU."""
        return self.design.psu is not None

    @property
    def domain_keys(self) -> list[str]:
        return [f"d{i}" for i in range(max(1, len(self.by)))]

    @property
    def psu_keys(self) -> list[str]:
        return [*self.domain_keys, "h", *(["p"] if self.grouped else [])]

    @property
    def group_keys(self) -> list[str]:
        """What the PSU table is grouped by.

        With ``nested`` (every PSU lies in one domain) the domain keys are functionally
        dependent on (stratum, PSU), so grouping by (stratum, PSU) alone gives the same
        groups with a smaller hash key; the domain is carried as ``MIN`` and ``MAX``
        (``dx<i>``), which :meth:`nested_check_sql` compares to confirm the premise.
        """
        if self.nested and self.grouped and self.by:
            return ["h", "p"]
        return self.psu_keys

    def _key_select(self, over_parts: bool = False) -> str:
        """The key columns of a per-PSU SELECT (aggregated domain keys when nested).

        ``over_parts``: the input is stacked PSU tables, whose ``dx<i>`` carry the maxima.
        """
        if self.group_keys == self.psu_keys:
            return ", ".join(self.psu_keys)
        cols = ["h", "p"]
        for d in self.domain_keys:
            top = f"dx{d[1:]}" if over_parts else d
            cols += [f"MIN({d}) AS {d}", f"MAX({top}) AS dx{d[1:]}"]
        return ", ".join(cols)

    @property
    def _out_keys(self) -> str:
        """The key columns of a PSU table (with the ``dx<i>`` checks when nested)."""
        if self.group_keys == self.psu_keys:
            return ", ".join(self.psu_keys)
        return ", ".join(["h", "p", *self.domain_keys, *(f"dx{d[1:]}" for d in self.domain_keys)])

    def nested_check_sql(self, psu_table: str) -> str:
        """Count the PSUs that hold records of more than one domain (nested plan only)."""
        crossing = " OR ".join(f"{d} <> dx{d[1:]}" for d in self.domain_keys)
        return f"SELECT COUNT(*) AS n FROM {psu_table} WHERE {crossing}"

    def nested_sample_sql(self, rows: int) -> str:
        """Same check on the first ``rows`` records: a cheap guess before the PSU pass."""
        d = self.design
        keys = [f"{quote(c)} AS d{i}" for i, c in enumerate(self.by)]
        keys += [f"{quote(d.strata)} AS h" if d.strata else "1 AS h", f"{quote(str(d.psu))} AS p"]
        crossing = " OR ".join(f"MIN({k}) <> MAX({k})" for k in self.domain_keys)
        return (
            f"SELECT COUNT(*) AS n FROM (SELECT h, p FROM (SELECT {', '.join(keys)} "
            f"FROM {self.source} LIMIT {rows}) AS s GROUP BY h, p HAVING {crossing}) AS c"
        )

    @property
    def weight(self) -> str:
        return self.aliases[self.design.weight] if self.design.weight else _dbl(1)

    def _ok(self, m: Measure) -> str | None:
        if self.missing == "error":
            return None
        return " AND ".join(f"{self.aliases[c]} IS NOT NULL" for c in m.columns)

    def _wm(self, m: Measure) -> str:
        ok = self._ok(m)
        return self.weight if ok is None else f"(CASE WHEN {ok} THEN {self.weight} ELSE 0 END)"

    def _count(self, m: Measure) -> str:
        ok = self._ok(m)
        return "1" if ok is None else f"CASE WHEN {ok} THEN 1 ELSE 0 END"

    def _derive(self, expr: str) -> str:
        """A per-record column computed once, before any aggregate reads it."""
        if expr not in self._derived:
            self._derived[expr] = f"x{len(self._derived)}"
        return self._derived[expr]

    def _part(self, source: str) -> int:
        self._parts.append(_Part(source))
        return len(self._parts) - 1

    def _agg(self, part: int, fn: AggFn, expr: str, alias: str | None = None) -> str:
        key = (part, fn, expr)
        if key not in self._keys_by_expr:
            self._keys_by_expr[key] = alias or f"s{len(self._keys_by_expr)}"
            self._parts[part].items[self._keys_by_expr[key]] = (fn, expr)
        return self._keys_by_expr[key]

    # -- measures --------------------------------------------------------

    def _plan_measure(self, i: int, m: Measure) -> MeasurePlan:
        v = self.aliases[m.value]
        wm = self._wm(m)
        if m.kind in GINI_KINDS:
            return self._plan_gini(i, m, v, wm)
        part = 0
        n = self._agg(part, "SUM", self._count(m))
        if m.kind in FGT_KINDS:
            z = self.aliases[str(m.poverty_line)]
            # Strict y < z: BPS counts people *below* the line as poor. The gap is
            # computed once per record (0 for the non-poor) and shared by P1 and P2:
            # w * gap and w * gap * gap are the same products as before, and a
            # non-poor record adds w * 0 = 0.
            if m.kind == "fgt0":
                num = f"CASE WHEN {v} < {z} THEN {wm} ELSE 0 END"
            else:
                gap = self._derive(f"CASE WHEN {v} < {z} THEN 1 - {v} / {z} ELSE 0 END")
                num = f"{wm} * {gap}" if m.kind == "fgt1" else f"{wm} * {gap} * {gap}"
            return MeasurePlan(
                m, n=n, num=self._agg(part, "SUM", num), den=self._agg(part, "SUM", wm)
            )
        num = self._agg(part, "SUM", f"{wm} * {v}")
        if m.kind == "total":
            return MeasurePlan(m, n=n, num=num)
        if m.kind == "ratio":
            x = self.aliases[str(m.denominator)]
            return MeasurePlan(m, n=n, num=num, den=self._agg(part, "SUM", f"{wm} * {x}"))
        return MeasurePlan(m, n=n, num=num, den=self._agg(part, "SUM", wm))

    def _window(self, weight: str, value: str) -> tuple[str, str]:
        # ROWS, not the default RANGE frame: with RANGE every tied value would get the
        # cumulative weight of the whole tie. The Gini terms telescope over a tie, so
        # the order the engine gives tied rows does not change the sums.
        over = (
            f"OVER (PARTITION BY {', '.join(self.domain_keys)} ORDER BY {value} "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        )
        return f"SUM({weight}) {over}", f"SUM({weight} * {value}) {over}"

    def _plan_gini(self, i: int, m: Measure, v: str, wm: str) -> MeasurePlan:
        if self.grouped:
            # The pre-aggregation keeps the domain in its key even when PSUs nest
            # (measured: MIN/MAX of the domain over records cost more than the key).
            keys = ", ".join(self.psu_keys)
            fpc = ""
            if self.design.fpc:
                f = self.aliases[self.design.fpc]
                fpc = f", MIN({f}) AS fmin, MAX({f}) AS fmax"
            square = f", SUM({wm} * {wm}) AS gw2" if m.kind == "gini_convey" else ""
            pre = (
                f"SELECT {keys}, {v} AS v, SUM({wm}) AS gw{square}, "
                f"SUM({self._count(m)}) AS gn{fpc} "
                f"FROM (RECORDS) AS r GROUP BY {keys}, {v}"
            )
            cum_w, cum_y = self._window("gw", "v")
            part = self._part(f"SELECT *, {cum_w} AS gc, {cum_y} AS gg FROM ({pre}) AS pre")
            w, val, n, w2 = "gw", "v", "gn", "gw2"
        else:
            # Each record is its own PSU: no pre-aggregation, running sums per record.
            part = 0
            cum_w, cum_y = self._window(wm, v)
            self._parts[part].source = "records_windowed"
            self._windows += [f"{cum_w} AS gc{i}", f"{cum_y} AS gg{i}"]
            w, val, n, w2 = wm, v, self._count(m), f"{wm} * {wm}"
            return MeasurePlan(
                m,
                n=self._agg(part, "SUM", n),
                gini_a=self._agg(part, "SUM", f"{w} * ({val} * gc{i} - gg{i})"),
                gini_k=self._agg(part, "SUM", f"{val} * ({w2} - {w})")
                if m.kind == "gini_convey"
                else "",
                gini_w=self._agg(part, "SUM", w),
                gini_y=self._agg(part, "SUM", f"{w} * {val}"),
            )
        return MeasurePlan(
            m,
            n=self._agg(part, "SUM", n),
            gini_a=self._agg(part, "SUM", f"{w} * ({val} * gc - gg)"),
            gini_k=self._agg(part, "SUM", f"{val} * ({w2} - {w})")
            if m.kind == "gini_convey"
            else "",
            gini_w=self._agg(part, "SUM", w),
            gini_y=self._agg(part, "SUM", f"{w} * {val}"),
        )

    # -- records ---------------------------------------------------------

    def _raw_select(self, with_checks: bool = False) -> list[str]:
        d = self.design
        raw = [f"{quote(c)} AS d{i}" for i, c in enumerate(self.by)] or ["1 AS d0"]
        raw.append(f"{quote(d.strata)} AS h" if d.strata else "1 AS h")
        if d.psu:
            raw.append(f"{quote(d.psu)} AS p")
        for name, alias in self.aliases.items():
            cast = "CAST" if self.numeric[name] else "TRY_CAST"
            raw.append(f"{cast}({quote(name)} AS DOUBLE) AS {alias}")
            if with_checks and not self.numeric[name]:
                q = quote(name)
                raw.append(
                    f"CASE WHEN {q} IS NOT NULL AND TRY_CAST({q} AS DOUBLE) IS NULL "
                    f"THEN 1 ELSE 0 END AS nn_{alias}"
                )
        return raw

    def _records_sql(self) -> str:
        """Renamed, DOUBLE-cast records; with ``missing='exclude'`` NaN becomes NULL."""
        records = f"SELECT {', '.join(self._raw_select())} FROM {self.source}"
        if self.missing != "error":  # with 'error', validation has rejected NaN and infinities
            clean = [*self.psu_keys]
            for alias in self.aliases.values():
                clean.append(
                    f"CASE WHEN ISNAN({alias}) OR ABS({alias}) > {_DBL_MAX} THEN NULL "
                    f"ELSE {alias} END AS {alias}"
                )
            records = f"SELECT {', '.join(clean)} FROM ({records}) AS raw"
        if self._derived:
            derived = ", ".join(f"{e} AS {a}" for e, a in self._derived.items())
            records = f"SELECT *, {derived} FROM ({records}) AS rd"
        return records

    def _part_sql(self, part: _Part) -> str:
        records = self._records_sql()
        if part.source == "records":
            source = records
        elif part.source == "records_windowed":
            source = f"SELECT *, {', '.join(self._windows)} FROM ({records}) AS rec"
        else:
            source = part.source.replace("(RECORDS)", f"({records})")
        keys = ", ".join(self.psu_keys)
        if self.grouped:
            cols = [
                f"COALESCE(SUM({e}), 0) AS {a}" if fn == "SUM" else f"{fn}({e}) AS {a}"
                for a, (fn, e) in part.items.items()
            ]
            select = self._key_select()
            group = ", ".join(self.group_keys)
            return f"SELECT {select}, {', '.join(cols)} FROM ({source}) AS src GROUP BY {group}"
        cols = [
            f"COALESCE({e}, 0) AS {a}" if fn == "SUM" else f"{e} AS {a}"
            for a, (fn, e) in part.items.items()
        ]
        return f"SELECT {keys}, {', '.join(cols)} FROM ({source}) AS src"

    def psu_sql(self) -> str:
        """One row per (domain, stratum, PSU) with every measure's weighted sums."""
        if len(self._parts) == 1:
            return self._part_sql(self._parts[0])
        # Several parts (e.g. FGT and Gini): stack them and add up per PSU.
        every = [(a, fn) for p in self._parts for a, (fn, _) in p.items.items()]
        keys = self._out_keys
        selects = []
        for p in self._parts:
            cols = [a if a in p.items else f"CAST(NULL AS DOUBLE) AS {a}" for a, _ in every]
            selects.append(f"SELECT {keys}, {', '.join(cols)} FROM ({self._part_sql(p)}) AS q")
        union = " UNION ALL ".join(selects)
        outer = [
            f"COALESCE(SUM({a}), 0) AS {a}" if fn == "SUM" else f"{fn}({a}) AS {a}"
            for a, fn in every
        ]
        select = self._key_select(over_parts=True)
        group = ", ".join(self.group_keys)
        return f"SELECT {select}, {', '.join(outer)} FROM ({union}) AS u GROUP BY {group}"

    # -- validation ------------------------------------------------------

    def validation_sql(self) -> str:
        """Counts, minima and maxima over all records, ungrouped (cheap)."""
        parts = ["COUNT(*) AS n_rows"]
        binary = {m.value for m in self.measures if m.kind == "proportion"}
        for name, a in self.aliases.items():
            if self.numeric[name]:
                # CAST to DOUBLE is monotone and keeps NULLs, so the extremes of the raw
                # column, cast, are those of the cast column, without casting every row
                # (a DECIMAL column costs as much to cast as to scan).
                parts += [
                    f"COUNT(raw_{a}) AS cnt_{a}",
                    f"CAST(MIN(raw_{a}) AS DOUBLE) AS min_{a}",
                    f"CAST(MAX(raw_{a}) AS DOUBLE) AS max_{a}",
                ]
            else:
                parts += [f"COUNT({a}) AS cnt_{a}", f"MIN({a}) AS min_{a}", f"MAX({a}) AS max_{a}"]
                parts.append(f"SUM(nn_{a}) AS nn_{a}")
            if name in binary:
                parts.append(
                    f"SUM(CASE WHEN {a} IS NOT NULL AND {a} <> 0 AND {a} <> 1 "
                    f"THEN 1 ELSE 0 END) AS nb_{a}"
                )
        keys = ["h", *(["p"] if self.design.psu else []), *self.domain_keys[: len(self.by)]]
        for k in keys:
            parts.append(f"COUNT(*) - COUNT({k}) AS null_{k}")
        raw = self._raw_select(with_checks=True)
        raw += [f"{quote(n)} AS raw_{a}" for n, a in self.aliases.items() if self.numeric[n]]
        return f"SELECT {', '.join(parts)} FROM (SELECT {', '.join(raw)} FROM {self.source}) AS r"

    def count_sql(self, condition: str) -> str:
        """Count records matching a condition on the aliases (error reports only)."""
        raw = f"SELECT {', '.join(self._raw_select())} FROM {self.source}"
        return f"SELECT SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS n FROM ({raw}) AS r"

    def strata_sql(self, psu_table: str) -> str:
        n_h = "COUNT(DISTINCT p)" if self.grouped else "COUNT(*)"
        if self.design.fpc:
            f_min, f_max = "MIN(fpc_min)", "MAX(fpc_max)"
        else:
            f_min = f_max = _dbl(0)
        return (
            f"SELECT h, {n_h} AS n_h, {f_min} AS f_min, {f_max} AS f_max "
            f"FROM {psu_table} GROUP BY h"
        )

    # -- estimation ------------------------------------------------------

    def estimate_sql(self, psu_table: str, strata_table: str, fpc_mode: FpcMode) -> str:
        """Point estimates and variances per domain, from the PSU and strata tables."""
        k = ", ".join(self.domain_keys)
        f_expr = {
            "none": _dbl(0),
            "fraction": "f_min",
            "count": "CAST(n_h AS DOUBLE) / f_min",
        }[fpc_mode]
        dom: list[str] = []
        lin: list[str] = []
        for i, mp in enumerate(self.plans):
            dom.append(f"SUM({mp.n}) AS dn{i}")
            kind = mp.measure.kind
            if kind in GINI_KINDS:
                extra = f" + SUM({mp.gini_k})" if kind == "gini_convey" else ""
                # sum_k w_k y_k (C_{k-1} + C_k) = A + N Y with A = sum_k w_k (y_k C_k - G_k)
                # (expand sum_k w_k G_k = N Y - sum_k w_k y_k C_{k-1}), so
                # G = sum_k w_k y_k (C_{k-1} + C_k) / (N Y) - 1 = A / (N Y): the influence
                # function's A serves the point estimate too, one running term fewer.
                dom += [
                    f"SUM({mp.gini_w}) AS dw{i}",
                    f"SUM({mp.gini_y}) AS dy{i}",
                    f"(SUM({mp.gini_a}){extra}) / NULLIF(SUM({mp.gini_w}) * SUM({mp.gini_y}), 0)"
                    f" AS de{i}",
                ]
                nn, yy = f"NULLIF(dw{i}, 0)", f"NULLIF(dy{i}, 0)"
                # Influence function of the Gini (Langel & Tille 2013; the one convey's
                # svygini and vardpoor use), summed over the PSU's records.
                lin.append(
                    f"2 * {mp.gini_a} / ({nn} * {yy}) + 2 * {mp.gini_w} / {nn} "
                    f"- (de{i} + 1) * ({mp.gini_w} / {nn} + {mp.gini_y} / {yy}) AS z{i}"
                )
            elif kind == "total":
                dom.append(f"SUM({mp.num}) AS de{i}")
                lin.append(f"{mp.num} AS z{i}")
            else:
                dom += [
                    f"SUM({mp.den}) AS dd{i}",
                    f"SUM({mp.num}) / NULLIF(SUM({mp.den}), 0) AS de{i}",
                ]
                lin.append(f"({mp.num} - de{i} * {mp.den}) / NULLIF(dd{i}, 0) AS z{i}")
        idx = range(len(self.plans))
        lonely = self.design.lonely_psu
        dh = ", ".join(f"SUM(z{i}) AS zs{i}, SUM(z{i} * z{i}) AS zq{i}" for i in idx)
        dhv = []
        for i in idx:
            # PSUs of the stratum without records of the domain are zeros: they add
            # nothing to the sums, and n_h counts them.
            dhv.append(
                f"CASE WHEN n_h > 1 THEN (1 - f_h) * n_h / NULLIF(n_h - 1, 0) * "
                f"(zq{i} - zs{i} * zs{i} / n_h) ELSE 0 END AS v{i}"
            )
            dhv.append(f"zs{i}")
            if lonely == "adjust":
                dhv.append(f"CASE WHEN n_h = 1 THEN (1 - f_h) * zs{i} * zs{i} ELSE 0 END AS la{i}")
                dhv.append(f"CASE WHEN n_h = 1 THEN (1 - f_h) * zs{i} ELSE 0 END AS lb{i}")
        dv = []
        final = []
        for i in idx:
            dv += [f"SUM(v{i}) AS v{i}", f"SUM(zs{i}) AS zt{i}"]
            var = f"COALESCE(v{i}, 0)"
            if lonely == "adjust":
                # A lonely PSU deviates from the grand mean zbar of all PSU totals:
                # sum over lonely strata of (1 - f) (z - zbar)^2, strata without
                # records of the domain included (their z is 0).
                dv += [f"SUM(la{i}) AS la{i}", f"SUM(lb{i}) AS lb{i}"]
                zbar = f"(zt{i} / n_psu)"
                var = f"{var} + la{i} - 2 * {zbar} * lb{i} + {zbar} * {zbar} * lonely_w"
            elif lonely == "average":
                var = f"{var} * n_strata / NULLIF(n_ok, 0)"
            final.append(f"dn{i} AS n{i}, de{i} AS e{i}, {var} AS var{i}")
        not_null = " AND ".join(f"{c} IS NOT NULL" for c in self.domain_keys)
        return f"""
WITH st AS (
  SELECT h, CAST(n_h AS DOUBLE) AS n_h, {f_expr} AS f_h FROM {strata_table}
),
dsg AS (
  SELECT COUNT(*) AS n_strata, SUM(n_h) AS n_psu,
         SUM(CASE WHEN n_h > 1 THEN 1 ELSE 0 END) AS n_ok,
         SUM(CASE WHEN n_h = 1 THEN 1 - f_h ELSE 0 END) AS lonely_w
  FROM st
),
dom AS (
  SELECT {k}, {", ".join(dom)} FROM {psu_table} GROUP BY {k}
),
lin AS (
  SELECT {k}, h, {", ".join(lin)} FROM {psu_table} JOIN dom USING ({k})
),
dh AS (
  SELECT {k}, h, {dh} FROM lin GROUP BY {k}, h
),
dhv AS (
  SELECT {k}, {", ".join(dhv)} FROM dh JOIN st USING (h)
),
dv AS (
  SELECT {k}, {", ".join(dv)} FROM dhv GROUP BY {k}
)
SELECT {k}, {", ".join(final)}
FROM dom JOIN dv USING ({k}) CROSS JOIN dsg
WHERE {not_null}
"""
