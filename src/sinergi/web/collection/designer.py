"""Designing a data set in the browser: its header, elements, rules and periods, the draft
form version and publishing it.

Form versions. ``DataSet.published_version`` is the version operators fill in
(0: never published); the designer edits the next one, the *draft*, which no
operator sees until :func:`publish`. Elements and rules carry the versions they
belong to (``added_in`` .. ``retired_in``): a part that was ever published is
never changed or deleted, so a period bound to an older version (see
:func:`services.bind_form_version`) keeps its form, its values and its checks.
Changing a published part retires it in the draft and adds the changed copy;
removing it retires it. Parts added in the draft are edited and deleted freely.

Every action asks :class:`CollectionPolicy.can_design`, runs in a transaction,
honours the object's ``version`` (``ConflictError`` when someone saved since it
was read) and writes an audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.collection import periods as period_codes
from sinergi.web.collection.choices import REPORTED_STATUSES, RuleKind, SubmissionStatus
from sinergi.web.collection.models import (
    DataElement,
    DataSet,
    Period,
    Submission,
    ValidationRule,
    in_force_q,
)
from sinergi.web.collection.policy import CollectionPolicy
from sinergi.web.collection.validation import check, element_total
from sinergi.web.indicators.services import ConflictError
from sinergi.web.regions.models import Region

User = AbstractBaseUser | AnonymousUser

DATASET_FIELDS = ("code", "name", "description", "period_type", "owner")
ELEMENT_FIELDS = (
    "code",
    "name",
    "name_en",
    "help_text",
    "value_type",
    "unit",
    "min_value",
    "max_value",
    "disaggregation",
    "required",
    "indicator",
    "is_additive",
    "sort_order",
)
RULE_FIELDS = (
    "kind",
    "left",
    "operator",
    "right",
    "right_factor",
    "right_constant",
    "threshold_pct",
    "severity",
    "message",
)
PERIOD_FIELDS = ("code", "opens_on", "closes_on")


class DesignError(Exception):
    """A design change that cannot be made (the reason is for the user)."""


def _allow(user: User, target: DataSet | Region) -> None:
    if not CollectionPolicy.for_user(user).can_design(target):  # type: ignore[arg-type]
        raise PermissionDenied(_("Only the Bappeda administrator of the region designs it."))


def _locked(model: type[models.Model], obj: Any, expected: int | None) -> Any:
    fresh = model._default_manager.select_for_update().get(pk=obj.pk)
    if expected is not None and expected != fresh.version:
        raise ConflictError(fresh, expected)
    return fresh


def _actor(user: User) -> Any:
    return user if user.is_authenticated else None


# --- the data set ----------------------------------------------------------------------


def _header(dataset: DataSet) -> dict[str, Any]:
    state = audit.snapshot(dataset)
    state["reporting_regions"] = sorted(dataset.reporting_regions.values_list("code", flat=True))
    return state


@transaction.atomic
def create_dataset(
    user: User, region: Region, values: Mapping[str, Any], reporting: Iterable[Region]
) -> DataSet:
    """A new data set of ``region``, unpublished (version 0), with its reporting regions."""
    _allow(user, region)
    dataset = DataSet.objects.create(
        region=region, **{k: values[k] for k in DATASET_FIELDS if k in values}
    )
    dataset.reporting_regions.set(list(reporting))
    audit.record(dataset, Action.CREATE, user, after=_header(dataset))
    return dataset


@transaction.atomic
def update_dataset(
    dataset: DataSet,
    user: User,
    values: Mapping[str, Any],
    reporting: Iterable[Region],
    *,
    expected_version: int | None,
) -> DataSet:
    """Change the header and the reporting regions (which are not versioned: who reports
    is not part of the form)."""
    _allow(user, dataset)
    fresh = _locked(DataSet, dataset, expected_version)
    before = _header(fresh)
    changes_type = values.get("period_type", fresh.period_type) != fresh.period_type
    if changes_type and fresh.periods.exists():  # type: ignore[attr-defined]
        raise DesignError(_("The period type cannot change once a period exists."))
    if "code" in values and values["code"] != fresh.code and fresh.is_published:
        raise DesignError(_("The code of a published data set cannot change."))
    for name in DATASET_FIELDS:
        if name in values:
            setattr(fresh, name, values[name])
    fresh.reporting_regions.set(list(reporting))
    after = _header(fresh)
    if after != before:
        fresh.version += 1
        fresh.save()
        audit.record(fresh, Action.UPDATE, user, before=before, after=_header(fresh))
    return fresh


# --- elements ----------------------------------------------------------------------------


def draft_elements(dataset: DataSet) -> list[DataElement]:
    """The draft's elements in order, then those it retires (``retired_in`` is the draft)."""
    draft = dataset.draft_version
    rows = dataset.elements.filter(  # type: ignore[attr-defined]
        in_force_q(draft) | models.Q(retired_in=draft)
    ).select_related("indicator")
    return sorted(rows, key=lambda e: (e.retired_in == draft, e.sort_order, e.pk))


