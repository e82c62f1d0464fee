"""The indicator catalogue, observed values (with revision history) and targets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sinergi.web.indicators.choices import (
    Comparator,
    Frequency,
    PlanLevel,
    Polarity,
    QualityFlag,
    TargetKind,
    ValueStatus,
)


class Indicator(models.Model):
    """A development indicator of the catalogue (e.g. poverty rate P0)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=2)
    polarity = models.CharField(_("polarity"), max_length=8, choices=Polarity.choices)
    source_agency = models.CharField(_("source agency"), max_length=120, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.ANNUAL
    )
    definition_id = models.TextField(_("definition (Indonesian)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    # Grades as [[lower bound (exclusive), grade], ...] from the top, e.g. the
    # bureaucracy reform index: AA > 90, A > 80, ... D otherwise.
    grades = models.JSONField(_("grades"), default=list, blank=True)
    is_additive = models.BooleanField(
        _("additive"), default=False, help_text=_("Values of sub-regions add up to the region.")
    )
    is_headline = models.BooleanField(_("on the dashboard"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_id

    @property
    def definition(self) -> str:
        return self.definition_en if translation.get_language() == "en" else self.definition_id

    def grade(self, value: float | None) -> str:
        """The grade of ``value`` on this indicator's scale ('' when it has none)."""
        if value is None:
            return ""
        for bound, grade in self.grades:
            if bound is None or value > bound:
                return str(grade)
        return ""


class IndicatorValueQuerySet(models.QuerySet["IndicatorValue"]):
    def chronological(self) -> IndicatorValueQuerySet:
        """Oldest first; values without a year go last, ordered by their 'as of' date."""
        return self.order_by(
            models.F("year").asc(nulls_last=True),
            models.F("quarter").asc(nulls_first=True),
            models.F("month").asc(nulls_first=True),
            models.F("as_of").asc(nulls_first=True),
            "id",
        )


class IndicatorValue(models.Model):
    """The current value of an indicator for a region and period.

    ``period`` is the canonical key: ``"2023"``, ``"2019-Q3"``, ``"2024-07"``,
    or empty when the source gives no year (then ``note`` must say so and
    ``as_of`` tells when the figure was reported). Earlier versions of a
    revised value live in :class:`ValueRevision`.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="values", verbose_name=_("region")
    )
    period = models.CharField(_("period"), max_length=10, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    se = models.FloatField(_("standard error"), null=True, blank=True)
    ci_low = models.FloatField(_("CI lower"), null=True, blank=True)
    ci_high = models.FloatField(_("CI upper"), null=True, blank=True)
    rse = models.FloatField(_("relative standard error (%)"), null=True, blank=True)
    quality_flag = models.CharField(
        _("quality flag"), max_length=10, choices=QualityFlag.choices, blank=True
    )
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ValueStatus.choices, default=ValueStatus.FINAL
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_synthetic = models.BooleanField(_("synthetic (demo) data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "period"],
                condition=~models.Q(period=""),
                name="value_unique_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__isnull=True) | models.Q(quarter__gte=1, quarter__lte=4),
                name="value_quarter_1_to_4",
            ),
        ]
        indexes = [models.Index(fields=["region", "indicator", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.region_id} {self.period or '-'} = {self.value}"

    def history_title(self) -> str:
        """The value in words for its history page (see audit.presentation)."""
        from sinergi.web.core.formatting import quarter_label

        if self.year and self.quarter:
            period = quarter_label(self.year, self.quarter)
        elif self.year and self.month:
            import datetime

            from django.utils import formats

            day = datetime.date(self.year, self.month, 1)
            period = str(formats.date_format(day, "F Y"))
        else:
            period = self.period or str(self.note)
        return f"{self.indicator.name}, {self.region.name}, {period}"


class ValueRevision(models.Model):
    """An earlier version of a value, kept when the value is revised."""

    value = models.ForeignKey(
        IndicatorValue, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("value")
    )
    version = models.PositiveIntegerField(_("version"))
    old_value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    se = models.FloatField(_("standard error"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ValueStatus.choices)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    replaced_at = models.DateTimeField(_("replaced"), auto_now_add=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    reason = models.CharField(_("reason for revision"), max_length=300, blank=True)

    class Meta:
        ordering = ["value_id", "-version"]
        verbose_name = _("value revision")
        verbose_name_plural = _("value revisions")
        constraints = [
            models.UniqueConstraint(fields=["value", "version"], name="revision_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.value_id} v{self.version}: {self.old_value}"


class Target(models.Model):
    """A target for an indicator in a region and year, set by a plan at some level.

    National targets sit on the country region (``"00"``), provincial ones on
    the province, regency ones on the regency; a regency sees its own and
    every target above it. ``year`` is empty when the plan gives none (e.g.
    "single-digit stunting").
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name=_("indicator")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="targets", verbose_name=_("region")
    )
    plan_level = models.CharField(_("plan level"), max_length=12, choices=PlanLevel.choices)
    plan_document = models.CharField(_("plan document"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    value = models.DecimalField(_("target value"), max_digits=20, decimal_places=6)
    comparator = models.CharField(
        _("comparator"), max_length=4, choices=Comparator.choices, default=Comparator.AUTO
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=TargetKind.choices, default=TargetKind.LEVEL
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["indicator__sort_order", "year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "plan_level", "year"],
                condition=models.Q(year__isnull=False),
                name="target_unique_per_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "region", "plan_level"],
                condition=models.Q(year__isnull=True),
                name="target_unique_undated",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="change_pct") | models.Q(baseline_year__isnull=False),
                name="target_change_needs_baseline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.region_id} {self.get_plan_level_display()} {self.year or '-'}"


class Generation(models.Model):
    """The current generation of a cache scope (see :mod:`sinergi.web.indicators.freshness`).

    ``token`` is replaced by a fresh random value inside every transaction that
    writes data of the scope, so a cached result keyed on the token is found
    only while the data it was computed from is current. A token is never
    reused: a rolled-back write leaves no token anyone could meet again.
    """

    scope = models.CharField(_("scope"), max_length=80, primary_key=True)
    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("cache generation")
        verbose_name_plural = _("cache generations")

    def __str__(self) -> str:
        return f"{self.scope}={self.token}"
