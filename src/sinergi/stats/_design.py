"""The sample design: weights, strata, PSUs, finite population correction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

LonelyPSU = Literal["error", "certainty", "adjust", "average"]
"""What to do with a stratum that has a single PSU (R survey's ``survey.lonely.psu``)."""

LONELY_PSU_OPTIONS: tuple[str, ...] = get_args(LonelyPSU)


@dataclass(frozen=True)
class Design:
    """A stratified multi-stage sample, described by the columns that carry it.

    Variance follows the ultimate-cluster approximation: PSUs are treated as
    drawn with replacement within strata, so only first-stage PSU totals enter
    the variance (the standard Taylor-linearisation setting of Stata ``svy``,
    R ``survey`` and BPS's own Susenas tables).

    Parameters
    ----------
    weight
        Column of final (person) weights. ``None`` means every record weighs 1.
        Weights must be present and non-negative; zero is allowed.
    strata
        Column identifying the stratum. ``None`` means one stratum.
    psu
        Column identifying the primary sampling unit (e.g. census block).
        PSU identifiers are nested within strata: PSU ``1`` of stratum ``A``
        and PSU ``1`` of stratum ``B`` are different PSUs. ``None`` means each
        record is its own PSU.
    fpc
        Optional finite population correction column, constant within a
        stratum: either the sampling fraction of PSUs (all values <= 1) or the
        population number of PSUs in the stratum (values > 1). The stratum's
        variance is multiplied by ``1 - f``.
    lonely_psu
        Treatment of a stratum with a single PSU in the whole sample, where the
        within-stratum variance cannot be estimated:

        ``'error'`` (default)
            raise :class:`DesignError` naming the strata;
        ``'certainty'``
            the stratum contributes 0 (it was sampled with certainty),
            as R's ``"certainty"`` / ``"remove"``;
        ``'adjust'``
            centre the lonely PSU at the grand mean of all PSU totals instead
            of its stratum mean (R's ``"adjust"``, conservative);
        ``'average'``
            replace its contribution by the average of the other strata
            (R's ``"average"``).

        A domain that has records in only one PSU of a stratum with several
        PSUs is not "lonely": the other PSUs enter as zeros.

    Examples
    --------
    >>> Design(weight="rb050", strata="db040", psu="db030")
    Design(weight='rb050', strata='db040', psu='db030', fpc=None, lonely_psu='error')
    >>> Design(weight="w", lonely_psu="drop")
    Traceback (most recent call last):
    ...
    ValueError: lonely_psu must be one of 'error', 'certainty', 'adjust', 'average'; got 'drop'
    """

    weight: str | None = None
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: LonelyPSU = "error"

    def __post_init__(self) -> None:
        if self.lonely_psu not in LONELY_PSU_OPTIONS:
            options = ", ".join(repr(o) for o in LONELY_PSU_OPTIONS)
            raise ValueError(f"lonely_psu must be one of {options}; got {self.lonely_psu!r}")
        for field_name in ("weight", "strata", "psu", "fpc"):
            value = getattr(self, field_name)
            if value is not None and (not isinstance(value, str) or not value):
                raise ValueError(f"{field_name} must be a column name or None; got {value!r}")
