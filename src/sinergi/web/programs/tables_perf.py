"""Tables and XLSX sheets of the performance-indicator and non-APBD proposal lists."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.web.accounts.models import Agency
from sinergi.web.core.formatting import number
from sinergi.web.core.lists import Column, Sheet, SinergiTable
from sinergi.web.indicators.models import Indicator
from sinergi.web.programs import services
from sinergi.web.programs.choices import IndicatorLevel, Polarity, RkpdStatus
from sinergi.web.programs.models import (
    Activity,
    FlagshipProgramme,
    Nomenclature,
    NonApbdProposal,
    PerformanceIndicator,
)
from sinergi.web.programs.policy import MonevPolicy
from sinergi.web.programs.services_perf import (
    NON_APBD_SOURCES,
    save_indicator,
    save_proposal,
)
from sinergi.web.regions.models import Region

QUARTER_LABELS = (
    gettext_lazy("Target Q1"),
    gettext_lazy("Target Q2"),
    gettext_lazy("Target Q3"),
    gettext_lazy("Target Q4"),
)


def _figure(value: Any) -> str:
    return services.output_number(value)


# --- tables ----------------------------------------------------------------------------------


class PerformanceIndicatorTable(SinergiTable):
    name = tables.Column(verbose_name=gettext_lazy("Indicator"), linkify=False)
    year = tables.Column(verbose_name=gettext_lazy("Year"), attrs={"td": {"class": "num"}})
    level = tables.Column(verbose_name=gettext_lazy("Level"))
    owner = tables.Column(
        verbose_name=gettext_lazy("Programme / activity"),
        accessor="code",
        order_by=("activity__code", "programme__code"),
    )
    agency = tables.Column(verbose_name=gettext_lazy("Agency"), order_by=("agency__name",))
    target = tables.Column(
        verbose_name=gettext_lazy("Year target"),
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    quarters = tables.Column(
        verbose_name=gettext_lazy("Q1–Q4 targets"), accessor="code", orderable=False
    )
    regional_indicator = tables.Column(
        verbose_name=gettext_lazy("Regional indicator"), order_by=("regional_indicator__code",)
    )

    class Meta(SinergiTable.Meta):
        model = PerformanceIndicator
        fields = ()
        sequence = (
            "name",
            "year",
            "level",
            "owner",
            "agency",
            "target",
            "quarters",
            "regional_indicator",
        )
        order_by = ("level", "code")

    def render_name(self, record: PerformanceIndicator) -> str:
        return format_html(
            '<a href="{}">{}</a><div class="small muted">{}</div>',
            reverse("plan-perf-edit", args=[record.pk]),
            record.name,
            record.code,
        )

    def render_owner(self, record: PerformanceIndicator) -> str:
        if record.activity is not None:
            return format_html('<span class="small">{}</span>', str(record.activity))
        if record.programme is not None:
            return format_html(
                '<span class="small">{} {}</span>', record.programme.code, record.programme.name
            )
        return "–"

    def render_agency(self, record: PerformanceIndicator) -> str:
        return record.agency.short_name or record.agency.name if record.agency else "–"

    def render_target(self, record: PerformanceIndicator) -> str:
        return f"{_figure(record.target)} {record.unit}"

    def render_quarters(self, record: PerformanceIndicator) -> str:
        quarters = [record.quarter_target(q) for q in (1, 2, 3, 4)]
        if all(q is None for q in quarters):
            return "–"
        return " · ".join(_figure(q) for q in quarters)


class ProposalTable(SinergiTable):
    title = tables.Column(verbose_name=gettext_lazy("Proposal"))
    agency = tables.Column(verbose_name=gettext_lazy("Agency (OPD)"), order_by=("agency__name",))
    rkpd_year = tables.Column(
        verbose_name=gettext_lazy("RKPD year"), attrs={"td": {"class": "num"}}
    )
    estimated_cost = tables.Column(
        verbose_name=gettext_lazy("Estimated cost (Rp)"),
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    source = tables.Column(verbose_name=gettext_lazy("Proposed financing"))
    status = tables.Column(verbose_name=gettext_lazy("RKPD status"))

    class Meta(SinergiTable.Meta):
        model = NonApbdProposal
        fields = ()
        sequence = ("title", "agency", "rkpd_year", "estimated_cost", "source", "status")
        order_by = ("-rkpd_year", "title")

    def render_title(self, record: NonApbdProposal) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("plan-proposal-edit", args=[record.pk]), record.title
        )

    def render_agency(self, record: NonApbdProposal) -> str:
        return record.agency.short_name or record.agency.name

    def render_estimated_cost(self, record: NonApbdProposal) -> str:
        return number(record.estimated_cost, 0)

    def render_status(self, record: NonApbdProposal) -> str:
        return format_html(
            '<span class="badge rkpd-{}">{}</span>{}',
            record.status,
            record.get_status_display(),
            format_html('<div class="small muted">{}</div>', record.status_note)
            if record.status_note
            else "",
        )


# --- cells -----------------------------------------------------------------------------------


def _programme(cell: Any) -> Nomenclature:
    code = str(cell).strip().split(" ")[0]
    found = Nomenclature.objects.filter(code=code).first()
    if found is None:
        raise ValueError(_("No programme with code %(code)s in the nomenclature.") % {"code": code})
    return found


def _indicator(cell: Any) -> Indicator:
    found = Indicator.objects.filter(code=str(cell).strip()).first()
    if found is None:
        raise ValueError(_("No regional indicator with code %(code)s.") % {"code": cell})
    return found


class _AgencyParser:
    def __init__(self, region_code: str) -> None:
        self.region_code = region_code

    def __call__(self, cell: Any) -> Agency:
        found = Agency.objects.filter(region_id=self.region_code, code=str(cell).strip()).first()
        if found is None:
            raise ValueError(_("No agency with code %(code)s in this region.") % {"code": cell})
        return found


def _code_of(related: Any) -> str:
    return related.code if related is not None else ""


# --- sheets ----------------------------------------------------------------------------------


class PerformanceIndicatorSheet(Sheet):
    """Outcomes and outputs of a region; activities and outcomes are named by their codes."""

    title = gettext_lazy("Performance indicators")
    model = PerformanceIndicator

    def __init__(self, user: Any, policy: MonevPolicy, *, region: Region) -> None:
        super().__init__(user, policy, region=region)
        self.region = region
        self.columns = [  # type: ignore[misc]  # per region (agency codes)
            Column("year", gettext_lazy("Year"), kind="int", required=True, width=8),
            Column("level", gettext_lazy("Level"), choices=IndicatorLevel.choices, required=True),
            Column("code", gettext_lazy("Code"), width=22),
            Column("name", gettext_lazy("Name"), required=True, width=40),
            Column("unit", gettext_lazy("Unit"), required=True, width=10),
            Column(
                "programme",
                gettext_lazy("Programme code"),
                kind="ref",
                get=lambda o: _code_of(o.programme),
                parse=_programme,
            ),
            Column(
                "agency",
                gettext_lazy("Agency code"),
                kind="ref",
                get=lambda o: _code_of(o.agency),
                parse=_AgencyParser(region.code),
            ),
            Column("activity", gettext_lazy("Activity code"), get=lambda o: _code_of(o.activity)),
            Column("polarity", gettext_lazy("Polarity"), choices=Polarity.choices, required=True),
            Column("additive", gettext_lazy("Quarterly values add up"), kind="bool"),
            Column("target", gettext_lazy("Year target"), kind="decimal", required=True),
            *(
                Column(f"target_q{q}", label, kind="decimal")
                for q, label in enumerate(QUARTER_LABELS, start=1)
            ),
            Column(
                "serves", gettext_lazy("Serves outcome (code)"), get=lambda o: _code_of(o.serves)
            ),
            Column(
                "regional_indicator",
                gettext_lazy("Regional indicator (code)"),
                kind="ref",
                get=lambda o: _code_of(o.regional_indicator),
                parse=_indicator,
            ),
            Column("source_note", gettext_lazy("Source"), width=30),
        ]

    def queryset(self) -> QuerySet[PerformanceIndicator]:
        return PerformanceIndicator.objects.filter(region=self.region).select_related(
            "programme", "agency", "activity", "serves", "regional_indicator"
        )

    def can_write(self, obj: Any, values: dict[str, Any]) -> bool:
        return bool(self.policy.can_plan(self.region.code))

    def _resolve(self, values: dict[str, Any]) -> dict[str, Any]:
        """Activity and served outcome by their codes in the row's year."""
        from django.core.exceptions import ValidationError

        values = dict(values)
        year = values["year"]
        errors = {}
        code = values.get("activity") or ""
        values["activity"] = None
        if code:
            values["activity"] = (
                Activity.objects.filter(region=self.region, year=year, code=code)
                .select_related("agency", "nomenclature")
                .first()
            )
            if values["activity"] is None:
                errors["activity"] = _("No activity with code %(code)s in %(year)s.") % {
                    "code": code,
                    "year": year,
                }
        code = values.get("serves") or ""
        values["serves"] = None
        if code:
            values["serves"] = PerformanceIndicator.objects.filter(
                region=self.region, year=year, code=code, level=IndicatorLevel.OUTCOME
            ).first()
            if values["serves"] is None:
                errors["serves"] = _("No outcome with code %(code)s in %(year)s.") % {
                    "code": code,
                    "year": year,
                }
        if errors:
            raise ValidationError(errors)
        values["additive"] = bool(values.get("additive"))
        return values

    def save(self, obj: Any, values: dict[str, Any], *, version: int | None) -> Any:
        values = self._resolve(values)
        year = values.pop("year")
        if obj is not None and year != obj.year:
            values["year"] = year
        return save_indicator(
            obj, self.user, region=self.region, year=year, values=values, version=version
        )


