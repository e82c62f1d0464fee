"""Routes of the set-up pages (issue 13); filled by its module owner."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
