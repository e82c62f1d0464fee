"""Domain actions of programme monitoring, and the one data function behind every monev view.

Views, the API, the importer, the reports and the CLI call these functions;
they hold no rules of their own. Every write runs in a transaction, is
audited, and honours optimistic locking through the ``version`` column
(:class:`ConflictError`, the same exception the indicators app raises).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.web.accounts.models import Agency
from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.core.formatting import number, quarter_label, rounded
from sinergi.web.indicators import freshness
from sinergi.web.indicators.services import ConflictError
from sinergi.web.programs import warnings as rules
from sinergi.web.programs.choices import (
    FundingSource,
    NomenclatureLevel,
    Polarity,
    RealisationStatus,
)
from sinergi.web.programs.models import (
    Activity,
    Budget,
    FlagshipProgramme,
    MonevRound,
    Nomenclature,
    OutputRealisation,
    PerformanceIndicator,
    QuarterPlan,
    Realisation,
)
from sinergi.web.regions.models import COUNTRY_CODE, Region, ancestor_codes

__all__ = ["ConflictError", "LockedError", "TransitionError"]

User = AbstractBaseUser | AnonymousUser | None
M = TypeVar("M", bound=models.Model)
ZERO = Decimal(0)
HUNDRED = Decimal(100)
QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


# Official figures (totals, reports, the public summary, warnings) count only what the
# agency sent to Bappeda; a draft or a returned realisation is work in progress that
# only its agency and the reviewers see (``MonevPolicy.can_see_unsubmitted``).
OFFICIAL_STATUSES = frozenset({RealisationStatus.SUBMITTED, RealisationStatus.APPROVED})
PERCENT_DECIMALS = 1  # percentages in every output: page, PDF, XLSX, API
MONEY_DECIMALS = 0  # rupiah in every output
# The API gives percentages one decimal more than the pages (its declared 2 places), rounded
# by the same rule from the exact value: it is what integrators compute with.
API_DECIMALS = 2


def output_number(value: Decimal | None) -> str:
    """An output figure as every monev output writes it: whole numbers whole (``1.307``),
    others with the decimals they need, at most two (``12,5``, ``-44,67``); missing: en dash."""
    r = rounded(value, 2)
    if r is None:
        return number(None)
    exponent = int(r.normalize().as_tuple().exponent)
    return number(r, max(0, -exponent))


def is_official(realisation: Realisation | None) -> bool:
    """A realisation that counts in official figures: submitted to or approved by Bappeda."""
    return realisation is not None and realisation.status in OFFICIAL_STATUSES


class LockedError(Exception):
    """The realisation was approved by Bappeda and is locked until returned."""


class TransitionError(Exception):
    """The review action is not allowed from the realisation's current status."""


def quarter_end(year: int, quarter: int) -> dt.date:
    month, day = QUARTER_END[quarter]
    return dt.date(year, month, day)


def _editor(user: User) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None  # type: ignore[return-value]


# --- generic audited create / update ----------------------------------------------------


@transaction.atomic
def create(model: type[M], user: User, *, comment: str = "", **values: Any) -> M:
    """Create an object after model validation and audit it."""
    obj = model(**values)
    obj.full_clean()
    obj.save()
    audit.record(obj, Action.CREATE, user, comment=comment)
    return obj


@transaction.atomic
def update(
    obj: M, user: User, *, expected_version: int | None = None, comment: str = "", **changes: Any
) -> tuple[M, bool]:
    """Change fields of a versioned object; 409-style :class:`ConflictError` on a stale version."""
    current = type(obj).objects.select_for_update().get(pk=obj.pk)  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != current.version:
        raise ConflictError(current, expected_version)
    if all(getattr(current, name) == value for name, value in changes.items()):
        return current, False
    before = audit.snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean()
    current.version += 1
    current.save()
    audit.record(current, Action.UPDATE, user, before=before, comment=comment)
    return current, True


@transaction.atomic
def delete(obj: models.Model, user: User, *, comment: str = "") -> None:
    before = audit.snapshot(obj)
    audit.record(obj, Action.DELETE, user, before=before, comment=comment)
    obj.delete()


# --- budgets ------------------------------------------------------------------------------


