"""Agencies (OPD) and each user's role and region scope."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does. The OPD role both reports its agency's programme realisations
    (monev) and verifies the data sets its agency owns, so its label names both."""

    BAPPEDA_ADMIN = "bappeda_admin", _("Bappeda administrator")
    OPD_OPERATOR = "opd_operator", _("OPD operator and verifier")
    KECAMATAN_OPERATOR = "kecamatan_operator", _("Kecamatan operator")
    EXECUTIVE_VIEWER = "executive_viewer", _("Executive viewer")


class Agency(models.Model):
    """A regional government agency (Organisasi Perangkat Daerah) of a region."""

    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name=_("region"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    head_name = models.CharField(_("head"), max_length=120, blank=True)
    head_title = models.CharField(_("head's title"), max_length=120, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="agency_unique_code_per_region")
        ]
        verbose_name = _("agency (OPD)")
        verbose_name_plural = _("agencies (OPD)")

    def __str__(self) -> str:
        return self.short_name or self.name


class Profile(models.Model):
    """A user's role in Sinergi and the region subtree (and agency) it is scoped to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region scope")
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("agency"),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.region_id})"
