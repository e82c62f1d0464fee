"""Serializers of /api/v1/slrt/ (named ``Slrt...``: schema components are per class name).

Personal fields of a case (name, masked NIK/KK, address, narrative) are in the
output only when the policy lets the caller see them (the serializer context's
``personal``); Bappeda and executive viewers get the case without them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sinergi.web.api.serializers import ModelSerializer, StrictCharField, StrictIntegerField
from sinergi.web.social import selectors
from sinergi.web.social.models import (
    Case,
    Category,
    Channel,
    ConsentState,
    Outcome,
    ReasonCode,
    Referral,
    Service,
    SlaStatus,
)

PERSONAL_FIELDS = ("person_name", "nik_masked", "kk_masked", "address", "narrative")


class SlrtServiceSerializer(ModelSerializer[Service]):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "code",
            "name",
            "category",
            "agency",
            "agency_name",
            "description",
            "eligibility",
            "documents_needed",
            "sla_working_days",
            "active",
            "is_illustrative",
        ]
        read_only_fields = fields


class SlrtReferralSerializer(ModelSerializer[Referral]):
    ticket = serializers.CharField(source="case.ticket", read_only=True)
    desa = serializers.CharField(source="case.desa_id", read_only=True)
    service_code = serializers.CharField(source="service.code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    agency = serializers.CharField(source="service.agency.code", read_only=True)
    outcome = serializers.SerializerMethodField()
    reason_code = serializers.SerializerMethodField()
    sla_status = serializers.SerializerMethodField()
    working_days_left = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "ticket",
            "desa",
            "service",
            "service_code",
            "service_name",
            "agency",
            "state",
            "sent_on",
            "sla_working_days",
            "due_on",
            "accepted_on",
            "ended_on",
            "outcome",
            "reason_code",
            "consent_override",
            "sla_status",
            "working_days_left",
            "version",
        ]
        read_only_fields = fields

    def _today(self) -> dt.date:
        return self.context.get("today") or selectors._today(None)

    @extend_schema_field(serializers.ChoiceField(choices=Outcome.choices, allow_null=True))
    def get_outcome(self, obj: Referral) -> str | None:
        return obj.outcome or None

    @extend_schema_field(serializers.ChoiceField(choices=ReasonCode.choices, allow_null=True))
    def get_reason_code(self, obj: Referral) -> str | None:
        return obj.reason_code or None

    @extend_schema_field(serializers.ChoiceField(choices=SlaStatus.choices))
    def get_sla_status(self, obj: Referral) -> str:
        return selectors.sla_status(obj, today=self._today())

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_working_days_left(self, obj: Referral) -> int | None:
        return selectors.working_days_left(obj, today=self._today())


class SlrtCaseSerializer(ModelSerializer[Case]):
    consent = serializers.SerializerMethodField()
    person_name = serializers.SerializerMethodField()
    nik_masked = serializers.SerializerMethodField()
    kk_masked = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    narrative = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "ticket",
            "desa",
            "category",
            "channel",
            "status",
            "opened_on",
            "closed_on",
            "household_id",
            "consent",
            "person_name",
            "nik_masked",
            "kk_masked",
            "address",
            "narrative",
            "is_illustrative",
            "version",
        ]
        read_only_fields = fields

    def _personal(self, obj: Case, name: str) -> str | None:
        if not self.context.get("personal"):
            return None
        return str(getattr(obj, name))

    @extend_schema_field(serializers.ChoiceField(choices=ConsentState.choices, allow_null=True))
    def get_consent(self, obj: Case) -> str | None:
        if hasattr(obj, "latest_consent"):  # annotated by the list query
            return obj.latest_consent  # type: ignore[no-any-return]
        from sinergi.web.social.services import current_consent

        return current_consent(obj)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_person_name(self, obj: Case) -> str | None:
        return self._personal(obj, "person_name")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_nik_masked(self, obj: Case) -> str | None:
        return self._personal(obj, "nik_masked")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_kk_masked(self, obj: Case) -> str | None:
        return self._personal(obj, "kk_masked")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_address(self, obj: Case) -> str | None:
        return self._personal(obj, "address")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_narrative(self, obj: Case) -> str | None:
        return self._personal(obj, "narrative")

    def to_representation(self, instance: Case) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("personal"):
            for name in PERSONAL_FIELDS:
                data[name] = None
        return data


# --- request bodies -------------------------------------------------------------------


class SlrtCaseCreateSerializer(serializers.Serializer[dict[str, Any]]):
    """A new case: a registry household (``release`` + ``household_id``, optionally the
    member's ``nik_hash``) or a person not in the registry (``name``, optional ``nik``,
    ``kk``, ``address`` and the ``desa`` code)."""

    category = serializers.ChoiceField(choices=Category.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    narrative = StrictCharField(max_length=5000)
    desa = StrictCharField(max_length=13, required=False, allow_blank=True)
    release = StrictIntegerField(required=False, allow_null=True, min_value=1)
    household_id = StrictCharField(max_length=64, required=False, allow_blank=True)
    nik_hash = StrictCharField(max_length=64, required=False, allow_blank=True)
    name = StrictCharField(max_length=200, required=False, allow_blank=True)
    nik = StrictCharField(max_length=24, required=False, allow_blank=True, write_only=True)
    kk = StrictCharField(max_length=24, required=False, allow_blank=True, write_only=True)
    address = StrictCharField(max_length=300, required=False, allow_blank=True)


class SlrtConsentSerializer(serializers.Serializer[dict[str, Any]]):
    consent = serializers.ChoiceField(choices=ConsentState.choices)
    note = StrictCharField(max_length=300, required=False, allow_blank=True, default="")


class SlrtReferSerializer(serializers.Serializer[dict[str, Any]]):
    case = StrictIntegerField(min_value=1)
    service = StrictIntegerField(min_value=1)
    override_reason = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
    version = StrictIntegerField(required=False, min_value=1, help_text="The case's version.")


class SlrtStepSerializer(serializers.Serializer[dict[str, Any]]):
    """A step on a referral or case: the ``version`` read, and a reason when the step needs
    one (reject, revoke, reopen)."""

    version = StrictIntegerField(min_value=1)
    reason = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
    reason_code = serializers.ChoiceField(
        choices=ReasonCode.choices, required=False, allow_blank=True, default=""
    )


class SlrtCompleteSerializer(SlrtStepSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)


class SlrtPublicReferralSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    sent_on = serializers.DateField()
    due_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)


class SlrtPublicStatusSerializer(serializers.Serializer[Any]):
    """A case by its ticket: status and dates only (no name, NIK, desa or narrative)."""

    ticket = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    referrals = SlrtPublicReferralSerializer(many=True)


class SlrtReportSerializer(serializers.Serializer[Any]):
    """The SLRT report (see :func:`sinergi.web.social.selectors.case_report`)."""

    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    today = serializers.DateField()
    cases = serializers.IntegerField()
    by_desa = serializers.ListField(child=serializers.DictField())
    by_category = serializers.DictField(child=serializers.IntegerField())
    by_month = serializers.DictField(child=serializers.IntegerField())
    referrals_sent = serializers.IntegerField()
    answered = serializers.IntegerField()
    answered_on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    closed = serializers.IntegerField()
    median_days_to_close = serializers.FloatField(allow_null=True)
    median_days_to_close_by_category = serializers.DictField(child=serializers.FloatField())
    done_successful = serializers.IntegerField()
    closed_loop_rate = serializers.FloatField(allow_null=True)
    running_by_sla = serializers.DictField(child=serializers.IntegerField())
