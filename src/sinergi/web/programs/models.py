"""Programmes, activities, budgets, performance indicators, realisations and documents.

The nomenclature (urusan > bidang urusan > program > kegiatan > sub-kegiatan)
is national reference data loaded from ``data/nomenclature.csv``. What a
regency runs in a budget year is an :class:`Activity` of one agency (OPD),
coded by its sub-kegiatan. Flagship programmes group activities across
agencies. Money is kept in rupiah as decimals; realisation is cumulative to
the end of the quarter ("s.d. triwulan"), the way monev forms report it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.web.programs.choices import (
    DocumentType,
    FundingSource,
    IndicatorLevel,
    NomenclatureLevel,
    Polarity,
    RealisationStatus,
    RkpdStatus,
)

MONEY = {"max_digits": 18, "decimal_places": 2}
QUARTERS = (1, 2, 3, 4)


class Nomenclature(models.Model):
    """One entry of the national nomenclature of regional programmes, e.g. ``2.07.04.2.01.0003``."""

    code = models.CharField(_("code"), max_length=24, unique=True)
    level = models.CharField(_("level"), max_length=14, choices=NomenclatureLevel.choices)
    name = models.CharField(_("name"), max_length=400)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("nomenclature entry")
        verbose_name_plural = _("nomenclature")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FlagshipProgramme(models.Model):
    """A regional flagship (e.g. Banyuasin Prima) grouping activities of several agencies."""

    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="flagships",
        verbose_name=_("region"),
    )
    slug = models.SlugField(_("short code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    goal = models.TextField(_("goal"), blank=True)
    year_start = models.PositiveSmallIntegerField(_("from year"))
    year_end = models.PositiveSmallIntegerField(_("to year"))
    coordinator = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinating agency"),
    )
    is_illustrative = models.BooleanField(_("illustrative (demo) data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "slug"], name="flagship_unique_slug")
        ]
        verbose_name = _("flagship programme")
        verbose_name_plural = _("flagship programmes")

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """What one agency runs in one budget year under a (sub-)kegiatan of the nomenclature."""

    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("region"),
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("agency"),
    )
    year = models.PositiveSmallIntegerField(_("budget year"))
    code = models.CharField(
        _("code"), max_length=40, help_text=_("The sub-kegiatan code, with a suffix if it repeats.")
    )
    nomenclature = models.ForeignKey(
        Nomenclature,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("sub-kegiatan"),
    )
    name = models.CharField(_("name"), max_length=300)
    flagship = models.ForeignKey(
        FlagshipProgramme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("flagship programme"),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(
        _("end"), null=True, blank=True, help_text=_("Effective end; empty means 31 December.")
    )
    is_illustrative = models.BooleanField(_("illustrative (demo) data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["region_id", "year", "agency__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "code"], name="activity_unique_code")
        ]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.year})"

    @property
    def effective_end(self) -> dt.date:
        return self.end_date or dt.date(self.year, 12, 31)

    @property
    def programme(self) -> Nomenclature | None:
        """The nomenclature programme above this activity's (sub-)kegiatan."""
        node: Nomenclature | None = self.nomenclature
        while node is not None and node.level != NomenclatureLevel.PROGRAM:
            node = node.parent
        return node


class Budget(models.Model):
    """The amount of one funding source for an activity (the year is the activity's)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("activity")
    )
    source = models.CharField(_("funding source"), max_length=12, choices=FundingSource.choices)
    amount = models.DecimalField(_("amount (Rp)"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["activity_id", "source"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "source"], name="budget_unique_source"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="budget_amount_positive"
            ),
        ]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")

    def __str__(self) -> str:
        return f"{self.activity.code} {self.source} Rp {self.amount:,.0f}"


class QuarterPlan(models.Model):
    """The plan (cumulative to the end of the quarter): physical progress and disbursement."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="plans", verbose_name=_("activity")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    physical_pct = models.DecimalField(
        _("planned physical progress (%)"), max_digits=5, decimal_places=2
    )
    disbursement = models.DecimalField(_("planned disbursement to date (Rp)"), **MONEY)

    class Meta:
        ordering = ["activity_id", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "quarter"], name="plan_unique_quarter"),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="plan_quarter_1_4"
            ),
        ]
        verbose_name = _("quarterly plan")
        verbose_name_plural = _("quarterly plans")

    def __str__(self) -> str:
        return f"{self.activity.code} Q{self.quarter}"


