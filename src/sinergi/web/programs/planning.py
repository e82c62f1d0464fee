"""Planning actions of Bappeda: an activity's budgets and quarterly plan, and copying a
year's plan to the next year.

The pages, the XLSX import and ``sinergi monev copy-year`` call these functions; each
write runs in one transaction and leaves an audit entry per object (through
:mod:`sinergi.web.programs.services`).

A :class:`~sinergi.web.programs.models.QuarterPlan` has no ``version`` column: the plan
of an activity is locked as a whole on its *stamp*, a digest of the stored rows
(:func:`plan_stamp`), which the form carries and :func:`save_quarter_plans` checks, so
a stale save is refused without a migration and without bumping the activity's own
version (which would make every open activity form stale).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.core.formatting import number
from sinergi.web.indicators.services import ConflictError
from sinergi.web.programs import services
from sinergi.web.programs.choices import IndicatorLevel
from sinergi.web.programs.models import (
    Activity,
    Budget,
    PerformanceIndicator,
    QuarterPlan,
)
from sinergi.web.regions.models import Region

ZERO = Decimal(0)
HUNDRED = Decimal(100)
TARGET_FIELDS = ("target", "target_q1", "target_q2", "target_q3", "target_q4")


class PlanConflict(Exception):
    """The quarterly plan was saved by someone else since the form was opened."""

    def __init__(self, activity: Activity, expected: str) -> None:
        super().__init__(_("The quarterly plan was changed by someone else meanwhile."))
        self.activity = activity
        self.expected = expected


# --- budgets -----------------------------------------------------------------------------


@transaction.atomic
def save_budgets(
    activity: Activity,
    amounts: Mapping[str, Decimal | None],
    versions: Mapping[str, int | None],
    *,
    user: Any,
) -> int:
    """Set the amount of every funding source in ``amounts`` (``None`` removes that source's
    budget); ``versions`` are those the form showed (``None``: the source had no budget).
    Raises :class:`ConflictError` if any of them changed meanwhile. Returns the number of
    budgets changed."""
    stored = {b.source: b for b in Budget.objects.select_for_update().filter(activity=activity)}
    for source in amounts:
        current = stored.get(source)
        expected = versions.get(source)
        if (current.version if current else None) != expected:
            raise ConflictError(current or activity, expected or 0)
    changed = 0
    for source, amount in amounts.items():
        current = stored.get(source)
        if amount is None:
            if current is not None:
                services.delete(current, user)
                changed += 1
            continue
        if current is not None and current.amount == amount:
            continue
        services.set_budget(
            activity,
            source,
            amount,
            user=user,
            note=current.note if current else "",
            expected_version=current.version if current else None,
        )
        changed += 1
    return changed


# --- the quarterly plan ------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    quarter: int
    physical_pct: Decimal | None
    disbursement: Decimal | None


def plan_stamp(plans: Iterable[QuarterPlan]) -> str:
    """A digest of an activity's stored plan rows (the plan's optimistic lock)."""
    text = ";".join(
        f"{p.quarter}:{p.physical_pct.normalize()}:{p.disbursement.normalize()}"
        for p in sorted(plans, key=lambda p: p.quarter)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def validate_quarter_plans(rows: Sequence[PlanRow], public_budget: Decimal) -> dict[str, list[str]]:
    """Field errors (``physical_pct_<q>``, ``disbursement_<q>``) of a quarterly plan: both
    figures or neither, physical 0-100 %, disbursement 0 to the APBD/APBN budget, both
    cumulative so never lower than the quarter before."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    last_physical: tuple[int, Decimal] | None = None
    last_money: tuple[int, Decimal] | None = None
    for row in rows:
        q = row.quarter
        if (row.physical_pct is None) != (row.disbursement is None):
            missing = "physical_pct" if row.physical_pct is None else "disbursement"
            add(f"{missing}_{q}", _("Fill in both figures of this quarter, or neither."))
            continue
        if row.physical_pct is None or row.disbursement is None:
            continue
        if not ZERO <= row.physical_pct <= HUNDRED:
            add(f"physical_pct_{q}", _("Physical progress must be between 0 and 100 %."))
        elif last_physical is not None and row.physical_pct < last_physical[1]:
            add(
                f"physical_pct_{q}",
                _("The plan is cumulative: it cannot be lower than quarter %(q)s (%(value)s %%).")
                % {"q": last_physical[0], "value": number(last_physical[1], 2)},
            )
        if row.disbursement < 0:
            add(f"disbursement_{q}", _("A disbursement cannot be negative."))
        elif row.disbursement > public_budget:
            add(
                f"disbursement_{q}",
                _(
                    "The planned disbursement (Rp %(plan)s) exceeds the APBD/APBN budget "
                    "(Rp %(budget)s)."
                )
                % {
                    "plan": number(row.disbursement, 0),
                    "budget": number(public_budget, 0),
                },
            )
        elif last_money is not None and row.disbursement < last_money[1]:
            add(
                f"disbursement_{q}",
                _("The plan is cumulative: it cannot be lower than quarter %(q)s (Rp %(value)s).")
                % {"q": last_money[0], "value": number(last_money[1], 0)},
            )
        last_physical = (q, row.physical_pct)
        last_money = (q, row.disbursement)
    return errors


