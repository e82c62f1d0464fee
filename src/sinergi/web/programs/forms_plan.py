"""Forms of the planning pages (input parsing only; the rules live in services and planning)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.web.accounts.models import Agency
from sinergi.web.core.formatting import number
from sinergi.web.programs.choices import FundingSource, NomenclatureLevel
from sinergi.web.programs.forms import AmountField
from sinergi.web.programs.models import QUARTERS, Activity, FlagshipProgramme, Nomenclature
from sinergi.web.programs.planning import PlanRow

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IndonesianAmountField(AmountField):
    """An :class:`AmountField` that shows a stored figure the Indonesian way (``1.250.000``,
    ``45,5``), so what the form shows parses back to the same value."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            exact = value.normalize()
            decimals = max(0, -int(exact.as_tuple().exponent))
            return number(exact, 0 if self.money else min(decimals, 4))
        return value


def _choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def _year_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=2000, max_value=2100)


class FlagshipForm(forms.ModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    year_start = _year_field(_("From year"))
    year_end = _year_field(_("To year"))

    class Meta:
        model = FlagshipProgramme
        fields = ["slug", "name", "goal", "year_start", "year_end", "coordinator"]
        widgets = {"goal": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, region_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region_code = region_code
        _choice(self, "coordinator").queryset = Agency.objects.filter(region_id=region_code)
        self.fields["slug"].help_text = _(
            "Lower-case letters, digits and dashes, e.g. banyuasin-prima."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("year_start"), data.get("year_end")
        if start is not None and end is not None and end < start:
            self.add_error("year_end", _("The last year cannot be before the first year."))
        slug = data.get("slug")
        taken = FlagshipProgramme.objects.filter(region_id=self.region_code, slug=slug)
        if slug and taken.exclude(pk=self.instance.pk).exists():
            self.add_error(
                "slug", _("Another flagship programme of this region has this short code.")
            )
        return data

    def _post_clean(self) -> None:
        # Model validation (unique slug per region) runs in services.create/update, which
        # know the region; the form only parses.
        pass


class ActivityForm(forms.ModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    year = _year_field(_("Budget year"))
    nomenclature = forms.ModelChoiceField(
        label=_("Sub-kegiatan"),
        queryset=Nomenclature.objects.filter(level=NomenclatureLevel.SUB_KEGIATAN),
        to_field_name="code",
        help_text=_("Choose urusan, bidang, programme and kegiatan above to narrow the list."),
    )

    class Meta:
        model = Activity
        fields = [
            "agency",
            "year",
            "nomenclature",
            "code",
            "name",
            "flagship",
            "location",
            "start_date",
            "end_date",
        ]
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}

    def __init__(self, *args: Any, region_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region_code = region_code
        _choice(self, "agency").queryset = Agency.objects.filter(region_id=region_code)
        _choice(self, "flagship").queryset = FlagshipProgramme.objects.filter(region_id=region_code)
        self.fields["code"].required = False
        self.fields["code"].help_text = _(
            "Empty: the sub-kegiatan code. Add a suffix (e.g. .a) if the sub-kegiatan repeats."
        )
        if self.instance.pk and not self.is_bound:  # the select's values are codes, not ids
            self.initial["nomenclature"] = self.instance.nomenclature.code
        picker = self.fields["nomenclature"].widget
        picker.attrs["data-picker"] = "nomenclature"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("code") and data.get("nomenclature") is not None:
            data["code"] = data["nomenclature"].code
        start, end, year = data.get("start_date"), data.get("end_date"), data.get("year")
        if start and end and end < start:
            self.add_error("end_date", _("The end cannot be before the start."))
        for name in ("start_date", "end_date"):
            day = data.get(name)
            if day and year and day.year != year:
                self.add_error(
                    name, _("The date must fall in the budget year %(y)s.") % {"y": year}
                )
        code = data.get("code")
        if (
            code
            and year
            and (
                Activity.objects.filter(region_id=self.region_code, year=year, code=code)
                .exclude(pk=self.instance.pk)
                .exists()
            )
        ):
            self.add_error(
                "code",
                _("Another activity of %(year)s has this code: add a suffix (e.g. %(code)s.a).")
                % {"year": year, "code": code},
            )
        return data

    def _post_clean(self) -> None:
        pass  # model validation runs in services.create/update (they know the region)


class BudgetForm(forms.Form):
    """One amount per funding source; an empty amount means the source funds nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for source, label in FundingSource.choices:
            self.fields[f"amount_{source}"] = IndonesianAmountField(
                label=label, money=True, required=False
            )
            self.fields[f"version_{source}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for source in FundingSource.values:
            amount = data.get(f"amount_{source}")
            if amount is not None and amount < 0:
                self.add_error(f"amount_{source}", _("A budget cannot be negative."))
        return data

    def amounts(self) -> dict[str, Decimal | None]:
        return {s: self.cleaned_data.get(f"amount_{s}") for s in FundingSource.values}

    def versions(self) -> dict[str, int | None]:
        return {s: self.cleaned_data.get(f"version_{s}") for s in FundingSource.values}

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"amount_{s}"], self[f"version_{s}"]) for s in FundingSource.values]


class QuarterPlanForm(forms.Form):
    """The plan to the end of each quarter: physical progress (%) and disbursement (Rp)."""

    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for q in QUARTERS:
            self.fields[f"physical_pct_{q}"] = IndonesianAmountField(
                label=_("Q%(q)s physical (%%)") % {"q": q}, required=False
            )
            self.fields[f"disbursement_{q}"] = IndonesianAmountField(
                label=_("Q%(q)s disbursement to date (Rp)") % {"q": q}, money=True, required=False
            )

    def plan_rows(self) -> list[PlanRow]:
        return [
            PlanRow(
                q,
                self.cleaned_data.get(f"physical_pct_{q}"),
                self.cleaned_data.get(f"disbursement_{q}"),
            )
            for q in QUARTERS
        ]

    def quarter_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(q, self[f"physical_pct_{q}"], self[f"disbursement_{q}"]) for q in QUARTERS]


class CopyYearForm(forms.Form):
    from_year = _year_field(_("Copy from year"))
    to_year = _year_field(_("To year"))
    agencies = forms.ModelMultipleChoiceField(
        label=_("Only these agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every agency."),
    )

    def __init__(self, *args: Any, region_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "agencies").queryset = Agency.objects.filter(region_id=region_code)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from_year") is not None and data.get("from_year") == data.get("to_year"):
            self.add_error("to_year", _("Choose a year other than the one copied from."))
        return data
