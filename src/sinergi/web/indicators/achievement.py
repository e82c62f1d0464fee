"""Achievement (capaian), its band, the gap to target, and a projection.

This module is the single place these rules live; the dashboard, the API and
the CLI all call :func:`evaluate`. It works on plain numbers so it can be
tested without a database.

Rules
-----
Achievement of a value R against a target T (Permendagri 86/2017):

* higher is better: ``R / T * 100``
* lower is better:  ``(2T - R) / T * 100``

Bands (configurable in ``settings.SINERGI_ACHIEVEMENT_BANDS``): very high > 90,
high 76-90, medium 66-75, low 51-65, very low <= 50.

Projection
----------
A linear trend fitted by ordinary least squares to the annual values
(at most the last ``MAX_HISTORY`` years), extrapolated to the target year,
with a two-sided prediction interval at ``level`` (default 80 %) from the
t distribution with n - 2 degrees of freedom. The model is deliberately
simple: regional series are short (often 3-6 points) and a planner must be
able to explain it in a meeting. With two points the line is drawn through
them and no interval can be estimated; with one, there is no projection.

Status
------
* target year reached (the latest value is of the target year or later) or
  the target has no year: ``achieved`` if the value meets the target, else
  ``not_achieved``;
* target year ahead, with a projection interval: ``on_track`` when the whole
  interval meets the target, ``off_track`` when none of it does, ``at_risk``
  when it straddles the target;
* with only a point projection (two values) or none (one value): ``on_track``
  if the point (or the current value) meets the target, else ``at_risk``,
  and ``low_confidence`` is set;
* no value: ``no_data``;
* a value, but a change target whose baseline value is missing:
  ``no_baseline`` (the value is shown; the target cannot be judged).

Achievement and band grade the distance to the target; the status is the
verdict. A band is never a verdict of its own: 90 % achievement is "high"
whether or not the target is met, so pages show the band beside the status
without a colour that could contradict it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sinergi.web.indicators.choices import Band, Comparator, Polarity, Status, TargetKind

MAX_HISTORY = 8
DEFAULT_BANDS: tuple[tuple[float, str], ...] = (
    (90.0, Band.VERY_HIGH),
    (75.0, Band.HIGH),
    (65.0, Band.MEDIUM),
    (50.0, Band.LOW),
    (float("-inf"), Band.VERY_LOW),
)


@dataclass(frozen=True)
class Point:
    """One annual observation."""

    year: int
    value: float


@dataclass(frozen=True)
class Projection:
    """The trend's value in ``year`` with its prediction interval (if estimable)."""

    year: int
    value: float
    low: float | None
    high: float | None
    n: int
    slope: float
    level: float

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class Evaluation:
    """A value judged against one target."""

    value: float | None
    value_year: int | None
    target: float | None  # the level to reach (change targets resolved against baseline)
    target_year: int | None
    achievement: float | None  # percent
    band: str | None
    gap: float | None  # target - value, in the indicator's unit
    meets: bool | None
    projection: Projection | None
    status: str
    low_confidence: bool
    reason: str


def achievement(value: float, target: float, polarity: str) -> float:
    """Achievement in percent of ``value`` against ``target``.

    >>> achievement(9.0, 10.0, "higher")
    90.0
    >>> round(achievement(11.0, 10.0, "lower"), 6)
    90.0
    """
    if target == 0:
        raise ZeroDivisionError("achievement is undefined for a target of 0")
    if polarity == Polarity.HIGHER_IS_BETTER:
        return value / target * 100.0
    return (2.0 * target - value) / target * 100.0


def band(achievement_pct: float, bands: Sequence[tuple[float, str]] = DEFAULT_BANDS) -> str:
    """The band an achievement falls in (``very_high`` > 90 ... ``very_low`` <= 50).

    >>> band(90.0), band(90.01), band(50.0)
    ('high', 'very_high', 'very_low')
    """
    for bound, name in bands:
        if achievement_pct > bound:
            return str(name)
    return str(bands[-1][1])


def meets(value: float, target: float, polarity: str, comparator: str = Comparator.AUTO) -> bool:
    """Whether ``value`` satisfies ``target`` (AUTO: >= when higher is better, else <=).

    >>> meets(11, 10, "lower", "lt"), meets(9.99, 10, "lower", "lt"), meets(10, 10, "lower")
    (False, True, True)
    """
    if comparator == Comparator.AUTO:
        comparator = Comparator.GE if polarity == Polarity.HIGHER_IS_BETTER else Comparator.LE
    return {
        Comparator.LT: value < target,
        Comparator.LE: value <= target,
        Comparator.GE: value >= target,
        Comparator.GT: value > target,
    }[Comparator(comparator)]


@functools.lru_cache(maxsize=128)
def _t_quantile(p: float, df: int) -> float:
    """Student's t quantile (scipy, imported on first use: it costs seconds at start-up)."""
    from scipy import stats

    return float(stats.t.ppf(p, df=df))


