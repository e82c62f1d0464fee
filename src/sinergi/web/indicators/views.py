"""Pages: the region dashboard, an indicator's page, and a ranking of sub-regions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sinergi.web.accounts.policy import Policy
from sinergi.web.core.formatting import long_date, number, percent, period_label
from sinergi.web.core.templatetags.sinergi import unit_label
from sinergi.web.indicators import freshness, services
from sinergi.web.indicators.choices import Comparator, PlanLevel, Polarity, TargetKind
from sinergi.web.indicators.models import Indicator, IndicatorValue, Target
from sinergi.web.regions.models import Region


def _asked_year(request: HttpRequest) -> bool:
    raw = request.GET.get("tahun") or request.GET.get("year")
    return bool(raw and raw.isdigit() and 1900 <= int(raw) <= 2100)


def _period(value: IndicatorValue) -> str:
    """The value's period in words (``Triwulan III 2019``), or "year not stated"."""
    if value.year is None:
        return str(_("year not stated"))
    return period_label(value.year, value.quarter, value.month)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("tahun") or request.GET.get("year")
    if raw and raw.isdigit() and 1900 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


# Units whose values are shares or levels that cannot fall below zero: their
# axes start at zero so a small change is drawn at its true size.
NON_NEGATIVE_UNITS = {"%", "ratio", "index", "persons", "children", "jobs", "events"}
COMPARATOR_SIGNS = {Comparator.LT: "<", Comparator.LE: "≤", Comparator.GT: ">", Comparator.GE: "≥"}


def _chart_locale() -> str:
    """The locale charts format numbers in: the page's language."""
    lang = translation.get_language() or "id"
    return "en-GB" if lang.startswith("en") else "id-ID"


def target_text(target: Target, resolved: float | None, decimals: int) -> str:
    """A target as a planner writes it: ``< 10,0``, ``8,00`` or ``-50% dari nilai 2019``."""
    if target.kind == TargetKind.CHANGE_PERCENT:
        text = _("%(change)s%% from the %(year)s value") % {
            "change": number(target.value, decimals, trim=True),
            "year": target.baseline_year,
        }
        if resolved is not None:
            text += f" (= {number(resolved, decimals)})"
        return text
    sign = COMPARATOR_SIGNS.get(target.comparator, "")  # type: ignore[call-overload]
    return f"{sign} {number(target.value, decimals)}".strip()


def _target_label(target: Target) -> str:
    """A target line's legend: plan level, the region's name and the year."""
    level = PlanLevel(target.plan_level).label
    parts = [str(level), target.region.name]
    if target.year:
        parts.append(str(target.year))
    return " · ".join(parts)


def region_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    year = _year(request)
    asked = _asked_year(request)
    published_only = Policy.for_user(request.user).is_public
    # The cards are the same for every viewer of the same view (public or signed in),
    # so they are rendered once per change of the data (see indicators.freshness).
    fragments = freshness.cached(
        "region_dashboard",
        (region.code, year, asked, published_only, services.evaluation_settings()),
        freshness.indicator_scopes(region.code),
        lambda: _dashboard_fragments(region, year, asked, published_only),
    )
    return render(
        request,
        "indicators/dashboard.html",
        {
            "region": region,
            "year": year,
            "years": fragments["years"],
            # HTML our own autoescaping templates rendered (the cache keeps plain str)
            "fragments": {k: mark_safe(fragments[k]) for k in ("cards", "compare")},
            "children": region.children.active().only("code", "name", "parent")[:100],
            "ancestors": Region.objects.filter(code__in=region.ancestor_codes()[1:]).order_by(
                "code"
            ),
        },
    )


def _dashboard_fragments(
    region: Region, year: int, asked: bool, published_only: bool
) -> dict[str, Any]:
    """The dashboard's cards and comparison links as HTML, and the years with data."""
    statuses = services.region_statuses(region, year, published_only=published_only)
    cards: list[dict[str, Any]] = []
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
        row = services.status_row(item)
        cards.append(
            {
                "item": item,
                "row": row,
                "spark": annual,
                "period": _period(item.latest) if item.latest else "",
                "target_text": target_text(
                    item.primary.target, row["target"], item.indicator.decimals
                )
                if item.primary
                else "",
                "achievement": percent(
                    item.primary.evaluation.achievement if item.primary else None, 1
                ),
            }
        )
    counts: dict[str, int] = {}
    for card in cards:
        counts[card["row"]["status"]] = counts.get(card["row"]["status"], 0) + 1
    years = sorted(
        {v.year for c in cards for v in c["item"].values if v.year} | ({year} if asked else set()),
        reverse=True,
    )
    context = {
        "region": region,
        "year": year,
        "asked_year": asked,
        "cards": cards,
        "counts": counts,
    }
    return {
        "cards": str(render_to_string("indicators/_dashboard_cards.html", context)),
        "compare": str(render_to_string("indicators/_dashboard_compare.html", context)),
        "years": years,
    }


