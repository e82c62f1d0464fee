"""The Django admin is for superusers only (issue 13).

Bappeda administrators plan and set up everything in Sinergi's own pages, which ask the
policies; the admin bypasses them, so a staff flag alone must not open it. A staff user who
is not a superuser gets the admin's log-in page ("not authorised") like anyone else.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest


def superusers_only(site: AdminSite) -> None:
    """Let only active superusers into ``site``."""

    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    site.has_permission = has_permission  # type: ignore[method-assign]
