"""SLRT pages under /slrt/: the dashboard, intake (a registry household or someone not
in the registry), the case page (consent, referrals, attachments, proposals, closing),
the referral queue and its actions, the referral letter, the service catalogue, the
report and its XLSX, registry proposals, and the public ticket page.

Views look up, ask :class:`SocialPolicy` and call :mod:`services` (every change) and
:mod:`selectors` (every figure); they hold no rule of their own. Personal data (name,
NIK/KK masked, address, narrative, attachments, free-text notes) is shown only where
``policy.can_see_personal(case)`` says so; a NIK typed in clear is posted, never put
in a URL.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.http.response import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sinergi.web.regions.models import Level, Region
from sinergi.web.social import exports, letters, reports, selectors, services
from sinergi.web.social.forms import (
    AttachmentForm,
    CompleteForm,
    ConsentForm,
    OutsideIntakeForm,
    PeriodForm,
    ProposalForm,
    ReasonForm,
    ReferForm,
    RegistryIntakeForm,
    RejectForm,
    ReviewForm,
    ServiceForm,
    TicketForm,
    VersionForm,
)
from sinergi.web.social.models import (
    ACTIVE_STATES,
    Attachment,
    Case,
    CaseStatus,
    Category,
    ConsentState,
    ProposalStatus,
    Referral,
    ReferralState,
    RegistryProposal,
    Service,
    SlaStatus,
)
from sinergi.web.social.policy import SocialPolicy

PER_PAGE = 25
SEARCH_PER_PAGE = 15


# --- helpers ---------------------------------------------------------------------


def _policy(request: HttpRequest) -> SocialPolicy:
    return SocialPolicy.for_user(request.user)


def _login_or_403(request: HttpRequest, message: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(message)


def _need_app(request: HttpRequest, policy: SocialPolicy) -> HttpResponse | None:
    if policy.can_use_app:
        return None
    return _login_or_403(request, _("The SLRT pages are for officers with an SLRT role."))


def _errors(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _form_errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _add_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names (or on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _page(request: HttpRequest, qs: Any, per_page: int = PER_PAGE) -> Any:
    return Paginator(qs, per_page).get_page(request.GET.get("hal"))


def _keep(request: HttpRequest, *names: str) -> str:
    """The list filters of the request, for the pager links."""
    return urlencode({n: request.GET[n] for n in names if request.GET.get(n)})


def _case(policy: SocialPolicy, ticket: str) -> Case:
    case = get_object_or_404(
        Case.objects.select_related("desa", "desa__parent", "release", "created_by"),
        ticket=services.normalise_ticket(ticket),
    )
    if not policy.can_view_case(case):
        raise Http404("case not visible")
    return case


def _referral(policy: SocialPolicy, pk: int) -> Referral:
    referral = get_object_or_404(
        Referral.objects.select_related(
            "case", "case__desa", "case__desa__parent", "service", "service__agency", "sent_by"
        ),
        pk=pk,
    )
    if not policy.can_view_referral(referral):
        raise Http404("referral not visible")
    return referral


def _case_url(case: Case, anchor: str = "") -> str:
    return reverse("slrt-case", args=[case.ticket]) + (f"#{anchor}" if anchor else "")


def _version(form: VersionForm) -> int | None:
    value = form.cleaned_data.get("version") if form.is_valid() else None
    return int(value) if value is not None else None


def _service_choices(exclude: set[int]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Active services grouped by need (optgroups), without those already running."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for s in (
        Service.objects.filter(active=True).select_related("agency").order_by("category", "name")
    ):
        if s.pk in exclude:
            continue
        label = _("%(service)s · %(agency)s · %(days)s working days") % {
            "service": s.name,
            "agency": s.agency,
            "days": s.sla_working_days,
        }
        groups.setdefault(str(Category(s.category).label), []).append((str(s.pk), label))
    return list(groups.items())


def _desa_choices(policy: SocialPolicy) -> list[tuple[str, str]]:
    qs = policy.base.regions(Region.objects.filter(level=Level.VILLAGE)).select_related("parent")
    return [
        (r.code, f"{r.name} ({r.parent.name})" if r.parent else r.name) for r in qs.order_by("code")
    ]


def _registry_policy(request: HttpRequest) -> Any:
    from sinergi.web.registry.policy import RegistryPolicy

    return RegistryPolicy.for_user(request.user)


def _current_release(request: HttpRequest) -> Any:
    """The newest ready registry release the user may browse (intake searches it)."""
    from sinergi.web.registry.models import Release

    rpolicy = _registry_policy(request)
    if not rpolicy.can_browse:
        return None
    return (
        rpolicy.releases(Release.objects.filter(status="ready"))
        .order_by("-reference_date", "-created_at")
        .first()
    )


# --- dashboard -------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if (refused := _need_app(request, policy)) is not None:
        return refused
    dash = selectors.dashboard(policy)
    context: dict[str, Any] = {
        "dash": dash,
        "policy": policy,
        "sla_chart": [(SlaStatus(s).label, dash.by_sla.get(s, 0)) for s in SlaStatus.values],
        "sla_colours": [reports.SLA_COLOURS[s] for s in SlaStatus.values],
        "can_register": policy.can_register_anywhere,
        "personal": policy.can_see_personal_in_lists,
    }
    if policy.is_service_operator:
        context["queue_count"] = selectors.queue(policy).count()
        context["queue_new"] = (
            selectors.queue(policy).filter(state=ReferralState.IN_PROGRESS).count()
        )
    if policy.can_review_proposals:
        context["pending_proposals"] = (
            policy.proposals(RegistryProposal.objects.all())
            .filter(status=ProposalStatus.PENDING)
            .count()
        )
    if policy.can_register_anywhere:
        context["recent"] = list(selectors.visible_cases(policy).filter(status=CaseStatus.OPEN)[:8])
    return render(request, "social/home.html", context)


# --- cases -----------------------------------------------------------------------


def case_list(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if (refused := _need_app(request, policy)) is not None:
        return refused
    qs: QuerySet[Case] = selectors.visible_cases(policy).annotate(
        n_referrals=Count("referrals", distinct=True),
        n_running=Count("referrals", filter=Q(referrals__state__in=ACTIVE_STATES), distinct=True),
    )
    status = request.GET.get("status") or ""
    category = request.GET.get("kebutuhan") or ""
    ticket = (request.GET.get("tiket") or "").strip()
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    if category in Category.values:
        qs = qs.filter(category=category)
    if ticket:
        qs = qs.filter(ticket__icontains=services.normalise_ticket(ticket))
    page = _page(request, qs.order_by("-opened_on", "-id"))
    return render(
        request,
        "social/cases.html",
        {
            "page": page,
            "personal": policy.can_see_personal_in_lists,
            "status": status,
            "category": category,
            "ticket": ticket,
            "statuses": CaseStatus.choices,
            "categories": Category.choices,
            "query": _keep(request, "status", "kebutuhan", "tiket"),
            "can_register": policy.can_register_anywhere,
        },
    )


@never_cache
def intake(request: HttpRequest) -> HttpResponse:
    """Step 1: find the person's household in the current registry release."""
    from sinergi.targeting import browse
    from sinergi.web.registry.forms import NumberSearchForm
    from sinergi.web.registry.services import pseudonymiser, release_dir

    policy = _policy(request)
    if not policy.can_register_anywhere:
        return _login_or_403(request, _("Cases are registered by the front and back office."))
    release = _current_release(request)
    number_form = NumberSearchForm(request.POST or None)
    if request.method == "POST" and number_form.is_valid():
        # The clear number is hashed at once; only the keyed hash goes into the URL.
        digest = pseudonymiser().hash(number_form.cleaned_data["number"])
        kind = number_form.cleaned_data["kind"]
        return redirect(reverse("slrt-intake") + "?" + urlencode({kind: digest}))
    name = (request.GET.get("nama") or "").strip()
    kk_hash = request.GET.get("kk") or None
    nik_hash = request.GET.get("nik") or None
    searched = bool(name or kk_hash or nik_hash)
    result = None
    names: dict[str, str] = {}
    if release is not None and searched:
        try:
            page_no = max(1, int(request.GET.get("hal", "1")))
        except ValueError:
            page_no = 1
        try:
            result = browse.search(
                release_dir(release),
                name=name or None,
                kk_hash=kk_hash,
                nik_hash=nik_hash,
                scope=_registry_policy(request).microdata_scope(),
                page=page_no,
                per_page=SEARCH_PER_PAGE,
            )
        except browse.BrowseError:
            result = browse.SearchPage([], 0, 1, SEARCH_PER_PAGE)
        codes = {r.desa_code for r in result.rows} | {r.kecamatan_code for r in result.rows}
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return render(
        request,
        "social/intake.html",
        {
            "release": release,
            "number_form": number_form,
            "name": name,
            "by_number": bool(kk_hash or nik_hash),
            "searched": searched,
            "result": result,
            "names": names,
            "query": urlencode({k: v for k, v in (("nama", name),) if v}),
        },
    )


