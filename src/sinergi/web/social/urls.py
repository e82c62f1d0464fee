"""SLRT pages under /slrt/ (the API is under /api/v1/slrt/)."""

from __future__ import annotations

from django.urls import path

from sinergi.web.social import views

urlpatterns = [
    path("slrt/", views.home, name="slrt-home"),
    path("slrt/kasus/", views.case_list, name="slrt-cases"),
    path("slrt/kasus/baru/", views.intake, name="slrt-intake"),
    path("slrt/kasus/baru/di-luar-registri/", views.intake_outside, name="slrt-intake-outside"),
    path(
        "slrt/kasus/baru/<slug:slug>/<str:household_id>/",
        views.intake_household,
        name="slrt-intake-household",
    ),
    path("slrt/kasus/<str:ticket>/", views.case_detail, name="slrt-case"),
    path("slrt/kasus/<str:ticket>/persetujuan/", views.case_consent, name="slrt-consent"),
    path("slrt/kasus/<str:ticket>/rujuk/", views.case_refer, name="slrt-refer"),
    path("slrt/kasus/<str:ticket>/tutup/", views.case_close, name="slrt-close"),
    path("slrt/kasus/<str:ticket>/buka-kembali/", views.case_reopen, name="slrt-reopen"),
    path("slrt/kasus/<str:ticket>/lampiran/", views.case_attach, name="slrt-attach"),
    path("slrt/kasus/<str:ticket>/usulan-registri/", views.case_propose, name="slrt-propose"),
    path("slrt/lampiran/<int:pk>/", views.attachment_download, name="slrt-attachment"),
    path("slrt/rujukan/", views.referral_list, name="slrt-referrals"),
    path("slrt/rujukan/unduh.xlsx", views.referral_export, name="slrt-referrals-xlsx"),
    path("slrt/rujukan/<int:pk>/", views.referral_detail, name="slrt-referral"),
    path("slrt/rujukan/<int:pk>/surat-rujukan.pdf", views.referral_letter, name="slrt-letter"),
    path(
        "slrt/rujukan/<int:pk>/<slug:action>/", views.referral_action, name="slrt-referral-action"
    ),
    path("slrt/layanan/", views.service_list, name="slrt-services"),
    path("slrt/layanan/baru/", views.service_edit, name="slrt-service-new"),
    path("slrt/layanan/impor/", views.service_import, name="slrt-service-import"),
    path("slrt/layanan/<int:pk>/ubah/", views.service_edit, name="slrt-service-edit"),
    path("slrt/laporan/", views.report, name="slrt-report"),
    path("slrt/laporan/unduh.xlsx", views.report_xlsx, name="slrt-report-xlsx"),
    path("slrt/usulan-registri/", views.proposal_list, name="slrt-proposals"),
    path("slrt/usulan-registri/ekspor/", views.proposal_export, name="slrt-proposals-export"),
    path(
        "slrt/usulan-registri/<int:pk>/tinjau/", views.proposal_review, name="slrt-proposal-review"
    ),
    path("slrt/tiket/", views.ticket, name="slrt-ticket"),
]
