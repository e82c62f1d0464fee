"""Data sets (forms), their elements, rules and periods; submissions and their values."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sinergi.web.collection import periods
from sinergi.web.collection.choices import (
    CATEGORIES,
    EDITABLE_STATUSES,
    REPORTED_STATUSES,
    Disaggregation,
    Operator,
    PeriodType,
    RuleKind,
    Severity,
    SubmissionStatus,
    ValueType,
)


class DataSet(models.Model):
    """A form regions fill in every period, e.g. the quarterly kecamatan data of Banyuasin.

    ``owner`` is the agency (OPD) that verifies the submissions; ``region`` is the
    region that runs the collection (the regency), ``reporting_regions`` the
    regions that report (its kecamatan).
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    owner = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="data_sets",
        verbose_name=_("verifying agency (OPD)"),
    )
    reporting_regions = models.ManyToManyField(
        "regions.Region", related_name="+", verbose_name=_("reporting regions")
    )
    is_illustrative = models.BooleanField(
        _("illustrative (demo) data"),
        default=False,
        help_text=_("Figures are examples, not official data; shown with a flag everywhere."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    published_version = models.PositiveIntegerField(
        _("published form version"),
        default=0,
        help_text=_("0: never published, so no operator sees the data set yet."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)  # optimistic locking
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")

    def __str__(self) -> str:
        return self.name

    @property
    def draft_version(self) -> int:
        """The form version the designer edits: the next one, unseen until published."""
        return self.published_version + 1

    @property
    def is_published(self) -> bool:
        return self.published_version >= 1


def in_force_q(version: int | models.F) -> models.Q:
    """Elements or rules that belong to form ``version`` (added in it or before, not yet
    retired)."""
    return models.Q(added_in__lte=version) & (
        models.Q(retired_in__isnull=True) | models.Q(retired_in__gt=version)
    )


class Versioned(models.Model):
    """A part of a data set's form that belongs to a range of form versions.

    ``added_in``..``retired_in`` (exclusive): a published row is never changed or
    deleted, so a period bound to an older version keeps its form; the designer
    retires it and adds a changed copy in the draft version instead.
    """

    added_in = models.PositiveIntegerField(_("added in version"), default=1)
    retired_in = models.PositiveIntegerField(_("retired in version"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)  # optimistic locking

    class Meta:
        abstract = True

    def in_force(self, version: int) -> bool:
        return self.added_in <= version and (self.retired_in is None or self.retired_in > version)


class DataElement(Versioned):
    """One figure of a data set, e.g. children under five measured (by sex)."""

    dataset = models.ForeignKey(
        DataSet, on_delete=models.CASCADE, related_name="elements", verbose_name=_("data set")
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    help_text = models.CharField(_("help"), max_length=300, blank=True)
    value_type = models.CharField(
        _("value type"), max_length=10, choices=ValueType.choices, default=ValueType.INTEGER
    )
    unit = models.CharField(_("unit"), max_length=40)
    min_value = models.DecimalField(
        _("minimum"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    disaggregation = models.CharField(
        _("disaggregation"), max_length=10, choices=Disaggregation.choices, blank=True, default=""
    )
    required = models.BooleanField(_("required"), default=True)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
        help_text=_("Approved values become this indicator's values for the region and period."),
    )
    is_additive = models.BooleanField(
        _("additive"),
        default=True,
        help_text=_("Values of the reporting regions add up to the region above them."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["dataset_id", "sort_order", "id"]
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "code", "added_in"], name="element_unique_code_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(min_value__isnull=True)
                | models.Q(max_value__isnull=True)
                | models.Q(min_value__lte=models.F("max_value")),
                name="element_min_le_max",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    @property
    def categories(self) -> list[tuple[str, object]]:
        """``(category code, label)`` pairs to enter; ``[("", "Total")]`` when not split."""
        return CATEGORIES[Disaggregation(self.disaggregation)]


class ValidationRule(Versioned):
    """A check on a submission's values.

    Comparison: ``left  operator  right_factor * right + right_constant`` (e.g.
    stunted ≤ 1 × measured); elements split the same way are compared per
    category as well as in total. Outlier: the left element's total changed by
    more than ``threshold_pct`` percent from the previous period. A hard rule
    blocks submission; a soft one needs a comment.
    """

    dataset = models.ForeignKey(
        DataSet, on_delete=models.CASCADE, related_name="rules", verbose_name=_("data set")
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=RuleKind.choices, default=RuleKind.COMPARISON
    )
    left = models.ForeignKey(
        DataElement, on_delete=models.CASCADE, related_name="+", verbose_name=_("left side")
    )
    operator = models.CharField(
        _("operator"), max_length=2, choices=Operator.choices, default=Operator.LE
    )
    right = models.ForeignKey(
        DataElement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("right side"),
    )
    right_factor = models.DecimalField(
        _("factor on the right side"), max_digits=12, decimal_places=6, default=1
    )
    right_constant = models.DecimalField(
        _("constant on the right side"), max_digits=20, decimal_places=6, default=0
    )
    threshold_pct = models.DecimalField(
        _("allowed change (%)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    severity = models.CharField(
        _("severity"), max_length=4, choices=Severity.choices, default=Severity.HARD
    )
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        ordering = ["dataset_id", "id"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return self.message or f"{self.left.code} {self.get_operator_display()} …"

    def clean(self) -> None:
        if self.kind == RuleKind.OUTLIER and self.threshold_pct is None:
            raise ValidationError({"threshold_pct": _("An outlier rule needs a threshold.")})
        if self.right_id and self.right.dataset_id != self.dataset_id:
            raise ValidationError({"right": _("Both sides must belong to the data set.")})


class Ratio(models.Model):
    """An indicator derived from two elements of an approved submission:
    ``factor * numerator / denominator`` for the reporting region (e.g. stunting
    prevalence = 100 × stunted / measured)."""

    dataset = models.ForeignKey(
        DataSet, on_delete=models.CASCADE, related_name="ratios", verbose_name=_("data set")
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("indicator"),
    )
    numerator = models.ForeignKey(
        DataElement, on_delete=models.CASCADE, related_name="+", verbose_name=_("numerator")
    )
    denominator = models.ForeignKey(
        DataElement, on_delete=models.CASCADE, related_name="+", verbose_name=_("denominator")
    )
    factor = models.DecimalField(_("factor"), max_digits=12, decimal_places=6, default=100)

    class Meta:
        verbose_name = _("derived ratio")
        verbose_name_plural = _("derived ratios")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "indicator"], name="ratio_unique_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} = {self.factor} × {self.numerator_id} / {self.denominator_id}"


class Period(models.Model):
    """A period a data set is collected for, with the days it opens and closes.

    Entry is possible from ``opens_on``; a region that first submits after
    ``closes_on`` reported late.
    """

    dataset = models.ForeignKey(
        DataSet, on_delete=models.CASCADE, related_name="periods", verbose_name=_("data set")
    )
    code = models.CharField(_("period"), max_length=10)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    form_version = models.PositiveIntegerField(
        _("form version"),
        null=True,
        blank=True,
        help_text=_("Bound when the first submission is started; until then the published one."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)  # optimistic locking

    class Meta:
        ordering = ["dataset_id", "code"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "code"], name="period_unique_code"),
            models.CheckConstraint(
                condition=models.Q(opens_on__lte=models.F("closes_on")),
                name="period_opens_before_close",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """The period as people write it, e.g. ``Triwulan III 2026``."""
        return periods.label(self.code, self.dataset.period_type)

    def clean(self) -> None:
        try:
            periods.parse(self.code, self.dataset.period_type)
        except ValueError as exc:
            raise ValidationError({"code": str(exc)}) from None

    @property
    def form_version_in_force(self) -> int:
        """The form version this period's submissions use."""
        return self.form_version or self.dataset.published_version

    def is_open(self, today: dt.date) -> bool:
        return self.opens_on <= today

    def deadline(self) -> dt.datetime:
        """The end of the closing day in the project's time zone."""
        from django.utils import timezone

        end = dt.datetime.combine(self.closes_on, dt.time.max)
        return timezone.make_aware(end)


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def editable(self) -> SubmissionQuerySet:
        return self.filter(status__in=EDITABLE_STATUSES)

    def reported(self) -> SubmissionQuerySet:
        return self.filter(status__in=REPORTED_STATUSES)

    def pending(self) -> SubmissionQuerySet:
        """Waiting for a reviewer: submitted (for the OPD) or verified (for Bappeda)."""
        return self.filter(status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.VERIFIED])

    def approved(self) -> SubmissionQuerySet:
        return self.filter(status=SubmissionStatus.APPROVED)


class Submission(models.Model):
    """One region's answers to a data set for one period, and where it is in the workflow."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("period")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    rule_comments = models.JSONField(_("explanations of warnings"), default=dict, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    last_comment = models.TextField(_("last reviewer comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["period_id", "region_id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["period", "region"], name="submission_unique_region")
        ]

    def __str__(self) -> str:
        return f"{self.period.dataset.code} · {self.period.code} · {self.region_id}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "collection-entry",
            kwargs={
                "code": self.period.dataset.code,
                "period": self.period.code,
                "region": self.region_id,
            },
        )

    def history_title(self) -> str:
        """The submission in words for its history page."""
        return _("Entry of %(level)s %(region)s, %(period)s") % {
            "level": self.region.get_level_display(),
            "region": self.region.name,
            "period": self.period.label,
        }

    def history_labels(self) -> dict[str, str]:
        """Labels of the audit snapshot's value and comment keys (see ``services._state``)."""
        dataset = self.period.dataset
        version = in_force_q(self.period.form_version_in_force)
        labels: dict[str, str] = {}
        for element in dataset.elements.filter(version):
            for category, name in element.categories:
                key = f"value:{element.code}" + (f":{category}" if category else "")
                labels[key] = element.label + (f" ({name})" if category else "")
        for rule in dataset.rules.filter(version).select_related("left"):
            text = _("Explanation: %(rule)s") % {"rule": rule.message or rule.left.label}
            labels[f"rule_comments:outlier:{rule.pk}"] = text
            labels[f"rule_comments:rule:{rule.pk}:"] = text
            for category, name in rule.left.categories:
                labels[f"rule_comments:rule:{rule.pk}:{category}"] = text + (
                    f" ({name})" if category else ""
                )
        return labels

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_locked(self) -> bool:
        return self.status == SubmissionStatus.APPROVED


class DataValue(models.Model):
    """One entered figure: an element (and category) of a submission. Empty cells have no row."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="values", verbose_name=_("submission")
    )
    element = models.ForeignKey(
        DataElement, on_delete=models.PROTECT, related_name="+", verbose_name=_("element")
    )
    category = models.CharField(_("category"), max_length=12, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)

    class Meta:
        ordering = ["submission_id", "element_id", "category"]
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "element", "category"], name="datavalue_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.element.code}{':' + self.category if self.category else ''} = {self.value}"
