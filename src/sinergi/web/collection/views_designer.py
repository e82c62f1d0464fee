"""Pages of the data set designer under ``/pendataan/rancang/`` (Bappeda administrators).

Every page asks :meth:`CollectionPolicy.can_design`: other roles get the 403 page, a
data set of another region is not found. Writes go through
:mod:`~sinergi.web.collection.designer`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sinergi.web.accounts.policy import Policy
from sinergi.web.collection import designer
from sinergi.web.collection.choices import PeriodType
from sinergi.web.collection.forms import EntryGrid
from sinergi.web.collection.forms_designer import (
    DataSetForm,
    ElementForm,
    PeriodForm,
    RuleForm,
)
from sinergi.web.collection.models import DataElement, DataSet, Period, ValidationRule
from sinergi.web.collection.policy import CollectionPolicy
from sinergi.web.core.lists import (
    Column,
    Sheet,
    SinergiTable,
    export_response,
    keep_typed,
    list_page,
    stale_changes,
)
from sinergi.web.indicators.services import ConflictError
from sinergi.web.regions.models import Region

# --- access ------------------------------------------------------------------------------


def _policy(request: HttpRequest) -> CollectionPolicy:
    policy = CollectionPolicy.for_user(request.user)
    if not policy.can_design_any:
        raise PermissionDenied(_("Only a Bappeda administrator designs data sets."))
    return policy


def _dataset(request: HttpRequest, code: str) -> DataSet:
    policy = _policy(request)
    dataset = get_object_or_404(
        policy.designable(DataSet.objects.select_related("owner", "region")), code=code
    )
    if not policy.can_design(dataset):
        raise PermissionDenied
    return dataset


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _service_error(form: Any, exc: Exception) -> None:
    """A service's refusal shown on the form (on its field when it names one)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc))


def _overview_url(dataset: DataSet, anchor: str = "") -> str:
    return reverse("design-dataset", args=[dataset.code]) + (f"#{anchor}" if anchor else "")


# --- lists and their Excel exports ---------------------------------------------------------


class DataSetTable(SinergiTable):
    name = tables.Column(
        verbose_name=gettext_lazy("Data set"),
        linkify=lambda record: reverse("design-dataset", args=[record.code]),
    )
    code = tables.Column(verbose_name=gettext_lazy("Code"))
    period_type = tables.Column(verbose_name=gettext_lazy("Period type"))
    owner = tables.Column(verbose_name=gettext_lazy("Verified by"))
    published_version = tables.Column(
        verbose_name=gettext_lazy("Published version"), attrs={"td": {"class": "num"}}
    )
    n_regions = tables.Column(
        verbose_name=gettext_lazy("Reporting regions"), attrs={"td": {"class": "num"}}
    )
    n_periods = tables.Column(verbose_name=gettext_lazy("Periods"), attrs={"td": {"class": "num"}})

    class Meta(SinergiTable.Meta):
        model = DataSet
        fields = [
            "name",
            "code",
            "period_type",
            "owner",
            "published_version",
            "n_regions",
            "n_periods",
        ]
        order_by = ("name",)

    def render_published_version(self, value: int) -> str:
        return str(value) if value else _("not published yet")


class DataSetSheet(Sheet):
    title = gettext_lazy("Data sets")
    model = DataSet
    columns = [
        Column("code", gettext_lazy("Code"), width=26),
        Column("name", gettext_lazy("Name"), width=44),
        Column("period_type", gettext_lazy("Period type"), choices=PeriodType.choices),
        Column("owner", gettext_lazy("Verified by"), get=lambda d: str(d.owner), width=30),
        Column("published_version", gettext_lazy("Published version"), kind="int"),
        Column("n_regions", gettext_lazy("Reporting regions"), kind="int", readonly=True),
        Column("n_periods", gettext_lazy("Periods"), kind="int", readonly=True),
    ]

    def queryset(self) -> Any:
        return self.context["rows"]

    def can_write(self, obj: Any, values: dict[str, Any]) -> bool:
        return False  # export only: data sets are designed on their pages


