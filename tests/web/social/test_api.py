"""/api/v1/slrt/: scoped per role, anonymous refused, steps with versions, and the public
ticket answer without personal data."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sinergi.web.social import services
from sinergi.web.social.models import Case, Referral

from .conftest import DESA

pytestmark = pytest.mark.django_db

D = dt.date
API = "/api/v1/slrt"


@pytest.fixture
def referred(people, catalogue, make_case):
    """A case referred to Dinkes (running, overdue since long) and Disdik (rejected)."""
    case = make_case(opened_on=D(2026, 1, 5))
    health = services.refer(
        case, catalogue["dinkes-berobat"], user=people["front"], sent_on=D(2026, 1, 5)
    )
    school = services.refer(
        case, catalogue["disdik-beasiswa"], user=people["front"], sent_on=D(2026, 1, 5)
    )
    services.reject(school, user=people["disdik"], reason="no_capacity", on=D(2026, 1, 6))
    return case, health, school


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.mark.parametrize(
    "url", ["referrals/", "cases/", "services/", "report/", "referrals/1/", "cases/1/"]
)
def test_anonymous_is_refused(api_client, url):
    response = api_client.get(f"{API}/{url}")
    assert response.status_code == 401


def test_anonymous_may_not_write(api_client, referred):
    _case, health, _school = referred
    response = api_client.post(f"{API}/referrals/{health.pk}/accept/", {"version": 1})
    assert response.status_code == 401


def test_referral_list_has_the_sla_fields_and_is_scoped(api_client, people, referred):
    _case, health, school = referred
    data = as_user(api_client, people["dinsos"]).get(f"{API}/referrals/").json()
    rows = {r["id"]: r for r in data["results"]}
    assert set(rows) == {health.pk, school.pk}
    row = rows[health.pk]
    assert row["sent_on"] == "2026-01-05" and row["sla_working_days"] == 5
    assert row["due_on"] == "2026-01-12" and row["state"] == "in_progress"
    assert row["sla_status"] == "breached" and row["working_days_left"] < 0
    assert rows[school.pk]["sla_status"] == "on_track" and rows[school.pk]["state"] == "rejected"
    # Each agency its own queue; another kecamatan nothing.
    mine = as_user(api_client, people["dinkes"]).get(f"{API}/referrals/").json()["results"]
    assert [r["id"] for r in mine] == [health.pk]
    assert as_user(api_client, people["baznas"]).get(f"{API}/referrals/").json()["results"] == []
    other = as_user(api_client, people["other_front"]).get(f"{API}/referrals/").json()
    assert other["results"] == []


def test_filter_by_sla_status(api_client, people, referred):
    _case, health, _school = referred
    client = as_user(api_client, people["bappeda"])
    breached = client.get(f"{API}/referrals/", {"sla_status": "breached"}).json()["results"]
    assert [r["id"] for r in breached] == [health.pk]
    assert client.get(f"{API}/referrals/", {"sla_status": "at_risk"}).json()["results"] == []
    assert client.get(f"{API}/referrals/", {"sla_status": "late"}).status_code == 400


def test_aggregate_roles_get_cases_without_personal_data(api_client, people, referred):
    case, _health, _school = referred
    for who in ("bappeda", "executive"):
        response = as_user(api_client, people[who]).get(f"{API}/cases/")
        (row,) = response.json()["results"]
        assert row["ticket"] == case.ticket and row["consent"] == "given"
        for field in ("person_name", "nik_masked", "kk_masked", "address", "narrative"):
            assert row[field] is None
        body = response.content.decode()
        assert case.person_name not in body and "demam" not in body and case.nik_masked not in body
    front = as_user(api_client, people["front"]).get(f"{API}/cases/{case.pk}/").json()
    assert front["person_name"] == case.person_name and front["nik_masked"] == case.nik_masked
    # A service agency sees the cases referred to it, with the person (it serves them).
    dinkes = as_user(api_client, people["dinkes"]).get(f"{API}/cases/").json()["results"]
    assert [r["person_name"] for r in dinkes] == [case.person_name]
    assert as_user(api_client, people["baznas"]).get(f"{API}/cases/").json()["results"] == []


def test_the_flow_through_the_api(api_client, people, catalogue, english):
    front = as_user(api_client, people["front"])
    response = front.post(
        f"{API}/cases/",
        {
            "category": "health",
            "channel": "walk_in",
            "narrative": "Butuh kursi roda.",
            "desa": DESA,
            "name": "Pak Darto",
            "nik": "1607050101700003",
        },
    )
    assert response.status_code == 201, response.json()
    case = response.json()
    assert case["nik_masked"] == "1607**********03" and "nik" not in case
    refer = {"case": case["id"], "service": catalogue["dinkes-berobat"].pk}
    response = front.post(f"{API}/referrals/", refer)
    assert response.status_code == 400 and "consent" in json.dumps(response.json()).lower()
    response = front.post(f"{API}/cases/{case['id']}/consent/", {"consent": "given"})
    assert response.status_code == 201 and response.json()["consent"] == "given"
    response = front.post(f"{API}/referrals/", refer)
    assert response.status_code == 201, response.json()
    referral = response.json()
    # The wrong agency does not even see it; the front office may not accept.
    disdik = as_user(api_client, people["disdik"])
    url = f"{API}/referrals/{referral['id']}"
    assert disdik.post(f"{url}/accept/", {"version": 1}).status_code == 404
    assert (
        as_user(api_client, people["front"]).post(f"{url}/accept/", {"version": 1}).status_code
        == 403
    )
    dinkes = as_user(api_client, people["dinkes"])
    assert dinkes.post(f"{url}/accept/", {}).status_code == 400  # version required
    accepted = dinkes.post(f"{url}/accept/", {"version": referral["version"]})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    stale = dinkes.post(
        f"{url}/complete/", {"version": referral["version"], "outcome": "successful"}
    )
    assert stale.status_code == 409 and "detail" in stale.json()
    wrong = dinkes.post(f"{url}/complete/", {"version": accepted.json()["version"]})
    assert wrong.status_code == 400
    done = dinkes.post(
        f"{url}/complete/", {"version": accepted.json()["version"], "outcome": "successful"}
    )
    assert done.status_code == 200 and done.json()["state"] == "done"
    again = dinkes.post(f"{url}/accept/", {"version": done.json()["version"]})
    assert again.status_code == 409  # a done referral cannot be accepted
    assert Case.objects.get(pk=case["id"]).status == "closed"


def test_report_is_scoped_and_validates_dates(api_client, people, referred):
    client = as_user(api_client, people["executive"])
    report = client.get(f"{API}/report/", {"date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert report.status_code == 200
    data = report.json()
    assert data["cases"] == 1 and data["referrals_sent"] == 2 and data["answered"] == 1
    assert client.get(f"{API}/report/", {"date_from": "2026-13-01"}).status_code == 400
    assert client.get(f"{API}/report/", {"date_to": ""}).status_code == 400
    empty = client.get(f"{API}/report/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert empty.status_code == 200 and empty.json()["cases"] == 0
    other = as_user(api_client, people["other_front"]).get(f"{API}/report/").json()
    assert other["cases"] == 0


def test_public_ticket_shows_status_and_dates_only(api_client, referred):
    case, health, _school = referred
    response = api_client.get(f"{API}/tickets/{case.ticket.lower()}/")
    assert response.status_code == 200
    data = response.json()
    assert data["ticket"] == case.ticket and data["status"] == "open"
    assert [r["state"] for r in data["referrals"]] == ["in_progress", "rejected"]
    assert data["referrals"][0]["due_on"] == "2026-01-12"
    body = response.content.decode()
    for secret in (case.person_name, case.nik_masked, case.kk_masked, case.narrative, DESA,
                   case.address, health.service.name):  # fmt: skip
        assert secret and secret not in body
    assert api_client.get(f"{API}/tickets/SLRT-1607-2026-000001-XXXX/").status_code == 404


def test_referral_list_query_count_does_not_grow(
    api_client, people, catalogue, make_case, django_assert_max_num_queries
):
    client = as_user(api_client, people["dinsos"])
    for _i in range(3):
        services.refer(make_case(), catalogue["dinkes-berobat"], user=people["front"])
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{API}/referrals/").json()["results"]) == 3
    for _i in range(6):
        services.refer(make_case(), catalogue["baznas-modal"], user=people["front"])
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{API}/referrals/").json()["results"]) == 9
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{API}/cases/").json()["results"]) == 9
    assert Referral.objects.count() == 9
