"""Who sees which registry releases and households, and who may see a clear NIK/KK.

Built on :class:`sinergi.web.accounts.policy.Policy` (role + region scope):

- Everyone, the public included, sees the release list and area profiles:
  aggregates only, with cells below ``SINERGI_SMALL_CELL_THRESHOLD`` households
  hidden (officers who may browse the microdata see them whole).
- A kecamatan operator browses the households of its own kecamatan, masked.
- A Bappeda administrator browses its regency (masked), imports releases and
  may reveal a NIK/KK.
- An OPD verifier of the social affairs office (Dinas Sosial, agency code in
  ``SINERGI_SOCIAL_AGENCY_CODES``) browses its regency, imports and may reveal.
- Other OPD users and executive viewers: aggregates only.

Every reveal is written to the audit log by :func:`services.reveal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

from sinergi.web.accounts.models import Agency, Role
from sinergi.web.accounts.policy import Policy, memo
from sinergi.web.regions.models import COUNTRY_CODE

M = TypeVar("M", bound=models.Model)


def _within(code: str, scope: str) -> bool:
    return scope == COUNTRY_CODE or code == scope or code.startswith(scope + ".")


@dataclass(frozen=True)
class RegistryPolicy:
    base: Policy
    social_agency: bool = False

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> RegistryPolicy:
        kept = memo(user)
        if kept is not None and "registry" in kept:
            return kept["registry"]  # type: ignore[no-any-return]
        policy = cls._for_user(user)
        if kept is not None:
            kept["registry"] = policy
        return policy

    @classmethod
    def _for_user(cls, user: User | AnonymousUser) -> RegistryPolicy:
        base = Policy.for_user(user)
        social = False
        if base.role == Role.OPD_OPERATOR and base.agency_id:
            codes = [c.lower() for c in settings.SINERGI_SOCIAL_AGENCY_CODES]
            code = Agency.objects.filter(pk=base.agency_id).values_list("code", flat=True).first()
            social = bool(code) and code.lower() in codes
        return cls(base, social)

    @property
    def user(self) -> User | AnonymousUser:
        return self.base.user

    @property
    def is_public(self) -> bool:
        return self.base.is_public

    @property
    def is_social_verifier(self) -> bool:
        return self.social_agency

    @property
    def is_bappeda(self) -> bool:
        return self.base.role == Role.BAPPEDA_ADMIN

    # --- releases -------------------------------------------------------------------

    @property
    def can_view_registry(self) -> bool:
        """The release list and profiles are aggregates: open to everyone."""
        return True

    def releases(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Releases the user sees: the public and aggregate-only roles every ready release;
        officers those whose area overlaps their scope (inside it, or containing it)."""
        scope = self.base.scope
        if not self.can_browse or scope is None:
            return qs.filter(status="ready")
        if scope == COUNTRY_CODE:
            return qs
        parts = scope.split(".")
        ancestors = [".".join(parts[:i]) for i in range(1, len(parts))] + [COUNTRY_CODE]
        return qs.filter(
            Q(region_id=scope)
            | Q(region__code__startswith=scope + ".")
            | Q(region_id__in=ancestors)
        )

    @property
    def is_aggregate_only(self) -> bool:
        return not self.can_browse

    @property
    def small_cell_threshold(self) -> int:
        """Profiles hide cells with fewer households than this (1: nothing hidden)."""
        if self.is_bappeda or self.social_agency:
            return 1
        return int(settings.SINERGI_SMALL_CELL_THRESHOLD)

    def suppress(self, count: int | None) -> int | None:
        """A published count, or ``None`` when the cell is too small to show."""
        if count is None:
            return None
        return count if count >= self.small_cell_threshold or count == 0 else None

    @property
    def can_view_profiles(self) -> bool:
        return True

    def profile_region_code(self, release: Any) -> str:
        """The area a profile opens on: the user's scope if inside the release, else the
        release's own area."""
        scope = self.base.scope
        if scope and scope != COUNTRY_CODE and _within(scope, release.region_id):
            return scope
        return str(release.region_id)

    def can_view_profile(self, release: Any, region_code: str) -> bool:
        return _within(region_code, release.region_id)

    # --- microdata ------------------------------------------------------------------

    @property
    def can_browse(self) -> bool:
        """Household pages (masked): kecamatan operators, Bappeda, Dinsos verifiers."""
        return (
            self.base.role in (Role.KECAMATAN_OPERATOR, Role.BAPPEDA_ADMIN) or self.social_agency
        ) and self.base.scope is not None

    @property
    def browse_scope(self) -> str | None:
        """Region code the user's household queries are limited to (``00``: everything)."""
        return self.base.scope if self.can_browse else None

    def household_scope(self) -> str | None:
        return self.browse_scope

    def microdata_scope(self) -> str | None:
        """The region code household queries are limited to, for the ``browse`` functions
        (``None``: the whole release, for a national scope). A user who may not browse
        households gets ``PermissionDenied``, never ``None``: in the queries ``None``
        means everything."""
        if not self.can_browse or self.base.scope is None:
            raise PermissionDenied
        return None if self.base.scope == COUNTRY_CODE else self.base.scope

    def can_browse_area(self, region_code: str) -> bool:
        return self.can_browse and self.base.in_scope(region_code)

    def can_read_region(self, region_code: str) -> bool:
        return self.can_browse_area(region_code)

    def can_see_household(self, desa_code: str) -> bool:
        return self.can_browse_area(desa_code)

    @property
    def can_reveal(self) -> bool:
        """A clear NIK/KK: Bappeda administrators and Dinsos verifiers (audited)."""
        return (self.is_bappeda or self.social_agency) and self.base.scope is not None

    # --- imports --------------------------------------------------------------------

    @property
    def can_import(self) -> bool:
        return (self.is_bappeda or self.social_agency) and self.base.scope is not None

    @property
    def import_region_code(self) -> str:
        """The area an imported release is filed under: the importer's scope (a superuser's
        national scope files it under the home region)."""
        scope = self.base.scope
        if scope is None or scope == COUNTRY_CODE:
            return str(settings.SINERGI_HOME_REGION)
        return scope

    @property
    def can_read_import_reports(self) -> bool:
        return self.can_import

    def import_reports(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Reports of visible releases, and the user's own reports (refused imports
        have no release)."""
        if not self.can_read_import_reports:
            return qs.none()
        if self.base.scope == COUNTRY_CODE:
            return qs
        from sinergi.web.registry.models import Release

        visible = self.releases(Release.objects.all()).values("pk")
        return qs.filter(Q(release__in=visible) | Q(release__isnull=True, created_by=self.user.pk))
