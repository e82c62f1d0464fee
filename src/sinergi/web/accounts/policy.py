"""The one place that decides who may see and change what.

Pages, the API and exports ask a :class:`Policy`; none of them decide access on
their own. A user without a profile is treated as the public: published
aggregates only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Exists, OuterRef, Q

from sinergi.web.accounts.models import Profile, Role
from sinergi.web.collection.choices import EDITABLE_STATUSES, SubmissionStatus
from sinergi.web.regions.models import COUNTRY_CODE

M = TypeVar("M", bound=models.Model)


_MEMO = "_sinergi_policy_memo"
# Planning objects of a region whose history any role of the region (but the executive
# viewer) reads; they all carry ``region``.
PLANNING_OBJECTS = frozenset(
    {
        "programs.flagshipprogramme",
        "programs.activity",
        "programs.performanceindicator",
        "programs.nonapbdproposal",
    }
)


def start_memo(user: User | AnonymousUser) -> None:
    """Let the policies computed for ``user`` be kept on it (one request's user object;
    :class:`sinergi.web.core.middleware.PolicyCacheMiddleware` calls this)."""
    setattr(user, _MEMO, {})


def memo(user: User | AnonymousUser) -> dict[str, Any] | None:
    """The memo of a request's user (``None`` outside a request: nothing is kept)."""
    found = getattr(user, _MEMO, None)
    return found if isinstance(found, dict) else None


