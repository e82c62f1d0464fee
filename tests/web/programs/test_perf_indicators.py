"""Performance indicators set up in the browser: list, outcome/output forms with their
quarterly-target rule, the cascade page and the XLSX round trip, by named roles."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from sinergi.web.audit.models import AuditEntry
from sinergi.web.programs import services
from sinergi.web.programs.models import PerformanceIndicator

pytestmark = pytest.mark.django_db
LIST = "/perencanaan/16.07/indikator-kinerja/"
NEW = "/perencanaan/16.07/indikator-kinerja/2019/baru/"
IMPORT = "/perencanaan/16.07/indikator-kinerja/impor/"
CASCADE = "/perencanaan/16.07/kaskade/2019/"


def client_for(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def camat(prima, make_user):  # type: ignore[no-untyped-def]
    return make_user("t-camat", role="kecamatan_operator", region="16.07.05")


def output_form(activity, **changes):  # type: ignore[no-untyped-def]
    """What the browser sends for a new output (plain field names, Indonesian numbers)."""
    data = {
        "level": "output",
        "activity": str(activity.pk),
        "name": "Peserta pelatihan kerja",
        "unit": "orang",
        "polarity": "higher",
        "additive": "on",
        "target": "1.200",
        "target_q1": "300",
        "target_q2": "600",
        "target_q3": "900",
        "target_q4": "1.200",
        "version": "",
    }
    return data | changes


def edit_form(ind, **changes):  # type: ignore[no-untyped-def]
    from sinergi.web.programs.forms_perf import NumberField

    field = NumberField()
    data = {
        "level": ind.level,
        "programme": str(ind.programme_id or ""),
        "agency": str(ind.agency_id or ""),
        "activity": str(ind.activity_id or ""),
        "name": ind.name,
        "unit": ind.unit,
        "polarity": ind.polarity,
        "target": field.prepare_value(ind.target),
        "serves": str(ind.serves_id or ""),
        "regional_indicator": str(ind.regional_indicator_id or ""),
        "code": ind.code,
        "source_note": ind.source_note,
        "version": str(ind.version),
    }
    if ind.additive:
        data["additive"] = "on"
    for q in (1, 2, 3, 4):
        value = ind.quarter_target(q)
        data[f"target_q{q}"] = field.prepare_value(value) if value is not None else ""
    return data | changes


# --- list and permissions ----------------------------------------------------------------------


def test_list_of_the_latest_year_for_readers_with_writing_for_bappeda_only(
    prima, users, client, django_assert_max_num_queries
):
    bappeda = client_for(users.bappeda)
    with django_assert_max_num_queries(20):
        response = bappeda.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Persentase pencari kerja yang ditempatkan" in html  # an outcome of 2019
    assert NEW in html and IMPORT in html and CASCADE in html
    viewer = client_for(users.viewer).get(LIST).content.decode()
    assert "Persentase pencari kerja yang ditempatkan" in viewer
    assert NEW not in viewer and IMPORT not in viewer
    outputs = bappeda.get(LIST, {"year": "2019", "level": "output", "q": "job fair"})
    assert "Persentase pencari kerja" not in outputs.content.decode()
    assert client.get(LIST).status_code == 302  # the public logs in first
    assert client_for(users.outsider).get(LIST).status_code == 403


@pytest.mark.parametrize("who", ["owner", "other_opd", "viewer", "camat", "outsider"])
def test_only_bappeda_of_the_region_writes_indicators(prima, users, camat, who):
    user = camat if who == "camat" else getattr(users, who)
    client = client_for(user)
    before = PerformanceIndicator.objects.count()
    assert client.post(NEW, output_form(prima.job_fair)).status_code == 403
    ind = PerformanceIndicator.objects.filter(activity=prima.job_fair).first()
    assert (
        client.post(f"/perencanaan/indikator-kinerja/{ind.pk}/", edit_form(ind)).status_code == 403
    )
    assert client.get(IMPORT).status_code == 403
    assert PerformanceIndicator.objects.count() == before


def test_public_is_sent_to_login_and_writes_nothing(prima, client):
    before = PerformanceIndicator.objects.count()
    response = client.post(NEW, output_form(prima.job_fair))
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
    assert PerformanceIndicator.objects.count() == before


def test_a_reader_sees_the_form_disabled(prima, users):
    ind = PerformanceIndicator.objects.get(code="job-placement")
    html = client_for(users.owner).get(f"/perencanaan/indikator-kinerja/{ind.pk}/").content.decode()
    assert "Hanya Bappeda yang menetapkan indikator kinerja" in html
    form = html.split('<form method="post" class="card"', 1)[1].split("</form>")[0]
    assert 'name="name"' in form and "disabled" in form
    assert 'type="submit"' not in form  # nothing to save


# --- create -----------------------------------------------------------------------------------


def test_bappeda_adds_an_output_from_its_activity(prima, users):
    client = client_for(users.bappeda)
    url = f"/perencanaan/kegiatan/{prima.job_fair.pk}/indikator/baru/"
    page = client.get(url).content.decode()
    assert 'value="output" selected' in page
    assert f'value="{prima.job_fair.pk}" selected' in page
    outcome = PerformanceIndicator.objects.get(code="job-placement")
    response = client.post(url, output_form(prima.job_fair, serves=str(outcome.pk)))
    assert (
        response.status_code == 302
        and response["Location"] == f"/monev/kegiatan/{prima.job_fair.pk}/"
    )
    ind = PerformanceIndicator.objects.get(name="Peserta pelatihan kerja")
    assert (ind.level, ind.year, ind.activity, ind.serves) == (
        "output",
        2019,
        prima.job_fair,
        outcome,
    )
    assert ind.agency == prima.job_fair.agency and ind.programme == prima.job_fair.programme
    assert ind.target == D(1200) and ind.target_q4 == D(1200) and ind.target_q1 == D(300)
    assert ind.code == "peserta-pelatihan-kerja" and ind.version == 1
    entry = AuditEntry.objects.filter(
        content_type__model="performanceindicator", object_id=str(ind.pk), action="create"
    ).get()
    assert entry.actor == users.bappeda


def test_bappeda_adds_an_outcome_of_a_programme(prima, users):
    from sinergi.web.indicators.models import Indicator
    from sinergi.web.programs.models import Nomenclature

    programme = Nomenclature.objects.get(code="2.07.04")
    regional = Indicator.objects.get(code="open_unemployment_rate")
    response = client_for(users.bappeda).post(
        NEW,
        {
            "level": "outcome",
            "programme": str(programme.pk),
            "agency": str(prima.agencies["disnakertrans"].pk),
            "name": "Tingkat penempatan tenaga kerja",
            "unit": "%",
            "polarity": "higher",
            "target": "45,5",
            "target_q1": "40",
            "target_q2": "42,5",
            "target_q3": "44",
            "target_q4": "45,5",
            "regional_indicator": str(regional.pk),
            "code": "",
        },
    )
    assert response.status_code == 302
    ind = PerformanceIndicator.objects.get(name="Tingkat penempatan tenaga kerja")
    assert ind.target == D("45.5") and ind.target_q2 == D("42.5") and not ind.additive
    assert ind.activity is None and ind.regional_indicator == regional


# --- bad input --------------------------------------------------------------------------------


def test_cumulative_targets_must_rise_to_the_year_target(prima, users):
    client = client_for(users.bappeda)
    before = PerformanceIndicator.objects.count()
    response = client.post(
        NEW, output_form(prima.job_fair, target_q2="250", target_q4="1.300", target="1.200")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "tidak boleh lebih rendah dari triwulan 1 (300)" in form.errors["target_q2"][0]
    assert "tidak boleh melebihi target tahunan (1.200)" in form.errors["target_q4"][0]
    assert PerformanceIndicator.objects.count() == before
    # A level (not additive) may move freely: the same figures are accepted.
    data = output_form(prima.job_fair, target_q2="250", target_q4="1.300")
    del data["additive"]
    assert client.post(NEW, data).status_code == 302


def test_bad_input_gets_indonesian_field_errors(prima, users):
    client = client_for(users.bappeda)
    response = client.post(
        NEW, output_form(prima.job_fair, target="banyak", unit="") | {"activity": ""}
    )
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert errors["target"] == ["Masukkan angka, misalnya 1.250.000 atau 45,5."]
    assert errors["activity"] == ["Keluaran (output) milik sebuah kegiatan: pilih kegiatannya."]
    assert "unit" in errors
    html = response.content.decode()
    assert "Perbaiki isian yang ditandai di bawah." in html and 'aria-invalid="true"' in html
    outcome = client.post(
        NEW, {"level": "outcome", "name": "X", "unit": "%", "polarity": "higher", "target": "5"}
    )
    errors = outcome.context["form"].errors
    assert "programme" in errors and "agency" in errors
    taken = client.post(NEW, output_form(prima.job_fair, code="job-fair-events"))
    assert "code" in taken.context["form"].errors


# --- stale save -------------------------------------------------------------------------------


def test_a_stale_save_shows_what_changed_and_keeps_what_was_typed(prima, users):
    ind = PerformanceIndicator.objects.get(code="job-fair-vacancies")
    url = f"/perencanaan/indikator-kinerja/{ind.pk}/"
    client = client_for(users.bappeda)
    typed = edit_form(ind, name="Lowongan kerja yang ditawarkan", target="1.100", target_q4="1.100")
    services.update(
        ind, users.owner, expected_version=ind.version, target=D(1500), target_q4=D(1500)
    )
    response = client.post(url, typed)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Orang lain menyimpan data ini" in html or "conflict" in html
    rows = {r["label"]: r for r in response.context["conflict"]}
    assert (
        rows["Target tahunan"]["stored"] == "1.500" and rows["Target tahunan"]["typed"] == "1.100"
    )
    assert 'value="Lowongan kerja yang ditawarkan"' in html and 'value="1.100"' in html
    assert f'name="version" value="{ind.version + 1}"' in html
    ind.refresh_from_db()
    assert ind.target == D(1500) and ind.name != "Lowongan kerja yang ditawarkan"
    again = client.post(url, typed | {"version": str(ind.version)})
    assert again.status_code == 302
    ind.refresh_from_db()
    assert ind.target == D(1100) and ind.version == 3


def test_an_edit_without_a_version_is_refused(prima, users):
    ind = PerformanceIndicator.objects.get(code="job-fair-vacancies")
    response = client_for(users.bappeda).post(
        f"/perencanaan/indikator-kinerja/{ind.pk}/", edit_form(ind, version="", name="Baru")
    )
    assert response.status_code == 400 and "version" in response.context["form"].errors


# --- cascade ----------------------------------------------------------------------------------


def test_cascade_shows_indicator_outcome_output_activity_and_what_nothing_moves(
    prima, users, django_assert_max_num_queries
):
    client = client_for(users.viewer)
    with django_assert_max_num_queries(12):
        response = client.get(CASCADE)
    assert response.status_code == 200
    html = response.content.decode()
    tree = response.context["tree"]
    branch = next(b for b in tree.branches if b.indicator.code == "open_unemployment_rate")
    outcome = next(o for o in branch.outcomes if o.indicator.code == "job-placement")
    assert {o.indicator.code for o in outcome.outputs} >= {"job-fair-vacancies"}
    assert all(o.activity is not None for o in outcome.outputs)
    assert tree.unmoved and all(not tree_has(tree, i) for i in tree.unmoved)
    # An output serving an outcome but naming its own regional indicator moves that one too.
    vacancies = next(b for b in tree.branches if b.indicator.code == "job_fair_vacancies")
    assert [o.indicator.code for o in vacancies.direct_outputs] == ["job-fair-vacancies"]
    assert "juga mendukung “Persentase pencari kerja yang ditempatkan”" in html
    assert "Indikator daerah yang tidak digerakkan program mana pun" in html
    assert html.index(branch.indicator.name) < html.index(
        "Persentase pencari kerja yang ditempatkan"
    )
    assert html.index("Persentase pencari kerja yang ditempatkan") < html.index(prima.job_fair.name)
    assert client_for(users.outsider).get(CASCADE).status_code == 403


def tree_has(tree, indicator):  # type: ignore[no-untyped-def]
    return any(b.indicator == indicator for b in tree.branches)


# --- XLSX round trip --------------------------------------------------------------------------


def _export(client, query="year=2019"):  # type: ignore[no-untyped-def]
    response = client.get(f"{LIST}?{query}&unduh=xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _upload(client, book):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    book.save(out)
    return client.post(IMPORT, {"file": SimpleUploadedFile("indikator.xlsx", out.getvalue())})


def _column(ws, label):  # type: ignore[no-untyped-def]
    return [c.value for c in ws[1]].index(label) + 1


def test_export_imports_back_unchanged_then_one_change_then_a_bad_cell(prima, users):
    client = client_for(users.bappeda)
    book = _export(client)
    ws = book.active
    count = PerformanceIndicator.objects.filter(year=2019).count()
    assert ws.max_row == count + 1
    audits = AuditEntry.objects.count()
    response = _upload(client, book)
    assert response.status_code == 302
    message = [str(m) for m in response.wsgi_request._messages][-1]
    assert re.search(rf"\b0\D+0\D+{count}\b", message), message  # added, changed, unchanged
    assert AuditEntry.objects.count() == audits

    names = [c.value for c in ws[1]]
    row = next(
        r
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, names.index("Kode") + 1).value == "umkm-trained"
    )
    ws.cell(row, _column(ws, "Target tahunan")).value = "210"
    ws.cell(row, _column(ws, "Target TW IV")).value = 210
    response = _upload(client, book)
    assert response.status_code == 302
    assert re.search(r"\b0\D+1\D+", [str(m) for m in response.wsgi_request._messages][-1])
    ind = PerformanceIndicator.objects.get(code="umkm-trained")
    assert ind.target == D(210) and ind.version == 2

    book = _export(client)
    ws = book.active
    row = next(
        r
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, names.index("Kode") + 1).value == "umkm-trained"
    )
    ws.cell(row, _column(ws, "Target TW II")).value = "banyak"
    other = next(r for r in range(2, ws.max_row + 1) if r != row)
    ws.cell(other, _column(ws, "Nama")).value = "Diubah tetapi tidak tersimpan"
    response = _upload(client, book)
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(row, "Target TW II")]
    assert not PerformanceIndicator.objects.filter(name="Diubah tetapi tidak tersimpan").exists()


def test_import_applies_the_quarterly_rule_and_adds_new_rows(prima, users):
    client = client_for(users.bappeda)
    book = _export(client, "year=2019&level=output&q=umkm")
    ws = book.active
    assert ws.max_row == 2
    values = [c.value for c in ws[2]]
    ws.append([None, None, *values[2:]])  # a new row: no ID, no version
    new = ws.max_row
    ws.cell(new, _column(ws, "Kode")).value = ""
    ws.cell(new, _column(ws, "Nama")).value = "Pelaku usaha mikro yang didampingi"
    ws.cell(new, _column(ws, "Target TW I")).value = 500
    response = _upload(client, book)
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(new, "Target TW I")]
    assert "melebihi target tahunan" in errors[0].message
    ws.cell(new, _column(ws, "Target TW I")).value = 50
    response = _upload(client, book)
    assert response.status_code == 302
    ind = PerformanceIndicator.objects.get(name="Pelaku usaha mikro yang didampingi")
    assert ind.activity.code == "2.17.08.2.01.0001" and ind.code.startswith("pelaku-usaha-mikro")


def test_an_outcome_ignores_the_output_fields_left_in_the_form(prima, users):
    """Switching the level to outcome hides the activity fields (perf.js); what was left
    in them is not saved and raises no hidden error."""
    from sinergi.web.programs.models import Nomenclature

    data = output_form(prima.job_fair) | {
        "level": "outcome",
        "programme": str(Nomenclature.objects.get(code="2.07.04").pk),
        "agency": str(prima.agencies["disnakertrans"].pk),
        "serves": str(PerformanceIndicator.objects.get(code="job-placement").pk),
    }
    assert client_for(users.bappeda).post(NEW, data).status_code == 302
    ind = PerformanceIndicator.objects.get(name="Peserta pelatihan kerja")
    assert ind.level == "outcome" and ind.activity is None and ind.serves is None


def test_pages_speak_english_when_asked(prima, users, english):
    client = client_for(users.bappeda)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the EN button
    html = client.get(LIST).content.decode()
    assert "Performance indicators" in html and "Download Excel" in html
    response = client.post(NEW, output_form(prima.job_fair, target_q2="250"))
    assert "cannot be lower than quarter 1 (300)" in response.context["form"].errors["target_q2"][0]
