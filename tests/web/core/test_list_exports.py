"""XLSX of the users list (export only) and of the SLRT service catalogue (round trip)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sinergi.web.accounts.models import Agency
from sinergi.web.audit.models import Action
from sinergi.web.audit.services import history
from sinergi.web.social.models import Service


def upload(content: bytes) -> io.BytesIO:
    out = io.BytesIO(content)
    out.name = "export.xlsx"
    return out


def sheet_rows(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def dinsos(db):  # type: ignore[no-untyped-def]
    return Agency.objects.create(region_id="16.07", code="dinsos", name="Dinas Sosial")


@pytest.fixture
def catalogue(dinsos):  # type: ignore[no-untyped-def]
    return [
        Service.objects.create(
            agency=dinsos,
            code=f"layanan-{n}",
            name=f"Layanan {n}",
            category="health" if n % 2 else "education",
            sla_working_days=5 + n,
        )
        for n in range(1, 5)
    ]


@pytest.fixture
def back_office(make_user, dinsos):  # type: ignore[no-untyped-def]
    return make_user("dinsos", role="opd_operator", agency=dinsos)


# --- users -----------------------------------------------------------------------------


def test_users_export_lists_the_subtree_without_secrets(client, make_user, dinsos):
    bappeda = make_user("bappeda", role="bappeda_admin")
    make_user("betung", role="kecamatan_operator", region="16.07.05")
    make_user("dinsos-op", role="opd_operator", agency=dinsos)
    make_user("oku", role="executive_viewer", region="16.01")
    client.force_login(bappeda)
    assert "unduh=xlsx" in client.get(reverse("accounts-users")).content.decode()
    response = client.get(reverse("accounts-users"), {"unduh": "xlsx"})
    assert response.status_code == 200
    rows = sheet_rows(response.content)
    header = rows[0]
    assert header[:4] == ["ID", "Version", "Username", "Email"]
    assert not any("password" in str(h).lower() or "token" in str(h).lower() for h in header)
    names = {r[2] for r in rows[1:]}
    assert names == {"bappeda", "betung", "dinsos-op"}  # not the other regency's user
    operator = next(r for r in rows if r[2] == "dinsos-op")
    assert "OPD operator and verifier" in operator and "dinsos" in operator
    assert not any(str(v).startswith(("pbkdf2", "argon2")) for r in rows for v in r)


def test_users_export_is_refused_to_other_roles(client, make_user, dinsos):
    client.force_login(make_user("dinsos-op", role="opd_operator", agency=dinsos))
    assert client.get(reverse("accounts-users"), {"unduh": "xlsx"}).status_code == 404


# --- the SLRT service catalogue --------------------------------------------------------


def test_catalogue_round_trip_changes_nothing(client, back_office, catalogue):
    from sinergi.web.core.lists import import_sheet
    from sinergi.web.social.policy import SocialPolicy
    from sinergi.web.social.sheets import ServiceSheet

    client.force_login(back_office)
    response = client.get(reverse("slrt-services"), {"unduh": "xlsx"})
    assert response.status_code == 200
    result = import_sheet(
        ServiceSheet(back_office, SocialPolicy.for_user(back_office)), upload(response.content)
    )
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert not any(history(s).exists() for s in catalogue)


def test_catalogue_export_honours_the_need_filter(client, back_office, catalogue):
    client.force_login(back_office)
    response = client.get(reverse("slrt-services"), {"kebutuhan": "health", "unduh": "xlsx"})
    assert {r[2] for r in sheet_rows(response.content)[1:]} == {"layanan-1", "layanan-3"}


def test_catalogue_import_changes_and_adds_through_the_page(client, back_office, catalogue):

    client.force_login(back_office)
    content = client.get(reverse("slrt-services"), {"unduh": "xlsx"}).content
    book = load_workbook(io.BytesIO(content))
    ws = book.active
    header = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "layanan-2")
    ws.cell(row, header.index("Service level (working days)") + 1).value = "12"
    ws.append(
        [None, None, "ktp-cepat", "KTP cepat", "dinsos", "Civil registration", "", "", "", 3, "Ya"]
    )
    out = io.BytesIO()
    book.save(out)
    response = client.post(reverse("slrt-service-import"), {"file": upload(out.getvalue())})
    assert response.status_code == 302, response.content.decode()[-2000:]
    changed = Service.objects.get(code="layanan-2")
    assert changed.sla_working_days == 12
    assert history(changed).get().action == Action.UPDATE
    made = Service.objects.get(code="ktp-cepat")
    assert made.category == "civil_registration" and made.active


def test_catalogue_import_bad_cells_save_nothing(client, back_office, catalogue):
    client.force_login(back_office)
    content = client.get(reverse("slrt-services"), {"unduh": "xlsx"}).content
    book = load_workbook(io.BytesIO(content))
    ws = book.active
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("Name") + 1).value = "Renamed"
    ws.cell(3, header.index("Category") + 1).value = "Astrology"
    ws.cell(4, header.index("Agency (region/code)") + 1).value = "16.07/nowhere"
    out = io.BytesIO()
    book.save(out)
    response = client.post(reverse("slrt-service-import"), {"file": upload(out.getvalue())})
    assert response.status_code == 400
    errors = [(e.row, e.column) for e in response.context["result"].errors]
    assert errors == [(3, "Category"), (4, "Agency (region/code)")]
    assert not Service.objects.filter(name="Renamed").exists()


def test_catalogue_import_is_for_the_back_office_only(client, make_user, catalogue):
    client.force_login(make_user("bappeda", role="bappeda_admin"))
    assert client.get(reverse("slrt-service-import")).status_code == 403
    other = Agency.objects.create(region_id="16.07", code="dinkes", name="Dinas Kesehatan")
    client.force_login(make_user("dinkes", role="opd_operator", agency=other))
    assert client.get(reverse("slrt-service-import")).status_code == 403
