from django.contrib import admin

from sinergi.web.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "active"]
    list_filter = ["level", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
