"""SLRT actions: every state change of a case, a referral or a registry proposal.

Pages, the API, the CLI and the demo call these functions; they hold the rules
(who may, which transitions, the SLA dates), write inside one transaction, add
a line to the case's timeline (:class:`CaseEvent`), an audit entry (before and
after) and queue the e-mails with ``transaction.on_commit`` (nothing is sent for
a change that rolls back).

Errors: :class:`~django.core.exceptions.PermissionDenied` when the user may not;
:class:`~django.core.exceptions.ValidationError` (a message a user can act on)
when the input or the state does not allow it; :class:`Conflict` (a
``ValidationError``) when ``expected_version`` is given and someone changed the
object in between (optimistic locking).

Dates: ``on`` (or ``sent_on``) default to today in the project's time zone; the
demo passes past dates. SLA dates come from :mod:`sinergi.workdays` with the
extra days of settings ``SINERGI_EXTRA_HOLIDAYS`` / ``SINERGI_EXTRA_WORKDAYS``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import IO, Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.targeting.nik import mask
from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.regions.models import Level, Region
from sinergi.web.social import notifications
from sinergi.web.social.models import (
    ACTIVE_STATES,
    TRANSITIONS,
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    Channel,
    ConsentRecord,
    ConsentState,
    EventKind,
    Outcome,
    ProposalKind,
    ProposalStatus,
    ReasonCode,
    Referral,
    ReferralState,
    RegistryProposal,
    Service,
    TicketCounter,
)
from sinergi.web.social.policy import SocialPolicy
from sinergi.workdays import WorkCalendar

log = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=models.Model)

#: A run of 16 digits in free text looks like a NIK or KK: refused (stored text is not
#: pseudonymised).
_CLEAR_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")
_DIGITS16 = re.compile(r"^\d{16}$")
#: Ticket check code alphabet (no 0/O, 1/I/L): a ticket cannot be guessed from its number.
_CHECK_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CHECK_LENGTH = 4


class Conflict(ValidationError):
    """The object changed since the user loaded it (its version moved on)."""


# --- calendar -----------------------------------------------------------------------


@lru_cache(maxsize=8)
def _calendar(holidays_repr: str, workdays_repr: str) -> WorkCalendar:
    return WorkCalendar(
        getattr(settings, "SINERGI_EXTRA_HOLIDAYS", None),
        getattr(settings, "SINERGI_EXTRA_WORKDAYS", None),
    )


def calendar() -> WorkCalendar:
    """The working-day calendar with the extra days from settings."""
    return _calendar(
        repr(getattr(settings, "SINERGI_EXTRA_HOLIDAYS", None)),
        repr(getattr(settings, "SINERGI_EXTRA_WORKDAYS", None)),
    )


def today() -> dt.date:
    return timezone.localdate()


# --- helpers ------------------------------------------------------------------------


def _actor(user: User | None) -> Any:
    return user if user is not None and user.is_authenticated else None


def _policy(user: User | None) -> SocialPolicy:
    """The user's policy, kept on the user object for the rest of its life (a request, a
    command): a profile change applies from the next request."""
    if user is None:
        return SocialPolicy.for_user(AnonymousUser())
    holder: Any = user
    cached = getattr(holder, "_social_policy", None)
    if isinstance(cached, SocialPolicy) and cached.user is user:
        return cached
    policy = SocialPolicy.for_user(holder)
    if user.is_authenticated:
        holder._social_policy = policy
    return policy


def _no_clear_numbers(text: str, field: str) -> str:
    if _CLEAR_NUMBER.search(text or ""):
        raise ValidationError(
            {
                field: _(
                    "Do not write a NIK or KK number in the text; enter it in its own field "
                    "(it is stored masked)."
                )
            }
        )
    return text


def _check_version(obj: models.Model, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != obj.version:  # type: ignore[attr-defined]
        raise Conflict(
            _("Someone else changed this in the meantime. Reload the page and try again.")
        )


def _locked(model: type[M], pk: Any) -> M:
    return model._default_manager.select_for_update().get(pk=pk)


def _event(
    case: Case,
    kind: str,
    user: User | None,
    *,
    referral: Referral | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        referral=referral,
        kind=kind,
        at=at or timezone.now(),
        actor=_actor(user),
        note=note,
    )


def _at(day: dt.date | None) -> dt.datetime | None:
    """A timestamp for an event dated in the past (demo, back-dated entries)."""
    if day is None or day == today():
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def pseudonymise(number: str, *, field: str) -> tuple[str, str]:
    """``(keyed hash, masked)`` of a NIK or KK typed by a user (16 digits)."""
    from sinergi.web.registry.services import ImportRefused, pseudonymiser

    number = re.sub(r"[\s.-]", "", number or "")
    if not _DIGITS16.match(number):
        raise ValidationError({field: _("A NIK or KK has 16 digits.")})
    try:
        keys = pseudonymiser()
    except ImportRefused as exc:
        raise ValidationError(str(exc)) from None
    return keys.hash(number), mask(number)


# --- tickets ------------------------------------------------------------------------


def ticket_prefix(desa_code: str, year: int) -> str:
    """``SLRT-1607-2026`` for a desa of regency 16.07 in 2026."""
    regency = "".join(desa_code.split(".")[:2])
    return f"SLRT-{regency}-{year}"


def next_ticket(desa_code: str, year: int) -> str:
    """A new ticket number, e.g. ``SLRT-1607-2026-000123-K7QX``: regency, year, a
    sequence per regency and year, and a random check code (so that tickets cannot be
    enumerated on the public page). Call inside a transaction."""
    prefix = ticket_prefix(desa_code, year)
    TicketCounter.objects.get_or_create(prefix=prefix)
    counter = TicketCounter.objects.select_for_update().get(prefix=prefix)
    counter.last += 1
    counter.save(update_fields=["last"])
    check = "".join(secrets.choice(_CHECK_ALPHABET) for _i in range(_CHECK_LENGTH))
    return f"{prefix}-{counter.last:06d}-{check}"


def normalise_ticket(text: str) -> str:
    """A ticket as typed (spaces, lower case) in its stored form."""
    return re.sub(r"\s+", "", text or "").upper()


# --- intake -------------------------------------------------------------------------


def _registry_person(
    release: Any, household_id: str, person: Mapping[str, Any] | None, policy: SocialPolicy
) -> dict[str, Any]:
    """The person's fields from a registry household (masked and hashed numbers only)."""
    from sinergi.targeting import browse
    from sinergi.web.registry.services import release_dir

    scope = policy.scope
    try:
        household = browse.household(
            release_dir(release),
            household_id,
            scope=None if scope in (None, "00") else scope,
        )
    except browse.BrowseError:
        raise ValidationError(
            {"household_id": _("This household is not in the release, or not in your area.")}
        ) from None
    wanted = (person or {}).get("nik_hash")
    members = household.members
    chosen = None
    if wanted:
        chosen = next((m for m in members if m.nik_hash == wanted), None)
        if chosen is None:
            raise ValidationError({"person": _("This person is not a member of the household.")})
    else:
        chosen = next((m for m in members if m.relationship == "head"), None) or (
            members[0] if members else None
        )
    if chosen is None:
        raise ValidationError({"person": _("The household has no members in the release.")})
    return {
        "person_name": chosen.full_name,
        "nik_hash": chosen.nik_hash,
        "nik_masked": chosen.nik_masked,
        "kk_hash": household.kk_hash,
        "kk_masked": household.kk_masked,
        "address": (household.address or "")[:300],
        "desa_code": household.desa_code,
    }


