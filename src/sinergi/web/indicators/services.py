"""Domain actions on indicators: catalogue, values with revisions, targets, evaluation.

Views, the API, imports and the CLI call these functions; they hold no rules
of their own. Every write runs in a transaction and honours optimistic
locking through the ``version`` column.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.core import stored_text
from sinergi.web.core.formatting import rounded
from sinergi.web.indicators import achievement as rules
from sinergi.web.indicators import freshness
from sinergi.web.indicators.catalogue import CATALOGUE
from sinergi.web.indicators.choices import (
    PlanLevel,
    QualityFlag,
    Status,
    TargetKind,
    ValueStatus,
)
from sinergi.web.indicators.models import Indicator, IndicatorValue, Target, ValueRevision
from sinergi.web.regions.models import Region, ancestor_codes

PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


class ConflictError(Exception):
    """Someone else changed the object since it was read (optimistic locking)."""

    def __init__(self, obj: Any, expected: int) -> None:
        self.current_version = obj.version
        super().__init__(
            f"{obj} was changed by someone else (version {obj.version}, you edited version "
            f"{expected}); reload it and apply your change again"
        )


@dataclass(frozen=True)
class PeriodKey:
    period: str
    year: int | None
    quarter: int | None
    month: int | None


def parse_period(text: str) -> PeriodKey:
    """Parse ``"2023"``, ``"2019-Q3"``, ``"2024-07"`` or ``""`` (no year given).

    >>> parse_period("2019-Q3")
    PeriodKey(period='2019-Q3', year=2019, quarter=3, month=None)
    """
    text = (text or "").strip()
    if not text:
        return PeriodKey("", None, None, None)
    match = PERIOD_RE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a period; use YYYY, YYYY-Qn or YYYY-MM")
    year = int(match["year"])
    if not 1900 <= year <= 2100:
        raise ValueError(f"year {year} is out of range 1900-2100")
    quarter = int(match["quarter"]) if match["quarter"] else None
    month = int(match["month"]) if match["month"] else None
    return PeriodKey(text, year, quarter, month)


def ensure_catalogue() -> int:
    """Create or update the shipped catalogue entries; returns how many exist."""
    with transaction.atomic():
        for order, entry in enumerate(CATALOGUE, start=1):
            Indicator.objects.update_or_create(
                code=entry["code"], defaults={**entry, "sort_order": order * 10}
            )
    return len(CATALOGUE)


@transaction.atomic
def record_value(
    *,
    indicator: Indicator,
    region: Region,
    period: str,
    value: Decimal | float | str,
    user: AbstractBaseUser | None = None,
    expected_version: int | None = None,
    reason: str = "",
    **fields: Any,
) -> tuple[IndicatorValue, bool]:
    """Create the value of a period, or revise it keeping the previous version.

    Returns ``(value, changed)``. Recording the same figure again changes
    nothing (imports are idempotent). A value without a period is matched on
    its note, since the source gives nothing else to tell two apart.
    """
    key = parse_period(period)
    amount = Decimal(str(value))
    lookup = {"indicator": indicator, "region": region, "period": key.period}
    if not key.period:
        lookup["note"] = fields.get("note", "")
    current = IndicatorValue.objects.select_for_update().filter(**lookup).first()
    if current is None:
        obj = IndicatorValue.objects.create(
            **lookup,
            year=key.year,
            quarter=key.quarter,
            month=key.month,
            value=amount,
            updated_by=user if user and user.is_authenticated else None,
            **{k: v for k, v in fields.items() if k not in lookup},
        )
        audit.record(obj, Action.CREATE, user, comment=reason)
        return obj, True
    if expected_version is not None and expected_version != current.version:
        raise ConflictError(current, expected_version)
    incoming = {"value": amount, **fields}
    if all(getattr(current, name) == new for name, new in incoming.items()):
        return current, False
    ValueRevision.objects.create(
        value=current,
        version=current.version,
        old_value=current.value,
        se=current.se,
        status=current.status,
        source=current.source,
        note=current.note,
        recorded_at=current.updated_at,
        recorded_by=current.updated_by,
        replaced_by=user if user and user.is_authenticated else None,
        reason=reason,
    )
    before = audit.snapshot(current)
    figure_changed = current.value != amount
    for name, new in incoming.items():
        setattr(current, name, new)
    if figure_changed and "status" not in fields:
        current.status = ValueStatus.REVISED
    current.version += 1
    current.updated_by = user if user and user.is_authenticated else None
    current.save()
    audit.record(current, Action.UPDATE, user, before=before, comment=reason)
    return current, True


@transaction.atomic
def set_target(
    *,
    indicator: Indicator,
    region: Region,
    plan_level: str,
    year: int | None,
    value: Decimal | float | str,
    user: AbstractBaseUser | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> tuple[Target, bool]:
    """Create or update the target of a plan level for a region and year."""
    lookup = {"indicator": indicator, "region": region, "plan_level": plan_level, "year": year}
    amount = Decimal(str(value))
    current = Target.objects.select_for_update().filter(**lookup).first()
    editor = user if user and user.is_authenticated else None
    if current is None:
        target = Target.objects.create(**lookup, value=amount, updated_by=editor, **fields)
        audit.record(target, Action.CREATE, user)
        return target, True
    if expected_version is not None and expected_version != current.version:
        raise ConflictError(current, expected_version)
    incoming = {"value": amount, **fields}
    if all(getattr(current, name) == new for name, new in incoming.items()):
        return current, False
    before = audit.snapshot(current)
    for name, new in incoming.items():
        setattr(current, name, new)
    current.version += 1
    current.updated_by = editor
    current.save()
    audit.record(current, Action.UPDATE, user, before=before)
    return current, True


# --- evaluation ---------------------------------------------------------------


@dataclass(frozen=True)
class TargetEvaluation:
    target: Target
    evaluation: rules.Evaluation
    # The target's year lies before the year the page is judged as of: it is
    # shown as an earlier year's target, never as the current one.
    is_past: bool = False


@dataclass
class IndicatorStatus:
    """Everything the dashboard, the API and the CLI show for one indicator."""

    indicator: Indicator
    values: list[IndicatorValue]
    latest: IndicatorValue | None
    primary: TargetEvaluation | None
    others: list[TargetEvaluation] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.primary is not None:
            return self.primary.evaluation.status
        return Status.NO_TARGET if self.latest is not None else Status.NO_DATA

    @property
    def grade(self) -> str:
        return self.indicator.grade(float(self.latest.value)) if self.latest else ""


def evaluation_settings() -> tuple[Any, ...]:
    """The settings an evaluation depends on (part of every cached result's key)."""
    return (tuple(_bands()), getattr(settings, "SINERGI_PROJECTION_LEVEL", 0.80))


def _bands() -> Sequence[tuple[float, str]]:
    return tuple(getattr(settings, "SINERGI_ACHIEVEMENT_BANDS", rules.DEFAULT_BANDS))


def _target_rank(target: Target, year: int, closeness: dict[str, int]) -> tuple[int, int, int]:
    """Order targets for the headline: own region first, then the year's own target,
    then the nearest future one, then an undated one, then the latest past one."""
    if target.year == year:
        when = (0, 0)
    elif target.year is not None and target.year > year:
        when = (1, target.year - year)
    elif target.year is None:
        when = (2, 0)
    else:
        when = (3, year - target.year)
    return (closeness[target.region_id], *when)


def evaluate_values(
    indicator: Indicator,
    values: Sequence[IndicatorValue],
    targets: Sequence[Target],
    region_code: str,
    year: int,
) -> IndicatorStatus:
    """Judge one indicator's values (of one region, oldest first) against its targets."""
    annual = [v for v in values if v.year is not None and v.quarter is None and v.month is None]
    history = [rules.Point(v.year, float(v.value)) for v in annual if v.year <= year]  # type: ignore[operator]
    undated = [v for v in values if v.year is None]
    # A quarter's or month's count is not a year's, so only rates are judged on
    # a sub-annual value; the value shown is always the value judged.
    dated_upto = [
        v
        for v in values
        if v.year is not None
        and v.year <= year
        and (not indicator.is_additive or (v.quarter is None and v.month is None))
    ]
    latest = (dated_upto or undated or [None])[-1]
    current = (
        rules.Point(latest.year, float(latest.value))
        if latest is not None and latest.year is not None and (latest.quarter or latest.month)
        else None
    )
    by_year = {v.year: float(v.value) for v in annual}
    closeness = {code: i for i, code in enumerate(ancestor_codes(region_code))}
    evaluations = []
    for target in sorted(targets, key=lambda t: _target_rank(t, year, closeness)):
        evaluation = rules.evaluate(
            history=history,
            latest_undated=float(undated[-1].value) if undated else None,
            target_value=float(target.value),
            target_year=target.year,
            polarity=indicator.polarity,
            comparator=target.comparator,
            kind=target.kind,
            baseline=by_year.get(target.baseline_year)
            if target.kind == TargetKind.CHANGE_PERCENT
            else None,
            baseline_year=target.baseline_year,
            current=current,
            bands=_bands(),
            level=getattr(settings, "SINERGI_PROJECTION_LEVEL", 0.80),
        )
        is_past = target.year is not None and target.year < year
        evaluations.append(TargetEvaluation(target, evaluation, is_past))
    return IndicatorStatus(
        indicator=indicator,
        values=list(values),
        latest=latest,
        primary=evaluations[0] if evaluations else None,
        others=evaluations[1:],
    )


def published(values: QuerySet[IndicatorValue]) -> QuerySet[IndicatorValue]:
    """Values the public may see: BPS does not publish estimates with RSE > 50 %."""
    return values.exclude(quality_flag=QualityFlag.UNRELIABLE)


def region_statuses(
    region: Region,
    year: int | None = None,
    indicators: Iterable[Indicator] | None = None,
    published_only: bool = False,
) -> list[IndicatorStatus]:
    """Evaluate every (headline) indicator of ``region`` as of ``year``.

    Computed once per change of the data it reads (:mod:`.freshness`): one query
    for the generation tokens of the region, its ancestors and the catalogue, and
    on a miss three more whatever the number of indicators (the catalogue, the
    region's values, the targets of the region and its ancestors).
    ``published_only`` leaves out estimates flagged unreliable (the public's view).
    """
    year = year or timezone.localdate().year
    chosen = list(indicators) if indicators is not None else None
    args = (
        region.code,
        year,
        tuple(i.pk for i in chosen) if chosen is not None else None,
        published_only,
        evaluation_settings(),
    )
    return freshness.cached(
        "region_statuses",
        args,
        freshness.indicator_scopes(region.code),
        lambda: _region_statuses(region, year, chosen, published_only),
    )


def _region_statuses(
    region: Region, year: int, chosen: list[Indicator] | None, published_only: bool
) -> list[IndicatorStatus]:
    catalogue = chosen if chosen is not None else list(Indicator.objects.filter(is_headline=True))
    ids = [i.pk for i in catalogue]
    values: dict[int, list[IndicatorValue]] = defaultdict(list)
    region_values = IndicatorValue.objects.filter(region=region, indicator_id__in=ids)
    if published_only:
        region_values = published(region_values)
    for value in region_values.chronological():
        values[value.indicator_id].append(value)
    targets: dict[int, list[Target]] = defaultdict(list)
    for target in Target.objects.filter(
        region_id__in=ancestor_codes(region.code), indicator_id__in=ids
    ).select_related("region"):
        targets[target.indicator_id].append(target)
    return [
        evaluate_values(ind, values[ind.pk], targets[ind.pk], region.code, year)
        for ind in catalogue
    ]


def plan_level_for(region: Region) -> str:
    """The medium-term plan level a region's own targets belong to."""
    return {
        "country": PlanLevel.NATIONAL_RPJMN,
        "province": PlanLevel.PROVINCIAL_RPJMD,
    }.get(region.level, PlanLevel.REGENCY_RPJMD)


def status_row(item: IndicatorStatus) -> dict[str, Any]:
    """One indicator's headline evaluation as plain values (API, CLI, exports)."""
    ev = item.primary.evaluation if item.primary else None
    target = item.primary.target if item.primary else None
    latest = item.latest
    return {
        "indicator": item.indicator.code,
        "name": item.indicator.name,
        "unit": item.indicator.unit,
        "value": float(latest.value) if latest else None,
        "value_period": latest.period if latest else None,
        "value_year": latest.year if latest else None,
        "se": latest.se if latest else None,
        "quality_flag": (latest.quality_flag or None) if latest else None,
        "grade": item.grade or None,
        "target": ev.target if ev else None,
        "target_year": target.year if target else None,
        "target_is_past": item.primary.is_past if item.primary else False,
        "target_region": target.region_id if target else None,
        "plan_level": target.plan_level if target else None,
        "plan_document": target.plan_document if target else None,
        "achievement": float(rounded(ev.achievement, 2))  # type: ignore[arg-type]
        if ev and ev.achievement is not None
        else None,
        "band": ev.band if ev else None,
        "gap": ev.gap if ev else None,
        "meets": ev.meets if ev else None,
        "projection": ev.projection.value if ev and ev.projection else None,
        "projection_low": ev.projection.low if ev and ev.projection else None,
        "projection_high": ev.projection.high if ev and ev.projection else None,
        "status": item.status,
        "low_confidence": ev.low_confidence if ev else False,
        "reason": ev.reason
        if ev
        else (gettext("no target") if latest is not None else gettext("no value")),
    }


def achievement_rows(
    region: Region, year: int | None = None, published_only: bool = False
) -> list[dict[str, Any]]:
    """Every headline indicator of ``region`` as :func:`status_row` dicts."""
    return [
        status_row(item) for item in region_statuses(region, year, published_only=published_only)
    ]


# --- stored text as a reader sees it -------------------------------------------

# Notes, sources and reasons are shown through sinergi.web.core.stored_text, the one
# mechanism the history pages use too.
citation = stored_text.citation


@dataclass(frozen=True)
class Footnotes:
    """Distinct citations numbered in order of first use, and each row's number."""

    sources: list[str]
    refs: list[int | None]

    @property
    def shared(self) -> bool:
        """Every row cites the same single source (say it once, under the table)."""
        return len(self.sources) == 1 and all(r == 1 for r in self.refs)


def footnotes(sources: Iterable[str | None]) -> Footnotes:
    """Number the distinct citations of ``sources`` so each is written once.

    >>> f = footnotes(["A [a.txt]", "B", "A", ""])
    >>> f.sources, f.refs
    (['A', 'B'], [1, 2, 1, None])
    """
    numbered: dict[str, int] = {}
    refs: list[int | None] = []
    for source in sources:
        text = citation(source)
        if not text:
            refs.append(None)
            continue
        refs.append(numbered.setdefault(text, len(numbered) + 1))
    return Footnotes(list(numbered), refs)


def note_text(note: str | None, region_names: dict[str, str] | None = None) -> str:
    """A value's note (or a revision's reason) in the active language (see
    :func:`sinergi.web.core.stored_text.shown`)."""
    return stored_text.shown(note, region_names)


note_regions = stored_text.region_names