class ElementSheet(Sheet):
    title = gettext_lazy("Data elements")
    model = DataElement
    columns = [
        Column("code", gettext_lazy("Code"), width=28),
        Column("name", gettext_lazy("Name"), width=40),
        Column("value_type", gettext_lazy("Value type"), get=lambda e: e.get_value_type_display()),
        Column("unit", gettext_lazy("Unit")),
        Column("min_value", gettext_lazy("Minimum"), kind="decimal"),
        Column("max_value", gettext_lazy("Maximum"), kind="decimal"),
        Column(
            "disaggregation",
            gettext_lazy("Disaggregation"),
            get=lambda e: e.get_disaggregation_display(),
        ),
        Column("required", gettext_lazy("Required"), kind="bool"),
        Column(
            "indicator",
            gettext_lazy("Indicator"),
            get=lambda e: e.indicator.name_id if e.indicator else "",
            width=34,
        ),
        Column("is_additive", gettext_lazy("Additive"), kind="bool"),
        Column("sort_order", gettext_lazy("Order"), kind="int"),
        Column("added_in", gettext_lazy("Added in version"), kind="int"),
        Column("retired_in", gettext_lazy("Retired in version"), kind="int"),
    ]


class RuleSheet(Sheet):
    title = gettext_lazy("Validation rules")
    model = ValidationRule
    columns = [
        Column("kind", gettext_lazy("Kind"), get=lambda r: r.get_kind_display(), width=30),
        Column("left", gettext_lazy("Left side"), get=lambda r: r.left.label, width=34),
        Column("operator", gettext_lazy("Operator"), get=lambda r: r.get_operator_display()),
        Column(
            "right",
            gettext_lazy("Right side"),
            get=lambda r: r.right.label if r.right_id else "",
            width=34,
        ),
        Column("right_factor", gettext_lazy("Factor on the right side"), kind="decimal"),
        Column("right_constant", gettext_lazy("Constant on the right side"), kind="decimal"),
        Column("threshold_pct", gettext_lazy("Allowed change (%)"), kind="decimal"),
        Column("severity", gettext_lazy("Severity"), get=lambda r: r.get_severity_display()),
        Column("message", gettext_lazy("Message"), width=50),
        Column("added_in", gettext_lazy("Added in version"), kind="int"),
        Column("retired_in", gettext_lazy("Retired in version"), kind="int"),
    ]


class PeriodSheet(Sheet):
    title = gettext_lazy("Reporting periods")
    model = Period
    columns = [
        Column("code", gettext_lazy("Period")),
        Column("label", gettext_lazy("Name"), readonly=True, width=24),
        Column("opens_on", gettext_lazy("Opens"), kind="date"),
        Column("closes_on", gettext_lazy("Closes"), kind="date"),
        Column("form_version", gettext_lazy("Form version"), kind="int"),
    ]


@login_required
def design_list(request: HttpRequest) -> HttpResponse:
    """The data sets the administrator designs, with an Excel export."""
    policy = _policy(request)
    rows = (
        policy.designable(DataSet.objects.select_related("owner"))
        .annotate(
            n_regions=Count("reporting_regions", distinct=True),
            n_periods=Count("periods", distinct=True),
        )
        .order_by("name")
    )
    return list_page(
        request,
        title=_("Data set design"),
        intro=_(
            "Define the forms kecamatan fill in: elements, checks and reporting periods. "
            "Changes stay in a draft until you publish them."
        ),
        table_class=DataSetTable,
        queryset=rows,
        sheet=DataSetSheet(request.user, policy, rows=rows),
        create_url=reverse("design-create"),
        create_label=_("New data set"),
        extra={
            "crumbs": [{"url": reverse("collection-home"), "label": _("Data collection")}],
        },
    )


# --- the data set ------------------------------------------------------------------------------


def _scope_region(request: HttpRequest) -> Region:
    policy = Policy.for_user(request.user)
    return get_object_or_404(Region, code=policy.scope)


def _pick(request: HttpRequest, form: DataSetForm) -> DataSetForm | None:
    """The no-script "all"/"none" buttons: the same form, every kecamatan ticked or none."""
    pick = request.POST.get("pick")
    if pick not in {"all", "none"}:
        return None
    data = request.POST.copy()
    data.setlist(
        "reporting_regions",
        [r.code for r in form.fields["reporting_regions"].queryset] if pick == "all" else [],  # type: ignore[attr-defined]
    )
    return DataSetForm(data, instance=form.instance, region=form.region)


