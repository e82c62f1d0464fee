"""The values pages of a region: list, manual entry, correction with history, XLSX."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from sinergi.web.audit.models import AuditEntry
from sinergi.web.indicators import services
from sinergi.web.indicators.models import Indicator, IndicatorValue, ValueRevision

pytestmark = pytest.mark.django_db

LIST = "/perencanaan/16.07/nilai/"
NEW = "/perencanaan/16.07/nilai/baru/"


@pytest.fixture
def roles(make_user, banyuasin):  # type: ignore[no-untyped-def]
    """Named users: Bappeda of Banyuasin, Bappeda of Palembang (another regency), the
    Betung kecamatan operator, an OPD operator and an executive viewer of Banyuasin."""
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
def poverty(banyuasin, roles):  # type: ignore[no-untyped-def]
    value, _ = services.record_value(
        indicator=Indicator.objects.get(code="poverty_rate"),
        region=banyuasin,
        period="2023",
        value=Decimal("9.58"),
        source="BPS Banyuasin",
        user=roles.bappeda,
    )
    return value


def test_only_bappeda_of_the_region_reaches_the_pages(client, roles, poverty):
    pages = [LIST, NEW, f"{LIST}{poverty.pk}/", f"{LIST}impor/", f"{LIST}?unduh=xlsx"]
    for page in pages:
        assert client.get(page).status_code == 302  # the public: to the login page
    for user in [roles.palembang, roles.betung, roles.opd, roles.viewer]:
        client.force_login(user)
        for page in pages:
            assert client.get(page).status_code == 403, (user.username, page)
        response = client.post(NEW, {"indicator": "poverty_rate", "period": "2024", "value": "9"})
        assert response.status_code == 403
    assert not IndicatorValue.objects.filter(period="2024").exists()
    client.force_login(roles.bappeda)
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_the_list_shows_filters_and_formats_indonesian(
    client, roles, poverty, banyuasin, django_assert_max_num_queries
):
    services.record_value(
        indicator=Indicator.objects.get(code="open_unemployment_rate"),
        region=banyuasin,
        period="2024",
        value=Decimal("4.1"),
        source="BPS",
        is_synthetic=True,
    )
    client.force_login(roles.bappeda)
    with django_assert_max_num_queries(10):
        html = client.get(LIST).content.decode()
    assert "9,58" in html and "4,1" in html
    filtered = client.get(LIST, {"indicator": "poverty_rate"}).content.decode()
    assert "9,58" in filtered and "4,1" not in filtered
    assert "4,1" not in client.get(LIST, {"year": "2023"}).content.decode()
    assert "9,58" not in client.get(LIST, {"is_synthetic": "true"}).content.decode()
    searched = client.get(LIST, {"q": "miskin"}).content.decode()
    assert "9,58" in searched and "4,1" not in searched


def test_entry_saves_a_value_with_its_audit_entry(client, roles):
    client.force_login(roles.bappeda)
    response = client.post(
        NEW,
        {
            "indicator": "poverty_rate",
            "period": "2025-Q3",
            "value": "9,12",
            "se": "0,35",
            "status": "preliminary",
            "source": "BPS Banyuasin, Susenas Maret 2025",
            "note": "",
        },
    )
    value = IndicatorValue.objects.get(region_id="16.07", period="2025-Q3")
    assert response.status_code == 302 and response["Location"] == f"{LIST}{value.pk}/"
    assert value.value == Decimal("9.12") and value.quarter == 3 and value.se == pytest.approx(0.35)
    assert value.updated_by == roles.bappeda
    assert AuditEntry.objects.filter(object_id=str(value.pk), action="create").exists()


def test_entry_bad_input_names_the_field_in_indonesian(client, roles, poverty):
    client.force_login(roles.bappeda)
    response = client.post(
        NEW,
        {"indicator": "poverty_rate", "period": "2025-13", "value": "sembilan", "status": "final"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "bukan periode" in html  # period
    assert "Masukkan angka" in html  # value
    assert "Sumber" in html and "wajib" in html  # source is required
    assert not IndicatorValue.objects.filter(period="2025-13").exists()
    # A period that already has a value is not overwritten silently.
    response = client.post(
        NEW,
        {
            "indicator": "poverty_rate",
            "period": "2023",
            "value": "9,9",
            "status": "final",
            "source": "BPS",
        },
    )
    assert response.status_code == 400
    assert "sudah memiliki nilai" in response.content.decode()
    poverty.refresh_from_db()
    assert poverty.value == Decimal("9.58")


def test_correction_needs_a_reason_and_keeps_the_history(client, roles, poverty):
    client.force_login(roles.bappeda)
    url = f"{LIST}{poverty.pk}/"
    form = {"value": "9,61", "status": "final", "source": "BPS Banyuasin", "version": "1"}
    response = client.post(url, form)
    assert response.status_code == 400 and "Alasan koreksi" in response.content.decode()
    response = client.post(url, {**form, "reason": "BPS merevisi angka 2023"})
    assert response.status_code == 302
    poverty.refresh_from_db()
    assert poverty.value == Decimal("9.61") and poverty.version == 2
    assert poverty.status == "revised"  # a changed figure is marked revised
    revision = ValueRevision.objects.get(value=poverty)
    assert revision.old_value == Decimal("9.58") and revision.reason == "BPS merevisi angka 2023"
    assert revision.replaced_by == roles.bappeda
    html = client.get(url).content.decode()
    history = html[html.index('id="revisions"') :]
    assert "9,58" in history and "BPS merevisi angka 2023" in history and "t-bappeda" in history


def test_stale_correction_shows_what_changed_and_keeps_what_was_typed(client, roles, poverty):
    client.force_login(roles.bappeda)
    url = f"{LIST}{poverty.pk}/"
    services.record_value(
        indicator=poverty.indicator,
        region=poverty.region,
        period="2023",
        value=Decimal("9.70"),
        user=roles.bappeda,
        expected_version=1,
        reason="koreksi lain",
    )
    response = client.post(
        url,
        {"value": "9,65", "status": "final", "source": "BPS", "reason": "revisi", "version": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    conflict = html[html.index('id="conflict"') :]
    assert "9,7" in conflict and "9,65" in conflict
    assert 'value="9,65"' in html  # what the user typed stays in the form
    assert 'name="version" value="2"' in html  # saving again replaces knowingly
    poverty.refresh_from_db()
    assert poverty.value == Decimal("9.70")


def _workbook(response):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(response.content))


def _upload(book, name="nilai.xlsx"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def test_xlsx_round_trip_changes_nothing_and_a_revision_needs_a_reason(client, roles, poverty):
    client.force_login(roles.bappeda)
    book = _workbook(client.get(f"{LIST}?unduh=xlsx"))
    response = client.post(f"{LIST}impor/", {"file": _upload(book)})
    assert response.status_code == 302
    poverty.refresh_from_db()
    assert poverty.version == 1 and not ValueRevision.objects.exists()

    ws = book.active
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("Nilai") + 1, value="9,6")
    response = client.post(f"{LIST}impor/", {"file": _upload(book)})
    assert response.status_code == 400
    assert "Alasan revisi" in response.content.decode()
    ws.cell(row=2, column=header.index("Alasan revisi") + 1, value="rilis BPS terbaru")
    ws.append([None, None, "open_unemployment_rate", "2024", 4.2, None, "Final", "BPS"])
    response = client.post(f"{LIST}impor/", {"file": _upload(book)})
    assert response.status_code == 302
    poverty.refresh_from_db()
    assert poverty.value == Decimal("9.6") and poverty.version == 2
    assert ValueRevision.objects.get(value=poverty).reason == "rilis BPS terbaru"
    assert IndicatorValue.objects.get(period="2024").value == Decimal("4.2")


def test_indicator_page_links_to_the_management_pages_for_bappeda_only(client, roles, poverty):
    page = "/wilayah/16.07/indikator/poverty_rate/"
    client.force_login(roles.bappeda)
    html = client.get(page).content.decode()
    assert f'href="{LIST}?indicator=poverty_rate"' in html
    assert 'href="/perencanaan/16.07/target/"' in html
    for user in [roles.palembang, roles.viewer]:
        client.force_login(user)
        assert "/perencanaan/16.07/" not in client.get(page).content.decode()
    client.logout()
    assert "/perencanaan/16.07/" not in client.get(page).content.decode()


def test_pages_speak_english_with_the_language_cookie(client, roles, poverty, english):
    client.force_login(roles.bappeda)
    html = client.get(LIST).content.decode()
    assert "Indicator values of Kabupaten Banyuasin" in html and "9.58" in html
    response = client.post(NEW, {"indicator": "poverty_rate", "period": "2025-13", "value": "x"})
    html = response.content.decode()
    assert "is not a period" in html and "This field is required." in html


def test_a_value_without_a_period_keeps_its_note(client, roles, banyuasin):
    value, _ = services.record_value(
        indicator=Indicator.objects.get(code="stunting_prevalence"),
        region=banyuasin,
        period="",
        value=Decimal("20"),
        note="angka tanpa tahun dari pidato Bupati",
        source="berita daring",
    )
    client.force_login(roles.bappeda)
    url = f"{LIST}{value.pk}/"
    response = client.post(
        url,
        {
            "value": "19,5",
            "status": "final",
            "source": "berita daring",
            "note": "catatan lain",
            "reason": "salah ketik",
            "version": "1",
        },
    )
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.value == Decimal("19.5") and value.note == "angka tanpa tahun dari pidato Bupati"
    assert IndicatorValue.objects.filter(indicator=value.indicator, period="").count() == 1
