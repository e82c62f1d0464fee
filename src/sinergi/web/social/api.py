"""API of the SLRT referral app under /api/v1/slrt/.

Everything but the ticket status needs a signed-in user with a role (anonymous:
401); lists are scoped by :class:`~sinergi.web.social.policy.SocialPolicy` (a
service agency sees its own queue only; Bappeda and executive viewers get cases
without names, NIK, address or narrative). Steps (accept, reject, ...) call
:mod:`sinergi.web.social.services`, send the ``version`` they read and get 409
when someone else moved first or the state does not allow the step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from sinergi.web.api.exceptions import Conflict
from sinergi.web.registry.models import Release
from sinergi.web.social import selectors, services
from sinergi.web.social.models import (
    Case,
    ConsentRecord,
    Referral,
    Service,
    SlaStatus,
)
from sinergi.web.social.policy import SocialPolicy
from sinergi.web.social.serializers import (
    SlrtCaseCreateSerializer,
    SlrtCaseSerializer,
    SlrtCompleteSerializer,
    SlrtConsentSerializer,
    SlrtPublicStatusSerializer,
    SlrtReferralSerializer,
    SlrtReferSerializer,
    SlrtReportSerializer,
    SlrtServiceSerializer,
    SlrtStepSerializer,
)


class SlrtRole(BasePermission):
    """Signed in with a role the SLRT app knows (the public has the ticket page only)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return (
            bool(request.user and request.user.is_authenticated)
            and SocialPolicy.for_user(request.user).can_use_app
        )


def _domain(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    )


def _call(fn: Any, *args: Any, state_conflict: bool = True, **kwargs: Any) -> Any:
    """Run a service; map its errors to 403 / 409 (stale version or a state that does not
    allow the step) / 400 (bad input)."""
    try:
        return fn(*args, **kwargs)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from None
    except services.Conflict as exc:
        raise Conflict(" ".join(exc.messages)) from None
    except DjangoValidationError as exc:
        if state_conflict and not hasattr(exc, "error_dict"):
            raise Conflict(" ".join(exc.messages)) from None
        raise _domain(exc) from None


class _Scoped:
    permission_classes = [SlrtRole]
    request: Request

    @property
    def policy(self) -> SocialPolicy:
        return SocialPolicy.for_user(self.request.user)


class ServiceViewSet(_Scoped, viewsets.ReadOnlyModelViewSet[Service]):
    """The SLRT service catalogue: each service's agency or partner, eligibility, documents
    needed and SLA in working days."""

    queryset = Service.objects.select_related("agency").order_by("category", "name", "id")
    serializer_class = SlrtServiceSerializer
    filterset_fields = ["category", "active"]


def _sla_parameter() -> OpenApiParameter:
    return OpenApiParameter(
        "sla_status",
        str,
        enum=list(SlaStatus.values),
        description="Only referrals with this SLA status today.",
    )


