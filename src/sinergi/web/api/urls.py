"""Routes of /api/v1/. An app adds its viewsets in ``register(router)`` of its ``api`` module
and may list extra (non-router) routes in that module's ``urlpatterns``."""

import threading
from importlib import import_module
from typing import Any

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

APP_APIS = [
    "sinergi.web.regions.api",
    "sinergi.web.indicators.api",
    "sinergi.web.programs.api",
    "sinergi.web.collection.api",
    "sinergi.web.social.api",
    "sinergi.web.briefings.api",
]

router = DefaultRouter()
extra_urls: list = []
for name in APP_APIS:
    module = import_module(name)
    module.register(router)
    extra_urls += getattr(module, "urlpatterns", [])


class SchemaView(SpectacularAPIView):
    """The OpenAPI document, generated one request at a time: drf-spectacular loads its
    extensions lazily and two first requests in parallel (threads of ``sinergi serve``)
    can break each other's load."""

    _lock = threading.Lock()

    def _get_schema_response(self, request: Request) -> Any:
        with self._lock:
            return super()._get_schema_response(request)


class NoSuchEndpoint(APIView):
    """Any other path under /api/v1/ (e.g. ``values/0.5/``) answers a JSON 404, as the schema
    says, not Django's HTML page. Paths without the trailing slash still get redirected."""

    permission_classes = [AllowAny]
    throttle_classes: list = []

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)
        raise NotFound()


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script as its own file (?script), so the
    # page needs no inline script under the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    *extra_urls,
    path("", include(router.urls)),
    re_path(r"^.*/$", NoSuchEndpoint.as_view(), name="api-not-found"),
]
