"""Domain actions of data collection: start a submission, save its values, publish
approved figures into indicator values, and measure completeness.

Views, the API, the file import and the demo call these functions (the
workflow steps live in :mod:`~sinergi.web.collection.workflow`); every write
runs in a transaction, asks the policy, honours optimistic locking through
``Submission.version`` and writes an audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.web.accounts.policy import Policy
from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.collection import periods as period_codes
from sinergi.web.collection.choices import (
    EDITABLE_STATUSES,
    REPORTED_STATUSES,
    SubmissionStatus,
    Timeliness,
)
from sinergi.web.collection.models import (
    DataElement,
    DataSet,
    DataValue,
    Period,
    Ratio,
    Submission,
    ValidationRule,
    in_force_q,
)
from sinergi.web.collection.validation import Cell, Issue, check, element_total, ratio_value
from sinergi.web.collection.workflow import WorkflowError
from sinergi.web.core.formatting import long_date
from sinergi.web.core.stored_text import (
    AGGREGATED,
    APPROVED_REPORT,
    COLLECTION_SOURCE,
    COLLECTION_SOURCE_DEMO,
    SUM_OF_REPORTING,
    UNAPPROVED,
    UNDER_CORRECTION,
)
from sinergi.web.indicators.choices import ValueStatus
from sinergi.web.indicators.services import ConflictError, record_value
from sinergi.web.regions.models import Region, ancestor_codes

User = AbstractBaseUser | AnonymousUser

__all__ = ["ConflictError", "WorkflowError"]


# --- reading -------------------------------------------------------------------


def definition(
    dataset: DataSet, version: int | None = None
) -> tuple[list[DataElement], list[ValidationRule]]:
    """The elements (in order) and rules (with both sides loaded) of form ``version`` of the
    data set; by default the published one."""
    wanted = in_force_q(dataset.published_version if version is None else version)
    elements = list(dataset.elements.filter(wanted).select_related("indicator"))  # type: ignore[attr-defined]
    rules = list(dataset.rules.filter(wanted).select_related("left", "right"))  # type: ignore[attr-defined]
    return elements, rules


def period_definition(period: Period) -> tuple[list[DataElement], list[ValidationRule]]:
    """The form a period's submissions use: the version it is bound to (see
    :attr:`Period.form_version_in_force`), so a newer version never changes them."""
    return definition(period.dataset, period.form_version_in_force)


def values_of(submission: Submission) -> dict[Cell, Decimal]:
    return {
        (v.element.code, v.category): v.value
        for v in submission.values.select_related("element")  # type: ignore[attr-defined]
    }


def previous_approved(submission: Submission) -> Submission | None:
    """The region's approved submission for the period before (what outliers compare with)."""
    period = submission.period
    code = period_codes.previous(period.code, period.dataset.period_type)
    return (
        Submission.objects.filter(
            period__dataset_id=period.dataset_id,
            period__code=code,
            region_id=submission.region_id,
            status=SubmissionStatus.APPROVED,
        )
        .select_related("period")
        .first()
    )


def previous_totals(submission: Submission, elements: Iterable[DataElement]) -> dict[str, Decimal]:
    """Element totals of the region's approved submission for the previous period."""
    before = previous_approved(submission)
    if before is None:
        return {}
    values = values_of(before)
    totals = {e.code: element_total(e, values) for e in elements}
    return {code: total for code, total in totals.items() if total is not None}


def issues_for(
    submission: Submission,
    values: Mapping[Cell, Decimal] | None = None,
    loaded: tuple[list[DataElement], list[ValidationRule]] | None = None,
) -> list[Issue]:
    """Every validation issue of the submission (or of ``values`` entered for it);
    ``loaded`` is the data set's :func:`definition` when the caller has it."""
    elements, rules = loaded or period_definition(submission.period)
    current = values_of(submission) if values is None else values
    return check(
        elements,
        rules,
        current,
        previous_totals(submission, elements),
        ratios(submission.period.dataset),
    )


def ratios(dataset: DataSet) -> list[Ratio]:
    """The data set's derived ratios with their indicator and both elements loaded."""
    return list(dataset.ratios.select_related("indicator", "numerator", "denominator"))  # type: ignore[attr-defined]


def _state(submission: Submission, values: Mapping[Cell, Decimal]) -> dict[str, Any]:
    """What the audit trail stores of a submission: its fields and every value."""
    state = audit.snapshot(submission)
    for (code, category), value in sorted(values.items()):
        state[f"value:{code}" + (f":{category}" if category else "")] = format(
            value.normalize(), "f"
        )
    return state


