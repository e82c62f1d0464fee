"""API of programme monitoring under /api/v1/monev/.

Reading activity-level data needs a role scoped to the region; the public
reads the aggregate monev only (``monev/summary/``). Writes follow
:class:`~sinergi.web.programs.policy.MonevPolicy`: an OPD operator writes its
own agency's realisations, budgets, documents and proposals; Bappeda plans,
reviews and sets RKPD status. Updates must send the ``version`` they edited
and get 409 when someone else saved first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, parsers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from sinergi.web.api.exceptions import REQUIRED, SEND_VERSION, Conflict
from sinergi.web.api.serializers import (
    ModelSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictDecimalField,
    StrictIntegerField,
)
from sinergi.web.indicators.services import ConflictError
from sinergi.web.programs import documents, services
from sinergi.web.programs.choices import FundingSource
from sinergi.web.programs.models import (
    Activity,
    Budget,
    Document,
    FlagshipProgramme,
    Nomenclature,
    NonApbdProposal,
    PerformanceIndicator,
    Realisation,
)
from sinergi.web.programs.policy import MonevPolicy
from sinergi.web.regions.models import Region


class RoleRequired(BasePermission):
    """Activity-level monev data: any role (reads) within its scope; writes checked per object."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return (
            bool(request.user and request.user.is_authenticated)
            and not MonevPolicy.for_user(request.user).is_public
        )


def _domain_errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    )


# --- serializers ---------------------------------------------------------------------------------


class NomenclatureSerializer(ModelSerializer[Nomenclature]):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Nomenclature
        fields = ["code", "level", "name", "parent", "source"]


class FlagshipSerializer(ModelSerializer[FlagshipProgramme]):
    class Meta:
        model = FlagshipProgramme
        fields = [
            "id",
            "region",
            "slug",
            "name",
            "goal",
            "year_start",
            "year_end",
            "coordinator",
            "is_illustrative",
            "version",
        ]


class BudgetSerializer(ModelSerializer[Budget]):
    version = StrictIntegerField(required=False)

    class Meta:
        model = Budget
        fields = ["id", "activity", "source", "amount", "note", "version"]


class ActivitySerializer(ModelSerializer[Activity]):
    nomenclature = serializers.SlugRelatedField(
        slug_field="code", queryset=Nomenclature.objects.all()
    )
    budgets = serializers.SerializerMethodField()
    version = StrictIntegerField(required=False)

    class Meta:
        model = Activity
        fields = [
            "id",
            "region",
            "agency",
            "year",
            "code",
            "nomenclature",
            "name",
            "flagship",
            "location",
            "start_date",
            "end_date",
            "is_illustrative",
            "budgets",
            "version",
        ]

    @extend_schema_field(
        serializers.DictField(
            child=StrictCharField(), help_text="funding source -> amount (decimal string)"
        )
    )
    def get_budgets(self, obj: Activity) -> dict[str, str]:
        return {b.source: str(b.amount) for b in obj.budgets.all()}


class PerformanceIndicatorSerializer(ModelSerializer[PerformanceIndicator]):
    programme = serializers.SlugRelatedField(
        slug_field="code", queryset=Nomenclature.objects.all(), required=False, allow_null=True
    )
    regional_indicator = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    version = StrictIntegerField(required=False)

    class Meta:
        model = PerformanceIndicator
        fields = [
            "id",
            "region",
            "year",
            "level",
            "code",
            "programme",
            "agency",
            "activity",
            "name",
            "unit",
            "polarity",
            "additive",
            "target",
            "target_q1",
            "target_q2",
            "target_q3",
            "target_q4",
            "serves",
            "regional_indicator",
            "source_note",
            "version",
        ]


class OutputsField(serializers.DictField):
    """Output indicator id -> value achieved: numbers in, decimal strings out (``"3.0000"``)."""

    def to_representation(self, value: Any) -> dict[str, str]:
        return {str(o.indicator_id): str(o.value) for o in value.all()}


class OutputsFieldExtension(OpenApiSerializerFieldExtension):
    target_class = OutputsField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        if direction == "response":
            value = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{4}$"}
        else:
            value = {"type": "number", "nullable": True}
        return {"type": "object", "additionalProperties": value}


