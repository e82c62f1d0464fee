"""Set-up pages of performance indicators (targets, cascade) and non-APBD proposals.

Views look up, ask :class:`~sinergi.web.programs.policy.MonevPolicy` (the rules the API
uses) and call :mod:`sinergi.web.programs.services_perf`; they hold no rules.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from sinergi.web.accounts.models import Agency
from sinergi.web.core.lists import import_page, keep_typed, list_page, stale_changes
from sinergi.web.indicators.services import ConflictError
from sinergi.web.programs.choices import IndicatorLevel, Polarity
from sinergi.web.programs.forms_perf import (
    PerformanceIndicatorFilter,
    PerformanceIndicatorForm,
    ProposalFilter,
    ProposalForm,
    ProposalStatusForm,
)
from sinergi.web.programs.models import Activity, NonApbdProposal, PerformanceIndicator
from sinergi.web.programs.policy import MonevPolicy
from sinergi.web.programs.services_perf import (
    cascade,
    indicator_years,
    save_indicator,
    save_proposal,
    set_rkpd_status,
)
from sinergi.web.programs.tables_perf import (
    PerformanceIndicatorSheet,
    PerformanceIndicatorTable,
    ProposalSheet,
    ProposalTable,
)
from sinergi.web.programs.views import _need_details
from sinergi.web.regions.models import Region


def _reader(request: HttpRequest, region_code: str) -> tuple[MonevPolicy, HttpResponse | None]:
    """The user's policy; the public goes to the login page, a role outside the region gets
    403 (the monev pages' rule)."""
    policy = MonevPolicy.for_user(request.user)
    return policy, _need_details(request, policy, region_code)


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404("no such year")
    return year


def _add_errors(form: Any, exc: ValidationError) -> None:
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for name, errors in items:
        form.add_error(name if name in form.fields else None, errors)


def _next_url(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return wanted
    return fallback


def _list_crumbs(region: Region) -> list[dict[str, str]]:
    return [
        {"url": reverse("region-dashboard", args=[region.code]), "label": region.name},
    ]


# --- performance indicators --------------------------------------------------------------------


def indicator_list(request: HttpRequest, code: str) -> HttpResponse:
    """Outcomes and outputs of a year: filter, search, sort, export and import."""
    region = get_object_or_404(Region, code=code)
    policy, refused = _reader(request, region.code)
    if refused is not None:
        return refused
    years = indicator_years(region)
    data = request.GET.copy()
    if "year" not in data and years:
        data["year"] = str(years[0])
    filterset = PerformanceIndicatorFilter(
        data,
        queryset=PerformanceIndicator.objects.filter(region=region).select_related(
            "programme", "agency", "activity", "serves", "regional_indicator"
        ),
        region=region,
        years=years,
    )
    chosen = str(data.get("year", ""))
    year = int(chosen) if chosen.isdigit() else None
    can_plan = policy.can_plan(region.code)
    return list_page(
        request,
        title=_("Performance indicators · %(region)s") % {"region": region.name},
        intro=_(
            "Programme outcomes and activity outputs with their year and quarterly targets, and "
            "the regional indicator each is meant to move."
        ),
        table_class=PerformanceIndicatorTable,
        filterset=filterset,
        sheet=PerformanceIndicatorSheet(request.user, policy, region=region),
        create_url=reverse("plan-perf-create", args=[region.code, year])
        if can_plan and year
        else None,
        create_label=_("Add an indicator"),
        import_url=reverse("plan-perf-import", args=[region.code]) if can_plan else None,
        template="programs/perf/indicator_list.html",
        extra={
            "crumbs": _list_crumbs(region),
            "cascade_url": reverse("plan-cascade", args=[region.code, year]) if year else None,
            "year": year,
        },
    )


def _indicator_form_page(
    request: HttpRequest,
    *,
    region: Region,
    year: int,
    obj: PerformanceIndicator | None,
    initial: dict[str, Any],
    back_url: str,
    activity: Activity | None = None,
) -> HttpResponse:
    policy, refused = _reader(request, region.code)
    if refused is not None:
        return refused
    can_write = policy.can_plan(region.code)
    conflict = None
    status = 200
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied(_("Only Bappeda sets performance indicators."))
        form = PerformanceIndicatorForm(request.POST, region=region, year=year, instance=obj)
        if obj is not None:
            form.fields["version"].required = True
        if form.is_valid():
            try:
                saved = save_indicator(
                    obj,
                    request.user,
                    region=region,
                    year=year,
                    values=form.values(),
                    version=form.cleaned_data["version"],
                )
            except ConflictError:
                stored = PerformanceIndicator.objects.get(pk=obj.pk)  # type: ignore[union-attr]
                conflict = stale_changes(form, stored)
                keep_typed(form, stored.version)
                status = 409
            except ValidationError as exc:
                _add_errors(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    (
                        _("Indicator “%(name)s” added.")
                        if obj is None
                        else _("Indicator “%(name)s” saved.")
                    )
                    % {"name": saved.name},
                )
                return redirect(_next_url(request, back_url))
        else:
            status = 400
    else:
        form = PerformanceIndicatorForm(initial=initial, region=region, year=year, instance=obj)
    if not can_write:
        for field in form.fields.values():
            field.disabled = True
    title = (
        _("New performance indicator (%(year)s)") % {"year": year}
        if obj is None
        else _("Performance indicator: %(name)s") % {"name": obj.name}
    )
    return render(
        request,
        "programs/perf/indicator_form.html",
        {
            "title": title,
            "region": region,
            "year": year,
            "obj": obj,
            "activity": activity,
            "form": form,
            "conflict": conflict,
            "can_write": can_write,
            "back_url": back_url,
            "next": _next_url(request, ""),
            "list_url": reverse("plan-perf-list", args=[region.code]) + f"?year={year}",
            "cascade_url": reverse("plan-cascade", args=[region.code, year]),
        },
        status=status,
    )


def indicator_create(request: HttpRequest, code: str, year: int) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    _year(year)
    level = request.GET.get("level")
    initial = {
        "level": level if level in IndicatorLevel.values else IndicatorLevel.OUTCOME,
        "polarity": Polarity.HIGHER,
        "additive": level == IndicatorLevel.OUTPUT,
    }
    return _indicator_form_page(
        request,
        region=region,
        year=year,
        obj=None,
        initial=initial,
        back_url=reverse("plan-perf-list", args=[region.code]) + f"?year={year}",
    )


def indicator_create_for_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an output indicator to an activity (level and activity filled in)."""
    activity = get_object_or_404(Activity.objects.select_related("region", "agency"), pk=pk)
    return _indicator_form_page(
        request,
        region=activity.region,
        year=activity.year,
        obj=None,
        initial={
            "level": IndicatorLevel.OUTPUT,
            "activity": activity.pk,
            "polarity": Polarity.HIGHER,
            "additive": True,
        },
        back_url=reverse("monev-activity", args=[activity.pk]),
        activity=activity,
    )


def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(PerformanceIndicator.objects.select_related("region"), pk=pk)
    return _indicator_form_page(
        request,
        region=obj.region,
        year=obj.year,
        obj=obj,
        initial=PerformanceIndicatorForm.initial_of(obj),
        back_url=reverse("plan-perf-list", args=[obj.region_id]) + f"?year={obj.year}",
    )


def indicator_import(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    policy, refused = _reader(request, region.code)
    if refused is not None:
        return refused
    if not policy.can_plan(region.code):
        raise PermissionDenied(_("Only Bappeda sets performance indicators."))
    return import_page(
        request,
        PerformanceIndicatorSheet(request.user, policy, region=region),
        back_url=reverse("plan-perf-list", args=[region.code]),
    )


def cascade_view(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Regional indicator -> outcomes -> outputs -> activities, and what nothing moves."""
    region = get_object_or_404(Region, code=code)
    _year(year)
    policy, refused = _reader(request, region.code)
    if refused is not None:
        return refused
    tree = cascade(region, year)
    years = indicator_years(region)
    return render(
        request,
        "programs/perf/cascade.html",
        {
            "region": region,
            "year": year,
            "tree": tree,
            "years": years,
            "can_plan": policy.can_plan(region.code),
            "list_url": reverse("plan-perf-list", args=[region.code]) + f"?year={year}",
        },
    )


# --- non-APBD proposals ------------------------------------------------------------------------


def _proposal_agencies(policy: MonevPolicy, region: Region) -> Any:
    """The agencies the user may propose for: all of the region for Bappeda, its own for an OPD."""
    agencies = Agency.objects.filter(region=region).order_by("name")
    return [a for a in agencies if policy.can_propose(region.code, a.pk)]


def _agency_queryset(policy: MonevPolicy, region: Region) -> Any:
    allowed = [a.pk for a in _proposal_agencies(policy, region)]
    return Agency.objects.filter(pk__in=allowed).order_by("name")


def proposal_list(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    policy, refused = _reader(request, region.code)
    if refused is not None:
        return refused
    rows = NonApbdProposal.objects.filter(region=region).select_related("agency")
    years = sorted(set(rows.values_list("rkpd_year", flat=True)), reverse=True)
    filterset = ProposalFilter(request.GET or None, queryset=rows, region=region, years=years)
    may_propose = bool(_proposal_agencies(policy, region))
    return list_page(
        request,
        title=_("Non-APBD proposals · %(region)s") % {"region": region.name},
        intro=_(
            "Plans the APBD cannot fund, proposed for the non-APBD RKPD with another financing "
            "scheme. An agency proposes for itself; Bappeda for any agency and sets the RKPD status."
        ),
        table_class=ProposalTable,
        template="programs/perf/proposal_list.html",
        filterset=filterset,
        sheet=ProposalSheet(request.user, policy, region=region),
        create_url=reverse("plan-proposal-create", args=[region.code]) if may_propose else None,
        create_label=_("Add a proposal"),
        import_url=reverse("plan-proposal-import", args=[region.code]) if may_propose else None,
        extra={
            "crumbs": [
                *_list_crumbs(region),
                {
                    "url": reverse("monev-proposals", args=[region.code]),
                    "label": _("Monev"),
                },
            ],
        },
    )


def _proposal_page(
    request: HttpRequest, region: Region, obj: NonApbdProposal | None
) -> HttpResponse:
    policy, refused = _reader(request, region.code)
    if refused is not None:
        return refused
    agencies = _agency_queryset(policy, region)
    can_write = (
        policy.can_propose(region.code, obj.agency_id) if obj is not None else agencies.exists()
    )
    can_status = obj is not None and policy.can_set_rkpd_status(region.code)
    back_url = reverse("plan-proposals", args=[region.code])
    conflict = status_conflict = None
    code = 200
    initial = ProposalForm.initial_of(obj) if obj is not None else {}
    if obj is None:
        initial["rkpd_year"] = timezone.localdate().year + 1  # the RKPD being drafted
        if agencies.count() == 1:
            initial["agency"] = agencies.first().pk
    form = ProposalForm(initial=initial, region=region, agencies=agencies)
    status_form = (
        ProposalStatusForm(
            initial={"status": obj.status, "status_note": obj.status_note, "version": obj.version}
        )
        if obj is not None
        else None
    )
    if request.method == "POST" and request.POST.get("form") == "status":
        if not can_status:
            raise PermissionDenied(_("Only Bappeda sets the RKPD status."))
        assert obj is not None
        status_form = ProposalStatusForm(request.POST)
        if status_form.is_valid():
            data = status_form.cleaned_data
            try:
                set_rkpd_status(
                    obj,
                    request.user,
                    status=data["status"],
                    note=data["status_note"],
                    version=data["version"],
                )
            except ConflictError:
                stored = NonApbdProposal.objects.get(pk=obj.pk)
                status_conflict = stale_changes(status_form, stored)
                keep_typed(status_form, stored.version)
                code = 409
            except ValidationError as exc:
                _add_errors(status_form, exc)
                code = 400
            else:
                messages.success(request, _("RKPD status saved."))
                return redirect("plan-proposal-edit", pk=obj.pk)
        else:
            code = 400
    elif request.method == "POST":
        if not can_write:
            raise PermissionDenied(_("An agency proposes for itself; Bappeda for any agency."))
        form = ProposalForm(request.POST, region=region, agencies=agencies)
        if obj is not None:
            form.fields["version"].required = True
        if form.is_valid():
            try:
                saved = save_proposal(
                    obj,
                    request.user,
                    region=region,
                    values=form.values(),
                    version=form.cleaned_data["version"],
                )
            except ConflictError:
                stored = NonApbdProposal.objects.get(pk=obj.pk)  # type: ignore[union-attr]
                conflict = stale_changes(form, stored)
                keep_typed(form, stored.version)
                code = 409
            except ValidationError as exc:
                _add_errors(form, exc)
                code = 400
            else:
                messages.success(
                    request,
                    (
                        _("Proposal “%(title)s” added.")
                        if obj is None
                        else _("Proposal “%(title)s” saved.")
                    )
                    % {"title": saved.title},
                )
                return redirect(back_url)
        else:
            code = 400
    if not can_write:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "programs/perf/proposal_form.html",
        {
            "title": _("New non-APBD proposal")
            if obj is None
            else _("Non-APBD proposal: %(title)s") % {"title": obj.title},
            "region": region,
            "obj": obj,
            "form": form,
            "status_form": status_form if can_status else None,
            "conflict": conflict,
            "status_conflict": status_conflict,
            "can_write": can_write,
            "back_url": back_url,
        },
        status=code,
    )


def proposal_create(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    return _proposal_page(request, region, None)


def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(NonApbdProposal.objects.select_related("region", "agency"), pk=pk)
    return _proposal_page(request, obj.region, obj)


def proposal_import(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    policy, refused = _reader(request, region.code)
    if refused is not None:
        return refused
    if not _proposal_agencies(policy, region):
        raise PermissionDenied(_("An agency proposes for itself; Bappeda for any agency."))
    return import_page(
        request,
        ProposalSheet(request.user, policy, region=region),
        back_url=reverse("plan-proposals", args=[region.code]),
    )
