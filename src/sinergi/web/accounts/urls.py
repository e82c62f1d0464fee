from django.urls import path

from sinergi.web.accounts import views

urlpatterns = [
    path("akun/pengguna/", views.users, name="accounts-users"),
    path("akun/pengguna/<int:pk>/aktif/", views.toggle_active, name="accounts-toggle-active"),
]
