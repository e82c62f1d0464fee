from django.urls import path

from sinergi.web.audit import views

urlpatterns = [
    path(
        "riwayat/<slug:app_label>/<slug:model>/<str:pk>/",
        views.object_history,
        name="audit-history",
    ),
]
