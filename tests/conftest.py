"""Fixtures shared by the whole suite.

The test database (SQLite by default, PostgreSQL when ``DATABASE_URL`` points
at one) is created once per session with the real region hierarchy of
Sumatera Selatan (province 16, from the idn-area-data package) and the
indicator catalogue; each test runs in a transaction rolled back at its end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def region_package() -> Path:
    """The idn-area-data tarball (fetched from the npm registry once, cached under var/packages)."""
    from sinergi.web.regions.services import fetch_package

    return fetch_package()


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker, region_package: Path
) -> Iterator[None]:  # type: ignore[no-untyped-def]
    from sinergi.web.indicators.services import ensure_catalogue
    from sinergi.web.regions.services import load_hierarchy

    with django_db_blocker.unblock():
        load_hierarchy(region_package, only="16")
        ensure_catalogue()
    yield


@pytest.fixture
def banyuasin(db):  # type: ignore[no-untyped-def]
    from sinergi.web.regions.models import Region

    return Region.objects.get(code="16.07")


@pytest.fixture
def make_user(db) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    """Create a user with a role scoped to a region (and an agency), e.g.
    ``make_user("bappeda", role="bappeda_admin", region="16.07")``."""
    from django.contrib.auth.models import User

    from sinergi.web.accounts.models import Profile

    def make(
        username: str,
        *,
        role: str | None = None,
        region: str = "16.07",
        agency=None,
        password: str = "correct-horse-battery-9",
    ):  # type: ignore[no-untyped-def]
        user = User.objects.create_user(username=username, password=password)
        if role is not None:
            Profile.objects.create(user=user, role=role, region_id=region, agency=agency)
        return user

    return make


@pytest.fixture
def api_client():  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def english(client, api_client):  # type: ignore[no-untyped-def]
    """Pages and API answer in English (for assertions on English messages).

    Sinergi ignores Accept-Language (DefaultLanguageMiddleware): the language
    cookie picks English, as the EN button does.
    """
    from django.conf import settings
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