@transaction.atomic
def save_quarter_plans(
    activity: Activity, rows: Sequence[PlanRow], *, user: Any, expected_stamp: str | None
) -> int:
    """Replace an activity's quarterly plan by ``rows`` (a quarter with no figures has no
    plan). Refused with :class:`PlanConflict` if the stored plan's stamp is not
    ``expected_stamp``, with ``ValidationError`` if the plan breaks a rule. Returns the
    number of quarters changed."""
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    stored = {p.quarter: p for p in QuarterPlan.objects.filter(activity=locked)}
    if expected_stamp is not None and plan_stamp(stored.values()) != expected_stamp:
        raise PlanConflict(locked, expected_stamp)
    errors = validate_quarter_plans(rows, services.public_budget(locked))
    if errors:
        raise ValidationError(errors)
    changed = 0
    for row in rows:
        current = stored.get(row.quarter)
        if row.physical_pct is None or row.disbursement is None:
            if current is not None:
                services.delete(current, user)
                changed += 1
            continue
        if current is None:
            services.create(
                QuarterPlan,
                user,
                activity=locked,
                quarter=row.quarter,
                physical_pct=row.physical_pct,
                disbursement=row.disbursement,
            )
            changed += 1
        elif (current.physical_pct, current.disbursement) != (row.physical_pct, row.disbursement):
            before = audit.snapshot(current)
            current.physical_pct = row.physical_pct
            current.disbursement = row.disbursement
            current.full_clean()
            current.save()
            audit.record(current, Action.UPDATE, user, before=before)
            changed += 1
    return changed


# --- copy a year's plan ------------------------------------------------------------------


@dataclass
class CopyPlan:
    """What :func:`copy_year` copies (or copied) and what it skips because the target year
    already has it."""

    region: Region
    from_year: int
    to_year: int
    activities: list[Activity] = field(default_factory=list)
    outputs: list[PerformanceIndicator] = field(default_factory=list)
    outcomes: list[PerformanceIndicator] = field(default_factory=list)
    budgets: int = 0
    plans: int = 0
    skipped_activities: list[Activity] = field(default_factory=list)
    skipped_indicators: list[PerformanceIndicator] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "activities": len(self.activities),
            "outputs": len(self.outputs),
            "outcomes": len(self.outcomes),
            "budgets": self.budgets,
            "plans": self.plans,
            "skipped_activities": len(self.skipped_activities),
            "skipped_indicators": len(self.skipped_indicators),
        }

    @property
    def is_empty(self) -> bool:
        return not (self.activities or self.outputs or self.outcomes)


