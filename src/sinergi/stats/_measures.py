"""What can be estimated: FGT poverty measures, Gini, means, totals, ratios."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

MeasureKind = Literal[
    "fgt0", "fgt1", "fgt2", "gini", "gini_convey", "mean", "total", "proportion", "ratio"
]

MEASURE_KINDS: tuple[str, ...] = get_args(MeasureKind)
FGT_KINDS = ("fgt0", "fgt1", "fgt2")
GINI_KINDS = ("gini", "gini_convey")


@dataclass(frozen=True)
class Measure:
    """One quantity to estimate, with the columns it reads.

    Parameters
    ----------
    kind
        ``'fgt0'``, ``'fgt1'``, ``'fgt2'``
            Foster-Greer-Thorbecke ``P_a = sum(w * (1 - y/z)**a * [y < z]) / sum(w)``
            with a record-level poverty line ``z`` (``poverty_line``). ``P0`` is
            the headcount ratio (BPS *persentase penduduk miskin*), ``P1`` the
            poverty gap index, ``P2`` the severity index. The line is treated
            as fixed, so each is a ratio of two totals for the variance.
            Extreme poverty is ``fgt0`` against the extreme line column.
        ``'gini'``
            Weighted Gini in the laeken / Eurostat convention (also the World
            Bank PIP formula), the default; see :func:`sinergi.stats.estimate`.
        ``'gini_convey'``
            Weighted Gini in the convention of R convey's ``svygini`` (Osier 2009).
        ``'mean'``, ``'proportion'``
            Weighted mean of ``value``; a proportion requires 0/1 values.
        ``'total'``
            Weighted total of ``value``.
        ``'ratio'``
            Ratio of totals ``sum(w * value) / sum(w * denominator)``, e.g. open
            unemployment rate = unemployed / in labour force, stunting =
            stunted / children measured.
    value
        Column the measure is computed from (expenditure or income for
        FGT and Gini; the numerator for a ratio).
    poverty_line
        Column holding each record's poverty line (FGT only).
    denominator
        Denominator column (ratio only).
    name
        Label in the output; defaults to ``kind``. Two measures in one call
        must have different names.

    Examples
    --------
    >>> Measure("fgt0", "pcexp", poverty_line="line_extreme", name="fgt0_extreme").name
    'fgt0_extreme'
    >>> Measure("ratio", "unemployed", denominator="in_labour_force").name
    'ratio'
    >>> Measure("fgt1", "pcexp")
    Traceback (most recent call last):
    ...
    ValueError: measure 'fgt1' needs a poverty_line column
    """

    kind: MeasureKind
    value: str
    poverty_line: str | None = None
    denominator: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in MEASURE_KINDS:
            kinds = ", ".join(MEASURE_KINDS)
            raise ValueError(f"unknown measure {self.kind!r}; choose from {kinds}")
        if not self.value:
            raise ValueError(f"measure {self.kind!r} needs a value column")
        if self.kind in FGT_KINDS and not self.poverty_line:
            raise ValueError(f"measure {self.kind!r} needs a poverty_line column")
        if self.kind == "ratio" and not self.denominator:
            raise ValueError("measure 'ratio' needs a denominator column")
        if not self.name:
            object.__setattr__(self, "name", self.kind)

    @property
    def columns(self) -> tuple[str, ...]:
        """The input columns this measure reads, value first."""
        extra = self.poverty_line if self.kind in FGT_KINDS else None
        if self.kind == "ratio":
            extra = self.denominator
        return (self.value,) if extra is None else (self.value, extra)


def resolve_measures(
    measures: Sequence[str | Measure] | str,
    *,
    value: str | None,
    poverty_line: str | None,
    denominator: str | None,
) -> tuple[Measure, ...]:
    """Turn measure names into :class:`Measure` objects using the default columns."""
    if isinstance(measures, str):
        measures = [m.strip() for m in measures.split(",") if m.strip()]
    resolved: list[Measure] = []
    for m in measures:
        if isinstance(m, Measure):
            resolved.append(m)
            continue
        if m not in MEASURE_KINDS:
            kinds = ", ".join(MEASURE_KINDS)
            raise ValueError(f"unknown measure {m!r}; choose from {kinds}")
        if value is None:
            raise ValueError(f"measure {m!r} needs a value column (value=...)")
        kind: MeasureKind = m  # type: ignore[assignment]
        resolved.append(
            Measure(
                kind,
                value,
                poverty_line=poverty_line if kind in FGT_KINDS else None,
                denominator=denominator if kind == "ratio" else None,
            )
        )
    if not resolved:
        raise ValueError("no measure requested")
    names = [m.name for m in resolved]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"measure names must be unique; repeated: {', '.join(dupes)}")
    return tuple(resolved)
