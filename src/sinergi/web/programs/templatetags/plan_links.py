"""``{% plan_link region_code year %}``: the "Manage the plan" button of the monev pages,
shown only to whom MonevPolicy lets plan the region (Bappeda of the region)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from sinergi.web.programs.policy import MonevPolicy

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_link(context: dict[str, Any], region_code: str, year: int | None = None) -> SafeString:
    request = context.get("request")
    if request is None or not MonevPolicy.for_user(request.user).can_plan(region_code):
        return SafeString("")
    url = reverse("plan-activities", args=[region_code])
    if year:
        url += f"?year={year}"
    return format_html('<a class="button" href="{}">{}</a>', url, _("Manage the plan"))
