from django.urls import path, re_path

from sinergi.web.collection import views

PERIOD = r"(?P<period>\d{4}(?:-Q[1-4]|-\d{2})?)"
DS = r"(?P<code>[-a-zA-Z0-9_]+)"

urlpatterns = [
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