def _outside_person(person: Mapping[str, Any] | None) -> dict[str, Any]:
    """The fields of someone not in the registry: a name, optional NIK/KK (pseudonymised)."""
    person = person or {}
    name = str(person.get("name") or "").strip()
    if not name:
        raise ValidationError({"person": _("Give the person's name.")})
    out: dict[str, Any] = {
        "person_name": name[:200],
        "address": _no_clear_numbers(str(person.get("address") or "").strip()[:300], "address"),
        "nik_hash": "",
        "nik_masked": "",
        "kk_hash": "",
        "kk_masked": "",
    }
    _no_clear_numbers(name, "person")
    for key in ("nik", "kk"):
        value = str(person.get(key) or "").strip()
        if value:
            out[f"{key}_hash"], out[f"{key}_masked"] = pseudonymise(value, field=key)
    return out


def register_case(
    *,
    user: User,
    person: Mapping[str, Any] | None,
    household_id: str | None,
    release: Any,
    category: str,
    narrative: str,
    channel: str,
    desa_code: str | None,
    opened_on: dt.date | None = None,
    is_illustrative: bool = False,
) -> Case:
    """Register a need or complaint and give it a ticket number.

    A registry person: ``release`` and ``household_id`` given, ``person`` either
    ``None`` (the household head) or ``{"nik_hash": ...}`` of a member (the hashes
    of :func:`sinergi.targeting.browse.household`); the desa is the household's
    (``desa_code``, if given, must match). Someone not in the registry:
    ``household_id`` empty, ``person = {"name", "nik"?, "kk"?, "address"?}`` (a NIK
    or KK is hashed and masked here, never stored in clear) and ``desa_code``
    required. The user must be a front office of the desa, or the Dinsos back office.
    """
    policy = _policy(user)
    if not policy.can_register_anywhere:
        raise PermissionDenied
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = _("Choose the need or complaint.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose how the person came.")
    narrative = (narrative or "").strip()
    if not narrative:
        errors["narrative"] = _("Describe the need or complaint.")
    if errors:
        raise ValidationError(errors)
    _no_clear_numbers(narrative, "narrative")
    if household_id:
        if release is None:
            raise ValidationError({"household_id": _("Choose the registry release.")})
        fields = _registry_person(release, household_id, person, policy)
        found = fields.pop("desa_code")
        if desa_code and desa_code != found:
            raise ValidationError({"desa_code": _("The household lives in another desa.")})
        desa_code = found
    else:
        fields = _outside_person(person)
        release = None
    if not desa_code:
        raise ValidationError({"desa_code": _("Choose the desa.")})
    desa = Region.objects.filter(code=desa_code, level=Level.VILLAGE).first()
    if desa is None:
        raise ValidationError({"desa_code": _("Unknown desa.")})
    if not policy.can_register(desa.code):
        raise PermissionDenied
    return insert_case(
        user=user,
        desa=desa,
        person_fields=fields,
        release=release,
        household_id=household_id or "",
        category=category,
        narrative=narrative,
        channel=channel,
        opened_on=opened_on or today(),
        is_illustrative=is_illustrative,
    )


