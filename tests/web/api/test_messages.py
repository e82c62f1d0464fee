"""What an API client reads when something is refused: Bahasa Indonesia by default,
English when it picked English (language cookie, as the EN button sets), and always
an object the schema describes."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def bappeda(make_user):  # type: ignore[no-untyped-def]
    return make_user("bappeda", role="bappeda_admin")


def test_validation_errors_are_indonesian_by_default(api_client) -> None:
    response = api_client.get("/api/v1/achievements/")
    assert response.status_code == 400
    assert response.json() == {"region": ["Parameter ini wajib diisi."]}
    assert response["Content-Language"] == "id"


def test_the_cookie_picks_english(api_client) -> None:
    api_client.cookies[COOKIE] = "en"
    response = api_client.get("/api/v1/achievements/", {"region": "99.99"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown region 99.99."}


def test_accept_language_alone_does_not_switch(api_client) -> None:
    """Like the pages (DefaultLanguageMiddleware): many officers' browsers say English."""
    response = api_client.get(
        "/api/v1/achievements/", {"region": "99.99"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json() == {"detail": "Wilayah 99.99 tidak dikenal."}


def test_drf_messages_are_translated_too(api_client) -> None:
    # DRF's own Indonesian catalogue lacks "Invalid token."; Sinergi's adds it.
    bad_token = api_client.get("/api/v1/regions/", HTTP_AUTHORIZATION="Token nope")
    assert bad_token.status_code == 401
    assert bad_token.json() == {"detail": "Token tidak valid."}
    anonymous = api_client.get("/api/v1/monev/activities/")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"
    assert anonymous.json() == {"detail": "Data autentikasi tidak diberikan."}


def test_permission_denied_and_conflict(api_client, make_user, bappeda) -> None:
    viewer = make_user("viewer", role="executive_viewer")
    api_client.force_authenticate(viewer)
    body = {"indicator": "poverty_rate", "region": "16.07", "period": "2025", "value": "9.1"}
    denied = api_client.post("/api/v1/values/", body)
    assert denied.status_code == 403
    assert denied.json() == {"detail": "Anda tidak boleh menulis data wilayah 16.07."}

    api_client.force_authenticate(bappeda)
    created = api_client.post("/api/v1/values/", body).json()
    url = f"/api/v1/values/{created['id']}/"
    assert api_client.patch(url, {"value": "9.2", "version": 1}).status_code == 200
    stale = api_client.patch(url, {"value": "9.3", "version": 1})
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": "Pengguna lain menyimpan data ini setelah Anda membukanya (sekarang versi 2); "
        "muat ulang lalu terapkan lagi perubahan Anda.",
        "version": 2,
    }
    api_client.cookies[COOKIE] = "en"
    assert api_client.patch(url, {"value": "9.3"}).json() == {
        "version": ["Send the version you edited (someone may have saved since)."]
    }


def test_text_fields_take_text_only(api_client, bappeda) -> None:
    api_client.force_authenticate(bappeda)
    body = {"indicator": "poverty_rate", "region": "16.07", "period": "2025", "value": 9.1}
    response = api_client.post("/api/v1/values/", {**body, "source": 0}, format="json")
    assert response.status_code == 400
    assert response.json() == {"source": ["Masukkan teks, bukan angka atau daftar."]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("offset=-5", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("year=2025.5", "year"),
        ("is_headline=maybe", "is_headline"),
    ],
)
def test_bad_query_parameters_are_refused(api_client, query: str, field: str) -> None:
    path = "/api/v1/indicators/" if field == "is_headline" else "/api/v1/values/"
    response = api_client.get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]


def test_filtering_by_an_unknown_id_finds_nothing(api_client, bappeda) -> None:
    api_client.force_authenticate(bappeda)
    response = api_client.get("/api/v1/monev/realisations/?activity=987654")
    assert response.status_code == 200 and response.json()["count"] == 0


def test_unknown_api_paths_answer_json_404(api_client) -> None:
    response = api_client.get("/api/v1/values/0.5/revisions/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Data tidak ditemukan."}
