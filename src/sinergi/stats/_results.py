"""Typed results: one :class:`Estimate` per domain and measure."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, lru_cache
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

DomainValue = str | int | float | bool
"""Type of one ``by`` column's value in a domain."""

RESULT_COLUMNS = ("measure", "estimate", "se", "ci_low", "ci_high", "rse", "n", "flag")
"""Output columns after the ``by`` columns, in order."""


@lru_cache(maxsize=8)
def _normal_quantile(p: float) -> float:
    return NormalDist().inv_cdf(p)


class Flag(StrEnum):
    """BPS publication flag from the relative standard error."""

    PUBLISH = "publish"
    CAUTION = "caution"
    UNRELIABLE = "unreliable"


def publication_flag(rse: float | None) -> Flag:
    """Classify a relative standard error (in percent) the way BPS does.

    RSE <= 25 % may be published, 25-50 % published with caution, > 50 % not
    published. An undefined RSE (an estimate of zero, or no data) is
    ``'unreliable'``: nothing supports publishing it.

    Parameters
    ----------
    rse
        Relative standard error in percent, or ``None`` when undefined.

    Returns
    -------
    Flag

    Examples
    --------
    >>> publication_flag(25.0), publication_flag(25.1), publication_flag(50.1)
    (<Flag.PUBLISH: 'publish'>, <Flag.CAUTION: 'caution'>, <Flag.UNRELIABLE: 'unreliable'>)
    >>> publication_flag(None)
    <Flag.UNRELIABLE: 'unreliable'>
    """
    if rse is None or math.isnan(rse):
        return Flag.UNRELIABLE
    if rse <= 25.0:
        return Flag.PUBLISH
    if rse <= 50.0:
        return Flag.CAUTION
    return Flag.UNRELIABLE


@dataclass(frozen=True)
class Estimate:
    """One estimate for one domain.

    Attributes
    ----------
    domain
        ``((column, value), ...)`` for the ``by`` columns, empty for the whole
        population. :attr:`domain_dict` gives it as a dict.
    measure
        The measure's name (``'fgt0'``, ``'gini'``, ...).
    estimate
        Point estimate (a share as a fraction, e.g. 0.0958 for 9.58 %; NaN if
        the domain has no weight).
    se
        Standard error by Taylor linearisation.
    ci_low, ci_high
        Normal confidence interval at the requested level.
    rse
        Relative standard error ``100 * se / |estimate|`` in percent, as BPS
        publishes it; ``None`` when the estimate is 0 or undefined.
    n
        Unweighted number of records in the domain used by the measure.
    flag
        BPS publication flag (see :func:`publication_flag`).
    """

    domain: tuple[tuple[str, DomainValue], ...]
    measure: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    rse: float | None
    n: int
    flag: Flag

    @property
    def domain_dict(self) -> dict[str, DomainValue]:
        """The domain as ``{column: value}``."""
        return dict(self.domain)

    @classmethod
    def from_variance(
        cls,
        domain: tuple[tuple[str, DomainValue], ...],
        measure: str,
        estimate: float | None,
        variance: float | None,
        n: int,
        level: float,
    ) -> Estimate:
        """Build an estimate from a point value and its variance.

        Examples
        --------
        >>> e = Estimate.from_variance((("kec", "16.07.01"),), "fgt0", 0.1, 0.0004, 250, 0.95)
        >>> round(e.se, 6), round(e.ci_low, 4), round(e.rse, 1), e.flag.value
        (0.02, 0.0608, 20.0, 'publish')
        """
        est = math.nan if estimate is None else float(estimate)
        var = math.nan if variance is None else float(variance)
        # Rounding can leave a variance of exactly-zero quantities at -1e-30.
        se = math.sqrt(var) if var > 0 else (0.0 if var > -1e-12 else math.nan)
        z = _normal_quantile(0.5 + level / 2.0)
        rse = 100.0 * se / abs(est) if est != 0 and not math.isnan(est) else None
        if rse is not None and math.isnan(rse):
            rse = None
        return cls(
            domain=domain,
            measure=measure,
            estimate=est,
            se=se,
            ci_low=est - z * se,
            ci_high=est + z * se,
            rse=rse,
            n=int(n),
            flag=publication_flag(rse),
        )


def flags_for(rse: np.ndarray) -> np.ndarray:
    """Vectorised :func:`publication_flag` over RSEs in percent (NaN = undefined)."""
    return np.select(
        [rse <= 25.0, rse <= 50.0], [Flag.PUBLISH.value, Flag.CAUTION.value], Flag.UNRELIABLE.value
    )


