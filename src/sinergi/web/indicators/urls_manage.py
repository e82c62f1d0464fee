"""Routes of the indicator set-up pages (issue 13): the catalogue, a region's values
and its targets grid, under /perencanaan/."""

from django.urls import path

from sinergi.web.indicators import manage

urlpatterns = [
    path("perencanaan/katalog-indikator/", manage.catalogue, name="plan-indicators"),
    path(
        "perencanaan/katalog-indikator/impor/",
        manage.catalogue_import,
        name="plan-indicators-import",
    ),
    path(
        "perencanaan/katalog-indikator/baru/",
        manage.indicator_edit,
        name="plan-indicator-create",
    ),
    path(
        "perencanaan/katalog-indikator/<slug:indicator>/",
        manage.indicator_edit,
        name="plan-indicator-edit",
    ),
    path("perencanaan/<str:code>/nilai/", manage.values, name="plan-values"),
    path("perencanaan/<str:code>/nilai/impor/", manage.values_import, name="plan-values-import"),
    path("perencanaan/<str:code>/nilai/baru/", manage.value_create, name="plan-value-create"),
    path("perencanaan/<str:code>/nilai/<int:pk>/", manage.value_detail, name="plan-value"),
    path("perencanaan/<str:code>/target/", manage.targets, name="plan-targets"),
    path(
        "perencanaan/<str:code>/target/unduh/",
        manage.targets_export,
        name="plan-targets-export",
    ),
    path(
        "perencanaan/<str:code>/target/impor/",
        manage.targets_import,
        name="plan-targets-import",
    ),
]
