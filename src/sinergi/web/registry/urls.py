"""Registry pages under /registri/."""

from __future__ import annotations

from django.urls import path

from sinergi.web.registry import views

urlpatterns = [
    path("registri/", views.release_list, name="registry-home"),
    path("registri/impor/", views.import_page, name="registry-import"),
    path("registri/laporan/<int:pk>/", views.import_report, name="registry-report"),
    path("registri/banding/", views.compare, name="registry-compare"),
    path("registri/<slug:slug>/", views.profile, name="registry-profile"),
    path("registri/<slug:slug>/wilayah/<str:code>/", views.profile, name="registry-profile-area"),
    path("registri/<slug:slug>/rumah-tangga/", views.browser, name="registry-browse"),
    path(
        "registri/<slug:slug>/rumah-tangga/<str:household_id>/",
        views.household,
        name="registry-household",
    ),
    path(
        "registri/<slug:slug>/rumah-tangga/<str:household_id>/ungkap/",
        views.reveal,
        name="registry-reveal",
    ),
]