def ratio_values(
    dataset: DataSet,
    values: Mapping[Cell, Decimal],
    elements: Iterable[DataElement] | None = None,
) -> list[tuple[Any, Decimal | None]]:
    """The data set's derived ratios (e.g. stunting prevalence) of entered values;
    ``elements``: those of the form they were entered on (default: the published form)."""
    form = definition(dataset)[0] if elements is None else elements
    totals = {e.code: element_total(e, values) for e in form}
    return [(ratio, ratio_value(ratio, totals)) for ratio in ratios(dataset)]


# --- writing -------------------------------------------------------------------


@transaction.atomic
def start_submission(period: Period, region: Region, user: User) -> Submission:
    """The region's submission for the period, created as a draft on first use."""
    policy = Policy.for_user(user)
    if not policy.can_enter_data(region.code):
        raise WorkflowError(
            [_("You may not enter data for %(region)s.") % {"region": region}], forbidden=True
        )
    if not period.dataset.is_published:
        raise WorkflowError([_("This data set is not published yet.")])
    if not period.dataset.reporting_regions.filter(pk=region.pk).exists():
        raise WorkflowError([_("%(region)s does not report this data set.") % {"region": region}])
    if not period.is_open(timezone.localdate()):
        raise WorkflowError(
            [
                _("Period %(period)s opens on %(date)s.")
                % {"period": period.label, "date": long_date(period.opens_on)}
            ]
        )
    submission, created = Submission.objects.get_or_create(
        period=period,
        region=region,
        defaults={"updated_by": user if user.is_authenticated else None},
    )
    if created:
        bind_form_version(period)
        audit.record(submission, Action.CREATE, user)
    return submission


def bind_form_version(period: Period) -> None:
    """Tie the period to the form version in force, once: its first submission fixes the form
    every submission of the period uses, whatever is published later."""
    if period.form_version is None:
        version = period.dataset.published_version
        Period.objects.filter(pk=period.pk, form_version__isnull=True).update(form_version=version)
        period.form_version = version


@dataclass
class SaveResult:
    submission: Submission
    changed: bool
    issues: list[Issue] = field(default_factory=list)


@transaction.atomic
def save_values(
    submission: Submission,
    user: User,
    values: Mapping[Cell, Decimal | None],
    *,
    expected_version: int | None,
    rule_comments: Mapping[str, str] | None = None,
) -> SaveResult:
    """Store entered values (``None`` empties a cell) as the draft's new version.

    Raises ``ConflictError`` when someone saved since ``expected_version`` was
    read, and :class:`WorkflowError` when the user may not edit it now (not
    theirs, submitted, or locked after approval).
    """
    sub = (
        Submission.objects.select_for_update()
        .select_related("period__dataset", "region")
        .get(pk=submission.pk)
    )
    if expected_version is not None and expected_version != sub.version:
        raise ConflictError(sub, expected_version)
    policy = Policy.for_user(user)
    if not policy.can_edit_submission(sub):
        if sub.status == SubmissionStatus.APPROVED:
            reason = _("Approved data is locked; only Bappeda can un-approve it.")
        elif sub.status not in EDITABLE_STATUSES:
            reason = _(
                "This submission is “%(status)s”; it can be changed only after it is "
                "returned for correction."
            ) % {"status": sub.get_status_display()}
        else:
            reason = _("You may not change this submission.")
        raise WorkflowError([reason], forbidden=not policy.can_enter_data(sub.region_id))
    loaded = period_definition(sub.period)
    by_code = {e.code: e for e in loaded[0]}
    values = {cell: None if v is None else Decimal(str(v)) for cell, v in values.items()}
    for code, category in values:
        element = by_code.get(code)
        if element is None or category not in dict(element.categories):
            raise ValueError(
                _("%(cell)s is not a cell of data set %(dataset)s.")
                % {"cell": f"{code}:{category}", "dataset": sub.period.dataset.code}
            )
    stored = {(v.element.code, v.category): v for v in sub.values.select_related("element")}  # type: ignore[attr-defined]
    old = {cell: v.value for cell, v in stored.items()}
    new = dict(old)
    for cell, value in values.items():
        if value is None:
            new.pop(cell, None)
        else:
            new[cell] = value
    comments = dict(sub.rule_comments or {})
    for key, text in (rule_comments or {}).items():
        if (text or "").strip():
            comments[key] = text.strip()[:1000]
        else:
            comments.pop(key, None)
    changed = new != old or comments != (sub.rule_comments or {})
    if changed:
        before = _state(sub, old)
        for cell, value in values.items():
            current = stored.get(cell)
            if value is None and current is not None:
                current.delete()
            elif value is not None and current is None:
                DataValue.objects.create(
                    submission=sub, element=by_code[cell[0]], category=cell[1], value=value
                )
            elif value is not None and current is not None and current.value != value:
                current.value = value
                current.save(update_fields=["value"])
        sub.rule_comments = comments
        sub.version += 1
        sub.updated_by = user if user.is_authenticated else None  # type: ignore[assignment]
        sub.save()
        audit.record(sub, Action.UPDATE, user, before=before, after=_state(sub, new))
    return SaveResult(sub, changed, issues_for(sub, new, loaded))


