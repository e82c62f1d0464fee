"""Planning pages of Bappeda (issue 13): flagship programmes, activities with their
budgets and quarterly plan, the nomenclature picker, and copying a year's plan.

Views look up, ask :class:`~sinergi.web.programs.policy.MonevPolicy` (the rules the
API uses: any role of the region reads, Bappeda of the region plans; budgets also the
activity's own agency) and call services / planning; they hold no rules.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from sinergi.web.core.lists import (
    display,
    import_page,
    keep_typed,
    list_page,
    stale_changes,
)
from sinergi.web.indicators.services import ConflictError
from sinergi.web.programs import planning, services
from sinergi.web.programs.choices import FundingSource, IndicatorLevel
from sinergi.web.programs.forms_plan import (
    ActivityForm,
    BudgetForm,
    CopyYearForm,
    FlagshipForm,
    QuarterPlanForm,
)
from sinergi.web.programs.models import Activity, FlagshipProgramme, Nomenclature
from sinergi.web.programs.policy import MonevPolicy
from sinergi.web.programs.tables_plan import (
    ActivityFilter,
    ActivitySheet,
    ActivityTable,
    FlagshipFilter,
    FlagshipSheet,
    FlagshipTable,
    activity_rows,
    flagship_rows,
)
from sinergi.web.regions.models import Region

FLAGSHIP_FIELDS = ("slug", "name", "goal", "year_start", "year_end", "coordinator")
ACTIVITY_FIELDS = (
    "agency",
    "year",
    "nomenclature",
    "code",
    "name",
    "flagship",
    "location",
    "start_date",
    "end_date",
)


class _Refused(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _reader(request: HttpRequest, region_code: str) -> MonevPolicy:
    """The policy of a user who may read the region's plan (else login / 403)."""
    policy = MonevPolicy.for_user(request.user)
    if policy.can_read_details(region_code):
        return policy
    if not request.user.is_authenticated:
        raise _Refused(redirect_to_login(request.get_full_path()))
    raise PermissionDenied(_("This region is outside your scope."))


def _planner(request: HttpRequest, region_code: str) -> MonevPolicy:
    policy = _reader(request, region_code)
    if not policy.can_plan(region_code):
        raise PermissionDenied(_("Only Bappeda of the region plans."))
    return policy


def _refusable(view: Any) -> Any:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)  # type: ignore[no-any-return]
        except _Refused as refused:
            return refused.response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _region(code: str) -> Region:
    return get_object_or_404(Region, code=code)


def _crumbs(region: Region, *extra: tuple[str, str]) -> list[dict[str, str]]:
    crumbs = [{"url": reverse("plan-activities", args=[region.code]), "label": _("Plan")}]
    return crumbs + [{"url": url, "label": label} for url, label in extra]


def _stale(form: Any, stored: Any) -> tuple[list[dict[str, str]], Any]:
    """What changed meanwhile, and the form keeping what was typed with the stored version."""
    return stale_changes(form, stored), keep_typed(form, stored.version)


def _add_domain_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _stale_message(request: HttpRequest) -> None:
    messages.error(
        request,
        _(
            "Not saved: someone else saved this while you were editing. Read what they "
            "changed, then save again to replace it with what you typed."
        ),
    )


# --- flagship programmes -------------------------------------------------------------------


