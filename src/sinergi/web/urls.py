"""Top-level URLs. Each app owns its pages under its own prefix."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("sinergi.web.core.urls")),
    path("", include("sinergi.web.core.urls_setup")),
    path("", include("sinergi.web.indicators.urls")),
    path("", include("sinergi.web.programs.urls")),
    path("", include("sinergi.web.collection.urls")),
    path("", include("sinergi.web.audit.urls")),
    path("", include("sinergi.web.accounts.urls")),
    path("", include("sinergi.web.registry.urls")),
    path("", include("sinergi.web.social.urls")),
    path("", include("sinergi.web.briefings.urls")),
    path("", include("sinergi.web.beneficiaries.urls")),
    path("", include("sinergi.web.meetings.urls")),
    path("akun/login/", auth_views.LoginView.as_view(), name="login"),
    path("akun/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("sinergi.web.api.urls")),
    path("admin/", admin.site.urls),
]
