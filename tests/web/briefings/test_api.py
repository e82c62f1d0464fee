"""``GET /api/v1/briefings/<kind>/``: the file for a role within the region, JSON errors otherwise."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/briefings/{kind}/"


def test_bappeda_downloads_a_docx_and_a_pdf(api_client, seeded, users):
    import docx

    api_client.force_authenticate(users.bappeda)
    response = api_client.get(
        URL.format(kind="achievements"), {"region": "16.07", "year": 2023, "format": "docx"}
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="capaian-16.07-2023.docx"' in response["Content-Disposition"]
    text = " ".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "9,58 persen (2023)" in text
    response = api_client.get(
        URL.format(kind="rakor"),
        {"region": "16.07", "year": 2025, "format": "pdf", "language": "en"},
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_an_executive_viewer_of_the_region_may_too(api_client, prima, users):
    api_client.force_authenticate(users.viewer)
    response = api_client.get(
        URL.format(kind="monev"), {"region": "16.07", "year": 2019, "quarter": 3, "format": "pdf"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_public_gets_401_and_another_region_403(api_client, seeded, users):
    params = {"region": "16.07", "year": 2023, "format": "pdf"}
    response = api_client.get(URL.format(kind="achievements"), params)
    assert response.status_code == 401
    api_client.force_authenticate(users.outsider)
    response = api_client.get(URL.format(kind="achievements"), params)
    assert response.status_code == 403
    assert "detail" in response.json()


def test_bad_parameters_are_named(api_client, users):
    api_client.force_authenticate(users.bappeda)
    response = api_client.get(
        URL.format(kind="monev"), {"region": "16.07", "year": "20x9", "format": "odt"}
    )
    assert response.status_code == 400
    body = response.json()
    assert {"year", "format"} <= set(body)
    response = api_client.get(
        URL.format(kind="monev"), {"region": "16.07", "year": 2019, "format": "pdf"}
    )
    assert response.status_code == 400 and "quarter" in response.json()
    response = api_client.get(
        URL.format(kind="nonsense"), {"region": "16.07", "year": 2019, "format": "pdf"}
    )
    assert response.status_code == 404
    response = api_client.get(
        URL.format(kind="rakor"), {"region": "99", "year": 2019, "format": "pdf"}
    )
    assert response.status_code == 404
