"""The approval workflow, as data.

A submission has a status; :data:`TRANSITIONS` lists every allowed step (from,
to, who, whether a comment is required) and the action class that performs it.
Each action's :meth:`~TransitionAction.check` says why it may not happen;
:meth:`~TransitionAction.execute` performs it in a transaction and writes its
audit entry::

    draft ──submit──▶ submitted ──verify──▶ verified ──approve──▶ approved
      ▲                  │                     │                     │
      └────── returned ◀─┴──return─────────────┴──return   unapprove─┘
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from sinergi.web.accounts.models import Role
from sinergi.web.accounts.policy import Policy
from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.collection.choices import SubmissionStatus as S
from sinergi.web.collection.models import Submission
from sinergi.web.core.formatting import long_date
from sinergi.web.indicators.services import ConflictError

User = AbstractBaseUser | AnonymousUser


class WorkflowError(Exception):
    """A step that may not happen now; ``messages`` say why, in the user's language."""

    def __init__(self, messages: Sequence[str], *, forbidden: bool = False) -> None:
        self.messages = list(messages)
        self.forbidden = forbidden
        super().__init__(" ".join(self.messages))


class TransitionAction:
    """Performs one workflow step on a submission. Subclasses add checks and effects."""

    def __init__(
        self,
        row: Transition,
        submission: Submission,
        user: User,
        *,
        comment: str = "",
        expected_version: int | None = None,
        publish: bool = True,
    ) -> None:
        self.row = row
        self.submission = submission
        self.user = user
        self.comment = (comment or "").strip()
        self.expected_version = expected_version
        self.publish = publish
        self.policy = Policy.for_user(user)

    def check(self) -> None:
        """Raise :class:`WorkflowError` when the step may not happen."""
        row = self.row
        if not self.policy.can_transition(self.submission, row.roles):
            raise WorkflowError(
                [_("You may not do this: %(action)s.") % {"action": row.label}], forbidden=True
            )
        if self.submission.status != row.source:
            raise WorkflowError(
                [
                    _("A submission that is “%(status)s” cannot be %(action)s.")
                    % {"status": self.submission.get_status_display(), "action": row.done}
                ]
            )
        if row.needs_comment and not self.comment:
            raise WorkflowError([_("Say why in the comment; the reporting region will read it.")])

    def before_save(self, now: Any) -> None:
        """Field changes besides the status (timestamps)."""

    def after_save(self) -> None:
        """Consequences once the new status is stored (publishing); same transaction."""

    @transaction.atomic
    def execute(self) -> Submission:
        sub = (
            Submission.objects.select_for_update()
            .select_related("period__dataset", "region")
            .get(pk=self.submission.pk)
        )
        if self.expected_version is not None and self.expected_version != sub.version:
            raise ConflictError(sub, self.expected_version)
        self.submission = sub
        # The row for the status the submission has now (it may differ from the caller's copy).
        self.row = find(self.row.name, sub.status) or self.row
        self.check()
        before = audit.snapshot(sub)
        now = timezone.now()
        sub.status = self.row.target
        sub.last_comment = self.comment
        sub.version += 1
        sub.updated_by = self.user if self.user.is_authenticated else None  # type: ignore[assignment]
        self.before_save(now)
        sub.save()
        self.after_save()
        note = f"{self.row.name}: {self.comment}" if self.comment else self.row.name
        audit.record(sub, Action.TRANSITION, self.user, before=before, comment=note)
        return sub


class Submit(TransitionAction):
    def check(self) -> None:
        super().check()
        from sinergi.web.collection import services

        today = timezone.localdate()
        if not self.submission.period.is_open(today):
            raise WorkflowError(
                [
                    _("Period %(period)s opens on %(date)s.")
                    % {
                        "period": self.submission.period.label,
                        "date": long_date(self.submission.period.opens_on),
                    }
                ]
            )
        issues = services.issues_for(self.submission)
        problems = [i.message for i in issues if i.is_hard]
        comments = self.submission.rule_comments or {}
        problems += [
            _("Warning needs a comment: %(message)s") % {"message": i.message}
            for i in issues
            if not i.is_hard and not (comments.get(i.key) or "").strip()
        ]
        if problems:
            raise WorkflowError(problems)

    def before_save(self, now: Any) -> None:
        self.submission.submitted_at = now
        if self.submission.first_submitted_at is None:
            self.submission.first_submitted_at = now