class RealisationSerializer(ModelSerializer[Realisation]):
    outputs = OutputsField(
        child=StrictDecimalField(max_digits=20, decimal_places=4, allow_null=True),
        required=False,
        help_text="output indicator id -> value achieved",
    )
    version = StrictIntegerField(required=False)
    submit = StrictBooleanField(required=False, write_only=True, default=False)

    class Meta:
        model = Realisation
        fields = [
            "id",
            "activity",
            "quarter",
            "physical_pct",
            "spent",
            "problems",
            "follow_up",
            "outputs",
            "status",
            "review_note",
            "reviewed_by",
            "reviewed_at",
            "version",
            "updated_at",
            "submit",
        ]
        read_only_fields = ["status", "review_note", "reviewed_by", "reviewed_at", "updated_at"]
        validators: list[Any] = []  # the service decides create-or-update on (activity, quarter)


class ReviewSerializer(serializers.Serializer[dict[str, Any]]):
    version = StrictIntegerField()
    note = StrictCharField(required=False, allow_blank=True, default="")


class ProposalSerializer(ModelSerializer[NonApbdProposal]):
    version = StrictIntegerField(required=False)

    class Meta:
        model = NonApbdProposal
        fields = [
            "id",
            "region",
            "agency",
            "rkpd_year",
            "title",
            "description",
            "flagship",
            "activity",
            "estimated_cost",
            "source",
            "scheme",
            "status",
            "status_note",
            "is_illustrative",
            "version",
        ]


class DocumentSerializer(ModelSerializer[Document]):
    file = serializers.FileField(write_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "region",
            "flagship",
            "activity",
            "doc_type",
            "title",
            "file",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "is_illustrative",
            "download",
        ]
        read_only_fields = [
            "region",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "is_illustrative",
        ]

    def get_download(self, obj: Document) -> str:
        return f"/api/v1/monev/documents/{obj.pk}/download/"


# --- viewsets ----------------------------------------------------------------------------------


class NomenclatureViewSet(viewsets.ReadOnlyModelViewSet[Nomenclature]):
    """The national nomenclature of regional programmes (public reference data)."""

    queryset = Nomenclature.objects.select_related("parent")
    serializer_class = NomenclatureSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"
    filterset_fields = ["level"]


