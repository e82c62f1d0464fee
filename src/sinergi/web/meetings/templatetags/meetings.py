"""The meetings navigation link."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.simple_tag(takes_context=True)
def meetings_nav(context: dict[str, Any]) -> SafeString | str:
    """The "Meetings" top-bar link, for the roles the meetings policy lets in."""
    request = context.get("request")
    if request is None:
        return ""
    from sinergi.web.meetings.policy import MeetingPolicy

    if not MeetingPolicy.for_user(request.user).can_view_meetings:
        return ""
    return format_html('<a href="{}">{}</a>', reverse("meeting-list"), _("Meetings"))
