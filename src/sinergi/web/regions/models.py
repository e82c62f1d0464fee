"""Regions in the Kemendagri hierarchy, keyed by their official dotted code."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

COUNTRY_CODE = "00"


class Level(models.TextChoices):
    COUNTRY = "country", _("Country")
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency/city")
    DISTRICT = "district", _("Kecamatan")
    VILLAGE = "village", _("Desa/kelurahan")


# The number of dot-separated parts of a code at each level ("16.07.05" is a kecamatan).
LEVEL_BY_PARTS = {1: Level.PROVINCE, 2: Level.REGENCY, 3: Level.DISTRICT, 4: Level.VILLAGE}
CHILD_LEVEL = {
    Level.COUNTRY: Level.PROVINCE,
    Level.PROVINCE: Level.REGENCY,
    Level.REGENCY: Level.DISTRICT,
    Level.DISTRICT: Level.VILLAGE,
}


def level_of(code: str) -> Level:
    """Return the level a Kemendagri code denotes (``"16.07"`` is a regency)."""
    if code == COUNTRY_CODE:
        return Level.COUNTRY
    parts = code.split(".")
    if len(parts) not in LEVEL_BY_PARTS or not all(part.isdigit() for part in parts):
        raise ValueError(f"{code!r} is not a Kemendagri region code")
    return LEVEL_BY_PARTS[len(parts)]


def parent_code(code: str) -> str | None:
    """Return the code of the region that contains ``code`` (``None`` for the country)."""
    if code == COUNTRY_CODE:
        return None
    head, _sep, _tail = code.rpartition(".")
    return head or COUNTRY_CODE


def ancestor_codes(code: str) -> list[str]:
    """Codes of ``code`` and every region above it, nearest first, ending at the country."""
    codes = [code]
    while (parent := parent_code(codes[-1])) is not None:
        codes.append(parent)
    return codes


class RegionQuerySet(models.QuerySet["Region"]):
    def subtree(self, code: str) -> RegionQuerySet:
        """The region ``code`` and everything below it (codes nest by prefix)."""
        if code == COUNTRY_CODE:
            return self.all()
        return self.filter(models.Q(code=code) | models.Q(code__startswith=code + "."))

    def active(self) -> RegionQuerySet:
        return self.filter(active=True)


class Region(models.Model):
    """A province, regency/city, kecamatan or desa/kelurahan (or the country itself).

    The primary key is the official Kemendagri code, so a region is addressed the
    same way in URLs, the API, imports and other agencies' files. A region that a
    new decree removes is kept (values and targets point to it) and marked inactive.
    """

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=80, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def ancestor_codes(self) -> list[str]:
        return ancestor_codes(self.code)

    def is_within(self, code: str) -> bool:
        """True when this region is ``code`` or lies below it."""
        return code == COUNTRY_CODE or self.code == code or self.code.startswith(code + ".")