@transaction.atomic
def set_budget(
    activity: Activity,
    source: str,
    amount: Decimal,
    *,
    user: User,
    note: str = "",
    expected_version: int | None = None,
) -> tuple[Budget, bool]:
    """Create or change the amount of one funding source of an activity."""
    if source not in FundingSource.values:
        raise ValidationError({"source": _("Unknown funding source %(s)s.") % {"s": source}})
    if amount < 0:
        raise ValidationError({"amount": _("A budget cannot be negative.")})
    current = Budget.objects.select_for_update().filter(activity=activity, source=source).first()
    if current is None:
        return create(
            Budget, user, activity=activity, source=source, amount=amount, note=note
        ), True
    return update(current, user, expected_version=expected_version, amount=amount, note=note)


# --- realisation and its review -----------------------------------------------------------


def public_budget(activity: Activity) -> Decimal:
    return sum(
        (b.amount for b in activity.budgets.all() if b.source in FundingSource.public_budget()),
        ZERO,
    )


def validate_realisation(
    activity: Activity, physical_pct: Decimal, spent: Decimal, budget: Decimal | None = None
) -> dict[str, str]:
    """Field errors of a realisation (empty when valid). Shared by the form, the API and imports."""
    errors: dict[str, str] = {}
    if not ZERO <= physical_pct <= HUNDRED:
        errors["physical_pct"] = _("Physical progress must be between 0 and 100 %.")
    if spent < 0:
        errors["spent"] = _("Spending cannot be negative.")
    else:
        limit = public_budget(activity) if budget is None else budget
        if spent > limit:
            errors["spent"] = _(
                "Spending (Rp %(spent)s) exceeds the activity's budget (Rp %(budget)s)."
            ) % {
                "spent": number(spent, MONEY_DECIMALS),
                "budget": number(limit, MONEY_DECIMALS),
            }
    return errors


@transaction.atomic
def save_realisation(
    activity: Activity,
    quarter: int,
    *,
    physical_pct: Decimal,
    spent: Decimal,
    user: User,
    problems: str = "",
    follow_up: str = "",
    outputs: Mapping[int, Decimal | None] | None = None,
    expected_version: int | None = None,
    submit: bool = False,
    comment: str = "",
) -> tuple[Realisation, bool]:
    """Record an activity's realisation to the end of ``quarter`` (cumulative).

    ``outputs`` maps output indicator ids of the activity to what was achieved
    (``None`` removes a value). An approved realisation is locked
    (:class:`LockedError`) until Bappeda returns it. ``submit`` sends it to
    Bappeda for review in the same transaction.
    """
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("The quarter must be 1 to 4.")})
    errors = validate_realisation(activity, physical_pct, spent)
    own_outputs = {i.pk: i for i in activity.indicators.all()}
    for indicator_id in outputs or {}:
        if indicator_id not in own_outputs:
            errors["outputs"] = _("Indicator %(id)s is not an output of this activity.") % {
                "id": indicator_id
            }
    if errors:
        raise ValidationError(errors)
    current = (
        Realisation.objects.select_for_update().filter(activity=activity, quarter=quarter).first()
    )
    changed = False
    if current is None:
        if expected_version not in (None, 0):
            # The form was opened on a realisation someone else has since deleted.
            raise ValidationError(
                {"version": _("This realisation no longer exists; reload the page.")}
            )
        current = Realisation.objects.create(
            activity=activity,
            quarter=quarter,
            physical_pct=physical_pct,
            spent=spent,
            problems=problems,
            follow_up=follow_up,
            updated_by=_editor(user),
        )
        audit.record(current, Action.CREATE, user, comment=comment)
        changed = True
    else:
        if expected_version is not None and expected_version != current.version:
            raise ConflictError(current, expected_version)
        fields = {
            "physical_pct": physical_pct,
            "spent": spent,
            "problems": problems,
            "follow_up": follow_up,
        }
        old_outputs = {o.indicator_id: o.value for o in current.outputs.all()}
        new_outputs = {**old_outputs, **(outputs or {})}
        new_outputs = {k: v for k, v in new_outputs.items() if v is not None}
        differs = (
            any(getattr(current, k) != v for k, v in fields.items()) or old_outputs != new_outputs
        )
        if differs and current.status == RealisationStatus.APPROVED:
            raise LockedError(
                _("The Q%(q)s realisation was approved by Bappeda and is locked.") % {"q": quarter}
            )
        if differs:
            before = audit.snapshot(current)
            before["outputs"] = {str(k): str(v) for k, v in old_outputs.items()}
            for name, value in fields.items():
                setattr(current, name, value)
            current.version += 1
            current.updated_by = _editor(user)
            current.save()
            changed = True
            _write_outputs(current, outputs or {})
            after = audit.snapshot(current)
            after["outputs"] = {str(k): str(v) for k, v in new_outputs.items()}
            audit.record(current, Action.UPDATE, user, before=before, after=after, comment=comment)
        outputs = None
    if outputs:
        _write_outputs(current, outputs)
    if submit and current.status in (RealisationStatus.DRAFT, RealisationStatus.RETURNED):
        current = transition(current, "submit", user)
        changed = True
    return current, changed