@never_cache
def intake_household(request: HttpRequest, slug: str, household_id: str) -> HttpResponse:
    """Step 2 for a registry household: who, what need, how they came."""
    from sinergi.targeting import browse
    from sinergi.web.registry.models import Release
    from sinergi.web.registry.services import release_dir

    policy = _policy(request)
    if not policy.can_register_anywhere:
        return _login_or_403(request, _("Cases are registered by the front and back office."))
    rpolicy = _registry_policy(request)
    if not rpolicy.can_browse:
        raise PermissionDenied(_("Your role may not search the registry."))
    release = get_object_or_404(rpolicy.releases(Release.objects.filter(status="ready")), slug=slug)
    try:
        hh = browse.household(release_dir(release), household_id, scope=rpolicy.microdata_scope())
    except browse.BrowseError as exc:
        raise Http404("household not found") from exc
    members = [(m.nik_hash, f"{m.full_name} · {m.nik_masked}") for m in hh.members]
    form = RegistryIntakeForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.register_case(
                user=request.user,
                person={"nik_hash": data["member"]},
                household_id=hh.household_id,
                release=release,
                category=data["category"],
                narrative=data["narrative"],
                channel=data["channel"],
                desa_code=None,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Case registered. Ticket number %(ticket)s: give it to the person.")
                % {"ticket": case.ticket},
            )
            return redirect(_case_url(case))
    region_names = dict(
        Region.objects.filter(code__in=[hh.desa_code, hh.kecamatan_code]).values_list(
            "code", "name"
        )
    )
    return render(
        request,
        "social/intake_household.html",
        {"release": release, "hh": hh, "form": form, "names": region_names},
    )


