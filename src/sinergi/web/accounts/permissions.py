"""DRF permission classes that defer to :class:`~sinergi.web.accounts.policy.Policy`."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from sinergi.web.accounts.policy import Policy


class ReadPublicWriteByRole(BasePermission):
    """Anyone may read published aggregates; writing needs a role (checked per object)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return (
            bool(request.user and request.user.is_authenticated)
            and not Policy.for_user(request.user).is_public
        )


class HasRole(BasePermission):
    """Signed in with a Sinergi role (internal data: collection, users); the policy then scopes."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return (
            bool(request.user and request.user.is_authenticated)
            and not Policy.for_user(request.user).is_public
        )