class ProposalSheet(Sheet):
    """Non-APBD proposals of a region; an agency changes only its own rows, Bappeda any row
    and the RKPD status."""

    title = gettext_lazy("Non-APBD proposals")
    model = NonApbdProposal

    def __init__(self, user: Any, policy: MonevPolicy, *, region: Region) -> None:
        super().__init__(user, policy, region=region)
        self.region = region
        self.columns = [  # type: ignore[misc]  # per region (agency codes)
            Column(
                "agency",
                gettext_lazy("Agency code"),
                kind="ref",
                required=True,
                get=lambda o: o.agency.code,
                parse=_AgencyParser(region.code),
            ),
            Column("rkpd_year", gettext_lazy("RKPD year"), kind="int", required=True, width=8),
            Column("title", gettext_lazy("Title"), required=True, width=40),
            Column("description", gettext_lazy("Description"), width=40),
            Column(
                "estimated_cost",
                gettext_lazy("Estimated cost (Rp)"),
                kind="decimal",
                required=True,
            ),
            Column(
                "source",
                gettext_lazy("Proposed financing"),
                choices=NON_APBD_SOURCES,
                required=True,
            ),
            Column("scheme", gettext_lazy("Financing scheme"), width=30),
            Column(
                "flagship",
                gettext_lazy("Flagship programme (short code)"),
                kind="ref",
                get=lambda o: o.flagship.slug if o.flagship else "",
                parse=self._flagship,
            ),
            Column(
                "activity",
                gettext_lazy("Activity (year/code)"),
                kind="ref",
                get=lambda o: f"{o.activity.year}/{o.activity.code}" if o.activity else "",
                parse=self._activity,
            ),
            Column("status", gettext_lazy("RKPD status"), choices=RkpdStatus.choices),
            Column("status_note", gettext_lazy("Status note"), width=30),
        ]

    def _flagship(self, cell: Any) -> FlagshipProgramme:
        found = FlagshipProgramme.objects.filter(region=self.region, slug=str(cell).strip()).first()
        if found is None:
            raise ValueError(_("No flagship programme with short code %(code)s.") % {"code": cell})
        return found

    def _activity(self, cell: Any) -> Activity:
        year, _slash, code = str(cell).strip().partition("/")
        found = None
        if year.isdigit() and code:
            found = Activity.objects.filter(region=self.region, year=int(year), code=code).first()
        if found is None:
            raise ValueError(
                _("No activity %(cell)s: write the year and code, e.g. 2019/2.07.04.2.01.0002.")
                % {"cell": cell}
            )
        return found

    def queryset(self) -> QuerySet[NonApbdProposal]:
        # Every proposal of the region (what its list shows), so an agency's export of the
        # whole list imports back unchanged; can_write refuses changes to others' rows.
        return NonApbdProposal.objects.filter(region=self.region).select_related(
            "agency", "flagship", "activity"
        )

    def can_write(self, obj: Any, values: dict[str, Any]) -> bool:
        agency = values.get("agency") or (obj.agency if obj is not None else None)
        if agency is None or not self.policy.can_propose(self.region.code, agency.pk):
            return False
        if obj is not None and not self.policy.can_propose(self.region.code, obj.agency_id):
            return False
        status_now = obj.status if obj is not None else RkpdStatus.PROPOSED
        note_now = obj.status_note if obj is not None else ""
        changes_status = (values.get("status") or status_now) != status_now or (
            values.get("status_note") or ""
        ) != note_now
        return not changes_status or self.policy.can_set_rkpd_status(self.region.code)

    def save(self, obj: Any, values: dict[str, Any], *, version: int | None) -> Any:
        values = dict(values)
        if not values.get("status"):
            values["status"] = obj.status if obj is not None else RkpdStatus.PROPOSED
        return save_proposal(obj, self.user, region=self.region, values=values, version=version)
