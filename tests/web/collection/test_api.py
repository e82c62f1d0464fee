"""/api/v1/collection/: data sets, submissions read/write by role, 409 on stale versions."""

from sinergi.web.collection.models import Submission

from .conftest import BETUNG, RAMBUTAN

BASE = "/api/v1/collection"
VALUES = [
    {"element": "children_under5_measured", "category": "m", "value": "1300"},
    {"element": "children_under5_measured", "category": "f", "value": "1250"},
    {"element": "children_under5_stunted", "category": "m", "value": "150"},
    {"element": "children_under5_stunted", "category": "f", "value": "130"},
    {"element": "job_seekers_registered", "value": "120"},
    {"element": "kur_recipients_active", "value": "800"},
]


def test_datasets_list_with_a_fixed_number_of_queries(
    api_client, period, users, django_assert_max_num_queries
):
    api_client.force_authenticate(users["verifier"])
    with django_assert_max_num_queries(10):
        data = api_client.get(f"{BASE}/datasets/").json()
    (ds,) = data["results"]
    assert ds["code"] == "kecamatan-triwulanan" and len(ds["elements"]) == 4
    assert ds["elements"][0]["categories"] == ["m", "f"] and len(ds["reporting_regions"]) == 21
    assert {p["code"] for p in ds["periods"]} == {"2025-Q1", "2025-Q2"}


def test_submissions_list_with_a_fixed_number_of_queries(
    api_client, period, users, make_submission, django_assert_max_num_queries
):
    make_submission(period, status="submitted")
    make_submission(period, region=RAMBUTAN, status="submitted")
    api_client.force_authenticate(users["bappeda"])
    with django_assert_max_num_queries(6):
        data = api_client.get(f"{BASE}/submissions/", {"period": "2025-Q2"}).json()
    assert [r["region"] for r in data["results"]] == [BETUNG, RAMBUTAN]
    assert len(data["results"][0]["values"]) == 6


def test_operator_creates_edits_and_submits(api_client, period, users):
    api_client.force_authenticate(users["operator"])
    created = api_client.post(
        f"{BASE}/submissions/",
        {
            "dataset": "kecamatan-triwulanan",
            "period": "2025-Q2",
            "region": BETUNG,
            "values": VALUES,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["transitions"] == ["submit"] and body["issues"] == []
    again = api_client.post(
        f"{BASE}/submissions/",
        {"dataset": "kecamatan-triwulanan", "period": "2025-Q2", "region": BETUNG},
        format="json",
    )
    assert again.status_code == 409 and again.json()["id"] == body["id"]
    patched = api_client.patch(
        f"{BASE}/submissions/{body['id']}/",
        {
            "version": body["version"],
            "values": [{"element": "kur_recipients_active", "value": "810"}],
        },
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["version"] == body["version"] + 1
    stale = api_client.patch(
        f"{BASE}/submissions/{body['id']}/",
        {
            "version": body["version"],
            "values": [{"element": "kur_recipients_active", "value": "820"}],
        },
        format="json",
    )
    assert stale.status_code == 409 and stale.json()["version"] == body["version"] + 1
    submitted = api_client.post(
        f"{BASE}/submissions/{body['id']}/transition/",
        {"action": "submit", "version": patched.json()["version"]},
        format="json",
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"


def test_invalid_submit_is_a_400_with_the_reasons(api_client, period, users, make_submission):
    from .conftest import figures

    sub = make_submission(period, values=figures(measured=(10, 10), stunted=(50, 1)))
    api_client.force_authenticate(users["operator"])
    response = api_client.post(
        f"{BASE}/submissions/{sub.pk}/transition/",
        {"action": "submit", "version": sub.version},
        format="json",
    )
    assert response.status_code == 400
    assert any("50 ≤ 10" in m for m in response.json()["detail"])


def test_unknown_element_is_a_400(api_client, period, users, make_submission):
    sub = make_submission(period)
    api_client.force_authenticate(users["operator"])
    response = api_client.patch(
        f"{BASE}/submissions/{sub.pk}/",
        {"version": sub.version, "values": [{"element": "bogus", "value": "1"}]},
        format="json",
    )
    assert response.status_code == 400


def test_reviewer_steps_through_the_api(api_client, period, users, make_submission):
    sub = make_submission(period, status="submitted")
    api_client.force_authenticate(users["verifier"])
    verified = api_client.post(
        f"{BASE}/submissions/{sub.pk}/transition/",
        {"action": "verify", "version": sub.version},
        format="json",
    )
    assert verified.status_code == 200
    api_client.force_authenticate(users["bappeda"])
    approved = api_client.post(
        f"{BASE}/submissions/{sub.pk}/transition/",
        {"action": "approve", "version": verified.json()["version"]},
        format="json",
    )
    assert approved.json()["status"] == "approved"
    assert Submission.objects.get(pk=sub.pk).status == "approved"


def test_token_authentication_works(api_client, period, users):
    from sinergi.web.accounts.services import issue_token

    token = issue_token(users["operator"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(f"{BASE}/datasets/").status_code == 200
