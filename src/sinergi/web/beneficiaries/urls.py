"""Beneficiary lists and convergence pages under /sasaran/ (ketepatan sasaran)."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    # Programmes, lists, column mapping, matching and the review queue.
    path("sasaran/", include("sinergi.web.beneficiaries.urls_lists")),
    # Convergence dashboard, province view and field-verification exports.
    path("sasaran/", include("sinergi.web.beneficiaries.urls_convergence")),
]
