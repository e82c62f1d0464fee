"""Who may see and change the indicator catalogue, values and targets (built on the
accounts policy, which the API asks too).

- The catalogue (what an indicator is: code, names, unit, polarity, grades) is shared by
  every region, so a change made for one regency changes every dashboard. Anyone signed
  in reads it; it is changed only by a superuser or by a Bappeda administrator scoped to
  the whole country or to a province (the level that agrees indicators with the
  regencies below it). A regency's Bappeda reads it and asks its province for a change.
- Values and targets of a region are written by Bappeda administrators whose subtree
  holds the region (:meth:`Policy.can_write_indicator_data`, as ``indicators.api``);
  the management pages of a region (its value list, value entry and correction, its
  target grid) are for those same users only. Everyone else reads values and targets
  on the dashboard and indicator pages, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User

from sinergi.web.accounts.models import Role
from sinergi.web.accounts.policy import Policy
from sinergi.web.regions.models import COUNTRY_CODE


@dataclass(frozen=True)
class IndicatorPolicy:
    base: Policy

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> IndicatorPolicy:
        return cls(Policy.for_user(user))

    @property
    def user(self) -> User | AnonymousUser:
        return self.base.user

    # --- the catalogue ---

    @property
    def can_read_catalogue(self) -> bool:
        return bool(self.base.user.is_authenticated)

    @property
    def can_edit_catalogue(self) -> bool:
        """A superuser, or a Bappeda administrator of the country or of a province."""
        if getattr(self.base.user, "is_superuser", False):
            return True
        scope = self.base.scope
        return (
            self.base.role == Role.BAPPEDA_ADMIN
            and scope is not None
            and (scope == COUNTRY_CODE or "." not in scope)
        )

    # --- values and targets of a region ---

    def can_manage(self, region_code: str) -> bool:
        """Values and targets of ``region_code``: see, enter, correct, import, export."""
        return self.base.can_write_indicator_data(region_code)