def insert_case(
    *,
    user: User | None,
    desa: Region,
    person_fields: Mapping[str, Any],
    release: Any,
    household_id: str,
    category: str,
    narrative: str,
    channel: str,
    opened_on: dt.date,
    is_illustrative: bool = False,
) -> Case:
    """Store a case whose input :func:`register_case` (or the demo, from a release it
    read itself) has already checked: ticket, timeline and audit entry."""
    with transaction.atomic():
        case = Case.objects.create(
            ticket=next_ticket(desa.code, opened_on.year),
            release=release,
            household_id=household_id,
            desa=desa,
            category=category,
            narrative=narrative,
            channel=channel,
            opened_on=opened_on,
            created_by=_actor(user),
            is_illustrative=is_illustrative,
            **person_fields,
        )
        _event(case, EventKind.REGISTERED, user, at=_at(opened_on))
        audit.record(case, Action.CREATE, _actor(user))
    log.info("slrt case %s registered in %s", case.ticket, desa.code)
    return case


def record_consent(
    case: Case,
    *,
    user: User,
    state: str,
    note: str = "",
    on: dt.date | None = None,
) -> ConsentRecord:
    """Record the person's consent to share their data with the services (``given``,
    ``refused`` or ``withdrawn``; the latest record counts). Referrals already sent
    are not withdrawn automatically: the office revokes them if needed."""
    policy = _policy(user)
    if not policy.can_record_consent(case):
        raise PermissionDenied
    if state not in ConsentState.values:
        raise ValidationError({"state": _("Choose given, refused or withdrawn.")})
    _no_clear_numbers(note, "note")
    with transaction.atomic():
        record = ConsentRecord.objects.create(
            case=case,
            state=state,
            recorded_at=_at(on) or timezone.now(),
            recorded_by=_actor(user),
            note=note.strip()[:300],
        )
        _event(case, EventKind.CONSENT, user, note=state, at=record.recorded_at)
        audit.record(record, Action.CREATE, _actor(user))
    return record


