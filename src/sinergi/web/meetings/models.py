"""Coordination meetings, the problems they identify, their recommendations and follow-up actions.

A :class:`Meeting` (RKP coordination, quarterly monev, joint secretariat, TKPK,
musrenbang) has participating :class:`Organisation` s, an agenda, attendance,
minutes and attachments. Its problem list starts from proposals the platform
computes from the data (``services.compute_proposals``); users accept, merge or
reject them and add their own, arranging them in a tree (masalah pokok ->
masalah -> akar masalah). Each :class:`Recommendation` is addressed to a
government level and followed up by weighted :class:`ActionItem` s whose
progress rolls up (``services.rollup``). Every editable row carries a
``version`` for optimistic locking.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.web.meetings.choices import (
    ActionStatus,
    Decision,
    MeetingKind,
    OrgLevel,
    Origin,
    ProblemLevel,
    ScoringMethod,
)
from sinergi.web.programs.choices import DocumentType

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class Organisation(models.Model):
    """A participant or addressee: a ministry, the province, BPS/BI/OJK, an OPD, a partner."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=OrgLevel.choices)
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency (OPD)"),
        help_text=_("The OPD account this organisation is, so its users update its actions."),
    )

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.short_name or self.name


class Meeting(models.Model):
    """One coordination meeting of a region."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    host = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host"),
    )
    participants = models.ManyToManyField(
        Organisation, blank=True, related_name="meetings", verbose_name=_("participants")
    )
    year = models.PositiveSmallIntegerField(_("year reviewed"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter reviewed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True, help_text=_("One decision a line."))
    scoring = models.CharField(
        _("problem scoring"),
        max_length=10,
        choices=ScoringMethod.choices,
        default=ScoringMethod.USG,
    )
    source = models.CharField(_("source"), max_length=400, blank=True)
    is_illustrative = models.BooleanField(_("illustrative (demo) data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title

    def decision_lines(self) -> list[str]:
        return [line.strip() for line in self.decisions.splitlines() if line.strip()]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("agenda item"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    carried = models.ForeignKey(
        "ActionItem",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("carried follow-up"),
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "carried"], name="agenda_carry_once")
        ]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    represented_by = models.CharField(_("represented by"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return self.name


class Problem(models.Model):
    """A node of the meeting's problem tree, computed from the data or added by a user."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="problems")
    level = models.CharField(
        _("level"), max_length=8, choices=ProblemLevel.choices, default=ProblemLevel.PROBLEM
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("under"),
    )
    title = models.CharField(_("problem"), max_length=400)
    description = models.TextField(_("description"), blank=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.USER
    )
    key = models.CharField(_("proposal key"), max_length=80, blank=True)
    status_code = models.CharField(max_length=20, blank=True)  # the indicator status proposed from
    evidence = models.JSONField(_("evidence"), default=list, blank=True)  # [{"text", "source"}]
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.ACCEPTED
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator", blank=True, related_name="+", verbose_name=_("indicators")
    )
    regions = models.ManyToManyField(
        "regions.Region", blank=True, related_name="+", verbose_name=_("regions")
    )
    activities = models.ManyToManyField(
        "programs.Activity", blank=True, related_name="+", verbose_name=_("programme activities")
    )
    flagships = models.ManyToManyField(
        "programs.FlagshipProgramme",
        blank=True,
        related_name="+",
        verbose_name=_("flagship programmes"),
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), null=True, blank=True, validators=SCORE
    )
    seriousness = models.PositiveSmallIntegerField(
        _("seriousness"), null=True, blank=True, validators=SCORE
    )
    growth = models.PositiveSmallIntegerField(_("growth"), null=True, blank=True, validators=SCORE)
    is_illustrative = models.BooleanField(_("illustrative (demo) data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "key"], condition=~models.Q(key=""), name="problem_key_once"
            )
        ]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """A weighted criterion of the meeting's strategic-issue score (weights sum to 100)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=120)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")

    def __str__(self) -> str:
        return self.name


class CriterionScore(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"), validators=SCORE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["problem", "criterion"], name="criterion_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Recommendation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="recommendations")
    problem = models.ForeignKey(
        Problem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("problem"),
    )
    text = models.TextField(_("recommendation"))
    level = models.CharField(_("addressed to (level)"), max_length=10, choices=OrgLevel.choices)
    addressee = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("addressed to"),
    )
    is_illustrative = models.BooleanField(_("illustrative (demo) data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return self.text[:80]


class ActionItem(models.Model):
    """A follow-up action of a recommendation, owned by one organisation."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("recommendation"),
    )
    title = models.CharField(_("action"), max_length=400)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="actions", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    progress = models.DecimalField(
        _("progress (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    notes = models.TextField(_("notes"), blank=True)
    is_illustrative = models.BooleanField(_("illustrative (demo) data"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.title


def _attachment_path(instance: Attachment, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"meetings/{instance.meeting_id}/{uuid.uuid4().hex}.{suffix}"


class Attachment(models.Model):
    """A file of a meeting (material, signed minutes, photo) or an action's evidence.

    Checked as the monev documents are (``programs.documents.check_file``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    action = models.ForeignKey(
        ActionItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("evidence of"),
    )
    doc_type = models.CharField(_("type"), max_length=12, choices=DocumentType.choices)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("file checksum (SHA-256)"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    is_illustrative = models.BooleanField(_("illustrative (demo) data"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title