@dataclass(frozen=True)
class Policy:
    """Access decisions for one user."""

    user: User | AnonymousUser
    role: str | None
    scope: str | None  # region code of the subtree the user is scoped to
    agency_id: int | None

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> Policy:
        kept = memo(user)
        if kept is not None and "base" in kept:
            return kept["base"]  # type: ignore[no-any-return]
        policy = cls._for_user(user)
        if kept is not None:
            kept["base"] = policy
        return policy

    @classmethod
    def _for_user(cls, user: User | AnonymousUser) -> Policy:
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

    # --- scoping helpers: every page, API view and export filters through these ---

    def region_q(self, path: str = "region") -> Q:
        """A filter keeping rows whose region (``path``: a foreign key to Region, or "code" on
        Region itself) is inside the user's subtree."""
        if self.scope is None:
            return Q(pk__in=[])
        if self.scope == COUNTRY_CODE:
            return Q()
        code = path if path == "code" else f"{path}__code"
        return Q(**{code: self.scope}) | Q(**{f"{code}__startswith": self.scope + "."})

    def regions(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Regions (a Region queryset) inside the user's subtree."""
        return qs.filter(self.region_q("code"))

    def datasets(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Data sets the user works with: an OPD operator those its agency verifies; other
        roles those with a reporting region inside their subtree; the public none."""
        if self.is_public:
            return qs.none()
        if self.role == Role.OPD_OPERATOR:
            return qs.filter(owner_id=self.agency_id) if self.agency_id else qs.none()
        through = qs.model.reporting_regions.through  # type: ignore[attr-defined]
        reporting = through.objects.filter(self.region_q("region"), dataset_id=OuterRef("pk"))
        return qs.filter(Exists(reporting))

    def submissions(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Submissions the user may read: inside the subtree; an OPD operator only those of
        its agency's data sets; an executive viewer only approved ones; the public none."""
        if self.is_public:
            return qs.none()
        query = self.region_q("region")
        if self.role == Role.OPD_OPERATOR:
            if not self.agency_id:
                return qs.none()
            query &= Q(period__dataset__owner_id=self.agency_id)
        elif self.role == Role.EXECUTIVE_VIEWER:
            query &= Q(status=SubmissionStatus.APPROVED)
        return qs.filter(query)

    def can_read_submission(self, submission: Any) -> bool:
        """The object-level form of :meth:`submissions` (no query)."""
        if self.is_public or not self.in_scope(submission.region_id):
            return False
        if self.role == Role.OPD_OPERATOR:
            return bool(self.agency_id) and submission.period.dataset.owner_id == self.agency_id
        if self.role == Role.EXECUTIVE_VIEWER:
            return submission.status == SubmissionStatus.APPROVED
        return True

    def can_enter_data(self, region_code: str) -> bool:
        """Entering and submitting figures: kecamatan operators, for their own regions."""
        return self.role == Role.KECAMATAN_OPERATOR and self.in_scope(region_code)

    def can_edit_submission(self, submission: Any) -> bool:
        """Changing values: the reporting region's operator, while the submission is a draft
        or was returned for correction (approved data is locked)."""
        return self.can_enter_data(submission.region_id) and submission.status in EDITABLE_STATUSES

    def can_transition(self, submission: Any, roles: Collection[str]) -> bool:
        """A workflow step: the user's role is one of the step's ``roles`` and the submission
        is in the user's scope."""
        return self.role in roles and self.can_read_submission(submission)

    def can_view_completeness(self, dataset: Any) -> bool:
        if self.is_public:
            return False
        if self.role == Role.OPD_OPERATOR:
            return bool(self.agency_id) and dataset.owner_id == self.agency_id
        return self.datasets(type(dataset)._default_manager.filter(pk=dataset.pk)).exists()

    # --- users ---

    @property
    def can_manage_users(self) -> bool:
        return self.role == Role.BAPPEDA_ADMIN

    def users(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Users a Bappeda administrator manages (profiles inside the subtree); others: none."""
        if not self.can_manage_users:
            return qs.none()
        return qs.filter(self.region_q("profile__region"))

    def can_assign(self, role: str, region_code: str, agency: Any = None) -> bool:
        """May this user create a user with ``role`` scoped to ``region_code`` (and agency)?"""
        if not self.can_manage_users or role not in Role.values:
            return False
        if not self.in_scope(region_code):
            return False
        return agency is None or self.in_scope(agency.region_id)

    # --- agencies (OPD) ---

    def can_manage_agencies(self, region_code: str) -> bool:
        """Creating and changing a region's agencies (OPD) and their heads: the Bappeda
        administrator whose subtree holds the region (the users page's rule, per region)."""
        return self.can_manage_users and self.in_scope(region_code)

    def agencies(self, qs: models.QuerySet[M]) -> models.QuerySet[M]:
        """Agencies a Bappeda administrator manages (inside the subtree); others: none."""
        if not self.can_manage_users:
            return qs.none()
        return qs.filter(self.region_q("region"))

    # --- history pages ---

    def can_view_history(self, obj: models.Model) -> bool:
        """Whether the user may read an object's audit trail (which names who changed it)."""
        if self.is_public:
            return False
        label = obj._meta.label_lower
        if label == "collection.submission":
            return self.can_read_submission(obj)
        if label == "collection.datavalue":
            return self.can_read_submission(obj.submission)  # type: ignore[attr-defined]
        if label == "collection.dataset":
            return self.datasets(type(obj)._default_manager.filter(pk=obj.pk)).exists()
        if label in {"indicators.indicatorvalue", "indicators.target"}:
            return self.role != Role.EXECUTIVE_VIEWER and self.in_scope(obj.region_id)  # type: ignore[attr-defined]
        if label == "programs.realisation":
            # Its trail holds draft figures: the activity's own agency and Bappeda only.
            activity = obj.activity  # type: ignore[attr-defined]
            if not self.in_scope(activity.region_id):
                return False
            return self.role == Role.BAPPEDA_ADMIN or (
                self.role == Role.OPD_OPERATOR and self.agency_id == activity.agency_id
            )
        if label in PLANNING_OBJECTS:
            # Plans are read by every role of the region (MonevPolicy.can_read_details), so
            # their trail is too, except the executive viewer's (as values and targets).
            return self.role != Role.EXECUTIVE_VIEWER and self.in_scope(obj.region_id)  # type: ignore[attr-defined]
        if label == "programs.budget":
            return self.role != Role.EXECUTIVE_VIEWER and self.in_scope(obj.activity.region_id)  # type: ignore[attr-defined]
        if label == "auth.user":
            same = type(obj)._default_manager.filter(pk=obj.pk)
            return obj.pk == self.user.pk or self.users(same).exists()
        if label == "accounts.agency":
            return self.can_manage_agencies(obj.region_id)  # type: ignore[attr-defined]
        if label == "accounts.profile":
            return self.can_view_history(obj.user)  # type: ignore[attr-defined]
        return bool(getattr(self.user, "is_superuser", False))
