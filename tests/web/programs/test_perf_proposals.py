"""Non-APBD proposals set up in the browser: an agency proposes for itself, Bappeda for any
agency and alone moves the RKPD status; stale saves, bad input and the XLSX round trip."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from sinergi.web.audit.models import AuditEntry
from sinergi.web.programs import services
from sinergi.web.programs.models import NonApbdProposal

pytestmark = pytest.mark.django_db
LIST = "/perencanaan/16.07/usulan-non-apbd/"
NEW = LIST + "baru/"
IMPORT = LIST + "impor/"


def client_for(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def edit_url(proposal):  # type: ignore[no-untyped-def]
    return f"/perencanaan/usulan-non-apbd/{proposal.pk}/"


@pytest.fixture
def camat(prima, make_user):  # type: ignore[no-untyped-def]
    return make_user("t-camat", role="kecamatan_operator", region="16.07.05")


@pytest.fixture
def fair(prima):  # type: ignore[no-untyped-def]
    """Disnakertrans's proposal (the owner's agency)."""
    return NonApbdProposal.objects.get(title="Job fair dua kali setahun mulai 2020")


def new_form(agency, **changes):  # type: ignore[no-untyped-def]
    return {
        "agency": str(agency.pk),
        "rkpd_year": "2021",
        "title": "Pelatihan kerja bersama industri",
        "description": "Pelatihan di lokasi perusahaan mitra.",
        "estimated_cost": "Rp 1.250.000.000",
        "source": "csr",
        "scheme": "CSR perusahaan perkebunan",
        "flagship": "",
        "activity": "",
        "version": "",
    } | changes


def form_of(proposal, **changes):  # type: ignore[no-untyped-def]
    return {
        "form": "proposal",
        "agency": str(proposal.agency_id),
        "rkpd_year": str(proposal.rkpd_year),
        "title": proposal.title,
        "description": proposal.description,
        "estimated_cost": f"{proposal.estimated_cost:.0f}",
        "source": proposal.source,
        "scheme": proposal.scheme,
        "flagship": str(proposal.flagship_id or ""),
        "activity": str(proposal.activity_id or ""),
        "version": str(proposal.version),
    } | changes


# --- list and permissions ----------------------------------------------------------------------


def test_list_filters_and_shows_actions_by_role(
    prima, users, client, django_assert_max_num_queries
):
    owner = client_for(users.owner)
    with django_assert_max_num_queries(20):
        response = owner.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200 and "Gerai perizinan kedua" in html
    assert NEW in html and IMPORT in html
    only = owner.get(LIST, {"status": "in_rkpd"}).content.decode()
    assert "Job fair dua kali setahun" in only and "Gerai perizinan kedua" not in only
    assert "Gerai perizinan" in owner.get(LIST, {"q": "perizinan"}).content.decode()
    viewer = client_for(users.viewer).get(LIST).content.decode()
    assert "Gerai perizinan kedua" in viewer and NEW not in viewer and IMPORT not in viewer
    assert client.get(LIST).status_code == 302
    assert client_for(users.outsider).get(LIST).status_code == 403
    monev = owner.get("/monev/16.07/usulan-non-apbd/").content.decode()
    assert f'href="{LIST}"' in monev  # the read-only monev page links here


def test_an_agency_proposes_for_itself_only(prima, users):
    client = client_for(users.owner)
    page = client.get(NEW)
    choices = list(page.context["form"].fields["agency"].queryset)
    assert choices == [prima.agencies["disnakertrans"]]
    response = client.post(NEW, new_form(prima.agencies["disnakertrans"]))
    assert response.status_code == 302
    made = NonApbdProposal.objects.get(title="Pelatihan kerja bersama industri")
    assert made.estimated_cost == D(1_250_000_000) and made.status == "proposed"
    assert made.region_id == "16.07" and made.version == 1
    assert (
        AuditEntry.objects.filter(
            content_type__model="nonapbdproposal", object_id=str(made.pk), action="create"
        )
        .get()
        .actor
        == users.owner
    )
    other = client.post(NEW, new_form(prima.agencies["disparpora"], title="Bukan milik saya"))
    assert other.status_code == 400 and "agency" in other.context["form"].errors
    assert not NonApbdProposal.objects.filter(title="Bukan milik saya").exists()


def test_bappeda_proposes_for_any_agency(prima, users):
    response = client_for(users.bappeda).post(NEW, new_form(prima.agencies["disparpora"]))
    assert response.status_code == 302
    assert (
        NonApbdProposal.objects.get(title="Pelatihan kerja bersama industri").agency
        == (prima.agencies["disparpora"])
    )


@pytest.mark.parametrize("who", ["other_opd", "viewer", "camat", "outsider"])
def test_others_cannot_change_an_agencys_proposal(prima, users, camat, fair, who):
    user = camat if who == "camat" else getattr(users, who)
    client = client_for(user)
    response = client.post(edit_url(fair), form_of(fair, title="Diubah"))
    assert response.status_code == 403
    status = client.post(
        edit_url(fair),
        {"form": "status", "status": "funded", "status_note": "x", "version": fair.version},
    )
    assert status.status_code == 403
    fair.refresh_from_db()
    assert fair.title != "Diubah" and fair.status == "in_rkpd"
    if who in ("viewer", "camat"):
        assert client.post(NEW, new_form(prima.agencies["disnakertrans"])).status_code == 403
        assert client.get(IMPORT).status_code == 403


def test_public_is_sent_to_login(prima, client, fair):
    response = client.post(edit_url(fair), form_of(fair, title="Diubah"))
    assert response.status_code == 302 and "/akun/login/" in response["Location"]


def test_the_owner_edits_but_only_bappeda_moves_the_rkpd_status(prima, users, fair):
    owner = client_for(users.owner)
    page = owner.get(edit_url(fair)).content.decode()
    assert 'name="status"' not in page  # no status form for the agency
    assert owner.post(edit_url(fair), form_of(fair, scheme="Sponsor dan CSR")).status_code == 302
    fair.refresh_from_db()
    assert fair.scheme == "Sponsor dan CSR" and fair.version == 2
    denied = owner.post(
        edit_url(fair),
        {"form": "status", "status": "funded", "status_note": "x", "version": fair.version},
    )
    assert denied.status_code == 403
    bappeda = client_for(users.bappeda)
    assert 'name="status"' in bappeda.get(edit_url(fair)).content.decode()
    no_note = bappeda.post(
        edit_url(fair),
        {"form": "status", "status": "funded", "status_note": "", "version": fair.version},
    )
    assert no_note.status_code == 400
    assert no_note.context["status_form"].errors["status_note"] == [
        "Jelaskan alasan perubahan status."
    ]
    done = bappeda.post(
        edit_url(fair),
        {
            "form": "status",
            "status": "funded",
            "status_note": "Sponsor menandatangani MoU",
            "version": fair.version,
        },
    )
    assert done.status_code == 302
    fair.refresh_from_db()
    assert (fair.status, fair.status_note, fair.version) == (
        "funded",
        "Sponsor menandatangani MoU",
        3,
    )
    entry = AuditEntry.objects.filter(content_type__model="nonapbdproposal", object_id=str(fair.pk))
    assert entry.order_by("-at", "-pk").first().comment == "Sponsor menandatangani MoU"


# --- bad input and stale saves -----------------------------------------------------------------


def test_bad_input_gets_indonesian_field_errors(prima, users, fair):
    client = client_for(users.owner)
    response = client.post(
        NEW,
        new_form(
            prima.agencies["disnakertrans"], estimated_cost="mahal", source="apbd_kab", title=""
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["estimated_cost"] == ["Masukkan angka, misalnya 1.250.000 atau 45,5."]
    assert "source" in errors and "title" in errors  # the APBD is not a non-APBD source
    negative = client.post(NEW, new_form(prima.agencies["disnakertrans"], estimated_cost="-5"))
    assert negative.context["form"].errors["estimated_cost"] == [
        "Perkiraan biaya tidak boleh negatif."
    ]
    assert not NonApbdProposal.objects.filter(title="Pelatihan kerja bersama industri").exists()


def test_a_stale_save_shows_what_changed_and_keeps_what_was_typed(prima, users, fair):
    client = client_for(users.owner)
    typed = form_of(fair, estimated_cost="175.000.000", title="Job fair tiga kali setahun")
    services.update(
        fair, users.bappeda, expected_version=fair.version, estimated_cost=D(160_000_000)
    )
    response = client.post(edit_url(fair), typed)
    assert response.status_code == 409
    rows = {r["label"]: r for r in response.context["conflict"]}
    cost = rows["Perkiraan biaya (Rp)"]
    assert cost["stored"] == "160.000.000" and cost["typed"] == "175.000.000"
    html = response.content.decode()
    assert 'value="175.000.000"' in html and 'value="Job fair tiga kali setahun"' in html
    fair.refresh_from_db()
    assert fair.estimated_cost == D(160_000_000)
    again = client.post(edit_url(fair), typed | {"version": str(fair.version)})
    assert again.status_code == 302
    fair.refresh_from_db()
    assert fair.estimated_cost == D(175_000_000) and fair.title == "Job fair tiga kali setahun"


def test_a_stale_status_change_is_shown_and_kept(prima, users, fair):
    client = client_for(users.bappeda)
    old = fair.version
    services.update(fair, users.owner, expected_version=old, scheme="Lain")
    response = client.post(
        edit_url(fair),
        {"form": "status", "status": "rejected", "status_note": "Tidak layak", "version": old},
    )
    assert response.status_code == 409 and response.context["status_conflict"] is not None
    assert 'value="Tidak layak"' in response.content.decode()
    fair.refresh_from_db()
    assert fair.status == "in_rkpd"


# --- XLSX round trip ---------------------------------------------------------------------------


def _export(client):  # type: ignore[no-untyped-def]
    response = client.get(LIST + "?unduh=xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _upload(client, book):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    book.save(out)
    return client.post(IMPORT, {"file": SimpleUploadedFile("usulan.xlsx", out.getvalue())})


def _col(ws, label):  # type: ignore[no-untyped-def]
    return [c.value for c in ws[1]].index(label) + 1


def _last_message(response):  # type: ignore[no-untyped-def]
    return [str(m) for m in response.wsgi_request._messages][-1]


def test_export_imports_back_unchanged_then_one_change_then_a_bad_cell(prima, users, fair):
    client = client_for(users.bappeda)
    book = _export(client)
    ws = book.active
    count = NonApbdProposal.objects.filter(region_id="16.07").count()
    assert ws.max_row == count + 1
    audits = AuditEntry.objects.count()
    response = _upload(client, book)
    assert response.status_code == 302
    assert re.search(rf"\b0\D+0\D+{count}\b", _last_message(response))
    assert AuditEntry.objects.count() == audits

    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == fair.pk)
    ws.cell(row, _col(ws, "Perkiraan biaya (Rp)")).value = "Rp 175.000.000"
    assert _upload(client, book).status_code == 302
    fair.refresh_from_db()
    assert fair.estimated_cost == D(175_000_000) and fair.version == 2
    assert AuditEntry.objects.count() == audits + 1

    book = _export(client)
    ws = book.active
    ws.cell(row, _col(ws, "Usulan pembiayaan")).value = "APBD kabupaten"
    other = next(r for r in range(2, ws.max_row + 1) if r != row)
    ws.cell(other, _col(ws, "Judul")).value = "Tidak tersimpan"
    response = _upload(client, book)
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(row, "Usulan pembiayaan")]
    assert not NonApbdProposal.objects.filter(title="Tidak tersimpan").exists()


def test_an_agency_imports_its_own_rows_and_cannot_move_the_status(prima, users, fair):
    client = client_for(users.owner)
    book = _export(client)
    ws = book.active
    assert ws.max_row == NonApbdProposal.objects.filter(region_id="16.07").count() + 1
    response = _upload(client, book)  # the whole list back, unchanged: nothing to refuse
    assert response.status_code == 302
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == fair.pk)
    ws.cell(row, _col(ws, "Status RKPD")).value = "Pembiayaan diperoleh"
    others = NonApbdProposal.objects.exclude(agency=prima.agencies["disnakertrans"]).first()
    foreign = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == others.pk)
    ws.cell(foreign, _col(ws, "Judul")).value = "Diubah oleh dinas lain"
    response = _upload(client, book)
    assert response.status_code == 400
    assert sorted((e.row, e.column) for e in response.context["result"].errors) == sorted(
        [(row, ""), (foreign, "")]
    )
    fair.refresh_from_db()
    assert fair.status == "in_rkpd"
    assert not NonApbdProposal.objects.filter(title="Diubah oleh dinas lain").exists()
