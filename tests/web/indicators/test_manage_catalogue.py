"""The indicator catalogue pages: list, create, edit (fingerprint lock), XLSX round trip."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from sinergi.web.audit.models import AuditEntry
from sinergi.web.indicators import actions
from sinergi.web.indicators.models import Indicator

pytestmark = pytest.mark.django_db

LIST = "/perencanaan/katalog-indikator/"
NEW = f"{LIST}baru/"
IRB = f"{LIST}bureaucracy_reform_index/"


@pytest.fixture
def roles(make_user):  # type: ignore[no-untyped-def]
    """Bappeda of the province (edits the catalogue), of Banyuasin (reads it), a kecamatan
    operator and an executive viewer (read it)."""

    class Roles:
        province = make_user("t-sumsel", role="bappeda_admin", region="16")
        bappeda = make_user("t-bappeda", role="bappeda_admin")
        betung = make_user("t-betung", role="kecamatan_operator", region="16.07.05")
        viewer = make_user("t-viewer", role="executive_viewer")

    return Roles


def form_data(indicator: Indicator, **changes: str) -> dict[str, str]:
    data = {
        "code": indicator.code,
        "name_id": indicator.name_id,
        "name_en": indicator.name_en,
        "unit": indicator.unit,
        "decimals": str(indicator.decimals),
        "polarity": indicator.polarity,
        "frequency": indicator.frequency,
        "source_agency": indicator.source_agency,
        "definition_id": indicator.definition_id,
        "definition_en": indicator.definition_en,
        "grades": actions.grades_text(indicator.grades),
        "sort_order": str(indicator.sort_order),
        "version": actions.fingerprint(indicator),
    }
    if indicator.is_headline:
        data["is_headline"] = "on"
    if indicator.is_additive:
        data["is_additive"] = "on"
    data.update(changes)
    return data


NEW_ENTRY = {
    "code": "desa_mandiri",
    "name_id": "Persentase desa mandiri",
    "name_en": "Share of self-reliant villages",
    "unit": "percent",
    "decimals": "1",
    "polarity": "higher",
    "frequency": "annual",
    "source_agency": "Kemendesa PDTT",
    "grades": "",
    "sort_order": "300",
}


def test_everyone_signed_in_reads_only_province_bappeda_edits(client, roles):
    assert client.get(LIST).status_code == 302
    irb = Indicator.objects.get(code="bureaucracy_reform_index")
    for user in [roles.bappeda, roles.betung, roles.viewer]:
        client.force_login(user)
        html = client.get(LIST).content.decode()
        assert "Indeks Reformasi Birokrasi" in html or "bureaucracy_reform_index" in html
        assert NEW not in html  # no "add" button
        assert client.get(NEW).status_code == 403
        assert client.get(f"{LIST}impor/").status_code == 403
        page = client.get(IRB)
        assert page.status_code == 200 and "disabled" in page.content.decode()
        assert client.post(IRB, form_data(irb, unit="skor")).status_code == 403
        assert client.post(NEW, NEW_ENTRY).status_code == 403
    irb.refresh_from_db()
    assert irb.unit != "skor" and not Indicator.objects.filter(code="desa_mandiri").exists()
    client.force_login(roles.province)
    assert NEW in client.get(LIST).content.decode()
    assert client.get(NEW).status_code == 200


def test_list_filters_and_searches(client, roles):
    client.force_login(roles.bappeda)
    html = client.get(LIST, {"q": "miskin"}).content.decode()
    assert "poverty_rate" in html and "economic_growth" not in html
    html = client.get(LIST, {"polarity": "higher"}).content.decode()
    assert "economic_growth" in html and "poverty_rate" not in html
    html = client.get(LIST, {"sort": "-sort_order"}).content.decode()
    assert html.index("kpk_mcp_score") < html.index("economic_growth")


def test_province_bappeda_creates_and_edits_with_audit(client, roles):
    client.force_login(roles.province)
    response = client.post(NEW, NEW_ENTRY)
    assert response.status_code == 302
    entry = Indicator.objects.get(code="desa_mandiri")
    assert entry.decimals == 1 and entry.grades == []
    assert AuditEntry.objects.filter(object_id=str(entry.pk), action="create").exists()
    response = client.post(
        f"{LIST}desa_mandiri/",
        form_data(entry, grades="Mandiri > 75\nMaju > 50,5\nBerkembang"),
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.grades == [[75, "Mandiri"], [50.5, "Maju"], [None, "Berkembang"]]
    assert entry.grade(60) == "Maju"
    assert AuditEntry.objects.filter(object_id=str(entry.pk), action="update").exists()


def test_bad_input_names_the_field_in_indonesian(client, roles):
    client.force_login(roles.province)
    response = client.post(
        NEW,
        {**NEW_ENTRY, "code": "Desa Mandiri!", "decimals": "9", "grades": "A > 50\nB > 70"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Desimal" in html and "6" in html  # decimals 0-6
    assert "slug" in html.lower() or "huruf" in html.lower()  # code is a slug
    assert "batas harus menurun" in html  # grades fall from the top
    response = client.post(NEW, {**NEW_ENTRY, "code": "poverty_rate"})
    assert response.status_code == 400 and "telah ada" in response.content.decode()
    assert not Indicator.objects.filter(code="desa_mandiri").exists()


def test_stale_save_shows_what_changed_and_keeps_what_was_typed(client, roles):
    client.force_login(roles.province)
    irb = Indicator.objects.get(code="bureaucracy_reform_index")
    shown = form_data(irb, unit="indeks 0-100")
    actions.save_indicator(irb, roles.province, source_agency="KemenPAN-RB (revisi)")
    response = client.post(IRB, shown)
    html = response.content.decode()
    assert response.status_code == 409
    conflict = html[html.index('id="conflict"') :]
    assert "KemenPAN-RB (revisi)" in conflict
    assert 'value="indeks 0-100"' in html
    irb.refresh_from_db()
    assert irb.unit != "indeks 0-100"
    # Saving again (the form now carries the current fingerprint) replaces knowingly.
    again = client.post(IRB, {**shown, "version": actions.fingerprint(irb)})
    assert again.status_code == 302
    irb.refresh_from_db()
    assert irb.unit == "indeks 0-100"


def test_xlsx_round_trip(client, roles):
    client.force_login(roles.province)
    exported = client.get(f"{LIST}?unduh=xlsx")
    book = load_workbook(io.BytesIO(exported.content))
    before = {i.code: actions.fingerprint(i) for i in Indicator.objects.all()}

    def upload():  # type: ignore[no-untyped-def]
        out = io.BytesIO()
        book.save(out)
        return SimpleUploadedFile("katalog.xlsx", out.getvalue())

    response = client.post(f"{LIST}impor/", {"file": upload()})
    assert response.status_code == 302
    assert {i.code: actions.fingerprint(i) for i in Indicator.objects.all()} == before
    ws = book.active
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "bureaucracy_reform_index")
    row[header.index("Desimal")].value = 7
    response = client.post(f"{LIST}impor/", {"file": upload()})
    assert response.status_code == 400 and "Desimal" in response.content.decode()
    row[header.index("Desimal")].value = 1
    row[header.index("Predikat")].value = "AA > 90; A > 80; B"
    response = client.post(f"{LIST}impor/", {"file": upload()})
    assert response.status_code == 302
    irb = Indicator.objects.get(code="bureaucracy_reform_index")
    assert irb.decimals == 1 and irb.grades == [[90, "AA"], [80, "A"], [None, "B"]]
