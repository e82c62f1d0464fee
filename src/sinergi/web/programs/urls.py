from django.urls import include, path

from sinergi.web.programs import views

urlpatterns = [
    path("", include("sinergi.web.programs.urls_plan")),
    path("", include("sinergi.web.programs.urls_perf")),
    path("monev/", views.home, name="monev-home"),
    path("monev/<str:code>/<int:year>/tw<int:quarter>/", views.overview, name="monev-overview"),
    path("monev/<str:code>/<int:year>/tw<int:quarter>/terlambat/", views.late, name="monev-late"),
    path(
        "monev/<str:code>/<int:year>/tw<int:quarter>/laporan.<str:fmt>",
        views.report_download,
        name="monev-report",
    ),
    path("monev/<str:code>/unggulan/<slug:slug>/", views.flagship_detail, name="monev-flagship"),
    path("monev/<str:code>/impor/", views.import_page, name="monev-import"),
    path(
        "monev/<str:code>/impor/templat-<str:kind>.<str:fmt>",
        views.import_template,
        name="monev-import-template",
    ),
    path("monev/<str:code>/usulan-non-apbd/", views.proposals, name="monev-proposals"),
    path("monev/kegiatan/<int:pk>/", views.activity_detail, name="monev-activity"),
    path(
        "monev/kegiatan/<int:pk>/realisasi/tw<int:quarter>/",
        views.realisation_entry,
        name="monev-realisation",
    ),
    path("monev/dokumen/<int:pk>/", views.document_download, name="monev-document"),
    path(
        "monev/<str:kind>/<int:pk>/dokumen/tambah/",
        views.document_upload,
        name="monev-document-upload",
    ),
]
