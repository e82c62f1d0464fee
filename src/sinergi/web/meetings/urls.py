"""Meeting pages under /rapat/."""

from __future__ import annotations

from django.urls import path

from sinergi.web.meetings import views

urlpatterns = [
    path("rapat/", views.meeting_list, name="meeting-list"),
    path("rapat/baru/", views.meeting_create, name="meeting-create"),
    path("rapat/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("rapat/<int:pk>/ubah/", views.meeting_edit, name="meeting-edit"),
    path("rapat/<int:pk>/agenda/", views.agenda_add, name="meeting-agenda-add"),
    path("rapat/<int:pk>/bawa-tindak-lanjut/", views.carry, name="meeting-carry"),
    path("rapat/<int:pk>/peserta/", views.attendance_add, name="meeting-attendance-add"),
    path("rapat/<int:pk>/usulan/", views.proposals_refresh, name="meeting-proposals"),
    path("rapat/<int:pk>/masalah/", views.problem_add, name="meeting-problem-add"),
    path("rapat/<int:pk>/penilaian/", views.scoring_set, name="meeting-scoring"),
    path("rapat/<int:pk>/rekomendasi/", views.recommendation_add, name="meeting-rec-add"),
    path("rapat/<int:pk>/lampiran/", views.attachment_add, name="meeting-attachment-add"),
    path("rapat/<int:pk>/matriks.xlsx", views.matrix_export, name="meeting-matrix"),
    path("rapat/<int:pk>/matriks/impor/", views.matrix_import, name="meeting-matrix-import"),
    path("rapat/<int:pk>/notulen.<str:fmt>", views.minutes_download, name="meeting-minutes"),
    path("rapat/masalah/<int:pk>/keputusan/", views.problem_decide, name="meeting-problem-decide"),
    path("rapat/masalah/<int:pk>/letak/", views.problem_place, name="meeting-problem-place"),
    path("rapat/masalah/<int:pk>/skor/", views.problem_score, name="meeting-problem-score"),
    path("rapat/rekomendasi/<int:pk>/aksi/", views.action_add, name="meeting-action-add"),
    path("rapat/aksi/<int:pk>/", views.action_edit, name="meeting-action"),
    path("rapat/lampiran/<int:pk>/", views.attachment_download, name="meeting-attachment"),
]
