"""Creating users: the service, the Bappeda page and `sinergi user add`."""

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.authtoken.models import Token

from sinergi.web.accounts import services
from sinergi.web.accounts.cli import user as user_cli
from sinergi.web.accounts.models import Agency
from sinergi.web.audit.services import history

GOOD = "Sungai-Musi-Lebar-77"


@pytest.fixture
def agency(db):  # type: ignore[no-untyped-def]
    return Agency.objects.create(region_id="16.07", code="disnakertrans", name="Disnakertrans")


def test_create_user_scoped_with_audit(make_user):
    admin = make_user("bappeda", role="bappeda_admin")
    created = services.create_user(
        username="betung",
        role="kecamatan_operator",
        region_code="16.07.05",
        password=GOOD,
        actor=admin,
    )
    assert created.profile.region_id == "16.07.05" and created.check_password(GOOD)
    entry = history(created).get()
    assert entry.actor == admin and entry.after["role"] == "kecamatan_operator"
    assert "password" not in entry.after


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (
            {"role": "kecamatan_operator", "region_code": "16.07"},
            "region",
        ),  # a regency is not a kecamatan
        ({"role": "opd_operator", "region_code": "16.07"}, "agency"),
        ({"role": "nobody", "region_code": "16.07"}, "role"),
        ({"role": "executive_viewer", "region_code": "99.99"}, "region"),
        (
            {"role": "executive_viewer", "region_code": "16.07", "password": "12345678901"},
            "password",
        ),
        ({"role": "executive_viewer", "region_code": "16.07", "password": "short"}, "password"),
    ],
)
def test_bad_input_is_refused_per_field(db, kwargs, field):
    with pytest.raises(services.UserError) as caught:
        services.create_user(username="x", **kwargs)
    assert field in caught.value.messages
    assert not User.objects.filter(username="x").exists()


def test_an_admin_cannot_create_users_outside_its_region(make_user):
    admin = make_user("bappeda-muba", role="bappeda_admin", region="16.06")
    with pytest.raises(services.UserError, match="may not create users"):
        services.create_user(username="spy", role="bappeda_admin", region_code="16.07", actor=admin)


def test_cli_adds_a_user_and_prints_a_working_token(db, agency, api_client):
    result = CliRunner().invoke(
        user_cli,
        [
            "add",
            "naker",
            "--role",
            "opd_operator",
            "--region",
            "16.07",
            "--agency",
            "disnakertrans",
            "--password-stdin",
            "--print-token",
        ],
        input=GOOD + "\n",
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert Token.objects.get(key=token).user.username == "naker"
    assert User.objects.get(username="naker").profile.agency == agency
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/collection/datasets/").status_code == 200


def test_cli_reports_problems_and_creates_nothing(db):
    result = CliRunner().invoke(
        user_cli, ["add", "kec", "--role", "kecamatan_operator", "--region", "16.07"]
    )
    assert result.exit_code != 0 and "region:" in result.output
    assert not User.objects.filter(username="kec").exists()


def test_cli_without_password_makes_a_token_only_user(db):
    result = CliRunner().invoke(
        user_cli,
        ["add", "robot", "--role", "executive_viewer", "--region", "16.07", "--print-token"],
    )
    assert result.exit_code == 0
    assert not User.objects.get(username="robot").has_usable_password()


def test_admin_page_creates_users_and_lists_only_its_region(client, make_user):
    admin = make_user("bappeda", role="bappeda_admin")
    make_user("far-away", role="executive_viewer", region="16.06")
    client.force_login(admin)
    url = reverse("accounts-users")
    response = client.post(
        url,
        {
            "username": "rambutan",
            "role": "kecamatan_operator",
            "region": "16.07.06",
            "password1": GOOD,
            "password2": GOOD,
            "issue_token": "on",
        },
    )
    assert response.status_code == 200 and 'id="new-token"' in response.content.decode()
    assert User.objects.get(username="rambutan").profile.region_id == "16.07.06"
    listing = client.get(url).content.decode()
    assert "rambutan" in listing and "far-away" not in listing


def test_users_page_is_for_bappeda_only(client, make_user):
    client.force_login(make_user("op", role="kecamatan_operator", region="16.07.05"))
    assert client.get(reverse("accounts-users")).status_code == 404
    response = client.post(
        reverse("accounts-users"), {"username": "x", "role": "bappeda_admin", "region": "16.07"}
    )
    assert response.status_code == 404 and not User.objects.filter(username="x").exists()


def test_disabling_a_user_of_another_region_is_404(client, make_user):
    admin = make_user("bappeda", role="bappeda_admin")
    far = make_user("far-away", role="executive_viewer", region="16.06")
    client.force_login(admin)
    assert client.post(reverse("accounts-toggle-active", args=[far.pk])).status_code == 404
    far.refresh_from_db()
    assert far.is_active


def test_disabling_asks_for_confirmation_first(client, make_user):
    admin = make_user("bappeda", role="bappeda_admin")
    op = make_user("betung", role="kecamatan_operator", region="16.07.05")
    client.force_login(admin)
    url = reverse("accounts-toggle-active", args=[op.pk])
    listing = client.get(reverse("accounts-users")).content.decode()
    assert f'href="{url}"' in listing  # "Disable" is a link to the confirmation page
    for response in (client.get(url), client.post(url)):  # neither acts by itself
        assert response.status_code == 200
        assert "Disable betung?" in response.content.decode()
        op.refresh_from_db()
        assert op.is_active
    assert client.post(url, {"active": "0"}).status_code == 302
    op.refresh_from_db()
    assert not op.is_active
    confirm = client.get(url).content.decode()
    assert "Enable betung?" in confirm
    client.post(url, {"active": "1"})
    op.refresh_from_db()
    assert op.is_active


def test_the_verifier_role_is_not_labelled_a_plain_operator(client, make_user, agency):
    admin = make_user("bappeda", role="bappeda_admin")
    make_user("verifikator", role="opd_operator", agency=agency)
    client.force_login(admin)
    listing = client.get(reverse("accounts-users")).content.decode()
    assert "OPD operator and verifier" in listing
