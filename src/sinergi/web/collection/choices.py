"""Choices of the data collection domain, with translated labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodType(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    NUMBER = "number", _("Number")


class Disaggregation(models.TextChoices):
    NONE = "", _("None")
    SEX = "sex", _("Sex")
    AGE_GROUP = "age_group", _("Age group (under five)")


# The categories of each disaggregation, in entry order.
CATEGORIES: dict[str, list[tuple[str, object]]] = {
    Disaggregation.NONE: [("", _("Total"))],
    Disaggregation.SEX: [("m", _("Male")), ("f", _("Female"))],
    Disaggregation.AGE_GROUP: [("0-23m", _("0–23 months")), ("24-59m", _("24–59 months"))],
}


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for correction")


# Values can be changed only in these states; approved data is locked.
EDITABLE_STATUSES = frozenset({SubmissionStatus.DRAFT, SubmissionStatus.RETURNED})
# A region has reported when its submission reached one of these states.
REPORTED_STATUSES = frozenset(
    {SubmissionStatus.SUBMITTED, SubmissionStatus.VERIFIED, SubmissionStatus.APPROVED}
)


class RuleKind(models.TextChoices):
    COMPARISON = "comparison", _("Comparison between elements")
    OUTLIER = "outlier", _("Change from the previous period")


class Operator(models.TextChoices):
    LE = "le", "≤"
    LT = "lt", "<"
    GE = "ge", "≥"
    GT = "gt", ">"
    EQ = "eq", "="


class Severity(models.TextChoices):
    HARD = "hard", _("Blocks submission")
    SOFT = "soft", _("Warning (needs a comment)")


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    IN_PROGRESS = "in_progress", _("Not yet submitted")
    MISSING = "missing", _("Missing")
