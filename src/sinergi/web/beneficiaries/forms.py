"""Forms of the beneficiary-list pages: programme, upload, column mapping, matching run,
review decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from sinergi.web.beneficiaries import importer
from sinergi.web.beneficiaries.models import Decision, Programme, Stakeholder
from sinergi.web.core.formatting import number
from sinergi.web.regions.models import Level, Region

UPLOAD_SUFFIXES = (".csv", ".xlsx")


class ProgrammeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Programme
        fields = [
            "code",
            "name",
            "owner",
            "region",
            "period_start",
            "period_end",
            "eligibility_max_decile",
            "description",
        ]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, scope: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Stakeholder.objects.order_by("name")
        regions = Region.objects.filter(
            level__in=[Level.PROVINCE, Level.REGENCY, Level.DISTRICT]
        ).order_by("code")
        if scope and scope != "00":
            parts = scope.split(".")
            ancestors = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
            regions = regions.filter(code__in=ancestors) | regions.filter(
                code__startswith=scope + "."
            )
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: f"{r.name} ({r.code})"
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["version"].initial = self.instance.version


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("List file"),
        help_text=_("CSV (comma, semicolon or tab) or XLSX, in the source's own layout."),
    )
    label = forms.CharField(label=_("Label"), max_length=120, help_text=_("e.g. 2025 Triwulan II"))

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError(_("Use a .csv or .xlsx file."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        if upload.size is not None and upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": number(self.max_bytes / (1024 * 1024), 0)}
            )
        return upload


class MappingForm(forms.Form):
    """One choice per Sinergi field among the file's headers."""

    valid_only = forms.BooleanField(
        label=_("Import the valid rows only when some rows are wrong"), required=False
    )

    def __init__(
        self, *args: Any, headers: list[str], initial_mapping: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in this file —"))] + [(h, h) for h in headers]
        for f in importer.FIELDS:
            self.fields[f"map_{f.key}"] = forms.ChoiceField(
                label=f.label,
                choices=choices,
                required=f.required,
                initial=initial_mapping.get(f.key, ""),
            )
        self.order_fields([f"map_{f.key}" for f in importer.FIELDS] + ["valid_only"])

    def mapping(self) -> dict[str, str]:
        return {
            f.key: self.cleaned_data.get(f"map_{f.key}") or ""
            for f in importer.FIELDS
            if self.cleaned_data.get(f"map_{f.key}")
        }

    def mapping_fields(self) -> list[Any]:
        return [self[f"map_{f.key}"] for f in importer.FIELDS]


class RunForm(forms.Form):
    release = forms.ChoiceField(label=_("Registry release"))
    accept = forms.FloatField(
        label=_("Accept from (probability)"),
        min_value=0.01,
        max_value=1.0,
        help_text=_("Pairs at or above this probability are accepted as the same person."),
    )
    review = forms.FloatField(
        label=_("Review from (probability)"),
        min_value=0.01,
        max_value=1.0,
        help_text=_("Pairs between the two thresholds go to the review queue; below: no match."),
    )

    def __init__(self, *args: Any, releases: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["release"].choices = releases
        for name in ("accept", "review"):
            self.fields[name].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("accept") is not None
            and data.get("review") is not None
            and data["review"] > data["accept"]
        ):
            raise forms.ValidationError(
                _("The review threshold must not be above the accept threshold.")
            )
        return data


class DecisionForm(forms.Form):
    list_row = forms.CharField(widget=forms.HiddenInput, max_length=64)
    person_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    decision = forms.ChoiceField(choices=Decision.choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)