@never_cache
def intake_outside(request: HttpRequest) -> HttpResponse:
    """Intake of someone not found in the registry release."""
    policy = _policy(request)
    if not policy.can_register_anywhere:
        return _login_or_403(request, _("Cases are registered by the front and back office."))
    form = OutsideIntakeForm(request.POST or None, desa_choices=_desa_choices(policy))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.register_case(
                user=request.user,
                person={
                    "name": data["name"],
                    "nik": data["nik"],
                    "kk": data["kk"],
                    "address": data["address"],
                },
                household_id=None,
                release=None,
                category=data["category"],
                narrative=data["narrative"],
                channel=data["channel"],
                desa_code=data["desa"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Case registered. Ticket number %(ticket)s: give it to the person.")
                % {"ticket": case.ticket},
            )
            return redirect(_case_url(case))
    return render(request, "social/intake_outside.html", {"form": form})


@never_cache
def case_detail(request: HttpRequest, ticket: str) -> HttpResponse:
    policy = _policy(request)
    if (refused := _need_app(request, policy)) is not None:
        return refused
    case = _case(policy, ticket)
    personal = policy.can_see_personal(case)
    referrals = selectors.with_sla(
        policy.referrals(
            case.referrals.select_related("service", "service__agency", "sent_by", "handled_by")
        ).order_by("sent_on", "id")
    )
    consent = services.current_consent(case)
    can_refer = policy.can_refer(case) and case.status == CaseStatus.OPEN
    can_override = policy.can_override_consent(case)
    running_ids = {r.service_id for r in referrals if r.state in ACTIVE_STATES}
    shown = {r.pk for r in referrals}
    context: dict[str, Any] = {
        "case": case,
        "personal": personal,
        "referrals": referrals,
        "consent": consent,
        "consent_given": consent == ConsentState.GIVEN,
        "consents": list(case.consents.select_related("recorded_by")),
        # A service agency sees the timeline of its own referrals only.
        "events": [
            e
            for e in case.events.select_related("actor", "referral__service")
            if e.referral_id is None or e.referral_id in shown
        ],
        "can_edit": policy.can_edit_case(case),
        "can_refer": can_refer and (consent == ConsentState.GIVEN or can_override),
        "refer_blocked": can_refer and consent != ConsentState.GIVEN and not can_override,
        "can_override": can_override and consent != ConsentState.GIVEN,
        "has_running": bool(running_ids),
    }
    if policy.can_record_consent(case):
        context["consent_form"] = ConsentForm(
            initial={"state": ConsentState.GIVEN}, prefix="consent"
        )
    if context["can_refer"]:
        context["refer_form"] = ReferForm(
            services=_service_choices(running_ids),
            initial={"version": case.version},
            prefix="refer",
        )
    if personal:
        context["attachments"] = list(
            case.attachments.select_related("uploaded_by", "referral__service")
        )
    if policy.can_attach(case):
        context["attach_form"] = AttachmentForm(
            referrals=[(str(r.pk), str(r.service)) for r in referrals], prefix="attach"
        )
    if policy.can_propose(case):
        context["proposal_form"] = ProposalForm(
            initial={"kind": "correct" if case.household_id else "add"}, prefix="proposal"
        )
        context["proposals"] = list(case.proposals.all())
    if policy.can_close(case) and case.status == CaseStatus.OPEN and not running_ids:
        context["close_form"] = ReasonForm(
            initial={"version": case.version}, required=False, prefix="close"
        )
    if policy.can_reopen(case) and case.status == CaseStatus.CLOSED:
        context["reopen_form"] = ReasonForm(initial={"version": case.version}, prefix="reopen")
    return render(request, "social/case.html", context)


def _case_action(request: HttpRequest, ticket: str) -> Case:
    policy = _policy(request)
    if not policy.can_use_app:
        raise PermissionDenied
    return _case(policy, ticket)


@require_POST
def case_consent(request: HttpRequest, ticket: str) -> HttpResponse:
    case = _case_action(request, ticket)
    form = ConsentForm(request.POST, prefix="consent")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_case_url(case, "consent"))
    try:
        services.record_consent(
            case,
            user=request.user,
            state=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Consent recorded."))
    return redirect(_case_url(case, "consent"))


@require_POST
def case_refer(request: HttpRequest, ticket: str) -> HttpResponse:
    case = _case_action(request, ticket)
    form = ReferForm(request.POST, services=_service_choices(set()), prefix="refer")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_case_url(case, "referrals"))
    service = get_object_or_404(Service, pk=form.cleaned_data["service"])
    try:
        referral = services.refer(
            case,
            service,
            user=request.user,
            override_reason=form.cleaned_data["override_reason"],
            expected_version=_version(form),
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _("Referred to %(service)s; due on %(due)s.")
            % {"service": service.name, "due": reports.day(referral.due_on)},
        )
    return redirect(_case_url(case, "referrals"))


