"""Programmes of every stakeholder, their beneficiary lists, matching to a registry
release, reviewers' decisions, and what convergence reads.

A list's rows (names, birth dates, addresses) live in Parquet under the data
directory's ``beneficiaries/`` with NIKs hashed and masked, never in clear; the
database keeps the catalogue, the import reports, the match outcome per list row
(ids and hashes only) and the decisions people made.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class OwnerKind(models.TextChoices):
    OPD = "opd", _("Regional agency (OPD)")
    REGENCY = "regency", _("Regency government")
    PROVINCE = "province", _("Provincial government")
    MINISTRY = "ministry", _("Ministry or central agency")
    BANK_INDONESIA = "bi", _("Bank Indonesia")
    OJK = "ojk", _("Financial Services Authority (OJK)")
    BANK = "bank", _("Bank or financial institution")
    CSR = "csr", _("CSR partner")
    BAZNAS = "baznas", _("Baznas / zakat agency")
    OTHER = "other", _("Other")


class Stakeholder(models.Model):
    """An organisation that runs a programme and keeps its own beneficiary list."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=OwnerKind.choices)
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency (OPD)"),
        help_text=_("For a regional agency: its users manage the stakeholder's programmes."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")

    def __str__(self) -> str:
        return self.short_name or self.name


class Programme(models.Model):
    """A poverty or social-protection programme (PKH, BPNT, PBI-JK, BLT Dana Desa, KUR, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        Stakeholder, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("owner")
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("The area the programme's lists cover."),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    eligibility_max_decile = models.PositiveSmallIntegerField(
        _("eligible up to decile"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Households in this decile or lower are eligible; empty: no decile rule."),
    )
    description = models.TextField(_("description"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="programme_period_order",
            ),
        ]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class ColumnMapping(models.Model):
    """How one programme's source file names its columns, saved for its next upload.

    ``columns`` maps a Sinergi field (``nik``, ``full_name``, ``birth_date``, ``sex``,
    ``address``, ``region_code``, ``source_id``) to the source's header text.
    """

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="mapping", verbose_name=_("programme")
    )
    columns = models.JSONField(_("columns"), default=dict)
    date_format = models.CharField(_("date format"), max_length=20, default="%Y-%m-%d")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self) -> str:
        return str(self.programme)


class ListStatus(models.TextChoices):
    IMPORTING = "importing", _("Importing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class BeneficiaryList(models.Model):
    """One upload of a programme's beneficiaries (immutable once ready)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="lists", verbose_name=_("programme")
    )
    label = models.CharField(_("label"), max_length=120, help_text=_("e.g. 2025 Triwulan II"))
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("file digest"), max_length=64, blank=True)
    path = models.CharField(
        _("directory"), max_length=300, blank=True, help_text=_("Relative to beneficiaries/.")
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=ListStatus.choices, default=ListStatus.IMPORTING
    )
    errors = models.JSONField(_("problems"), default=list, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    is_synthetic = models.BooleanField(_("synthetic data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("beneficiary list")
        verbose_name_plural = _("beneficiary lists")

    def __str__(self) -> str:
        return f"{self.programme} · {self.label}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MatchRun(models.Model):
    """One matching of a list to a registry release (exact NIK hash, then probabilistic)."""

    beneficiary_list = models.ForeignKey(
        BeneficiaryList, on_delete=models.CASCADE, related_name="runs", verbose_name=_("list")
    )
    release = models.ForeignKey(
        "registry.Release", on_delete=models.PROTECT, related_name="+", verbose_name=_("release")
    )
    accept_threshold = models.FloatField(_("accept from"), default=0.95)
    review_threshold = models.FloatField(_("review from"), default=0.50)
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    stats = models.JSONField(_("statistics"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")

    def __str__(self) -> str:
        return f"{self.beneficiary_list} → {self.release}"


class MatchState(models.TextChoices):
    ACCEPTED = "accepted", _("Matched")
    REVIEW = "review", _("Needs review")
    UNMATCHED = "unmatched", _("No match")


class MatchStage(models.TextChoices):
    EXACT_NIK = "exact_nik", _("Same NIK")
    PROBABILISTIC = "probabilistic", _("Name, birth date and address")
    DECISION = "decision", _("Reviewer's decision")
    NONE = "none", _("None")


class MatchLink(models.Model):
    """The outcome of one list row in a run: its registry person and household, or none.

    A row in review may have several candidate rows (one per candidate person).
    """

    run = models.ForeignKey(
        MatchRun, on_delete=models.CASCADE, related_name="links", verbose_name=_("run")
    )
    list_row = models.CharField(_("list row"), max_length=64, help_text=_("The source's row id."))
    person_key = models.CharField(_("registry person"), max_length=64, blank=True)
    household_id = models.CharField(_("household"), max_length=64, blank=True)
    probability = models.FloatField(_("match probability"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=14, choices=MatchStage.choices)
    state = models.CharField(_("state"), max_length=10, choices=MatchState.choices)
    comparison = models.JSONField(_("comparison"), default=dict, blank=True)

    class Meta:
        ordering = ["run_id", "list_row", "-probability"]
        indexes = [
            models.Index(fields=["run", "state"], name="matchlink_run_state"),
            models.Index(fields=["run", "household_id"], name="matchlink_run_household"),
        ]
        verbose_name = _("match")
        verbose_name_plural = _("matches")

    def __str__(self) -> str:
        return f"{self.list_row} → {self.household_id or '-'}"


class Decision(models.TextChoices):
    MATCH = "match", _("Same person")
    NON_MATCH = "non_match", _("Different person")


class MatchDecision(models.Model):
    """A reviewer's decision on one (source row id, registry person) pair of a programme,
    applied on every later run of the programme's lists (the source's own row id persists
    from one upload to the next). Changing or withdrawing it is audited."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("programme")
    )
    list_row = models.CharField(_("list row"), max_length=64)
    person_key = models.CharField(_("registry person"), max_length=64)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "list_row", "person_key"],
                name="matchdecision_one_per_pair",
            )
        ]
        verbose_name = _("match decision")
        verbose_name_plural = _("match decisions")

    def __str__(self) -> str:
        return f"{self.list_row} · {self.get_decision_display()}"