class _Scoped:
    """Reads limited to the user's region subtree; ``region_field`` names the region code."""

    region_field = "region__code"
    permission_classes = [RoleRequired]
    request: Request

    @property
    def policy(self) -> MonevPolicy:
        return MonevPolicy.for_user(self.request.user)

    def scope(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(self.policy.scope_q(self.region_field))

    @staticmethod
    def _version(data: dict[str, Any]) -> int:
        version = data.pop("version", None)
        if version is None:
            raise ValidationError({"version": [SEND_VERSION]})
        return int(version)


class _PlannedByBappeda(_Scoped):
    """Planning objects (activities, performance indicators): Bappeda writes them, through
    the domain services; the region of an existing object cannot change."""

    denied_message = gettext_lazy("Only Bappeda plans.")

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        if not self.policy.can_plan(data["region"].code):
            raise PermissionDenied(self.denied_message)
        try:
            serializer.instance = services.create(serializer.Meta.model, self.request.user, **data)
        except DjangoValidationError as exc:
            raise _domain_errors(exc) from None

    def perform_update(self, serializer: Any) -> None:
        instance = serializer.instance
        assert instance is not None
        if not self.policy.can_plan(instance.region_id):
            raise PermissionDenied(self.denied_message)
        data = dict(serializer.validated_data)
        version = self._version(data)
        data.pop("region", None)
        try:
            serializer.instance, _changed = services.update(
                instance, self.request.user, expected_version=version, **data
            )
        except ConflictError as exc:
            raise Conflict.stale(exc) from None
        except DjangoValidationError as exc:
            raise _domain_errors(exc) from None


class FlagshipViewSet(_Scoped, viewsets.ModelViewSet[FlagshipProgramme]):
    """Flagship programmes (e.g. Banyuasin Prima) of the regions in your scope; Bappeda plans them."""

    queryset = FlagshipProgramme.objects.all()
    serializer_class = FlagshipSerializer
    filterset_fields = ["region", "slug"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[FlagshipProgramme]:
        return self.scope(super().get_queryset())

    def perform_create(self, serializer: FlagshipSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        data.pop("version", None)
        if not self.policy.can_plan(data["region"].code):
            raise PermissionDenied(_("Only Bappeda plans flagship programmes."))
        serializer.instance = services.create(FlagshipProgramme, self.request.user, **data)

    def perform_update(self, serializer: FlagshipSerializer) -> None:  # type: ignore[override]
        instance = serializer.instance
        assert instance is not None
        data = dict(serializer.validated_data)
        if not self.policy.can_plan(instance.region_id):
            raise PermissionDenied(_("Only Bappeda plans flagship programmes."))
        version = self._version(data)
        data.pop("region", None)
        try:
            serializer.instance, _changed = services.update(
                instance, self.request.user, expected_version=version, **data
            )
        except ConflictError as exc:
            raise Conflict.stale(exc) from None


class ActivityViewSet(_PlannedByBappeda, viewsets.ModelViewSet[Activity]):
    """Activities (sub-kegiatan) of a year, by agency; Bappeda plans them."""

    denied_message = gettext_lazy("Only Bappeda plans activities.")
    queryset = Activity.objects.select_related("nomenclature").prefetch_related("budgets")
    serializer_class = ActivitySerializer
    filterset_fields = ["region", "year", "agency", "flagship", "code"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Activity]:
        return self.scope(super().get_queryset())


class BudgetViewSet(_Scoped, viewsets.ModelViewSet[Budget]):
    """An activity's budget by funding source; the running agency (or Bappeda) sets it."""

    queryset = Budget.objects.select_related("activity")
    serializer_class = BudgetSerializer
    filterset_fields = ["activity", "source", "activity__year", "activity__region"]
    region_field = "activity__region__code"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Budget]:
        return self.scope(super().get_queryset())

    def _save(self, serializer: BudgetSerializer, expected: int | None) -> None:
        data = serializer.validated_data
        activity = data.get("activity") or serializer.instance.activity  # type: ignore[union-attr]
        if not self.policy.can_write_activity_data(activity):
            raise PermissionDenied(_("You may not write this activity's budget."))
        source = data.get("source") or serializer.instance.source  # type: ignore[union-attr]
        amount = data.get("amount", serializer.instance.amount if serializer.instance else None)
        try:
            serializer.instance, _changed = services.set_budget(
                activity,
                source,
                amount,
                user=self.request.user,
                note=data.get("note", serializer.instance.note if serializer.instance else ""),
                expected_version=expected,
            )
        except ConflictError as exc:
            raise Conflict.stale(exc) from None
        except DjangoValidationError as exc:
            raise _domain_errors(exc) from None

    def perform_create(self, serializer: BudgetSerializer) -> None:  # type: ignore[override]
        self._save(serializer, serializer.validated_data.get("version"))

    def perform_update(self, serializer: BudgetSerializer) -> None:  # type: ignore[override]
        self._save(serializer, self._version(dict(serializer.validated_data)))


class PerformanceIndicatorViewSet(_PlannedByBappeda, viewsets.ModelViewSet[PerformanceIndicator]):
    """Outcome and output indicators with yearly and quarterly targets; Bappeda sets them."""

    denied_message = gettext_lazy("Only Bappeda sets performance indicators.")
    queryset = PerformanceIndicator.objects.select_related("programme", "regional_indicator")
    serializer_class = PerformanceIndicatorSerializer
    filterset_fields = ["region", "year", "level", "activity", "agency"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[PerformanceIndicator]:
        return self.scope(super().get_queryset())


class RealisationViewSet(_Scoped, viewsets.ModelViewSet[Realisation]):
    """Quarterly realisation. POST creates or (with ``version``) updates the activity's quarter."""

    queryset = Realisation.objects.select_related("activity").prefetch_related("outputs")
    serializer_class = RealisationSerializer
    filterset_fields = [
        "activity",
        "quarter",
        "status",
        "activity__year",
        "activity__region",
        "activity__agency",
    ]
    region_field = "activity__region__code"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Realisation]:
        return self.scope(super().get_queryset())

    def _save(self, serializer: RealisationSerializer, expected: int | None) -> None:
        data = dict(serializer.validated_data)
        instance = serializer.instance
        activity = data.get("activity") or instance.activity  # type: ignore[union-attr]
        quarter = data.get("quarter") or instance.quarter  # type: ignore[union-attr]
        if instance is not None and (activity.pk, quarter) != (
            instance.activity_id,
            instance.quarter,
        ):
            raise ValidationError(
                {"quarter": [_("The activity and quarter of a realisation cannot change.")]}
            )
        if not self.policy.can_write_activity_data(activity):
            raise PermissionDenied(
                _("Only the agency running this activity (or Bappeda) enters its realisation.")
            )
        current = instance
        try:
            outputs = {int(k): v for k, v in (data.get("outputs") or {}).items()}
        except ValueError:
            raise ValidationError(
                {"outputs": [_("The keys must be output indicator ids.")]}
            ) from None
        try:
            serializer.instance, _changed = services.save_realisation(
                activity,
                quarter,
                physical_pct=data.get("physical_pct", current.physical_pct if current else None),
                spent=data.get("spent", current.spent if current else None),
                problems=data.get("problems", current.problems if current else ""),
                follow_up=data.get("follow_up", current.follow_up if current else ""),
                outputs=outputs,
                expected_version=expected,
                submit=data.get("submit", False),
                user=self.request.user,
            )
        except ConflictError as exc:
            raise Conflict.stale(exc) from None
        except services.LockedError as exc:
            raise Conflict(str(exc), version=instance.version if instance else None) from None
        except DjangoValidationError as exc:
            raise _domain_errors(exc) from None

    def perform_create(self, serializer: RealisationSerializer) -> None:  # type: ignore[override]
        self._save(serializer, serializer.validated_data.get("version"))

    def perform_update(self, serializer: RealisationSerializer) -> None:  # type: ignore[override]
        self._save(serializer, self._version(dict(serializer.validated_data)))

    def _transition(self, request: Request, name: str) -> Response:
        realisation = self.get_object()
        if name in services.REVIEW_ACTIONS and not self.policy.can_review(realisation.activity):
            raise PermissionDenied(_("Only Bappeda reviews realisations."))
        if name == "submit" and not self.policy.can_write_activity_data(realisation.activity):
            raise PermissionDenied(
                _("Only the agency running this activity submits its realisation.")
            )
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            updated = services.transition(
                realisation,
                name,
                request.user,
                note=body.validated_data["note"],
                expected_version=body.validated_data["version"],
            )
        except ConflictError as exc:
            raise Conflict.stale(exc) from None
        except services.TransitionError as exc:
            raise Conflict(str(exc), version=realisation.version) from None
        except DjangoValidationError as exc:
            raise _domain_errors(exc) from None
        return Response(RealisationSerializer(updated).data)

    @extend_schema(request=ReviewSerializer, responses=RealisationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Send the realisation to Bappeda for review."""
        return self._transition(request, "submit")

    @extend_schema(request=ReviewSerializer, responses=RealisationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Bappeda approves (and locks) the realisation."""
        return self._transition(request, "approve")

    @extend_schema(request=ReviewSerializer, responses=RealisationSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        """Bappeda returns the realisation for correction (a note is required)."""
        return self._transition(request, "return")


class ProposalViewSet(_Scoped, viewsets.ModelViewSet[NonApbdProposal]):
    """Proposals for non-APBD financing in the RKPD; Bappeda sets their RKPD status."""

    queryset = NonApbdProposal.objects.select_related("agency")
    serializer_class = ProposalSerializer
    filterset_fields = ["region", "rkpd_year", "agency", "status", "source", "flagship"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[NonApbdProposal]:
        return self.scope(super().get_queryset())

    def perform_create(self, serializer: ProposalSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        data.pop("version", None)
        if not self.policy.can_propose(data["region"].code, data["agency"].pk):
            raise PermissionDenied(_("An agency proposes for itself; Bappeda for any agency."))
        if data.get("status", "proposed") != "proposed" and not self.policy.can_set_rkpd_status(
            data["region"].code
        ):
            raise PermissionDenied(_("Only Bappeda sets the RKPD status."))
        if data.get("source") in FundingSource.public_budget() - {FundingSource.APBN_DAK}:
            raise ValidationError(
                {"source": [_("A non-APBD proposal needs financing other than the APBD.")]}
            )
        try:
            serializer.instance = services.create(NonApbdProposal, self.request.user, **data)
        except DjangoValidationError as exc:
            raise _domain_errors(exc) from None

    def perform_update(self, serializer: ProposalSerializer) -> None:  # type: ignore[override]
        instance = serializer.instance
        assert instance is not None
        data = dict(serializer.validated_data)
        version = self._version(data)
        data.pop("region", None)
        if not self.policy.can_propose(instance.region_id, data.get("agency", instance.agency).pk):
            raise PermissionDenied(_("An agency changes its own proposals; Bappeda any."))
        if (
            "status" in data
            and data["status"] != instance.status
            and not self.policy.can_set_rkpd_status(instance.region_id)
        ):
            raise PermissionDenied(_("Only Bappeda sets the RKPD status."))
        try:
            serializer.instance, _changed = services.update(
                instance, self.request.user, expected_version=version, **data
            )
        except ConflictError as exc:
            raise Conflict.stale(exc) from None
        except DjangoValidationError as exc:
            raise _domain_errors(exc) from None


class DocumentViewSet(_Scoped, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Document]):
    """Documents (master plan, roadmap, DED, FS, reports) of activities and flagships."""

    queryset = Document.objects.all()
    serializer_class = DocumentSerializer
    filterset_fields = ["region", "flagship", "activity", "doc_type"]
    parser_classes = [parsers.MultiPartParser]

    def get_queryset(self) -> QuerySet[Document]:
        return self.scope(super().get_queryset())

    def perform_create(self, serializer: DocumentSerializer) -> None:  # type: ignore[override]
        data = serializer.validated_data
        activity, flagship = data.get("activity"), data.get("flagship")
        if activity is not None and not self.policy.can_write_activity_data(activity):
            raise PermissionDenied(_("You may not add documents to this activity."))
        if flagship is not None and not self.policy.can_upload_to_flagship(flagship):
            raise PermissionDenied(_("You may not add documents to this flagship programme."))
        upload = data["file"]
        try:
            serializer.instance = documents.add_document(
                doc_type=data["doc_type"],
                title=data["title"],
                name=upload.name,
                stream=upload.file,
                size=upload.size,
                user=self.request.user,
                activity=activity,
                flagship=flagship,
            )
        except DjangoValidationError as exc:
            raise _domain_errors(exc) from None

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The stored file, with its own content type and name.",
            )
        }
    )
    @action(detail=True, pagination_class=None, filter_backends=[])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        try:
            return documents.download_response(self.get_object())
        except FileNotFoundError:
            raise NotFound(_("The stored file is missing.")) from None


# --- aggregate monev -------------------------------------------------------------------------


def _period_params(request: Request) -> tuple[Region, int, int, dt.date | None]:
    code, year, quarter = (request.query_params.get(k) for k in ("region", "year", "quarter"))
    errors = {}
    if not code:
        errors["region"] = [REQUIRED]
    if not (year and year.isdigit() and 1900 <= int(year) <= 2100):
        errors["year"] = [_("Enter a year from 1900 to 2100.")]
    if quarter not in {"1", "2", "3", "4"}:
        errors["quarter"] = [_("Enter a quarter from 1 to 4.")]
    as_of = None
    if request.query_params.get("as_of"):
        try:
            as_of = dt.date.fromisoformat(request.query_params["as_of"])
        except ValueError:
            errors["as_of"] = [_("Enter a date as YYYY-MM-DD.")]
    if errors:
        raise ValidationError(errors)
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(_("Unknown region %(code)s.") % {"code": code})
    return region, int(year), int(quarter), as_of  # type: ignore[arg-type]


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "region",
        {"type": "string", "minLength": 1},
        required=True,
        description="Region code, e.g. 16.07",
    ),
    OpenApiParameter("year", {"type": "integer", "minimum": 1900, "maximum": 2100}, required=True),
    OpenApiParameter("quarter", {"type": "integer", "enum": [1, 2, 3, 4]}, required=True),
    OpenApiParameter(
        "as_of", OpenApiTypes.DATE, description="Judge deadlines as of this date (YYYY-MM-DD)"
    ),
]