def project(points: Sequence[Point], year: int, level: float = 0.80) -> Projection | None:
    """Extrapolate the linear trend of ``points`` to ``year``.

    >>> p = project([Point(2021, 1.0), Point(2022, 2.0), Point(2023, 3.1)], 2025)
    >>> round(p.value, 2), p.has_interval
    (5.18, True)
    """
    history = sorted(points, key=lambda p: p.year)[-MAX_HISTORY:]
    n = len(history)
    if n < 2:
        return None
    xs = [float(p.year) for p in history]
    ys = [p.value for p in history]
    x_mean, y_mean = sum(xs) / n, sum(ys) / n
    sxx = sum((x - x_mean) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = y_mean - slope * x_mean
    predicted = intercept + slope * year
    if n < 3:
        return Projection(year, predicted, None, None, n, slope, level)
    residual_ss = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    sigma = math.sqrt(residual_ss / (n - 2))
    t = _t_quantile(0.5 + level / 2.0, n - 2)
    half = t * sigma * math.sqrt(1.0 + 1.0 / n + (year - x_mean) ** 2 / sxx)
    return Projection(year, predicted, predicted - half, predicted + half, n, slope, level)


def resolve_target(
    target_value: float,
    kind: str,
    baseline: float | None,
) -> float | None:
    """The level a target asks for; a change target is relative to its baseline value.

    >>> resolve_target(-50, "change_pct", 4.0)
    2.0
    """
    if kind == TargetKind.CHANGE_PERCENT:
        if baseline is None:
            return None
        return baseline * (1.0 + target_value / 100.0)
    return target_value


def evaluate(
    *,
    history: Sequence[Point],
    latest_undated: float | None,
    target_value: float,
    target_year: int | None,
    polarity: str,
    comparator: str = Comparator.AUTO,
    kind: str = TargetKind.LEVEL,
    baseline: float | None = None,
    baseline_year: int | None = None,
    current: Point | None = None,
    bands: Sequence[tuple[float, str]] = DEFAULT_BANDS,
    level: float = 0.80,
) -> Evaluation:
    """Judge an indicator's values against one target.

    ``history`` holds the dated annual values up to the evaluation year;
    ``latest_undated`` a value reported without a year, used only when there
    is no dated one (the seed's "stunting fell from 20 to 11").
    ``baseline_year`` only words the reason when a change target's baseline
    value is missing. ``current`` is a value more recent than the last annual
    one (a quarter's rate, say): it is the value judged, as the page shows it,
    while the trend is fitted on the annual history alone.

    >>> ev = evaluate(history=[Point(2024, 3.29)], latest_undated=None, target_value=-50,
    ...               target_year=2022, polarity="lower", kind="change_pct", baseline=None)
    >>> str(ev.status), ev.value, ev.target
    ('no_baseline', 3.29, None)
    """
    resolved = resolve_target(target_value, kind, baseline)
    ordered = sorted(history, key=lambda p: p.year)
    if ordered:
        value: float | None = ordered[-1].value
        value_year: int | None = ordered[-1].year
    else:
        value, value_year = latest_undated, None
    if current is not None and (value_year is None or current.year >= value_year):
        value, value_year = current.value, current.year

    def result(status: str, reason: str, **extra: object) -> Evaluation:
        fields: dict[str, object] = {
            "value": value,
            "value_year": value_year,
            "target": resolved,
            "target_year": target_year,
            "achievement": None,
            "band": None,
            "gap": None,
            "meets": None,
            "projection": None,
            "low_confidence": False,
        }
        fields.update(extra)
        return Evaluation(status=status, reason=reason, **fields)  # type: ignore[arg-type]

    if value is None:
        return result(Status.NO_DATA, _("no value"))
    if resolved is None:
        if baseline_year is not None:
            reason = _("cannot be judged: no value for the baseline year %(year)s") % {
                "year": baseline_year
            }
        else:
            reason = _("cannot be judged: no value for the baseline year")
        return result(Status.NO_BASELINE, reason)
    pct = achievement(value, resolved, polarity) if resolved != 0 else None
    common = {
        "achievement": pct,
        "band": band(pct, bands) if pct is not None else None,
        "gap": resolved - value,
        "meets": meets(value, resolved, polarity, comparator),
    }
    if target_year is None or value_year is None or value_year >= target_year:
        if target_year is not None and value_year is not None:
            at_target = [p for p in ordered if p.year == target_year]
            if at_target:
                value = at_target[0].value
                value_year = target_year
                pct = achievement(value, resolved, polarity) if resolved != 0 else None
                common = {
                    "achievement": pct,
                    "band": band(pct, bands) if pct is not None else None,
                    "gap": resolved - value,
                    "meets": meets(value, resolved, polarity, comparator),
                }
        if common["meets"]:
            return result(Status.ACHIEVED, _("the value meets the target"), **common)
        return result(Status.NOT_ACHIEVED, _("the value does not meet the target"), **common)

    projection = project(ordered, target_year, level)
    if projection is None:
        status = Status.ON_TRACK if common["meets"] else Status.AT_RISK
        return result(
            status, _("one value only: judged on the current value"), low_confidence=True, **common
        )
    if not projection.has_interval:
        ok = meets(projection.value, resolved, polarity, comparator)
        return result(
            Status.ON_TRACK if ok else Status.AT_RISK,
            _("two values only: judged on the trend line without an interval"),
            projection=projection,
            low_confidence=True,
            **common,
        )
    assert projection.low is not None and projection.high is not None
    low_ok = meets(projection.low, resolved, polarity, comparator)
    high_ok = meets(projection.high, resolved, polarity, comparator)
    if low_ok and high_ok:
        status, reason = Status.ON_TRACK, _("the whole projection interval meets the target")
    elif low_ok or high_ok:
        status, reason = Status.AT_RISK, _("the projection interval straddles the target")
    else:
        status, reason = Status.OFF_TRACK, _("the whole projection interval misses the target")
    return result(status, reason, projection=projection, **common)
