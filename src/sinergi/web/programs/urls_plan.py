"""Routes of the planning pages of Bappeda (issue 13): flagships, activities, copy a year."""

from django.urls import path

from sinergi.web.programs import views_plan as views

urlpatterns = [
    path("perencanaan/<str:code>/unggulan/", views.flagships, name="plan-flagships"),
    path(
        "perencanaan/<str:code>/unggulan/tambah/",
        views.flagship_edit,
        name="plan-flagship-create",
    ),
    path(
        "perencanaan/<str:code>/unggulan/impor/",
        views.flagship_import,
        name="plan-flagship-import",
    ),
    path(
        "perencanaan/<str:code>/unggulan/<int:pk>/",
        views.flagship_edit,
        name="plan-flagship-edit",
    ),
    path("perencanaan/<str:code>/kegiatan/", views.activities, name="plan-activities"),
    path(
        "perencanaan/<str:code>/kegiatan/tambah/",
        views.activity_create,
        name="plan-activity-create",
    ),
    path(
        "perencanaan/<str:code>/kegiatan/impor/",
        views.activity_import,
        name="plan-activity-import",
    ),
    path("perencanaan/kegiatan/<int:pk>/", views.activity_edit, name="plan-activity-edit"),
    path(
        "perencanaan/kegiatan/<int:pk>/hapus/",
        views.activity_delete,
        name="plan-activity-delete",
    ),
    path(
        "perencanaan/nomenklatur/anak/",
        views.nomenclature_children,
        name="plan-nomenclature-children",
    ),
    path("perencanaan/<str:code>/salin-tahun/", views.copy_year, name="plan-copy-year"),
]