def _dataset_form_page(
    request: HttpRequest,
    form: DataSetForm,
    dataset: DataSet | None,
    *,
    conflict: list[dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "collection/design_dataset_form.html",
        {
            "form": form,
            "dataset": dataset,
            "title": _("Change the data set") if dataset else _("New data set"),
            "conflict": conflict,
        },
        status=status,
    )


@login_required
def design_create(request: HttpRequest) -> HttpResponse:
    policy = _policy(request)
    region = _scope_region(request)
    if not policy.can_design(region):
        raise PermissionDenied
    form = DataSetForm(request.POST or None, region=region)
    if request.method == "POST":
        picked = _pick(request, form)
        if picked is not None:
            picked.errors.clear()
            return _dataset_form_page(request, picked, None)
        if form.is_valid():
            try:
                dataset = designer.create_dataset(
                    request.user,
                    region,
                    form.cleaned_data,
                    form.cleaned_data["reporting_regions"],
                )
            except (designer.DesignError, ValidationError) as exc:
                _service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Data set created as a draft. Add its elements, then publish it."),
                )
                return redirect("design-dataset", code=dataset.code)
        return _dataset_form_page(request, form, None, status=400)
    return _dataset_form_page(request, form, None)


@login_required
def design_edit(request: HttpRequest, code: str) -> HttpResponse:
    dataset = _dataset(request, code)
    form = DataSetForm(request.POST or None, instance=dataset, region=dataset.region)
    if request.method != "POST":
        return _dataset_form_page(request, form, dataset)
    picked = _pick(request, form)
    if picked is not None:
        picked.errors.clear()
        return _dataset_form_page(request, picked, dataset)
    if not form.is_valid():
        return _dataset_form_page(request, form, dataset, status=400)
    _saved, refused = _try_save(
        form,
        lambda: designer.update_dataset(
            dataset,
            request.user,
            form.cleaned_data,
            form.cleaned_data["reporting_regions"],
            expected_version=_version(request),
        ),
        lambda: DataSet.objects.get(pk=dataset.pk),
        functools.partial(_dataset_form_page, request, form, dataset),
    )
    if refused is not None:
        return refused
    messages.success(request, _("Data set saved."))
    return redirect("design-dataset", code=form.cleaned_data.get("code") or dataset.code)


@login_required
def design_dataset(request: HttpRequest, code: str) -> HttpResponse:
    """The design of one data set: its draft form, periods, and what publishing changes."""
    dataset = _dataset(request, code)
    kind = request.GET.get("unduh")
    if kind == "elemen":
        return export_response(ElementSheet(request.user), designer.draft_elements(dataset))
    if kind == "aturan":
        return export_response(RuleSheet(request.user), designer.draft_rules(dataset))
    if kind == "periode":
        return export_response(PeriodSheet(request.user), dataset.periods.order_by("code"))  # type: ignore[attr-defined]
    draft = dataset.draft_version
    changes = designer.draft_changes(dataset)
    changed = {e.pk for e in changes.changed_elements}
    periods = list(
        dataset.periods.annotate(n_subs=Count("submissions")).order_by("-code")  # type: ignore[attr-defined]
    )
    return render(
        request,
        "collection/design_dataset.html",
        {
            "dataset": dataset,
            "draft": draft,
            "elements": designer.draft_elements(dataset),
            "rules": designer.draft_rules(dataset),
            "changed_elements": changed,
            "changed_rules": {r.pk for r in changes.changed_rules},
            "changes": changes,
            "periods": periods,
            "regions": list(dataset.reporting_regions.order_by("code")),
            "today": timezone.localdate(),
            "can_unpublish": not designer.unpublish_refusal(dataset),
        },
    )


# --- elements --------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    dataset: DataSet,
    form: Any,
    title: str,
    *,
    conflict: list[dict[str, str]] | None = None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
    template: str = "collection/design_form.html",
) -> HttpResponse:
    return render(
        request,
        template,
        {"dataset": dataset, "form": form, "title": title, "conflict": conflict, **(extra or {})},
        status=status,
    )


def _try_save(
    form: Any,
    save: Callable[[], Any],
    stored: Callable[[], Any],
    page: Callable[..., HttpResponse],
) -> tuple[Any, HttpResponse | None]:
    """Run ``save`` (a designer service): ``(saved, None)``, or ``(None, the form page)``
    after a stale copy (409: what changed meanwhile, what was typed kept, the stored
    version taken) or a refused change (400: its errors on the form)."""
    try:
        return save(), None
    except ConflictError:
        current = stored()
        conflict = stale_changes(form, current)
        keep_typed(form, current.version)
        return None, page(conflict=conflict, status=409)
    except (designer.DesignError, ValidationError) as exc:
        _service_error(form, exc)
        return None, page(status=400)


