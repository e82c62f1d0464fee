"""Convergence pages and field-verification downloads under /sasaran/ (included by urls.py)."""

from __future__ import annotations

from django.urls import path

from sinergi.web.beneficiaries import views_convergence as views

urlpatterns = [
    path("konvergensi/", views.home, name="convergence-home"),
    path("konvergensi/provinsi/", views.province, name="convergence-province"),
    path("konvergensi/provinsi/<str:code>/", views.province, name="convergence-province-area"),
    path("konvergensi/<slug:slug>/", views.dashboard, name="convergence-release"),
    path(
        "konvergensi/<slug:slug>/wilayah/<str:code>/",
        views.dashboard,
        name="convergence-area",
    ),
    path(
        "konvergensi/<slug:slug>/unduh/tabel.xlsx",
        views.export_table,
        name="convergence-export-table",
    ),
    path(
        "konvergensi/<slug:slug>/wilayah/<str:code>/unduh/tabel.xlsx",
        views.export_table,
        name="convergence-export-table-area",
    ),
    path(
        "konvergensi/<slug:slug>/unduh/belum-terjangkau.xlsx",
        views.export_unreached,
        name="convergence-export-unreached",
    ),
    path(
        "konvergensi/<slug:slug>/unduh/desil-atas.xlsx",
        views.export_well_off,
        name="convergence-export-well-off",
    ),
]
