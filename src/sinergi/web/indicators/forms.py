"""Forms of the indicator management pages (input parsing only; rules live in
:mod:`.services` and :mod:`.actions`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sinergi.web.core.lists import display, parse_decimal
from sinergi.web.indicators import actions
from sinergi.web.indicators.choices import PlanLevel, ValueStatus
from sinergi.web.indicators.models import Indicator
from sinergi.web.indicators.services import parse_period

PERIOD_HELP = _('"2025" (a year), "2025-Q3" (a quarter) or "2025-07" (a month).')


class NumberField(forms.CharField):
    """An indicator figure in Indonesian format ("1.250.000", "45,5"), read by the rule
    the XLSX imports use (:func:`sinergi.web.core.lists.parse_decimal`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            return display(value)
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            number = parse_decimal(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if abs(number) >= Decimal(10) ** 14:
            raise forms.ValidationError(gettext("The number is too large."))
        return number


class GradesField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 7})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return actions.grades_text(value)
        return value

    def to_python(self, value: Any) -> list[list[Any]]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        try:
            return actions.parse_grades(str(value or ""))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class IndicatorForm(forms.ModelForm):  # type: ignore[type-arg]
    """A catalogue entry; ``version`` is the entry's fingerprint (see :mod:`.actions`)."""

    grades = GradesField(
        label=_("Grades"),
        required=False,
        help_text=_(
            'One band per line from the top: GRADE > LOWER BOUND, e.g. "AA > 90", '
            '"A > 80"; the last line may be a grade alone for everything below. '
            "Leave empty when the indicator has no grades."
        ),
    )
    decimals = forms.IntegerField(
        label=_("Decimals"),
        min_value=0,
        max_value=actions.MAX_DECIMALS,
        help_text=_("Digits after the decimal comma when values are shown (0-6)."),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_id",
            "name_en",
            "unit",
            "decimals",
            "polarity",
            "frequency",
            "source_agency",
            "definition_id",
            "definition_en",
            "grades",
            "is_additive",
            "is_headline",
            "sort_order",
        ]
        widgets = {
            "definition_id": forms.Textarea(attrs={"rows": 3}),
            "definition_en": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "code": _("Lower-case letters, digits, - and _ (e.g. poverty_rate); unique."),
        }

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def _period(text: str) -> str:
    try:
        return parse_period(text).period
    except ValueError:
        raise forms.ValidationError(
            gettext('"%(text)s" is not a period. Write %(help)s')
            % {"text": text, "help": PERIOD_HELP}
        ) from None


class ValueFields(forms.Form):
    value = NumberField(label=_("Value"))
    se = NumberField(
        label=_("Standard error"),
        required=False,
        help_text=_("Optional; for survey estimates."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ValueStatus.choices)
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("Where the figure comes from, e.g. BPS Kabupaten Banyuasin, Susenas 2024."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_se(self) -> Decimal | None:
        se = self.cleaned_data.get("se")
        if se is not None and se < 0:
            raise forms.ValidationError(gettext("A standard error cannot be negative."))
        return se


class ValueEntryForm(ValueFields):
    """A new value of the region: the indicator and the period pick it."""

    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.all(), to_field_name="code"
    )
    period = forms.CharField(
        label=_("Period"), max_length=10, required=False, help_text=PERIOD_HELP
    )
    field_order = ["indicator", "period", "value", "se", "status", "source", "note"]

    def clean_period(self) -> str:
        return _period(self.cleaned_data.get("period", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("period") and not data.get("note") and "period" not in self.errors:
            self.add_error("note", gettext("A value without a period needs a note saying why."))
        return data


class ValueCorrectionForm(ValueFields):
    """A correction of a stored value: a reason is required and kept with the revision."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=300,
        help_text=_("Kept in the value's history, e.g. BPS revised the figure on 12 May."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class TargetChooser(forms.Form):
    """Which targets the grid shows: a plan level, its document and a range of years."""

    level = forms.ChoiceField(label=_("Plan level"), choices=PlanLevel.choices)
    document = forms.CharField(
        label=_("Plan document"),
        max_length=200,
        required=False,
        help_text=_("e.g. RPJMD 2025-2029; written on every target you save."),
    )
    year_from = forms.IntegerField(label=_("From year"), min_value=1900, max_value=2100)
    year_to = forms.IntegerField(label=_("To year"), min_value=1900, max_value=2100)

    MAX_YEARS = 10

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None:
            if end < start:
                self.add_error("year_to", gettext("The last year comes before the first."))
            elif end - start + 1 > self.MAX_YEARS:
                self.add_error(
                    "year_to",
                    gettext("Show at most %(n)s years at a time.") % {"n": self.MAX_YEARS},
                )
        return data