@login_required
def element_form(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    dataset = _dataset(request, code)
    element = get_object_or_404(DataElement, pk=pk, dataset=dataset) if pk else None
    instance = element or DataElement(dataset=dataset, added_in=dataset.draft_version)
    if element is None and request.method != "POST":
        instance.sort_order = (
            max((e.sort_order for e in designer.draft_elements(dataset)), default=0) + 10
        )
    form = ElementForm(request.POST or None, instance=instance, dataset=dataset)
    title = _("Change the element") if element else _("New element")
    if element is not None and not element.in_force(dataset.draft_version):
        messages.info(request, _("This element is not on the draft form; restore it to change it."))
        return redirect(_overview_url(dataset, "elements"))
    if request.method != "POST":
        return _form_page(request, dataset, form, title)
    if not form.is_valid():
        return _form_page(request, dataset, form, title, status=400)
    saved, refused = _try_save(
        form,
        lambda: designer.save_element(
            dataset, request.user, element, form.cleaned_data, expected_version=_version(request)
        ),
        lambda: DataElement.objects.get(pk=element.pk),  # type: ignore[union-attr]
        functools.partial(_form_page, request, dataset, form, title),
    )
    if refused is not None:
        return refused
    if element is not None and saved.pk != element.pk:
        messages.success(
            request,
            _(
                "Saved in the draft. Periods already entered keep the published element until "
                "you publish."
            ),
        )
    else:
        messages.success(request, _("Element saved in the draft."))
    return redirect(_overview_url(dataset, "elements"))


@login_required
def element_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Take an element off the draft (confirmation first, no script needed)."""
    dataset = _dataset(request, code)
    element = get_object_or_404(DataElement, pk=pk, dataset=dataset)
    rules = designer.rules_using(dataset, element)
    published = element.added_in <= dataset.published_version or designer.has_data(element)
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            outcome = designer.remove_element(
                dataset, request.user, element, expected_version=_version(request)
            )
        except ConflictError:
            messages.error(request, _("Not done: the element changed after you opened it."))
        except designer.DesignError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Element retired in the draft; its data stays with the periods that used it.")
                if outcome == "retired"
                else _("Element deleted from the draft."),
            )
        return redirect(_overview_url(dataset, "elements"))
    question = (
        _(
            "Retire “%(name)s” from the next version of the form? Periods already entered "
            "keep it and its data; new periods will not ask for it."
        )
        if published
        else _("Delete “%(name)s” from the draft? It was never published.")
    ) % {"name": element.label}
    detail = ""
    if rules:
        detail = _("These rules go with it: %(rules)s") % {
            "rules": "; ".join(r.message or r.left.label for r in rules)
        }
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Retire an element") if published else _("Delete an element"),
            "question": question,
            "detail": detail,
            "version": element.version,
            "confirm_label": _("Retire") if published else _("Delete"),
            "back_url": _overview_url(dataset, "elements"),
        },
    )


@login_required
@require_POST
def element_restore(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    dataset = _dataset(request, code)
    element = get_object_or_404(DataElement, pk=pk, dataset=dataset)
    try:
        designer.restore_element(dataset, request.user, element, expected_version=_version(request))
    except ConflictError:
        messages.error(request, _("Not done: the element changed after you opened it."))
    except designer.DesignError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Element restored in the draft."))
    return redirect(_overview_url(dataset, "elements"))


# --- rules -----------------------------------------------------------------------------------


def _rule_check_html(request: HttpRequest, result: designer.RuleCheck | None) -> str:
    return render_to_string("collection/_rule_check.html", {"check": result}, request=request)


@login_required
def rule_form(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    """Add or change a rule; "Check" runs it on the last reported figures without saving."""
    dataset = _dataset(request, code)
    rule = get_object_or_404(ValidationRule, pk=pk, dataset=dataset) if pk else None
    instance = rule or ValidationRule(dataset=dataset, added_in=dataset.draft_version)
    form = RuleForm(request.POST or None, instance=instance, dataset=dataset)
    title = _("Change the rule") if rule else _("New validation rule")
    if rule is not None and not rule.in_force(dataset.draft_version):
        messages.info(request, _("This rule is not on the draft form."))
        return redirect(_overview_url(dataset, "rules"))
    extra: dict[str, Any] = {
        "check_url": reverse("design-rule-check", args=[dataset.code]),
        "check": None,
    }
    template = "collection/design_rule_form.html"
    if request.method != "POST":
        if rule is not None:
            extra["check"] = designer.check_rule(dataset, rule, form.elements)
        return _form_page(request, dataset, form, title, extra=extra, template=template)
    if not form.is_valid():
        return _form_page(request, dataset, form, title, status=400, extra=extra, template=template)
    if request.POST.get("do") == "check":
        extra["check"] = designer.check_rule(dataset, form.tentative(), form.elements)  # type: ignore[arg-type]
        return _form_page(request, dataset, form, title, extra=extra, template=template)
    _saved, refused = _try_save(
        form,
        lambda: designer.save_rule(
            dataset, request.user, rule, form.cleaned_data, expected_version=_version(request)
        ),
        lambda: ValidationRule.objects.get(pk=rule.pk),  # type: ignore[union-attr]
        functools.partial(
            _form_page, request, dataset, form, title, extra=extra, template=template
        ),
    )
    if refused is not None:
        return refused
    messages.success(request, _("Rule saved in the draft."))
    return redirect(_overview_url(dataset, "rules"))


@login_required
@require_POST
def rule_check(request: HttpRequest, code: str) -> JsonResponse:
    """The live check of the rule being typed: how many reporting regions' last figures would
    break it, and which (JSON, with the same HTML the "Check" button renders)."""
    dataset = _dataset(request, code)
    form = RuleForm(request.POST, dataset=dataset)
    rule = form.tentative()
    if rule is None:
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"ready": False, "errors": errors, "html": ""})
    result = designer.check_rule(dataset, rule, form.elements)
    return JsonResponse(
        {"ready": True, **result.as_dict(), "html": _rule_check_html(request, result)}
    )


@login_required
def rule_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    dataset = _dataset(request, code)
    rule = get_object_or_404(ValidationRule, pk=pk, dataset=dataset)
    published = rule.added_in <= dataset.published_version
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            designer.remove_rule(dataset, request.user, rule, expected_version=_version(request))
        except ConflictError:
            messages.error(request, _("Not done: the rule changed after you opened it."))
        except designer.DesignError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Rule retired in the draft.") if published else _("Draft rule deleted."),
            )
        return redirect(_overview_url(dataset, "rules"))
    name = rule.message or rule.left.label
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Retire a rule") if published else _("Delete a draft rule"),
            "question": (
                _("Retire the rule “%(name)s” from the next version of the form?")
                if published
                else _("Delete the draft rule “%(name)s”?")
            )
            % {"name": name},
            "detail": _("Periods already entered keep checking it.") if published else "",
            "version": rule.version,
            "confirm_label": _("Retire") if published else _("Delete"),
            "back_url": _overview_url(dataset, "rules"),
        },
    )


# --- periods ---------------------------------------------------------------------------------


@login_required
def period_form(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    dataset = _dataset(request, code)
    period = get_object_or_404(Period, pk=pk, dataset=dataset) if pk else None
    instance = period or Period(dataset=dataset)
    initial = None
    if period is None and request.method != "POST":
        initial = designer.suggested_period(dataset, timezone.localdate())
    form = PeriodForm(request.POST or None, instance=instance, dataset=dataset, initial=initial)
    title = _("Change the period") if period else _("Open a reporting period")
    if request.method != "POST":
        return _form_page(request, dataset, form, title)
    if not form.is_valid():
        return _form_page(request, dataset, form, title, status=400)
    _saved, refused = _try_save(
        form,
        lambda: designer.save_period(
            dataset, request.user, period, form.cleaned_data, expected_version=_version(request)
        ),
        lambda: Period.objects.get(pk=period.pk),  # type: ignore[union-attr]
        functools.partial(_form_page, request, dataset, form, title),
    )
    if refused is not None:
        return refused
    messages.success(request, _("Period saved."))
    return redirect(_overview_url(dataset, "periods"))


@login_required
def period_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    dataset = _dataset(request, code)
    period = get_object_or_404(Period, pk=pk, dataset=dataset)
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            designer.delete_period(
                dataset, request.user, period, expected_version=_version(request)
            )
        except ConflictError:
            messages.error(request, _("Not done: the period changed after you opened it."))
        except designer.DesignError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Period deleted."))
        return redirect(_overview_url(dataset, "periods"))
    period.dataset = dataset
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Delete a period"),
            "question": _("Delete the period %(period)s? Nobody has entered it yet.")
            % {"period": period.label},
            "version": period.version,
            "confirm_label": _("Delete"),
            "back_url": _overview_url(dataset, "periods"),
        },
    )


# --- preview and publishing --------------------------------------------------------------------


@login_required
def preview(request: HttpRequest, code: str) -> HttpResponse:
    """The entry form of the draft (or of ``?versi=N``) exactly as an operator sees it; typed
    figures are checked, never saved."""
    from sinergi.web.collection import views

    dataset = _dataset(request, code)
    raw = request.GET.get("versi", "")
    version = int(raw) if raw.isdigit() and 1 <= int(raw) <= dataset.draft_version else None
    version = version or dataset.draft_version
    today = timezone.localdate()
    suggestion = designer.suggested_period(dataset, today)
    latest = dataset.periods.order_by("-code").first()  # type: ignore[attr-defined]
    period = Period(
        dataset=dataset,
        code=latest.code if latest else suggestion["code"],
        opens_on=latest.opens_on if latest else suggestion["opens_on"],
        closes_on=latest.closes_on if latest else suggestion["closes_on"],
        form_version=version,
    )
    region = dataset.reporting_regions.order_by("code").first() or Region(
        code="00", name=_("Example kecamatan"), level="district"
    )
    elements = list(
        dataset.elements.filter(  # type: ignore[attr-defined]
            Q(added_in__lte=version) & (Q(retired_in__isnull=True) | Q(retired_in__gt=version))
        ).select_related("indicator")
    )
    if request.method == "POST":
        grid = EntryGrid.from_post(elements, request.POST)
        messages.info(request, _("Preview: the figures were checked; nothing was saved."))
    else:
        grid = EntryGrid.from_values(elements, {})
    return views.render_entry(
        request,
        Policy.for_user(request.user),
        period,
        region,
        None,
        grid,
        preview={
            "version": version,
            "draft": version == dataset.draft_version,
            "versions": list(range(1, dataset.draft_version + 1)),
        },
    )


@login_required
def publish(request: HttpRequest, code: str) -> HttpResponse:
    """What publishing changes (GET), and publishing it (POST)."""
    dataset = _dataset(request, code)
    changes = designer.draft_changes(dataset)
    if request.method == "POST":
        try:
            version = designer.publish(
                dataset, request.user, expected_token=request.POST.get("token", "")
            )
        except designer.DesignError as exc:
            messages.error(request, str(exc))
            return redirect("design-publish", code=dataset.code)
        messages.success(
            request,
            _(
                "Form version %(v)s published: periods nobody has entered yet use it; periods "
                "already entered keep their version."
            )
            % {"v": version},
        )
        return redirect("design-dataset", code=dataset.code)
    periods = list(
        dataset.periods.annotate(n_subs=Count("submissions")).order_by("-code")  # type: ignore[attr-defined]
    )
    return render(
        request,
        "collection/design_publish.html",
        {
            "dataset": dataset,
            "changes": changes,
            "draft": dataset.draft_version,
            "kept": [p for p in periods if p.form_version],
            "follow": [p for p in periods if not p.form_version],
            "n_elements": len(
                [e for e in designer.draft_elements(dataset) if e.in_force(dataset.draft_version)]
            ),
        },
    )


@login_required
def unpublish(request: HttpRequest, code: str) -> HttpResponse:
    """Withdraw the last published version (confirmation first)."""
    dataset = _dataset(request, code)
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            now = designer.unpublish(dataset, request.user, expected_version=_version(request))
        except ConflictError:
            messages.error(request, _("Not done: the data set changed after you opened it."))
        except designer.DesignError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Withdrawn: operators see version %(v)s again.") % {"v": now}
                if now
                else _("Withdrawn: the data set is a draft again and no operator sees it."),
            )
        return redirect("design-dataset", code=dataset.code)
    reason = designer.unpublish_refusal(dataset)
    if reason:
        messages.error(request, reason)
        return redirect("design-dataset", code=dataset.code)
    return render(
        request,
        "core/confirm.html",
        {
            "title": _("Withdraw version %(v)s") % {"v": dataset.published_version},
            "question": _(
                "Withdraw form version %(v)s? Nobody has entered it yet; its changes go back "
                "into the draft."
            )
            % {"v": dataset.published_version},
            "detail": _("Operators will see version %(v)s again.")
            % {"v": dataset.published_version - 1}
            if dataset.published_version > 1
            else _("No operator will see the data set until it is published again."),
            "version": dataset.version,
            "confirm_label": _("Withdraw this version"),
            "back_url": _overview_url(dataset),
        },
    )
