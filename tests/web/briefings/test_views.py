"""The "Bahan rapat" page: an officer picks a document, previews it and downloads it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PAGE = "/wilayah/16.07/bahan-rapat/"


def test_the_public_is_sent_to_login_and_another_region_refused(client, users):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
    client.force_login(users.outsider)
    assert client.get(PAGE).status_code == 403


def test_preview_then_download(client, seeded, users):
    client.force_login(users.bappeda)
    html = client.get(PAGE).content.decode()
    assert "Bahan rapat" in html and "Capaian tahunan" in html and "Pratinjau" in html
    params = {"jenis": "achievements", "tahun": "2023", "bahasa": "id", "format": "pdf"}
    html = client.get(PAGE, params).content.decode()
    assert "turun dari 10,00 persen (2022) menjadi 9,58 persen (2023)" in html
    assert "Prevalensi stunting balita: angka tanpa tahun" in html
    assert "Berita Rapat Paripurna Istimewa HUT ke-22" in html
    assert "bahan-rapat/unduh/?jenis=achievements" in html
    response = client.get(PAGE + "unduh/", params)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert 'filename="capaian-16.07-2023.pdf"' in response["Content-Disposition"]


def test_monev_without_a_quarter_says_so(client, prima, users):
    client.force_login(users.bappeda)
    html = client.get(PAGE, {"jenis": "monev", "tahun": "2019", "bahasa": "id", "format": "pdf"})
    assert "Dokumen ini memerlukan triwulan." in html.content.decode()
    response = client.get(PAGE + "unduh/", {"jenis": "monev", "tahun": "2019", "format": "pdf"})
    assert response.status_code == 302  # back to the page, which names the missing quarter
