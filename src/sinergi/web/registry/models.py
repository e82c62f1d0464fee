"""The registry's catalogue: releases (their Parquet lives under the data directory),
import reports, PMT model versions and which model scored which release.

The household microdata is never in the database: only counts, file digests
and reports that name rows and reasons (never a NIK or KK).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReleaseStatus(models.TextChoices):
    IMPORTING = "importing", _("Importing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Release(models.Model):
    """A named, immutable registry slice (e.g. "DTSEN 2025-Q2") stored as Parquet."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    reference_date = models.DateField(_("reference date"))
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("The area the slice covers."),
    )
    path = models.CharField(
        _("directory"), max_length=300, help_text=_("Relative to the data directory's registry/.")
    )
    households = models.PositiveIntegerField(_("households"), default=0)
    members = models.PositiveIntegerField(_("persons"), default=0)
    is_synthetic = models.BooleanField(_("synthetic data"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=ReleaseStatus.choices, default=ReleaseStatus.IMPORTING
    )
    sha256s = models.JSONField(_("file digests"), default=dict, blank=True)
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
        ordering = ["-reference_date", "-created_at"]
        verbose_name = _("registry release")
        verbose_name_plural = _("registry releases")

    def __str__(self) -> str:
        return self.name


class ImportReport(models.Model):
    """The outcome of one import attempt (also of a check-only run and a refused file)."""

    release = models.ForeignKey(
        Release,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_reports",
        verbose_name=_("release"),
    )
    name = models.CharField(_("release name"), max_length=120, blank=True)
    households_file = models.CharField(_("households file"), max_length=255)
    members_file = models.CharField(_("members file"), max_length=255)
    dry_run = models.BooleanField(_("check only"), default=False)
    valid_only = models.BooleanField(_("valid rows only"), default=False)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("no problem found"), default=False)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
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
        verbose_name = _("import report")
        verbose_name_plural = _("import reports")

    def __str__(self) -> str:
        return f"{self.name or self.households_file} {self.started_at:%Y-%m-%d %H:%M}"


class PMTModelVersion(models.Model):
    """A fitted proxy-means-test model: its JSON artefact (coefficients and coding)."""

    version = models.CharField(_("version"), max_length=80, unique=True)
    json = models.TextField(_("model (JSON)"))
    evaluation = models.JSONField(_("holdout evaluation"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("PMT model version")
        verbose_name_plural = _("PMT model versions")

    def __str__(self) -> str:
        return self.version


class ReleaseScoring(models.Model):
    """A release scored (and ranked into deciles) with a model version."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="scorings", verbose_name=_("release")
    )
    model = models.ForeignKey(
        PMTModelVersion, on_delete=models.PROTECT, related_name="scorings", verbose_name=_("model")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("scored at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("release scoring")
        verbose_name_plural = _("release scorings")

    def __str__(self) -> str:
        return f"{self.release} · {self.model}"