def _write_outputs(realisation: Realisation, outputs: Mapping[int, Decimal | None]) -> None:
    for indicator_id, value in outputs.items():
        if value is None:
            OutputRealisation.objects.filter(
                realisation=realisation, indicator_id=indicator_id
            ).delete()
        else:
            OutputRealisation.objects.update_or_create(
                realisation=realisation, indicator_id=indicator_id, defaults={"value": value}
            )


# The review workflow as data: action -> (statuses it may start from, status it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (
        frozenset({RealisationStatus.DRAFT, RealisationStatus.RETURNED}),
        RealisationStatus.SUBMITTED,
    ),
    "approve": (frozenset({RealisationStatus.SUBMITTED}), RealisationStatus.APPROVED),
    "return": (
        frozenset({RealisationStatus.SUBMITTED, RealisationStatus.APPROVED}),
        RealisationStatus.RETURNED,
    ),
}
REVIEW_ACTIONS = {"approve", "return"}


def allowed_actions(realisation: Realisation) -> list[str]:
    return [name for name, (sources, _to) in TRANSITIONS.items() if realisation.status in sources]


@transaction.atomic
def transition(
    realisation: Realisation,
    action: str,
    user: User,
    *,
    note: str = "",
    expected_version: int | None = None,
) -> Realisation:
    """Move a realisation through review (submit, approve, return) and audit it."""
    if action not in TRANSITIONS:
        raise TransitionError(_("Unknown action %(a)s.") % {"a": action})
    current = Realisation.objects.select_for_update().get(pk=realisation.pk)
    if expected_version is not None and expected_version != current.version:
        raise ConflictError(current, expected_version)
    sources, target = TRANSITIONS[action]
    if current.status not in sources:
        raise TransitionError(
            _("Cannot %(action)s a realisation that is %(status)s.")
            % {"action": action, "status": current.get_status_display()}
        )
    if action == "return" and not note.strip():
        raise ValidationError({"review_note": _("Say what must be corrected.")})
    before = audit.snapshot(current)
    current.status = target
    if action in REVIEW_ACTIONS:
        current.review_note = note
        current.reviewed_by = _editor(user)  # type: ignore[assignment]
        current.reviewed_at = timezone.now()
    current.version += 1
    current.save()
    audit.record(
        current, Action.TRANSITION, user, before=before, comment=f"{action}: {note}".strip(": ")
    )
    return current


# --- the monev data function ---------------------------------------------------------------


@dataclass
class OutputRow:
    indicator: PerformanceIndicator
    quarter_target: Decimal | None
    achieved: Decimal | None  # to date (additive) or the latest level
    projection: Decimal | None
    by_quarter: dict[int, Decimal]


NOT_SUBMITTED = "not_submitted"


def status_label(status: str) -> str:
    """The report status as the monev pages, PDF and XLSX write it."""
    if status == NOT_SUBMITTED:
        return _("Not submitted")
    return str(RealisationStatus(status).label)


