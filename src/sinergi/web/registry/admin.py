from django.contrib import admin

from sinergi.web.registry.models import ImportReport, PMTModelVersion, Release, ReleaseScoring


class ReadOnlyAdmin(admin.ModelAdmin):
    """Releases and reports are written by the import service only (files stay in step)."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "reference_date",
        "region",
        "households",
        "members",
        "status",
        "is_synthetic",
    )


@admin.register(ImportReport)
class ImportReportAdmin(ReadOnlyAdmin):
    list_display = ("name", "started_at", "ok", "dry_run", "created_by")


admin.site.register(PMTModelVersion, ReadOnlyAdmin)
admin.site.register(ReleaseScoring, ReadOnlyAdmin)
