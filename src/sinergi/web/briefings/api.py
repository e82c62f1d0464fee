"""``GET /api/v1/briefings/<kind>/``: a briefing as DOCX or PDF (roles within the region only).

The answer is the file itself; errors are JSON as everywhere in the API. The
``format`` parameter names the file format, so this view does its own content
negotiation (DRF would read ``format`` as a renderer suffix).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from sinergi.web.api.exceptions import REQUIRED
from sinergi.web.briefings import documents, kinds, services
from sinergi.web.briefings.policy import BriefingPolicy
from sinergi.web.regions.models import Region


class OfficerRequired(BasePermission):
    """Signed in with a role (the scope is checked once the region is known)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) and not (
            BriefingPolicy.for_user(request.user).is_public
        )


#: Kinds without a quarter, on ``briefings/<kind>/``; monev has its own route, where the
#: quarter is required (the schema cannot say "required when kind is monev").
YEARLY_KINDS = [code for code in kinds.BUILTIN_CODES if code != "monev"]

COMMON_PARAMETERS = [
    OpenApiParameter(
        "region",
        {"type": "string", "minLength": 1},
        required=True,
        description="Region code, e.g. 16.07",
    ),
    OpenApiParameter("year", {"type": "integer", "minimum": 1900, "maximum": 2100}, required=True),
    OpenApiParameter("format", {"type": "string", "enum": ["docx", "pdf"]}, required=True),
    OpenApiParameter("language", {"type": "string", "enum": ["id", "en"]}),
]
BRIEFING_PARAMETERS = [
    OpenApiParameter(
        "kind",
        {"type": "string", "enum": YEARLY_KINDS},
        OpenApiParameter.PATH,
        description=", ".join(YEARLY_KINDS),
    ),
    *COMMON_PARAMETERS,
]
MONEV_PARAMETERS = [
    *COMMON_PARAMETERS,
    OpenApiParameter("quarter", {"type": "integer", "enum": [1, 2, 3, 4]}, required=True),
]
RESPONSES = {
    (200, documents.PDF_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
    (200, documents.DOCX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="DOCX"),
}


class BriefingView(APIView):
    """A briefing document written from the data, as DOCX or PDF."""

    permission_classes = [OfficerRequired]
    schema_error_statuses = {"404"}

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return JSONRenderer(), JSONRenderer.media_type  # errors are JSON; files bypass renderers

    @extend_schema(parameters=BRIEFING_PARAMETERS, responses=RESPONSES)
    def get(self, request: Request, kind: str) -> HttpResponse:
        return self.briefing(request, kind)

    def briefing(self, request: Request, kind: str) -> HttpResponse:
        params = request.query_params
        code, year, quarter = params.get("region"), params.get("year"), params.get("quarter")
        fmt, language = params.get("format"), params.get("language") or "id"
        errors: dict[str, list[Any]] = {}
        if not code:
            errors["region"] = [REQUIRED]
        if not (year and year.isdigit() and 1900 <= int(year) <= 2100):
            errors["year"] = [_("Enter a year from 1900 to 2100.")]
        if quarter not in (None, "1", "2", "3", "4"):
            errors["quarter"] = [_("Enter a quarter from 1 to 4.")]
        if fmt not in documents.FORMATS:
            errors["format"] = [_("Use docx or pdf.")]
        if language not in ("id", "en"):
            errors["language"] = [_("Use id or en.")]
        found = kinds.get(kind)
        if found is None:
            raise NotFound(_("Unknown briefing kind %(kind)s.") % {"kind": kind})
        if found.needs_quarter and quarter is None and "quarter" not in errors:
            errors["quarter"] = [_("This document needs a quarter.")]
        if errors:
            raise ValidationError(errors)
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise NotFound(_("Unknown region %(code)s.") % {"code": code})
        if not BriefingPolicy.for_user(request.user).can_generate(region.code):
            raise PermissionDenied(_("This region is outside your scope."))
        rendered = services.render(
            region,
            kind,
            int(year),  # type: ignore[arg-type]
            fmt,  # type: ignore[arg-type]
            quarter=int(quarter) if quarter else None,
            language=language,  # type: ignore[arg-type]
        )
        response = HttpResponse(rendered.content, content_type=rendered.content_type)
        response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
        return response


def register(router: BaseRouter) -> None:
    """No viewsets: the one route is below."""


class MonevBriefingView(BriefingView):
    """The quarter's monev briefing, as DOCX or PDF."""

    @extend_schema(parameters=MONEV_PARAMETERS, responses=RESPONSES, operation_id="briefing_monev")
    def get(self, request: Request) -> HttpResponse:  # type: ignore[override]
        return self.briefing(request, "monev")


urlpatterns = [
    path("briefings/monev/", MonevBriefingView.as_view(), name="api-briefing-monev"),
    path("briefings/<str:kind>/", BriefingView.as_view(), name="api-briefing"),
]
