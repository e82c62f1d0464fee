"""Admin: the catalogue and escalation contacts. Cases change only through the services
(their rules, timeline and audit), so the admin shows them read-only and without the
person's data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sinergi.web.social import services
from sinergi.web.social.models import AgencyHead, Case, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "agency", "category", "sla_working_days", "active"]
    list_filter = ["category", "active", "agency"]
    search_fields = ["name", "code"]

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        services.save_service(obj, user=request.user)  # audited like any catalogue change


@admin.register(AgencyHead)
class AgencyHeadAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["agency", "user"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["ticket", "desa", "category", "status", "opened_on", "closed_on"]
    list_filter = ["status", "category", "channel"]
    search_fields = ["ticket"]
    fields = ["ticket", "desa", "category", "channel", "status", "opened_on", "closed_on"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
