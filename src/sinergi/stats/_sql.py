"""The estimation as SQL, written once in DuckDB's dialect.

The work is split in three statements so that the large input is scanned once:

1. ``psu``: one row per (domain, stratum, PSU) holding weighted sums of every
   measure's numerator and denominator, of the Gini influence-function terms
   (which need a window over the domain sorted by income), and counters used to
   validate the input. This is the only pass over the records.
2. ``strata``: the number of PSUs of each stratum in the *whole* sample and its
   finite population correction.
3. ``estimate``: per domain, the point estimates, then per PSU the linearised
   variable ``z`` of each measure, then the with-replacement variance
   ``sum_h (1 - f_h) n_h / (n_h - 1) sum_i (z_hi - zbar_h)^2``. PSUs of a
   stratum without records of the domain are zeros; they are added
   analytically (``(n_h - k) * zbar_h^2``) so they never need materialising.

Column aliases are fixed, lower-case and distinct ignoring case, because Spark
resolves names case-insensitively.
"""

from __future__ import annotations

from collections.abc import Sequence
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


@dataclass
class _Aggregates:
    """Stage-1 columns, deduplicated: P0, P1 and P2 share their denominator."""

    grouped: bool
    items: dict[str, str] = field(default_factory=dict)

    def add(self, fn: Literal["SUM", "COUNT", "MIN", "MAX"], expr: str) -> str:
        key = f"{fn}({expr})"
        if key not in self.items:
            self.items[key] = f"s{len(self.items)}"
        return self.items[key]

    def select_list(self) -> list[str]:
        out = []
        for key, alias in self.items.items():
            fn, _, expr = key.partition("(")
            expr = expr[:-1]
            if self.grouped:
                sql = f"COALESCE(SUM({expr}), 0)" if fn == "SUM" else key
            elif fn == "SUM":
                # Without PSUs each record is its own PSU: the "aggregate" is the row itself.
                sql = f"COALESCE({expr}, 0)"
            elif fn == "COUNT":
                sql = "1" if expr == "*" else f"CASE WHEN {expr} IS NOT NULL THEN 1 ELSE 0 END"
            else:
                sql = expr
            out.append(f"{sql} AS {alias}")
        return out


@dataclass(frozen=True)
class MeasurePlan:
    """Which stage-1 columns a measure reads."""

    measure: Measure
    n: str
    num: str = ""
    den: str = ""
    gini_a: str = ""
    gini_t: str = ""
    gini_k: str = ""
    gini_w: str = ""
    gini_y: str = ""


@dataclass(frozen=True)
class ColumnCheck:
    """Stage-1 columns that validate one numeric input column."""

    column: str
    role: str
    count: str
    non_numeric: str | None
    minimum: str | None = None
    non_binary: str | None = None
    maximum: str | None = None


