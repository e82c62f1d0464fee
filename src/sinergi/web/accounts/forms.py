"""The Bappeda administrator's form to create a user."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.web.accounts.models import Role


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices])
    region = forms.CharField(
        label=_("Region scope"), max_length=13, help_text=_("Kemendagri code, e.g. 16.07.05")
    )
    agency = forms.CharField(
        label=_("Agency (OPD) code"),
        max_length=40,
        required=False,
        help_text=_("Required for an OPD operator."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Leave empty for an API-token-only user."),
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput, required=False
    )
    issue_token = forms.BooleanField(label=_("Show an API token"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