class SummaryRowSerializer(serializers.Serializer[dict[str, Any]]):
    agency = StrictCharField()
    agency_id = StrictIntegerField()
    activities = StrictIntegerField()
    public_budget = StrictDecimalField(max_digits=20, decimal_places=2)
    non_apbd = StrictDecimalField(max_digits=20, decimal_places=2)
    planned_disbursement = StrictDecimalField(max_digits=20, decimal_places=2)
    spent = StrictDecimalField(max_digits=20, decimal_places=2)
    financial_pct = StrictDecimalField(max_digits=7, decimal_places=2, allow_null=True)
    planned_financial_pct = StrictDecimalField(max_digits=7, decimal_places=2, allow_null=True)
    physical_pct = StrictDecimalField(max_digits=7, decimal_places=2, allow_null=True)
    late = StrictIntegerField()
    warnings = StrictIntegerField()


class MonevSummarySerializer(serializers.Serializer[dict[str, Any]]):
    region = StrictCharField()
    year = StrictIntegerField()
    quarter = StrictIntegerField()
    as_of = serializers.DateField()
    illustrative = StrictBooleanField()
    agencies = SummaryRowSerializer(many=True)


class WarningSerializer(serializers.Serializer[dict[str, Any]]):
    kind = StrictCharField()
    severity = StrictCharField()
    label = StrictCharField()
    reason = StrictCharField()


