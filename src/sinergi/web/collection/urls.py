from django.urls import path, re_path

from sinergi.web.collection import views, views_designer

PERIOD = r"(?P<period>\d{4}(?:-Q[1-4]|-\d{2})?)"
DS = r"(?P<code>[-a-zA-Z0-9_]+)"

D = "pendataan/rancang/<slug:code>/"
# The designer's addresses come first: "rancang" is not a data set code.
designer = [
    path("pendataan/rancang/", views_designer.design_list, name="design-list"),
    path("pendataan/rancang/baru/", views_designer.design_create, name="design-create"),
    path(D, views_designer.design_dataset, name="design-dataset"),
    path(D + "ubah/", views_designer.design_edit, name="design-edit"),
    path(D + "elemen/baru/", views_designer.element_form, name="design-element-new"),
    path(D + "elemen/<int:pk>/", views_designer.element_form, name="design-element"),
    path(
        D + "elemen/<int:pk>/hentikan/",
        views_designer.element_remove,
        name="design-element-remove",
    ),
    path(
        D + "elemen/<int:pk>/pulihkan/",
        views_designer.element_restore,
        name="design-element-restore",
    ),
    path(D + "aturan/baru/", views_designer.rule_form, name="design-rule-new"),
    path(D + "aturan/periksa/", views_designer.rule_check, name="design-rule-check"),
    path(D + "aturan/<int:pk>/", views_designer.rule_form, name="design-rule"),
    path(D + "aturan/<int:pk>/hapus/", views_designer.rule_remove, name="design-rule-remove"),
    path(D + "periode/baru/", views_designer.period_form, name="design-period-new"),
    path(D + "periode/<int:pk>/", views_designer.period_form, name="design-period"),
    path(D + "periode/<int:pk>/hapus/", views_designer.period_delete, name="design-period-delete"),
    path(D + "pratinjau/", views_designer.preview, name="design-preview"),
    path(D + "terbitkan/", views_designer.publish, name="design-publish"),
    path(D + "tarik/", views_designer.unpublish, name="design-unpublish"),
]

urlpatterns = [
    *designer,
    path("pendataan/", views.home, name="collection-home"),
    re_path(rf"^pendataan/{DS}/$", views.dataset_detail, name="collection-dataset"),
    re_path(rf"^pendataan/{DS}/{PERIOD}/$", views.completeness, name="collection-completeness"),
    re_path(rf"^pendataan/{DS}/{PERIOD}/impor/$", views.import_file, name="collection-import"),
    re_path(
        rf"^pendataan/{DS}/{PERIOD}/(?P<kind>template|ekspor)\.(?P<fmt>csv|xlsx)$",
        views.download,
        name="collection-download",
    ),
    re_path(
        rf"^pendataan/{DS}/{PERIOD}/(?P<region>[0-9.]+)/$", views.entry, name="collection-entry"
    ),
    re_path(
        rf"^pendataan/{DS}/{PERIOD}/(?P<region>[0-9.]+)/aksi/$", views.act, name="collection-act"
    ),
    re_path(
        rf"^pendataan/{DS}/{PERIOD}/(?P<region>[0-9.]+)/buang/$",
        views.discard,
        name="collection-discard",
    ),
]
