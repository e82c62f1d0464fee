"""The set-up hub /pengaturan/ and its top-bar link: who sees which entries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sinergi.web.accounts.models import Agency
from sinergi.web.accounts.policy import Policy, start_memo
from sinergi.web.core.setup import GROUPS, Entry, links_for


@pytest.fixture
def dinsos(db):  # type: ignore[no-untyped-def]
    return Agency.objects.create(region_id="16.07", code="dinsos", name="Dinas Sosial")


@pytest.fixture
def disnaker(db):  # type: ignore[no-untyped-def]
    return Agency.objects.create(region_id="16.07", code="disnakertrans", name="Disnakertrans")


def labels(user) -> set[str]:  # type: ignore[no-untyped-def]
    return {link.label for _title, links in links_for(user) for link in links}


def test_bappeda_sees_the_hub_with_its_set_up_pages(client, make_user):
    bappeda = make_user("bappeda", role="bappeda_admin")
    client.force_login(bappeda)
    home = client.get(reverse("home"), follow=True).content.decode()
    assert f'<a href="{reverse("setup-hub")}">Settings</a>' in home
    response = client.get(reverse("setup-hub"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("accounts-agencies", "accounts-users", "registry-import", "meeting-list"):
        assert f'href="{reverse(name)}"' in page
    assert "Institutions" in page and "Other capabilities" in page
    # Dinsos' catalogue is kept by its back office, not by Bappeda.
    assert reverse("slrt-services") not in page


def test_the_social_back_office_sees_only_its_catalogue(client, make_user, dinsos):
    verifier = make_user("dinsos", role="opd_operator", agency=dinsos)
    client.force_login(verifier)
    page = client.get(reverse("setup-hub")).content.decode()
    assert f'href="{reverse("slrt-services")}"' in page
    assert reverse("accounts-agencies") not in page and reverse("accounts-users") not in page


@pytest.mark.parametrize(
    ("username", "role", "region"),
    [("betung", "kecamatan_operator", "16.07.05"), ("exec", "executive_viewer", "16.07")],
)
def test_roles_without_entries_get_no_link_and_a_403(client, make_user, username, role, region):
    user = make_user(username, role=role, region=region)
    client.force_login(user)
    assert labels(user) == set()
    assert reverse("setup-hub") not in client.get(reverse("home"), follow=True).content.decode()
    assert client.get(reverse("setup-hub")).status_code == 403


def test_an_other_opd_sees_what_its_policy_lets_it(client, make_user, disnaker):
    operator = make_user("disnaker", role="opd_operator", agency=disnaker)
    assert "Agencies (OPD)" not in labels(operator) and "Users" not in labels(operator)


def test_the_public_is_sent_to_log_in(client, db):
    response = client.get(reverse("setup-hub"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert reverse("setup-hub") not in client.get(reverse("home"), follow=True).content.decode()


def test_an_unrouted_page_is_skipped_and_a_routed_one_found(make_user):
    policy = Policy.for_user(make_user("bappeda", role="bappeda_admin"))
    missing = Entry(("no-such-page",), "x", "x", lambda p: True)
    assert missing.url(policy) is None
    # Tried with the region code first, then without arguments.
    found = Entry(("no-such-page", "accounts-agencies"), "x", "x", lambda p: True)
    assert found.url(policy) == reverse("accounts-agencies")


def test_every_entry_the_hub_shows_opens_for_its_user(client, make_user, dinsos):
    """No entry leads to a refusal: the hub asks the same policies as the pages."""
    for user in (
        make_user("bappeda", role="bappeda_admin"),
        make_user("dinsos", role="opd_operator", agency=dinsos),
    ):
        client.force_login(user)
        for _title, links in links_for(user):
            for link in links:
                assert client.get(link.url).status_code == 200, (user, link.url)


def test_the_link_adds_no_query_beyond_the_kept_policies(
    make_user, dinsos, django_assert_num_queries
):
    from sinergi.web.registry.policy import RegistryPolicy

    for user in (
        make_user("bappeda", role="bappeda_admin"),
        make_user("dinsos", role="opd_operator", agency=dinsos),
        make_user("betung", role="kecamatan_operator", region="16.07.05"),
    ):
        start_memo(user)
        RegistryPolicy.for_user(user)  # what the top bar's other links already computed
        with django_assert_num_queries(0):
            links_for(user)
            links_for(user)


def test_groups_are_the_ones_of_the_issue():
    assert [str(g.title) for g in GROUPS] == [
        "Planning",
        "Indicators",
        "Data collection",
        "Institutions",
        "Other capabilities",
    ]


def test_a_superuser_opens_the_home_regions_pages(client, db):
    from django.conf import settings
    from django.contrib.auth.models import User

    root = User.objects.create_superuser("root", password="correct-horse-battery-9")
    client.force_login(root)
    page = client.get(reverse("setup-hub")).content.decode()
    home = settings.SINERGI_HOME_REGION
    assert f'href="{reverse("plan-flagships", args=[home])}"' in page
    assert f'href="{reverse("accounts-agencies")}"' in page