@dataclass
class ActivityRow:
    activity: Activity
    budgets: dict[str, Decimal]
    public_budget: Decimal
    non_apbd: Decimal
    planned_physical: Decimal | None
    physical: Decimal | None
    planned_disbursement: Decimal | None
    spent: Decimal | None
    realisation: Realisation | None
    outputs: list[OutputRow]
    warnings: list[rules.Warning]
    history: dict[int, Realisation] = field(default_factory=dict)
    plans: dict[int, QuarterPlan] = field(default_factory=dict)
    # The quarter's draft or returned realisation, not counted anywhere: only its agency
    # and the reviewers may see it (the views ask ``MonevPolicy.can_see_unsubmitted``).
    pending: Realisation | None = None
    pending_history: dict[int, Realisation] = field(default_factory=dict)
    draft_visible: bool = False  # set by :func:`reveal_drafts` for the one who may see it

    @property
    def status(self) -> str:
        """The quarter's report status as officially known: approved, submitted, returned
        or ``not_submitted`` (no report, or a draft that is not sent yet)."""
        if self.realisation is not None:
            return str(self.realisation.status)
        if self.pending is not None and self.pending.status == RealisationStatus.RETURNED:
            return str(RealisationStatus.RETURNED)
        return NOT_SUBMITTED

    @property
    def status_label(self) -> str:
        return str(status_label(self.status))

    @property
    def financial_pct(self) -> Decimal | None:
        if self.spent is None or self.public_budget <= 0:
            return None
        return self.spent * HUNDRED / self.public_budget

    @property
    def planned_financial_pct(self) -> Decimal | None:
        if self.planned_disbursement is None or self.public_budget <= 0:
            return None
        return self.planned_disbursement * HUNDRED / self.public_budget

    @property
    def is_late(self) -> bool:
        return bool(self.warnings)

    @property
    def severity(self) -> str:
        if any(w.severity == rules.HIGH for w in self.warnings):
            return rules.HIGH
        return rules.MEDIUM if self.warnings else ""


@dataclass
class Totals:
    public_budget: Decimal = ZERO
    non_apbd: Decimal = ZERO
    planned_disbursement: Decimal = ZERO
    spent: Decimal = ZERO
    physical_weighted: Decimal = ZERO
    physical_weight: Decimal = ZERO
    physical_plain: list[Decimal] = field(default_factory=list)
    activities: int = 0
    late: int = 0
    warnings: int = 0

    def add(self, row: ActivityRow) -> None:
        self.activities += 1
        self.public_budget += row.public_budget
        self.non_apbd += row.non_apbd
        self.planned_disbursement += row.planned_disbursement or ZERO
        self.spent += row.spent or ZERO
        physical = row.physical or ZERO
        self.physical_weighted += physical * row.public_budget
        self.physical_weight += row.public_budget
        self.physical_plain.append(physical)
        self.late += int(row.is_late)
        self.warnings += len(row.warnings)

    @property
    def financial_pct(self) -> Decimal | None:
        return self.spent * HUNDRED / self.public_budget if self.public_budget > 0 else None

    @property
    def planned_financial_pct(self) -> Decimal | None:
        if self.public_budget <= 0:
            return None
        return self.planned_disbursement * HUNDRED / self.public_budget

    @property
    def physical_pct(self) -> Decimal | None:
        """Physical progress weighted by public budget (a plain mean when nothing is budgeted)."""
        if self.physical_weight > 0:
            return self.physical_weighted / self.physical_weight
        if self.physical_plain:
            return sum(self.physical_plain, ZERO) / len(self.physical_plain)
        return None


@dataclass
class AgencyBlock:
    agency: Agency
    rows: list[ActivityRow]
    totals: Totals


