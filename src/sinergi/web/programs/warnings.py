"""Early warning for monev: the one place that decides whether an activity is late.

Pure functions over plain data (no database), so pages, the API, the reports
and the CLI show the same warnings and the rules are tested at their
boundaries. Thresholds come from ``settings.SINERGI_MONEV_WARNINGS``; every
key is optional:

``physical_margin``       percentage points physical progress may trail its plan (10)
``financial_margin``      percentage points spending may trail planned disbursement (10)
``deadline_days``         "deadline near" window before the activity's end, in days (45,
                          the regent's "less than 1.5 months left")
``deadline_min_physical`` physical progress (%) below which a near deadline warns (90)
``output_tolerance``      percent of the year target an output projection may fall short (0)

A margin is a strict bound: trailing by exactly the margin does not warn.
Inside the deadline window, exactly ``deadline_days`` left does warn.

Financial realisation is measured against the public budget (APBD regency,
APBD province, APBN/DAK) that passes through the agency; non-APBD financing
(CSR, KUR, private, grants) is reported but not "spent" by the agency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _

from sinergi.web.programs.choices import WarningKind

HUNDRED = Decimal(100)
HIGH = "high"
MEDIUM = "medium"


@dataclass(frozen=True)
class Thresholds:
    physical_margin: Decimal = Decimal(10)
    financial_margin: Decimal = Decimal(10)
    deadline_days: int = 45
    deadline_min_physical: Decimal = Decimal(90)
    output_tolerance: Decimal = Decimal(0)

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any] | None) -> Thresholds:
        """Build from a settings dict; unknown keys or bad values fail loudly."""
        config = dict(config or {})
        unknown = set(config) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown monev warning setting(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name, raw in config.items():
            if name == "deadline_days":
                values[name] = int(raw)
            else:
                values[name] = Decimal(str(raw))
            if values[name] < 0:
                raise ValueError(f"monev warning setting {name} cannot be negative")
        return cls(**values)


def configured_thresholds() -> Thresholds:
    """The thresholds of ``settings.SINERGI_MONEV_WARNINGS`` (defaults when unset)."""
    from django.conf import settings

    return Thresholds.from_mapping(getattr(settings, "SINERGI_MONEV_WARNINGS", None))


@dataclass(frozen=True)
class OutputSeries:
    """One output indicator: its year target and the values reported per quarter.

    For an additive output ``values`` are what was achieved in each quarter;
    otherwise each is the level at the end of the quarter.
    """

    name: str
    unit: str
    target: Decimal
    higher_is_better: bool = True
    additive: bool = True
    values: Mapping[int, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class ActivityProgress:
    """What the rules need to know about an activity at the end of ``quarter``."""

    quarter: int
    as_of: dt.date
    end_date: dt.date
    public_budget: Decimal
    planned_physical: Decimal | None = None
    physical: Decimal | None = None  # None: nothing reported for the quarter
    planned_disbursement: Decimal | None = None
    spent: Decimal | None = None
    outputs: Sequence[OutputSeries] = ()
    year: int | None = None  # the budget year (default: the year of ``end_date``)


@dataclass(frozen=True)
class Warning:
    kind: str
    severity: str
    facts: Mapping[str, Any]

    @property
    def label(self) -> str:
        return str(WarningKind(self.kind).label)

    @cached_property
    def message(self) -> str:
        """The reason, in the active language, with the figures behind it."""
        from sinergi.web.core.formatting import long_date, quarter_label

        f = dict(self.facts)
        if "plan" in f and "actual" in f and "lag" in f:
            # The gap between the two figures as written (70 - 48,4 = 21,6), not of the
            # exact values, so the sentence adds up; the rule itself used the exact gap.
            f["lag"] = _rounded(f["plan"]) - _rounded(f["actual"])
        for key, value in f.items():
            if isinstance(value, Decimal):
                f[key] = _num(value)
            elif isinstance(value, dt.date):
                f[key] = long_date(value)
        if "year" in f and "quarter" in f:
            f["period"] = quarter_label(int(f["year"]), int(f["quarter"]))
        templates = {
            WarningKind.PHYSICAL_LAG: _(
                "Physical progress %(actual)s%% against a plan of %(plan)s%% "
                "(%(lag)s points behind; allowed %(margin)s)."
            ),
            WarningKind.FINANCIAL_LAG: _(
                "Spending %(actual)s%% of the budget against a planned %(plan)s%% "
                "(%(lag)s points behind; allowed %(margin)s)."
            ),
            WarningKind.DEADLINE: _(
                "%(days)s days left until %(end)s and physical progress is %(actual)s%% "
                "(below %(minimum)s%%)."
            ),
            WarningKind.OVERDUE: _(
                "Ended on %(end)s (%(days)s days ago) at %(actual)s%% physical progress."
            ),
            WarningKind.OUTPUT_TREND: _(
                "%(name)s: %(achieved)s %(unit)s so far, heading for %(projection)s against a "
                "year target of %(target)s."
            ),
            WarningKind.NO_REPORT: _("No realisation submitted for %(period)s.")
            if "period" in f
            else _("No realisation reported for Q%(quarter)s."),
        }
        return templates[WarningKind(self.kind)] % f


def _rounded(value: Decimal) -> Decimal:
    from sinergi.web.core.formatting import rounded

    return rounded(value, 1) or Decimal(0)


def _num(value: Decimal) -> str:
    """A figure of a warning: one decimal at most, rounded as every other output rounds."""
    from sinergi.web.core.formatting import number

    return number(value, 1, trim=True)


def _severity(lag: Decimal, margin: Decimal) -> str:
    return HIGH if lag > 2 * margin else MEDIUM


def physical_lag(p: ActivityProgress, t: Thresholds) -> Warning | None:
    """Physical progress trails the plan by more than ``t.physical_margin`` points."""
    if p.physical is None or p.planned_physical is None:
        return None
    lag = p.planned_physical - p.physical
    if lag <= t.physical_margin:
        return None
    facts = {
        "actual": p.physical,
        "plan": p.planned_physical,
        "lag": lag,
        "margin": t.physical_margin,
    }
    return Warning(WarningKind.PHYSICAL_LAG, _severity(lag, t.physical_margin), facts)


def financial_lag(p: ActivityProgress, t: Thresholds) -> Warning | None:
    """Spending (as % of the public budget) trails planned disbursement by more than the margin."""
    if p.spent is None or p.planned_disbursement is None or p.public_budget <= 0:
        return None
    actual = p.spent * HUNDRED / p.public_budget
    plan = p.planned_disbursement * HUNDRED / p.public_budget
    lag = plan - actual
    if lag <= t.financial_margin:
        return None
    facts = {"actual": actual, "plan": plan, "lag": lag, "margin": t.financial_margin}
    return Warning(WarningKind.FINANCIAL_LAG, _severity(lag, t.financial_margin), facts)


def deadline(p: ActivityProgress, t: Thresholds) -> Warning | None:
    """Past the end unfinished, or within ``t.deadline_days`` of it below the minimum progress."""
    physical = p.physical if p.physical is not None else Decimal(0)
    days_left = (p.end_date - p.as_of).days
    if days_left < 0:
        if physical >= HUNDRED:
            return None
        return Warning(
            WarningKind.OVERDUE,
            HIGH,
            {"end": p.end_date, "days": -days_left, "actual": physical},
        )
    if days_left > t.deadline_days or physical >= t.deadline_min_physical:
        return None
    facts = {
        "days": days_left,
        "end": p.end_date,
        "actual": physical,
        "minimum": t.deadline_min_physical,
    }
    return Warning(WarningKind.DEADLINE, HIGH, facts)


def last_quarter(end_date: dt.date, year: int) -> int:
    """The last quarter of ``year`` in which an activity ending on ``end_date`` still runs."""
    if end_date.year > year:
        return 4
    if end_date.year < year:
        return 0
    return (end_date.month - 1) // 3 + 1


def project_output(
    series: OutputSeries, quarter: int, *, runs_until: int = 4, finished: bool = False
) -> Decimal | None:
    """The year value the quarters reported up to ``quarter`` point to.

    Only what can still grow is projected:

    - an output of a finished activity (``finished``: physical progress 100 %) or
      one that already reached its year target (a one-off event that took place,
      a count that is done) stays at what was achieved;
    - an additive output grows at its average quarterly rate (quarters without a
      report count as nothing achieved) over the quarters the activity still runs
      (``runs_until``, the last quarter before its end date), and is a count, so
      the projection is in whole units (rounded half-up);
    - a level (rate, share) follows the least-squares line through the reported
      quarters, read at the last quarter the activity runs (the last level when only
      one quarter is reported or nothing is left to run).

    >>> s = OutputSeries("vacancies", "lowongan", Decimal(1000), values={3: Decimal(980)})
    >>> project_output(s, 3), project_output(s, 3, finished=True)
    (Decimal('1307'), Decimal('980'))
    """
    from sinergi.web.core.formatting import rounded

    reported = {q: v for q, v in series.values.items() if q <= quarter}
    if not reported:
        return None
    end = max(min(runs_until, 4), quarter)
    if series.additive:
        total = sum(reported.values(), Decimal(0))
        reached = total >= series.target if series.higher_is_better else total <= series.target
        if finished or reached or end == quarter:
            return total
        return rounded(total + total / quarter * (end - quarter), 0)
    points = sorted(reported.items())
    if len(points) == 1 or finished or end == points[-1][0]:
        return points[-1][1]
    n = Decimal(len(points))
    mean_x = sum(Decimal(q) for q, _v in points) / n
    mean_y = sum(v for _q, v in points) / n
    sxx = sum((Decimal(q) - mean_x) ** 2 for q, _v in points)
    sxy = sum((Decimal(q) - mean_x) * (v - mean_y) for q, v in points)
    slope = sxy / sxx
    return mean_y + slope * (Decimal(end) - mean_x)


def growth(p: ActivityProgress) -> dict[str, Any]:
    """The ``runs_until`` and ``finished`` arguments of :func:`project_output` for an activity."""
    year = p.year or p.end_date.year
    return {
        "runs_until": last_quarter(p.end_date, year),
        "finished": p.physical is not None and p.physical >= HUNDRED,
    }


def achieved_so_far(series: OutputSeries, quarter: int) -> Decimal | None:
    reported = [(q, v) for q, v in sorted(series.values.items()) if q <= quarter]
    if not reported:
        return None
    return sum((v for _q, v in reported), Decimal(0)) if series.additive else reported[-1][1]


def output_trend(p: ActivityProgress, t: Thresholds) -> list[Warning]:
    """Outputs whose projection misses the year target by more than ``t.output_tolerance`` %."""
    found = []
    for series in p.outputs:
        projection = project_output(series, p.quarter, **growth(p))
        if projection is None:
            continue
        allowance = abs(series.target) * t.output_tolerance / HUNDRED
        misses = (
            projection < series.target - allowance
            if series.higher_is_better
            else projection > series.target + allowance
        )
        if not misses:
            continue
        facts = {
            "name": series.name,
            "unit": series.unit,
            "achieved": achieved_so_far(series, p.quarter),
            "projection": projection,
            "target": series.target,
        }
        found.append(Warning(WarningKind.OUTPUT_TREND, MEDIUM, facts))
    return found


def assess(p: ActivityProgress, t: Thresholds | None = None) -> list[Warning]:
    """Every warning for one activity, most severe first."""
    t = t or Thresholds()
    found: list[Warning] = []
    if p.physical is None:
        facts: dict[str, Any] = {"quarter": p.quarter}
        if p.year is not None:
            facts["year"] = p.year
        found.append(Warning(WarningKind.NO_REPORT, MEDIUM, facts))
    for rule in (deadline, physical_lag, financial_lag):
        warning = rule(p, t)
        if warning is not None:
            found.append(warning)
    found.extend(output_trend(p, t))
    return sorted(found, key=lambda w: w.severity != HIGH)
