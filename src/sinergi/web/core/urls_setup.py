"""Routes of the set-up hub (issue 13)."""

from django.urls import path

from sinergi.web.core import setup

urlpatterns = [
    path("pengaturan/", setup.hub, name="setup-hub"),
]
