"""Flagship programme pages of Bappeda: list, create, edit with a stale save, bad input,
permissions by named role, and the XLSX round trip."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from sinergi.web.audit.models import Action, AuditEntry
from sinergi.web.programs.models import FlagshipProgramme

pytestmark = pytest.mark.django_db
LIST = "/perencanaan/16.07/unggulan/"
NEW = LIST + "tambah/"


def client_for(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def form_data(**changes):  # type: ignore[no-untyped-def]
    data = {
        "slug": "banyuasin-cerdas",
        "name": "Banyuasin Cerdas",
        "goal": "Sekolah untuk semua",
        "year_start": "2026",
        "year_end": "2030",
        "coordinator": "",
    }
    data.update(changes)
    return data


def test_roles_read_the_list_bappeda_alone_writes(prima, users, client):
    assert client.get(LIST).status_code == 302  # the public logs in first
    for reader in (users.viewer, users.owner):
        page = client_for(reader).get(LIST)
        assert page.status_code == 200 and "Banyuasin Prima" in page.content.decode()
        assert NEW not in page.content.decode()
        assert client_for(reader).post(NEW, form_data()).status_code == 403
        assert client_for(reader).get(LIST + "impor/").status_code == 403
    assert client_for(users.outsider).get(LIST).status_code == 403  # Bappeda of Palembang
    assert client_for(users.outsider).post(NEW, form_data()).status_code == 403
    assert not FlagshipProgramme.objects.filter(slug="banyuasin-cerdas").exists()
    assert NEW in client_for(users.bappeda).get(LIST).content.decode()


def test_bappeda_creates_a_flagship_audited(prima, users):
    client = client_for(users.bappeda)
    coordinator = prima.agencies["bappeda-litbang"]
    response = client.post(NEW, form_data(coordinator=str(coordinator.pk)))
    assert response.status_code == 302 and response["Location"] == LIST
    created = FlagshipProgramme.objects.get(region_id="16.07", slug="banyuasin-cerdas")
    assert created.coordinator == coordinator and created.year_end == 2030
    assert AuditEntry.objects.filter(
        object_id=str(created.pk), action=Action.CREATE, actor=users.bappeda
    ).exists()
    listed = client.get(LIST + "?q=cerdas").content.decode()
    assert "Banyuasin Cerdas" in listed and "Banyuasin Prima" not in listed
    in_year = client.get(LIST + "?year=2019").content.decode()
    assert "Banyuasin Prima" in in_year and "Banyuasin Cerdas" not in in_year


def test_bad_input_is_refused_field_by_field_in_indonesian(prima, users):
    client = client_for(users.bappeda)
    response = client.post(
        NEW, form_data(slug="Bukan slug!", year_start="2030", year_end="2026", name="")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tahun terakhir tidak boleh sebelum tahun pertama." in html
    assert "Bidang ini harus diisi." in html  # name is required
    duplicate = client.post(NEW, form_data(slug="banyuasin-prima"))
    assert "sudah memakai" in duplicate.content.decode()  # unique per region, from the model
    assert FlagshipProgramme.objects.filter(region_id="16.07").count() == 1


def test_a_stale_save_shows_what_changed_and_keeps_what_was_typed(prima, users):
    client = client_for(users.bappeda)
    flagship = prima.flagship
    url = f"{LIST}{flagship.pk}/"
    page = client.get(url).content.decode()
    assert f'name="version" value="{flagship.version}"' in page
    stale = flagship.version
    other = client_for(users.bappeda)
    other.post(
        url,
        form_data(
            slug=flagship.slug,
            name="Banyuasin Prima Baru",
            year_start=flagship.year_start,
            year_end=flagship.year_end,
            version=stale,
        ),
    )
    response = client.post(
        url,
        form_data(
            slug=flagship.slug,
            name="Banyuasin Prima Hebat",
            year_start=flagship.year_start,
            year_end=flagship.year_end,
            version=stale,
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Banyuasin Prima Baru" in html and 'value="Banyuasin Prima Hebat"' in html
    flagship.refresh_from_db()
    assert flagship.name == "Banyuasin Prima Baru" and flagship.version == stale + 1
    again = client.post(
        url,
        form_data(
            slug=flagship.slug,
            name="Banyuasin Prima Hebat",
            year_start=flagship.year_start,
            year_end=flagship.year_end,
            version=flagship.version,
        ),
    )
    assert again.status_code == 302
    flagship.refresh_from_db()
    assert flagship.name == "Banyuasin Prima Hebat"


def test_export_imports_back_unchanged_and_applies_an_edit(prima, users):
    client = client_for(users.bappeda)
    exported = client.get(LIST + "?unduh=xlsx")
    assert exported.status_code == 200
    upload = SimpleUploadedFile("unggulan.xlsx", exported.content)
    response = client.post(LIST + "impor/", {"file": upload}, follow=True)
    assert (
        "0 ditambahkan, 0 diubah, 1 tidak berubah"
        in response.content.decode().replace("&nbsp;", " ")
        or "1 tidak berubah" in response.content.decode()
    )
    book = load_workbook(io.BytesIO(exported.content))
    ws = book.active
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("Nama") + 1, value="Banyuasin Prima (ubah)")
    ws.append([None, None, "banyuasin-sehat", "Banyuasin Sehat", "", 2026, 2028, ""])
    out = io.BytesIO()
    book.save(out)
    client.post(LIST + "impor/", {"file": SimpleUploadedFile("u.xlsx", out.getvalue())})
    prima.flagship.refresh_from_db()
    assert prima.flagship.name == "Banyuasin Prima (ubah)"
    assert FlagshipProgramme.objects.filter(slug="banyuasin-sehat", region_id="16.07").exists()
