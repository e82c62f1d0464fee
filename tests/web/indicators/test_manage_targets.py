"""The targets grid of a region: one all-or-nothing save, stale cells, deletion, XLSX."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from sinergi.web.audit.models import AuditEntry
from sinergi.web.indicators import services
from sinergi.web.indicators.models import Indicator, Target

pytestmark = pytest.mark.django_db

GRID = "/perencanaan/16.07/target/"
CHOICE = {"level": "rpjmd", "document": "RPJMD 2025-2029", "year_from": "2025", "year_to": "2029"}


@pytest.fixture
def roles(make_user, banyuasin):  # type: ignore[no-untyped-def]
    from sinergi.web.accounts.models import Agency

    dinsos = Agency.objects.create(region_id="16.07", code="dinsos", name="Dinas Sosial")

    class Roles:
        bappeda = make_user("t-bappeda", role="bappeda_admin")
        palembang = make_user("t-palembang", role="bappeda_admin", region="16.71")
        betung = make_user("t-betung", role="kecamatan_operator", region="16.07.05")
        opd = make_user("t-dinsos", role="opd_operator", agency=dinsos)
        viewer = make_user("t-viewer", role="executive_viewer")

    return Roles


@pytest.fixture
def poverty():  # type: ignore[no-untyped-def]
    return Indicator.objects.get(code="poverty_rate")


@pytest.fixture
def growth():  # type: ignore[no-untyped-def]
    return Indicator.objects.get(code="economic_growth")


@pytest.fixture
def stored(banyuasin, poverty, roles):  # type: ignore[no-untyped-def]
    target, _ = services.set_target(
        indicator=poverty,
        region=banyuasin,
        plan_level="rpjmd",
        year=2026,
        value=Decimal("8.5"),
        plan_document="RPJMD 2025-2029",
        user=roles.bappeda,
    )
    return target


def grid_post(client, **cells: str):  # type: ignore[no-untyped-def]
    """The grid as the page shows it, with ``cells`` ("<indicator pk>_<year>") typed over."""
    html = client.get(GRID, CHOICE).content.decode()
    data = dict(re.findall(r'name="((?:[cov])_\d+_\d+)" value="([^"]*)"', html))
    data.update(CHOICE)
    data.update({f"c_{key}": value for key, value in cells.items()})
    return data


def test_only_bappeda_of_the_region_reaches_the_grid(client, roles, stored, poverty):
    pages = [GRID, f"{GRID}unduh/", f"{GRID}impor/"]
    for page in pages:
        assert client.get(page).status_code == 302
    client.force_login(roles.bappeda)
    data = grid_post(client, **{f"{poverty.pk}_2027": "8"})
    for user in [roles.palembang, roles.betung, roles.opd, roles.viewer]:
        client.force_login(user)
        for page in pages:
            assert client.get(page).status_code == 403, (user.username, page)
        assert client.post(GRID, data).status_code == 403
    assert not Target.objects.filter(year=2027).exists()
    client.logout()
    assert client.post(GRID, data).status_code == 302  # to the login page
    assert not Target.objects.filter(year=2027).exists()


def test_grid_shows_targets_and_saves_in_one_go(
    client, roles, stored, poverty, growth, django_assert_max_num_queries
):
    client.force_login(roles.bappeda)
    with django_assert_max_num_queries(12):
        html = client.get(GRID, CHOICE).content.decode()
    assert f'name="c_{poverty.pk}_2026" value="8,5"' in html
    assert f'name="v_{poverty.pk}_2026" value="1"' in html
    data = grid_post(
        client,
        **{f"{poverty.pk}_2026": "8,25", f"{poverty.pk}_2027": "8", f"{growth.pk}_2025": "5,5"},
    )
    response = client.post(GRID, data)
    assert response.status_code == 302
    assert response["Location"].startswith(GRID)
    stored.refresh_from_db()
    assert stored.value == Decimal("8.25") and stored.version == 2
    new = Target.objects.get(indicator=growth, year=2025)
    assert new.value == Decimal("5.5") and new.plan_document == "RPJMD 2025-2029"
    assert new.plan_level == "rpjmd" and new.region_id == "16.07"
    assert AuditEntry.objects.filter(object_id=str(new.pk), action="create").exists()
    assert Target.objects.filter(region_id="16.07").count() == 3


def test_bad_cell_is_named_and_nothing_is_saved(client, roles, stored, poverty, growth):
    client.force_login(roles.bappeda)
    data = grid_post(client, **{f"{growth.pk}_2025": "5,5", f"{poverty.pk}_2028": "delapan"})
    response = client.post(GRID, data)
    html = response.content.decode()
    assert response.status_code == 400
    errors = html[html.index('id="grid-errors"') :]
    assert "Persentase penduduk miskin (P0), 2028" in errors and "Masukkan angka" in errors
    assert f'name="c_{poverty.pk}_2028" value="delapan"' in html  # typed stays
    assert f'name="c_{growth.pk}_2025" value="5,5"' in html
    assert not Target.objects.filter(indicator=growth).exists()
    # A level target of 0 has no achievement: refused like the API refuses it.
    response = client.post(GRID, grid_post(client, **{f"{growth.pk}_2025": "0"}))
    assert response.status_code == 400 and "tidak memiliki" in response.content.decode()


def test_stale_cell_saves_nothing_and_keeps_what_was_typed(client, roles, stored, poverty, growth):
    client.force_login(roles.bappeda)
    data = grid_post(client, **{f"{poverty.pk}_2026": "8,1", f"{growth.pk}_2025": "5,5"})
    services.set_target(
        indicator=poverty,
        region=stored.region,
        plan_level="rpjmd",
        year=2026,
        value=Decimal("7.9"),
        expected_version=1,
        user=roles.bappeda,
    )
    response = client.post(GRID, data)
    html = response.content.decode()
    assert response.status_code == 409
    stale = html[html.index('id="grid-stale"') :]
    assert "Persentase penduduk miskin (P0), 2026" in stale and "7,9" in stale and "8,1" in stale
    assert f'name="c_{poverty.pk}_2026" value="8,1"' in html
    assert f'name="c_{growth.pk}_2025" value="5,5"' in html
    assert not Target.objects.filter(indicator=growth).exists()  # all or nothing
    stored.refresh_from_db()
    assert stored.value == Decimal("7.9")
    # The grid now carries the current version: saving again replaces knowingly.
    again = dict(re.findall(r'name="((?:[cov])_\d+_\d+)" value="([^"]*)"', html))
    assert client.post(GRID, {**again, **CHOICE}).status_code == 302
    stored.refresh_from_db()
    assert stored.value == Decimal("8.1")
    assert Target.objects.get(indicator=growth).value == Decimal("5.5")


def test_emptying_a_cell_deletes_after_confirmation(client, roles, stored, poverty):
    client.force_login(roles.bappeda)
    data = grid_post(client, **{f"{poverty.pk}_2026": ""})
    response = client.post(GRID, data)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="grid-confirm"' in html
    assert Target.objects.filter(pk=stored.pk).exists()
    response = client.post(GRID, {**data, "confirm_delete": "1"})
    assert response.status_code == 302
    assert not Target.objects.filter(pk=stored.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(stored.pk), action="delete").exists()


def test_target_list_xlsx_round_trip(client, roles, stored, poverty, growth):
    client.force_login(roles.bappeda)
    exported = client.get(f"{GRID}unduh/")
    book = load_workbook(io.BytesIO(exported.content))

    def upload():  # type: ignore[no-untyped-def]
        out = io.BytesIO()
        book.save(out)
        return SimpleUploadedFile("target.xlsx", out.getvalue())

    assert client.post(f"{GRID}impor/", {"file": upload()}).status_code == 302
    stored.refresh_from_db()
    assert stored.version == 1
    ws = book.active
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("Nilai target") + 1, value="8,4")
    row = [None] * len(header)
    row[header.index("Kode indikator")] = "economic_growth"
    row[header.index("Tingkat rencana")] = ws.cell(
        row=2, column=header.index("Tingkat rencana") + 1
    ).value
    row[header.index("Tahun target")] = 2027
    row[header.index("Nilai target")] = 6
    row[header.index("Pembanding")] = "auto"
    row[header.index("Jenis")] = "level"
    ws.append(row)
    response = client.post(f"{GRID}impor/", {"file": upload()})
    assert response.status_code == 302, response.content.decode()[-3000:]
    stored.refresh_from_db()
    assert stored.value == Decimal("8.4") and stored.version == 2
    assert Target.objects.get(indicator=growth, year=2027).value == 6


def test_a_cell_filled_meanwhile_is_stale_an_untouched_one_is_not(
    client, roles, stored, poverty, growth
):
    client.force_login(roles.bappeda)
    data = grid_post(client, **{f"{growth.pk}_2025": "5,5"})
    # Someone else sets the very cell typed here, and changes one left untouched.
    services.set_target(
        indicator=growth, region=stored.region, plan_level="rpjmd", year=2025, value=5
    )
    services.set_target(
        indicator=poverty, region=stored.region, plan_level="rpjmd", year=2026, value=8
    )
    response = client.post(GRID, data)
    html = response.content.decode()
    assert response.status_code == 409
    start = html.index('id="grid-stale"')
    stale = html[start : html.index("</div>", start)]
    assert "Pertumbuhan ekonomi, 2025" in stale
    assert "Persentase penduduk miskin (P0), 2026" not in stale
    assert Target.objects.get(indicator=growth, year=2025).value == 5


def test_too_large_a_number_is_refused(client, roles, growth):
    client.force_login(roles.bappeda)
    response = client.post(
        GRID, grid_post(client, **{f"{growth.pk}_2025": "1.000.000.000.000.000"})
    )
    assert response.status_code == 400 and "terlalu besar" in response.content.decode()
    assert not Target.objects.filter(indicator=growth).exists()


def test_the_grid_opens_on_the_years_of_the_plan_document(client, roles, stored):
    client.force_login(roles.bappeda)
    html = client.get(GRID).content.decode()
    assert 'value="RPJMD 2025-2029"' in html
    assert 'name="year_from" value="2025"' in html and 'name="year_to" value="2029"' in html
