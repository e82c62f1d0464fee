"""The top-bar link to the set-up hub (issue 13)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def setup_nav(context: dict[str, Any]) -> SafeString | str:
    """The "Pengaturan" link, for users with at least one entry on the hub (the hub's
    registry asks only the policies the request already keeps: no extra query)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    from sinergi.web.core.setup import links_for

    if not links_for(request.user):
        return ""
    return format_html('<a href="{}">{}</a>', reverse("setup-hub"), _("Settings"))
