"""Who may do what on a submission's page (built on the accounts policy).

- The kecamatan operator fills in and submits its own region's form; it never
  reviews, so the review panel is not its to see.
- The verifying agency (OPD) and Bappeda review: the panel lists the workflow
  steps their role may take on a submission in their scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User

from sinergi.web.accounts.models import Role
from sinergi.web.accounts.policy import Policy
from sinergi.web.collection import workflow
from sinergi.web.collection.models import Submission

REVIEWER_ROLES = frozenset({Role.OPD_OPERATOR, Role.BAPPEDA_ADMIN})


@dataclass(frozen=True)
class CollectionPolicy:
    base: Policy

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> CollectionPolicy:
        return cls(Policy.for_user(user))

    def can_review(self, submission: Submission) -> bool:
        """A reviewer (OPD verifier or Bappeda) who may read the submission."""
        return self.base.role in REVIEWER_ROLES and self.base.can_read_submission(submission)

    def review_steps(self, submission: Submission) -> list[workflow.Transition]:
        """The steps of the review panel: none for anyone who is not a reviewer."""
        if not self.can_review(submission):
            return []
        return workflow.available(submission, self.base.user)
