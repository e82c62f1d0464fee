"""``{% manage_links region indicator %}``: links to a region's value list and target grid,
for users the indicator policy lets manage them (nothing for everyone else)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from sinergi.web.indicators.policy import IndicatorPolicy

register = template.Library()


@register.simple_tag(takes_context=True)
def manage_links(context: template.Context, region: Any, indicator: Any = None) -> str:
    request = context.get("request")
    if request is None or region is None:
        return ""
    if not IndicatorPolicy.for_user(request.user).can_manage(region.code):
        return ""
    values = reverse("plan-values", args=[region.code])
    if indicator is not None:
        values += "?" + urlencode({"indicator": indicator.code})
    return format_html(
        '<p class="small manage-links"><a href="{}">{}</a> · <a href="{}">{}</a></p>',
        values,
        _("Manage values"),
        reverse("plan-targets", args=[region.code]),
        _("Manage targets"),
    )
