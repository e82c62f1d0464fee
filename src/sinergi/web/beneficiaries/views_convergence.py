"""Convergence pages under /sasaran/: the dashboard of a release (regency, kecamatan and
desa), the province view and the field-verification downloads.

Views look up, ask :class:`BeneficiaryPolicy` and read :mod:`analysis`; the figures
come from :mod:`sinergi.targeting.convergence`, the small-cell rule from
:mod:`sinergi.targeting.browse`. Nothing here counts on its own.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from sinergi.web.beneficiaries import analysis as an
from sinergi.web.beneficiaries import exports
from sinergi.web.beneficiaries.models import Programme
from sinergi.web.beneficiaries.policy import BeneficiaryPolicy
from sinergi.web.core.formatting import percent
from sinergi.web.regions.models import COUNTRY_CODE, Level, Region
from sinergi.web.registry.models import Release, ReleaseStatus

RANKED_DESA = 20
METRICS = ("coverage", "exclusion_error", "inclusion_error", "cgh")


# --- helpers ----------------------------------------------------------------------------


def _policy(request: HttpRequest) -> BeneficiaryPolicy:
    return BeneficiaryPolicy.for_user(request.user)


def _require_viewer(request: HttpRequest, policy: BeneficiaryPolicy) -> None:
    if not policy.can_view_convergence:
        if not request.user.is_authenticated:
            raise _LoginNeeded
        raise PermissionDenied(_("Convergence figures are for signed-in officers."))


class _LoginNeeded(Exception):
    pass


def _within(code: str, area: str) -> bool:
    return area == COUNTRY_CODE or code == area or code.startswith(area + ".")


def threshold(policy: BeneficiaryPolicy, area_code: str) -> int:
    """The small-cell threshold of an area for this reader: officers who may browse the
    area's households see its counts whole, the others as published aggregates."""
    if policy.registry.can_browse_area(area_code):
        return 1
    return policy.small_cell_threshold


def _ready_releases() -> Any:
    # Convergence figures are aggregates: every officer sees those of every ready release.
    return Release.objects.filter(status=ReleaseStatus.READY).select_related("region")


def _release(slug: str) -> Release:
    release: Release = get_object_or_404(_ready_releases(), slug=slug)
    return release


def _default_release(policy: BeneficiaryPolicy) -> Release | None:
    scope = policy.scope
    home = str(settings.SINERGI_HOME_REGION)
    regency = ".".join(scope.split(".")[:2]) if scope and scope.count(".") >= 1 else home
    releases = list(_ready_releases().order_by("-reference_date", "-created_at"))
    for release in releases:
        if _within(regency, release.region_id) or _within(release.region_id, regency):
            return release  # type: ignore[no-any-return]
    return releases[0] if releases else None


def _k(request: HttpRequest) -> int | None:
    try:
        k = int(request.GET.get("k", ""))
    except ValueError:
        return None
    return k if 1 <= k <= 10 else None


def _locale() -> str:
    return "id-ID" if (get_language() or "id").startswith("id") else "en"


def _pct_text(value: Any) -> str:
    return _("hidden") if value is None else percent(value)


def _run_url(run: Any) -> str | None:
    """The matching run's page, where its unmatched and open rows are listed."""
    try:
        return reverse("beneficiaries-run", args=[run.pk])
    except NoReverseMatch:  # the lists pages are not installed
        return None


