"""Programmes, beneficiary lists, column mapping, matching runs and the review queue
(under /sasaran/)."""

from __future__ import annotations

from django.urls import path

from sinergi.web.beneficiaries import views

urlpatterns = [
    path("program/", views.programme_list, name="beneficiaries-programmes"),
    path("program/baru/", views.programme_edit, name="beneficiaries-programme-new"),
    path("program/<slug:code>/", views.programme_detail, name="beneficiaries-programme"),
    path("program/<slug:code>/ubah/", views.programme_edit, name="beneficiaries-programme-edit"),
    path("program/<slug:code>/unggah/", views.upload, name="beneficiaries-upload"),
    path(
        "program/<slug:code>/unggah/<str:token>/",
        views.mapping,
        name="beneficiaries-mapping",
    ),
    path("daftar/<int:pk>/", views.list_detail, name="beneficiaries-list"),
    path("daftar/<int:pk>/cocokkan/", views.run_start, name="beneficiaries-run-start"),
    path("pencocokan/<int:pk>/", views.run_detail, name="beneficiaries-run"),
    path("pencocokan/<int:pk>/tinjau/", views.review, name="beneficiaries-review"),
    path("pencocokan/<int:pk>/keputusan/", views.decisions, name="beneficiaries-decisions"),
    path(
        "pencocokan/<int:pk>/keputusan/<int:decision_id>/batalkan/",
        views.withdraw,
        name="beneficiaries-withdraw",
    ),
]