@require_POST
def case_close(request: HttpRequest, ticket: str) -> HttpResponse:
    case = _case_action(request, ticket)
    form = ReasonForm(request.POST, required=False, prefix="close")
    form.is_valid()
    try:
        services.close_case(
            case,
            user=request.user,
            reason=form.cleaned_data.get("reason", ""),
            expected_version=_version(form),
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Case closed."))
    return redirect(_case_url(case))


@require_POST
def case_reopen(request: HttpRequest, ticket: str) -> HttpResponse:
    case = _case_action(request, ticket)
    form = ReasonForm(request.POST, prefix="reopen")
    if not form.is_valid():
        messages.error(request, _("Say why the case is reopened."))
        return redirect(_case_url(case))
    try:
        services.reopen(
            case,
            user=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=_version(form),
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Case reopened."))
    return redirect(_case_url(case))


@require_POST
def case_attach(request: HttpRequest, ticket: str) -> HttpResponse:
    case = _case_action(request, ticket)
    policy = _policy(request)
    visible = {str(r.pk): r for r in policy.referrals(case.referrals.select_related("service"))}
    form = AttachmentForm(
        request.POST,
        request.FILES,
        referrals=[(k, str(r.service)) for k, r in visible.items()],
        prefix="attach",
    )
    back = request.POST.get("next") or ""
    target = back if back.startswith("/slrt/") else _case_url(case, "attachments")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(target)
    upload = form.cleaned_data["file"]
    try:
        services.add_attachment(
            case,
            user=request.user,
            title=form.cleaned_data["title"],
            name=upload.name,
            stream=upload.file,
            size=upload.size,
            referral=visible.get(form.cleaned_data.get("referral") or ""),
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Attachment added."))
    return redirect(target)


@require_POST
def case_propose(request: HttpRequest, ticket: str) -> HttpResponse:
    case = _case_action(request, ticket)
    form = ProposalForm(request.POST, prefix="proposal")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_case_url(case, "registry"))
    try:
        services.propose_registry_change(
            case, user=request.user, kind=form.cleaned_data["kind"], details=form.details()
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Proposal sent to Dinsos for review."))
    return redirect(_case_url(case, "registry"))


def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    policy = _policy(request)
    if (refused := _need_app(request, policy)) is not None:
        return refused
    attachment = get_object_or_404(
        Attachment.objects.select_related("case", "referral__service"), pk=pk
    )
    case = attachment.case
    if not policy.can_view_case(case) or not policy.can_see_personal(case):
        raise Http404("attachment not visible")
    if attachment.referral is not None and not policy.can_view_referral(attachment.referral):
        raise Http404("attachment not visible")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("the stored file is missing") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- referrals -------------------------------------------------------------------


def referral_list(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if (refused := _need_app(request, policy)) is not None:
        return refused
    qs = selectors.visible_referrals(policy)
    state = request.GET.get("status") or ""
    sla = request.GET.get("sla") or ""
    agency = request.GET.get("instansi") or ""
    if state == "running":
        qs = qs.filter(state__in=ACTIVE_STATES)
    elif state in ReferralState.values:
        qs = qs.filter(state=state)
    if sla in SlaStatus.values:
        qs = selectors.filter_sla(qs, sla)
    if agency.isdigit() and not policy.is_service_operator:
        qs = qs.filter(service__agency_id=int(agency))
    page = _page(request, qs.order_by("due_on", "id"))
    page.object_list = selectors.with_sla(page.object_list)
    agencies: list[Any] = []
    if not policy.is_service_operator or policy.is_back_office:
        from sinergi.web.accounts.models import Agency

        agencies = list(
            Agency.objects.filter(slrt_services__isnull=False).distinct().order_by("name")
        )
    return render(
        request,
        "social/referrals.html",
        {
            "page": page,
            "personal": policy.can_see_personal_in_lists,
            "is_queue": policy.is_service_operator and not policy.is_back_office,
            "state": state,
            "sla": sla,
            "agency": agency,
            "states": ReferralState.choices,
            "slas": SlaStatus.choices,
            "agencies": agencies,
            "query": _keep(request, "status", "sla", "instansi"),
            "export_query": _keep(request, "status", "sla", "instansi"),
        },
    )


def referral_export(request: HttpRequest) -> HttpResponse:
    """The visible referrals as XLSX (no name, NIK, address or narrative, for any role)."""
    policy = _policy(request)
    if (refused := _need_app(request, policy)) is not None:
        return refused
    qs = selectors.visible_referrals(policy).select_related("case__desa__parent")
    state = request.GET.get("status") or ""
    if state == "running":
        qs = qs.filter(state__in=ACTIVE_STATES)
    elif state in ReferralState.values:
        qs = qs.filter(state=state)
    sla = request.GET.get("sla") or ""
    if sla in SlaStatus.values:
        qs = selectors.filter_sla(qs, sla)
    agency = request.GET.get("instansi") or ""
    if agency.isdigit() and not policy.is_service_operator:
        qs = qs.filter(service__agency_id=int(agency))
    content, name = exports.referrals_xlsx(selectors.with_sla(qs.order_by("sent_on", "id")))
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request)
    if (refused := _need_app(request, policy)) is not None:
        return refused
    referral = _referral(policy, pk)
    selectors.with_sla([referral])
    case = referral.case
    personal = policy.can_see_personal(case)
    handle = policy.can_handle(referral)
    version = {"version": referral.version}
    context: dict[str, Any] = {
        "r": referral,
        "case": case,
        "personal": personal,
        "consent": services.current_consent(case),
        "events": list(referral.events.select_related("actor").order_by("at", "id")),
        "can_handle": handle,
        "letter": personal,
    }
    if handle and referral.state == ReferralState.IN_PROGRESS:
        context["accept_form"] = VersionForm(initial=version, prefix="accept")
        context["reject_form"] = RejectForm(initial=version, prefix="reject")
    if handle and referral.state == ReferralState.ACCEPTED:
        context["complete_form"] = CompleteForm(
            initial={**version, "outcome": "successful"}, prefix="complete"
        )
    if policy.can_revoke(referral) and referral.state in ACTIVE_STATES:
        context["revoke_form"] = ReasonForm(initial=version, prefix="revoke")
    if personal:
        context["attachments"] = list(referral.attachments.select_related("uploaded_by"))
    if policy.can_attach(case):
        context["attach_form"] = AttachmentForm(
            referrals=[(str(referral.pk), str(referral.service))],
            initial={"referral": str(referral.pk)},
            prefix="attach",
        )
    return render(request, "social/referral.html", context)


ACTIONS = {"terima": "accept", "tolak": "reject", "selesai": "complete", "tarik": "revoke"}


@require_POST
def referral_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_use_app:
        raise PermissionDenied
    name = ACTIONS.get(action)
    if name is None:
        raise Http404("no such action")
    referral = _referral(policy, pk)
    back = reverse("slrt-referral", args=[referral.pk])
    form: VersionForm
    try:
        if name == "accept":
            form = VersionForm(request.POST, prefix="accept")
            services.accept(referral, user=request.user, expected_version=_version(form))
            done = _("Referral accepted: the service now works on it.")
        elif name == "reject":
            form = RejectForm(request.POST, prefix="reject")
            if not form.is_valid():
                messages.error(request, _form_errors(form))
                return redirect(back)
            services.reject(
                referral,
                user=request.user,
                reason=form.cleaned_data["reason"],
                reason_code=form.cleaned_data["reason_code"],
                expected_version=_version(form),
            )
            done = _("Referral rejected; the front office sees your reason.")
        elif name == "complete":
            form = CompleteForm(request.POST, prefix="complete")
            if not form.is_valid():
                messages.error(request, _form_errors(form))
                return redirect(back)
            services.complete(
                referral,
                user=request.user,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                reason_code=form.cleaned_data["reason_code"],
                expected_version=_version(form),
            )
            done = _("Referral completed.")
        else:
            form = ReasonForm(request.POST, prefix="revoke")
            if not form.is_valid():
                messages.error(request, _("Say why the referral is revoked."))
                return redirect(back)
            services.revoke(
                referral,
                user=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=_version(form),
            )
            done = _("Referral revoked.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, done)
    return redirect(back)


def referral_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral letter (surat rujukan) as PDF: for those who see the person."""
    policy = _policy(request)
    if (refused := _need_app(request, policy)) is not None:
        return refused
    referral = _referral(policy, pk)
    if not policy.can_see_personal(referral.case):
        raise PermissionDenied(_("Your role sees referrals without the person's data."))
    content, name = letters.referral_letter(referral)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- catalogue -------------------------------------------------------------------


def service_list(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_view_catalogue:
        return _login_or_403(request, _("The service catalogue is for SLRT officers."))
    qs = Service.objects.select_related("agency").filter(active=True)
    category = request.GET.get("kebutuhan") or ""
    if category in Category.values:
        qs = qs.filter(category=category)
    if request.GET.get("unduh") == "xlsx":  # the services shown, as the sheet lays them out
        from sinergi.web.core.lists import export_response
        from sinergi.web.social.sheets import ServiceSheet

        return export_response(
            ServiceSheet(request.user, policy), qs.order_by("category", "agency__name", "name")
        )
    groups: dict[str, list[Service]] = {}
    for s in qs.order_by("category", "agency__name", "name"):
        groups.setdefault(str(Category(s.category).label), []).append(s)
    return render(
        request,
        "social/services.html",
        {
            "groups": groups,
            "count": sum(len(v) for v in groups.values()),
            "category": category,
            "categories": Category.choices,
            "illustrative": qs.filter(is_illustrative=True).exists(),
            "can_manage": policy.can_manage_services,
            "export_query": urlencode({"kebutuhan": category, "unduh": "xlsx"}),
        },
    )


@never_cache
def service_import(request: HttpRequest) -> HttpResponse:
    """The catalogue from an XLSX file (the Dinsos back office; checked whole, then saved)."""
    from sinergi.web.core.lists import import_page
    from sinergi.web.social.sheets import ServiceSheet

    policy = _policy(request)
    if not policy.can_manage_services:
        return _login_or_403(request, _("The catalogue is kept by the Dinsos back office."))
    return import_page(
        request, ServiceSheet(request.user, policy), back_url=reverse("slrt-services")
    )


@never_cache
def service_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add or change a catalogue service: the Dinsos back office (audited by the service)."""
    from sinergi.web.accounts.models import Agency

    policy = _policy(request)
    if not policy.can_manage_services:
        return _login_or_403(request, _("The catalogue is kept by the Dinsos back office."))
    service = get_object_or_404(Service, pk=pk) if pk is not None else None
    agencies = policy.base.regions(Region.objects.all()).values("code")
    form = ServiceForm(
        request.POST or None,
        instance=service,
        agencies=Agency.objects.filter(region__in=agencies).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_service(form.save(commit=False), user=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Service saved. A new service level applies to referrals sent from now on."),
            )
            return redirect(reverse("slrt-services") + f"#layanan-{saved.code}")
    return render(request, "social/service_form.html", {"form": form, "service": service})


# --- report ----------------------------------------------------------------------


def _report_cases(request: HttpRequest, policy: SocialPolicy) -> tuple[Any, Any]:
    cases = selectors.visible_cases(policy)
    kecamatan = request.GET.get("kecamatan") or ""
    area = None
    if kecamatan:
        area = Region.objects.filter(code=kecamatan, level=Level.DISTRICT).first()
        if area is not None and policy.base.in_scope(area.code):
            cases = cases.filter(desa__parent_id=area.code)
        else:
            area = None
    return cases, area


def report(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_view_reports:
        return _login_or_403(request, _("SLRT reports are for officers."))
    form = PeriodForm(request.GET or None)
    start, end = form.period(services.today())
    cases, area = _report_cases(request, policy)
    data = selectors.case_report(cases, date_from=start, date_to=end)
    kecamatan_choices = list(
        policy.base.regions(Region.objects.filter(level=Level.DISTRICT))
        .order_by("code")
        .values_list("code", "name")
    )
    if not form.is_bound:
        form = PeriodForm(initial={"dari": start, "sampai": end})
    return render(
        request,
        "social/report.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "area": area,
            "kecamatan_choices": kecamatan_choices,
            "r": reports.view_model(data),
            "query": urlencode(
                {
                    "dari": start.isoformat(),
                    "sampai": end.isoformat(),
                    **({"kecamatan": area.code} if area else {}),
                }
            ),
        },
    )


def report_xlsx(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_view_reports:
        return _login_or_403(request, _("SLRT reports are for officers."))
    form = PeriodForm(request.GET or None)
    start, end = form.period(services.today())
    cases, area = _report_cases(request, policy)
    data = selectors.case_report(cases, date_from=start, date_to=end)
    scope_name = area.name if area else _scope_name(policy)
    content, name = reports.build_xlsx(data, scope_name=scope_name)
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _scope_name(policy: SocialPolicy) -> str:
    scope = policy.scope
    region = Region.objects.filter(code=scope).first() if scope else None
    return region.name if region else ""


# --- registry proposals ----------------------------------------------------------


def proposal_list(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if not (policy.can_review_proposals or policy.is_front_office):
        return _login_or_403(request, _("Registry proposals are reviewed by Dinsos."))
    qs = policy.proposals(
        RegistryProposal.objects.select_related("case", "case__desa", "created_by", "reviewed_by")
    )
    status = request.GET.get("status") or ""
    if status in ProposalStatus.values:
        qs = qs.filter(status=status)
    page = _page(request, qs.order_by("status", "-created_at"))
    return render(
        request,
        "social/proposals.html",
        {
            "page": page,
            "status": status,
            "statuses": ProposalStatus.choices,
            "can_review": policy.can_review_proposals,
            "can_export": policy.can_export_proposals,
            "review_form": ReviewForm(),
            "ready": policy.proposals(RegistryProposal.objects.all())
            .filter(status=ProposalStatus.ACCEPTED)
            .count(),
            "query": _keep(request, "status"),
        },
    )


@require_POST
def proposal_review(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_review_proposals:
        raise PermissionDenied
    proposal = get_object_or_404(policy.proposals(RegistryProposal.objects.all()), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            services.review_proposal(
                proposal,
                user=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Proposal reviewed."))
    return redirect("slrt-proposals")


@require_POST
def proposal_export(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    if not policy.can_export_proposals:
        raise PermissionDenied
    name, content = services.export_proposals(user=request.user)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- public ticket page ----------------------------------------------------------


@never_cache
def ticket(request: HttpRequest) -> HttpResponse:
    """Anyone with a ticket number sees the case's status and dates: nothing personal.
    The number is posted, so it stays out of addresses, history and server logs."""
    form = TicketForm(request.POST or None)
    status = None
    looked_up = False
    if request.method == "POST" and form.is_valid():
        looked_up = True
        status = selectors.public_status(form.cleaned_data["ticket"])
    response = render(
        request,
        "social/ticket.html",
        {"form": form, "status": status, "looked_up": looked_up},
        status=404 if looked_up and status is None else 200,
    )
    response["Cache-Control"] = "no-store"
    return response