class LateActivitySerializer(serializers.Serializer[dict[str, Any]]):
    activity = StrictIntegerField()
    code = StrictCharField()
    name = StrictCharField()
    agency = StrictIntegerField()
    warnings = WarningSerializer(many=True)


class MonevWarningsSerializer(serializers.Serializer[dict[str, Any]]):
    region = StrictCharField()
    year = StrictIntegerField()
    quarter = StrictIntegerField()
    as_of = serializers.DateField()
    activities = LateActivitySerializer(many=True)


class MonevSummaryView(APIView):
    """Aggregate monev of a quarter by agency (public)."""

    permission_classes: list[type[BasePermission]] = []
    schema_error_statuses = {"404"}

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=MonevSummarySerializer)
    def get(self, request: Request) -> Response:
        region, year, quarter, as_of = _period_params(request)
        report = services.monev_data(region, year, quarter, as_of=as_of)
        return Response(
            {
                "region": region.code,
                "year": year,
                "quarter": quarter,
                "as_of": report.as_of,
                "illustrative": report.is_illustrative,
                "agencies": SummaryRowSerializer(services.summary_rows(report), many=True).data,
            }
        )


class MonevWarningsView(APIView):
    """Every early warning of a quarter, by activity (roles within the region only)."""

    permission_classes = [RoleRequired]
    schema_error_statuses = {"404"}

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=MonevWarningsSerializer)
    def get(self, request: Request) -> Response:
        region, year, quarter, as_of = _period_params(request)
        if not MonevPolicy.for_user(request.user).can_read_details(region.code):
            raise PermissionDenied(_("This region is outside your scope."))
        report = services.monev_data(region, year, quarter, as_of=as_of)
        return Response(
            {
                "region": region.code,
                "year": year,
                "quarter": quarter,
                "as_of": report.as_of,
                "activities": [
                    {
                        "activity": row.activity.pk,
                        "code": row.activity.code,
                        "name": row.activity.name,
                        "agency": row.activity.agency_id,
                        "warnings": [
                            {
                                "kind": w.kind,
                                "severity": w.severity,
                                "label": w.label,
                                "reason": w.message,
                            }
                            for w in row.warnings
                        ],
                    }
                    for row in report.late
                ],
            }
        )


def register(router: BaseRouter) -> None:
    router.register("monev/nomenclature", NomenclatureViewSet)
    router.register("monev/flagships", FlagshipViewSet)
    router.register("monev/activities", ActivityViewSet)
    router.register("monev/budgets", BudgetViewSet)
    router.register("monev/indicators", PerformanceIndicatorViewSet)
    router.register("monev/realisations", RealisationViewSet)
    router.register("monev/proposals", ProposalViewSet)
    router.register("monev/documents", DocumentViewSet)


urlpatterns = [
    path("monev/summary/", MonevSummaryView.as_view(), name="api-monev-summary"),
    path("monev/warnings/", MonevWarningsView.as_view(), name="api-monev-warnings"),
]
