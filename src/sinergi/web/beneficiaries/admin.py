"""Admin views of the programme catalogue (read-mostly: lists and runs are written by the
services, never edited by hand)."""

from __future__ import annotations

from django.contrib import admin

from sinergi.web.beneficiaries.models import (
    BeneficiaryList,
    MatchDecision,
    MatchRun,
    Programme,
    Stakeholder,
)


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "agency")
    search_fields = ("name", "short_name")


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "owner", "region", "eligibility_max_decile", "is_synthetic")
    search_fields = ("code", "name")


@admin.register(BeneficiaryList)
class BeneficiaryListAdmin(admin.ModelAdmin):
    list_display = ("programme", "label", "rows", "status", "created_at")
    readonly_fields = [f.name for f in BeneficiaryList._meta.fields]


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ("beneficiary_list", "release", "status", "started_at")
    readonly_fields = [f.name for f in MatchRun._meta.fields]


@admin.register(MatchDecision)
class MatchDecisionAdmin(admin.ModelAdmin):
    list_display = ("programme", "list_row", "decision", "decided_by", "decided_at")
    readonly_fields = [f.name for f in MatchDecision._meta.fields]