class Verify(TransitionAction):
    pass


class Return(TransitionAction):
    pass


class Approve(TransitionAction):
    def before_save(self, now: Any) -> None:
        self.submission.approved_at = now

    def after_save(self) -> None:
        from sinergi.web.collection import services

        services.publish(self.submission, self.user, aggregate=self.publish)


class Unapprove(TransitionAction):
    def before_save(self, now: Any) -> None:
        self.submission.approved_at = None

    def after_save(self) -> None:
        from sinergi.web.collection import services

        services.withdraw(self.submission, self.user, comment=self.comment)


@dataclass(frozen=True)
class Transition:
    """An allowed step: ``name`` takes a submission from ``source`` to ``target``, done by
    one of ``roles``, performed by ``action``."""

    name: str
    source: str
    target: str
    roles: frozenset[str]
    needs_comment: bool
    action: type[TransitionAction]
    label: Any  # the button, e.g. "Verify"
    done: Any  # the past participle, e.g. "verified"
    style: str = ""


KEC, OPD, BAPPEDA = Role.KECAMATAN_OPERATOR, Role.OPD_OPERATOR, Role.BAPPEDA_ADMIN

# The table of allowed transitions. An OPD verifier returns what was submitted to
# it; once verified, only Bappeda can return it. Only Bappeda unlocks approved data.
TRANSITIONS: list[Transition] = [
    Transition(
        "submit",
        S.DRAFT,
        S.SUBMITTED,
        frozenset({KEC}),
        False,
        Submit,
        gettext_lazy("Submit"),
        gettext_lazy("submitted"),
        "primary",
    ),
    Transition(
        "submit",
        S.RETURNED,
        S.SUBMITTED,
        frozenset({KEC}),
        False,
        Submit,
        gettext_lazy("Submit"),
        gettext_lazy("submitted"),
        "primary",
    ),
    Transition(
        "verify",
        S.SUBMITTED,
        S.VERIFIED,
        frozenset({OPD}),
        False,
        Verify,
        gettext_lazy("Verify"),
        gettext_lazy("verified"),
        "primary",
    ),
    Transition(
        "return",
        S.SUBMITTED,
        S.RETURNED,
        frozenset({OPD, BAPPEDA}),
        True,
        Return,
        gettext_lazy("Return for correction"),
        gettext_lazy("returned"),
    ),
    Transition(
        "approve",
        S.VERIFIED,
        S.APPROVED,
        frozenset({BAPPEDA}),
        False,
        Approve,
        gettext_lazy("Approve"),
        gettext_lazy("approved"),
        "primary",
    ),
    Transition(
        "return",
        S.VERIFIED,
        S.RETURNED,
        frozenset({BAPPEDA}),
        True,
        Return,
        gettext_lazy("Return for correction"),
        gettext_lazy("returned"),
    ),
    Transition(
        "unapprove",
        S.APPROVED,
        S.RETURNED,
        frozenset({BAPPEDA}),
        True,
        Unapprove,
        gettext_lazy("Un-approve (unlock)"),
        gettext_lazy("un-approved"),
    ),
]
NAMES = frozenset(t.name for t in TRANSITIONS)


def find(name: str, status: str) -> Transition | None:
    """The row of step ``name`` from ``status``, if the table allows it."""
    return next((t for t in TRANSITIONS if t.name == name and t.source == status), None)


def available(submission: Submission, user: User) -> list[Transition]:
    """The steps ``user`` may take on ``submission`` now (buttons, the API)."""
    policy = Policy.for_user(user)
    return [
        t
        for t in TRANSITIONS
        if t.source == submission.status and policy.can_transition(submission, t.roles)
    ]


def perform(
    submission: Submission,
    name: str,
    user: User,
    *,
    comment: str = "",
    expected_version: int | None = None,
    publish: bool = True,
) -> Submission:
    """Run step ``name`` on ``submission``; raises :class:`WorkflowError` or ``ConflictError``."""
    if name not in NAMES:
        raise WorkflowError([gettext("Unknown action %(name)s.") % {"name": name}])
    row = find(name, submission.status) or next(t for t in TRANSITIONS if t.name == name)
    action = row.action(
        row, submission, user, comment=comment, expected_version=expected_version, publish=publish
    )
    return action.execute()
