"""Who may see and change programme monitoring data (built on the accounts policy).

- The public sees aggregate monev only (per agency: budget, realisation %, warning counts).
- Any role scoped to the region reads activity detail, documents and reports.
- An OPD operator writes realisations, budgets, documents and proposals of its own
  agency's activities only.
- A Bappeda administrator plans (activities, flagships, indicators), writes anything
  in its region and reviews realisations.
- A realisation that is not submitted (draft, or returned for correction) counts in
  no official figure and is seen only by its own agency and the reviewers (Bappeda).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from sinergi.web.accounts.models import Role
from sinergi.web.accounts.policy import Policy
from sinergi.web.programs.choices import RealisationStatus
from sinergi.web.programs.models import Activity, FlagshipProgramme, Realisation
from sinergi.web.regions.models import COUNTRY_CODE


@dataclass(frozen=True)
class MonevPolicy:
    base: Policy

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> MonevPolicy:
        return cls(Policy.for_user(user))

    @property
    def user(self) -> User | AnonymousUser:
        return self.base.user

    @property
    def is_public(self) -> bool:
        return self.base.is_public

    def _bappeda(self, region_code: str) -> bool:
        return self.base.role == Role.BAPPEDA_ADMIN and self.base.in_scope(region_code)

    def can_read_details(self, region_code: str) -> bool:
        """Activity detail, problems, documents and reports: any role within its region."""
        return not self.base.is_public and self.base.in_scope(region_code)

    def can_plan(self, region_code: str) -> bool:
        """Create or change activities, flagships, plans and performance indicators."""
        return self._bappeda(region_code)

    def owns(self, activity: Activity) -> bool:
        return (
            self.base.role == Role.OPD_OPERATOR
            and self.base.agency_id is not None
            and self.base.agency_id == activity.agency_id
            and self.base.in_scope(activity.region_id)
        )

    def can_write_activity_data(self, activity: Activity) -> bool:
        """Realisation, budget and documents of an activity: its own agency, or Bappeda."""
        return self.owns(activity) or self._bappeda(activity.region_id)

    def can_review(self, activity: Activity) -> bool:
        return self._bappeda(activity.region_id)

    def can_see_unsubmitted(self, activity: Activity) -> bool:
        """Draft and returned realisations: the activity's own agency and its reviewers only."""
        return self.owns(activity) or self.can_review(activity)

    def can_see_realisation(self, realisation: Realisation) -> bool:
        """A realisation's figures: submitted or approved for any reader of the region,
        unsubmitted ones for :meth:`can_see_unsubmitted` only."""
        activity = realisation.activity
        if not self.can_read_details(activity.region_id):
            return False
        if realisation.status in (RealisationStatus.SUBMITTED, RealisationStatus.APPROVED):
            return True
        return self.can_see_unsubmitted(activity)

    def visible_realisations(self, queryset: QuerySet[Realisation]) -> QuerySet[Realisation]:
        """The realisations whose figures this user may read (drafts scoped as above)."""
        queryset = queryset.filter(self.scope_q("activity__region__code"))
        official = Q(status__in=[RealisationStatus.SUBMITTED, RealisationStatus.APPROVED])
        if self.base.role == Role.BAPPEDA_ADMIN:
            return queryset
        agency_id = self.base.agency_id
        if self.base.role == Role.OPD_OPERATOR and agency_id is not None:
            return queryset.filter(official | Q(activity__agency_id=agency_id))
        return queryset.filter(official)

    def can_propose(self, region_code: str, agency_id: int) -> bool:
        """Non-APBD proposals: an agency for itself, or Bappeda for any agency of its region."""
        if self._bappeda(region_code):
            return True
        return (
            self.base.role == Role.OPD_OPERATOR
            and self.base.agency_id == agency_id
            and self.base.in_scope(region_code)
        )

    def can_set_rkpd_status(self, region_code: str) -> bool:
        return self._bappeda(region_code)

    def can_upload_to_flagship(self, flagship: FlagshipProgramme) -> bool:
        """Bappeda, or an operator of an agency that runs one of the flagship's activities."""
        if self._bappeda(flagship.region_id):
            return True
        return (
            self.base.role == Role.OPD_OPERATOR
            and self.base.in_scope(flagship.region_id)
            and flagship.activities.filter(agency_id=self.base.agency_id).exists()
        )

    def scope_q(self, field: str = "region__code") -> Q:
        """A filter keeping rows of the user's region subtree (nothing for the public)."""
        scope = self.base.scope
        if self.base.is_public or scope is None:
            return Q(pk__in=[])
        if scope == COUNTRY_CODE:
            return Q()
        return Q(**{field: scope}) | Q(**{f"{field}__startswith": scope + "."})

    def visible_activities(self, queryset: QuerySet[Activity]) -> QuerySet[Activity]:
        """The activities whose detail this user may read."""
        return queryset.filter(self.scope_q("region__code"))
