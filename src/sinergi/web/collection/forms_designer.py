"""Forms of the data set designer: every check a Bappeda administrator can get wrong is
answered on the field it concerns (the model's own checks stay in the services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.web.accounts.models import Agency
from sinergi.web.collection import periods as period_codes
from sinergi.web.collection.choices import PeriodType, RuleKind
from sinergi.web.collection.models import DataElement, DataSet, Period, ValidationRule, in_force_q
from sinergi.web.collection.validation import _THOUSANDS, parse_number
from sinergi.web.core.templatetags.sinergi import unit_label
from sinergi.web.indicators.models import Indicator
from sinergi.web.regions.models import Region

# Words of the designer's own addresses: no data set may take them as its code.
RESERVED_CODES = frozenset({"rancang", "baru"})
EXAMPLES = {
    PeriodType.YEARLY: "2026",
    PeriodType.QUARTERLY: "2026-Q3",
    PeriodType.MONTHLY: "2026-07",
}


class FigureField(forms.CharField):
    """A figure typed the Indonesian way (``20.000``, ``0,4``), read by the same rule as the
    entry form (:func:`~sinergi.web.collection.validation.parse_number`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | int):
            return format(Decimal(value).normalize(), "f").replace(".", ",")
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        kind = "integer" if _THOUSANDS.match(text.replace(" ", "")) else "number"
        try:
            return parse_number(text, kind)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class _Locked(forms.ModelForm):  # type: ignore[type-arg]
    """A model form with the ``version`` it was read at; validation is the form's own (the
    services validate the model again inside their transaction)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    figures: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.figures:
            old = self.fields[name]
            self.fields[name] = FigureField(
                required=old.required, label=old.label, help_text=old.help_text
            )

    def _post_clean(self) -> None:
        """No model validation here: the messages below are the user's (field by field)."""


def kecamatan_of(region: Region) -> Any:
    """The kecamatan (districts) under ``region``: who may report its data sets."""
    return Region.objects.filter(
        level="district", active=True, code__startswith=region.code + "."
    ).order_by("code")