@extend_schema_view(list=extend_schema(parameters=[_sla_parameter()]))
class ReferralViewSet(_Scoped, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Referral]):
    """Referrals within your scope (a service agency: its own queue), with ``sent_on``,
    ``sla_working_days``, ``due_on``, ``state`` and today's ``sla_status``. POST refers a case
    to a service (the person's consent is required, or an override reason from the Dinsos
    back office)."""

    queryset = Referral.objects.select_related("case", "service", "service__agency")
    serializer_class = SlrtReferralSerializer
    filterset_fields = ["state", "service", "case", "outcome"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return SlrtReferSerializer
        return super().get_serializer_class()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": services.today()}

    def get_queryset(self) -> QuerySet[Referral]:
        qs = self.policy.referrals(super().get_queryset()).order_by("-sent_on", "-id")
        status = self.request.query_params.get("sla_status")
        if status is not None and self.action == "list":
            if status not in SlaStatus.values:
                raise ValidationError({"sla_status": [_("Choose one of the listed values.")]})
            qs = selectors.filter_sla(qs, status)
        return qs

    @extend_schema(request=SlrtReferSerializer, responses={201: SlrtReferralSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = SlrtReferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        policy = self.policy
        case = policy.cases(Case.objects.all()).filter(pk=data["case"]).first()
        if case is None:
            raise ValidationError({"case": [_("No such case within your scope.")]})
        service = Service.objects.filter(pk=data["service"]).first()
        if service is None:
            raise ValidationError({"service": [_("No such service.")]})
        referral = _call(
            services.refer,
            case,
            service,
            user=request.user,
            override_reason=data["override_reason"],
            expected_version=data.get("version"),
            state_conflict=False,
        )
        out = SlrtReferralSerializer(referral, context=self.get_serializer_context())
        return Response(out.data, status=201)

    def _step(self, request: Request, name: str, body_class: Any) -> Response:
        referral = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        kwargs: dict[str, Any] = {"user": request.user, "expected_version": data["version"]}
        if name in ("reject", "revoke"):
            kwargs["reason"] = data["reason"]
        if name == "reject":
            kwargs["reason_code"] = data["reason_code"]
        if name == "complete":
            kwargs.update(
                outcome=data["outcome"], reason=data["reason"], reason_code=data["reason_code"]
            )
        updated = _call(getattr(services, name), referral, **kwargs)
        return Response(SlrtReferralSerializer(updated, context=self.get_serializer_context()).data)

    @extend_schema(request=SlrtStepSerializer, responses=SlrtReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """The receiving agency takes the referral on."""
        return self._step(request, "accept", SlrtStepSerializer)

    @extend_schema(request=SlrtStepSerializer, responses=SlrtReferralSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """The receiving agency declines, with a reason."""
        return self._step(request, "reject", SlrtStepSerializer)

    @extend_schema(request=SlrtStepSerializer, responses=SlrtReferralSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """The office that sent it withdraws it, with a reason."""
        return self._step(request, "revoke", SlrtStepSerializer)

    @extend_schema(request=SlrtCompleteSerializer, responses=SlrtReferralSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """An accepted referral is done, successfully or not (with a reason)."""
        return self._step(request, "complete", SlrtCompleteSerializer)


class CaseViewSet(_Scoped, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Case]):
    """Cases within your scope. Name, masked NIK/KK, address and narrative are ``null`` for
    Bappeda and executive viewers. POST registers a case (front office or Dinsos)."""

    queryset = Case.objects.all()
    serializer_class = SlrtCaseSerializer
    filterset_fields = ["status", "category", "channel", "desa"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return SlrtCaseCreateSerializer
        return super().get_serializer_class()

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "personal": self.policy.can_see_personal_in_lists,
        }

    def get_queryset(self) -> QuerySet[Case]:
        latest = ConsentRecord.objects.filter(case=OuterRef("pk")).order_by("-recorded_at", "-id")
        return (
            self.policy.cases(super().get_queryset())
            .annotate(latest_consent=Subquery(latest.values("state")[:1]))
            .order_by("-opened_on", "-id")
        )

    @extend_schema(request=SlrtCaseCreateSerializer, responses={201: SlrtCaseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = SlrtCaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        release = None
        if d.get("household_id"):
            release = Release.objects.filter(pk=d.get("release") or 0, status="ready").first()
            if release is None:
                raise ValidationError({"release": [_("Choose a registry release.")]})
            person: dict[str, Any] | None = (
                {"nik_hash": d["nik_hash"]} if d.get("nik_hash") else None
            )
        else:
            person = {k: d.get(k, "") for k in ("name", "nik", "kk", "address")}
        case = _call(
            services.register_case,
            user=request.user,
            person=person,
            household_id=d.get("household_id") or None,
            release=release,
            category=d["category"],
            narrative=d["narrative"],
            channel=d["channel"],
            desa_code=d.get("desa") or None,
            state_conflict=False,
        )
        return Response(SlrtCaseSerializer(case, context={"personal": True}).data, status=201)

    @extend_schema(request=SlrtConsentSerializer, responses={201: SlrtCaseSerializer})
    @action(detail=True, methods=["post"])
    def consent(self, request: Request, pk: str | None = None) -> Response:
        """Record consent to share the person's data with the services."""
        case = self.get_object()
        body = SlrtConsentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _call(
            services.record_consent,
            case,
            user=request.user,
            state=body.validated_data["consent"],
            note=body.validated_data["note"],
            state_conflict=False,
        )
        case = self.get_queryset().get(pk=case.pk)
        return Response(SlrtCaseSerializer(case, context=self.get_serializer_context()).data, 201)

    @extend_schema(request=SlrtStepSerializer, responses=SlrtCaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close a case without running referrals."""
        return self._case_step(request, services.close_case)

    @extend_schema(request=SlrtStepSerializer, responses=SlrtCaseSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        """Reopen a closed case, with a reason."""
        return self._case_step(request, services.reopen)

    def _case_step(self, request: Request, fn: Any) -> Response:
        case = self.get_object()
        body = SlrtStepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _call(
            fn,
            case,
            user=request.user,
            reason=body.validated_data["reason"],
            expected_version=body.validated_data["version"],
        )
        case = self.get_queryset().get(pk=case.pk)
        return Response(SlrtCaseSerializer(case, context=self.get_serializer_context()).data)


def _date(request: Request, name: str) -> dt.date | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: [_("Enter a date as YYYY-MM-DD.")]}) from None


class ReportView(APIView):
    """Cases per desa and category, on-time rate, median working days to close, closed-loop
    rate and running referrals by SLA status, within your scope."""

    permission_classes = [SlrtRole]

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", dt.date, description="First day (inclusive)."),
            OpenApiParameter("date_to", dt.date, description="Last day (inclusive)."),
        ],
        responses=SlrtReportSerializer,
    )
    def get(self, request: Request) -> Response:
        # A period that ends before it starts is empty (counts 0), like any filter
        # that matches nothing.
        date_from, date_to = _date(request, "date_from"), _date(request, "date_to")
        policy = SocialPolicy.for_user(request.user)
        report = selectors.case_report(
            policy.cases(Case.objects.all()), date_from=date_from, date_to=date_to
        )
        return Response(SlrtReportSerializer(report).data)


class TicketView(APIView):
    """A case's status and dates by its ticket number: open to anyone, never a name, NIK,
    desa or narrative."""

    permission_classes = [AllowAny]
    schema_error_statuses = {"404"}

    @extend_schema(responses=SlrtPublicStatusSerializer)
    def get(self, request: Request, ticket: str) -> Response:
        status = selectors.public_status(ticket)
        if status is None:
            raise NotFound(_("No case has this ticket number."))
        return Response(SlrtPublicStatusSerializer(status).data)


def register(router: BaseRouter) -> None:
    router.register("slrt/services", ServiceViewSet, basename="slrt-service")
    router.register("slrt/referrals", ReferralViewSet, basename="slrt-referral")
    router.register("slrt/cases", CaseViewSet, basename="slrt-case")


urlpatterns = [
    path("slrt/report/", ReportView.as_view(), name="slrt-api-report"),
    path("slrt/tickets/<str:ticket>/", TicketView.as_view(), name="slrt-api-ticket"),
]
