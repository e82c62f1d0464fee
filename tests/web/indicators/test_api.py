"""The /api/v1/ endpoints: public reads, role-checked writes, 400/409 errors, query counts."""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from sinergi.web.demo.services import seed_rows
from sinergi.web.indicators.importer import import_rows
from sinergi.web.indicators.models import IndicatorValue, ValueRevision

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    import_rows(seed_rows())


def test_regions_by_parent_lists_the_21_kecamatan(api_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/regions/", {"parent": "16.07", "limit": 100})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 21
    assert results[0] == {
        "code": "16.07.01",
        "name": "Banyuasin I",
        "level": "district",
        "parent": "16.07",
        "active": True,
    }
    assert {r["level"] for r in results} == {"district"}


def test_indicator_catalogue(api_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = api_client.get("/api/v1/indicators/?limit=100")
    codes = [i["code"] for i in response.json()["results"]]
    for code in [
        "economic_growth",
        "poverty_rate",
        "poverty_gap",
        "poverty_severity",
        "extreme_poverty_rate",
        "open_unemployment_rate",
        "stunting_prevalence",
        "gini_ratio",
        "human_development_index",
        "bureaucracy_reform_index",
        "kpk_mcp_score",
    ]:
        assert code in codes
    irb = api_client.get("/api/v1/indicators/bureaucracy_reform_index/").json()
    assert irb["grades"][0] == [90, "AA"] and irb["polarity"] == "higher"


def test_values_filtered_by_indicator_and_region(api_client, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api_client.get(
            "/api/v1/values/", {"indicator": "poverty_rate", "region": "16.07"}
        )
    assert response.status_code == 200
    assert [(v["period"], v["value"]) for v in response.json()["results"]] == [
        ("2022", 10.0),
        ("2023", 9.58),
        ("2024", 9.31),
    ]


def test_query_count_does_not_grow_with_rows(api_client, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/values/?limit=500")
    assert response.json()["count"] == 26


def test_targets_of_a_regency_include_national_ones(
    api_client, seeded, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/targets/", {"region": "16.07"})
    targets = {(t["indicator"], t["region"], t["plan_level"]) for t in response.json()["results"]}
    assert ("economic_growth", "00", "rpjmn") in targets
    assert ("stunting_prevalence", "16.07", "aspiration") in targets


def test_achievements(api_client, seeded, django_assert_max_num_queries):
    # region, cache generations, and on a miss catalogue, values, targets
    with django_assert_max_num_queries(5):
        response = api_client.get("/api/v1/achievements/", {"region": "16.07", "year": 2023})
    rows = {r["indicator"]: r for r in response.json()}
    assert rows["poverty_rate"]["value"] == 9.58 and rows["poverty_rate"]["status"] == "no_target"
    assert rows["bureaucracy_reform_index"]["grade"] == "BB"
    stunting = rows["stunting_prevalence"]
    assert (stunting["value"], stunting["target"], stunting["status"]) == (
        11.0,
        10.0,
        "not_achieved",
    )
    assert stunting["achievement"] == 90.0 and stunting["band"] == "high"
    growth = rows["economic_growth"]
    assert growth["value"] == 5.06 and growth["target"] == 8.0 and growth["target_year"] == 2029
    assert growth["achievement"] == pytest.approx(63.25) and growth["band"] == "low"
    assert (
        growth["status"] in {"at_risk", "off_track", "on_track"}
        and growth["projection"] is not None
    )


def test_achievements_bad_input(api_client):
    # Bahasa Indonesia unless the client picked English (tests/web/api/test_messages.py).
    assert api_client.get("/api/v1/achievements/").json() == {
        "region": ["Parameter ini wajib diisi."]
    }
    assert (
        api_client.get("/api/v1/achievements/", {"region": "16.07", "year": "20x3"}).status_code
        == 400
    )
    assert api_client.get("/api/v1/achievements/", {"region": "99.99"}).status_code == 404


def test_anonymous_cannot_write(api_client):
    response = api_client.post(
        "/api/v1/values/",
        {"indicator": "poverty_rate", "region": "16.07", "period": "2025", "value": "9"},
    )
    assert response.status_code in (401, 403)
    assert not IndicatorValue.objects.exists()


def test_roles_and_scope_decide_writes(api_client, make_user):
    viewer = make_user("viewer", role="executive_viewer")
    other = make_user("ogan", role="bappeda_admin", region="16.01")
    bappeda = make_user("bappeda", role="bappeda_admin", region="16.07")
    payload = {
        "indicator": "poverty_rate",
        "region": "16.07",
        "period": "2025",
        "value": "9.1",
        "source": "BPS",
    }
    api_client.force_authenticate(viewer)
    assert api_client.post("/api/v1/values/", payload).status_code == 403
    api_client.force_authenticate(other)
    assert api_client.post("/api/v1/values/", payload).status_code == 403
    api_client.force_authenticate(bappeda)
    created = api_client.post("/api/v1/values/", payload)
    assert created.status_code == 201, created.json()
    assert created.json()["version"] == 1


def test_token_authentication_and_validation_errors(api_client, make_user):
    user = make_user("bappeda", role="bappeda_admin")
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    bad = api_client.post(
        "/api/v1/values/",
        {"indicator": "nope", "region": "16.07", "period": "2025-Q9", "value": "x", "se": -1},
    )
    assert bad.status_code == 400
    errors = bad.json()
    assert set(errors) >= {"indicator", "period", "value", "se"}
    assert "2025-Q9" in errors["period"][0]


def test_update_needs_version_and_conflicts_are_409(api_client, make_user, english):
    bappeda = make_user("bappeda", role="bappeda_admin")
    api_client.force_authenticate(bappeda)
    made = api_client.post(
        "/api/v1/values/",
        {
            "indicator": "poverty_rate",
            "region": "16.07",
            "period": "2023",
            "value": "9.60",
            "status": "preliminary",
        },
    ).json()
    url = f"/api/v1/values/{made['id']}/"
    assert api_client.patch(url, {"value": "9.58"}).json() == {
        "version": ["Send the version you edited (someone may have saved since)."]
    }
    ok = api_client.patch(
        url, {"value": "9.58", "version": 1, "reason": "final release", "status": "final"}
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api_client.patch(url, {"value": "9.57", "version": 1})
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": "Someone else saved this since you read it (it is now version 2); "
        "reload it and apply your change again.",
        "version": 2,
    }
    assert IndicatorValue.objects.get().value == Decimal("9.58")
    revisions = api_client.get(url + "revisions/").json()
    assert [(r["version"], r["old_value"], r["reason"]) for r in revisions] == [
        (1, 9.6, "final release")
    ]
    assert ValueRevision.objects.count() == 1


def test_public_does_not_see_unreliable_estimates(api_client, banyuasin, make_user):
    from sinergi.web.indicators import services
    from sinergi.web.indicators.models import Indicator

    p0 = Indicator.objects.get(code="poverty_rate")
    services.record_value(
        indicator=p0,
        region=banyuasin,
        period="2021",
        value=9.0,
        se=5.0,
        rse=55.0,
        quality_flag="unreliable",
    )
    services.record_value(
        indicator=p0,
        region=banyuasin,
        period="2022",
        value=9.0,
        se=1.0,
        rse=11.0,
        quality_flag="publish",
    )
    assert api_client.get("/api/v1/values/").json()["count"] == 1
    api_client.force_authenticate(make_user("analyst", role="bappeda_admin"))
    assert api_client.get("/api/v1/values/").json()["count"] == 2


def test_openapi_schema(api_client):
    response = api_client.get("/api/v1/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for route in [
        "/api/v1/regions/",
        "/api/v1/values/",
        "/api/v1/targets/",
        "/api/v1/achievements/",
    ]:
        assert route in body