def indicator_detail(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    region = get_object_or_404(Region.objects.select_related("parent"), code=code)
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
    notes = services.note_regions(v.note for v in values)
    notes_sources = services.footnotes(v.source for v in values)
    rows: list[dict[str, Any]] = []
    for v, ref in zip(values, notes_sources.refs, strict=True):
        rows.append(
            {
                "value": v,
                "period": _period(v),
                "note": services.note_text(v.note, notes),
                "ref": ref,
                "revisions": [
                    {
                        "revision": r,
                        "replaced": long_date(r.replaced_at),
                        "reason": services.note_text(r.reason, notes),
                        "source": services.citation(r.source),
                    }
                    for r in v.revisions.all()
                ],
            }
        )
    chart = _chart_data(ind, values, status, year)
    evaluations = [e for e in [status.primary, *status.others] if e]
    row = services.status_row(status)
    return render(
        request,
        "indicators/detail.html",
        {
            "region": region,
            "indicator": ind,
            "status": status,
            "row": row,
            "achievement": percent(
                status.primary.evaluation.achievement if status.primary else None, 1
            ),
            "values": rows,
            "undated": [r for r in rows if r["value"].year is None],
            "footnotes": notes_sources,
            "evaluations": [
                {
                    "e": e,
                    "target_text": target_text(e.target, e.evaluation.target, ind.decimals),
                    "achievement": percent(e.evaluation.achievement, 1),
                }
                for e in evaluations
            ],
            "chart": chart,
            "year": year,
            "asked_year": _asked_year(request),
            "parent": region.parent,
        },
    )


def _chart_data(
    ind: Indicator,
    values: list[IndicatorValue],
    status: services.IndicatorStatus,
    year: int,
) -> dict[str, Any]:
    """Series for the indicator chart: values (with CIs), target lines, projection band.

    Only annual values up to ``year`` are drawn (the page judges as of that
    year); ``has_data`` is false when there is none, and the page says so
    instead of drawing an empty frame. Numbers are shipped pre-formatted
    (``*_text``) with the one formatting rule, and the axis of a share or
    level starts at zero (``y_min``).
    """
    annual = [v for v in values if v.year and not v.quarter and not v.month and v.year <= year]
    evaluations = [e for e in [status.primary, *status.others] if e]
    targets = [e.target for e in evaluations]
    years = sorted({v.year for v in annual} | {t.year for t in targets if t.year}) if annual else []
    projection = status.primary.evaluation.projection if status.primary and annual else None
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
    decimals = ind.decimals
    target_lines: list[dict[str, Any]] = []
    for level in PlanLevel:
        for t in (t for t in targets if t.plan_level == level):
            if t.kind != TargetKind.LEVEL:
                continue  # a change target has no fixed level to draw
            target_lines.append(
                {
                    "label": _target_label(t),
                    "value": float(t.value),
                    "value_text": number(t.value, decimals),
                    "year": t.year,
                    "level": level.value,
                }
            )
    band = None
    if projection is not None:
        last = annual[-1]
        band = {
            "from_year": last.year,
            "from_value": float(last.value),
            "year": projection.year,
            "value": projection.value,
            "value_text": number(projection.value, decimals),
            "low": projection.low,
            "high": projection.high,
            "low_text": number(projection.low, decimals) if projection.low is not None else None,
            "high_text": number(projection.high, decimals) if projection.high is not None else None,
            "level": projection.level,
        }
    undated = [{"value": float(v.value), "note": v.note} for v in values if v.year is None]
    drawn = [float(v.value) for v in annual] + [t["value"] for t in target_lines]
    if band is not None:
        drawn += [band["value"]] + [x for x in (band["low"], band["high"]) if x is not None]
    non_negative = ind.unit in NON_NEGATIVE_UNITS and all(x >= 0 for x in drawn)
    level_pct = round(projection.level * 100) if projection is not None else 80
    return {
        "has_data": bool(annual),
        "locale": _chart_locale(),
        "labels": labels,
        "series": series,
        "series_text": [number(x, decimals) if x is not None else None for x in series],
        "ci": ci,
        "ci_text": [
            f"{number(c[0], decimals)}–{number(c[1], decimals)}" if c else None for c in ci
        ],
        "targets": target_lines,
        "projection": band,
        "undated": undated,
        "unit": unit_label(ind.unit),
        "name": ind.name,
        "decimals": decimals,
        "y_min": 0 if non_negative else None,
        "text": {
            "projection": str(_("Projection")),
            "interval": str(_("%(level)s%% prediction interval") % {"level": level_pct}),
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
    higher = ind.polarity == Polarity.HIGHER_IS_BETTER
    # The sub-regions are read fresh (names, active); their latest values once per change.
    codes = sorted(children)
    ranked, own = freshness.cached(
        "comparison",
        (ind.pk, parent_region.code, codes, year, policy.is_public, services.evaluation_settings()),
        [*freshness.indicator_scopes(parent_region.code), *(f"ind:{c}" for c in codes)],
        lambda: _ranked(ind, parent_region, codes, year, policy.is_public),
    )
    sources = services.footnotes(v.source for v in ranked)
    rows: list[dict[str, Any]] = [
        {
            "rank": i,
            "region": children[v.region_id],
            "value": v,
            "period": _period(v),
            "ref": ref,
        }
        for i, (v, ref) in enumerate(zip(ranked, sources.refs, strict=True), start=1)
    ]
    shown = {v.region_id for v in ranked}
    missing = [r for code, r in sorted(children.items()) if code not in shown]
    decimals = ind.decimals
    chart = {
        "locale": _chart_locale(),
        "decimals": decimals,
        "labels": [r["region"].name for r in rows],
        "values": [float(r["value"].value) for r in rows],
        "values_text": [number(r["value"].value, decimals) for r in rows],
        "errors": [r["value"].se for r in rows],
        "errors_text": [
            number(r["value"].se, 3) if r["value"].se is not None else None for r in rows
        ],
        "ci": [
            [r["value"].ci_low, r["value"].ci_high] if r["value"].ci_low is not None else None
            for r in rows
        ],
        "ci_text": [
            f"{number(r['value'].ci_low, decimals)}–{number(r['value'].ci_high, decimals)}"
            if r["value"].ci_low is not None
            else None
            for r in rows
        ],
        "x_min": 0 if all(float(r["value"].value) >= 0 for r in rows) else None,
        "unit": unit_label(ind.unit),
        "name": ind.name,
        "ci_label": str(_("95% CI")),
    }
    return render(
        request,
        "indicators/comparison.html",
        {
            "indicator": ind,
            "parent": parent_region,
            "rows": rows,
            "footnotes": sources,
            "all_synthetic": bool(rows) and all(r["value"].is_synthetic for r in rows),
            "missing": missing,
            "chart": chart,
            "year": year,
            "own": own,
            "own_period": _period(own.latest) if own.latest else "",
            "indicators": Indicator.objects.all(),
            "higher": higher,
        },
    )


def _ranked(
    ind: Indicator, parent: Region, codes: list[str], year: int, published_only: bool
) -> tuple[list[IndicatorValue], services.IndicatorStatus]:
    """Each sub-region's latest annual value up to ``year``, best first, and the parent's
    own evaluation."""
    latest: dict[str, IndicatorValue] = {}
    values: QuerySet[IndicatorValue] = IndicatorValue.objects.filter(
        indicator=ind,
        region_id__in=codes,
        year__lte=year,
        quarter__isnull=True,
        month__isnull=True,
    ).chronological()
    if published_only:
        values = services.published(values)
    for value in values:
        latest[value.region_id] = value  # chronological: the last one wins
    higher = ind.polarity == Polarity.HIGHER_IS_BETTER
    ranked = sorted(latest.values(), key=lambda v: float(v.value), reverse=higher)
    (own,) = services.region_statuses(parent, year, indicators=[ind], published_only=published_only)
    return ranked, own
