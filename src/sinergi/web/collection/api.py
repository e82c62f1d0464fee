"""API of data collection under ``/api/v1/collection/``.

Everything is internal: a Sinergi role is needed, and every queryset goes
through the policy, so an object of another scope answers 404. Saving values
must send the ``version`` that was read (409 when someone saved meanwhile);
workflow steps are ``POST .../submissions/{id}/transition/``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from sinergi.web.accounts.permissions import HasRole
from sinergi.web.accounts.policy import Policy
from sinergi.web.api.exceptions import REQUIRED, Conflict
from sinergi.web.api.filters import FilterSet
from sinergi.web.api.serializers import (
    ModelSerializer,
    StrictCharField,
    StrictDecimalField,
    StrictFloatField,
    StrictIntegerField,
)
from sinergi.web.collection import services, workflow
from sinergi.web.collection.choices import SubmissionStatus, Timeliness
from sinergi.web.collection.models import (
    DataElement,
    DataSet,
    DataValue,
    Period,
    Submission,
    ValidationRule,
    in_force_q,
)
from sinergi.web.collection.policy import CollectionPolicy
from sinergi.web.indicators.services import ConflictError
from sinergi.web.regions.models import Region

WORKFLOW_ACTIONS = sorted(workflow.NAMES)


class ElementSerializer(ModelSerializer[DataElement]):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    categories = serializers.SerializerMethodField()

    class Meta:
        model = DataElement
        fields = [
            "code",
            "name",
            "name_en",
            "value_type",
            "unit",
            "min_value",
            "max_value",
            "disaggregation",
            "categories",
            "required",
            "indicator",
            "is_additive",
        ]

    def get_categories(self, obj: DataElement) -> list[str]:
        return [code for code, _label in obj.categories]


class RuleSerializer(ModelSerializer[ValidationRule]):
    left = serializers.SlugRelatedField(slug_field="code", read_only=True)
    right = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = ValidationRule
        fields = [
            "id",
            "kind",
            "left",
            "operator",
            "right",
            "right_factor",
            "right_constant",
            "threshold_pct",
            "severity",
            "message",
        ]


class PeriodSerializer(ModelSerializer[Period]):
    class Meta:
        model = Period
        fields = ["code", "opens_on", "closes_on", "form_version"]


class DataSetSerializer(ModelSerializer[DataSet]):
    """A data set with the elements and rules of its published form version; each period
    says the version its submissions use (``null``: not bound yet, the published one)."""

    owner = serializers.SlugRelatedField(slug_field="code", read_only=True)
    elements = ElementSerializer(many=True, read_only=True)
    rules = RuleSerializer(many=True, read_only=True)
    periods = PeriodSerializer(many=True, read_only=True)
    reporting_regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = DataSet
        fields = [
            "code",
            "name",
            "description",
            "period_type",
            "region",
            "owner",
            "is_illustrative",
            "note",
            "published_version",
            "elements",
            "rules",
            "periods",
            "reporting_regions",
        ]


class DataSetViewSet(viewsets.ReadOnlyModelViewSet[DataSet]):
    """Data sets (forms) the user works with, with elements, rules and periods."""

    permission_classes = [HasRole]
    serializer_class = DataSetSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[DataSet]:
        published = in_force_q(F("dataset__published_version"))
        return CollectionPolicy.for_user(self.request.user).datasets(
            DataSet.objects.select_related("owner").prefetch_related(
                Prefetch(
                    "elements",
                    queryset=DataElement.objects.filter(published).select_related("indicator"),
                ),
                "periods",
                "reporting_regions",
                Prefetch(
                    "rules",
                    queryset=ValidationRule.objects.filter(published).select_related(
                        "left", "right"
                    ),
                ),
            )
        )


class DataValueSerializer(serializers.Serializer[Any]):
    """One cell of a form: element, category (blank when not disaggregated) and value."""

    element = StrictCharField(max_length=60)
    category = StrictCharField(max_length=12, allow_blank=True, default="")
    value = StrictDecimalField(max_digits=20, decimal_places=6, allow_null=True)


class DataValueOutSerializer(serializers.Serializer[Any]):
    element = StrictCharField()
    category = StrictCharField()
    value = StrictCharField(help_text='The value as a decimal string, e.g. "12.5".')


class IssueSerializer(serializers.Serializer[Any]):
    key = StrictCharField()
    kind = StrictCharField()
    severity = StrictCharField()
    message = StrictCharField()
    element = StrictCharField(help_text="The cell to highlight (blank: the whole form).")
    category = StrictCharField()


class SubmissionSerializer(ModelSerializer[Submission]):
    dataset = StrictCharField(source="period.dataset.code", read_only=True)
    period = StrictCharField(source="period.code", read_only=True)
    form_version = StrictIntegerField(
        source="period.form_version_in_force",
        read_only=True,
        help_text="The data set's form version this submission uses (its period's).",
    )
    values = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "dataset",
            "period",
            "form_version",
            "region",
            "status",
            "version",
            "values",
            "rule_comments",
            "first_submitted_at",
            "submitted_at",
            "approved_at",
            "last_comment",
            "updated_at",
        ]

    @extend_schema_field(DataValueOutSerializer(many=True))
    def get_values(self, obj: Submission) -> list[dict[str, Any]]:
        return [
            {
                "element": v.element.code,
                "category": v.category,
                "value": format(v.value.normalize(), "f"),
            }
            for v in obj.values.all()  # type: ignore[attr-defined]
        ]


class SubmissionDetailSerializer(SubmissionSerializer):
    issues = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "issues", "transitions"]

    @extend_schema_field(IssueSerializer(many=True))
    def get_issues(self, obj: Submission) -> list[dict[str, str]]:
        return [
            {
                "key": i.key,
                "kind": i.kind,
                "severity": i.severity,
                "message": i.message,
                "element": i.element,
                "category": i.category,
            }
            for i in services.issues_for(obj)
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(WORKFLOW_ACTIONS)))
    def get_transitions(self, obj: Submission) -> list[str]:
        return [t.name for t in workflow.available(obj, self.context["request"].user)]


class SubmissionCreateSerializer(serializers.Serializer[Any]):
    dataset = StrictCharField()
    period = StrictCharField()
    region = StrictCharField()
    values = DataValueSerializer(many=True, required=False, default=list)
    rule_comments = serializers.DictField(
        child=StrictCharField(allow_blank=True), required=False, default=dict
    )


class SubmissionUpdateSerializer(serializers.Serializer[Any]):
    version = StrictIntegerField(min_value=1)
    values = DataValueSerializer(many=True, required=False, default=list)
    rule_comments = serializers.DictField(
        child=StrictCharField(allow_blank=True), required=False, default=dict
    )


class TransitionSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=WORKFLOW_ACTIONS)
    comment = StrictCharField(required=False, allow_blank=True, default="")
    version = StrictIntegerField(min_value=1)


class SubmissionFilter(FilterSet):
    dataset = django_filters.CharFilter(field_name="period__dataset__code")
    period = django_filters.CharFilter(field_name="period__code")
    region = django_filters.CharFilter(field_name="region_id")

    class Meta:
        model = Submission
        fields = ["dataset", "period", "region", "status"]


def _cells(values: list[dict[str, Any]]) -> dict[tuple[str, str], Decimal | None]:
    return {(v["element"], v.get("category") or ""): v["value"] for v in values}


def _raise(exc: workflow.WorkflowError) -> None:
    if exc.forbidden:
        raise PermissionDenied(" ".join(exc.messages))
    raise ValidationError({"detail": exc.messages})


class SubmissionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Submission],
):
    """Submissions the user may read; kecamatan operators create and edit drafts of their
    regions, reviewers move them through the workflow (``transition``)."""

    permission_classes = [HasRole]
    filterset_class = SubmissionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Submission]:
        return Policy.for_user(self.request.user).submissions(
            Submission.objects.select_related("period__dataset")
            .prefetch_related(
                Prefetch("values", queryset=DataValue.objects.select_related("element"))
            )
            .order_by("period__dataset__code", "period__code", "region_id")
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "retrieve":
            return SubmissionDetailSerializer
        return SubmissionSerializer

    def _detail(self, sub: Submission, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=sub.pk).first() or sub
        return Response(
            SubmissionDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(request=SubmissionCreateSerializer, responses=SubmissionDetailSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start the region's draft for a period (and save values). One per region and period."""
        data = SubmissionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = Policy.for_user(request.user)
        dataset = (
            CollectionPolicy(policy)
            .datasets(DataSet.objects.all())
            .filter(code=data.validated_data["dataset"])
            .first()
        )
        if dataset is None:
            raise ValidationError({"dataset": [_("Unknown data set.")]})
        period = Period.objects.filter(dataset=dataset, code=data.validated_data["period"]).first()
        if period is None:
            raise ValidationError({"period": [_("The data set has no such period.")]})
        region = Region.objects.filter(code=data.validated_data["region"]).first()
        if region is None or not policy.can_enter_data(region.code):
            raise PermissionDenied(_("You may not enter data for this region."))
        existing = Submission.objects.filter(period=period, region=region).first()
        if existing is not None:
            raise Conflict(
                _("This region already has a submission for the period; PATCH it."),
                id=existing.pk,
                version=existing.version,
            )
        try:
            sub = services.start_submission(period, region, request.user)
            if data.validated_data["values"] or data.validated_data["rule_comments"]:
                sub = services.save_values(
                    sub,
                    request.user,
                    _cells(data.validated_data["values"]),
                    expected_version=sub.version,
                    rule_comments=data.validated_data["rule_comments"],
                ).submission
        except workflow.WorkflowError as exc:
            _raise(exc)
        except ValueError as exc:
            raise ValidationError({"values": [str(exc)]}) from None
        return self._detail(sub, status.HTTP_201_CREATED)

    @extend_schema(request=SubmissionUpdateSerializer, responses=SubmissionDetailSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Save values of a draft; send the ``version`` you read (409 if it changed)."""
        sub = self.get_object()
        data = SubmissionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = services.save_values(
                sub,
                request.user,
                _cells(data.validated_data["values"]),
                expected_version=data.validated_data["version"],
                rule_comments=data.validated_data["rule_comments"],
            )
        except ConflictError as exc:
            raise Conflict.stale(exc) from None
        except workflow.WorkflowError as exc:
            _raise(exc)
        except ValueError as exc:
            raise ValidationError({"values": [str(exc)]}) from None
        return self._detail(result.submission)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not kwargs.get("partial"):
            raise MethodNotAllowed(request.method or "PUT")
        return super().update(request, *args, **kwargs)

    @extend_schema(request=TransitionSerializer, responses=SubmissionDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """A workflow step: submit, verify, approve, return (comment), unapprove (comment)."""
        sub = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            sub = workflow.perform(
                sub,
                data.validated_data["action"],
                request.user,
                comment=data.validated_data["comment"],
                expected_version=data.validated_data["version"],
            )
        except ConflictError as exc:
            raise Conflict.stale(exc) from None
        except workflow.WorkflowError as exc:
            _raise(exc)
        return self._detail(sub)


class RegionReportSerializer(serializers.Serializer[Any]):
    region = StrictCharField()
    name = StrictCharField()
    status = serializers.ChoiceField(
        SubmissionStatus.choices, allow_null=True, help_text="null: nothing entered yet"
    )
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    timeliness = serializers.ChoiceField(Timeliness.choices)


class PeriodCompletenessSerializer(serializers.Serializer[Any]):
    """One period: each reporting region in your scope and whether it reported on time."""

    dataset = StrictCharField()
    period = StrictCharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    expected = StrictIntegerField()
    reported = StrictIntegerField()
    completeness_pct = StrictFloatField(allow_null=True)
    timeliness_pct = StrictFloatField(allow_null=True)
    counts = serializers.DictField(child=StrictIntegerField(), help_text="timeliness -> regions")
    regions = RegionReportSerializer(many=True)


class PeriodCountsSerializer(serializers.Serializer[Any]):
    period = StrictCharField()
    expected = StrictIntegerField()
    on_time = StrictIntegerField()
    late = StrictIntegerField()
    in_progress = StrictIntegerField()
    missing = StrictIntegerField()


class CompletenessSeriesSerializer(serializers.Serializer[Any]):
    """Every period of the data set, oldest first, with its counts."""

    dataset = StrictCharField()
    periods = PeriodCountsSerializer(many=True)


class CompletenessView(APIView):
    """Which reporting regions (in your scope) reported a period, on time or late."""

    permission_classes = [HasRole]
    schema_error_statuses = {"404"}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "dataset",
                {"type": "string", "minLength": 1},
                required=True,
                description="Data set code",
            ),
            OpenApiParameter(
                "period", str, description="Period code, e.g. 2026-Q3 (default: every period)"
            ),
        ],
        responses=PolymorphicProxySerializer(
            component_name="Completeness",
            serializers=[PeriodCompletenessSerializer, CompletenessSeriesSerializer],
            resource_type_field_name=None,
        ),
    )
    def get(self, request: Request) -> Response:
        policy = Policy.for_user(request.user)
        code = request.query_params.get("dataset")
        if not code:
            raise ValidationError({"dataset": [REQUIRED]})
        dataset = get_object_or_404(
            CollectionPolicy(policy).datasets(DataSet.objects.all()), code=code
        )
        if not policy.can_view_completeness(dataset):
            raise NotFound
        period_code = request.query_params.get("period")
        if not period_code:
            return Response(
                {"dataset": dataset.code, "periods": services.completeness_series(dataset, policy)}
            )
        period = Period.objects.filter(dataset=dataset, code=period_code).first()
        if period is None:
            raise NotFound(_("No period %(code)s.") % {"code": period_code})
        period.dataset = dataset
        return Response(services.completeness(period, policy).as_dict())


def register(router: BaseRouter) -> None:
    router.register("collection/datasets", DataSetViewSet, basename="collection-dataset")
    router.register("collection/submissions", SubmissionViewSet, basename="collection-submission")


urlpatterns = [
    path(
        "collection/completeness/", CompletenessView.as_view(), name="api-collection-completeness"
    ),
]
