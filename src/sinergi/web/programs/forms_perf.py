"""Forms and filters of the performance-indicator and non-APBD proposal pages (input parsing;
the rules are in :mod:`sinergi.web.programs.services_perf`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.web.accounts.models import Agency
from sinergi.web.core.formatting import number
from sinergi.web.core.lists import SearchFilterSet
from sinergi.web.indicators.models import Indicator
from sinergi.web.programs.choices import IndicatorLevel, NomenclatureLevel, Polarity, RkpdStatus
from sinergi.web.programs.forms import AmountField
from sinergi.web.programs.models import (
    Activity,
    FlagshipProgramme,
    Nomenclature,
    NonApbdProposal,
    PerformanceIndicator,
)
from sinergi.web.programs.services_perf import NON_APBD_SOURCES
from sinergi.web.regions.models import Region


class NumberField(AmountField):
    """A number typed the Indonesian way (``1.250.000``, ``Rp 1.250.000``, ``45,5``) and shown
    the same way (``1.000`` is a thousand, as Indonesian writes it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("money", True)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            exact = Decimal(value).normalize()
            places = max(0, -int(exact.as_tuple().exponent))
            return number(exact, min(places, 4))
        return value


class _Labelled(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, Nomenclature):
            return f"{obj.code} {obj.name}"
        if isinstance(obj, Activity):
            return f"{obj.code} {obj.name} ({obj.agency.short_name or obj.agency.name})"
        if isinstance(obj, PerformanceIndicator):
            return f"{obj.name} ({obj.agency.short_name if obj.agency else obj.code})"
        if isinstance(obj, Indicator):
            return f"{obj.name} ({obj.unit})"
        return str(obj)


def _field(form: forms.Form, name: str) -> Any:
    """A form field whose queryset the form narrows to the region."""
    return form.fields[name]


class PerformanceIndicatorForm(forms.Form):
    """A programme outcome or an activity output of one region and year."""

    level = forms.ChoiceField(label=_("Level"), choices=IndicatorLevel.choices)
    programme = _Labelled(
        label=_("Programme (nomenclature)"),
        queryset=Nomenclature.objects.none(),
        required=False,
        help_text=_("For an outcome. An output takes the programme of its activity."),
    )
    agency = _Labelled(
        label=_("Responsible agency"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_("For an outcome. An output takes the agency of its activity."),
    )
    activity = _Labelled(
        label=_("Activity"),
        queryset=Activity.objects.none(),
        required=False,
        help_text=_("For an output: the activity of this year that delivers it."),
    )
    name = forms.CharField(label=_("Name"), max_length=300)
    unit = forms.CharField(
        label=_("Unit"), max_length=40, help_text=_("e.g. orang, paket, %, kegiatan")
    )
    polarity = forms.ChoiceField(
        label=_("Polarity"), choices=Polarity.choices, initial=Polarity.HIGHER
    )
    additive = forms.BooleanField(
        label=_("Quarterly values add up"),
        required=False,
        initial=True,
        help_text=_(
            "Ticked for counts (people trained, packages): the quarter targets are cumulative to "
            "the end of the quarter. Clear it for rates and levels: each quarter target is the "
            "level expected then."
        ),
    )
    target = NumberField(label=_("Year target"), help_text=_("e.g. 1.250 or 45,5"))
    target_q1 = NumberField(label=_("Target to the end of Q1"), required=False)
    target_q2 = NumberField(label=_("Target to the end of Q2"), required=False)
    target_q3 = NumberField(label=_("Target to the end of Q3"), required=False)
    target_q4 = NumberField(label=_("Target to the end of Q4"), required=False)
    serves = _Labelled(
        label=_("Serves outcome"),
        queryset=PerformanceIndicator.objects.none(),
        required=False,
        help_text=_("For an output: the programme outcome it feeds (the cascade)."),
    )
    regional_indicator = _Labelled(
        label=_("Regional indicator"),
        queryset=Indicator.objects.none(),
        required=False,
        help_text=_("The indicator of the regional catalogue this is meant to move."),
    )
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Letters, digits and dashes; made from the name when left empty."),
    )
    source_note = forms.CharField(label=_("Source"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        region: Region,
        year: int,
        instance: PerformanceIndicator | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.region, self.year, self.instance = region, year, instance
        _field(self, "programme").queryset = Nomenclature.objects.filter(
            level=NomenclatureLevel.PROGRAM
        )
        _field(self, "agency").queryset = Agency.objects.filter(region=region).order_by("name")
        _field(self, "activity").queryset = (
            Activity.objects.filter(region=region, year=year)
            .select_related("agency")
            .order_by("agency__name", "code")
        )
        outcomes = PerformanceIndicator.objects.filter(
            region=region, year=year, level=IndicatorLevel.OUTCOME
        ).select_related("agency")
        if instance is not None:
            outcomes = outcomes.exclude(pk=instance.pk)
        _field(self, "serves").queryset = outcomes
        _field(self, "regional_indicator").queryset = Indicator.objects.order_by(
            "sort_order", "code"
        )
        for name in ("target_q1", "target_q2", "target_q3", "target_q4"):
            self.fields[name].widget.attrs["aria-describedby"] = "quarter-help"

    def clean_code(self) -> str:
        code = self.cleaned_data.get("code") or ""
        if code:
            clash = PerformanceIndicator.objects.filter(
                region=self.region, year=self.year, code=code
            )
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(
                    _("Another indicator of %(year)s already has this code.") % {"year": self.year}
                )
        return code

    def clean(self) -> dict[str, Any]:
        from sinergi.web.programs.services_perf import indicator_errors

        data = super().clean() or {}
        # The other level's fields are hidden in the page (perf.js) and mean nothing here.
        if data.get("level") == IndicatorLevel.OUTCOME:
            data["activity"] = data["serves"] = None
        elif data.get("level") == IndicatorLevel.OUTPUT:  # they follow from the activity
            activity = data.get("activity")
            data["programme"] = activity.programme if activity is not None else None
            data["agency"] = activity.agency if activity is not None else None
        for name, message in indicator_errors(self.region, self.year, data).items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, message)
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data

    @classmethod
    def initial_of(cls, obj: PerformanceIndicator) -> dict[str, Any]:
        return {
            name: getattr(obj, name)
            for name in cls.base_fields
            if name not in {"programme", "agency", "activity", "serves", "regional_indicator"}
        } | {
            "programme": obj.programme_id,
            "agency": obj.agency_id,
            "activity": obj.activity_id,
            "serves": obj.serves_id,
            "regional_indicator": obj.regional_indicator_id,
        }


class ProposalForm(forms.Form):
    """A non-APBD proposal as its agency (or Bappeda) writes it; the RKPD status is separate."""

    agency = _Labelled(label=_("Agency (OPD)"), queryset=Agency.objects.none())
    rkpd_year = forms.IntegerField(label=_("RKPD year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    estimated_cost = NumberField(
        label=_("Estimated cost (Rp)"), help_text=_("e.g. 1.250.000.000 or Rp 1.250.000.000")
    )
    source = forms.ChoiceField(label=_("Proposed financing"), choices=NON_APBD_SOURCES)
    scheme = forms.CharField(
        label=_("Financing scheme"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who finances it and how (CSR partner, bank, grant)."),
    )
    flagship = _Labelled(
        label=_("Flagship programme"), queryset=FlagshipProgramme.objects.none(), required=False
    )
    activity = _Labelled(
        label=_("Related activity"), queryset=Activity.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, region: Region, agencies: Any, year: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        _field(self, "agency").queryset = agencies
        if agencies.count() == 1:
            _field(self, "agency").empty_label = None
        _field(self, "flagship").queryset = FlagshipProgramme.objects.filter(region=region)
        activities = Activity.objects.filter(region=region).select_related("agency")
        _field(self, "activity").queryset = activities.order_by("-year", "agency__name", "code")

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data

    @classmethod
    def initial_of(cls, obj: NonApbdProposal) -> dict[str, Any]:
        return {
            "agency": obj.agency_id,
            "rkpd_year": obj.rkpd_year,
            "title": obj.title,
            "description": obj.description,
            "estimated_cost": obj.estimated_cost,
            "source": obj.source,
            "scheme": obj.scheme,
            "flagship": obj.flagship_id,
            "activity": obj.activity_id,
            "version": obj.version,
        }


class ProposalStatusForm(forms.Form):
    """Bappeda moves a proposal along the RKPD, saying why."""

    status = forms.ChoiceField(label=_("RKPD status"), choices=RkpdStatus.choices)
    status_note = forms.CharField(
        label=_("Status note"),
        max_length=300,
        required=False,
        help_text=_("Why the status changes (required when it changes)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


# --- list filters ----------------------------------------------------------------------------


class PerformanceIndicatorFilter(SearchFilterSet):
    search_fields = ("name", "code", "unit", "activity__name", "activity__code")
    year = django_filters.ChoiceFilter(label=_("Year"), empty_label=_("All years"))
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=IndicatorLevel.choices, empty_label=_("All levels")
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=_("All agencies")
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"),
        queryset=Nomenclature.objects.filter(level=NomenclatureLevel.PROGRAM),
        empty_label=_("All programmes"),
    )
    activity = django_filters.ModelChoiceFilter(
        label=_("Activity"), queryset=Activity.objects.none(), empty_label=_("All activities")
    )

    class Meta:
        model = PerformanceIndicator
        fields = ["q", "year", "level", "agency", "programme", "activity"]

    def __init__(self, *args: Any, region: Region, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = [(y, str(y)) for y in years]
        self.filters["agency"].queryset = Agency.objects.filter(region=region).order_by("name")
        activities = Activity.objects.filter(region=region).order_by("-year", "code")
        chosen = self.data.get("year")
        if chosen and str(chosen).isdigit():
            activities = activities.filter(year=int(chosen))
        self.filters["activity"].queryset = activities


class ProposalFilter(SearchFilterSet):
    search_fields = ("title", "description", "scheme", "agency__name")
    rkpd_year = django_filters.ChoiceFilter(label=_("RKPD year"), empty_label=_("All years"))
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=_("All agencies")
    )
    status = django_filters.ChoiceFilter(
        label=_("RKPD status"), choices=RkpdStatus.choices, empty_label=_("All statuses")
    )

    class Meta:
        model = NonApbdProposal
        fields = ["q", "rkpd_year", "agency", "status"]

    def __init__(self, *args: Any, region: Region, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["rkpd_year"].extra["choices"] = [(y, str(y)) for y in years]
        self.filters["agency"].queryset = Agency.objects.filter(region=region).order_by("name")
