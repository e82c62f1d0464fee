from django.urls import path

from sinergi.web.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("wilayah/", views.region_browser, name="region-browser"),
    path("wilayah/<str:code>/sub/", views.region_browser, name="region-children"),
    path("sehat/", views.health, name="health"),
]
