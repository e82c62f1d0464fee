from django.urls import include, path

from sinergi.web.indicators import views

urlpatterns = [
    path("", include("sinergi.web.indicators.urls_manage")),
    path("wilayah/<str:code>/", views.region_dashboard, name="region-dashboard"),
    path(
        "wilayah/<str:code>/indikator/<slug:indicator>/",
        views.indicator_detail,
        name="indicator-detail",
    ),
    path("banding/<slug:indicator>/<str:parent>/", views.comparison, name="indicator-comparison"),
]
