"""Set-up pages of agencies (OPD) under /pengaturan/opd/ (issue 13)."""

from django.urls import path

from sinergi.web.accounts import views_agencies as views

urlpatterns = [
    path("pengaturan/opd/", views.agency_list, name="accounts-agencies"),
    path("pengaturan/opd/baru/", views.agency_edit, name="accounts-agency-new"),
    path("pengaturan/opd/impor/", views.agency_import, name="accounts-agency-import"),
    path("pengaturan/opd/<int:pk>/ubah/", views.agency_edit, name="accounts-agency-edit"),
]