def current_consent(case: Case) -> str | None:
    """The latest consent state of a case (``None``: never recorded)."""
    latest = case.consents.order_by("-recorded_at", "-id").values_list("state", flat=True).first()
    return None if latest is None else str(latest)


# --- referrals ----------------------------------------------------------------------


def refer(
    case: Case,
    service: Service,
    *,
    user: User,
    override_reason: str = "",
    sent_on: dt.date | None = None,
    expected_version: int | None = None,
) -> Referral:
    """Refer an open case to a service; ``due_on`` is the SLA-th working day after
    ``sent_on``.

    Refused without the person's consent (the latest record ``given``), unless the
    user is authorised to override (the Dinsos back office) and gives
    ``override_reason``: the override is stored on the referral, on the timeline
    and in the audit log. The service's agency is e-mailed after commit.
    """
    policy = _policy(user)
    if not policy.can_refer(case):
        raise PermissionDenied
    override_reason = (override_reason or "").strip()
    _no_clear_numbers(override_reason, "override_reason")
    sent_on = sent_on or today()
    with transaction.atomic():
        case = _locked(Case, case.pk)
        _check_version(case, expected_version)
        if case.status != CaseStatus.OPEN:
            raise ValidationError(_("The case is closed: reopen it before referring it again."))
        if not service.active:
            raise ValidationError({"service": _("This service is no longer offered.")})
        if sent_on < case.opened_on:
            raise ValidationError({"sent_on": _("A referral cannot be sent before the case.")})
        override = False
        if current_consent(case) != ConsentState.GIVEN:
            if not override_reason:
                raise ValidationError(
                    _(
                        "The person has not given consent to share their data with the "
                        "services. Record the consent first."
                    )
                )
            if not policy.can_override_consent(case):
                raise PermissionDenied(_("Only the Dinsos back office may refer without consent."))
            override = True
        if Referral.objects.filter(case=case, service=service, state__in=ACTIVE_STATES).exists():
            raise ValidationError({"service": _("The case is already referred to this service.")})
        days = int(service.sla_working_days)
        referral = Referral.objects.create(
            case=case,
            service=service,
            sent_on=sent_on,
            sla_working_days=days,
            due_on=calendar().due_on(sent_on, days),
            consent_override=override,
            override_reason=override_reason if override else "",
            sent_by=_actor(user),
        )
        _bump(case)
        when = _at(sent_on)
        if override:
            _event(
                case,
                EventKind.CONSENT_OVERRIDE,
                user,
                referral=referral,
                note=override_reason,
                at=when,
            )
        _event(case, EventKind.REFERRED, user, referral=referral, note=service.name, at=when)
        audit.record(
            referral,
            Action.CREATE,
            _actor(user),
            comment=(_("Consent override: %(reason)s") % {"reason": override_reason})
            if override
            else "",
        )
        notifications.referral_sent(referral)
    return referral


def _bump(obj: Any) -> None:
    obj.version += 1
    obj.save(update_fields=["version", "updated_at"])


