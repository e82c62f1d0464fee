"""E-mails of the SLRT workflow, queued to be sent after the transaction commits.

Each function is called by :mod:`sinergi.web.social.services` inside its
transaction: it builds the messages at once (from the committed-to-be state) and
sends them with ``transaction.on_commit``, so a change that rolls back sends
nothing. A message names the ticket, the service and the dates, never the
person's name, NIK or narrative (e-mail leaves the system). A failing mail server
is logged, never raised: the state change has already happened.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sinergi.web.accounts.models import Role

log = logging.getLogger(__name__)
_muted = threading.local()


@contextmanager
def muted() -> Iterator[None]:
    """No e-mail is built or queued inside (the demo loader: illustrative cases mail nobody)."""
    previous = getattr(_muted, "on", False)
    _muted.on = True
    try:
        yield
    finally:
        _muted.on = previous


def _is_muted() -> bool:
    return bool(getattr(_muted, "on", False))


def _emails(users: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for user in users:
        email = getattr(user, "email", "") if getattr(user, "is_active", False) else ""
        if email and email not in out:
            out.append(email)
    return out


def agency_operators(agency_id: int) -> list[Any]:
    """The active OPD operators of an agency (its queue)."""
    User = get_user_model()
    return list(
        User.objects.filter(
            is_active=True, profile__role=Role.OPD_OPERATOR, profile__agency_id=agency_id
        ).order_by("id")
    )


def agency_head(agency: Any) -> list[Any]:
    """The escalation contact of an agency, else its operators."""
    head = getattr(agency, "slrt_head", None) if agency is not None else None
    try:
        if head is not None and head.user.is_active:
            return [head.user]
    except Exception:  # the related object may be missing
        pass
    return agency_operators(agency.pk)


def _queue(recipients: list[str], subject: str, body: str, kind: str) -> None:
    if not recipients:
        return

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception:  # a mail server down must not break the workflow
            log.exception("slrt e-mail %s could not be sent", kind)

    transaction.on_commit(send)


def _lines(referral: Any) -> list[str]:
    return [
        _("Ticket: %(ticket)s") % {"ticket": referral.case.ticket},
        _("Service: %(service)s") % {"service": referral.service.name},
        _("Sent on: %(date)s") % {"date": referral.sent_on.strftime("%d-%m-%Y")},
        _("Due on: %(date)s") % {"date": referral.due_on.strftime("%d-%m-%Y")},
        _("State: %(state)s") % {"state": referral.get_state_display()},
    ]


def referral_sent(referral: Any) -> None:
    """Tell the receiving agency's operators a referral is in their queue."""
    if _is_muted():
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[SLRT] New referral %(ticket)s") % {"ticket": referral.case.ticket}
        body = "\n".join(
            [
                _("A new referral is waiting in your agency's queue."),
                "",
                *_lines(referral),
            ]
        )
    _queue(_emails(agency_operators(referral.service.agency_id)), subject, body, "sent")


def referral_changed(referral: Any) -> None:
    """Tell the office that sent a referral that it was accepted, rejected, revoked or
    completed."""
    if _is_muted():
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[SLRT] Referral %(ticket)s: %(state)s") % {
            "ticket": referral.case.ticket,
            "state": referral.get_state_display(),
        }
        body = "\n".join([_("A referral you follow has changed."), "", *_lines(referral)])
    users = [referral.sent_by, referral.case.created_by]
    users = [u for u in users if u is not None and u.pk != getattr(referral.handled_by, "pk", None)]
    _queue(_emails(users), subject, body, "changed")


def breach_escalated(referral: Any) -> None:
    """Tell the agency's head (escalation contact) a referral is past its due date."""
    if _is_muted():
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[SLRT] Referral %(ticket)s is past its due date") % {
            "ticket": referral.case.ticket
        }
        body = "\n".join(
            [
                _("A referral to your agency has passed its service-level due date."),
                "",
                *_lines(referral),
            ]
        )
    _queue(_emails(agency_head(referral.service.agency)), subject, body, "breach")