@dataclass
class MonevReport:
    region: Region
    year: int
    quarter: int
    as_of: dt.date
    round: MonevRound | None
    blocks: list[AgencyBlock]
    totals: Totals
    thresholds: rules.Thresholds
    flagship: FlagshipProgramme | None = None

    @property
    def rows(self) -> list[ActivityRow]:
        return [row for block in self.blocks for row in block.rows]

    @property
    def late(self) -> list[ActivityRow]:
        return [row for row in self.rows if row.is_late]

    @property
    def is_illustrative(self) -> bool:
        return any(row.activity.is_illustrative for row in self.rows)

    @property
    def period(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def period_label(self) -> str:
        """``Triwulan III 2019`` in the active language."""
        return quarter_label(self.year, self.quarter)

    @property
    def has_plan(self) -> bool:
        """Whether the period has anything to monitor (activities of the year)."""
        return bool(self.blocks)


def default_as_of(
    region: Region, year: int, quarter: int, monev_round: MonevRound | None
) -> dt.date:
    """The monev meeting's date when there is one, else today within the quarter, else its end."""
    if monev_round is not None:
        return monev_round.held_on
    end = quarter_end(year, quarter)
    today = timezone.localdate()
    start = (
        quarter_end(year, quarter - 1) + dt.timedelta(days=1)
        if quarter > 1
        else dt.date(year, 1, 1)
    )
    return today if start <= today <= end else end


def monev_data(
    region: Region,
    year: int,
    quarter: int,
    *,
    as_of: dt.date | None = None,
    flagship: FlagshipProgramme | None = None,
    agency_id: int | None = None,
    activity_ids: list[int] | None = None,
    thresholds: rules.Thresholds | None = None,
) -> MonevReport:
    """Everything a quarter's monev shows, computed once for pages, the API, reports and the CLI.

    A fixed number of queries whatever the number of activities (eight), run once
    per change of the region's monev data: the report is cached under the
    generation tokens of :func:`freshness.monev_scopes` (one query), which every
    write to activities, budgets, plans, realisations and outputs replaces in its
    own transaction. Unsubmitted realisations are in the report for everyone;
    :func:`reveal_drafts` decides per viewer who sees them, on the caller's copy.
    """
    thresholds = thresholds or rules.configured_thresholds()
    args = (
        region.code,
        year,
        quarter,
        as_of,
        # the default "as of" is today within the quarter
        timezone.localdate() if as_of is None else None,
        flagship.pk if flagship is not None else None,
        agency_id,
        tuple(activity_ids) if activity_ids is not None else None,
        thresholds,
    )
    return freshness.cached(
        "monev_data",
        args,
        freshness.monev_scopes(region.code),
        lambda: _monev_data(
            region, year, quarter, as_of, flagship, agency_id, activity_ids, thresholds
        ),
    )


def _monev_data(
    region: Region,
    year: int,
    quarter: int,
    as_of: dt.date | None,
    flagship: FlagshipProgramme | None,
    agency_id: int | None,
    activity_ids: list[int] | None,
    thresholds: rules.Thresholds,
) -> MonevReport:
    activities_qs = Activity.objects.filter(region=region, year=year).select_related(
        "agency", "nomenclature", "flagship"
    )
    if flagship is not None:
        activities_qs = activities_qs.filter(flagship=flagship)
    if agency_id is not None:
        activities_qs = activities_qs.filter(agency_id=agency_id)
    if activity_ids is not None:
        activities_qs = activities_qs.filter(pk__in=activity_ids)
    activities = list(activities_qs.order_by("agency__name", "code"))
    ids = [a.pk for a in activities]
    scope = {"activity__region": region, "activity__year": year}
    if flagship is not None:
        scope["activity__flagship"] = flagship
    if agency_id is not None:
        scope["activity__agency_id"] = agency_id

    budgets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for budget in Budget.objects.filter(**scope).only("activity_id", "source", "amount"):
        budgets[budget.activity_id][budget.source] = budget.amount
    plans: dict[int, dict[int, QuarterPlan]] = defaultdict(dict)
    for plan in QuarterPlan.objects.filter(**scope):
        plans[plan.activity_id][plan.quarter] = plan
    realisations: dict[int, dict[int, Realisation]] = defaultdict(dict)
    pending: dict[int, dict[int, Realisation]] = defaultdict(dict)
    for real in Realisation.objects.filter(**scope, quarter__lte=quarter):
        (realisations if is_official(real) else pending)[real.activity_id][real.quarter] = real
    indicators: dict[int, list[PerformanceIndicator]] = defaultdict(list)
    for ind in PerformanceIndicator.objects.filter(**scope).order_by("code"):
        indicators[ind.activity_id].append(ind)  # type: ignore[index]
    achieved: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for out in OutputRealisation.objects.filter(
        **{f"realisation__{k}": v for k, v in scope.items()},
        realisation__quarter__lte=quarter,
        realisation__status__in=OFFICIAL_STATUSES,
    ).values_list("indicator_id", "realisation__quarter", "value"):
        achieved[out[0]][out[1]] = out[2]
    monev_round = MonevRound.objects.filter(region=region, year=year, quarter=quarter).first()
    as_of = as_of or default_as_of(region, year, quarter, monev_round)

    wanted = set(ids)
    by_agency: dict[int, AgencyBlock] = {}
    totals = Totals()
    for activity in activities:
        if activity.pk not in wanted:
            continue
        row = _activity_row(
            activity,
            quarter,
            as_of,
            budgets[activity.pk],
            plans[activity.pk],
            realisations[activity.pk],
            indicators[activity.pk],
            achieved,
            thresholds,
            pending[activity.pk],
        )
        block = by_agency.get(activity.agency_id)
        if block is None:
            block = by_agency[activity.agency_id] = AgencyBlock(activity.agency, [], Totals())
        block.rows.append(row)
        block.totals.add(row)
        totals.add(row)
    return MonevReport(
        region=region,
        year=year,
        quarter=quarter,
        as_of=as_of,
        round=monev_round,
        blocks=list(by_agency.values()),
        totals=totals,
        thresholds=thresholds,
        flagship=flagship,
    )


def _activity_row(
    activity: Activity,
    quarter: int,
    as_of: dt.date,
    budgets: dict[str, Decimal],
    plans: dict[int, QuarterPlan],
    history: dict[int, Realisation],
    indicators: list[PerformanceIndicator],
    achieved: dict[int, dict[int, Decimal]],
    thresholds: rules.Thresholds,
    pending: dict[int, Realisation] | None = None,
) -> ActivityRow:
    public = sum((v for k, v in budgets.items() if k in FundingSource.public_budget()), ZERO)
    non_apbd = sum((v for k, v in budgets.items() if k not in FundingSource.public_budget()), ZERO)
    plan = plans.get(quarter)
    real = history.get(quarter)
    series = []
    outputs = []
    for ind in indicators:
        values = achieved.get(ind.pk, {})
        s = rules.OutputSeries(
            name=ind.name,
            unit=ind.unit,
            target=ind.target,
            higher_is_better=ind.polarity == Polarity.HIGHER,
            additive=ind.additive,
            values=values,
        )
        series.append(s)
    progress = rules.ActivityProgress(
        quarter=quarter,
        as_of=as_of,
        end_date=activity.effective_end,
        public_budget=public,
        planned_physical=plan.physical_pct if plan else None,
        physical=real.physical_pct if real else None,
        planned_disbursement=plan.disbursement if plan else None,
        spent=real.spent if real else None,
        outputs=series,
        year=activity.year,
    )
    growth = rules.growth(progress)
    for ind, s in zip(indicators, series, strict=True):
        outputs.append(
            OutputRow(
                indicator=ind,
                quarter_target=ind.quarter_target(quarter),
                achieved=rules.achieved_so_far(s, quarter),
                projection=rules.project_output(s, quarter, **growth),
                by_quarter=dict(s.values),
            )
        )
    return ActivityRow(
        activity=activity,
        budgets=dict(budgets),
        public_budget=public,
        non_apbd=non_apbd,
        planned_physical=progress.planned_physical,
        physical=progress.physical,
        planned_disbursement=progress.planned_disbursement,
        spent=progress.spent,
        realisation=real,
        outputs=outputs,
        warnings=rules.assess(progress, thresholds),
        history=dict(history),
        plans=dict(plans),
        pending=(pending or {}).get(quarter),
        pending_history=dict(pending or {}),
    )


def reveal_drafts(report: MonevReport, may_see: Callable[[Activity], bool]) -> None:
    """Mark the rows whose unsubmitted realisation the viewer may see (``may_see`` is
    ``MonevPolicy.can_see_unsubmitted``); official figures are not changed."""
    for row in report.rows:
        row.draft_visible = bool(row.pending_history) and may_see(row.activity)


def summary_rows(report: MonevReport) -> list[dict[str, Any]]:
    """Per-agency aggregates as plain values (what the public may see), rounded half-up
    from the exact values (:func:`formatting.rounded`), official figures only."""
    rows = []
    for block in report.blocks:
        t = block.totals
        rows.append(
            {
                "agency": block.agency.short_name or block.agency.name,
                "agency_id": block.agency.pk,
                "activities": t.activities,
                "public_budget": rounded(t.public_budget, 2),
                "non_apbd": rounded(t.non_apbd, 2),
                "planned_disbursement": rounded(t.planned_disbursement, 2),
                "spent": rounded(t.spent, 2),
                "financial_pct": rounded(t.financial_pct, API_DECIMALS),
                "planned_financial_pct": rounded(t.planned_financial_pct, API_DECIMALS),
                "physical_pct": rounded(t.physical_pct, API_DECIMALS),
                "late": t.late,
                "warnings": t.warnings,
            }
        )
    return rows


def quarters_with_data(region: Region) -> list[tuple[int, int]]:
    """(year, quarter) pairs that have activities, newest first (for the period picker)."""
    years = sorted(
        set(Activity.objects.filter(region=region).values_list("year", flat=True)), reverse=True
    )
    return [(y, q) for y in years for q in (4, 3, 2, 1)]


# --- reference data ------------------------------------------------------------------------

NOMENCLATURE_CSV = Path(__file__).resolve().parent / "data" / "nomenclature.csv"
NOMENCLATURE_SOURCE = "Kepmendagri 050-5889/2021 (subset)"


def nomenclature_parent(code: str, level: str) -> str | None:
    """The parent code: a kegiatan drops two segments (``2.07.04.2.01`` -> ``2.07.04``)."""
    parts = code.split(".")
    drop = 2 if level == NomenclatureLevel.KEGIATAN else 1
    return ".".join(parts[:-drop]) if len(parts) > drop else None


@transaction.atomic
def load_nomenclature(path: Path = NOMENCLATURE_CSV, source: str = NOMENCLATURE_SOURCE) -> int:
    """Create or update nomenclature entries from a CSV (``code, level, name``); returns the count."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    order = list(NomenclatureLevel.values)
    rows.sort(key=lambda r: (order.index(r["level"]), r["code"]))
    known = {n.code: n for n in Nomenclature.objects.all()}
    for row in rows:
        if row["level"] not in order:
            raise ValueError(f"{path}: {row['code']}: unknown level {row['level']!r}")
        parent_code = nomenclature_parent(row["code"], row["level"])
        parent = known.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            raise ValueError(f"{path}: {row['code']}: parent {parent_code} is missing")
        obj, _created = Nomenclature.objects.update_or_create(
            code=row["code"],
            defaults={
                "level": row["level"],
                "name": row["name"].strip(),
                "parent": parent,
                "source": source,
            },
        )
        known[obj.code] = obj
    return len(rows)


# --- which monev page /monev/ opens ---------------------------------------------------


def home_region(scope: str | None, fallback: str) -> str:
    """The region whose monev a user opens first: their own region, or the nearest
    region above it (a kecamatan operator's regency), or the first region inside it that
    plans activities (a province); ``fallback`` (the site's home region) for the public.

    A user scoped to a region without activities gets that region (its page says there
    is no plan), never another regency's monev.
    """
    if scope is None:
        return fallback
    planned = Activity.objects.values_list("region_id", flat=True)
    for code in ancestor_codes(scope):
        if planned.filter(region_id=code).exists():
            return code
    below = (
        planned if scope == COUNTRY_CODE else planned.filter(region__code__startswith=scope + ".")
    )
    if below.filter(region_id=fallback).exists():  # a national user: the site's home region
        return fallback
    inside = below.order_by("region_id").first()
    return inside or scope


def default_period(region_code: str, today: dt.date) -> tuple[int, int] | None:
    """The monev quarter to open for a region: the current quarter when the region plans
    activities this year (what is being reported now), else the latest quarter with a
    realisation or a monev meeting, else the last quarter of the latest planned year.
    ``None`` when the region plans nothing.
    """
    current = (today.year, (today.month - 1) // 3 + 1)
    activities = Activity.objects.filter(region_id=region_code)
    if activities.filter(year=today.year).exists():
        return current
    reported = [
        *Realisation.objects.filter(activity__region_id=region_code).values_list(
            "activity__year", "quarter"
        ),
        *MonevRound.objects.filter(region_id=region_code).values_list("year", "quarter"),
    ]
    if reported:
        return max(reported)
    year = activities.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        return None
    return (year, 4) if year < today.year else (year, 1)
