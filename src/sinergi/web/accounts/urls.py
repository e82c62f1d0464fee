from django.urls import include, path

from sinergi.web.accounts import views

urlpatterns = [
    path("", include("sinergi.web.accounts.urls_agencies")),
    path("akun/pengguna/", views.users, name="accounts-users"),
    path("akun/pengguna/<int:pk>/aktif/", views.toggle_active, name="accounts-toggle-active"),
]
