from django.contrib import admin

from sinergi.web.collection.models import (
    DataElement,
    DataSet,
    Period,
    Ratio,
    Submission,
    ValidationRule,
)


class ElementInline(admin.TabularInline):
    model = DataElement
    extra = 0


class RuleInline(admin.TabularInline):
    model = ValidationRule
    fk_name = "dataset"
    extra = 0


class PeriodInline(admin.TabularInline):
    model = Period
    extra = 0


class RatioInline(admin.TabularInline):
    model = Ratio
    extra = 0


@admin.register(DataSet)
class DataSetAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "period_type", "region", "owner", "is_illustrative"]
    inlines = [ElementInline, RuleInline, RatioInline, PeriodInline]
    filter_horizontal = ["reporting_regions"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: submissions change through the workflow, which audits every step."""

    list_display = ["period", "region", "status", "version", "first_submitted_at", "updated_at"]
    list_filter = ["status", "period__dataset"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