def _transition(
    referral: Referral,
    to: str,
    *,
    user: User,
    event: str,
    on: dt.date | None,
    expected_version: int | None,
    changes: Mapping[str, Any],
    note: str = "",
) -> Referral:
    """Move a (locked) referral to ``to``; audit, timeline, close the case if it was the
    last running referral, queue the e-mails."""
    referral = (
        Referral.objects.select_for_update().select_related("service", "case").get(pk=referral.pk)
    )
    _check_version(referral, expected_version)
    if to not in TRANSITIONS[referral.state]:
        raise ValidationError(
            _("A referral that is %(state)s cannot become %(to)s.")
            % {
                "state": ReferralState(referral.state).label,
                "to": ReferralState(to).label,
            }
        )
    day = on or today()
    if day < referral.sent_on:
        raise ValidationError(_("The date is before the referral was sent."))
    before = audit.snapshot(referral)
    referral.state = to
    for name, value in changes.items():
        setattr(referral, name, value)
    if to == ReferralState.ACCEPTED:
        referral.accepted_on = day
    else:
        referral.ended_on = day
    referral.handled_by = _actor(user)
    referral.version += 1
    referral.save()
    case = referral.case
    _event(case, event, user, referral=referral, note=note, at=_at(day))
    audit.record(referral, Action.TRANSITION, _actor(user), before=before, comment=note)
    if to != ReferralState.ACCEPTED:
        _close_if_done(case, user=user, on=day)
    notifications.referral_changed(referral)
    return referral


def _close_if_done(case: Case, *, user: User, on: dt.date) -> None:
    """A case closes when all its referrals have ended."""
    case = _locked(Case, case.pk)
    if case.status != CaseStatus.OPEN:
        return
    if case.referrals.filter(state__in=ACTIVE_STATES).exists():
        return
    before = audit.snapshot(case)
    case.status = CaseStatus.CLOSED
    case.closed_on = max(on, case.opened_on)
    case.version += 1
    case.save()
    _event(case, EventKind.CLOSED, user, at=_at(on))  # closed by its last referral ending
    audit.record(case, Action.TRANSITION, _actor(user), before=before)


def _split_reason(reason: str, reason_code: str) -> tuple[str, str]:
    """``reason`` may be a reason code itself (an API client may send only the code)."""
    reason = (reason or "").strip()
    if not reason_code and reason in ReasonCode.values:
        return reason, ""
    if reason_code and reason_code not in ReasonCode.values:
        raise ValidationError({"reason_code": _("Choose a reason from the list.")})
    return reason_code, reason


