"""Pages: the region dashboard, an indicator's page, and a ranking of sub-regions."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.web.accounts.policy import Policy
from sinergi.web.core.templatetags.sinergi import unit_label
from sinergi.web.indicators import services
from sinergi.web.indicators.choices import PlanLevel, Polarity
from sinergi.web.indicators.models import Indicator, IndicatorValue
from sinergi.web.regions.models import Region


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("tahun") or request.GET.get("year")
    if raw and raw.isdigit() and 1900 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def region_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    year = _year(request)
    policy = Policy.for_user(request.user)
    statuses = services.region_statuses(region, year, published_only=policy.is_public)
    cards = []
    for item in statuses:
        annual = [
            (v.year, float(v.value))
            for v in item.values
            if v.year and not v.quarter and not v.month and v.year <= year
        ]
        if len(annual) < 2:
            annual = [
                (i, float(v.value)) for i, v in enumerate(item.values) if v.year is None
            ] or annual
        cards.append({"item": item, "row": services.status_row(item), "spark": annual})
    counts: dict[str, int] = {}
    for card in cards:
        counts[card["row"]["status"]] = counts.get(card["row"]["status"], 0) + 1
    years = sorted({v.year for c in cards for v in c["item"].values if v.year}, reverse=True)
    return render(
        request,
        "indicators/dashboard.html",
        {
            "region": region,
            "year": year,
            "years": years,
            "cards": cards,
            "counts": counts,
            "children": region.children.active().only("code", "name", "parent")[:100],
            "ancestors": Region.objects.filter(code__in=region.ancestor_codes()[1:]).order_by(
                "code"
            ),
        },
    )


def indicator_detail(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    ind = get_object_or_404(Indicator, code=indicator)
    year = _year(request)
    policy = Policy.for_user(request.user)
    (status,) = services.region_statuses(
        region, year, indicators=[ind], published_only=policy.is_public
    )
    values_qs = IndicatorValue.objects.filter(region=region, indicator=ind)
    if policy.is_public:
        values_qs = services.published(values_qs)
    values = list(
        values_qs.prefetch_related("revisions__replaced_by")
        .select_related("updated_by")
        .chronological()
    )
    chart = _chart_data(ind, values, status)
    return render(
        request,
        "indicators/detail.html",
        {
            "region": region,
            "indicator": ind,
            "status": status,
            "row": services.status_row(status),
            "values": values,
            "evaluations": [e for e in [status.primary, *status.others] if e],
            "chart": chart,
            "year": year,
            "parent": region.parent,
        },
    )


def _chart_data(
    ind: Indicator, values: list[IndicatorValue], status: services.IndicatorStatus
) -> dict[str, Any]:
    """Series for the indicator chart: values (with CIs), target lines, projection band."""
    annual = [v for v in values if v.year and not v.quarter and not v.month]
    targets = [e.target for e in [status.primary, *status.others] if e]
    years = sorted({v.year for v in annual} | {t.year for t in targets if t.year})
    projection = status.primary.evaluation.projection if status.primary else None
    if projection is not None:
        years = sorted(
            set(years) | set(range(min(years or [projection.year]), projection.year + 1))
        )
    labels = [str(y) for y in years]
    by_year = {v.year: v for v in annual}
    series = [float(by_year[y].value) if y in by_year else None for y in years]
    ci = [
        [by_year[y].ci_low, by_year[y].ci_high]
        if y in by_year and by_year[y].ci_low is not None
        else None
        for y in years
    ]
    target_lines = []
    for level in PlanLevel:
        level_targets = [t for t in targets if t.plan_level == level]
        if not level_targets:
            continue
        for t in level_targets:
            target_lines.append(
                {
                    "label": f"{level.label} ({t.region_id})" + (f" {t.year}" if t.year else ""),
                    "value": float(t.value) if t.kind == "level" else None,
                    "year": t.year,
                    "level": level.value,
                }
            )
    band = None
    if projection is not None and annual:
        last = annual[-1]
        band = {
            "from_year": last.year,
            "from_value": float(last.value),
            "year": projection.year,
            "value": projection.value,
            "low": projection.low,
            "high": projection.high,
            "level": projection.level,
        }
    undated = [{"value": float(v.value), "note": v.note} for v in values if v.year is None]
    return {
        "labels": labels,
        "series": series,
        "ci": ci,
        "targets": [t for t in target_lines if t["value"] is not None],
        "projection": band,
        "undated": undated,
        "unit": unit_label(ind.unit),
        "name": ind.name,
        "decimals": ind.decimals,
        "text": {
            "projection": str(_("Projection")),
            "interval": str(_("interval")),
            "ci": str(_("95% CI")),
        },
    }


def comparison(request: HttpRequest, indicator: str, parent: str) -> HttpResponse:
    ind = get_object_or_404(Indicator, code=indicator)
    parent_region = get_object_or_404(Region, code=parent)
    year = _year(request)
    policy = Policy.for_user(request.user)
    children = {r.code: r for r in parent_region.children.active()}
    if not children:
        raise Http404("this region has no sub-regions")
    latest: dict[str, IndicatorValue] = {}
    values = IndicatorValue.objects.filter(
        indicator=ind,
        region_id__in=list(children),
        year__lte=year,
        quarter__isnull=True,
        month__isnull=True,
    ).chronological()
    if policy.is_public:
        values = services.published(values)
    for value in values:
        latest[value.region_id] = value  # chronological: the last one wins
    higher = ind.polarity == Polarity.HIGHER_IS_BETTER
    ranked = sorted(latest.values(), key=lambda v: float(v.value), reverse=higher)
    rows = [
        {"rank": i, "region": children[v.region_id], "value": v}
        for i, v in enumerate(ranked, start=1)
    ]
    missing = [r for code, r in sorted(children.items()) if code not in latest]
    chart = {
        "labels": [r["region"].name for r in rows],
        "values": [float(r["value"].value) for r in rows],
        "errors": [r["value"].se for r in rows],
        "ci": [
            [r["value"].ci_low, r["value"].ci_high] if r["value"].ci_low is not None else None
            for r in rows
        ],
        "unit": unit_label(ind.unit),
        "name": ind.name,
        "ci_label": str(_("95% CI")),
    }
    (own,) = services.region_statuses(
        parent_region, year, indicators=[ind], published_only=policy.is_public
    )
    return render(
        request,
        "indicators/comparison.html",
        {
            "indicator": ind,
            "parent": parent_region,
            "rows": rows,
            "missing": missing,
            "chart": chart,
            "year": year,
            "own": own,
            "indicators": Indicator.objects.all(),
            "higher": higher,
        },
    )
