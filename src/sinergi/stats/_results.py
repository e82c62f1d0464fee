"""Typed results: one :class:`Estimate` per domain and measure."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

DomainValue = str | int | float | bool
"""Type of one ``by`` column's value in a domain."""

RESULT_COLUMNS = ("measure", "estimate", "se", "ci_low", "ci_high", "rse", "n", "flag")
"""Output columns after the ``by`` columns, in order."""


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
        z = NormalDist().inv_cdf(0.5 + level / 2.0)
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


@dataclass(frozen=True)
class Results:
    """All estimates of one :func:`~sinergi.stats.estimate` call.

    Iterate over it (or use :attr:`rows`) for typed :class:`Estimate` rows;
    :meth:`to_arrow` gives a table with the ``by`` columns first.

    Attributes
    ----------
    by
        Domain columns, in order.
    rows
        Estimates sorted by domain, then in the order the measures were asked.
    level
        Confidence level of the intervals.
    engine
        Name of the engine that computed them.
    """

    by: tuple[str, ...]
    rows: tuple[Estimate, ...]
    level: float
    engine: str

    def __iter__(self) -> Iterator[Estimate]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, measure: str, **domain: DomainValue) -> Estimate:
        """The estimate of ``measure`` for the domain given as keyword arguments.

        Examples
        --------
        >>> e = Estimate.from_variance((("urban", 1),), "fgt0", 0.1, 0.0001, 10, 0.95)
        >>> Results(("urban",), (e,), 0.95, "duckdb").get("fgt0", urban=1).estimate
        0.1
        """
        wanted = tuple(sorted(domain.items()))
        for row in self.rows:
            if row.measure == measure and tuple(sorted(row.domain)) == wanted:
                return row
        raise KeyError(f"no estimate of {measure!r} for domain {domain!r}")

    def to_dicts(self) -> list[dict[str, object]]:
        """Rows as plain dicts, ``by`` columns first (for CSV writers and JSON)."""
        out: list[dict[str, object]] = []
        for row in self.rows:
            record: dict[str, object] = dict(row.domain)
            record.update(
                measure=row.measure,
                estimate=row.estimate,
                se=row.se,
                ci_low=row.ci_low,
                ci_high=row.ci_high,
                rse=row.rse,
                n=row.n,
                flag=row.flag.value,
            )
            out.append(record)
        return out

    def to_arrow(self) -> pa.Table:
        """The estimates as a :class:`pyarrow.Table`, ``by`` columns first.

        Examples
        --------
        >>> e = Estimate.from_variance((("urban", 1),), "fgt0", 0.1, 0.0001, 10, 0.95)
        >>> Results(("urban",), (e,), 0.95, "duckdb").to_arrow().column_names
        ['urban', 'measure', 'estimate', 'se', 'ci_low', 'ci_high', 'rse', 'n', 'flag']
        """
        import pyarrow as pa

        columns: dict[str, Sequence[object]] = {
            name: [dict(r.domain)[name] for r in self.rows] for name in self.by
        }
        fields: Mapping[str, pa.DataType] = {
            "measure": pa.string(),
            "estimate": pa.float64(),
            "se": pa.float64(),
            "ci_low": pa.float64(),
            "ci_high": pa.float64(),
            "rse": pa.float64(),
            "n": pa.int64(),
            "flag": pa.string(),
        }
        arrays = {name: pa.array(values) for name, values in columns.items()}
        for name, dtype in fields.items():
            values = [getattr(r, name) for r in self.rows]
            if name == "flag":
                values = [v.value for v in values]
            arrays[name] = pa.array(values, type=dtype)
        return pa.table(arrays)
