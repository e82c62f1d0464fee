"""Pages where Bappeda keeps the indicator catalogue, a region's values and its targets.

Every page asks :class:`~sinergi.web.indicators.policy.IndicatorPolicy` (the rules the
API follows) and writes through :mod:`.services` / :mod:`.actions`, which validate,
audit and lock. The views only look up, check, call and render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from sinergi.web.core.lists import (
    display,
    export_response,
    import_page,
    keep_typed,
    list_page,
    parse_decimal,
    stale_changes,
)
from sinergi.web.indicators import actions, services
from sinergi.web.indicators.choices import PlanLevel
from sinergi.web.indicators.forms import (
    IndicatorForm,
    TargetChooser,
    ValueCorrectionForm,
    ValueEntryForm,
)
from sinergi.web.indicators.models import Indicator, IndicatorValue, Target
from sinergi.web.indicators.policy import IndicatorPolicy
from sinergi.web.indicators.services import ConflictError
from sinergi.web.indicators.tables import (
    IndicatorFilter,
    IndicatorSheet,
    IndicatorTable,
    TargetSheet,
    ValueFilter,
    ValueSheet,
    ValueTable,
    validate_target,
)
from sinergi.web.regions.models import Region

# --- the catalogue ---------------------------------------------------------------------------


def _catalogue_policy(request: HttpRequest, *, edit: bool = False) -> IndicatorPolicy:
    policy = IndicatorPolicy.for_user(request.user)
    if not policy.can_read_catalogue or (edit and not policy.can_edit_catalogue):
        raise PermissionDenied(
            _("Only a national or provincial Bappeda administrator may change the catalogue.")
        )
    return policy


def _catalogue_crumbs() -> list[dict[str, str]]:
    return [{"url": reverse("plan-indicators"), "label": _("Indicator catalogue")}]


def _catalogue_changes(form: IndicatorForm, stored: Indicator) -> list[dict[str, str]]:
    """:func:`stale_changes` with the grades compared as the text the form shows (the
    helper compares list fields as sets of hashable items, which bands are not)."""
    typed = {**form.cleaned_data, "grades": actions.grades_text(form.cleaned_data["grades"])}
    shown = SimpleNamespace(**{name: getattr(stored, name) for name in IndicatorForm.Meta.fields})
    shown.grades = actions.grades_text(stored.grades)
    view = SimpleNamespace(cleaned_data=typed, fields=form.fields, data=form.data)
    return stale_changes(view, shown)  # type: ignore[arg-type]


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    policy = _catalogue_policy(request)
    filterset = IndicatorFilter(request.GET or None, queryset=Indicator.objects.all())
    can_edit = policy.can_edit_catalogue
    return list_page(
        request,
        title=_("Indicator catalogue"),
        table_class=IndicatorTable,
        filterset=filterset,
        sheet=IndicatorSheet(request.user, policy),
        create_url=reverse("plan-indicator-create") if can_edit else None,
        create_label=_("Add an indicator"),
        import_url=reverse("plan-indicators-import") if can_edit else None,
        intro=_(
            "The indicators every region's dashboard reports. The catalogue is shared by all "
            "regions: a national or provincial Bappeda administrator changes it."
        ),
    )


@login_required
def catalogue_import(request: HttpRequest) -> HttpResponse:
    policy = _catalogue_policy(request, edit=True)
    return import_page(
        request, IndicatorSheet(request.user, policy), back_url=reverse("plan-indicators")
    )


@login_required
def indicator_edit(request: HttpRequest, indicator: str | None = None) -> HttpResponse:
    policy = _catalogue_policy(request)
    obj = get_object_or_404(Indicator, code=indicator) if indicator else None
    if obj is None and not policy.can_edit_catalogue:
        raise PermissionDenied
    can_edit = policy.can_edit_catalogue
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    initial = {"version": actions.fingerprint(obj)} if obj is not None else {}
    form = IndicatorForm(request.POST or None, instance=obj, initial=initial)
    if not can_edit:
        for form_field in form.fields.values():
            form_field.disabled = True
    conflict = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved, changed = actions.save_indicator(
                    obj,
                    request.user,
                    expected=form.cleaned_data["version"] or None if obj else None,
                    **form.values(),
                )
            except ValidationError as exc:
                for name, texts in exc.message_dict.items():
                    for text in texts:
                        form.add_error(name if name in form.fields else None, text)
                status = 400
            except ConflictError as exc:
                assert obj is not None
                stored = Indicator.objects.get(pk=obj.pk)
                conflict = _catalogue_changes(form, stored)
                # The fingerprint serves as the form's version.
                keep_typed(form, exc.current_version)  # type: ignore[arg-type]
                status = 409
            else:
                if changed:
                    messages.success(request, _("Saved %(name)s.") % {"name": saved.name})
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("plan-indicator-edit", saved.code)
        else:
            status = 400
    title = obj.name if obj is not None else _("New indicator")
    return render(
        request,
        "indicators/manage/indicator_form.html",
        {
            "title": title,
            "form": form,
            "indicator": obj,
            "can_edit": can_edit,
            "conflict": conflict,
            "crumbs": _catalogue_crumbs(),
        },
        status=status,
    )


# --- values of a region ----------------------------------------------------------------------


def _editor(request: HttpRequest) -> AbstractBaseUser | None:
    """The signed-in user the services record as the editor (the pages require a login)."""
    return request.user if isinstance(request.user, AbstractBaseUser) else None


def _region_policy(request: HttpRequest, code: str) -> tuple[Region, IndicatorPolicy]:
    region = get_object_or_404(Region, code=code)
    policy = IndicatorPolicy.for_user(request.user)
    if not policy.can_manage(region.code):
        raise PermissionDenied(
            _("Only a Bappeda administrator of %(region)s may manage its values and targets.")
            % {"region": region.name}
        )
    return region, policy


def _region_crumbs(region: Region) -> list[dict[str, str]]:
    return [{"url": reverse("region-dashboard", args=[region.code]), "label": region.name}]


@login_required
def values(request: HttpRequest, code: str) -> HttpResponse:
    region, policy = _region_policy(request, code)
    queryset = (
        IndicatorValue.objects.filter(region=region)
        .select_related("indicator")
        .order_by("indicator__sort_order", "year", "quarter", "month", "id")
    )
    filterset = ValueFilter(request.GET or None, queryset=queryset)
    return list_page(
        request,
        title=_("Indicator values of %(region)s") % {"region": region.name},
        table_class=ValueTable,
        filterset=filterset,
        sheet=ValueSheet(request.user, policy, region=region),
        create_url=reverse("plan-value-create", args=[region.code]),
        create_label=_("Enter a value"),
        import_url=reverse("plan-values-import", args=[region.code]),
        intro=_(
            "Every figure the dashboard shows for this region. Open a value to correct it: "
            "the earlier figure is kept in its history with your reason."
        ),
        extra={
            "crumbs": _region_crumbs(region),
            "targets_url": reverse("plan-targets", args=[region.code]),
        },
        template="indicators/manage/values.html",
    )


@login_required
def values_import(request: HttpRequest, code: str) -> HttpResponse:
    region, policy = _region_policy(request, code)
    return import_page(
        request,
        ValueSheet(request.user, policy, region=region),
        back_url=reverse("plan-values", args=[region.code]),
    )


def _value_fields(data: dict[str, Any]) -> dict[str, Any]:
    se = data.get("se")
    return {
        "se": float(se) if se is not None else None,
        "status": data["status"],
        "source": data["source"],
    }


@login_required
def value_create(request: HttpRequest, code: str) -> HttpResponse:
    region, _policy = _region_policy(request, code)
    initial = {"indicator": request.GET.get("indikator"), "status": "final"}
    form = ValueEntryForm(request.POST or None, initial=initial)
    existing = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            lookup: dict[str, Any] = {
                "indicator": data["indicator"],
                "region": region,
                "period": data["period"],
            }
            if not data["period"]:
                lookup["note"] = data["note"]
            existing = IndicatorValue.objects.filter(**lookup).first()
            if existing is not None:
                form.add_error(
                    "period",
                    _(
                        "This indicator already has a value for this period. Open it to "
                        "correct it (the correction keeps the earlier figure)."
                    ),
                )
                status = 400
            else:
                obj, _changed = services.record_value(
                    indicator=data["indicator"],
                    region=region,
                    period=data["period"],
                    value=data["value"],
                    user=_editor(request),
                    note=data["note"],
                    **_value_fields(data),
                )
                messages.success(request, _("Saved the value."))
                return redirect("plan-value", region.code, obj.pk)
        else:
            status = 400
    return render(
        request,
        "indicators/manage/value_form.html",
        {
            "title": _("Enter a value for %(region)s") % {"region": region.name},
            "region": region,
            "form": form,
            "existing": existing,
            "crumbs": [
                *_region_crumbs(region),
                {"url": reverse("plan-values", args=[region.code]), "label": _("Values")},
            ],
        },
        status=status,
    )


@login_required
def value_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    region, _policy = _region_policy(request, code)
    value = get_object_or_404(
        IndicatorValue.objects.select_related("indicator", "updated_by"), pk=pk, region=region
    )
    initial = {
        "value": value.value,
        "se": value.se,
        "status": value.status,
        "source": value.source,
        "note": value.note,
        "version": value.version,
    }
    form = ValueCorrectionForm(request.POST or None, initial=initial)
    if not value.period:
        # The note tells apart values without a period: it identifies this one.
        form.fields["note"].disabled = True
    conflict = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            fields = _value_fields(data)
            if fields["status"] == value.status:
                del fields["status"]  # a changed figure becomes "revised" unless chosen
            if value.period:
                fields["note"] = data["note"]
            else:
                fields["note"] = value.note
            try:
                obj, changed = services.record_value(
                    indicator=value.indicator,
                    region=region,
                    period=value.period,
                    value=data["value"],
                    user=_editor(request),
                    expected_version=data["version"],
                    reason=data["reason"],
                    **fields,
                )
            except ConflictError:
                stored = IndicatorValue.objects.get(pk=value.pk)
                conflict = stale_changes(form, stored)
                keep_typed(form, stored.version)
                value = stored
                status = 409
            else:
                if changed:
                    messages.success(
                        request, _("Saved the correction; the earlier figure is kept below.")
                    )
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("plan-value", region.code, obj.pk)
        else:
            status = 400
    revisions = value.revisions.select_related("recorded_by", "replaced_by").order_by("-version")
    return render(
        request,
        "indicators/manage/value_detail.html",
        {
            "title": value.history_title(),
            "region": region,
            "value": value,
            "form": form,
            "conflict": conflict,
            "revisions": revisions,
            "crumbs": [
                *_region_crumbs(region),
                {"url": reverse("plan-values", args=[region.code]), "label": _("Values")},
            ],
        },
        status=status,
    )


# --- the targets grid ------------------------------------------------------------------------


@dataclass
class Cell:
    indicator: Indicator
    year: int
    target: Target | None
    typed: str = ""
    original: str = ""
    version: str = ""
    error: str = ""
    stale: str = ""  # the value saved meanwhile, shown beside what was typed
    value: Decimal | None = None

    @property
    def key(self) -> str:
        return f"{self.indicator.pk}_{self.year}"

    @property
    def changed(self) -> bool:
        return self.typed.strip() != self.original.strip()

    @property
    def label(self) -> str:
        return f"{self.indicator.name}, {self.year}"


@dataclass
class Grid:
    region: Region
    level: str
    document: str
    years: list[int]
    rows: list[tuple[Indicator, list[Cell]]] = field(default_factory=list)

    def cells(self) -> list[Cell]:
        return [c for _i, cells in self.rows for c in cells]


def _shown(value: Decimal | None) -> str:
    return "" if value is None else display(value)


def _load_grid(region: Region, level: str, document: str, years: list[int]) -> Grid:
    grid = Grid(region, level, document, years)
    stored = {
        (t.indicator_id, t.year): t
        for t in Target.objects.filter(
            region=region, plan_level=level, year__in=years
        ).select_related("indicator")
    }
    for indicator in Indicator.objects.all():
        cells = []
        for year in years:
            target = stored.get((indicator.pk, year))
            text = _shown(target.value if target else None)
            cells.append(
                Cell(
                    indicator,
                    year,
                    target,
                    typed=text,
                    original=text,
                    version=str(target.version) if target else "",
                )
            )
        grid.rows.append((indicator, cells))
    return grid


YEARS_IN_NAME = re.compile(r"(?P<start>(?:19|20)\d\d)\s*[-–]\s*(?P<end>(?:19|20)\d\d)")


def _chooser(request: HttpRequest, region: Region) -> TargetChooser:
    source = request.POST if request.method == "POST" else request.GET
    level = services.plan_level_for(region)
    this_year = timezone.localdate().year
    defaults = {"level": level, "year_from": this_year, "year_to": this_year + 4}
    data = {
        k: source.get(k, defaults.get(k, "")) for k in ("level", "document", "year_from", "year_to")
    }
    if not source.get("document") and "level" not in source:
        common = (
            Target.objects.filter(region=region, plan_level=data["level"])
            .exclude(plan_document="")
            .values("plan_document")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        data["document"] = common["plan_document"] if common else ""
    span = YEARS_IN_NAME.search(str(data["document"]))
    if span and "year_from" not in source and "year_to" not in source:
        # "RPJMD 2025-2029" names its own years.
        data["year_from"], data["year_to"] = span["start"], span["end"]
    return TargetChooser(data)


class _Stale(Exception):
    pass


def _save_grid(grid: Grid, user: Any) -> tuple[int, int]:
    """Apply every changed cell in one transaction; any stale cell rolls all of it back
    (``_Stale``), its current value and version copied into the cell."""
    saved = deleted = 0
    with transaction.atomic():
        stale = False
        changes = [c for c in grid.cells() if c.changed]
        current = {
            (t.indicator_id, t.year): t
            for t in Target.objects.select_for_update().filter(
                region=grid.region,
                plan_level=grid.level,
                year__in=[c.year for c in changes] or [0],
                indicator_id__in=[c.indicator.pk for c in changes] or [0],
            )
        }
        for cell in changes:
            now = current.get((cell.indicator.pk, cell.year))
            expected = int(cell.version) if cell.version else None
            if (now.version if now else None) != expected:
                cell.stale = _shown(now.value) if now else "–"
                cell.version = str(now.version) if now else ""
                cell.original = _shown(now.value) if now else ""
                cell.target = now
                stale = True
        if stale:
            raise _Stale
        for cell in changes:
            now = current.get((cell.indicator.pk, cell.year))
            try:
                if cell.value is None:
                    if now is not None:
                        actions.delete_target(now, user, expected_version=now.version)
                        deleted += 1
                    continue
                fields: dict[str, Any] = {"plan_document": grid.document}
                services.set_target(
                    indicator=cell.indicator,
                    region=grid.region,
                    plan_level=grid.level,
                    year=cell.year,
                    value=cell.value,
                    user=user,
                    expected_version=now.version if now else None,
                    **fields,
                )
                saved += 1
            except ConflictError:
                cell.stale = "?"
                raise _Stale from None
    return saved, deleted


@login_required
def targets(request: HttpRequest, code: str) -> HttpResponse:
    region, _policy = _region_policy(request, code)
    chooser = _chooser(request, region)
    context: dict[str, Any] = {
        "title": _("Targets of %(region)s") % {"region": region.name},
        "region": region,
        "chooser": chooser,
        "crumbs": _region_crumbs(region),
        "values_url": reverse("plan-values", args=[region.code]),
        "export_url": reverse("plan-targets-export", args=[region.code]),
        "import_url": reverse("plan-targets-import", args=[region.code]),
    }
    if not chooser.is_valid():
        return render(request, "indicators/manage/targets.html", context, status=400)
    level = chooser.cleaned_data["level"]
    document = chooser.cleaned_data["document"].strip()
    years = list(range(chooser.cleaned_data["year_from"], chooser.cleaned_data["year_to"] + 1))
    grid = _load_grid(region, level, document, years)
    context["grid"] = grid
    context["level_label"] = PlanLevel(level).label
    if request.method != "POST":
        return render(request, "indicators/manage/targets.html", context)

    errors: list[Cell] = []
    for cell in grid.cells():
        cell.typed = request.POST.get(f"c_{cell.key}", "").strip()
        cell.original = request.POST.get(f"o_{cell.key}", cell.original)
        cell.version = request.POST.get(f"v_{cell.key}", cell.version)
        if not cell.changed or not cell.typed:
            continue
        try:
            cell.value = parse_decimal(cell.typed)
            validate_target({"value": cell.value})
        except ValueError as exc:
            cell.error = str(exc)
        except ValidationError as exc:
            cell.error = " ".join(exc.messages)
        if cell.error:
            errors.append(cell)
    context["errors"] = errors
    if errors:
        return render(request, "indicators/manage/targets.html", context, status=400)
    deletions = [c for c in grid.cells() if c.changed and not c.typed and c.version]
    if deletions and request.POST.get("confirm_delete") != "1":
        context["deletions"] = deletions
        return render(request, "indicators/manage/targets.html", context)
    try:
        saved, deleted = _save_grid(grid, _editor(request))
    except _Stale:
        context["stale"] = [c for c in grid.cells() if c.stale]
        return render(request, "indicators/manage/targets.html", context, status=409)
    if saved or deleted:
        messages.success(
            request,
            _("Saved %(saved)s targets, deleted %(deleted)s.")
            % {"saved": saved, "deleted": deleted},
        )
    else:
        messages.info(request, _("Nothing changed."))
    query = urlencode(
        {"level": level, "document": document, "year_from": years[0], "year_to": years[-1]}
    )
    return redirect(f"{reverse('plan-targets', args=[region.code])}?{query}")


@login_required
def targets_export(request: HttpRequest, code: str) -> HttpResponse:
    region, policy = _region_policy(request, code)
    sheet = TargetSheet(request.user, policy, region=region)
    rows = sheet.queryset()
    if request.GET.get("level"):
        rows = rows.filter(plan_level=request.GET["level"])
    return export_response(sheet, rows)


@login_required
def targets_import(request: HttpRequest, code: str) -> HttpResponse:
    region, policy = _region_policy(request, code)
    return import_page(
        request,
        TargetSheet(request.user, policy, region=region),
        back_url=reverse("plan-targets", args=[region.code]),
    )
