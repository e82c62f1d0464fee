"""Who may do what on a submission's page (built on the accounts policy).

- The kecamatan operator fills in and submits its own region's form; it never
  reviews, so the review panel is not its to see.
- The verifying agency (OPD) and Bappeda review: the panel lists the workflow
  steps their role may take on a submission in their scope.
- Only the Bappeda administrator of the region that runs a data set designs it
  (elements, rules, periods, publishing). A data set never published is seen by
  no one else: pages and the API list published data sets only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from sinergi.web.accounts.models import Role
from sinergi.web.accounts.policy import Policy
from sinergi.web.collection import workflow
from sinergi.web.collection.models import DataSet, Submission
from sinergi.web.regions.models import Region

M = TypeVar("M", bound=models.Model)

REVIEWER_ROLES = frozenset({Role.OPD_OPERATOR, Role.BAPPEDA_ADMIN})


@dataclass(frozen=True)
class CollectionPolicy:
    base: Policy

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> CollectionPolicy:
        return cls(Policy.for_user(user))

    def datasets(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Published data sets the user works with (see ``Policy.datasets``)."""
        return self.base.datasets(qs).filter(published_version__gte=1)

    def can_design(self, target: DataSet | Region | str) -> bool:
        """Designing a data set (or a new one for a region): the Bappeda administrator whose
        scope holds the region that runs it."""
        if isinstance(target, DataSet):
            code = target.region_id
        elif isinstance(target, Region):
            code = target.code
        else:
            code = target
        return self.base.role == Role.BAPPEDA_ADMIN and self.base.in_scope(code)

    @property
    def can_design_any(self) -> bool:
        return self.base.role == Role.BAPPEDA_ADMIN and self.base.scope is not None

    def designable(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Data sets (published or not) the user may design."""
        if not self.can_design_any:
            return qs.none()
        return qs.filter(self.base.region_q("region"))

    def can_review(self, submission: Submission) -> bool:
        """A reviewer (OPD verifier or Bappeda) who may read the submission."""
        return self.base.role in REVIEWER_ROLES and self.base.can_read_submission(submission)

    def review_steps(self, submission: Submission) -> list[workflow.Transition]:
        """The steps of the review panel: none for anyone who is not a reviewer."""
        if not self.can_review(submission):
            return []
        return workflow.available(submission, self.base.user)