@_refusable
def flagships(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    policy = _reader(request, code)
    filterset = FlagshipFilter(
        request.GET or None,
        queryset=flagship_rows(FlagshipProgramme.objects.filter(region=region)),
        request=request,
    )
    can_plan = policy.can_plan(code)
    return list_page(
        request,
        title=_("Flagship programmes of %(region)s") % {"region": region.name},
        table_class=FlagshipTable,
        filterset=filterset,
        sheet=FlagshipSheet(request.user, policy, region=region),
        create_url=reverse("plan-flagship-create", args=[code]) if can_plan else None,
        create_label=_("Add flagship programme"),
        import_url=reverse("plan-flagship-import", args=[code]) if can_plan else None,
        extra={"crumbs": _crumbs(region)},
    )


@_refusable
def flagship_edit(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    region = _region(code)
    policy = _reader(request, code)
    flagship = get_object_or_404(FlagshipProgramme, pk=pk, region=region) if pk else None
    can_plan = policy.can_plan(code)
    conflict = None
    initial = {"version": flagship.version} if flagship else {"year_start": None}
    form = FlagshipForm(instance=flagship, initial=initial, region_code=code)
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied(_("Only Bappeda of the region plans flagship programmes."))
        form = FlagshipForm(request.POST, instance=flagship, region_code=code)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in FLAGSHIP_FIELDS}
            try:
                if flagship is None:
                    saved = services.create(
                        FlagshipProgramme, request.user, region=region, **values
                    )
                else:
                    saved, _changed = services.update(
                        flagship,
                        request.user,
                        expected_version=form.cleaned_data["version"],
                        **values,
                    )
            except ConflictError:
                stored = FlagshipProgramme.objects.get(pk=flagship.pk)  # type: ignore[union-attr]
                conflict, form = _stale(form, stored)
                _stale_message(request)
            except ValidationError as exc:
                _add_domain_errors(form, exc)
            else:
                messages.success(request, _("Saved: %(name)s.") % {"name": saved.name})
                return redirect("plan-flagships", code=code)
    title = flagship.name if flagship else _("New flagship programme")
    return render(
        request,
        "programs/plan/flagship_form.html",
        {
            "title": title,
            "region": region,
            "flagship": flagship,
            "form": form,
            "conflict": conflict,
            "can_plan": can_plan,
            "crumbs": _crumbs(
                region, (reverse("plan-flagships", args=[code]), _("Flagship programmes"))
            ),
        },
    )


@_refusable
def flagship_import(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    policy = _planner(request, code)
    return import_page(
        request,
        FlagshipSheet(request.user, policy, region=region),
        back_url=reverse("plan-flagships", args=[code]),
    )


# --- activities ----------------------------------------------------------------------------


@_refusable
def activities(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    policy = _reader(request, code)
    filterset = ActivityFilter(
        request.GET or None,
        queryset=activity_rows(Activity.objects.filter(region=region)),
        request=request,
    )
    can_plan = policy.can_plan(code)
    year = request.GET.get("year", "")
    create_url = reverse("plan-activity-create", args=[code])
    if year.isdigit():
        create_url += f"?year={year}"
    return list_page(
        request,
        title=_("Activities of %(region)s") % {"region": region.name},
        intro=_(
            "What each agency runs in a budget year, with its budget and quarterly plan. "
            "Open an activity to change its budget or plan."
        ),
        table_class=ActivityTable,
        filterset=filterset,
        sheet=ActivitySheet(request.user, policy, region=region),
        create_url=create_url if can_plan else None,
        create_label=_("Add activity"),
        import_url=reverse("plan-activity-import", args=[code]) if can_plan else None,
        template="programs/plan/activity_list.html",
        extra={
            "crumbs": [],
            "region": region,
            "can_plan": can_plan,
        },
    )


@_refusable
def activity_import(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    policy = _planner(request, code)
    return import_page(
        request,
        ActivitySheet(request.user, policy, region=region),
        back_url=reverse("plan-activities", args=[code]),
    )


@_refusable
def activity_create(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(code)
    _planner(request, code)
    initial: dict[str, Any] = {}
    year = request.GET.get("year", "")
    if year.isdigit():
        initial["year"] = int(year)
    form = ActivityForm(initial=initial, region_code=code)
    if request.method == "POST":
        form = ActivityForm(request.POST, region_code=code)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in ACTIVITY_FIELDS}
            try:
                activity = services.create(Activity, request.user, region=region, **values)
            except ValidationError as exc:
                _add_domain_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Activity added. Now enter its budget and quarterly plan."),
                )
                return redirect("plan-activity-edit", pk=activity.pk)
    return render(
        request,
        "programs/plan/activity_form.html",
        {
            "title": _("New activity"),
            "region": region,
            "form": form,
            "can_plan": True,
            "picker": _picker_context(form),
            "crumbs": _crumbs(region),
        },
    )


def _picker_context(form: ActivityForm) -> dict[str, Any]:
    """The chain of codes above the chosen sub-kegiatan, for the picker to preselect."""
    value = form["nomenclature"].value()
    chain: list[str] = []
    node = Nomenclature.objects.filter(code=value).first() if value else None
    parent = node.parent if node is not None else None
    while parent is not None:
        chain.insert(0, parent.code)
        parent = parent.parent
    return {"url": reverse("plan-nomenclature-children"), "chain": " ".join(chain)}


def _budget_initial(activity: Activity) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for budget in activity.budgets.all():
        initial[f"amount_{budget.source}"] = budget.amount
        initial[f"version_{budget.source}"] = budget.version
    return initial


def _plan_initial(activity: Activity) -> dict[str, Any]:
    plans = list(activity.plans.all())
    initial: dict[str, Any] = {"stamp": planning.plan_stamp(plans)}
    for plan in plans:
        initial[f"physical_pct_{plan.quarter}"] = plan.physical_pct
        initial[f"disbursement_{plan.quarter}"] = plan.disbursement
    return initial


def _budget_conflict(form: BudgetForm, activity: Activity) -> list[dict[str, str]]:
    stored = {b.source: b.amount for b in activity.budgets.all()}
    rows = []
    for source, label in FundingSource.choices:
        typed = form.cleaned_data.get(f"amount_{source}")
        now = stored.get(source)
        if (typed or None) != (now or None) and typed != now:
            rows.append({"label": str(label), "stored": display(now), "typed": display(typed)})
    return rows


def _plan_conflict(form: QuarterPlanForm, activity: Activity) -> list[dict[str, str]]:
    stored = {p.quarter: p for p in activity.plans.all()}
    rows = []
    for row in form.plan_rows():
        plan = stored.get(row.quarter)
        for name, label, typed in (
            ("physical_pct", _("Q%(q)s physical (%%)"), row.physical_pct),
            ("disbursement", _("Q%(q)s disbursement to date (Rp)"), row.disbursement),
        ):
            now = getattr(plan, name) if plan else None
            if now != typed:
                rows.append(
                    {
                        "label": label % {"q": row.quarter},
                        "stored": display(now),
                        "typed": display(typed),
                    }
                )
    return rows


@_refusable
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One page for an activity: its fields (Bappeda), its budget per funding source (Bappeda
    or the running agency, as the API allows) and its quarterly plan (Bappeda)."""
    activity = get_object_or_404(
        Activity.objects.select_related("region", "agency", "nomenclature", "flagship"), pk=pk
    )
    region = activity.region
    policy = _reader(request, region.code)
    can_plan = policy.can_plan(region.code)
    can_budget = policy.can_write_activity_data(activity)
    form = ActivityForm(
        instance=activity, initial={"version": activity.version}, region_code=region.code
    )
    budget_form = BudgetForm(initial=_budget_initial(activity))
    plan_form = QuarterPlanForm(initial=_plan_initial(activity))
    conflict: list[dict[str, str]] | None = None
    section = request.POST.get("section") if request.method == "POST" else None
    if section == "activity":
        if not can_plan:
            raise PermissionDenied(_("Only Bappeda of the region plans activities."))
        form = ActivityForm(request.POST, instance=activity, region_code=region.code)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in ACTIVITY_FIELDS}
            try:
                services.update(
                    activity,
                    request.user,
                    expected_version=form.cleaned_data["version"],
                    **values,
                )
            except ConflictError:
                stored = Activity.objects.get(pk=activity.pk)
                conflict, form = _stale(form, stored)
                _stale_message(request)
            except ValidationError as exc:
                _add_domain_errors(form, exc)
            else:
                messages.success(request, _("Activity saved."))
                return redirect("plan-activity-edit", pk=activity.pk)
    elif section == "budget":
        if not can_budget:
            raise PermissionDenied(_("You may not write this activity's budget."))
        budget_form = BudgetForm(request.POST)
        if budget_form.is_valid():
            try:
                planning.save_budgets(
                    activity, budget_form.amounts(), budget_form.versions(), user=request.user
                )
            except ConflictError:
                conflict = _budget_conflict(budget_form, activity)
                data = request.POST.copy()
                for budget in activity.budgets.all():
                    data[f"version_{budget.source}"] = str(budget.version)
                for source in FundingSource.values:
                    if not activity.budgets.filter(source=source).exists():
                        data[f"version_{source}"] = ""
                budget_form = BudgetForm(data)
                budget_form.is_valid()
                _stale_message(request)
            except ValidationError as exc:
                _add_domain_errors(budget_form, exc)
            else:
                messages.success(request, _("Budget saved."))
                return redirect(reverse("plan-activity-edit", args=[activity.pk]) + "#anggaran")
    elif section == "plan":
        if not can_plan:
            raise PermissionDenied(_("Only Bappeda of the region plans activities."))
        plan_form = QuarterPlanForm(request.POST)
        if plan_form.is_valid():
            try:
                planning.save_quarter_plans(
                    activity,
                    plan_form.plan_rows(),
                    user=request.user,
                    expected_stamp=plan_form.cleaned_data["stamp"] or None,
                )
            except planning.PlanConflict:
                conflict = _plan_conflict(plan_form, activity)
                data = request.POST.copy()
                data["stamp"] = planning.plan_stamp(activity.plans.all())
                plan_form = QuarterPlanForm(data)
                plan_form.is_valid()
                _stale_message(request)
            except ValidationError as exc:
                _add_domain_errors(plan_form, exc)
            else:
                messages.success(request, _("Quarterly plan saved."))
                return redirect(reverse("plan-activity-edit", args=[activity.pk]) + "#rencana")
    elif section is not None:
        raise Http404("unknown section")
    _read_only(form, can_plan)
    _read_only(budget_form, can_budget)
    _read_only(plan_form, can_plan)
    budgets = list(activity.budgets.all())
    return render(
        request,
        "programs/plan/activity_form.html",
        {
            "title": activity.name,
            "region": region,
            "activity": activity,
            "form": form,
            "budget_form": budget_form,
            "plan_form": plan_form,
            "section": section,
            "conflict": conflict,
            "can_plan": can_plan,
            "can_budget": can_budget,
            "can_delete": can_plan and not activity.realisations.exists(),
            "public_budget": sum(
                (b.amount for b in budgets if b.source in FundingSource.public_budget()),
                services.ZERO,
            ),
            "outputs": activity.indicators.filter(level=IndicatorLevel.OUTPUT),
            "perf_url": _url_or_none("plan-perf-create-output", activity.pk) if can_plan else None,
            "picker": _picker_context(form),
            "crumbs": _crumbs(
                region,
                (
                    reverse("plan-activities", args=[region.code]) + f"?year={activity.year}",
                    _("Activities %(year)s") % {"year": activity.year},
                ),
            ),
        },
        status=409 if conflict is not None else (400 if section else 200),
    )


def _read_only(form: Any, writable: bool) -> None:
    if not writable:
        for form_field in form.fields.values():
            form_field.disabled = True


def _url_or_none(name: str, *args: Any) -> str | None:
    """A page of another helper's module, if it is there (the output indicator form)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@_refusable
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("region"), pk=pk)
    _planner(request, activity.region_id)
    back = reverse("plan-activity-edit", args=[activity.pk])
    if activity.realisations.exists():
        messages.error(
            request,
            _("This activity has realisations reported: it cannot be deleted."),
        )
        return redirect(back)
    if request.method == "POST" and request.POST.get("confirm"):
        version = request.POST.get("version", "")
        if version != str(activity.version):
            messages.error(
                request,
                _("Not deleted: someone changed this activity meanwhile. Check it and try again."),
            )
            return redirect(back)
        try:
            services.delete(activity, request.user)
        except ProtectedError:
            messages.error(request, _("This activity is still referred to: it cannot be deleted."))
            return redirect(back)
        messages.success(request, _("Activity deleted: %(name)s.") % {"name": activity.name})
        return redirect(
            reverse("plan-activities", args=[activity.region_id]) + f"?year={activity.year}"
        )
    n_outputs = activity.indicators.count()
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Delete activity"),
            "question": _("Delete %(code)s %(name)s (%(year)s)?")
            % {"code": activity.code, "name": activity.name, "year": activity.year},
            "detail": _(
                "Its budgets, quarterly plan and %(n)s output indicators are deleted with it. "
                "The audit log keeps a record."
            )
            % {"n": n_outputs},
            "confirm_label": _("Delete"),
            "back_url": back,
            "version": activity.version,
        },
    )


