"""Who may generate briefings (built on the accounts policy).

A briefing states activity-level monev (late activities and their reasons) and
every indicator, published or not, so it is for officers: any role scoped to
the region (or above it). The public sees the dashboards instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User

from sinergi.web.accounts.policy import Policy


@dataclass(frozen=True)
class BriefingPolicy:
    base: Policy

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> BriefingPolicy:
        return cls(Policy.for_user(user))

    @property
    def is_public(self) -> bool:
        return self.base.is_public

    def can_generate(self, region_code: str) -> bool:
        """Any role within its region subtree; never the public."""
        return not self.base.is_public and self.base.in_scope(region_code)
