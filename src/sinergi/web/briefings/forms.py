"""The briefing picker: kind, year, quarter (monev), language and format."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.web.briefings import kinds


class BriefingForm(forms.Form):
    jenis = forms.ChoiceField(label=_("Document"))
    tahun = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    triwulan = forms.TypedChoiceField(
        label=_("Quarter (monev only)"),
        choices=[("", "–"), ("1", "I"), ("2", "II"), ("3", "III"), ("4", "IV")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    bahasa = forms.ChoiceField(
        label=_("Language"), choices=[("id", "Bahasa Indonesia"), ("en", "English")], initial="id"
    )
    format = forms.ChoiceField(
        label=_("File format"), choices=[("pdf", "PDF"), ("docx", "Word (DOCX)")], initial="pdf"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jenis"].choices = [(k.code, k.label) for k in kinds.all_kinds()]
        self.fields["tahun"].initial = timezone.localdate().year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = kinds.get(data.get("jenis", ""))
        if kind is not None and kind.needs_quarter and not data.get("triwulan"):
            self.add_error("triwulan", _("This document needs a quarter."))
        return data