@transaction.atomic
def delete_draft(submission: Submission, user: User, *, expected_version: int | None) -> None:
    """Discard a draft that was never submitted (its values go with it)."""
    sub = (
        Submission.objects.select_for_update()
        .select_related("period__dataset")
        .get(pk=submission.pk)
    )
    if expected_version is not None and expected_version != sub.version:
        raise ConflictError(sub, expected_version)
    policy = Policy.for_user(user)
    if not policy.can_edit_submission(sub) or sub.first_submitted_at is not None:
        raise WorkflowError(
            [_("Only a draft that was never submitted can be discarded.")],
            forbidden=not policy.can_enter_data(sub.region_id),
        )
    before = _state(sub, values_of(sub))
    audit.record(sub, Action.DELETE, user, before=before)
    sub.delete()


# --- publishing into indicator values -------------------------------------------


def _source(dataset: DataSet) -> str:
    kind = COLLECTION_SOURCE_DEMO if dataset.is_illustrative else COLLECTION_SOURCE
    return kind.compose(name=dataset.name)[:300]


def publish(submission: Submission, user: User, *, aggregate: bool = True) -> int:
    """Record an approved submission's figures as indicator values of its region (and
    the derived ratios), then re-aggregate the regions above it. Returns values changed."""
    dataset = submission.period.dataset
    elements, _rules = period_definition(submission.period)
    values = values_of(submission)
    common = {
        "status": ValueStatus.FINAL,
        "source": _source(dataset),
        "is_synthetic": dataset.is_illustrative,
        "note": APPROVED_REPORT.compose(region=submission.region_id),
    }
    reason = APPROVED_REPORT.compose(region=submission.region_id)
    changed = 0
    totals = {e.code: element_total(e, values) for e in elements}
    for element in elements:
        total = totals[element.code]
        if element.indicator is None or total is None:
            continue
        _obj, did = record_value(
            indicator=element.indicator,
            region=submission.region,
            period=submission.period.code,
            value=total,
            user=user,
            reason=reason,
            **common,  # type: ignore[arg-type]
        )
        changed += did
    for ratio in ratios(dataset):
        value = ratio_value(ratio, totals)
        if value is None:
            continue
        _obj, did = record_value(
            indicator=ratio.indicator,
            region=submission.region,
            period=submission.period.code,
            value=value,
            user=user,
            reason=reason,
            **common,  # type: ignore[arg-type]
        )
        changed += did
    if aggregate:
        changed += aggregate_up(submission.period, submission.region_id, user)
    return changed


def withdraw(submission: Submission, user: User, *, comment: str = "") -> int:
    """After un-approval: mark the region's values preliminary and re-aggregate without it."""
    from sinergi.web.indicators.models import IndicatorValue

    dataset = submission.period.dataset
    form = period_definition(submission.period)[0]
    codes = [e.indicator_id for e in form if e.indicator_id]
    codes += [r.indicator_id for r in dataset.ratios.all()]  # type: ignore[attr-defined]
    changed = 0
    for value in IndicatorValue.objects.filter(
        indicator_id__in=codes, region_id=submission.region_id, period=submission.period.code
    ).select_related("indicator", "region"):
        _obj, did = record_value(
            indicator=value.indicator,
            region=value.region,
            period=value.period,
            value=value.value,
            user=user,
            reason=UNAPPROVED.compose(comment=comment)[:300],
            status=ValueStatus.PRELIMINARY,
            note=UNDER_CORRECTION.compose(region=submission.region_id),
        )
        changed += did
    changed += aggregate_up(submission.period, submission.region_id, user)
    return changed


def _within(code: str, root: str) -> bool:
    return code == root or code.startswith(root + ".")


