"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Extra top-bar links registered by apps in ``settings.SINERGI_NAV``."""
    items = []
    for url_name, label in getattr(settings, "SINERGI_NAV", []):
        try:
            items.append({"url": reverse(url_name), "label": label})
        except NoReverseMatch:
            continue
    return {"extra_nav": items}
