"""Who sees and changes meetings, problems, recommendations and actions.

Built on :class:`sinergi.web.accounts.policy.Policy` (role + region scope):

- The public and kecamatan operators: nothing (meetings are internal working records).
- Bappeda administrators, OPD users and executive viewers read the meetings of their
  region subtree and of the regions above it (a province's joint secretariat is read by
  the regencies that sit in it).
- A Bappeda administrator within the meeting's region prepares and records the meeting:
  agenda, attendance, problems (accept, merge, reject, add), recommendations, actions,
  attachments, the follow-up matrix import.
- An OPD user updates the actions its own agency owns (status, progress, evidence):
  never the problems or recommendations.
- Executive viewers only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Q

from sinergi.web.accounts.models import Role
from sinergi.web.accounts.policy import Policy
from sinergi.web.regions.models import COUNTRY_CODE

M = TypeVar("M", bound=models.Model)
READERS = (Role.BAPPEDA_ADMIN, Role.OPD_OPERATOR, Role.EXECUTIVE_VIEWER)


@dataclass(frozen=True)
class MeetingPolicy:
    base: Policy

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> MeetingPolicy:
        return cls(Policy.for_user(user))

    @property
    def user(self) -> User | AnonymousUser:
        return self.base.user

    @property
    def is_public(self) -> bool:
        return self.base.is_public

    def _ancestors(self) -> list[str]:
        scope = self.base.scope or ""
        parts = scope.split(".")
        return [".".join(parts[:i]) for i in range(1, len(parts))] + [COUNTRY_CODE]

    @property
    def can_view_meetings(self) -> bool:
        return self.base.role in READERS and self.base.scope is not None

    def can_read_region(self, region_code: str) -> bool:
        if not self.can_view_meetings:
            return False
        return self.base.in_scope(region_code) or region_code in self._ancestors()

    def meetings(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Meetings the user may read (a Meeting queryset)."""
        if not self.can_view_meetings:
            return qs.none()
        return qs.filter(self.base.region_q("region") | Q(region_id__in=self._ancestors()))

    def can_read(self, meeting: Any) -> bool:
        return self.can_read_region(meeting.region_id)

    def can_create(self, region_code: str) -> bool:
        return self.base.role == Role.BAPPEDA_ADMIN and self.base.in_scope(region_code)

    @property
    def creation_scope(self) -> str | None:
        """Region code new meetings are filed under (Bappeda only)."""
        if self.base.role != Role.BAPPEDA_ADMIN:
            return None
        return self.base.scope

    def can_manage(self, meeting: Any) -> bool:
        """Agenda, attendance, problems, recommendations, actions, imports of the meeting."""
        return self.can_create(meeting.region_id)

    def owns(self, action: Any) -> bool:
        """The action's owner organisation is the user's own agency."""
        return (
            self.base.role == Role.OPD_OPERATOR
            and self.base.agency_id is not None
            and action.owner.agency_id == self.base.agency_id
        )

    def can_update_action(self, action: Any) -> bool:
        """Status, progress, notes and evidence of an action item."""
        meeting = action.recommendation.meeting
        if not self.can_read(meeting):
            return False
        return self.can_manage(meeting) or self.owns(action)

    def can_edit_action_plan(self, action: Any) -> bool:
        """Title, owner, due date and weight: the meeting's organisers only."""
        return self.can_manage(action.recommendation.meeting)
