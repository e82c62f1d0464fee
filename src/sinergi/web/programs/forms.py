"""Forms of the monev pages (input parsing only; the rules live in services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.web.programs.choices import DocumentType
from sinergi.web.programs.importer import KINDS, parse_number
from sinergi.web.programs.models import PerformanceIndicator


class AmountField(forms.CharField):
    """A rupiah or percent figure written the Indonesian or the English way."""

    def __init__(self, *args: Any, money: bool = False, **kwargs: Any) -> None:
        self.money = money
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        # Decimal("100").normalize() prints as "1E+2"; show plain digits.
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_number(text, money=self.money)
        except ValueError:
            raise forms.ValidationError(_("Enter a number, e.g. 1.250.000 or 45,5.")) from None


class RealisationForm(forms.Form):
    physical_pct = AmountField(label=_("Physical progress to date (%)"))
    spent = AmountField(label=_("Spent to date (Rp, APBD/APBN funds)"), money=True)
    problems = forms.CharField(
        label=_("Problems (kendala)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.CharField(
        label=_("Follow-up (tindak lanjut)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, outputs: list[PerformanceIndicator] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.output_indicators = outputs or []
        for ind in self.output_indicators:
            label = f"{ind.name} ({ind.unit})"
            help_text = (
                _("Achieved in this quarter; year target %(t)s.")
                if ind.additive
                else _("Level at the end of the quarter; year target %(t)s.")
            ) % {"t": f"{ind.target.normalize():f}"}
            self.fields[f"output_{ind.pk}"] = AmountField(
                label=label, required=False, help_text=help_text
            )

    def output_values(self) -> dict[int, Decimal | None]:
        return {ind.pk: self.cleaned_data.get(f"output_{ind.pk}") for ind in self.output_indicators}

    def output_fields(self) -> list[forms.BoundField]:
        return [self[f"output_{ind.pk}"] for ind in self.output_indicators]


class ReviewForm(forms.Form):
    review_note = forms.CharField(
        label=_("Review note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(label=_("File"))


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[
            (k, v)
            for k, v in (("realisation", _("Quarterly realisation")), ("budget", _("Budgets")))
            if k in KINDS
        ],
    )
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from sinergi.web.programs.importer import max_megabytes

        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("At most %(mb)s MB.") % {"mb": max_megabytes()}
