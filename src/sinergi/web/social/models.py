"""SLRT integrated referral (Pandu Gempita): the service catalogue, cases, consent,
referrals to services, attachments and proposals back to the household registry.

Personal data rules (UU 27/2022): a case keeps the person's NIK and KK only as a
keyed hash (for matching) and a masked form (for display); never in clear. The
public sees a case through its ticket number only, and only its status and dates.
Every state change goes through :mod:`sinergi.web.social.services`, which writes
a :class:`CaseEvent` (the timeline) and an audit entry (before/after).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance")
    DISABILITY = "disability", _("Disability")
    ELDERLY = "elderly", _("Elderly")
    EMPLOYMENT = "employment", _("Employment")
    HOUSING = "housing", _("Housing")
    CIVIL_REGISTRATION = "civil_registration", _("Civil registration")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    HOME_VISIT = "home_visit", _("Home visit")
    ONLINE = "online", _("Online")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ConsentState(models.TextChoices):
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReferralState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")
    DONE = "done", _("Done")


#: States in which the receiving service still owes an answer (the SLA clock runs).
ACTIVE_STATES = (ReferralState.IN_PROGRESS, ReferralState.ACCEPTED)
#: States that end a referral.
ENDED_STATES = (ReferralState.REJECTED, ReferralState.REVOKED, ReferralState.DONE)
#: The allowed transitions (from -> to); services refuse any other.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReferralState.IN_PROGRESS: (
        ReferralState.ACCEPTED,
        ReferralState.REJECTED,
        ReferralState.REVOKED,
    ),
    ReferralState.ACCEPTED: (ReferralState.DONE, ReferralState.REVOKED),
    ReferralState.REJECTED: (),
    ReferralState.REVOKED: (),
    ReferralState.DONE: (),
}


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", _("Successful")
    NOT_SUCCESSFUL = "not_successful", _("Not successful")


class ReasonCode(models.TextChoices):
    """Why a referral ended other than successfully (or any other note on how it ended)."""

    CLIENT_REFUSED = "client_refused", _("Client refused")
    NO_CAPACITY = "no_capacity", _("No capacity")
    NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed")
    UNREACHABLE = "unreachable", _("Client unreachable")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    OTHER = "other", _("Other")


class SlaStatus(models.TextChoices):
    """Computed, never stored: it depends on the day (see :mod:`sinergi.workdays`)."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Case registered")
    CONSENT = "consent", _("Consent recorded")
    REFERRED = "referred", _("Referred")
    CONSENT_OVERRIDE = "consent_override", _("Referred without consent (override)")
    ACCEPTED = "accepted", _("Referral accepted")
    REJECTED = "rejected", _("Referral rejected")
    REVOKED = "revoked", _("Referral revoked")
    COMPLETED = "completed", _("Referral completed")
    ESCALATED = "escalated", _("SLA breach escalated")
    CLOSED = "closed", _("Case closed")
    REOPENED = "reopened", _("Case reopened")
    PROPOSAL = "proposal", _("Registry change proposed")
    PROPOSAL_REVIEWED = "proposal_reviewed", _("Registry proposal reviewed")
    ATTACHMENT = "attachment", _("Attachment added")


class ProposalKind(models.TextChoices):
    ADD = "add", _("Add a household")
    CORRECT = "correct", _("Correct a household")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    EXPORTED = "exported", _("Sent to the national update channel")


class Service(models.Model):
    """A service in the SLRT catalogue, delivered by an agency or a partner (Baznas, CSR)."""

    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="slrt_services",
        verbose_name=_("agency or partner"),
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    documents_needed = models.TextField(_("documents needed"), blank=True)
    sla_working_days = models.PositiveSmallIntegerField(
        _("service level (working days)"),
        help_text=_("Working days the agency has to finish a referral, the day sent not counted."),
    )
    active = models.BooleanField(_("active"), default=True)
    is_illustrative = models.BooleanField(_("illustrative (demo) data"), default=False)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name