def accept(
    referral: Referral,
    *,
    user: User,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Referral:
    """The receiving agency takes the referral on (its own queue only)."""
    if not _policy(user).can_handle(referral):
        raise PermissionDenied
    with transaction.atomic():
        return _transition(
            referral,
            ReferralState.ACCEPTED,
            user=user,
            event=EventKind.ACCEPTED,
            on=on,
            expected_version=expected_version,
            changes={},
        )


def _required_reason(reason: str, reason_code: str, missing: str) -> tuple[str, str]:
    """The reason code and text of a rejection or a revocation: one is required, "other"
    needs an explanation, and the text may not carry a clear NIK or KK number."""
    code, text = _split_reason(reason, reason_code)
    if not text and not code:
        raise ValidationError({"reason": missing})
    if code == ReasonCode.OTHER and not text:
        raise ValidationError({"reason": _("Explain the reason.")})
    _no_clear_numbers(text, "reason")
    return code, text


def reject(
    referral: Referral,
    *,
    user: User,
    reason: str,
    reason_code: str = "",
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Referral:
    """The receiving agency declines the referral, with a reason (required)."""
    if not _policy(user).can_handle(referral):
        raise PermissionDenied
    code, text = _required_reason(reason, reason_code, _("Say why the referral is rejected."))
    with transaction.atomic():
        return _transition(
            referral,
            ReferralState.REJECTED,
            user=user,
            event=EventKind.REJECTED,
            on=on,
            expected_version=expected_version,
            changes={"reason_code": code or ReasonCode.OTHER, "reason": text},
            note=text,
        )


def revoke(
    referral: Referral,
    *,
    user: User,
    reason: str,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Referral:
    """The office that sent the referral withdraws it, with a reason (required)."""
    if not _policy(user).can_revoke(referral):
        raise PermissionDenied
    code, text = _required_reason(reason, "", _("Say why the referral is revoked."))
    with transaction.atomic():
        return _transition(
            referral,
            ReferralState.REVOKED,
            user=user,
            event=EventKind.REVOKED,
            on=on,
            expected_version=expected_version,
            changes={"reason_code": code or ReasonCode.OTHER, "reason": text},
            note=text,
        )


def complete(
    referral: Referral,
    *,
    user: User,
    outcome: str,
    reason: str = "",
    reason_code: str = "",
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Referral:
    """An accepted referral is done: ``successful`` or ``not_successful``.

    ``not_successful`` needs a reason code (client refused, no capacity, no longer
    needed, unreachable, not eligible, other; "other" with an explanation);
    ``reason`` may be the code itself. ``successful`` takes an optional note.
    """
    if not _policy(user).can_handle(referral):
        raise PermissionDenied
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose successful or not successful.")})
    code, text = _split_reason(reason, reason_code)
    if outcome == Outcome.NOT_SUCCESSFUL:
        if not code:
            raise ValidationError({"reason_code": _("Say why the service did not succeed.")})
        if code == ReasonCode.OTHER and not text:
            raise ValidationError({"reason": _("Explain the reason.")})
    _no_clear_numbers(text, "reason")
    with transaction.atomic():
        return _transition(
            referral,
            ReferralState.DONE,
            user=user,
            event=EventKind.COMPLETED,
            on=on,
            expected_version=expected_version,
            changes={"outcome": outcome, "reason_code": code, "reason": text},
            note=text,
        )


# --- case closing -------------------------------------------------------------------


def close_case(
    case: Case,
    *,
    user: User,
    reason: str = "",
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """Close a case by hand (e.g. one answered at the front desk, never referred).
    Refused while a referral is running: those close the case when they end."""
    if not _policy(user).can_close(case):
        raise PermissionDenied
    _no_clear_numbers(reason, "reason")
    day = on or today()
    with transaction.atomic():
        case = _locked(Case, case.pk)
        _check_version(case, expected_version)
        if case.status != CaseStatus.OPEN:
            raise ValidationError(_("The case is already closed."))
        if case.referrals.filter(state__in=ACTIVE_STATES).exists():
            raise ValidationError(
                _("Referrals are still running; the case closes when they have all ended.")
            )
        before = audit.snapshot(case)
        case.status = CaseStatus.CLOSED
        case.closed_on = max(day, case.opened_on)
        case.version += 1
        case.save()
        _event(case, EventKind.CLOSED, user, note=reason.strip(), at=_at(day))
        audit.record(case, Action.TRANSITION, _actor(user), before=before, comment=reason)
    return case


def reopen(
    case: Case,
    *,
    user: User,
    reason: str,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Case:
    """Reopen a closed case, with a reason (required)."""
    if not _policy(user).can_reopen(case):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is reopened.")})
    _no_clear_numbers(reason, "reason")
    with transaction.atomic():
        case = _locked(Case, case.pk)
        _check_version(case, expected_version)
        if case.status != CaseStatus.CLOSED:
            raise ValidationError(_("The case is open."))
        before = audit.snapshot(case)
        case.status = CaseStatus.OPEN
        case.closed_on = None
        case.version += 1
        case.save()
        _event(case, EventKind.REOPENED, user, note=reason, at=_at(on))
        audit.record(case, Action.TRANSITION, _actor(user), before=before, comment=reason)
    return case


# --- attachments --------------------------------------------------------------------


def add_attachment(
    case: Case,
    *,
    user: User,
    title: str,
    name: str,
    stream: IO[bytes],
    size: int,
    referral: Referral | None = None,
) -> Attachment:
    """Check (size, extension, content: the monev document rules) and store a file."""
    from sinergi.web.programs.choices import DocumentType
    from sinergi.web.programs.documents import check_file

    if not _policy(user).can_attach(case):
        raise PermissionDenied
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the attachment a title.")})
    _no_clear_numbers(title, "title")
    if referral is not None and referral.case_id != case.pk:
        raise ValidationError({"referral": _("The referral belongs to another case.")})
    checked = check_file(name, stream, size, DocumentType.REPORT)
    with transaction.atomic():
        attachment = Attachment(
            case=case,
            referral=referral,
            title=title[:300],
            original_name=name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255],
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=_actor(user),
        )
        attachment.file.save(name, File(stream, name=name), save=False)
        try:
            attachment.save()
        except Exception:
            attachment.file.delete(save=False)
            raise
        _event(case, EventKind.ATTACHMENT, user, referral=referral, note=title[:300])
        audit.record(attachment, Action.CREATE, _actor(user))
    return attachment


# --- back to the registry -----------------------------------------------------------

#: The fields a registry proposal may carry (anything else is refused).
PROPOSAL_FIELDS = ("name", "nik", "kk", "address", "desa_code", "members", "field", "value", "note")


def _clean_details(details: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(details) - set(PROPOSAL_FIELDS))
    if unknown:
        raise ValidationError(
            {"details": _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}}
        )
    out: dict[str, Any] = {}
    for key, value in details.items():
        if key in ("nik", "kk"):
            if value:
                out[f"{key}_hash"], out[f"{key}_masked"] = pseudonymise(str(value), field=key)
            continue
        if key == "members":
            try:
                members = [int(value)] if value not in (None, "") else []
            except (TypeError, ValueError):
                raise ValidationError({"members": _("Give a whole number.")}) from None
            if members:
                out["members"] = members[0]
            continue
        text = str(value or "").strip()
        if text:
            out[key] = _no_clear_numbers(text[:500], key)
    return out


def propose_registry_change(
    case: Case,
    *,
    user: User,
    kind: str,
    details: Mapping[str, Any],
) -> RegistryProposal:
    """Propose adding a household to the registry (a person not in it) or correcting
    one (the DTSEN update channel). A NIK/KK in ``details`` is hashed and masked."""
    if not _policy(user).can_propose(case):
        raise PermissionDenied
    if kind not in ProposalKind.values:
        raise ValidationError({"kind": _("Choose add or correct.")})
    if kind == ProposalKind.CORRECT and not case.household_id:
        raise ValidationError({"kind": _("Only a registry household can be corrected.")})
    cleaned = _clean_details(details or {})
    if not cleaned:
        raise ValidationError({"details": _("Describe the proposed change.")})
    cleaned.setdefault("desa_code", case.desa_id)
    with transaction.atomic():
        proposal = RegistryProposal.objects.create(
            case=case, kind=kind, details=cleaned, created_by=_actor(user)
        )
        _event(case, EventKind.PROPOSAL, user, note=kind)
        audit.record(proposal, Action.CREATE, _actor(user))
    return proposal


def review_proposal(
    proposal: RegistryProposal, *, user: User, accept: bool, note: str = ""
) -> RegistryProposal:
    """Dinsos accepts or rejects a pending proposal."""
    if not _policy(user).can_review_proposals:
        raise PermissionDenied
    _no_clear_numbers(note, "note")
    with transaction.atomic():
        proposal = _locked(RegistryProposal, proposal.pk)
        if proposal.status != ProposalStatus.PENDING:
            raise ValidationError(_("This proposal has already been reviewed."))
        before = audit.snapshot(proposal)
        proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED
        proposal.reviewed_by = _actor(user)
        proposal.reviewed_at = timezone.now()
        proposal.review_note = note.strip()
        proposal.save()
        _event(proposal.case, EventKind.PROPOSAL_REVIEWED, user, note=proposal.status)
        audit.record(proposal, Action.TRANSITION, _actor(user), before=before, comment=note)
    return proposal


EXPORT_COLUMNS = [
    "proposal_id",
    "kind",
    "ticket",
    "desa_code",
    "household_id",
    "kk_hash",
    "kk_masked",
    "nik_hash",
    "nik_masked",
    "name",
    "address",
    "members",
    "field",
    "value",
    "note",
    "proposed_on",
    "reviewed_on",
]


def export_proposals(*, user: User, mark_exported: bool = True) -> tuple[str, bytes]:
    """The accepted proposals not yet sent, as a CSV file for the national update
    channel: ``(file name, bytes)``; marks them exported. NIK/KK appear only as the
    keyed hash and the masked form (the registry's household id and KK hash tie
    a correction to its household)."""
    policy = _policy(user)
    if not policy.can_export_proposals:
        raise PermissionDenied
    with transaction.atomic():
        qs = (
            policy.proposals(RegistryProposal.objects.all())
            .filter(status=ProposalStatus.ACCEPTED)
            .select_related("case")
            .select_for_update()
            .order_by("id")
        )
        rows = list(qs)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for p in rows:
            d = p.details
            writer.writerow(
                {
                    "proposal_id": p.pk,
                    "kind": p.kind,
                    "ticket": p.case.ticket,
                    "desa_code": d.get("desa_code", p.case.desa_id),
                    "household_id": p.case.household_id,
                    "kk_hash": d.get("kk_hash", p.case.kk_hash),
                    "kk_masked": d.get("kk_masked", p.case.kk_masked),
                    "nik_hash": d.get("nik_hash", p.case.nik_hash),
                    "nik_masked": d.get("nik_masked", p.case.nik_masked),
                    "name": d.get("name", ""),
                    "address": d.get("address", ""),
                    "members": d.get("members", ""),
                    "field": d.get("field", ""),
                    "value": d.get("value", ""),
                    "note": d.get("note", ""),
                    "proposed_on": timezone.localtime(p.created_at).date().isoformat(),
                    "reviewed_on": timezone.localtime(p.reviewed_at).date().isoformat()
                    if p.reviewed_at
                    else "",
                }
            )
        if mark_exported and rows:
            now = timezone.now()
            for p in rows:
                before = audit.snapshot(p)
                p.status = ProposalStatus.EXPORTED
                p.exported_at = now
                p.save(update_fields=["status", "exported_at"])
                audit.record(p, Action.TRANSITION, _actor(user), before=before)
    name = f"usulan-dtsen-{today():%Y%m%d}.csv"
    return name, buffer.getvalue().encode("utf-8")


# --- SLA escalation -----------------------------------------------------------------


def escalate_breaches(*, on: dt.date | None = None, user: User | None = None) -> list[Referral]:
    """Escalate every running referral past its due date that was not escalated yet:
    timeline, audit, and an e-mail to the agency's head user (after commit). Run daily
    (``sinergi slrt escalate``); running it twice escalates nothing new."""
    day = on or today()
    done: list[Referral] = []
    with transaction.atomic():
        qs = (
            Referral.objects.select_for_update()
            .filter(state__in=ACTIVE_STATES, due_on__lt=day, escalated_at__isnull=True)
            .select_related("service__agency", "case")
            .order_by("id")
        )
        for referral in qs:
            before = audit.snapshot(referral)
            referral.escalated_at = _at(day) or timezone.now()
            referral.save(update_fields=["escalated_at", "updated_at"])
            _event(
                referral.case,
                EventKind.ESCALATED,
                user,
                referral=referral,
                note=referral.service.agency.short_name or referral.service.agency.name,
                at=referral.escalated_at,
            )
            audit.record(referral, Action.UPDATE, _actor(user), before=before)
            notifications.breach_escalated(referral)
            done.append(referral)
    return done


# --- catalogue ----------------------------------------------------------------------


def save_service(service: Service, *, user: User) -> Service:
    """Create or change a catalogue service (the Dinsos back office), audited. A new
    SLA applies to referrals sent from now on."""
    if not _policy(user).can_manage_services:
        raise PermissionDenied
    service.full_clean()
    with transaction.atomic():
        before = None
        if service.pk:
            old = Service.objects.filter(pk=service.pk).first()
            before = audit.snapshot(old) if old is not None else None
        service.save()
        audit.record(
            service, Action.UPDATE if before else Action.CREATE, _actor(user), before=before
        )
    return service


# --- reports (computed in selectors, re-exported for the signature list) -----------


def case_report(
    cases: Iterable[Case] | models.QuerySet[Case],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """See :func:`sinergi.web.social.selectors.case_report`."""
    from sinergi.web.social import selectors

    return selectors.case_report(cases, date_from=date_from, date_to=date_to, today=today)