class DataSetForm(_Locked):
    reporting_regions = forms.ModelMultipleChoiceField(
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Reporting regions"),
        help_text=_("The kecamatan that fill in the form every period."),
    )

    class Meta:
        model = DataSet
        fields = ["code", "name", "description", "period_type", "owner"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "code": _("Short name used in addresses and files: letters, digits and dashes."),
            "owner": _("The agency (OPD) that verifies the submissions."),
        }

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        self.fields["owner"].queryset = Agency.objects.filter(region=region).order_by("name")  # type: ignore[attr-defined]
        self.fields["owner"].empty_label = _("– choose the verifying agency –")  # type: ignore[attr-defined]
        self.fields["reporting_regions"].queryset = kecamatan_of(region)  # type: ignore[attr-defined]
        self.fields["reporting_regions"].label_from_instance = lambda r: r.name  # type: ignore[attr-defined]
        instance = self.instance
        if not instance.pk and not self.initial.get("period_type"):
            self.initial["period_type"] = PeriodType.QUARTERLY
        if instance.pk:
            self.fields["version"].initial = instance.version
            self.fields["reporting_regions"].initial = list(instance.reporting_regions.all())
            if instance.is_published:
                self.fields["code"].disabled = True
                self.fields["code"].help_text = _("Published: the code no longer changes.")
            if instance.periods.exists():  # type: ignore[attr-defined]
                self.fields["period_type"].disabled = True
                self.fields["period_type"].help_text = _(
                    "Periods exist: the period type no longer changes."
                )

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip().lower()
        if code in RESERVED_CODES:
            raise forms.ValidationError(_("This code is reserved; choose another."))
        taken = DataSet.objects.filter(code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another data set already has this code."))
        return code


class ElementForm(_Locked):
    figures = ("min_value", "max_value")

    class Meta:
        model = DataElement
        fields = [
            "code",
            "name",
            "name_en",
            "help_text",
            "value_type",
            "unit",
            "min_value",
            "max_value",
            "disaggregation",
            "required",
            "indicator",
            "is_additive",
            "sort_order",
        ]
        labels = {"name": _("Name on the form")}
        help_texts = {
            "code": _("Short name used in files and the API: letters, digits, _ and -."),
            "indicator": _("Optional: approved totals become this catalogue indicator's values."),
            "sort_order": _("Smaller numbers come first on the form."),
        }

    def __init__(self, *args: Any, dataset: DataSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        indicators = Indicator.objects.order_by("name_id")
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]
        self.fields["indicator"].label_from_instance = (  # type: ignore[attr-defined]
            lambda i: f"{i.name_id} ({unit_label(i.unit)})"
        )
        self.fields["indicator"].empty_label = _("– none –")  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if self.instance.added_in <= dataset.published_version:
                self.fields["code"].disabled = True
                self.fields["code"].help_text = _("Published: the code no longer changes.")

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip()
        draft = self.dataset.draft_version
        taken = DataElement.objects.filter(
            in_force_q(draft), dataset=self.dataset, code=code
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another element of the form already has this code."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("min_value"), data.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("The maximum must not be below the minimum."))
        return data


class RuleForm(_Locked):
    figures = ("right_factor", "right_constant", "threshold_pct")

    class Meta:
        model = ValidationRule
        fields = [
            "kind",
            "left",
            "operator",
            "right",
            "right_factor",
            "right_constant",
            "threshold_pct",
            "severity",
            "message",
        ]
        labels = {
            "left": _("Element checked (left side)"),
            "right": _("Compared with (right side)"),
            "right_factor": _("Factor on the right side"),
            "right_constant": _("Constant added on the right side"),
            "message": _("Message the operator reads"),
        }
        help_texts = {
            "right": _("Empty: compare with the constant only."),
            "threshold_pct": _("For a change from the previous period: the allowed change."),
        }

    def __init__(self, *args: Any, dataset: DataSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        draft = dataset.draft_version
        elements = DataElement.objects.filter(in_force_q(draft), dataset=dataset).order_by(
            "sort_order", "pk"
        )
        self.elements = list(elements)
        by_code = {e.code: e for e in self.elements}
        for name in ("left", "right"):
            self.fields[name].queryset = elements  # type: ignore[attr-defined]
            self.fields[name].label_from_instance = lambda e: e.label  # type: ignore[attr-defined]
        self.fields["right"].empty_label = _("– a constant –")  # type: ignore[attr-defined]
        self.fields["left"].empty_label = _("– choose an element –")  # type: ignore[attr-defined]
        self.fields["right_factor"].required = False
        self.fields["right_constant"].required = False
        instance = self.instance
        if instance.pk:
            self.fields["version"].initial = instance.version
            # A published rule may point at an element row the draft replaced: show the
            # draft's element of the same code.
            for name in ("left", "right"):
                current = getattr(instance, name)
                if current is not None and current.code in by_code and not self.is_bound:
                    self.initial[name] = by_code[current.code].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind == RuleKind.OUTLIER:
            if data.get("threshold_pct") is None:
                self.add_error("threshold_pct", _("A change rule needs the allowed change in %."))
            elif data["threshold_pct"] <= 0:
                self.add_error("threshold_pct", _("The allowed change must be above 0%."))
            data["right"] = None
        elif kind == RuleKind.COMPARISON:
            left, right = data.get("left"), data.get("right")
            if left is not None and right is not None and left.code == right.code:
                self.add_error("right", _("Compare the element with another one."))
            data["threshold_pct"] = None
        if data.get("right_factor") is None:
            data["right_factor"] = 1
        if data.get("right_constant") is None:
            data["right_constant"] = 0
        return data

    def tentative(self) -> ValidationRule | None:
        """The rule as typed (unsaved), for the live check; ``None`` while it is incomplete."""
        if not self.is_valid():
            return None
        rule = ValidationRule(dataset=self.dataset)
        for name in self.Meta.fields:
            setattr(rule, name, self.cleaned_data.get(name))
        return rule


class PeriodForm(_Locked):
    class Meta:
        model = Period
        fields = ["code", "opens_on", "closes_on"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, dataset: DataSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        example = EXAMPLES[PeriodType(dataset.period_type)]
        self.fields["code"].help_text = _("For example %(example)s.") % {"example": example}
        for name in ("opens_on", "closes_on"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
        self.fields["opens_on"].help_text = _("Entry is possible from this day.")
        self.fields["closes_on"].help_text = _("Regions submitting after this day are late.")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if self.instance.submissions.exists():  # type: ignore[attr-defined]
                self.fields["code"].disabled = True
                self.fields["code"].help_text = _("The period has submissions: it stays.")

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip().upper().replace("Q", "-Q", 1)
        code = code.replace("--Q", "-Q")
        try:
            period_codes.parse(code, self.dataset.period_type)
        except ValueError:
            raise forms.ValidationError(
                _("Write the period as %(example)s (%(type)s).")
                % {
                    "example": EXAMPLES[PeriodType(self.dataset.period_type)],
                    "type": self.dataset.get_period_type_display().lower(),
                }
            ) from None
        taken = Period.objects.filter(dataset=self.dataset, code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This period is already open for the data set."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and opens > closes:
            self.add_error("closes_on", _("The closing day must not be before the opening day."))
        return data
