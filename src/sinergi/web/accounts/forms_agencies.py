"""The agency (OPD) form: input only; the rules live in :mod:`accounts.agencies`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sinergi.web.regions.models import Region


class AgencyForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        help_text=_("The province or regency/city the OPD belongs to (fixed once created)."),
    )
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short code used in files and user accounts, e.g. dinsos."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    head_name = forms.CharField(label=_("Head"), max_length=120, required=False)
    head_title = forms.CharField(
        label=_("Head's title"),
        max_length=120,
        required=False,
        help_text=_("E.g. Kepala Dinas Sosial, as it is printed under a signature."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, regions: QuerySet[Region], editing: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ModelChoiceField)
        region.queryset = regions
        region.label_from_instance = lambda r: f"{r.name} ({r.code})"  # type: ignore[method-assign,assignment]
        if editing:
            region.disabled = True  # an OPD's region is fixed: its users are scoped through it
