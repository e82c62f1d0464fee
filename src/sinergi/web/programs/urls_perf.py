"""Routes of the performance-indicator and non-APBD proposal set-up pages (issue 13)."""

from django.urls import path

from sinergi.web.programs import views_perf as views

urlpatterns = [
    path("perencanaan/<str:code>/indikator-kinerja/", views.indicator_list, name="plan-perf-list"),
    path(
        "perencanaan/<str:code>/indikator-kinerja/<int:year>/baru/",
        views.indicator_create,
        name="plan-perf-create",
    ),
    path(
        "perencanaan/<str:code>/indikator-kinerja/impor/",
        views.indicator_import,
        name="plan-perf-import",
    ),
    path("perencanaan/indikator-kinerja/<int:pk>/", views.indicator_edit, name="plan-perf-edit"),
    path(
        "perencanaan/kegiatan/<int:pk>/indikator/baru/",
        views.indicator_create_for_activity,
        name="plan-perf-create-output",
    ),
    path("perencanaan/<str:code>/kaskade/<int:year>/", views.cascade_view, name="plan-cascade"),
    path("perencanaan/<str:code>/usulan-non-apbd/", views.proposal_list, name="plan-proposals"),
    path(
        "perencanaan/<str:code>/usulan-non-apbd/baru/",
        views.proposal_create,
        name="plan-proposal-create",
    ),
    path(
        "perencanaan/<str:code>/usulan-non-apbd/impor/",
        views.proposal_import,
        name="plan-proposal-import",
    ),
    path("perencanaan/usulan-non-apbd/<int:pk>/", views.proposal_edit, name="plan-proposal-edit"),
]
