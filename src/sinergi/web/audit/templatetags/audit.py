"""``{% history_link obj %}``: a link to the object's change history, for users the policy lets read it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from sinergi.web.accounts.policy import Policy

register = template.Library()


def _policy(request: Any) -> Policy:
    # One policy per request: a table of values asks once per row.
    policy = getattr(request, "_history_policy", None)
    if policy is None:
        policy = Policy.for_user(request.user)
        request._history_policy = policy
    return policy


@register.simple_tag(takes_context=True)
def history_link(context: template.Context, obj: Any, text: str = "") -> SafeString | str:
    """The link, or nothing when there is no object or the user may not read its history."""
    request = context.get("request")
    if obj is None or getattr(obj, "pk", None) is None or request is None:
        return ""
    if not _policy(request).can_view_history(obj):
        return ""
    url = reverse("audit-history", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])
    return format_html('<a class="history-link" href="{}">{}</a>', url, text or _("Change history"))
