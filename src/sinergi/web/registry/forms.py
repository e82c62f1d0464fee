"""Forms of the registry pages: import, number search, NIK/KK reveal, comparison."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from sinergi.web.core.formatting import number

UPLOAD_SUFFIXES = (".csv", ".xlsx", ".parquet")
NUMBER_RE = re.compile(r"^[0-9]{16}$")


def upload_limit_mb() -> int:
    """The largest registry file accepted (``SINERGI_REGISTRY_MAX_UPLOAD_MB``)."""
    return int(getattr(settings, "SINERGI_REGISTRY_MAX_UPLOAD_MB", 2048))


def _check_upload(upload: UploadedFile) -> UploadedFile:
    name = (upload.name or "").lower()
    if not name.endswith(UPLOAD_SUFFIXES):
        raise forms.ValidationError(_("Use a .csv, .xlsx or .parquet file."))
    if upload.size == 0:
        raise forms.ValidationError(_("The file is empty."))
    limit = upload_limit_mb()
    if upload.size is not None and upload.size > limit * 1024 * 1024:
        raise forms.ValidationError(
            _("The file is larger than %(mb)s MB; import it from the command line instead.")
            % {"mb": number(limit, 0)}
        )
    return upload


class ImportForm(forms.Form):
    households = forms.FileField(
        label=_("Households file"), help_text=_("One row per household (.csv, .xlsx or .parquet).")
    )
    members = forms.FileField(
        label=_("Members file"), help_text=_("One row per person, linked by household id and KK.")
    )
    name = forms.CharField(
        label=_("Release name"), max_length=120, help_text=_("e.g. DTSEN 2025-Q2")
    )
    reference_date = forms.DateField(
        label=_("Reference date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    dry_run = forms.BooleanField(
        label=_("Check only (dry run): report the problems, save nothing"), required=False
    )
    valid_only = forms.BooleanField(
        label=_("Import the valid rows only when some rows are wrong"), required=False
    )

    def clean_households(self) -> UploadedFile:
        return _check_upload(self.cleaned_data["households"])

    def clean_members(self) -> UploadedFile:
        return _check_upload(self.cleaned_data["members"])


class NumberSearchForm(forms.Form):
    """A KK or NIK typed in clear: posted, hashed at once, never put in a URL."""

    kind = forms.ChoiceField(label=_("Search by"), choices=[("nik", "NIK"), ("kk", _("KK number"))])
    number = forms.CharField(
        label=_("16-digit number"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_number(self) -> str:
        digits = re.sub(r"[\s.-]", "", self.cleaned_data["number"])
        if not NUMBER_RE.match(digits):
            raise forms.ValidationError(_("A NIK or KK number has exactly 16 digits."))
        return digits


class RevealForm(forms.Form):
    """Show one member's NIK (or the household's KK) in clear, with the reason audited."""

    member = forms.CharField(widget=forms.HiddenInput)  # a NIK hash, or "kk"
    reason = forms.CharField(
        label=_("Reason"),
        min_length=5,
        max_length=300,
        help_text=_("Why you need the full number (recorded with your name and the time)."),
    )


class CompareForm(forms.Form):
    old = forms.ChoiceField(label=_("Earlier release"))
    new = forms.ChoiceField(label=_("Later release"))

    def __init__(self, *args: Any, releases: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old"].choices = releases
        self.fields["new"].choices = releases

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("old") and data.get("old") == data.get("new"):
            raise forms.ValidationError(_("Choose two different releases."))
        return data
