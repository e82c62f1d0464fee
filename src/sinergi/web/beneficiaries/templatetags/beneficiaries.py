"""The "Ketepatan Sasaran" (targeting accuracy) main-menu link and small filters of the
convergence pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.simple_tag(takes_context=True)
def beneficiaries_nav(context: dict[str, Any]) -> SafeString | str:
    """The top-bar link to the convergence dashboard, for signed-in officers."""
    request = context.get("request")
    if request is None:
        return ""
    from sinergi.web.beneficiaries.policy import BeneficiaryPolicy

    if not BeneficiaryPolicy.for_user(request.user).can_view_convergence:
        return ""
    return format_html('<a href="{}">{}</a>', reverse("convergence-home"), _("Targeting accuracy"))


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """``{{ names|lookup:code }}``: a dictionary lookup by a variable key."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