class PerformanceIndicator(models.Model):
    """An outcome of a programme or an output of an activity, with yearly and quarterly targets.

    ``serves`` links an activity output to the programme outcome it feeds, and
    ``regional_indicator`` links an outcome (or an output directly) to the
    indicator of the regional catalogue it is meant to move: the cascade.
    Quarterly targets are cumulative to the end of the quarter for additive
    indicators and levels for the others.
    """

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=8, choices=IndicatorLevel.choices)
    code = models.SlugField(_("code"), max_length=40)
    programme = models.ForeignKey(
        Nomenclature,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("programme"),
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("activity"),
    )
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40)
    polarity = models.CharField(
        _("polarity"), max_length=6, choices=Polarity.choices, default=Polarity.HIGHER
    )
    additive = models.BooleanField(
        _("quarterly values add up"), default=True, help_text=_("Off for rates and levels.")
    )
    target = models.DecimalField(_("year target"), max_digits=20, decimal_places=4)
    target_q1 = models.DecimalField(
        _("target Q1"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    target_q2 = models.DecimalField(
        _("target Q2"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    target_q3 = models.DecimalField(
        _("target Q3"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    target_q4 = models.DecimalField(
        _("target Q4"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    serves = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="served_by",
        verbose_name=_("serves outcome"),
    )
    regional_indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regional indicator"),
    )
    source_note = models.CharField(_("source"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["year", "level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "code"], name="perfind_unique_code"),
            models.CheckConstraint(
                condition=(
                    models.Q(level="output", activity__isnull=False)
                    | models.Q(level="outcome", activity__isnull=True)
                ),
                name="perfind_output_has_activity",
            ),
        ]
        verbose_name = _("performance indicator")
        verbose_name_plural = _("performance indicators")

    def __str__(self) -> str:
        return self.name

    def quarter_target(self, quarter: int) -> Decimal | None:
        return getattr(self, f"target_q{quarter}")  # type: ignore[no-any-return]

    def clean(self) -> None:
        """Quarterly targets consistent with the year target: the one rule of the form, the
        XLSX import and the API (``services_perf.target_errors``)."""
        from django.core.exceptions import ValidationError

        from sinergi.web.programs.services_perf import target_errors

        errors = target_errors(
            additive=self.additive,
            polarity=self.polarity,
            target=self.target,
            quarters=[self.quarter_target(q) for q in QUARTERS],
        )
        if errors:
            raise ValidationError(errors)


class MonevRound(models.Model):
    """A quarter's monitoring meeting; its date is the 'as of' date of deadline warnings."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=300)
    place = models.CharField(_("place"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "quarter"], name="round_unique_quarter"
            )
        ]
        verbose_name = _("monev round")
        verbose_name_plural = _("monev rounds")

    def __str__(self) -> str:
        return self.title


class RealisationQuerySet(models.QuerySet["Realisation"]):
    def pending_review(self) -> RealisationQuerySet:
        return self.filter(status=RealisationStatus.SUBMITTED)


class Realisation(models.Model):
    """An activity's realisation to the end of a quarter, entered by its agency."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="realisations", verbose_name=_("activity")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    physical_pct = models.DecimalField(
        _("physical progress to date (%)"), max_digits=5, decimal_places=2
    )
    spent = models.DecimalField(_("spent to date (Rp)"), **MONEY)
    problems = models.TextField(_("problems (kendala)"), blank=True)
    follow_up = models.TextField(_("follow-up (tindak lanjut)"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RealisationStatus.choices,
        default=RealisationStatus.DRAFT,
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RealisationQuerySet.as_manager()

    class Meta:
        ordering = ["activity_id", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "quarter"], name="realisation_unique_quarter"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="realisation_quarter_1_4"
            ),
            models.CheckConstraint(
                condition=models.Q(physical_pct__gte=0, physical_pct__lte=100),
                name="realisation_physical_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(spent__gte=0), name="realisation_spent_positive"
            ),
        ]
        verbose_name = _("realisation")
        verbose_name_plural = _("realisations")

    def __str__(self) -> str:
        return f"{self.activity.code} {self.activity.year}-Q{self.quarter}"

    def history_title(self) -> str:
        """The realisation in words for its history page (see audit.presentation)."""
        from sinergi.web.core.formatting import quarter_label

        return _("Realisation of %(activity)s, %(period)s") % {
            "activity": self.activity.name,
            "period": quarter_label(self.activity.year, self.quarter),
        }

    def history_labels(self) -> dict[str, str]:
        """Labels of the output keys its audit snapshots carry (``outputs:<indicator id>``)."""
        return {"outputs": str(_("outputs achieved"))} | {
            f"outputs:{i.pk}": _("Achieved: %(output)s") % {"output": i.name}
            for i in self.activity.indicators.all()
        }


class OutputRealisation(models.Model):
    """What an activity achieved on one output indicator in the quarter (or its level)."""

    realisation = models.ForeignKey(
        Realisation,
        on_delete=models.CASCADE,
        related_name="outputs",
        verbose_name=_("realisation"),
    )
    indicator = models.ForeignKey(
        PerformanceIndicator,
        on_delete=models.CASCADE,
        related_name="realised",
        verbose_name=_("indicator"),
    )
    value = models.DecimalField(_("achieved"), max_digits=20, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["realisation", "indicator"], name="output_unique_per_quarter"
            )
        ]
        verbose_name = _("output achieved")
        verbose_name_plural = _("outputs achieved")

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.value}"


class NonApbdProposal(models.Model):
    """A plan the APBD cannot fund, routed to the non-APBD RKPD with another financing scheme."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    rkpd_year = models.PositiveSmallIntegerField(_("RKPD year"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    flagship = models.ForeignKey(
        FlagshipProgramme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("flagship programme"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("activity"),
    )
    estimated_cost = models.DecimalField(_("estimated cost (Rp)"), **MONEY)
    source = models.CharField(_("proposed financing"), max_length=12, choices=FundingSource.choices)
    scheme = models.TextField(_("financing scheme"), blank=True)
    status = models.CharField(
        _("RKPD status"), max_length=10, choices=RkpdStatus.choices, default=RkpdStatus.PROPOSED
    )
    status_note = models.CharField(_("status note"), max_length=300, blank=True)
    is_illustrative = models.BooleanField(_("illustrative (demo) data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["rkpd_year", "agency__name", "title"]
        verbose_name = _("non-APBD proposal")
        verbose_name_plural = _("non-APBD proposals")

    def __str__(self) -> str:
        return self.title


def _document_path(instance: Document, filename: str) -> str:
    # Never the user's file name on disk: a random name keeps paths safe and unguessable.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"programs/documents/{instance.region_id}/{uuid.uuid4().hex}.{suffix}"


class Document(models.Model):
    """A supporting document (master plan, roadmap, DED, FS, report, photo)."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    flagship = models.ForeignKey(
        FlagshipProgramme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("flagship programme"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("activity"),
    )
    doc_type = models.CharField(_("type"), max_length=12, choices=DocumentType.choices)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=300)
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
    is_illustrative = models.BooleanField(_("illustrative (demo) data"), default=False)

    class Meta:
        ordering = ["-uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(flagship__isnull=False) | models.Q(activity__isnull=False),
                name="document_has_subject",
            )
        ]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title
