"""Stored rows as the narrative rules read them: indicator values -> Figure, targets -> TargetCheck.

The one place a briefing turns database rows into :mod:`narrative` values, so
every kind states a figure the same way: its citation (``stored_text.citation``,
as the indicator pages cite), its period as written, its reliability flag and
interval, its grade on the indicator's own scale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils.translation import gettext as _

from sinergi.web.briefings.narrative import Figure, Language, Measure, TargetCheck, level_text
from sinergi.web.core.formatting import period_label
from sinergi.web.indicators.choices import QualityFlag
from sinergi.web.indicators.models import Indicator, IndicatorValue, Target
from sinergi.web.indicators.services import TargetEvaluation, citation
from sinergi.web.regions.models import Region


def measure(indicator: Indicator) -> Measure:
    return Measure(indicator.name, indicator.unit, indicator.decimals)


def figure(value: IndicatorValue, indicator: Indicator) -> Figure:
    return Figure(
        value=value.value,
        year=value.year,
        source=citation(value.source),
        period=period_label(value.year, value.quarter, value.month) if value.year else "",
        reliable=value.quality_flag != QualityFlag.UNRELIABLE,
        synthetic=value.is_synthetic,
        se=value.se,
        ci_low=value.ci_low,
        ci_high=value.ci_high,
        grade=indicator.grade(float(value.value)),
    )


def plan_name(target: Target) -> str:
    return target.plan_document or str(target.get_plan_level_display())


def target_source(target: Target) -> str:
    return citation(target.source) or plan_name(target)


def target_check(item: TargetEvaluation) -> TargetCheck:
    """The narrative's view of an evaluation the indicator rules made (nothing recomputed)."""
    ev, target = item.evaluation, item.target
    projection = ev.projection
    return TargetCheck(
        status=str(ev.status),
        target=ev.target if ev.target is not None else target.value,
        target_year=target.year,
        plan=plan_name(target),
        source=target_source(target),
        comparator=str(target.comparator),
        projection=projection.value if projection else None,
        projection_low=projection.low if projection else None,
        projection_high=projection.high if projection else None,
        level=projection.level if projection else 0.80,
        low_confidence=ev.low_confidence,
    )


def value_cell(value: IndicatorValue | None, indicator: Indicator, language: Language) -> str:
    """A table cell: ``9,58 persen (2023)``; an undated figure says it has no year."""
    if value is None:
        return "–"
    text = level_text(value.value, indicator.unit, indicator.decimals, language)
    grade = indicator.grade(float(value.value))
    when = period_label(value.year, value.quarter, value.month) if value.year else _("no year")
    marks = [when] + ([grade] if grade else [])
    if value.quality_flag == QualityFlag.UNRELIABLE:
        marks.append(_("unreliable estimate"))
    if value.is_synthetic:
        marks.append(_("synthetic"))
    return f"{text} ({', '.join(marks)})"


def unit_label(indicator: Indicator, language: Language) -> str:
    if indicator.unit == "%":
        return "persen" if language == "id" else "percent"
    return level_text(1, indicator.unit, 0, language).removeprefix("1").strip() or indicator.name


def peer_values(
    region: Region, indicator_ids: Iterable[int], year: int
) -> dict[int, list[tuple[str, IndicatorValue]]]:
    """The province's and the nation's annual values of ``year`` (closest ancestor first)."""
    ancestors = [code for code in region.ancestor_codes() if code != region.code]
    names = dict(Region.objects.filter(code__in=ancestors).values_list("code", "name"))
    order = {code: i for i, code in enumerate(ancestors)}  # nearest first
    found: dict[int, list[tuple[str, IndicatorValue]]] = defaultdict(list)
    rows = IndicatorValue.objects.filter(
        region_id__in=ancestors,
        indicator_id__in=list(indicator_ids),
        year=year,
        quarter__isnull=True,
        month__isnull=True,
    ).order_by("indicator_id")
    for value in sorted(rows, key=lambda v: order.get(v.region_id, 99)):
        found[value.indicator_id].append((region_label(value.region_id, names), value))
    return found


def region_label(code: str, names: dict[str, str]) -> str:
    if code == "00":
        return _("the national figure")
    return names.get(code, code)
