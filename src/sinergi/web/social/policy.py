"""Who sees and does what in the SLRT referral app.

Built on :class:`sinergi.web.accounts.policy.Policy` (role + region scope) and the
registry's Dinsos verifier flag (:class:`sinergi.web.registry.policy.RegistryPolicy`):

- **Front office** (Puskesos): a kecamatan operator, scoped to its kecamatan or to
  one desa. Registers cases of its area, records consent, refers, closes and
  reopens, proposes registry changes; sees its area's cases in full.
- **Back office**: the Dinsos verifier (an OPD operator of an agency in
  ``SINERGI_SOCIAL_AGENCY_CODES``). Everything the front office does, for the
  whole regency, plus: referring without consent (an override with a reason,
  audited), reviewing and exporting registry proposals, the catalogue.
- **Service agency**: an OPD operator of the agency (or partner, e.g. Baznas) a
  service belongs to. Works its own queue only: sees the cases referred to its
  services (the person, for the service it delivers) and accepts, rejects or
  completes those referrals. The Dinsos verifier is also the service agency of
  Dinsos's own services.
- **Bappeda and executive viewers**: aggregates and referral lists without the
  person's name, NIK, address or narrative.
- **Public**: a case's status and dates, by ticket number only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Q

from sinergi.web.accounts.models import Role
from sinergi.web.accounts.policy import Policy
from sinergi.web.registry.policy import RegistryPolicy

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class SocialPolicy:
    """Access decisions of one user in the SLRT app."""

    base: Policy
    social_verifier: bool = False

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> SocialPolicy:
        registry = RegistryPolicy.for_user(user)
        return cls(registry.base, registry.is_social_verifier)

    # --- who is who ---------------------------------------------------------------

    @property
    def user(self) -> User | AnonymousUser:
        return self.base.user

    @property
    def scope(self) -> str | None:
        return self.base.scope

    @property
    def is_public(self) -> bool:
        return self.base.is_public or self.base.scope is None

    @property
    def is_front_office(self) -> bool:
        return self.base.role == Role.KECAMATAN_OPERATOR and self.base.scope is not None

    @property
    def is_back_office(self) -> bool:
        """The Dinsos verifier (and a superuser, who may do anything)."""
        if self.base.scope is None:
            return False
        return self.social_verifier or bool(getattr(self.user, "is_superuser", False))

    @property
    def agency_id(self) -> int | None:
        """The agency whose queue the user works (OPD operators only)."""
        if self.base.role == Role.OPD_OPERATOR and self.base.scope is not None:
            return self.base.agency_id
        return None

    @property
    def is_service_operator(self) -> bool:
        return self.agency_id is not None

    @property
    def is_aggregate_only(self) -> bool:
        """Bappeda administrators and executive viewers: no names, NIK or narrative."""
        return (
            self.base.role in (Role.BAPPEDA_ADMIN, Role.EXECUTIVE_VIEWER)
            and self.base.scope is not None
            and not self.is_back_office
        )

    # --- reading ------------------------------------------------------------------

    @property
    def can_use_app(self) -> bool:
        """The SLRT pages behind login (the public has the ticket page only)."""
        return not self.is_public

    def _case_q(self, prefix: str = "") -> Q:
        """Cases (through ``prefix``, e.g. ``"case__"``) the user may list."""
        if self.is_public:
            return Q(pk__in=[])
        area = self.base.region_q(f"{prefix}desa")
        if self.is_front_office or self.is_back_office or self.is_aggregate_only:
            return area
        if self.agency_id is not None:
            return Q(
                **{f"{prefix}referrals__service__agency_id": self.agency_id}
            ) & self.base.region_q(f"{prefix}desa")
        return Q(pk__in=[])

    def cases(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Cases the user may list (aggregate-only roles: without personal fields, see
        :meth:`can_see_personal`)."""
        if self.is_public:
            return qs.none()
        if self.agency_id is not None and not (self.is_front_office or self.is_back_office):
            return qs.filter(self._case_q()).distinct()
        return qs.filter(self._case_q())

    def referrals(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Referrals the user may list: a service operator only its own agency's queue
        (a Dinsos verifier the whole regency)."""
        if self.is_public:
            return qs.none()
        area = self.base.region_q("case__desa")
        if self.is_front_office or self.is_back_office or self.is_aggregate_only:
            return qs.filter(area)
        if self.agency_id is not None:
            return qs.filter(area, service__agency_id=self.agency_id)
        return qs.none()

    def queue(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """The referrals the user answers as a service agency (its agency's services)."""
        if self.agency_id is None:
            return qs.none()
        return qs.filter(self.base.region_q("case__desa"), service__agency_id=self.agency_id)

    def _in_area(self, case: Any) -> bool:
        return self.base.in_scope(case.desa_id)

    def _has_referral_of_agency(self, case: Any) -> bool:
        if self.agency_id is None:
            return False
        return bool(case.referrals.filter(service__agency_id=self.agency_id).exists())

    def can_view_case(self, case: Any) -> bool:
        if self.is_public or not self._in_area(case):
            return False
        if self.is_front_office or self.is_back_office or self.is_aggregate_only:
            return True
        return self._has_referral_of_agency(case)

    def can_see_personal(self, case: Any) -> bool:
        """Name, NIK/KK (masked), address, narrative and attachments of a case."""
        if self.is_public or self.is_aggregate_only or not self._in_area(case):
            return False
        if self.is_front_office or self.is_back_office:
            return True
        return self._has_referral_of_agency(case)

    @property
    def can_see_personal_in_lists(self) -> bool:
        """Whether lists may show the person's name (aggregate roles: never)."""
        return not self.is_public and not self.is_aggregate_only

    def can_view_referral(self, referral: Any) -> bool:
        if self.is_public or not self._in_area(referral.case):
            return False
        if self.is_front_office or self.is_back_office or self.is_aggregate_only:
            return True
        return self.agency_id is not None and referral.service.agency_id == self.agency_id

    @property
    def can_view_reports(self) -> bool:
        return not self.is_public

    @property
    def can_view_dashboard(self) -> bool:
        return not self.is_public

    # --- front and back office ----------------------------------------------------

    def can_register(self, desa_code: str) -> bool:
        return (self.is_front_office or self.is_back_office) and self.base.in_scope(desa_code)

    @property
    def can_register_anywhere(self) -> bool:
        return self.is_front_office or self.is_back_office

    def can_edit_case(self, case: Any) -> bool:
        """Consent, referrals, closing, reopening, proposals and attachments of a case."""
        return (self.is_front_office or self.is_back_office) and self._in_area(case)

    def can_record_consent(self, case: Any) -> bool:
        return self.can_edit_case(case)

    def can_refer(self, case: Any) -> bool:
        return self.can_edit_case(case)

    def can_override_consent(self, case: Any) -> bool:
        """Referring without consent (with a reason, audited): the Dinsos back office."""
        return self.is_back_office and self._in_area(case)

    def can_close(self, case: Any) -> bool:
        return self.can_edit_case(case)

    def can_reopen(self, case: Any) -> bool:
        return self.can_edit_case(case)

    def can_propose(self, case: Any) -> bool:
        return self.can_edit_case(case)

    def can_attach(self, case: Any) -> bool:
        return self.can_edit_case(case) or (
            self._in_area(case) and self._has_referral_of_agency(case)
        )

    def can_revoke(self, referral: Any) -> bool:
        """Withdrawing a referral: the office that works the case, not the receiving agency."""
        return self.can_edit_case(referral.case)

    # --- service agency -----------------------------------------------------------

    def can_handle(self, referral: Any) -> bool:
        """Accept, reject or complete: the operators of the service's own agency."""
        return (
            self.agency_id is not None
            and referral.service.agency_id == self.agency_id
            and self._in_area(referral.case)
        )

    # --- registry proposals and catalogue -----------------------------------------

    @property
    def can_review_proposals(self) -> bool:
        return self.is_back_office

    def proposals(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        if self.is_back_office or self.is_front_office:
            return qs.filter(self.base.region_q("case__desa"))
        return qs.none()

    @property
    def can_export_proposals(self) -> bool:
        return self.is_back_office

    @property
    def can_manage_services(self) -> bool:
        return self.is_back_office

    @property
    def can_view_catalogue(self) -> bool:
        return not self.is_public
