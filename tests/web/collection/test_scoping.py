"""No role reads or writes outside its scope: pages, API and exports; ids cannot be guessed."""

import pytest
from django.urls import reverse

from sinergi.web.collection.models import Submission

from .conftest import BETUNG, RAMBUTAN, figures, post_data

BASE = "/api/v1/collection"


@pytest.fixture
def betung(period, make_submission):  # type: ignore[no-untyped-def]
    """Betung's submission (submitted) and Rambutan's (approved)."""
    return make_submission(period, status="submitted"), make_submission(
        period, region=RAMBUTAN, status="approved"
    )


def entry_url(sub):  # type: ignore[no-untyped-def]
    return reverse(
        "collection-entry",
        kwargs={
            "code": sub.period.dataset.code,
            "period": sub.period.code,
            "region": sub.region_id,
        },
    )


def export_url(period, fmt="csv"):  # type: ignore[no-untyped-def]
    return reverse(
        "collection-download",
        kwargs={"code": period.dataset.code, "period": period.code, "kind": "ekspor", "fmt": fmt},
    )


# (user, can read Betung's submitted one, can read Rambutan's approved one)
READERS = [
    ("operator", True, False),
    ("other_operator", False, True),
    ("verifier", True, True),
    ("other_opd", False, False),
    ("bappeda", True, True),
    ("executive", False, True),
    ("outsider", False, False),
    ("public", False, False),
]


@pytest.mark.parametrize(("who", "sees_betung", "sees_rambutan"), READERS)
def test_pages_answer_404_outside_scope(client, users, betung, who, sees_betung, sees_rambutan):
    client.force_login(users[who])
    for sub, allowed in zip(betung, [sees_betung, sees_rambutan], strict=True):
        assert client.get(entry_url(sub)).status_code == (200 if allowed else 404), (who, sub)
        history = reverse("audit-history", args=["collection", "submission", sub.pk])
        assert client.get(history).status_code == (200 if allowed else 404), (who, "history")


@pytest.mark.parametrize(("who", "sees_betung", "sees_rambutan"), READERS)
def test_api_answers_404_outside_scope(api_client, users, betung, who, sees_betung, sees_rambutan):
    api_client.force_authenticate(users[who])
    listed = api_client.get(f"{BASE}/submissions/")
    if who == "public":
        assert listed.status_code == 403
        return
    ids = {r["id"] for r in listed.json()["results"]}
    for sub, allowed in zip(betung, [sees_betung, sees_rambutan], strict=True):
        assert (sub.pk in ids) is allowed
        assert api_client.get(f"{BASE}/submissions/{sub.pk}/").status_code == (
            200 if allowed else 404
        )


@pytest.mark.parametrize(("who", "sees_betung", "sees_rambutan"), READERS)
def test_exports_hold_only_what_the_user_may_read(
    client, users, betung, period, who, sees_betung, sees_rambutan
):
    client.force_login(users[who])
    response = client.get(export_url(period))
    if who in {"public", "outsider", "other_opd"}:
        assert response.status_code == 404  # the data set itself is out of scope
        return
    text = response.content.decode("utf-8-sig")
    assert (BETUNG in text) is sees_betung and (RAMBUTAN in text) is sees_rambutan


def test_anonymous_is_sent_to_log_in_and_the_api_refuses(client, api_client, betung, period):
    assert client.get(entry_url(betung[0])).status_code == 302
    assert client.get(export_url(period)).status_code == 302
    assert api_client.get(f"{BASE}/submissions/{betung[0].pk}/").status_code in {401, 403}
    assert api_client.get(
        f"{BASE}/completeness/", {"dataset": period.dataset.code}
    ).status_code in {401, 403}


def test_an_operator_cannot_write_another_kecamatan(client, api_client, users, betung, period):
    rambutan = betung[1]
    client.force_login(users["operator"])
    response = client.post(entry_url(rambutan), post_data(figures(), version=rambutan.version))
    assert response.status_code == 404
    api_client.force_authenticate(users["operator"])
    response = api_client.patch(
        f"{BASE}/submissions/{rambutan.pk}/",
        {
            "version": rambutan.version,
            "values": [{"element": "kur_recipients_active", "value": "1"}],
        },
        format="json",
    )
    assert response.status_code == 404
    created = api_client.post(
        f"{BASE}/submissions/",
        {"dataset": period.dataset.code, "period": period.code, "region": "16.07.07"},
        format="json",
    )
    assert created.status_code == 403
    assert not Submission.objects.filter(region_id="16.07.07").exists()


def test_readers_cannot_write(api_client, users, betung):
    for who in ["verifier", "bappeda", "executive"]:
        api_client.force_authenticate(users[who])
        sub = betung[0] if who != "executive" else betung[1]
        response = api_client.patch(
            f"{BASE}/submissions/{sub.pk}/",
            {
                "version": sub.version,
                "values": [{"element": "kur_recipients_active", "value": "1"}],
            },
            format="json",
        )
        assert response.status_code == 403, who
    sub = betung[0]
    sub.refresh_from_db()
    assert sub.values.get(element__code="kur_recipients_active").value == 800


def test_another_agency_cannot_verify_by_guessing_the_id(api_client, users, betung):
    api_client.force_authenticate(users["other_opd"])
    response = api_client.post(
        f"{BASE}/submissions/{betung[0].pk}/transition/",
        {"action": "verify", "version": betung[0].version},
        format="json",
    )
    assert response.status_code == 404


def test_completeness_outside_scope(client, api_client, users, period):
    url = reverse(
        "collection-completeness", kwargs={"code": period.dataset.code, "period": period.code}
    )
    for who, status in [("outsider", 404), ("other_opd", 404), ("public", 404), ("executive", 200)]:
        client.force_login(users[who])
        assert client.get(url).status_code == status, who
    api_client.force_authenticate(users["outsider"])
    response = api_client.get(
        f"{BASE}/completeness/", {"dataset": period.dataset.code, "period": period.code}
    )
    assert response.status_code == 404
