"""Error pages (404, 403, CSRF failure, log-in lock-out, 500) keep the site's layout and
navigation, say in Indonesian what happened and where to go, and answer in English with
the language cookie. The suite runs with DEBUG off, as production does."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.utils.translation import gettext as _

from sinergi.web.urls import urlpatterns as site_urls


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate failure for the 500 page test")


def _refuse(request: HttpRequest) -> HttpResponse:
    # The message a view gives PermissionDenied is shown as the reason.
    raise PermissionDenied(_("This region is outside your scope."))


urlpatterns = [*site_urls, path("uji-galat/", _boom), path("uji-tolak/", _refuse)]

NAV = ('class="mainnav"', 'href="/wilayah/"', "Wilayah")


def _has_layout(html: str) -> None:
    for piece in NAV:
        assert piece in html, piece
    assert 'class="footer"' in html


def test_missing_page_is_an_indonesian_404_with_navigation(client, db):
    assert not settings.DEBUG
    response = client.get("/tidak-ada-halaman-ini/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in html and "kecamatan yang belum melapor" in html
    assert "Ke mana selanjutnya" in html and "Not Found" not in html
    _has_layout(html)


def test_404_is_english_with_the_language_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/wilayah/99.99/sub/").content.decode()
    assert "Page not found" in html and "Where to go from here" in html
    assert 'lang="en"' in html


@pytest.mark.urls(__name__)
def test_forbidden_page_is_an_indonesian_403_naming_the_role(client, make_user):
    client.force_login(make_user("bappeda", role="bappeda_admin", region="16.07"))
    response = client.get("/uji-tolak/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Akses ditolak" in html and "Wilayah ini di luar cakupan Anda" in html
    assert "Anda masuk sebagai bappeda (Administrator Bappeda)" in html
    assert "Forbidden" not in html
    _has_layout(html)


@pytest.mark.urls(__name__)
def test_forbidden_page_offers_the_public_a_login(client, db):
    html = client.get("/uji-tolak/").content.decode()
    assert "Halaman ini hanya untuk pengguna yang sudah masuk" in html
    assert 'href="/akun/login/?next=/uji-tolak/"' in html


def test_csrf_failure_is_explained_in_indonesian(make_user, db):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("login"), {"username": "x", "password": "y"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in html and "Belum ada yang tersimpan" in html
    assert "CSRF verification failed" not in html
    _has_layout(html)


def test_lockout_says_when_to_try_again(client, make_user):
    make_user("target", role="executive_viewer")
    url = reverse("login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "target", "password": "wrong-password-1"})
    response = client.post(url, {"username": "target", "password": "correct-horse-battery-9"})
    html = response.content.decode()
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in html
    assert f"setelah {settings.AXES_FAILURE_LIMIT} kali gagal" in html
    assert "Coba lagi dalam 15 menit" in html
    _has_layout(html)


@pytest.mark.urls(__name__)
def test_server_error_is_an_indonesian_500_with_navigation(db):
    browser = Client(raise_request_exception=False)
    response = browser.get("/uji-galat/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan" in html and "administrator Bappeda" in html
    assert "deliberate failure" not in html and "Server Error" not in html
    assert 'class="mainnav"' in html and 'href="/wilayah/"' in html
