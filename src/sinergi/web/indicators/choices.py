"""Choices of the indicator domain, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Higher is better")
    LOWER_IS_BETTER = "lower", _("Lower is better")


class Frequency(models.TextChoices):
    ANNUAL = "annual", _("Annual")
    QUARTERLY = "quarterly", _("Quarterly")
    MONTHLY = "monthly", _("Monthly")


class ValueStatus(models.TextChoices):
    PRELIMINARY = "preliminary", _("Preliminary")
    FINAL = "final", _("Final")
    REVISED = "revised", _("Revised")


class QualityFlag(models.TextChoices):
    """BPS publication rule for survey estimates by relative standard error."""

    PUBLISH = "publish", _("Reliable (RSE ≤ 25%)")
    CAUTION = "caution", _("Use with caution (RSE 25–50%)")
    UNRELIABLE = "unreliable", _("Unreliable (RSE > 50%)")


class PlanLevel(models.TextChoices):
    NATIONAL_RPJMN = "rpjmn", _("National medium-term plan (RPJMN)")
    NATIONAL_RKP = "rkp", _("National annual plan (RKP)")
    PROVINCIAL_RPJMD = "prov_rpjmd", _("Provincial medium-term plan (RPJMD)")
    PROVINCIAL_RKPD = "prov_rkpd", _("Provincial annual plan (RKPD)")
    REGENCY_RPJMD = "rpjmd", _("Regency medium-term plan (RPJMD)")
    REGENCY_RKPD = "rkpd", _("Regency annual plan (RKPD)")
    ASPIRATION = "aspiration", _("Stated aspiration (no plan document)")


class Comparator(models.TextChoices):
    """How a value is compared with a target; AUTO follows the indicator's polarity."""

    AUTO = "auto", _("By polarity (≥ or ≤)")
    LT = "lt", "<"
    LE = "le", "≤"
    GE = "ge", "≥"
    GT = "gt", ">"


class TargetKind(models.TextChoices):
    LEVEL = "level", _("Level to reach")
    CHANGE_PERCENT = "change_pct", _("Percent change from a baseline year")


class Band(models.TextChoices):
    VERY_HIGH = "very_high", _("Very high")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    VERY_LOW = "very_low", _("Very low")


class Status(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    NO_BASELINE = "no_baseline", _("Cannot be judged")
    NO_TARGET = "no_target", _("No target")
    NO_DATA = "no_data", _("No data")
