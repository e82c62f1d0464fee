"""API for the catalogue, values, targets and achievements.

Reads are public (published aggregates: estimates flagged unreliable are
withheld from anonymous users, as BPS does not publish them). Writes need a
role allowed by the policy for the region; updates must send the ``version``
they edited and get 409 if someone else saved first.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from sinergi.web.accounts.policy import Policy
from sinergi.web.api.exceptions import REQUIRED, SEND_VERSION, Conflict
from sinergi.web.api.filters import FilterSet, IntegerFilter
from sinergi.web.api.serializers import (
    ModelSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
)
from sinergi.web.indicators import services
from sinergi.web.indicators.models import Indicator, IndicatorValue, Target, ValueRevision
from sinergi.web.regions.models import Region, ancestor_codes


class IndicatorSerializer(ModelSerializer[Indicator]):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_id",
            "name_en",
            "unit",
            "decimals",
            "polarity",
            "source_agency",
            "frequency",
            "definition_id",
            "definition_en",
            "grades",
            "is_additive",
            "is_headline",
        ]


class ValueSerializer(ModelSerializer[IndicatorValue]):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    period = StrictCharField(allow_blank=True, max_length=10)
    version = StrictIntegerField(required=False, min_value=1)
    reason = StrictCharField(write_only=True, required=False, allow_blank=True, max_length=300)

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "region",
            "period",
            "year",
            "quarter",
            "month",
            "as_of",
            "value",
            "se",
            "ci_low",
            "ci_high",
            "rse",
            "quality_flag",
            "sample_size",
            "status",
            "source",
            "note",
            "is_synthetic",
            "version",
            "updated_at",
            "reason",
        ]
        read_only_fields = ["year", "quarter", "month", "updated_at"]
        validators: list = []  # uniqueness is the service's job (it revises instead)

    def validate_period(self, value: str) -> str:
        try:
            return services.parse_period(value).period
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_se(self, value: float | None) -> float | None:
        if value is not None and value < 0:
            raise serializers.ValidationError(_("A standard error cannot be negative."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "period" in attrs and not attrs["period"] and not attrs.get("note"):
            raise serializers.ValidationError(
                {"note": [_("A value without a period needs a note saying why.")]}
            )
        return attrs


class RevisionSerializer(ModelSerializer[ValueRevision]):
    replaced_by = serializers.StringRelatedField()
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = ValueRevision
        fields = [
            "version",
            "old_value",
            "se",
            "status",
            "source",
            "note",
            "recorded_at",
            "recorded_by",
            "replaced_at",
            "replaced_by",
            "reason",
        ]


class TargetSerializer(ModelSerializer[Target]):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    version = StrictIntegerField(required=False, min_value=1)

    class Meta:
        model = Target
        fields = [
            "id",
            "indicator",
            "region",
            "plan_level",
            "plan_document",
            "year",
            "value",
            "comparator",
            "kind",
            "baseline_year",
            "source",
            "note",
            "version",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        validators: list = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("kind") == "change_pct" and not attrs.get("baseline_year"):
            raise serializers.ValidationError(
                {"baseline_year": [_("A percent-change target needs a baseline year.")]}
            )
        if "value" in attrs and attrs["value"] == 0 and attrs.get("kind", "level") == "level":
            raise serializers.ValidationError(
                {"value": [_("A target of 0 has no defined achievement.")]}
            )
        return attrs


class ValueFilter(FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code")
    region = django_filters.CharFilter(field_name="region_id")
    year = IntegerFilter()
    period = django_filters.CharFilter()

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "region", "year", "period", "status", "quality_flag"]


class TargetFilter(FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code")
    region = django_filters.CharFilter(
        method="filter_region",
        help_text="Targets that apply to this region: its own and those above it.",
    )
    year = IntegerFilter()

    class Meta:
        model = Target
        fields = ["indicator", "region", "year", "plan_level"]

    def filter_region(self, queryset, _name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(region_id__in=ancestor_codes(value))


class _PolicyWriteMixin:
    """Create/update through the domain services, after asking the policy."""

    request: Request

    def _check_region(self, region: Region) -> None:
        if not Policy.for_user(self.request.user).can_write_indicator_data(region.code):
            raise PermissionDenied(
                _("You may not write data of region %(code)s.") % {"code": region.code}
            )


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet[Indicator]):
    """The indicator catalogue."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    filterset_fields = ["is_headline", "polarity", "frequency"]