def _names(codes: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


# --- dashboard ----------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """Opens the dashboard of the newest release of the user's regency."""
    policy = _policy(request)
    try:
        _require_viewer(request, policy)
    except _LoginNeeded:
        return redirect_to_login(request.get_full_path())
    release = _default_release(policy)
    if release is None:
        return render(request, "beneficiaries/convergence_none.html", {})
    return redirect("convergence-release", slug=release.slug)


def _area_links(release: Release, region: Region) -> tuple[list[Region], list[tuple[str, str]]]:
    ancestors: list[Region] = []
    parent = region.parent
    while parent is not None and _within(parent.code, release.region_id):
        ancestors.insert(0, parent)
        parent = parent.parent
    children = [
        (c, n)
        for c, n in Region.objects.filter(parent_id=region.code)
        .order_by("name")
        .values_list("code", "name")
    ]
    return ancestors, children


def dashboard_context(
    policy: BeneficiaryPolicy, release: Release, region: Region, k: int | None, chosen: str | None
) -> dict[str, Any]:
    """Everything the dashboard shows for one area (and the convergence XLSX writes)."""
    a = an.analysis(release, k=k).prepare()
    code = region.code
    column = an.area_column(code)
    t = threshold(policy, code)
    programmes = a.by_code()
    own = a.area(code)
    group = a.area(code, group=True)
    unmatched = a.unmatched_rows()
    manageable = set(
        policy.managed_programmes(Programme.objects.filter(code__in=list(programmes))).values_list(
            "code", flat=True
        )
    )
    table: list[dict[str, Any]] = []
    for p in a.programmes:
        row = own.get(p.code)
        m = an.metrics(row, t) if row else None
        g = an.metrics(group[p.code], t) if p.code in group else None
        table.append(
            {
                "code": p.code,
                "name": p.programme.name,
                "owner": str(p.programme.owner),
                "rule": a.rules[p.code],
                "own_rule": p.rule,
                "m": m,
                "group": g,
                "unmatched": unmatched.get(p.code, 0),
                "unranked": a.unranked_rows.get(p.code, 0),
                "list": p.run.beneficiary_list,
                "list_url": _run_url(p.run) if p.code in manageable else None,
                "synthetic": p.is_synthetic,
            }
        )
    chart = {
        "labels": [r["name"] for r in table],
        "coverage": [_float(r["group"].coverage if r["group"] else None) for r in table],
        "coverage_text": [_pct_text(r["group"].coverage if r["group"] else None) for r in table],
        "inclusion": [_float(r["m"].inclusion_error if r["m"] else None) for r in table],
        "inclusion_text": [_pct_text(r["m"].inclusion_error if r["m"] else None) for r in table],
        "exclusion": [_float(r["m"].exclusion_error if r["m"] else None) for r in table],
        "exclusion_text": [_pct_text(r["m"].exclusion_error if r["m"] else None) for r in table],
        "text": {
            "coverage": _("Coverage of decile 1-4"),
            "inclusion": _("Inclusion error"),
            "exclusion": _("Exclusion error"),
            "percent": _("percent"),
        },
        "locale": _locale(),
    }
    # Overlap: households on both lists (a cell hidden when small for this reader).
    pairs = a.overlap_pairs(code)
    overlap = []
    for pa_ in table:
        size = pairs.get((pa_["code"], pa_["code"]), 0)
        cells = []
        for pb in table:
            n = pairs.get((pa_["code"], pb["code"]), 0)
            shown = an.shown_count(n, t)
            share = None if shown is None or not size else an.pct(n / size)
            cells.append(
                {
                    "households": shown,
                    "share": share,
                    "heat": _heat(share),
                    "diagonal": pa_["code"] == pb["code"],
                    "other": pb["name"],
                }
            )
        overlap.append({"name": pa_["name"], "cells": cells})
    # Desa ranking of the exclusion error of one programme.
    ruled = [r for r in table if r["rule"] is not None]
    chosen_code = (
        chosen if chosen in {r["code"] for r in ruled} else (ruled[0]["code"] if ruled else None)
    )
    ranking: list[dict[str, Any]] = []
    if chosen_code is not None:
        shown_rows = []
        for r in a.desa_rows(chosen_code, code):
            m = an.metrics(r, threshold(policy, r["desa_code"]))
            shown_rows.append((r["desa_code"], m))
        shown_rows.sort(
            key=lambda cm: (cm[1].exclusion_error is None, -(cm[1].exclusion_error or 0), cm[0])
        )
        names = _names({c for c, _m in shown_rows[:RANKED_DESA]})
        ranking = [
            {"code": c, "name": names.get(c, c), "m": m} for c, m in shown_rows[:RANKED_DESA]
        ]
        ranking_total = len(shown_rows)
    else:
        ranking_total = 0
    ranking_chart = {
        "labels": [r["name"] for r in ranking],
        "values": [_float(r["m"].exclusion_error) for r in ranking],
        "values_text": [_pct_text(r["m"].exclusion_error) for r in ranking],
        "text": {"exclusion": _("Exclusion error"), "percent": _("percent")},
        "locale": _locale(),
    }
    area_households = an.shown_count(
        next(iter(own.values()))["households"] if own else _area_households(a, column, code), t
    )
    return {
        "analysis": a,
        "release": release,
        "region": region,
        "k": k,
        "table": table,
        "chart": chart,
        "overlap": overlap,
        "ranking": ranking,
        "ranking_total": ranking_total,
        "ranking_chart": ranking_chart,
        "chosen": chosen_code,
        "chosen_name": a.by_code()[chosen_code].programme.name if chosen_code else None,
        "ruled": ruled,
        "threshold": t,
        "suppressed": t > 1,
        "synthetic": a.is_synthetic,
        "decile_source": a.registry.decile_source,
        "unranked_households": a.registry.unranked_households,
        "area_households": area_households,
        "target_k": an.TARGET_GROUP_K,
        "any_unranked": any(r["unranked"] for r in table),
    }


def _area_households(a: an.Analysis, column: str, code: str) -> int:
    reg = a.registry.table
    import pyarrow.compute as pc

    return int(pc.sum(pc.equal(reg.column(column), code)).as_py() or 0)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _heat(share: Any) -> int:
    """A shade 0..5 of the overlap cell by the share of the row programme's households."""
    if share is None:
        return 0
    return min(5, int(float(share) // 20) + (1 if float(share) > 0 else 0))


def dashboard(request: HttpRequest, slug: str, code: str | None = None) -> HttpResponse:
    policy = _policy(request)
    try:
        _require_viewer(request, policy)
    except _LoginNeeded:
        return redirect_to_login(request.get_full_path())
    release = _release(slug)
    code = code or release.region_id
    if not _within(code, release.region_id):
        raise Http404("area outside the release")
    region = get_object_or_404(Region, code=code)
    k = _k(request)
    context = dashboard_context(policy, release, region, k, request.GET.get("program") or None)
    ancestors, children = _area_links(release, region)
    keep = {key: v for key, v in (("k", k), ("program", context["chosen"])) if v}
    household_scope = _household_scope(policy)
    can_export = region.level in (Level.DISTRICT, Level.VILLAGE) and (
        household_scope is None
        or (isinstance(household_scope, str) and _within(code, household_scope))
    )
    context.update(
        {
            "ancestors": ancestors,
            "children": children,
            "child_level": Level.VILLAGE if region.level == Level.DISTRICT else Level.DISTRICT,
            "query": urlencode(keep),
            "k_choices": range(1, 11),
            "releases": list(_ready_releases().order_by("-reference_date")),
            "can_export": can_export,
            "export_query": urlencode({"wilayah": code, **({"k": str(k)} if k else {})}),
            "table_query": urlencode({"k": str(k)} if k else {}),
        }
    )
    return render(request, "beneficiaries/convergence_dashboard.html", context)


def _household_scope(policy: BeneficiaryPolicy) -> str | bool | None:
    """The household scope, or ``False`` for a reader who may not see households."""
    try:
        return policy.household_scope()
    except PermissionDenied:
        return False


# --- province view ---------------------------------------------------------------------------


def province(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Every regency of a province side by side: one figure per regency and programme."""
    policy = _policy(request)
    try:
        _require_viewer(request, policy)
    except _LoginNeeded:
        return redirect_to_login(request.get_full_path())
    code = code or str(settings.SINERGI_HOME_REGION).split(".")[0]
    region = get_object_or_404(Region, code=code, level=Level.PROVINCE)
    metric = request.GET.get("ukuran", "coverage")
    if metric not in METRICS:
        metric = "coverage"
    regencies = list(Region.objects.filter(parent_id=code).order_by("name"))
    releases = list(
        _ready_releases()
        .filter(region__code__startswith=code + ".")
        .order_by("-reference_date", "-created_at")
    )
    rows = []
    without = []
    columns: dict[str, str] = {}
    for regency in regencies:
        release = next(
            (
                r
                for r in releases
                if _within(r.region_id, regency.code) or r.region_id == regency.code
            ),
            None,
        )
        if release is None:
            without.append(regency)
            continue
        a = an.analysis(release)
        t = threshold(policy, regency.code)
        cells: dict[str, Any] = {}
        households = None
        for r in a.area(regency.code).values():
            m = an.metrics(r, t)
            households = m.households
            name = a.by_code()[r["programme"]].programme.name
            columns.setdefault(r["programme"], name)
            cells[r["programme"]] = m
        rows.append(
            {
                "region": regency,
                "release": release,
                "households": households,
                "cells": cells,
                "synthetic": a.is_synthetic,
                "decile_source": a.registry.decile_source,
            }
        )
    ordered = sorted(columns.items(), key=lambda kv: kv[1])
    for row in rows:
        row["values"] = [
            {"m": row["cells"].get(c), "value": _metric(row["cells"].get(c), metric)}
            for c, _n in ordered
        ]
    return render(
        request,
        "beneficiaries/convergence_province.html",
        {
            "region": region,
            "rows": rows,
            "columns": ordered,
            "without": without,
            "metric": metric,
            "metric_choices": [(m, _metric_label(m)) for m in METRICS],
            "metric_label": _metric_label(metric),
            "synthetic": any(r["synthetic"] for r in rows),
            "suppressed": any(threshold(policy, r["region"].code) > 1 for r in rows),
            "threshold": policy.small_cell_threshold,
        },
    )


def _metric(m: an.Metrics | None, metric: str) -> Any:
    if m is None:
        return None
    return getattr(m, metric)


def _metric_label(metric: str) -> str:
    return {
        "coverage": _("Coverage"),
        "exclusion_error": _("Exclusion error"),
        "inclusion_error": _("Inclusion error"),
        "cgh": _("CGH indicator"),
    }[metric]


# --- downloads -------------------------------------------------------------------------------


def _export_area(request: HttpRequest, policy: BeneficiaryPolicy, release: Release) -> Region:
    """The desa or kecamatan of a household download, inside the reader's scope."""
    scope = policy.household_scope()  # PermissionDenied for aggregate-only readers
    code = request.GET.get("wilayah") or ""
    region = Region.objects.filter(code=code, level__in=(Level.DISTRICT, Level.VILLAGE)).first()
    if region is None or not _within(code, release.region_id):
        raise Http404("choose a desa or kecamatan of the release")
    if scope is not None and not _within(code, scope):
        raise PermissionDenied(_("This area is outside the area you may see households of."))
    return region


def _xlsx(handle: Any, name: str) -> FileResponse:
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=exports.XLSX_MIME,
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def export_unreached(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Eligible households no programme reaches (or one programme does not), as XLSX."""
    policy = _policy(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    release = _release(slug)
    region = _export_area(request, policy, release)
    a = an.analysis(release)
    code = request.GET.get("program") or None
    if code is not None and code not in a.by_code():
        raise Http404("no matched list of that programme")
    k = _k(request)
    if code is not None and k is None and a.by_code()[code].rule is None:
        k = an.TARGET_GROUP_K
    handle = exports.unreached_xlsx(a, region, programme=code, k=k, user=request.user)
    return _xlsx(handle, exports.file_name("belum-terjangkau", release, region))


@never_cache
def export_well_off(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Households in decile 7 or above that receive several programmes, as XLSX."""
    policy = _policy(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    release = _release(slug)
    region = _export_area(request, policy, release)
    handle = exports.well_off_xlsx(an.analysis(release), region, user=request.user)
    return _xlsx(handle, exports.file_name("desil-atas-banyak-program", release, region))


@never_cache
def export_table(request: HttpRequest, slug: str, code: str | None = None) -> HttpResponseBase:
    """The dashboard's programme table as XLSX: the same figures, rounding and hidden cells."""
    policy = _policy(request)
    try:
        _require_viewer(request, policy)
    except _LoginNeeded:
        return redirect_to_login(request.get_full_path())
    release = _release(slug)
    code = code or release.region_id
    if not _within(code, release.region_id):
        raise Http404("area outside the release")
    region = get_object_or_404(Region, code=code)
    context = dashboard_context(policy, release, region, _k(request), None)
    handle = exports.convergence_xlsx(context)
    return _xlsx(handle, exports.file_name("konvergensi", release, region))


__all__ = [
    "dashboard",
    "dashboard_context",
    "export_table",
    "export_unreached",
    "export_well_off",
    "home",
    "province",
]