class AgencyHead(models.Model):
    """The user an agency's SLA breaches are escalated to (its head, or a delegate)."""

    agency = models.OneToOneField(
        "accounts.Agency",
        on_delete=models.CASCADE,
        related_name="slrt_head",
        verbose_name=_("agency or partner"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("head user"),
    )

    class Meta:
        verbose_name = _("escalation contact")
        verbose_name_plural = _("escalation contacts")

    def __str__(self) -> str:
        return f"{self.agency} -> {self.user}"


class TicketCounter(models.Model):
    """The last ticket sequence number of a regency and year (locked while incremented)."""

    prefix = models.CharField(max_length=20, unique=True)  # e.g. "SLRT-1607-2026"
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket counter")
        verbose_name_plural = _("ticket counters")

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


class Case(models.Model):
    """A need or complaint registered at a front office, followed until every referral ends.

    The person is either a member of a registry household (``release`` and
    ``household_id`` set) or someone not in the registry. NIK and KK are stored
    as keyed hashes and masked forms only.
    """

    ticket = models.CharField(_("ticket number"), max_length=40, unique=True)
    release = models.ForeignKey(
        "registry.Release",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registry release"),
    )
    household_id = models.CharField(_("registry household"), max_length=64, blank=True)
    person_name = models.CharField(_("name"), max_length=200)
    nik_hash = models.CharField(_("NIK (pseudonymised)"), max_length=64, blank=True, db_index=True)
    nik_masked = models.CharField(_("NIK"), max_length=16, blank=True)
    kk_hash = models.CharField(_("KK (pseudonymised)"), max_length=64, blank=True, db_index=True)
    kk_masked = models.CharField(_("KK"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    desa = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("desa")
    )
    category = models.CharField(_("need"), max_length=24, choices=Category.choices)
    narrative = models.TextField(_("narrative"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_on = models.DateField(_("registered on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_illustrative = models.BooleanField(_("illustrative (demo) data"), default=False)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["status", "opened_on"])]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        # Never the name: this string goes into audit entries and logs.
        return self.ticket

    @property
    def in_registry(self) -> bool:
        return bool(self.household_id)


class ConsentRecord(models.Model):
    """A consent decision to share the person's data with the services (the latest counts)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="consents", verbose_name=_("case")
    )
    state = models.CharField(_("consent"), max_length=10, choices=ConsentState.choices)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        get_latest_by = ["recorded_at", "id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.case} {self.state}"


class Referral(models.Model):
    """A case sent to one service; the SLA runs from ``sent_on`` to ``due_on``."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("case")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("service")
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ReferralState.choices,
        default=ReferralState.IN_PROGRESS,
    )
    sent_on = models.DateField(_("sent on"))
    # Copied from the service when sent: a later change to the catalogue does not move
    # the due date of referrals already running.
    sla_working_days = models.PositiveSmallIntegerField(_("service level (working days)"))
    due_on = models.DateField(_("due on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    reason_code = models.CharField(
        _("reason"), max_length=20, choices=ReasonCode.choices, blank=True
    )
    reason = models.TextField(_("explanation"), blank=True)
    consent_override = models.BooleanField(_("sent without consent (override)"), default=False)
    override_reason = models.TextField(_("override reason"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["state", "due_on"])]
        constraints = [
            # One running referral of a case to a service at a time.
            models.UniqueConstraint(
                fields=["case", "service"],
                condition=models.Q(state__in=["in_progress", "accepted"]),
                name="social_referral_one_active_per_service",
            ),
        ]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.case.ticket} -> {self.service.code}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class CaseEvent(models.Model):
    """One line of a case's timeline (the audit log holds the before/after detail)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    referral = models.ForeignKey(
        Referral,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("referral"),
    )
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case.ticket} {self.kind}"


class RegistryProposal(models.Model):
    """A proposal to add a household to the registry or correct one (DTSEN update channel).

    ``details`` holds the proposed values; a NIK or KK in it is stored hashed and
    masked, never in clear.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("case")
    )
    kind = models.CharField(_("proposal"), max_length=8, choices=ProposalKind.choices)
    details = models.JSONField(_("proposed values"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("registry proposal")
        verbose_name_plural = _("registry proposals")

    def __str__(self) -> str:
        return f"{self.case.ticket} {self.kind}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # Never the user's file name on disk: a random name keeps paths safe and unguessable.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"social/attachments/{uuid.uuid4().hex}.{suffix}"


class Attachment(models.Model):
    """A supporting file of a case or referral, checked like monev documents."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case")
    )
    referral = models.ForeignKey(
        Referral,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("referral"),
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("file checksum (SHA-256)"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title