def nomenclature_children(request: HttpRequest) -> JsonResponse:
    """The children of a nomenclature entry (``?induk=<code>``; none: the urusan), for the
    dependent selects of the activity form."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    parent = request.GET.get("induk", "").strip()
    entries = Nomenclature.objects.order_by("code")
    entries = entries.filter(parent__code=parent) if parent else entries.filter(parent__isnull=True)
    return JsonResponse(
        {
            "parent": parent,
            "children": [{"code": n.code, "name": n.name, "level": n.level} for n in entries],
        }
    )


# --- copy a year's plan --------------------------------------------------------------------


@_refusable
def copy_year(request: HttpRequest, code: str) -> HttpResponse:
    """Choose the years (and agencies), see what would be copied and skipped, confirm."""
    region = _region(code)
    _planner(request, code)
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "from_year" in request.GET else None)
    )
    form = CopyYearForm(data, region_code=code)
    preview = None
    if form.is_valid():
        agency_ids = [a.pk for a in form.cleaned_data["agencies"]]
        from_year, to_year = form.cleaned_data["from_year"], form.cleaned_data["to_year"]
        if request.method == "POST" and request.POST.get("confirm"):
            try:
                done = planning.copy_year(
                    region, from_year, to_year, user=request.user, agency_ids=agency_ids
                )
            except ValidationError as exc:
                _add_domain_errors(form, exc)
            else:
                counts = done.counts
                messages.success(
                    request,
                    _(
                        "Copied to %(year)s: %(activities)s activities, %(outputs)s output and "
                        "%(outcomes)s outcome indicators, %(budgets)s budgets, %(plans)s "
                        "quarterly plans; %(skipped)s already there, skipped."
                    )
                    % {
                        "year": to_year,
                        "skipped": counts["skipped_activities"] + counts["skipped_indicators"],
                        **counts,
                    },
                )
                return redirect(reverse("plan-activities", args=[code]) + f"?year={to_year}")
        else:
            preview = planning.plan_copy(region, from_year, to_year, agency_ids)
    elif data is None:
        years = sorted(set(Activity.objects.filter(region=region).values_list("year", flat=True)))
        if years:
            form = CopyYearForm(
                initial={"from_year": years[-1], "to_year": years[-1] + 1}, region_code=code
            )
    return render(
        request,
        "programs/plan/copy_year.html",
        {
            "title": _("Copy a year's plan"),
            "region": region,
            "form": form,
            "preview": preview,
            "crumbs": _crumbs(region),
        },
        status=400 if data is not None and not form.is_valid() else 200,
    )
