"""Forms of the SLRT pages: input parsing only; the rules live in :mod:`services`.

A NIK or KK typed in clear is posted (never put in a URL) and handed to the
services, which hash and mask it at once; the number inputs never render a value
back into the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.web.social.models import (
    Category,
    Channel,
    ConsentState,
    Outcome,
    ProposalKind,
    ReasonCode,
    Service,
)

NARRATIVE_MAX = 4000


class NumberInput(forms.TextInput):
    """A clear NIK/KK input: numeric keyboard, no autocomplete, never re-rendered."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"inputmode": "numeric", "autocomplete": "off", "maxlength": "20"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        return None


def _choices(enum: Any, blank: str | None = None) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("", blank)] if blank is not None else []
    return out + list(enum.choices)


class NeedFields(forms.Form):
    """The need or complaint, common to both intake forms."""

    category = forms.ChoiceField(
        label=_("Need or complaint"), choices=_choices(Category, _("choose…"))
    )
    channel = forms.ChoiceField(
        label=_("How the person came"),
        choices=list(Channel.choices),
        initial=Channel.WALK_IN,
        widget=forms.RadioSelect,
    )
    narrative = forms.CharField(
        label=_("What the person needs or complains about"),
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In the person's words. Do not write a NIK or KK number here."),
    )


class RegistryIntakeForm(NeedFields):
    """Intake of a member of a registry household (the member chosen from the list)."""

    member = forms.ChoiceField(label=_("Person"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members
        if members:
            self.fields["member"].initial = members[0][0]
        self.order_fields(["member", "category", "channel", "narrative"])


class OutsideIntakeForm(NeedFields):
    """Intake of someone who is not in the registry release."""

    name = forms.CharField(label=_("Full name"), max_length=200)
    nik = forms.CharField(
        label=_("NIK (if known)"),
        required=False,
        widget=NumberInput(),
        help_text=_("Stored only masked and as a keyed code, never in clear."),
    )
    kk = forms.CharField(label=_("KK number (if known)"), required=False, widget=NumberInput())
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    desa = forms.ChoiceField(label=_("Desa"))

    def __init__(self, *args: Any, desa_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["desa"].choices = [("", _("choose…")), *desa_choices]
        if len(desa_choices) == 1:
            self.fields["desa"].initial = desa_choices[0][0]
        self.order_fields(
            ["name", "nik", "kk", "address", "desa", "category", "channel", "narrative"]
        )


class ConsentForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Consent to share data with the services"),
        choices=list(ConsentState.choices),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("E.g. signed form kept at the front office."),
    )


class VersionForm(forms.Form):
    """The version the user saw (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReferForm(VersionForm):
    service = forms.ChoiceField(label=_("Service"))
    override_reason = forms.CharField(
        label=_("Reason to refer without consent"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only the Dinsos back office may; the reason is recorded with your name."),
    )

    def __init__(
        self, *args: Any, services: list[tuple[str, list[tuple[str, str]]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("choose…")), *services]


class RejectForm(VersionForm):
    reason_code = forms.ChoiceField(
        label=_("Reason"), choices=_choices(ReasonCode, _("choose…")), required=True
    )
    reason = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CompleteForm(VersionForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=list(Outcome.choices), widget=forms.RadioSelect
    )
    reason_code = forms.ChoiceField(
        label=_("Reason (if not successful)"),
        choices=_choices(ReasonCode, "–"),
        required=False,
    )
    reason = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(VersionForm):
    """Revoke a referral, close or reopen a case: a reason in words."""

    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(label=_("File"))
    referral = forms.ChoiceField(label=_("About"), required=False)

    def __init__(self, *args: Any, referrals: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referral"].choices = [("", _("the whole case")), *referrals]


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Proposal"), choices=list(ProposalKind.choices), widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Name of the head of household"), required=False)
    nik = forms.CharField(label=_("NIK"), required=False, widget=NumberInput())
    kk = forms.CharField(label=_("KK number"), required=False, widget=NumberInput())
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    members = forms.IntegerField(label=_("Household members"), required=False, min_value=1)
    field = forms.CharField(label=_("What is wrong in the registry"), required=False)
    value = forms.CharField(label=_("What it should say"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def details(self) -> dict[str, Any]:
        keys = ("name", "nik", "kk", "address", "members", "field", "value", "note")
        return {k: self.cleaned_data[k] for k in keys if self.cleaned_data.get(k) not in (None, "")}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PeriodForm(forms.Form):
    """The report period (registered, sent or ended between the two dates)."""

    dari = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sampai = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("dari"), data.get("sampai")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The chosen period; by default the calendar year of ``today`` up to today."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start = data.get("dari") or dt.date(today.year, 1, 1)
        end = data.get("sampai") or today
        return start, end


class TicketForm(forms.Form):
    ticket = forms.CharField(
        label=_("Ticket number"),
        max_length=60,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "SLRT-1607-2026-000123-K7QX"}
        ),
    )


class ServiceForm(forms.ModelForm):
    """A catalogue service (the Dinsos back office); saved by ``services.save_service``."""

    class Meta:
        model = Service
        fields = [
            "name",
            "code",
            "agency",
            "category",
            "description",
            "eligibility",
            "documents_needed",
            "sla_working_days",
            "active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
            "documents_needed": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