class ValueViewSet(_PolicyWriteMixin, viewsets.ModelViewSet[IndicatorValue]):
    """Indicator values by region and period, e.g. ``?indicator=poverty_rate&region=16.07``."""

    serializer_class = ValueSerializer
    filterset_class = ValueFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[IndicatorValue]:
        queryset = IndicatorValue.objects.select_related("indicator").chronological()
        if Policy.for_user(self.request.user).is_public:
            queryset = services.published(queryset)
        return queryset

    def perform_create(self, serializer: ValueSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        self._check_region(data["region"])
        data.pop("version", None)
        reason = data.pop("reason", "")
        obj, _changed = services.record_value(user=self.request.user, reason=reason, **data)
        serializer.instance = obj

    def perform_update(self, serializer: ValueSerializer) -> None:  # type: ignore[override]
        instance = serializer.instance
        assert instance is not None
        data = dict(serializer.validated_data)
        region = data.pop("region", instance.region)
        indicator = data.pop("indicator", instance.indicator)
        period = data.pop("period", instance.period)
        if (region.pk, indicator.pk, period) != (
            instance.region_id,
            instance.indicator_id,
            instance.period,
        ):
            raise ValidationError(
                {"region": [_("The indicator, region and period of a value cannot change.")]}
            )
        self._check_region(region)
        if not period and data.pop("note", instance.note) != instance.note:
            raise ValidationError(
                {"note": [_("The note identifies a value without a period; it cannot change.")]}
            )
        version = data.pop("version", None)
        if version is None:
            raise ValidationError({"version": [SEND_VERSION]})
        reason = data.pop("reason", "")
        try:
            obj, _changed = services.record_value(
                indicator=indicator,
                region=region,
                period=period,
                value=data.pop("value", instance.value),
                user=self.request.user,
                expected_version=version,
                reason=reason,
                **({"note": instance.note} if not period else {}),
                **data,
            )
        except services.ConflictError as exc:
            raise Conflict.stale(exc) from None
        serializer.instance = obj

    @extend_schema(responses=RevisionSerializer(many=True))
    @action(detail=True, pagination_class=None, filter_backends=[])
    def revisions(self, request: Request, pk: str | None = None) -> Response:
        """Earlier versions of this value, newest first."""
        value = self.get_object()
        revisions = value.revisions.select_related("replaced_by", "recorded_by")
        return Response(RevisionSerializer(revisions, many=True).data)


class TargetViewSet(_PolicyWriteMixin, viewsets.ModelViewSet[Target]):
    """Targets by indicator, region (its own and the ones above it) and plan level."""

    queryset = Target.objects.select_related("indicator").order_by(
        "indicator__sort_order", "year", "id"
    )
    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer: TargetSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        self._check_region(data["region"])
        data.pop("version", None)
        data.setdefault("year", None)  # a plan may give no year
        obj, _changed = services.set_target(user=self.request.user, **data)
        serializer.instance = obj

    def perform_update(self, serializer: TargetSerializer) -> None:  # type: ignore[override]
        instance = serializer.instance
        assert instance is not None
        data = dict(serializer.validated_data)
        self._check_region(data.get("region", instance.region))
        version = data.pop("version", None)
        if version is None:
            raise ValidationError({"version": [SEND_VERSION]})
        keys = {
            k: data.pop(k, getattr(instance, k))
            for k in ["indicator", "region", "plan_level", "year"]
        }
        if (keys["indicator"].pk, keys["region"].pk, keys["plan_level"], keys["year"]) != (
            instance.indicator_id,
            instance.region_id,
            instance.plan_level,
            instance.year,
        ):
            raise ValidationError(
                {
                    "year": [
                        _("The indicator, region, plan level and year of a target cannot change.")
                    ]
                }
            )
        try:
            obj, _changed = services.set_target(
                user=self.request.user,
                expected_version=version,
                value=data.pop("value", instance.value),
                **keys,
                **data,
            )
        except services.ConflictError as exc:
            raise Conflict.stale(exc) from None
        serializer.instance = obj


class AchievementSerializer(serializers.Serializer[dict[str, Any]]):
    indicator = StrictCharField()
    name = StrictCharField()
    unit = StrictCharField()
    value = StrictFloatField(allow_null=True)
    value_period = StrictCharField(allow_null=True)
    value_year = StrictIntegerField(allow_null=True)
    se = StrictFloatField(allow_null=True)
    quality_flag = StrictCharField(allow_null=True)
    grade = StrictCharField(allow_null=True)
    target = StrictFloatField(allow_null=True)
    target_year = StrictIntegerField(allow_null=True)
    target_region = StrictCharField(allow_null=True)
    plan_level = StrictCharField(allow_null=True)
    plan_document = StrictCharField(allow_null=True)
    achievement = StrictFloatField(allow_null=True)
    band = StrictCharField(allow_null=True)
    gap = StrictFloatField(allow_null=True)
    meets = StrictBooleanField(allow_null=True)
    projection = StrictFloatField(allow_null=True)
    projection_low = StrictFloatField(allow_null=True)
    projection_high = StrictFloatField(allow_null=True)
    status = StrictCharField()
    low_confidence = StrictBooleanField()
    reason = StrictCharField()


class AchievementView(APIView):
    """Each headline indicator of a region: value, target, achievement, band and status."""

    schema_error_statuses = {"404"}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "region",
                {"type": "string", "minLength": 1},
                required=True,
                description="Region code, e.g. 16.07",
            ),
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": 1900, "maximum": 2100},
                description="Evaluate as of this year (default: this year)",
            ),
        ],
        responses=AchievementSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("region")
        if not code:
            raise ValidationError({"region": [REQUIRED]})
        year = request.query_params.get("year")
        if year is not None and not (year.isdigit() and 1900 <= int(year) <= 2100):
            raise ValidationError({"year": [_("Enter a year from 1900 to 2100.")]})
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise NotFound(_("Unknown region %(code)s.") % {"code": code})
        rows = services.achievement_rows(
            region,
            int(year) if year else None,
            published_only=Policy.for_user(request.user).is_public,
        )
        return Response(AchievementSerializer(rows, many=True).data)


def register(router: BaseRouter) -> None:
    router.register("indicators", IndicatorViewSet)
    router.register("values", ValueViewSet, basename="value")
    router.register("targets", TargetViewSet)


urlpatterns = [path("achievements/", AchievementView.as_view(), name="api-achievements")]