def _shift(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


def plan_copy(
    region: Region, from_year: int, to_year: int, agency_ids: Sequence[int] | None = None
) -> CopyPlan:
    """What copying ``from_year`` to ``to_year`` would do (nothing is written)."""
    if from_year == to_year:
        raise ValidationError({"to_year": _("Choose a year other than the one copied from.")})
    plan = CopyPlan(region, from_year, to_year)
    source = (
        Activity.objects.filter(region=region, year=from_year)
        .select_related("agency", "nomenclature", "flagship")
        .prefetch_related("budgets", "plans", "indicators")
        .order_by("agency__name", "code")
    )
    if agency_ids:
        source = source.filter(agency_id__in=agency_ids)
    taken_codes = set(
        Activity.objects.filter(region=region, year=to_year).values_list("code", flat=True)
    )
    taken_indicators = set(
        PerformanceIndicator.objects.filter(region=region, year=to_year).values_list(
            "code", flat=True
        )
    )
    for activity in source:
        if activity.code in taken_codes:
            plan.skipped_activities.append(activity)
            continue
        plan.activities.append(activity)
        plan.budgets += len(activity.budgets.all())
        plan.plans += len(activity.plans.all())
        for indicator in activity.indicators.all():
            if indicator.level != IndicatorLevel.OUTPUT:
                continue
            if indicator.code in taken_indicators:
                plan.skipped_indicators.append(indicator)
            else:
                plan.outputs.append(indicator)
    outcomes = PerformanceIndicator.objects.filter(
        region=region, year=from_year, level=IndicatorLevel.OUTCOME
    ).order_by("code")
    if agency_ids:
        outcomes = outcomes.filter(agency_id__in=agency_ids)
    for indicator in outcomes:
        if indicator.code in taken_indicators:
            plan.skipped_indicators.append(indicator)
        else:
            plan.outcomes.append(indicator)
    return plan


def copy_year(
    region: Region,
    from_year: int,
    to_year: int,
    *,
    user: Any,
    agency_ids: Sequence[int] | None = None,
) -> CopyPlan:
    """Copy the plan of ``from_year`` to ``to_year`` in one transaction: activities (code,
    nomenclature, agency, flagship, dates moved to the new year), their budgets and
    quarterly plans, their output indicators and the programmes' outcome indicators
    with their targets. Realisations are not copied. What the target year already has
    (the same activity or indicator code) is skipped, so running it twice copies
    nothing the second time. Every object created is audited."""
    comment = _("Copied from %(year)s") % {"year": from_year}
    years = to_year - from_year
    with transaction.atomic():
        plan = plan_copy(region, from_year, to_year, agency_ids)
        outcome_copies: dict[int, PerformanceIndicator] = {}
        for indicator in plan.outcomes:
            outcome_copies[indicator.pk] = _copy_indicator(
                indicator, to_year, activity=None, serves=None, user=user, comment=comment
            )
        existing_outcomes = {
            i.code: i
            for i in PerformanceIndicator.objects.filter(
                region=region, year=to_year, level=IndicatorLevel.OUTCOME
            )
        }
        copied_outputs = {i.pk for i in plan.outputs}
        for activity in plan.activities:
            copy = services.create(
                Activity,
                user,
                comment=comment,
                region=region,
                agency=activity.agency,
                year=to_year,
                code=activity.code,
                nomenclature=activity.nomenclature,
                name=activity.name,
                flagship=activity.flagship,
                location=activity.location,
                start_date=_shift(activity.start_date, years),
                end_date=_shift(activity.end_date, years),
                is_illustrative=activity.is_illustrative,
            )
            for budget in activity.budgets.all():
                services.create(
                    Budget,
                    user,
                    comment=comment,
                    activity=copy,
                    source=budget.source,
                    amount=budget.amount,
                    note=budget.note,
                )
            for quarter_plan in activity.plans.all():
                services.create(
                    QuarterPlan,
                    user,
                    comment=comment,
                    activity=copy,
                    quarter=quarter_plan.quarter,
                    physical_pct=quarter_plan.physical_pct,
                    disbursement=quarter_plan.disbursement,
                )
            for indicator in activity.indicators.all():
                if indicator.pk not in copied_outputs:
                    continue
                serves = None
                if indicator.serves_id is not None:
                    serves = outcome_copies.get(indicator.serves_id)
                    if serves is None and indicator.serves is not None:
                        serves = existing_outcomes.get(indicator.serves.code)
                _copy_indicator(
                    indicator, to_year, activity=copy, serves=serves, user=user, comment=comment
                )
    return plan


def _copy_indicator(
    indicator: PerformanceIndicator,
    year: int,
    *,
    activity: Activity | None,
    serves: PerformanceIndicator | None,
    user: Any,
    comment: str,
) -> PerformanceIndicator:
    return services.create(
        PerformanceIndicator,
        user,
        comment=comment,
        region_id=indicator.region_id,
        year=year,
        level=indicator.level,
        code=indicator.code,
        programme=indicator.programme,
        agency=indicator.agency,
        activity=activity,
        name=indicator.name,
        unit=indicator.unit,
        polarity=indicator.polarity,
        additive=indicator.additive,
        serves=serves,
        regional_indicator=indicator.regional_indicator,
        source_note=indicator.source_note,
        **{name: getattr(indicator, name) for name in TARGET_FIELDS},
    )
