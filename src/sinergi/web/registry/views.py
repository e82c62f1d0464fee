"""Registry pages: releases and import reports, browser import, comparison, desa and
kecamatan profiles, the household browser and household page with the audited
NIK/KK reveal. Views look up, ask :class:`RegistryPolicy` and call the services and
the read queries of :mod:`sinergi.targeting.browse`; they hold no rule of their own."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sinergi.targeting import browse, schema
from sinergi.web.core.formatting import number
from sinergi.web.regions.models import Region
from sinergi.web.registry import services
from sinergi.web.registry.forms import (
    CompareForm,
    ImportForm,
    NumberSearchForm,
    RevealForm,
    upload_limit_mb,
)
from sinergi.web.registry.models import ImportReport, PMTModelVersion, Release
from sinergi.web.registry.policy import RegistryPolicy
from sinergi.web.registry.templatetags.registry import LABELS

PER_PAGE = 25
SHOWN_ERRORS = 500
COMPARE_ROWS = 200


# --- helpers ---------------------------------------------------------------------


def _policy(request: HttpRequest) -> RegistryPolicy:
    return RegistryPolicy.for_user(request.user)


def _login_or_403(request: HttpRequest, message: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(message)


def _release_dir(release: Release) -> Path:
    return services.release_dir(release)


def _scope(policy: RegistryPolicy) -> str | None:
    """The region code microdata queries are limited to (None: the whole release)."""
    return policy.microdata_scope()


def _visible_release(policy: RegistryPolicy, slug: str) -> Release:
    release = get_object_or_404(policy.releases(Release.objects.all()), slug=slug)
    if release.status != "ready":
        raise Http404("release not ready")
    return release


def _region_names(codes: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def _error_rows(errors: list[dict[str, Any]]) -> tuple[list[tuple[str, int]], list[dict[str, Any]]]:
    """Errors counted by reason (most frequent first) and the first rows to list."""
    by_reason: dict[str, int] = {}
    for e in errors:
        by_reason[e["reason"]] = by_reason.get(e["reason"], 0) + 1
    ranked = sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked, errors[:SHOWN_ERRORS]


def _report_context(report: ImportReport) -> dict[str, Any]:
    errors = list(report.errors or [])
    by_reason, shown = _error_rows(errors)
    return {
        "report": report,
        "counts": report.counts or {},
        "by_reason": by_reason,
        "errors": shown,
        "error_total": int((report.counts or {}).get("error_count", len(errors))),
        "errors_cut": int((report.counts or {}).get("error_count", len(errors))) > len(shown),
    }


# --- releases, import reports, comparison ---------------------------------------------


def release_list(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_view_registry:
        return _login_or_403(request, _("The registry is for officers with a registry role."))
    releases = list(
        policy.releases(Release.objects.all()).order_by("-reference_date", "-created_at")
    )
    reports = (
        policy.import_reports(ImportReport.objects.all())
        .select_related("release", "created_by")
        .order_by("-started_at")[:20]
        if policy.can_read_import_reports
        else []
    )
    ready = [(r.slug, r.name) for r in releases if r.status == "ready"]
    compare_form = CompareForm(releases=ready)
    if len(ready) >= 2:
        compare_form = CompareForm(initial={"new": ready[0][0], "old": ready[1][0]}, releases=ready)
    return render(
        request,
        "registry/releases.html",
        {
            "releases": releases,
            "reports": reports,
            "compare_form": compare_form,
            "can_compare": len(ready) >= 2 and policy.can_browse,
            "can_import": policy.can_import,
            "can_browse": policy.can_browse,
        },
    )


def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_read_import_reports:
        return _login_or_403(request, _("Import reports are for registry officers."))
    report = get_object_or_404(policy.import_reports(ImportReport.objects.all()), pk=pk)
    return render(request, "registry/report.html", _report_context(report))


@never_cache
def import_page(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_import:
        return _login_or_403(
            request, _("Only Bappeda administrators and Dinsos verifiers import releases.")
        )
    context: dict[str, Any] = {"max_mb": number(upload_limit_mb(), 0)}
    # Two files of at most the limit each: a body larger than that is refused unread.
    body = int(request.META.get("CONTENT_LENGTH") or 0)
    if request.method == "POST" and body > 2 * upload_limit_mb() * 1024 * 1024 + 64 * 1024:
        context["form"] = ImportForm()
        context["refused"] = _(
            "The files are larger than %(mb)s MB each; import them from the command line instead."
        ) % {"mb": context["max_mb"]}
        return render(request, "registry/import.html", context, status=413)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tmp_root = Path(settings.DATA_DIR) / "tmp"
        tmp_root.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="registry-upload-", dir=tmp_root))
        try:
            paths = []
            for field in ("households", "members"):
                upload = data[field]
                target = workdir / (field + Path(upload.name).suffix.lower())
                with target.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                paths.append(target)
            release, report = services.import_release(
                paths[0],
                paths[1],
                name=data["name"],
                reference_date=data["reference_date"],
                region_code=policy.import_region_code,
                user=request.user,
                valid_only=data["valid_only"],
                dry_run=data["dry_run"],
            )
        except services.ImportRefused as exc:
            form.add_error(None, str(exc))
            release, report = None, None
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        if report is not None:
            context.update(_report_context(report))
            context.update({"release": release, "dry_run": data["dry_run"]})
    context["form"] = form
    return render(request, "registry/import.html", context)


def compare(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_browse:
        return _login_or_403(request, _("Comparing releases is for registry officers."))
    releases = list(
        policy.releases(Release.objects.filter(status="ready")).order_by("-reference_date")
    )
    form = CompareForm(request.GET or None, releases=[(r.slug, r.name) for r in releases])
    context: dict[str, Any] = {"form": form}
    if request.GET and form.is_valid():
        by_slug = {r.slug: r for r in releases}
        old, new = by_slug[form.cleaned_data["old"]], by_slug[form.cleaned_data["new"]]
        result = services.compare(old, new, scope=_scope(policy), limit=COMPARE_ROWS)
        context.update({"old": old, "new": new, "result": result})
        codes = {c.old_desa for c in result.changes if c.old_desa} | {
            c.new_desa for c in result.changes if c.new_desa
        }
        context["names"] = _region_names(codes)
    return render(request, "registry/compare.html", context)


# --- profiles ------------------------------------------------------------------------


def _chart(profile: browse.AreaProfile) -> dict[str, Any]:
    """Chart data for charts.js-style drawing: values and their formatted texts."""
    return {
        "labels": [str(c.decile) for c in profile.deciles],
        "households": [c.households for c in profile.deciles],
        "persons": [c.persons for c in profile.deciles],
        "households_text": [
            number(c.households, 0) if c.households is not None else _("hidden")
            for c in profile.deciles
        ],
        "persons_text": [
            number(c.persons, 0) if c.persons is not None else _("hidden") for c in profile.deciles
        ],
        "text": {"households": _("Households"), "persons": _("Persons"), "decile": _("Decile")},
        "locale": "id-ID" if (get_language() or "id").startswith("id") else "en",
    }


def profile(request: HttpRequest, slug: str, code: str | None = None) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_view_profiles:
        return _login_or_403(request, _("Registry profiles are not published."))
    release = _visible_release(policy, slug)
    region_code = code or policy.profile_region_code(release)
    if not policy.can_view_profile(release, region_code):
        raise Http404("area outside scope")
    region = get_object_or_404(Region, code=region_code)
    # Officers who may browse an area's households see its counts whole.
    threshold = 1 if policy.can_browse_area(region_code) else policy.small_cell_threshold
    try:
        data = browse.area_profile(_release_dir(release), region_code, threshold=threshold)
    except browse.BrowseError:
        data = None
    children = list(
        Region.objects.filter(parent_id=region_code).order_by("code").values_list("code", "name")
    )
    ancestors = []
    parent = region.parent
    while parent is not None and policy.can_view_profile(release, parent.code):
        ancestors.insert(0, parent)
        parent = parent.parent
    indicators = []
    if data is not None:
        for ind in data.indicators:
            indicators.append(
                {
                    "label": LABELS["indicator"][ind.key],
                    "households": ind.households,
                    "share": None if ind.share is None else ind.share * 100,
                }
            )
    return render(
        request,
        "registry/profile.html",
        {
            "release": release,
            "region": region,
            "ancestors": ancestors,
            "children": children,
            "profile": data,
            "indicators": indicators,
            "chart": _chart(data) if data is not None else None,
            "threshold": threshold,
            "suppressed": threshold > 1,
            "can_browse": policy.can_browse and policy.can_browse_area(region_code),
        },
    )


# --- browser and household page ---------------------------------------------------


@never_cache
def browser(request: HttpRequest, slug: str) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_browse:
        return _login_or_403(request, _("The household browser is for registry officers."))
    release = _visible_release(policy, slug)
    number_form = NumberSearchForm(request.POST or None)
    if request.method == "POST" and number_form.is_valid():
        # The clear number is hashed at once and only the keyed hash goes on.
        digest = services.pseudonymiser().hash(number_form.cleaned_data["number"])
        kind = number_form.cleaned_data["kind"]
        url = reverse("registry-browse", args=[slug]) + "?" + urlencode({kind: digest})
        return redirect(url)
    name = (request.GET.get("nama") or "").strip()
    kk_hash = request.GET.get("kk") or None
    nik_hash = request.GET.get("nik") or None
    desa = request.GET.get("desa") or None
    try:
        page_no = max(1, int(request.GET.get("hal", "1")))
    except ValueError:
        page_no = 1
    scope = _scope(policy)
    try:
        result = browse.search(
            _release_dir(release),
            name=name or None,
            kk_hash=kk_hash,
            nik_hash=nik_hash,
            desa_code=desa,
            scope=scope,
            page=page_no,
            per_page=PER_PAGE,
        )
    except browse.BrowseError:
        result = browse.SearchPage([], 0, 1, PER_PAGE)
    names = _region_names(
        {r.desa_code for r in result.rows} | {r.kecamatan_code for r in result.rows}
    )
    desa_choices = [
        (c, n)
        for c, n in Region.objects.filter(level="village")
        .filter(code__in=browse.desa_codes(_release_dir(release), scope))
        .order_by("code")
        .values_list("code", "name")
    ]
    keep = {
        k: v for k, v in (("nama", name), ("kk", kk_hash), ("nik", nik_hash), ("desa", desa)) if v
    }
    return render(
        request,
        "registry/browse.html",
        {
            "release": release,
            "result": result,
            "names": names,
            "name": name,
            "by_number": bool(kk_hash or nik_hash),
            "desa": desa,
            "desa_choices": desa_choices,
            "number_form": number_form,
            "query": urlencode(keep),
            "scope_region": Region.objects.filter(code=scope).first() if scope else None,
        },
    )


def _household_context(
    request: HttpRequest, policy: RegistryPolicy, release: Release, household_id: str
) -> dict[str, Any]:
    scope = _scope(policy)
    try:
        hh = browse.household(_release_dir(release), household_id, scope=scope)
    except browse.BrowseError as exc:
        raise Http404("household not found") from exc
    others = list(
        policy.releases(Release.objects.filter(status="ready")).order_by("reference_date")
    )
    history = browse.history([(r.name, _release_dir(r)) for r in others], hh.kk_hash)
    names = _region_names({hh.desa_code, hh.kecamatan_code} | {e.desa_code for e in history})
    assets = [(LABELS["column"][k], hh.characteristics.get(k)) for k in schema.ASSETS]
    housing = [
        (
            LABELS["column"][k],
            LABELS[k].get(str(hh.characteristics.get(k)), hh.characteristics.get(k)),
        )
        for k in schema.HOUSING
    ]
    return {
        "release": release,
        "hh": hh,
        "history": history,
        "names": names,
        "assets": assets,
        "housing": housing,
        "can_reveal": policy.can_reveal,
        "reveal_form": RevealForm(),
        # The model is named by when it was fitted, not by its version code.
        "model": PMTModelVersion.objects.filter(version=hh.model_version).first()
        if hh.model_version
        else None,
    }


@never_cache
def household(request: HttpRequest, slug: str, household_id: str) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_browse:
        return _login_or_403(request, _("Household pages are for registry officers."))
    release = _visible_release(policy, slug)
    return render(
        request,
        "registry/household.html",
        _household_context(request, policy, release, household_id),
    )


@require_POST
@never_cache
def reveal(request: HttpRequest, slug: str, household_id: str) -> HttpResponse:
    """Show one NIK (or the KK) in clear once, in this response only; audited."""
    policy = _policy(request)
    if not policy.can_reveal:
        raise PermissionDenied(_("Your role may not see full NIK or KK numbers."))
    release = _visible_release(policy, slug)
    context = _household_context(request, policy, release, household_id)
    form = RevealForm(request.POST)
    if not form.is_valid():
        context["reveal_form"] = form
        context["reveal_error"] = True
        response = render(request, "registry/household.html", context, status=400)
    else:
        member = form.cleaned_data["member"]
        hh = context["hh"]
        target = (
            None if member == "kk" else next((m for m in hh.members if m.nik_hash == member), None)
        )
        if member != "kk" and target is None:
            raise Http404("member not found")
        clear = services.reveal(
            release,
            hh.household_id,
            nik_hash=None if target is None else target.nik_hash,
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
        context["revealed"] = {
            "member": member,
            "number": clear,
            "name": target.full_name if target is not None else None,
        }
        response = render(request, "registry/household.html", context)
    response["Cache-Control"] = "no-store"
    return response


__all__ = [
    "browser",
    "compare",
    "household",
    "import_page",
    "import_report",
    "profile",
    "release_list",
    "reveal",
]