def results_table(
    domains: pa.Table,
    measures: Sequence[str],
    estimates: Sequence[np.ndarray],
    variances: Sequence[np.ndarray],
    counts: Sequence[np.ndarray],
    level: float,
) -> pa.Table:
    """Assemble the long result table: domain columns, then one row per measure.

    ``domains`` holds one row per domain (already sorted); the i-th arrays give
    measure i's estimate, variance and n per domain.
    """
    import pyarrow as pa

    z = _normal_quantile(0.5 + level / 2.0)
    n_dom, n_meas = domains.num_rows, len(measures)
    est = np.column_stack(estimates).ravel() if n_meas else np.empty(0)
    var = np.column_stack(variances).ravel() if n_meas else np.empty(0)
    cnt = np.column_stack(counts).ravel().astype(np.int64) if n_meas else np.empty(0, np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Rounding can leave the variance of a constant at -1e-30: that is zero.
        se = np.sqrt(np.where((var < 0) & (var > -1e-12), 0.0, var))
        rse = np.where((est != 0) & np.isfinite(est), 100.0 * se / np.abs(est), np.nan)
    take = pa.array(np.repeat(np.arange(n_dom), n_meas))
    columns = {name: domains.column(name).take(take) for name in domains.column_names}
    columns.update(
        measure=pa.array(np.tile(np.array(measures, dtype=object), n_dom), pa.string()),
        estimate=pa.array(est, pa.float64()),
        se=pa.array(se, pa.float64()),
        ci_low=pa.array(est - z * se, pa.float64()),
        ci_high=pa.array(est + z * se, pa.float64()),
        rse=pa.array(rse, pa.float64(), mask=np.isnan(rse)),
        n=pa.array(cnt, pa.int64()),
        flag=pa.array(flags_for(rse), pa.string()),
    )
    return pa.table(columns)


@dataclass(frozen=True)
class Results:
    """All estimates of one :func:`~sinergi.stats.estimate` call.

    Held as a column table (cheap for 80,000 domains); iterating, :attr:`rows`
    and :meth:`get` give typed :class:`Estimate` rows, :meth:`to_arrow` the
    table with the ``by`` columns first.

    Attributes
    ----------
    by
        Domain columns, in order.
    table
        The estimates: ``by`` columns, then ``measure, estimate, se, ci_low,
        ci_high, rse, n, flag``; sorted by domain, then in the order the
        measures were asked.
    level
        Confidence level of the intervals.
    engine
        Name of the engine that computed them.
    """

    by: tuple[str, ...]
    table: pa.Table
    level: float
    engine: str

    @cached_property
    def rows(self) -> tuple[Estimate, ...]:
        """The estimates as typed rows, in table order."""
        data = self.table.to_pydict()
        out = []
        for i in range(self.table.num_rows):
            out.append(
                Estimate(
                    domain=tuple((name, data[name][i]) for name in self.by),
                    measure=data["measure"][i],
                    estimate=data["estimate"][i],
                    se=data["se"][i],
                    ci_low=data["ci_low"][i],
                    ci_high=data["ci_high"][i],
                    rse=data["rse"][i],
                    n=data["n"][i],
                    flag=Flag(data["flag"][i]),
                )
            )
        return tuple(out)

    def __iter__(self) -> Iterator[Estimate]:
        return iter(self.rows)

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def get(self, measure: str, **domain: DomainValue) -> Estimate:
        """The estimate of ``measure`` for the domain given as keyword arguments.

        Examples
        --------
        >>> import numpy as np, pyarrow as pa
        >>> t = results_table(pa.table({"urban": [0, 1]}), ["fgt0"], [np.array([0.12, 0.07])],
        ...                   [np.array([1e-4, 4e-4])], [np.array([900, 300])], 0.95)
        >>> r = Results(("urban",), t, 0.95, "duckdb").get("fgt0", urban=1)
        >>> round(r.se, 3), round(r.rse, 1), r.flag.value
        (0.02, 28.6, 'caution')
        """
        wanted = tuple(sorted(domain.items()))
        for row in self.rows:
            if row.measure == measure and tuple(sorted(row.domain)) == wanted:
                return row
        raise KeyError(f"no estimate of {measure!r} for domain {domain!r}")

    def to_dicts(self) -> list[dict[str, object]]:
        """Rows as plain dicts, ``by`` columns first (for CSV writers and JSON)."""
        return list(self.table.to_pylist())

    def to_arrow(self) -> pa.Table:
        """The estimates as a :class:`pyarrow.Table`, ``by`` columns first.

        Examples
        --------
        >>> import numpy as np, pyarrow as pa
        >>> t = results_table(pa.table({"urban": [1]}), ["fgt0"], [np.array([0.1])],
        ...                   [np.array([1e-4])], [np.array([10])], 0.95)
        >>> Results(("urban",), t, 0.95, "duckdb").to_arrow().column_names
        ['urban', 'measure', 'estimate', 'se', 'ci_low', 'ci_high', 'rse', 'n', 'flag']
        """
        return self.table
