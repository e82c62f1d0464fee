"""Set-up pages for agencies (OPD) and their heads: list, add, change, XLSX round trip.

Access is :meth:`Policy.can_manage_agencies` (the Bappeda administrator of the region);
writes go through :mod:`sinergi.web.accounts.agencies` (audited, version-locked).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from sinergi.web.accounts import agencies
from sinergi.web.accounts.forms_agencies import AgencyForm
from sinergi.web.accounts.models import Agency
from sinergi.web.accounts.policy import Policy
from sinergi.web.accounts.tables import AgencyFilter, AgencySheet, AgencyTable
from sinergi.web.core.lists import import_page, keep_typed, list_page, stale_changes
from sinergi.web.indicators.services import ConflictError
from sinergi.web.regions.models import Region


def _policy(request: HttpRequest) -> tuple[Policy, HttpResponse | None]:
    """The user's policy, or the response for someone who may not manage agencies."""
    policy = Policy.for_user(request.user)
    if not request.user.is_authenticated:
        return policy, redirect_to_login(request.get_full_path())
    if not policy.can_manage_users:
        raise PermissionDenied(_("Only Bappeda administrators manage the OPD."))
    return policy, None


def _crumbs() -> list[dict[str, str]]:
    return [{"url": reverse("setup-hub"), "label": _("Settings")}]


def _regions(policy: Policy) -> Any:
    return policy.regions(Region.objects.filter(level__in=agencies.AGENCY_LEVELS, active=True))


@never_cache
def agency_list(request: HttpRequest) -> HttpResponse:
    policy, refused = _policy(request)
    if refused is not None:
        return refused
    rows = policy.agencies(Agency.objects.select_related("region"))
    return list_page(
        request,
        title=_("Agencies (OPD)"),
        table_class=AgencyTable,
        filterset=AgencyFilter(request.GET or None, queryset=rows),
        sheet=AgencySheet(request.user, policy),
        create_url=reverse("accounts-agency-new"),
        create_label=_("Add an OPD"),
        import_url=reverse("accounts-agency-import"),
        intro=_(
            "The regional agencies (OPD) of your region and their heads. Activities, data "
            "sets and OPD operators' accounts are attached to them."
        ),
        extra={"crumbs": _crumbs()},
    )


@never_cache
def agency_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy, refused = _policy(request)
    if refused is not None:
        return refused
    agency = None
    if pk is not None:
        agency = get_object_or_404(policy.agencies(Agency.objects.select_related("region")), pk=pk)
        if not policy.can_manage_agencies(agency.region_id):
            raise PermissionDenied(_("Only the Bappeda administrator of the region manages it."))
    regions = _regions(policy)
    if agency is not None:
        initial: dict[str, Any] = {n: getattr(agency, n) for n in agencies.FIELDS}
        initial.update(region=agency.region, version=agency.version)
    else:
        initial = {"region": regions.filter(code=policy.scope).first(), "version": None}
    form = AgencyForm(
        request.POST or None, initial=initial, regions=regions, editing=agency is not None
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            if agency is None:
                saved = agencies.create_agency(request.user, **data)
            else:
                saved, _changed = agencies.update_agency(
                    agency, request.user, expected_version=version, **data
                )
        except ConflictError:
            stored = Agency.objects.select_related("region").get(pk=agency.pk)  # type: ignore[union-attr]
            conflict = stale_changes(form, stored)
            keep_typed(form, stored.version)
        except ValidationError as exc:
            for name, texts in exc.message_dict.items():
                for text in texts:
                    form.add_error(name if name in form.fields else None, text)
        else:
            messages.success(request, _("OPD %(name)s saved.") % {"name": saved.name})
            return redirect("accounts-agencies")
    return render(
        request,
        "accounts/agency_form.html",
        {
            "form": form,
            "agency": agency,
            "conflict": conflict,
            "title": _("Change %(name)s") % {"name": agency.name}
            if agency is not None
            else _("Add an OPD"),
            "crumbs": [
                *_crumbs(),
                {"url": reverse("accounts-agencies"), "label": _("Agencies (OPD)")},
            ],
        },
        status=409 if conflict is not None else 400 if form.errors else 200,
    )


@never_cache
def agency_import(request: HttpRequest) -> HttpResponse:
    policy, refused = _policy(request)
    if refused is not None:
        return refused
    return import_page(
        request, AgencySheet(request.user, policy), back_url=reverse("accounts-agencies")
    )
