"""Lists of the planning pages: filters, tables and their XLSX sheets (flagships, activities)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.web.accounts.models import Agency
from sinergi.web.core.formatting import number
from sinergi.web.core.lists import Column, SearchFilterSet, Sheet, SinergiTable
from sinergi.web.programs import services
from sinergi.web.programs.choices import FundingSource, NomenclatureLevel
from sinergi.web.programs.models import Activity, Budget, FlagshipProgramme, Nomenclature
from sinergi.web.programs.policy import MonevPolicy
from sinergi.web.regions.models import Region


def _region_code(request: Any) -> str:
    return str(request.resolver_match.kwargs["code"]) if request is not None else ""


def _agencies(request: Any) -> QuerySet[Agency]:
    return Agency.objects.filter(region_id=_region_code(request))


def _flagships(request: Any) -> QuerySet[FlagshipProgramme]:
    return FlagshipProgramme.objects.filter(region_id=_region_code(request))


# --- flagship programmes -------------------------------------------------------------------


class FlagshipFilter(SearchFilterSet):
    search_fields = ("slug", "name", "goal")
    year = django_filters.NumberFilter(label=gettext_lazy("Runs in year"), method="in_year")
    coordinator = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Coordinating agency"), queryset=_agencies
    )

    class Meta:
        model = FlagshipProgramme
        fields = ["q", "year", "coordinator"]

    def in_year(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(year_start__lte=value, year_end__gte=value)


class FlagshipTable(SinergiTable):
    name = tables.Column(
        verbose_name=gettext_lazy("Name"),
        linkify=lambda record: reverse("plan-flagship-edit", args=[record.region_id, record.pk]),
    )
    slug = tables.Column(verbose_name=gettext_lazy("Short code"))
    years = tables.Column(
        verbose_name=gettext_lazy("Years"), accessor="year_start", order_by=("year_start",)
    )
    coordinator = tables.Column(verbose_name=gettext_lazy("Coordinating agency"))
    n_activities = tables.Column(
        verbose_name=gettext_lazy("Activities"), attrs={"td": {"class": "num"}}
    )

    class Meta(SinergiTable.Meta):
        model = FlagshipProgramme
        fields = ["name", "slug", "years", "coordinator", "n_activities"]
        order_by = ("-year_start", "name")

    def render_years(self, record: FlagshipProgramme) -> str:
        return f"{record.year_start}–{record.year_end}"


def agency_by_code(region_code: str) -> Any:
    def parse(cell: Any) -> Agency:
        text = str(cell).strip()
        found = Agency.objects.filter(region_id=region_code).filter(
            Q(code=text) | Q(short_name__iexact=text) | Q(name__iexact=text)
        )
        agency = found.first()
        if agency is None:
            raise ValueError(_("No agency %(code)s in this region.") % {"code": text})
        return agency

    return parse


class FlagshipSheet(Sheet):
    title = gettext_lazy("Flagship programmes")
    model = FlagshipProgramme

    def __init__(self, user: Any, policy: MonevPolicy, *, region: Region) -> None:
        super().__init__(user, policy, region=region)
        self.region = region
        self.columns = [  # type: ignore[misc]  # per region (agency codes)
            Column("slug", gettext_lazy("Short code"), required=True, width=22),
            Column("name", gettext_lazy("Name"), required=True, width=40),
            Column("goal", gettext_lazy("Goal"), width=40),
            Column("year_start", gettext_lazy("From year"), kind="int", required=True),
            Column("year_end", gettext_lazy("To year"), kind="int", required=True),
            Column(
                "coordinator",
                gettext_lazy("Coordinating agency"),
                kind="ref",
                get=lambda f: f.coordinator.code if f.coordinator else "",
                parse=agency_by_code(region.code),
            ),
        ]

    def queryset(self) -> QuerySet[FlagshipProgramme]:
        return FlagshipProgramme.objects.filter(region=self.region).select_related("coordinator")

    def can_write(self, obj: Any, values: dict[str, Any]) -> bool:
        return bool(self.policy.can_plan(self.region.code))

    def save(self, obj: Any, values: dict[str, Any], *, version: int | None) -> Any:
        if obj is None:
            return services.create(FlagshipProgramme, self.user, region=self.region, **values)
        return services.update(obj, self.user, expected_version=version, **values)[0]


# --- activities ----------------------------------------------------------------------------


class ActivityFilter(SearchFilterSet):
    search_fields = ("code", "name", "location")
    year = django_filters.NumberFilter(label=gettext_lazy("Budget year"))
    agency = django_filters.ModelChoiceFilter(label=gettext_lazy("Agency"), queryset=_agencies)
    flagship = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Flagship programme"), queryset=_flagships
    )

    class Meta:
        model = Activity
        fields = ["q", "year", "agency", "flagship"]


class ActivityTable(SinergiTable):
    code = tables.Column(verbose_name=gettext_lazy("Code"))
    name = tables.Column(
        verbose_name=gettext_lazy("Name"),
        linkify=lambda record: reverse("plan-activity-edit", args=[record.pk]),
    )
    year = tables.Column(verbose_name=gettext_lazy("Year"))
    agency = tables.Column(verbose_name=gettext_lazy("Agency"), order_by=("agency__name",))
    flagship = tables.Column(verbose_name=gettext_lazy("Flagship programme"))
    total_budget = tables.Column(
        verbose_name=gettext_lazy("Budget (Rp)"), attrs={"td": {"class": "num"}}
    )
    n_plans = tables.Column(
        verbose_name=gettext_lazy("Quarters planned"), attrs={"td": {"class": "num"}}
    )

    class Meta(SinergiTable.Meta):
        model = Activity
        fields = ["code", "name", "year", "agency", "flagship", "total_budget", "n_plans"]
        order_by = ("agency", "code")

    def render_total_budget(self, value: Decimal | None) -> str:
        return number(value, 0)


def activity_rows(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    """Activities with what their list shows (one query, no N+1)."""
    totals = (
        Budget.objects.filter(activity=OuterRef("pk"))
        .values("activity")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return queryset.select_related("agency", "flagship", "nomenclature").annotate(
        total_budget=Subquery(totals), n_plans=Count("plans", distinct=True)
    )


def flagship_rows(queryset: QuerySet[FlagshipProgramme]) -> QuerySet[FlagshipProgramme]:
    return queryset.select_related("coordinator").annotate(n_activities=Count("activities"))


def nomenclature_by_code(cell: Any) -> Nomenclature:
    text = str(cell).strip()
    found = Nomenclature.objects.filter(code=text, level=NomenclatureLevel.SUB_KEGIATAN).first()
    if found is None:
        raise ValueError(_("%(code)s is not a sub-kegiatan of the nomenclature.") % {"code": text})
    return found


def flagship_by_slug(region_code: str) -> Any:
    def parse(cell: Any) -> FlagshipProgramme:
        text = str(cell).strip()
        found = FlagshipProgramme.objects.filter(region_id=region_code, slug=text).first()
        if found is None:
            raise ValueError(_("No flagship programme %(slug)s in this region.") % {"slug": text})
        return found

    return parse


def _budget_getter(source: str) -> Any:
    def get(activity: Activity) -> Decimal | None:
        for budget in activity.budgets.all():
            if budget.source == source:
                return budget.amount
        return None

    return get


class ActivitySheet(Sheet):
    """Activities with one budget column per funding source (an empty cell: no budget)."""

    title = gettext_lazy("Activities")
    model = Activity

    def __init__(self, user: Any, policy: MonevPolicy, *, region: Region) -> None:
        super().__init__(user, policy, region=region)
        self.region = region
        self.columns = [  # type: ignore[misc]  # per region (agency codes)
            Column("year", gettext_lazy("Budget year"), kind="int", required=True),
            Column("code", gettext_lazy("Code"), required=True, width=22),
            Column(
                "nomenclature",
                gettext_lazy("Sub-kegiatan"),
                required=True,
                get=lambda a: a.nomenclature.code,
                parse=nomenclature_by_code,
                width=22,
            ),
            Column("name", gettext_lazy("Name"), required=True, width=40),
            Column(
                "agency",
                gettext_lazy("Agency"),
                required=True,
                get=lambda a: a.agency.code,
                parse=agency_by_code(region.code),
            ),
            Column(
                "flagship",
                gettext_lazy("Flagship programme"),
                kind="ref",
                get=lambda a: a.flagship.slug if a.flagship else "",
                parse=flagship_by_slug(region.code),
            ),
            Column("location", gettext_lazy("Location"), width=24),
            Column("start_date", gettext_lazy("Start"), kind="date", width=12),
            Column("end_date", gettext_lazy("End"), kind="date", width=12),
            *(
                Column(
                    f"budget_{source}",
                    gettext_lazy("Budget %(source)s (Rp)") % {"source": label},
                    kind="decimal",
                    get=_budget_getter(source),
                )
                for source, label in FundingSource.choices
            ),
        ]

    def queryset(self) -> QuerySet[Activity]:
        return (
            Activity.objects.filter(region=self.region)
            .select_related("agency", "flagship", "nomenclature")
            .prefetch_related("budgets")
        )

    def can_write(self, obj: Any, values: dict[str, Any]) -> bool:
        return bool(self.policy.can_plan(self.region.code))

    def save(self, obj: Any, values: dict[str, Any], *, version: int | None) -> Any:
        fields = {k: v for k, v in values.items() if not k.startswith("budget_")}
        budgets = {k[len("budget_") :]: v for k, v in values.items() if k.startswith("budget_")}
        if obj is None:
            activity = services.create(Activity, self.user, region=self.region, **fields)
        else:
            activity, _changed = services.update(obj, self.user, expected_version=version, **fields)
        stored = {b.source: b for b in Budget.objects.filter(activity=activity)}
        for source, amount in budgets.items():
            current = stored.get(source)
            if amount is None:
                if current is not None:
                    services.delete(current, self.user)
            elif current is None or current.amount != amount:
                services.set_budget(
                    activity,
                    source,
                    amount,
                    user=self.user,
                    note=current.note if current else "",
                    expected_version=current.version if current else None,
                )
        return activity
