from django.contrib import admin

from sinergi.web.indicators.models import Indicator, IndicatorValue, Target, ValueRevision


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "unit", "polarity", "is_headline", "sort_order"]


class RevisionInline(admin.TabularInline):
    model = ValueRevision
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in ValueRevision._meta.fields]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "region", "period", "value", "se", "status", "version"]
    list_filter = ["indicator", "status", "quality_flag"]
    raw_id_fields = ["region"]
    readonly_fields = ["version"]
    inlines = [RevisionInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "region", "plan_level", "year", "value", "comparator", "kind"]
    list_filter = ["plan_level", "indicator"]
    raw_id_fields = ["region"]