def draft_rules(dataset: DataSet) -> list[ValidationRule]:
    draft = dataset.draft_version
    rows = dataset.rules.filter(  # type: ignore[attr-defined]
        in_force_q(draft) | models.Q(retired_in=draft)
    ).select_related("left", "right")
    return sorted(rows, key=lambda r: (r.retired_in == draft, r.pk))


def _element_state(element: DataElement) -> dict[str, Any]:
    return audit.snapshot(element)


def _differs(obj: models.Model, values: Mapping[str, Any], names: Iterable[str]) -> bool:
    for name in names:
        if name not in values:
            continue
        current, new = getattr(obj, name), values[name]
        if isinstance(current, Decimal) or isinstance(new, Decimal):
            if (current is None) != (new is None) or (
                current is not None and Decimal(current) != Decimal(new)
            ):
                return True
        elif current != new:
            return True
    return False


def _copy(obj: Any, version: int, values: Mapping[str, Any], names: Iterable[str]) -> Any:
    """A new row like ``obj`` in the draft ``version``, with ``values`` applied."""
    new = type(obj)(
        **{
            f.attname: getattr(obj, f.attname)
            for f in obj._meta.concrete_fields
            if f.attname not in {"id", "added_in", "retired_in", "version"}
        }
    )
    for name in names:
        if name in values:
            setattr(new, name, values[name])
    new.added_in, new.retired_in, new.version = version, None, 1
    return new


