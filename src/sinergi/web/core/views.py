"""Home page and region browser."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from sinergi.web.regions.models import COUNTRY_CODE, Region


def home(request: HttpRequest) -> HttpResponse:
    """Go to the home region's dashboard (the demo's Banyuasin), or the region browser."""
    code = getattr(settings, "SINERGI_HOME_REGION", "16.07")
    if Region.objects.filter(code=code).exists():
        return redirect("region-dashboard", code=code)
    return redirect("region-browser")


def region_browser(request: HttpRequest, code: str = COUNTRY_CODE) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    children = region.children.active().only("code", "name", "level", "parent")
    ancestors = Region.objects.filter(code__in=region.ancestor_codes()[1:]).order_by("code")
    return render(
        request,
        "core/region_browser.html",
        {"region": region, "children": children, "ancestors": ancestors},
    )


@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """A constant answer for load balancers and uptime checks: no database, no template.

    It says only that a worker answers; the load benchmark uses it as the floor
    of what any page can cost.
    """
    return HttpResponse(b"ok\n", content_type="text/plain; charset=utf-8")