def aggregate_up(period: Period, region_code: str, user: User | None) -> int:
    """Sum the additive elements of the approved submissions into each region between
    ``region_code`` (exclusive) and the data set's region (inclusive).

    The value is final when every reporting region below has an approved figure,
    preliminary otherwise; its note says how many reported.
    """
    dataset = period.dataset
    targets = [c for c in ancestor_codes(region_code)[1:] if _within(c, dataset.region_id)]
    if not targets:
        return 0
    elements = [e for e in period_definition(period)[0] if e.is_additive and e.indicator]
    approved = list(
        Submission.objects.filter(period=period, status=SubmissionStatus.APPROVED).prefetch_related(
            "values__element"
        )
    )
    cells = {
        s.region_id: {(v.element.code, v.category): v.value for v in s.values.all()}  # type: ignore[attr-defined]
        for s in approved
    }
    expected = list(dataset.reporting_regions.values_list("code", flat=True))
    regions = Region.objects.in_bulk(targets)
    common = {"source": _source(dataset), "is_synthetic": dataset.is_illustrative}
    changed = 0
    for code in targets:
        below = [r for r in expected if _within(r, code)]
        for element in elements:
            totals = [element_total(element, cells[r]) for r in below if r in cells]
            present = [t for t in totals if t is not None]
            if not present:
                continue
            _obj, did = record_value(
                indicator=element.indicator,
                region=regions[code],
                period=period.code,  # type: ignore[arg-type]
                value=sum(present, Decimal(0)),
                user=user,
                reason=AGGREGATED.compose(),
                status=ValueStatus.FINAL if len(present) == len(below) else ValueStatus.PRELIMINARY,
                note=SUM_OF_REPORTING.compose(n=len(present), total=len(below)),
                **common,  # type: ignore[arg-type]
            )
            changed += did
    return changed


# --- completeness and timeliness ------------------------------------------------


def timeliness(submission: Submission | None, period: Period) -> str:
    if submission is None:
        return Timeliness.MISSING
    if submission.status not in REPORTED_STATUSES or submission.first_submitted_at is None:
        return Timeliness.IN_PROGRESS
    return (
        Timeliness.ON_TIME
        if submission.first_submitted_at <= period.deadline()
        else Timeliness.LATE
    )


@dataclass
class RegionReport:
    region: Region
    submission: Submission | None
    timeliness: str

    @property
    def timeliness_label(self) -> str:
        return str(Timeliness(self.timeliness).label)


@dataclass
class Completeness:
    """Which regions reported a period, which on time, which late, which not at all."""

    period: Period
    rows: list[RegionReport]
    counts: dict[str, int]

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def reported(self) -> int:
        return self.counts[Timeliness.ON_TIME] + self.counts[Timeliness.LATE]

    @property
    def completeness_pct(self) -> float | None:
        return round(100 * self.reported / self.expected, 1) if self.expected else None

    @property
    def timeliness_pct(self) -> float | None:
        return (
            round(100 * self.counts[Timeliness.ON_TIME] / self.expected, 1)
            if self.expected
            else None
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.period.dataset.code,
            "period": self.period.code,
            "opens_on": self.period.opens_on.isoformat(),
            "closes_on": self.period.closes_on.isoformat(),
            "expected": self.expected,
            "reported": self.reported,
            "completeness_pct": self.completeness_pct,
            "timeliness_pct": self.timeliness_pct,
            "counts": dict(self.counts),
            "regions": [
                {
                    "region": r.region.code,
                    "name": r.region.name,
                    "status": r.submission.status if r.submission else None,
                    "first_submitted_at": (
                        r.submission.first_submitted_at.isoformat()
                        if r.submission and r.submission.first_submitted_at
                        else None
                    ),
                    "timeliness": r.timeliness,
                }
                for r in self.rows
            ],
        }


def completeness(period: Period, policy: Policy) -> Completeness:
    """The period's reporting regions inside the user's scope, each with its status (2 queries)."""
    regions = list(policy.regions(period.dataset.reporting_regions.all()).order_by("code"))
    subs = {
        s.region_id: s
        for s in Submission.objects.filter(period=period, region_id__in=[r.code for r in regions])
    }
    rows = [
        RegionReport(r, subs.get(r.code), timeliness(subs.get(r.code), period)) for r in regions
    ]
    counts = Counter({t.value: 0 for t in Timeliness})
    counts.update(r.timeliness for r in rows)
    return Completeness(period, rows, dict(counts))


def completeness_series(dataset: DataSet, policy: Policy) -> list[dict[str, Any]]:
    """Counts per period (oldest first) for the trend chart (3 queries)."""
    region_codes = list(
        policy.regions(dataset.reporting_regions.all()).values_list("code", flat=True)
    )
    period_list = list(dataset.periods.order_by("code"))  # type: ignore[attr-defined]
    by_period: dict[int, dict[str, Submission]] = defaultdict(dict)
    for sub in Submission.objects.filter(period__dataset=dataset, region_id__in=region_codes).only(
        "period_id", "region_id", "status", "first_submitted_at"
    ):
        by_period[sub.period_id][sub.region_id] = sub
    series = []
    for period in period_list:
        counts = Counter({t.value: 0 for t in Timeliness})
        counts.update(timeliness(by_period[period.pk].get(code), period) for code in region_codes)
        series.append({"period": period.code, "expected": len(region_codes), **counts})
    return series


def open_periods(dataset: DataSet, today: dt.date | None = None) -> list[Period]:
    today = today or timezone.localdate()
    return list(dataset.periods.filter(opens_on__lte=today).order_by("-code"))  # type: ignore[attr-defined]