@transaction.atomic
def save_element(
    dataset: DataSet,
    user: User,
    element: DataElement | None,
    values: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> DataElement:
    """Add an element to the draft, or change one. A published element is not changed: it is
    retired in the draft and the changed copy added (the old form keeps the old one)."""
    _allow(user, dataset)
    draft = DataSet.objects.get(pk=dataset.pk).draft_version
    if element is None:
        new = DataElement(dataset=dataset, added_in=draft)
        for name in ELEMENT_FIELDS:
            if name in values:
                setattr(new, name, values[name])
        _unique_code(dataset, new.code, draft, None)
        new.full_clean(exclude=["dataset", "indicator"])
        new.save()
        audit.record(new, Action.CREATE, user)
        return new
    fresh = _locked(DataElement, element, expected_version)
    if not fresh.in_force(draft):
        raise DesignError(_("This element is retired in the draft; restore it first."))
    if not _differs(fresh, values, ELEMENT_FIELDS):
        return fresh  # type: ignore[no-any-return]
    if "code" in values and values["code"] != fresh.code:
        if fresh.added_in < draft:
            raise DesignError(_("The code of a published element cannot change."))
        _unique_code(dataset, values["code"], draft, fresh.pk)
    before = _element_state(fresh)
    if fresh.added_in == draft:  # only in the draft: changed where it is
        for name in ELEMENT_FIELDS:
            if name in values:
                setattr(fresh, name, values[name])
        fresh.full_clean(exclude=["dataset", "indicator"])
        fresh.version += 1
        fresh.save()
        audit.record(fresh, Action.UPDATE, user, before=before)
        return fresh  # type: ignore[no-any-return]
    copy = _copy(fresh, draft, values, ELEMENT_FIELDS)
    copy.full_clean(exclude=["dataset", "indicator"])
    fresh.retired_in = draft
    fresh.version += 1
    fresh.save()
    copy.save()
    # Rules added in the draft follow the element to its new row.
    for side in ("left", "right"):
        dataset.rules.filter(added_in=draft, **{side: fresh}).update(**{side: copy})  # type: ignore[attr-defined]
    audit.record(fresh, Action.UPDATE, user, before=before, comment=_("Changed in the draft"))
    audit.record(copy, Action.CREATE, user)
    return copy  # type: ignore[no-any-return]


def _unique_code(dataset: DataSet, code: str, draft: int, own_pk: int | None) -> None:
    taken = dataset.elements.filter(in_force_q(draft), code=code).exclude(pk=own_pk)  # type: ignore[attr-defined]
    if taken.exists():
        raise DesignError(
            _("Another element of the form already has the code %(code)s.") % {"code": code}
        )


def rules_using(dataset: DataSet, element: DataElement) -> list[ValidationRule]:
    """The draft's rules with ``element`` on either side (they go with it)."""
    draft = dataset.draft_version
    return [
        r
        for r in dataset.rules.filter(in_force_q(draft)).select_related("left", "right")  # type: ignore[attr-defined]
        if r.left.code == element.code or (r.right_id and r.right.code == element.code)
    ]


def has_data(element: DataElement) -> bool:
    from sinergi.web.collection.models import DataValue

    return DataValue.objects.filter(element=element).exists()


@transaction.atomic
def remove_element(
    dataset: DataSet, user: User, element: DataElement, *, expected_version: int | None
) -> str:
    """Take an element off the draft: deleted when only the draft has it, retired when it was
    published (its data stays with the periods that used it). The rules using it go too.
    Returns ``"deleted"`` or ``"retired"``."""
    _allow(user, dataset)
    draft = DataSet.objects.get(pk=dataset.pk).draft_version
    fresh = _locked(DataElement, element, expected_version)
    if not fresh.in_force(draft):
        raise DesignError(_("This element is not on the draft form."))
    for rule in rules_using(dataset, fresh):
        _drop_rule(rule, draft, user)
    before = _element_state(fresh)
    if fresh.added_in == draft and not has_data(fresh):
        audit.record(fresh, Action.DELETE, user, before=before)
        fresh.delete()
        outcome = "deleted"
    else:
        fresh.retired_in = draft
        fresh.version += 1
        fresh.save()
        audit.record(fresh, Action.UPDATE, user, before=before, comment=_("Retired in the draft"))
        outcome = "retired"
    return outcome


@transaction.atomic
def restore_element(
    dataset: DataSet, user: User, element: DataElement, *, expected_version: int | None
) -> DataElement:
    """Undo retiring a published element in the draft (its rules are not brought back)."""
    _allow(user, dataset)
    draft = DataSet.objects.get(pk=dataset.pk).draft_version
    fresh = _locked(DataElement, element, expected_version)
    if fresh.retired_in != draft:
        raise DesignError(_("Only an element retired in the draft can be restored."))
    _unique_code(dataset, fresh.code, draft, fresh.pk)
    before = _element_state(fresh)
    fresh.retired_in = None
    fresh.version += 1
    fresh.save()
    audit.record(fresh, Action.UPDATE, user, before=before, comment=_("Restored in the draft"))
    return fresh  # type: ignore[no-any-return]


# --- rules -------------------------------------------------------------------------------


def _drop_rule(rule: ValidationRule, draft: int, user: User) -> str:
    before = audit.snapshot(rule)
    if rule.added_in == draft:
        audit.record(rule, Action.DELETE, user, before=before)
        rule.delete()
        return "deleted"
    rule.retired_in = draft
    rule.version += 1
    rule.save()
    audit.record(rule, Action.UPDATE, user, before=before, comment=_("Retired in the draft"))
    return "retired"


@transaction.atomic
def save_rule(
    dataset: DataSet,
    user: User,
    rule: ValidationRule | None,
    values: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> ValidationRule:
    """Add a rule to the draft or change one (a published rule: retired, changed copy added)."""
    _allow(user, dataset)
    draft = DataSet.objects.get(pk=dataset.pk).draft_version
    if rule is None:
        new = ValidationRule(dataset=dataset, added_in=draft)
        for name in RULE_FIELDS:
            if name in values:
                setattr(new, name, values[name])
        new.full_clean(exclude=["dataset", "left", "right"])
        new.save()
        audit.record(new, Action.CREATE, user)
        return new
    fresh = _locked(ValidationRule, rule, expected_version)
    if not fresh.in_force(draft):
        raise DesignError(_("This rule is not on the draft form."))
    if not _differs(fresh, values, RULE_FIELDS):
        return fresh  # type: ignore[no-any-return]
    before = audit.snapshot(fresh)
    if fresh.added_in == draft:
        for name in RULE_FIELDS:
            if name in values:
                setattr(fresh, name, values[name])
        fresh.full_clean(exclude=["dataset", "left", "right"])
        fresh.version += 1
        fresh.save()
        audit.record(fresh, Action.UPDATE, user, before=before)
        return fresh  # type: ignore[no-any-return]
    copy = _copy(fresh, draft, values, RULE_FIELDS)
    copy.full_clean(exclude=["dataset", "left", "right"])
    fresh.retired_in = draft
    fresh.version += 1
    fresh.save()
    copy.save()
    audit.record(fresh, Action.UPDATE, user, before=before, comment=_("Changed in the draft"))
    audit.record(copy, Action.CREATE, user)
    return copy  # type: ignore[no-any-return]


@transaction.atomic
def remove_rule(
    dataset: DataSet, user: User, rule: ValidationRule, *, expected_version: int | None
) -> str:
    """Delete a rule added in the draft, or retire a published one."""
    _allow(user, dataset)
    draft = DataSet.objects.get(pk=dataset.pk).draft_version
    fresh = _locked(ValidationRule, rule, expected_version)
    if not fresh.in_force(draft):
        raise DesignError(_("This rule is not on the draft form."))
    outcome = _drop_rule(fresh, draft, user)
    return outcome


# --- periods -----------------------------------------------------------------------------


def suggested_period(dataset: DataSet, today: Any) -> dict[str, Any]:
    """The period after the last one (or the current one), open from its first day and
    closing 15 days after its last."""
    last = dataset.periods.order_by("-code").first()  # type: ignore[attr-defined]
    code = (
        period_codes.shift(last.code, dataset.period_type, 1)
        if last is not None
        else period_codes.containing(today, dataset.period_type)
    )
    first, end = period_codes.bounds(code, dataset.period_type)
    return {"code": code, "opens_on": first, "closes_on": end + dt.timedelta(days=15)}


@transaction.atomic
def save_period(
    dataset: DataSet,
    user: User,
    period: Period | None,
    values: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Period:
    """Open a reporting period or change its dates (its code only while nobody entered it)."""
    _allow(user, dataset)
    if period is None:
        new = Period(dataset=dataset, **{k: values[k] for k in PERIOD_FIELDS})
        new.full_clean()
        new.save()
        audit.record(new, Action.CREATE, user)
        return new
    fresh = _locked(Period, period, expected_version)
    if values.get("code", fresh.code) != fresh.code and fresh.submissions.exists():  # type: ignore[attr-defined]
        raise DesignError(_("The period has submissions: its code cannot change."))
    before = audit.snapshot(fresh)
    for name in PERIOD_FIELDS:
        if name in values:
            setattr(fresh, name, values[name])
    fresh.dataset = dataset
    fresh.full_clean()
    if audit.snapshot(fresh) != before:
        fresh.version += 1
        fresh.save()
        audit.record(fresh, Action.UPDATE, user, before=before)
    return fresh  # type: ignore[no-any-return]


@transaction.atomic
def delete_period(
    dataset: DataSet, user: User, period: Period, *, expected_version: int | None
) -> None:
    """Delete a period nobody has entered yet."""
    _allow(user, dataset)
    fresh = _locked(Period, period, expected_version)
    if fresh.submissions.exists():  # type: ignore[attr-defined]
        raise DesignError(_("The period has submissions and cannot be deleted."))
    audit.record(fresh, Action.DELETE, user, before=audit.snapshot(fresh))
    fresh.delete()


# --- the draft and publishing --------------------------------------------------------------


@dataclass
class DraftChanges:
    """What publishing the draft would change, part by part."""

    added_elements: list[DataElement] = field(default_factory=list)
    changed_elements: list[DataElement] = field(default_factory=list)  # the new copies
    retired_elements: list[DataElement] = field(default_factory=list)
    added_rules: list[ValidationRule] = field(default_factory=list)
    changed_rules: list[ValidationRule] = field(default_factory=list)
    retired_rules: list[ValidationRule] = field(default_factory=list)
    token: str = ""

    @property
    def count(self) -> int:
        return sum(
            len(x)
            for x in (
                self.added_elements,
                self.changed_elements,
                self.retired_elements,
                self.added_rules,
                self.changed_rules,
                self.retired_rules,
            )
        )


def draft_changes(dataset: DataSet) -> DraftChanges:
    """The draft compared with the published form; ``token`` changes with any draft edit, so
    a publish confirmation publishes what was reviewed."""
    draft = dataset.draft_version
    changes = DraftChanges()
    elements = list(
        dataset.elements.filter(models.Q(added_in=draft) | models.Q(retired_in=draft))  # type: ignore[attr-defined]
    )
    rules = list(
        dataset.rules.filter(  # type: ignore[attr-defined]
            models.Q(added_in=draft) | models.Q(retired_in=draft)
        ).select_related("left", "right")
    )
    replaced = {e.code for e in elements if e.added_in == draft}
    for e in elements:
        if e.added_in == draft:
            retired_same = any(o.code == e.code and o.retired_in == draft for o in elements)
            (changes.changed_elements if retired_same else changes.added_elements).append(e)
        elif e.code not in replaced:
            changes.retired_elements.append(e)
    # A rule copy is "changed" when a retired rule of the draft has the same left element.
    retired_rules = [r for r in rules if r.retired_in == draft]
    for r in rules:
        if r.added_in == draft:
            twin = next((o for o in retired_rules if o.left.code == r.left.code), None)
            if twin is not None:
                retired_rules.remove(twin)
                changes.changed_rules.append(r)
            else:
                changes.added_rules.append(r)
    changes.retired_rules = retired_rules
    parts = sorted(
        f"{type(o).__name__}:{o.pk}:{o.version}:{o.added_in}:{o.retired_in}"
        for o in [*elements, *rules]
    )
    changes.token = hashlib.sha256("|".join([str(draft), *parts]).encode()).hexdigest()[:16]
    return changes


@transaction.atomic
def publish(dataset: DataSet, user: User, *, expected_token: str | None) -> int:
    """Make the draft the published form version; returns the new version number.

    Periods already bound to an older version keep it; periods nobody has entered yet
    use the new one.
    """
    _allow(user, dataset)
    fresh = _locked(DataSet, dataset, None)
    changes = draft_changes(fresh)
    if expected_token is not None and expected_token != changes.token:
        raise DesignError(
            _("The draft changed after you opened this page. Review the changes again.")
        )
    draft = fresh.draft_version
    if not fresh.elements.filter(in_force_q(draft)).exists():  # type: ignore[attr-defined]
        raise DesignError(_("The form has no elements: add at least one before publishing."))
    if fresh.is_published and changes.count == 0:
        raise DesignError(_("The draft has no changes to publish."))
    before = _header(fresh)
    fresh.published_version = draft
    fresh.version += 1
    fresh.save()
    audit.record(
        fresh,
        Action.UPDATE,
        user,
        before=before,
        after=_header(fresh),
        comment=_("Published form version %(v)s") % {"v": draft},
    )
    return draft


def unpublish_refusal(dataset: DataSet) -> str:
    """Why the published version cannot be withdrawn ("" when it can)."""
    if not dataset.is_published:
        return _("Nothing is published.")
    if dataset.periods.filter(form_version=dataset.published_version).exists():  # type: ignore[attr-defined]
        return _("Submissions were made with version %(v)s: it stays published.") % {
            "v": dataset.published_version
        }
    if draft_changes(dataset).count:
        return _("The draft has changes: publish or undo them first.")
    return ""


@transaction.atomic
def unpublish(dataset: DataSet, user: User, *, expected_version: int | None) -> int:
    """Withdraw the last published version nobody has entered yet: its changes become the
    draft again, and operators see the version before (none, for version 1). Returns the
    version now published."""
    _allow(user, dataset)
    fresh = _locked(DataSet, dataset, expected_version)
    reason = unpublish_refusal(fresh)
    if reason:
        raise DesignError(reason)
    before = _header(fresh)
    withdrawn = fresh.published_version
    fresh.published_version -= 1
    fresh.version += 1
    fresh.save()
    audit.record(
        fresh,
        Action.UPDATE,
        user,
        before=before,
        after=_header(fresh),
        comment=_("Withdrew form version %(v)s") % {"v": withdrawn},
    )
    return fresh.published_version


def bound_periods(dataset: DataSet) -> dict[int, int]:
    """How many periods each form version is bound to (versions in use by submissions)."""
    counts: dict[int, int] = {}
    for version in dataset.periods.exclude(form_version__isnull=True).values_list(  # type: ignore[attr-defined]
        "form_version", flat=True
    ):
        counts[version] = counts.get(version, 0) + 1
    return counts


# --- the live check of a rule ---------------------------------------------------------------


@dataclass(frozen=True)
class RuleBreak:
    region: Region
    period: Period
    status: str
    message: str


@dataclass
class RuleCheck:
    """How a rule fares on each reporting region's last reported figures."""

    checked: int = 0
    breaks: list[RuleBreak] = field(default_factory=list)
    without_data: list[Region] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "breaking": len(self.breaks),
            "without_data": len(self.without_data),
            "breaks": [
                {
                    "region": b.region.code,
                    "name": b.region.name,
                    "period": b.period.code,
                    "status": b.status,
                    "message": b.message,
                }
                for b in self.breaks
            ],
        }


def check_rule(dataset: DataSet, rule: ValidationRule, elements: list[DataElement]) -> RuleCheck:
    """Run ``rule`` (saved or not) on each reporting region's last approved submission, or its
    last submitted one when none is approved (3 queries)."""
    regions = list(dataset.reporting_regions.order_by("code"))
    subs = list(
        Submission.objects.filter(period__dataset=dataset, status__in=REPORTED_STATUSES)
        .select_related("period")
        .prefetch_related("values__element")
        .order_by("-period__code")
    )
    for s in subs:
        s.period.dataset = dataset  # already loaded: the period's label needs its type
    values = {
        s.pk: {(v.element.code, v.category): v.value for v in s.values.all()}  # type: ignore[attr-defined]
        for s in subs
    }
    approved = {
        (s.region_id, s.period.code): s for s in subs if s.status == SubmissionStatus.APPROVED
    }
    latest: dict[str, Submission] = {}
    for s in subs:  # newest period first: the last reported...
        latest.setdefault(s.region_id, s)
    for s in subs:  # ...unless an approved one exists: the last approved
        if s.status == SubmissionStatus.APPROVED and latest[s.region_id].status != s.status:
            latest[s.region_id] = s
    by_code = {e.code: e for e in elements}
    result = RuleCheck()
    for region in regions:
        sub = latest.get(region.code)
        if sub is None:
            result.without_data.append(region)
            continue
        cells = values[sub.pk]
        left = by_code.get(rule.left.code) if rule.left_id else None
        right = by_code.get(rule.right.code) if rule.right_id else None
        if left is None or element_total(left, cells) is None:
            result.without_data.append(region)
            continue
        previous: dict[str, Decimal] | None = None
        if rule.kind == RuleKind.OUTLIER:
            before = approved.get(
                (region.code, period_codes.previous(sub.period.code, dataset.period_type))
            )
            total = element_total(left, values[before.pk]) if before is not None else None
            if total is None:
                result.without_data.append(region)
                continue
            previous = {left.code: total}
        elif rule.right_id and (right is None or element_total(right, cells) is None):
            result.without_data.append(region)
            continue
        result.checked += 1
        issues = [
            i for i in check(elements, [rule], cells, previous) if i.kind in {"rule", "outlier"}
        ]
        if issues:
            result.breaks.append(
                RuleBreak(region, sub.period, sub.get_status_display(), issues[0].message)
            )
    return result
