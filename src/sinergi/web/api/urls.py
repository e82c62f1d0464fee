"""Routes of /api/v1/. An app adds its viewsets in ``register(router)`` of its ``api`` module
and may list extra (non-router) routes in that module's ``urlpatterns``."""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

APP_APIS = [
    "sinergi.web.regions.api",
    "sinergi.web.indicators.api",
    "sinergi.web.programs.api",
    "sinergi.web.collection.api",
]

router = DefaultRouter()
extra_urls: list = []
for name in APP_APIS:
    module = import_module(name)
    module.register(router)
    extra_urls += getattr(module, "urlpatterns", [])

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *extra_urls,
    path("", include(router.urls)),
]
