"""Who sees and changes programmes, beneficiary lists, matches and convergence.

Built on :class:`sinergi.web.registry.policy.RegistryPolicy` (role, region scope,
the Dinas Sosial verifier flag):

- Convergence figures are aggregates: every signed-in officer sees them, with
  cells below ``SINERGI_SMALL_CELL_THRESHOLD`` households hidden for the roles
  that may not browse the registry (the public sees nothing: lists are about
  named people).
- Programmes, column mappings, list uploads, matching runs and the review queue:
  a Bappeda administrator and a Dinsos verifier for every programme of their
  scope; an OPD operator for the programmes of its own agency's stakeholder.
- Field-verification lists name households (masked): the users who may browse
  the registry, limited to their scope (a kecamatan operator: its kecamatan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

from sinergi.web.accounts.models import Role
from sinergi.web.regions.models import COUNTRY_CODE
from sinergi.web.registry.policy import RegistryPolicy

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class BeneficiaryPolicy:
    registry: RegistryPolicy

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> BeneficiaryPolicy:
        return cls(RegistryPolicy.for_user(user))

    @property
    def user(self) -> User | AnonymousUser:
        return self.registry.user

    @property
    def scope(self) -> str | None:
        return self.registry.base.scope

    @property
    def is_signed_in_officer(self) -> bool:
        return not self.registry.is_public and self.scope is not None

    # --- aggregates -----------------------------------------------------------------

    @property
    def can_view_convergence(self) -> bool:
        return self.is_signed_in_officer

    @property
    def small_cell_threshold(self) -> int:
        return self.registry.small_cell_threshold

    def suppress(self, count: int | None) -> int | None:
        return self.registry.suppress(count)

    def can_view_area(self, region_code: str) -> bool:
        """Aggregates of an area: anywhere for officers of a regency or wider; a kecamatan
        operator's aggregates are not limited either (they are published figures)."""
        return self.can_view_convergence

    # --- programmes, lists, matching, review ----------------------------------------

    @property
    def can_manage_any(self) -> bool:
        """May create programmes (and stakeholders)."""
        return (self.registry.is_bappeda or self.registry.is_social_verifier) and (
            self.scope is not None
        )

    def programmes(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Programmes the user sees (every officer: all, their figures are aggregates)."""
        if not self.is_signed_in_officer:
            return qs.none()
        return qs

    def managed_programmes(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Programmes whose lists the user uploads, matches and reviews."""
        if self.can_manage_any:
            if self.scope == COUNTRY_CODE:
                return qs
            return qs.filter(Q(region_id=self.scope) | Q(region__code__startswith=self.scope + "."))
        base = self.registry.base
        if base.role == Role.OPD_OPERATOR and base.agency_id:
            return qs.filter(owner__agency_id=base.agency_id)
        return qs.none()

    def can_manage(self, programme: Any) -> bool:
        from sinergi.web.beneficiaries.models import Programme

        return self.managed_programmes(Programme.objects.filter(pk=programme.pk)).exists()

    def require_manage(self, programme: Any) -> None:
        if not self.can_manage(programme):
            raise PermissionDenied

    # --- field-verification lists (named, masked) -----------------------------------

    @property
    def can_export_households(self) -> bool:
        return self.registry.can_browse

    def household_scope(self) -> str | None:
        """Region code household lists are limited to (``None``: the whole release);
        ``PermissionDenied`` for users who may not see households."""
        return self.registry.microdata_scope()
