from django.urls import path

from sinergi.web.briefings import views

urlpatterns = [
    path("wilayah/<str:code>/bahan-rapat/", views.page, name="briefing-page"),
    path("wilayah/<str:code>/bahan-rapat/unduh/", views.download, name="briefing-download"),
]
