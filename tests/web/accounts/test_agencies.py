"""Agencies (OPD) and their heads: the set-up pages, their rules and the admin's door."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from sinergi.web.accounts import agencies
from sinergi.web.accounts.models import Agency
from sinergi.web.audit.models import Action
from sinergi.web.audit.services import history

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def dinsos(db):  # type: ignore[no-untyped-def]
    return Agency.objects.create(
        region_id="16.07", code="dinsos", name="Dinas Sosial", short_name="Dinsos"
    )


@pytest.fixture
def other_regency(db):  # type: ignore[no-untyped-def]
    return Agency.objects.create(region_id="16.01", code="dinsos", name="Dinas Sosial OKU")


@pytest.fixture
def bappeda(make_user):  # type: ignore[no-untyped-def]
    return make_user("bappeda", role="bappeda_admin", region="16.07")


@pytest.fixture
def users(make_user, dinsos):  # type: ignore[no-untyped-def]
    """One user per role that must not manage agencies."""
    return {
        "opd": make_user("opd", role="opd_operator", agency=dinsos),
        "kecamatan": make_user("betung", role="kecamatan_operator", region="16.07.05"),
        "executive": make_user("exec", role="executive_viewer"),
        "province_opd": make_user("prov", role="opd_operator", region="16"),
    }


def login(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def form_data(agency, **changes):  # type: ignore[no-untyped-def]
    data = {
        "region": agency.region_id,
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "head_name": agency.head_name,
        "head_title": agency.head_title,
        "version": agency.version,
    }
    data.update(changes)
    return data


# --- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["opd", "kecamatan", "executive", "province_opd"])
@pytest.mark.parametrize(
    "name", ["accounts-agencies", "accounts-agency-new", "accounts-agency-import"]
)
def test_other_roles_are_refused(client, users, role, name):
    response = login(client, users[role]).get(reverse(name))
    assert response.status_code == 403


def test_other_roles_cannot_post_a_change(client, users, dinsos):
    response = login(client, users["opd"]).post(
        reverse("accounts-agency-edit", args=[dinsos.pk]), form_data(dinsos, name="Renamed")
    )
    assert response.status_code == 403
    dinsos.refresh_from_db()
    assert dinsos.name == "Dinas Sosial" and not history(dinsos).exists()


def test_public_is_sent_to_log_in(client, db):
    response = client.get(reverse("accounts-agencies"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_bappeda_of_another_regency_sees_neither_list_row_nor_edit(
    client, make_user, dinsos, other_regency
):
    oku = make_user("bappeda-oku", role="bappeda_admin", region="16.01")
    login(client, oku)
    listed = client.get(reverse("accounts-agencies"))
    assert listed.status_code == 200
    assert "Dinas Sosial OKU" in listed.content.decode()
    assert reverse("accounts-agency-edit", args=[dinsos.pk]) not in listed.content.decode()
    assert client.get(reverse("accounts-agency-edit", args=[dinsos.pk])).status_code == 404
    assert (
        client.post(
            reverse("accounts-agency-edit", args=[dinsos.pk]), form_data(dinsos, name="x")
        ).status_code
        == 404
    )


def test_service_refuses_an_actor_outside_the_region(make_user, dinsos):
    oku = make_user("bappeda-oku", role="bappeda_admin", region="16.01")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        agencies.update_agency(dinsos, oku, expected_version=1, name="x")
    with pytest.raises(PermissionDenied):
        agencies.create_agency(oku, region=dinsos.region, code="bapenda", name="Bapenda")


# --- list ------------------------------------------------------------------------------


def test_list_shows_own_region_searchable(client, bappeda, dinsos, other_regency):
    Agency.objects.create(region_id="16.07", code="bapenda", name="Badan Pendapatan Daerah")
    login(client, bappeda)
    page = client.get(reverse("accounts-agencies")).content.decode()
    assert "Dinas Sosial" in page and "Badan Pendapatan Daerah" in page
    assert "Dinas Sosial OKU" not in page
    found = client.get(reverse("accounts-agencies"), {"q": "pendapatan"}).content.decode()
    assert "Badan Pendapatan Daerah" in found and "Dinas Sosial" not in found


# --- create / edit ---------------------------------------------------------------------


def test_create_is_audited(client, bappeda):
    login(client, bappeda)
    response = client.post(
        reverse("accounts-agency-new"),
        {
            "region": "16.07",
            "code": "disparpora",
            "name": "Dinas Pariwisata, Pemuda dan Olahraga",
            "head_name": "Drs. H. Ahmad",
            "head_title": "Kepala Dinas",
        },
    )
    assert response.status_code == 302
    agency = Agency.objects.get(region_id="16.07", code="disparpora")
    assert agency.version == 1 and agency.head_name == "Drs. H. Ahmad"
    entry = history(agency).get()
    assert entry.action == Action.CREATE and entry.actor == bappeda


def test_edit_bumps_version_and_audits(client, bappeda, dinsos):
    login(client, bappeda)
    response = client.post(
        reverse("accounts-agency-edit", args=[dinsos.pk]),
        form_data(dinsos, head_name="Hj. Siti Aminah", head_title="Kepala Dinas Sosial"),
    )
    assert response.status_code == 302
    dinsos.refresh_from_db()
    assert dinsos.version == 2 and dinsos.head_name == "Hj. Siti Aminah"
    entry = history(dinsos).get()
    assert entry.action == Action.UPDATE and entry.before["head_name"] == ""
    assert entry.after["head_name"] == "Hj. Siti Aminah"


def test_region_cannot_be_changed_from_the_form(client, bappeda, dinsos):
    login(client, bappeda)
    client.post(
        reverse("accounts-agency-edit", args=[dinsos.pk]), form_data(dinsos, region="16.01")
    )
    dinsos.refresh_from_db()
    assert dinsos.region_id == "16.07"  # a disabled field keeps its stored value


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "dinas sosial!"}, "code", "slug"),
        ({"code": "bapenda"}, "code", "already used"),
        ({"name": ""}, "name", "required"),
        ({"short_name": "x" * 61}, "short_name", "at most 60"),
    ],
)
def test_bad_input_is_refused_per_field(client, bappeda, dinsos, changes, field, message):
    Agency.objects.create(region_id="16.07", code="bapenda", name="Bapenda")
    login(client, bappeda)
    response = client.post(
        reverse("accounts-agency-edit", args=[dinsos.pk]), form_data(dinsos, **changes)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]).lower()
    dinsos.refresh_from_db()
    assert dinsos.version == 1 and not history(dinsos).exists()


def test_bad_input_reads_indonesian(client, bappeda, dinsos):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    login(client, bappeda)
    response = client.post(
        reverse("accounts-agency-edit", args=[dinsos.pk]), form_data(dinsos, name="")
    )
    assert response.status_code == 400
    assert "harus diisi" in " ".join(response.context["form"].errors["name"]).lower()


def test_a_kecamatan_cannot_hold_an_agency(bappeda):
    from django.core.exceptions import ValidationError

    from sinergi.web.regions.models import Region

    with pytest.raises(ValidationError) as caught:
        agencies.create_agency(
            bappeda, region=Region.objects.get(code="16.07.05"), code="x", name="X"
        )
    assert "region" in caught.value.message_dict


def test_stale_save_shows_what_changed_and_keeps_what_was_typed(client, bappeda, dinsos):
    other = User.objects.create_user("bappeda2")
    from sinergi.web.accounts.models import Profile

    Profile.objects.create(user=other, role="bappeda_admin", region_id="16.07")
    agencies.update_agency(dinsos, other, expected_version=1, head_name="Budi Santoso")
    login(client, bappeda)
    response = client.post(
        reverse("accounts-agency-edit", args=[dinsos.pk]),
        form_data(dinsos, head_name="Siti Aminah", version=1),
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="conflict"' in page and "Budi Santoso" in page and "Siti Aminah" in page
    conflict = response.context["conflict"]
    assert [(c["stored"], c["typed"]) for c in conflict] == [("Budi Santoso", "Siti Aminah")]
    form = response.context["form"]
    assert form["head_name"].value() == "Siti Aminah" and str(form["version"].value()) == "2"
    dinsos.refresh_from_db()
    assert dinsos.head_name == "Budi Santoso" and dinsos.version == 2
    # Saving again, knowingly, replaces the other save.
    again = client.post(
        reverse("accounts-agency-edit", args=[dinsos.pk]),
        form_data(dinsos, head_name="Siti Aminah", version=2),
    )
    assert again.status_code == 302
    dinsos.refresh_from_db()
    assert dinsos.head_name == "Siti Aminah" and dinsos.version == 3


def test_history_page_is_open_to_the_region_bappeda(client, bappeda, users, dinsos):
    agencies.update_agency(dinsos, bappeda, expected_version=1, head_name="Budi")
    url = reverse("audit-history", args=["accounts", "agency", dinsos.pk])
    assert login(client, bappeda).get(url).status_code == 200
    client.logout()
    assert login(client, users["opd"]).get(url).status_code in (403, 404)


# --- the Django admin: superusers only -------------------------------------------------


def test_admin_refuses_staff_who_are_not_superusers(client, bappeda):
    staff = User.objects.create_user("staff", password=PASSWORD, is_staff=True)
    login(client, staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.get(reverse("admin:accounts_agency_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # A staff Bappeda administrator is no different.
    bappeda.is_staff = True
    bappeda.save()
    client.force_login(bappeda)
    assert client.get("/admin/").status_code == 302


def test_admin_opens_for_a_superuser(client, db):
    root = User.objects.create_superuser("root", password=PASSWORD)
    login(client, root)
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("admin:accounts_agency_changelist")).status_code == 200


def test_a_duplicate_code_reads_indonesian(client, bappeda, dinsos):
    from django.conf import settings

    Agency.objects.create(region_id="16.07", code="bapenda", name="Bapenda")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    login(client, bappeda)
    response = client.post(
        reverse("accounts-agency-edit", args=[dinsos.pk]), form_data(dinsos, code="bapenda")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [
        "Kode bapenda sudah dipakai OPD lain di wilayah ini."
    ]
