"""The one place that decides who may see and change what.

Pages, the API and exports ask a :class:`Policy`; none of them decide access on
their own. A user without a profile is treated as the public: published
aggregates only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User

from sinergi.web.accounts.models import Profile, Role
from sinergi.web.regions.models import COUNTRY_CODE


@dataclass(frozen=True)
class Policy:
    """Access decisions for one user."""

    user: User | AnonymousUser
    role: str | None
    scope: str | None  # region code of the subtree the user is scoped to
    agency_id: int | None

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> Policy:
        if not user.is_authenticated:
            return cls(user, None, None, None)
        if user.is_superuser:
            return cls(user, Role.BAPPEDA_ADMIN, COUNTRY_CODE, None)
        profile = Profile.objects.filter(user=user).only("role", "region", "agency").first()
        if profile is None:
            return cls(user, None, None, None)
        return cls(user, profile.role, profile.region_id, profile.agency_id)

    @property
    def is_public(self) -> bool:
        return self.role is None

    def in_scope(self, region_code: str) -> bool:
        """True when ``region_code`` lies inside the user's region subtree."""
        if self.scope is None:
            return False
        return (
            self.scope == COUNTRY_CODE
            or region_code == self.scope
            or region_code.startswith(self.scope + ".")
        )

    def can_write_indicator_data(self, region_code: str) -> bool:
        """Values and targets of a region: Bappeda administrators within their subtree."""
        return self.role == Role.BAPPEDA_ADMIN and self.in_scope(region_code)
