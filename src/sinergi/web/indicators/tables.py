"""Tables, filters and XLSX sheets of the indicator management lists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
import django_tables2 as tables
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sinergi.web.core.formatting import number
from sinergi.web.core.lists import Column, SearchFilterSet, Sheet, SinergiTable
from sinergi.web.indicators import actions, services
from sinergi.web.indicators.choices import (
    Comparator,
    Frequency,
    PlanLevel,
    Polarity,
    TargetKind,
    ValueStatus,
)
from sinergi.web.indicators.models import Indicator, IndicatorValue, Target
from sinergi.web.regions.models import Region

# Values and targets are stored with 20 digits, 6 of them after the decimal mark.
LARGEST = Decimal(10) ** 14


def indicator_by_code(cell: Any) -> Indicator:
    found = Indicator.objects.filter(code=str(cell).strip()).first()
    if found is None:
        raise ValueError(gettext("No indicator with code %(code)s.") % {"code": cell})
    return found


# --- the catalogue ---------------------------------------------------------------------------


class IndicatorFilter(SearchFilterSet):
    search_fields = ("code", "name_id", "name_en", "source_agency")
    frequency = django_filters.ChoiceFilter(label=_("Frequency"), choices=Frequency.choices)
    polarity = django_filters.ChoiceFilter(label=_("Polarity"), choices=Polarity.choices)
    is_headline = django_filters.BooleanFilter(
        label=_("On the dashboard"),
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = Indicator
        fields = ["q", "frequency", "polarity", "is_headline"]


class IndicatorTable(SinergiTable):
    code = tables.Column(verbose_name=_("Code"), linkify=False)
    name_id = tables.Column(verbose_name=_("Name (Indonesian)"))
    unit = tables.Column(verbose_name=_("Unit"))
    polarity = tables.Column(verbose_name=_("Polarity"))
    frequency = tables.Column(verbose_name=_("Frequency"))
    is_headline = tables.BooleanColumn(verbose_name=_("On the dashboard"), yesno=("✔", "–"))
    sort_order = tables.Column(verbose_name=_("Order"), attrs={"td": {"class": "num"}})

    class Meta(SinergiTable.Meta):
        model = Indicator
        fields = ["code", "name_id", "unit", "polarity", "frequency", "is_headline", "sort_order"]
        order_by = ("sort_order",)

    def render_code(self, value: str, record: Indicator) -> str:
        url = reverse("plan-indicator-edit", args=[record.code])
        return format_html('<a href="{}">{}</a>', url, value)


class IndicatorSheet(Sheet):
    title = _("Indicator catalogue")
    model = Indicator
    columns = [
        Column("code", _("Code"), required=True),
        Column("name_id", _("Name (Indonesian)"), required=True, width=40),
        Column("name_en", _("Name (English)"), required=True, width=40),
        Column("unit", _("Unit"), required=True),
        Column("decimals", _("Decimals"), kind="int", required=True),
        Column("polarity", _("Polarity"), choices=Polarity.choices, required=True),
        Column("frequency", _("Frequency"), choices=Frequency.choices, required=True),
        Column("source_agency", _("Source agency")),
        Column("definition_id", _("Definition (Indonesian)"), width=50),
        Column("definition_en", _("Definition (English)"), width=50),
        Column(
            "grades",
            _("Grades"),
            get=lambda i: actions.grades_text(i.grades, "; "),
            parse=lambda cell: actions.parse_grades(str(cell)),
            width=30,
        ),
        Column("is_additive", _("Additive"), kind="bool", required=True),
        Column("is_headline", _("On the dashboard"), kind="bool", required=True),
        Column("sort_order", _("Order"), kind="int", required=True),
    ]

    def queryset(self) -> Any:
        return Indicator.objects.all()

    def can_write(self, obj: Indicator | None, values: dict[str, Any]) -> bool:
        return bool(self.policy.can_edit_catalogue)

    def stored_for_compare(self, obj: Any, column: Column) -> Any:
        if column.name == "grades":
            return obj.grades or ""  # an empty cell reads as ""
        return super().stored_for_compare(obj, column)

    def save(self, obj: Indicator | None, values: dict[str, Any], *, version: int | None) -> Any:
        values = {k: (v or [] if k == "grades" else v) for k, v in values.items()}
        return actions.save_indicator(obj, self.user, **values)


# --- values of a region ----------------------------------------------------------------------


class ValueFilter(SearchFilterSet):
    search_fields = ("indicator__code", "indicator__name_id", "source", "note", "period")
    indicator = django_filters.ModelChoiceFilter(
        label=_("Indicator"), queryset=Indicator.objects.all(), to_field_name="code"
    )
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ValueStatus.choices)
    is_synthetic = django_filters.BooleanFilter(
        label=_("Synthetic (demo) data"), widget=django_filters.widgets.BooleanWidget()
    )

    class Meta:
        model = IndicatorValue
        fields = ["q", "indicator", "year", "status", "is_synthetic"]


class ValueTable(SinergiTable):
    indicator = tables.Column(
        verbose_name=_("Indicator"), order_by=("indicator__sort_order", "indicator__code")
    )
    period = tables.Column(
        verbose_name=_("Period"), order_by=("year", "quarter", "month"), empty_values=()
    )
    value = tables.Column(verbose_name=_("Value"), attrs={"td": {"class": "num"}})
    status = tables.Column(verbose_name=_("Status"))
    source = tables.Column(verbose_name=_("Source"))
    version = tables.Column(verbose_name=_("Version"), attrs={"td": {"class": "num"}})
    updated_at = tables.DateTimeColumn(verbose_name=_("Updated"), format="j M Y H:i")

    class Meta(SinergiTable.Meta):
        model = IndicatorValue
        fields = ["indicator", "period", "value", "status", "source", "version", "updated_at"]

    def render_indicator(self, value: Indicator, record: IndicatorValue) -> str:
        url = reverse("plan-value", args=[record.region_id, record.pk])
        return format_html('<a href="{}">{}</a>', url, value.name)

    def render_period(self, record: IndicatorValue) -> str:
        return record.period or "–"

    def render_value(self, value: Decimal, record: IndicatorValue) -> str:
        return number(value, record.indicator.decimals)

    def render_status(self, value: str, record: IndicatorValue) -> str:
        text = record.get_status_display()
        if record.is_synthetic:
            return format_html(
                '{} <span class="flag flag-synthetic">{}</span>', text, gettext("synthetic")
            )
        return text


class ValueSheet(Sheet):
    """The values of one region. A changed figure of an existing row needs a reason (kept
    with the revision); the indicator and the period of a row cannot change."""

    title = _("Indicator values")
    model = IndicatorValue
    columns = [
        Column(
            "indicator",
            _("Indicator code"),
            required=True,
            get=lambda v: v.indicator.code,
            parse=indicator_by_code,
            width=28,
        ),
        Column("period", _("Period")),
        Column("value", _("Value"), kind="decimal", required=True),
        Column("se", _("Standard error"), kind="decimal"),
        Column("status", _("Status"), choices=ValueStatus.choices, required=True),
        Column("source", _("Source"), required=True, width=40),
        Column("note", _("Note"), width=30),
        Column("is_synthetic", _("Synthetic (demo) data"), kind="bool"),
        Column("reason", _("Reason for revision"), get=lambda v: "", width=30),
    ]

    @property
    def region(self) -> Region:
        return self.context["region"]  # type: ignore[no-any-return]

    def queryset(self) -> Any:
        return IndicatorValue.objects.filter(region=self.region).select_related("indicator")

    def can_write(self, obj: IndicatorValue | None, values: dict[str, Any]) -> bool:
        return bool(self.policy.can_manage(self.region.code))

    def save(
        self, obj: IndicatorValue | None, values: dict[str, Any], *, version: int | None
    ) -> Any:
        values = dict(values)
        reason = values.pop("reason", "") or ""
        indicator = values.pop("indicator")
        try:
            period = services.parse_period(values.pop("period", "") or "").period
        except ValueError:
            raise ValidationError(
                {"period": gettext('Write the period as "2025", "2025-Q3" or "2025-07".')}
            ) from None
        if values.get("is_synthetic") is None:
            values["is_synthetic"] = False
        se = values.pop("se", None)
        values["se"] = float(se) if se is not None else None
        if not period and not values.get("note"):
            raise ValidationError({"note": gettext("A value without a period needs a note.")})
        if obj is None:
            lookup: dict[str, Any] = {
                "indicator": indicator,
                "region": self.region,
                "period": period,
            }
            if not period:
                lookup["note"] = values.get("note", "")
            if IndicatorValue.objects.filter(**lookup).exists():
                raise ValidationError(
                    {"period": gettext("This indicator already has a value for this period.")}
                )
        else:
            if (indicator.pk, period) != (obj.indicator_id, obj.period):
                raise ValidationError(
                    {"period": gettext("The indicator and period of a value cannot change.")}
                )
            if not period and values.get("note", "") != obj.note:
                raise ValidationError(
                    {
                        "note": gettext(
                            "The note identifies a value without a period; it cannot change."
                        )
                    }
                )
            if values["value"] != obj.value and not reason.strip():
                raise ValidationError(
                    {"reason": gettext("A changed value needs a reason for the revision.")}
                )
        if values["value"] is not None and (values["se"] or 0) < 0:
            raise ValidationError({"se": gettext("A standard error cannot be negative.")})
        return services.record_value(
            indicator=indicator,
            region=self.region,
            period=period,
            user=self.user,
            expected_version=version,
            reason=reason.strip(),
            **values,
        )


# --- targets of a region ---------------------------------------------------------------------


class TargetSheet(Sheet):
    """The targets of one region (every plan level), the list the grid edits."""

    title = _("Targets")
    model = Target
    columns = [
        Column(
            "indicator",
            _("Indicator code"),
            required=True,
            get=lambda t: t.indicator.code,
            parse=indicator_by_code,
            width=28,
        ),
        Column("plan_level", _("Plan level"), choices=PlanLevel.choices, required=True, width=30),
        Column("plan_document", _("Plan document"), width=24),
        Column("year", _("Target year"), kind="int"),
        Column("value", _("Target value"), kind="decimal", required=True),
        Column("comparator", _("Comparator"), choices=Comparator.choices, required=True),
        Column("kind", _("Kind"), choices=TargetKind.choices, required=True, width=30),
        Column("baseline_year", _("Baseline year"), kind="int"),
        Column("source", _("Source"), width=30),
        Column("note", _("Note"), width=30),
    ]

    @property
    def region(self) -> Region:
        return self.context["region"]  # type: ignore[no-any-return]

    def queryset(self) -> Any:
        return (
            Target.objects.filter(region=self.region)
            .select_related("indicator")
            .order_by("plan_level", "indicator__sort_order", "year", "id")
        )

    def can_write(self, obj: Target | None, values: dict[str, Any]) -> bool:
        return bool(self.policy.can_manage(self.region.code))

    def save(self, obj: Target | None, values: dict[str, Any], *, version: int | None) -> Any:
        values = dict(values)
        keys = {k: values.pop(k) for k in ("indicator", "plan_level", "year")}
        for name in ("plan_document", "source", "note"):
            values[name] = values.get(name) or ""
        validate_target(values)
        if obj is None:
            if Target.objects.filter(region=self.region, **keys).exists():
                raise ValidationError(
                    {
                        "year": gettext(
                            "This indicator already has a target of this plan level for this "
                            "year; change its row instead."
                        )
                    }
                )
        elif (keys["indicator"].pk, keys["plan_level"], keys["year"]) != (
            obj.indicator_id,
            obj.plan_level,
            obj.year,
        ):
            raise ValidationError(
                {"year": gettext("The indicator, plan level and year of a target cannot change.")}
            )
        return services.set_target(
            region=self.region, user=self.user, expected_version=version, **keys, **values
        )


def validate_target(values: dict[str, Any]) -> None:
    """The rules the API applies to a target (indicators.api.TargetSerializer.validate)."""
    if values.get("kind") == TargetKind.CHANGE_PERCENT and not values.get("baseline_year"):
        raise ValidationError(
            {"baseline_year": gettext("A percent-change target needs a baseline year.")}
        )
    value = values.get("value")
    if value is not None and abs(value) >= LARGEST:
        raise ValidationError({"value": gettext("The number is too large.")})
    if (
        value is not None
        and value == 0
        and values.get("kind", TargetKind.LEVEL) == TargetKind.LEVEL
    ):
        raise ValidationError({"value": gettext("A target of 0 has no defined achievement.")})