@dataclass
class Plan:
    """The SQL for one estimation call."""

    source: str
    by: tuple[str, ...]
    design: Design
    measures: tuple[Measure, ...]
    numeric: dict[str, bool]
    missing: Missing = "error"
    aliases: dict[str, str] = field(init=False)
    aggs: _Aggregates = field(init=False)
    plans: list[MeasurePlan] = field(init=False)
    checks: list[ColumnCheck] = field(init=False)
    n_rows: str = field(init=False)

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
        self.aggs = _Aggregates(grouped=self.design.psu is not None)
        self.n_rows = self.aggs.add("COUNT", "*")
        self.checks = []
        self.plans = []
        self._add_checks()
        for m in self.measures:
            self.plans.append(self._plan_measure(m))

    # -- aliases ---------------------------------------------------------

    @property
    def domain_keys(self) -> list[str]:
        return [f"d{i}" for i in range(max(1, len(self.by)))]

    def _keys(self, *extra: str) -> str:
        return ", ".join([*self.domain_keys, *extra])

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

    # -- stage 1 ---------------------------------------------------------

    def _add_checks(self) -> None:
        a = self.aggs
        binary = {m.value for m in self.measures if m.kind == "proportion"}
        lines = {m.poverty_line for m in self.measures if m.kind in FGT_KINDS}
        for name, alias in self.aliases.items():
            non_numeric = None if self.numeric[name] else a.add("SUM", f"nn_{alias}")
            minimum = maximum = non_binary = None
            role = "value"
            if name == self.design.weight:
                role, minimum = "weight", a.add("MIN", alias)
            elif name == self.design.fpc:
                role, minimum, maximum = "fpc", a.add("MIN", alias), a.add("MAX", alias)
            if name in lines:
                role = "poverty_line" if role == "value" else role
                minimum = a.add("MIN", alias)
            if name in binary:
                non_binary = a.add(
                    "SUM", f"CASE WHEN {alias} IS NOT NULL AND {alias} <> 0 AND {alias} <> 1 "
                    "THEN 1 ELSE 0 END"
                )
            self.checks.append(
                ColumnCheck(
                    column=name,
                    role=role,
                    count=a.add("COUNT", alias),
                    non_numeric=non_numeric,
                    minimum=minimum,
                    non_binary=non_binary,
                    maximum=maximum,
                )
            )

    def _n(self, m: Measure) -> str:
        ok = self._ok(m)
        if ok is None:
            return self.n_rows
        return self.aggs.add("SUM", f"CASE WHEN {ok} THEN 1 ELSE 0 END")

    def _plan_measure(self, m: Measure) -> MeasurePlan:
        a = self.aggs
        v = self.aliases[m.value]
        wm = self._wm(m)
        if m.kind in GINI_KINDS:
            i = self.measures.index(m)
            return MeasurePlan(
                m,
                n=self._n(m),
                gini_a=a.add("SUM", f"{wm} * ({v} * gc{i} - gg{i})"),
                gini_t=a.add("SUM", f"{wm} * {v} * (2 * gc{i} - {wm})"),
                gini_k=a.add("SUM", f"{wm} * {v} * ({wm} - 1)"),
                gini_w=a.add("SUM", wm),
                gini_y=a.add("SUM", f"{wm} * {v}"),
            )
        if m.kind in FGT_KINDS:
            z = self.aliases[str(m.poverty_line)]
            gap = f"(1 - {v} / {z})"
            g = {"fgt0": _dbl(1), "fgt1": gap, "fgt2": f"{gap} * {gap}"}[m.kind]
            # Strict y < z: BPS counts people *below* the line as poor.
            num = f"CASE WHEN {v} < {z} THEN {wm} * {g} ELSE 0 END"
            return MeasurePlan(m, n=self._n(m), num=a.add("SUM", num), den=a.add("SUM", wm))
        if m.kind == "total":
            return MeasurePlan(m, n=self._n(m), num=a.add("SUM", f"{wm} * {v}"))
        if m.kind == "ratio":
            x = self.aliases[str(m.denominator)]
            return MeasurePlan(
                m, n=self._n(m), num=a.add("SUM", f"{wm} * {v}"), den=a.add("SUM", f"{wm} * {x}")
            )
        # mean and proportion
        return MeasurePlan(m, n=self._n(m), num=a.add("SUM", f"{wm} * {v}"), den=a.add("SUM", wm))

    def _records_sql(self) -> str:
        """Stage 0: rename, cast to DOUBLE, NaN and infinities to NULL."""
        d = self.design
        raw = [
            f"{quote(c)} AS d{i}" for i, c in enumerate(self.by)
        ] or ["1 AS d0"]
        raw.append(f"{quote(d.strata)} AS h" if d.strata else "1 AS h")
        if d.psu:
            raw.append(f"{quote(d.psu)} AS p")
        clean = [*self.domain_keys, "h", *(["p"] if d.psu else [])]
        for name, alias in self.aliases.items():
            q = quote(name)
            if self.numeric[name]:
                raw.append(f"CAST({q} AS DOUBLE) AS r_{alias}")
            else:
                raw.append(f"TRY_CAST({q} AS DOUBLE) AS r_{alias}")
                raw.append(
                    f"CASE WHEN {q} IS NOT NULL AND TRY_CAST({q} AS DOUBLE) IS NULL "
                    f"THEN 1 ELSE 0 END AS nn_{alias}"
                )
                clean.append(f"nn_{alias}")
            clean.append(
                f"CASE WHEN ISNAN(r_{alias}) OR ABS(r_{alias}) > {_DBL_MAX} THEN NULL "
                f"ELSE r_{alias} END AS {alias}"
            )
        inner = f"SELECT {', '.join(raw)} FROM {self.source}"
        return f"SELECT {', '.join(clean)} FROM ({inner}) AS raw"

    def records_sql(self) -> str:
        """Stage 0 plus, for Gini, the running sums over each domain sorted by value."""
        base = self._records_sql()
        windows = []
        partition = ", ".join(self.domain_keys)
        for i, m in enumerate(self.measures):
            if m.kind not in GINI_KINDS:
                continue
            v = self.aliases[m.value]
            wm = self._wm(m)
            # ROWS, not the default RANGE frame: with RANGE, tied values would all get
            # the cumulative weight of the whole tie. The Gini terms below telescope
            # over a tie, so whatever order the engine puts tied rows in, the sums
            # are the same.
            over = (
                f"OVER (PARTITION BY {partition} ORDER BY {v} "
                "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
            )
            windows.append(f"SUM({wm}) {over} AS gc{i}")
            windows.append(f"SUM({wm} * {v}) {over} AS gg{i}")
        if not windows:
            return base
        return f"SELECT *, {', '.join(windows)} FROM ({base}) AS rec"

    def psu_sql(self) -> str:
        keys = self._keys("h", *(["p"] if self.design.psu else []))
        select = ", ".join([keys, *self.aggs.select_list()])
        group = f" GROUP BY {keys}" if self.aggs.grouped else ""
        return f"SELECT {select} FROM ({self.records_sql()}) AS r{group}"

    def count_sql(self, condition: str) -> str:
        """Count records matching a condition on stage-0 aliases (error reports only)."""
        return (
            f"SELECT SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS n "
            f"FROM ({self._records_sql()}) AS r"
        )

    # -- validation and strata -------------------------------------------

    def validation_sql(self, psu_table: str) -> str:
        parts = [f"SUM({self.n_rows}) AS n_rows"]
        for c in self.checks:
            parts.append(f"SUM({c.count}) AS {c.count}")
            if c.non_numeric:
                parts.append(f"SUM({c.non_numeric}) AS {c.non_numeric}")
            if c.non_binary:
                parts.append(f"SUM({c.non_binary}) AS {c.non_binary}")
            if c.minimum:
                parts.append(f"MIN({c.minimum}) AS {c.minimum}")
            if c.maximum:
                parts.append(f"MAX({c.maximum}) AS {c.maximum}")
        keys = ["h", *(["p"] if self.design.psu else []), *self.domain_keys[: len(self.by)]]
        for k in keys:
            parts.append(f"SUM(CASE WHEN {k} IS NULL THEN {self.n_rows} ELSE 0 END) AS null_{k}")
        return f"SELECT {', '.join(parts)} FROM {psu_table}"

    def strata_sql(self, psu_table: str) -> str:
        n_h = "COUNT(DISTINCT p)" if self.design.psu else f"SUM({self.n_rows})"
        fpc = self.design.fpc
        if fpc:
            check = next(c for c in self.checks if c.column == fpc and c.role == "fpc")
            f_min, f_max = f"MIN({check.minimum})", f"MAX({check.maximum})"
        else:
            f_min = f_max = _dbl(0)
        return (
            f"SELECT h, {n_h} AS n_h, {f_min} AS f_min, {f_max} AS f_max "
            f"FROM {psu_table} GROUP BY h"
        )

    # -- estimation ------------------------------------------------------

    def estimate_sql(self, psu_table: str, strata_table: str, fpc_mode: FpcMode) -> str:
        keys = self.domain_keys
        k = ", ".join(keys)
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
                dom += [
                    f"SUM({mp.gini_w}) AS dw{i}",
                    f"SUM({mp.gini_y}) AS dy{i}",
                    f"(SUM({mp.gini_t}){extra}) / NULLIF(SUM({mp.gini_w}) * SUM({mp.gini_y}), 0)"
                    f" - 1 AS de{i}",
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
        dh = ", ".join(f"SUM(z{i}) AS zs{i}" for i in idx)
        dz = ", ".join(f"SUM(zs{i}) AS zt{i}" for i in idx)
        dhq = ", ".join(f"SUM((z{i} - zs{i} / n_h) * (z{i} - zs{i} / n_h)) AS q{i}" for i in idx)
        dhv = []
        for i in idx:
            full = (
                f"(1 - f_h) * n_h / NULLIF(n_h - 1, 0) * "
                f"(q{i} + (n_h - k) * (zs{i} / n_h) * (zs{i} / n_h))"
            )
            if lonely == "adjust":
                zbar = f"(zt{i} / n_psu)"
                one = f"(1 - f_h) * ((zs{i} - {zbar}) * (zs{i} - {zbar}) - {zbar} * {zbar})"
            else:
                one = "0"
            dhv.append(f"CASE WHEN n_h > 1 THEN {full} ELSE {one} END AS v{i}")
        final = []
        for i in idx:
            var = f"COALESCE(v{i}, 0)"
            if lonely == "adjust":
                # Lonely strata without records of the domain still deviate from the mean.
                var = f"{var} + (zt{i} / n_psu) * (zt{i} / n_psu) * lonely_w"
            elif lonely == "average":
                var = f"{var} * n_strata / NULLIF(n_ok, 0)"
            final.append(f"dn{i} AS n{i}, de{i} AS e{i}, {var} AS var{i}")
        sum_v = ", ".join(f"SUM(v{i}) AS v{i}" for i in idx)
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
  SELECT {k}, h, COUNT(*) AS k, {dh} FROM lin GROUP BY {k}, h
),
dz AS (
  SELECT {k}, {dz} FROM dh GROUP BY {k}
),
dhq AS (
  SELECT {k}, h, {dhq}
  FROM lin JOIN dh USING ({k}, h) JOIN st USING (h)
  GROUP BY {k}, h
),
dhv AS (
  SELECT {k}, h, {", ".join(dhv)}
  FROM dh JOIN dhq USING ({k}, h) JOIN st USING (h) JOIN dz USING ({k}) CROSS JOIN dsg
),
dv AS (
  SELECT {k}, {sum_v} FROM dhv GROUP BY {k}
)
SELECT {k}, {", ".join(final)}
FROM dom JOIN dv USING ({k}) JOIN dz USING ({k}) CROSS JOIN dsg
WHERE {" AND ".join(f"{c} IS NOT NULL" for c in keys)}
"""
