"""Generation tokens: which writes invalidate which cached results, what the cache keeps
apart (the public's view, drafts), and what a hit costs."""

from __future__ import annotations

import pytest
from django.test import Client

from sinergi.web.indicators import freshness, services
from sinergi.web.indicators.models import Generation, Indicator
from sinergi.web.regions.models import Region

pytestmark = pytest.mark.django_db


def token(scope: str) -> str:
    return freshness.tokens([scope])[0]


def test_a_scope_never_written_has_token_zero_and_a_bump_is_random_and_new():
    assert token("ind:16.07") == "0"
    freshness.bump("ind:16.07", "ind:16.07")  # the same scope twice: one row
    first = token("ind:16.07")
    freshness.bump("ind:16.07")
    assert first != "0" and token("ind:16.07") not in {"0", first}
    assert Generation.objects.filter(scope="ind:16.07").count() == 1


def test_values_and_targets_bump_their_region_only(banyuasin):
    stunting = Indicator.objects.get(code="stunting_prevalence")
    betung = Region.objects.get(code="16.07.05")
    regency = token("ind:16.07")
    value, _ = services.record_value(indicator=stunting, region=betung, period="2024", value="12")
    assert token("ind:16.07.05") != "0"
    # 21 kecamatan saving data do not empty the regency's cache
    assert token("ind:16.07") == regency
    kecamatan = token("ind:16.07.05")
    services.set_target(
        indicator=stunting, region=banyuasin, plan_level="rpjmd", year=2024, value="14"
    )
    assert token("ind:16.07") != regency and token("ind:16.07.05") == kecamatan
    # ... but the kecamatan's evaluation reads the regency's targets
    assert "ind:16.07" in freshness.indicator_scopes("16.07.05")
    before = token("ind:16.07.05")
    value.delete()
    assert token("ind:16.07.05") != before


def test_the_catalogue_bumps_every_region():
    before = token(freshness.ALL_INDICATORS)
    Indicator.objects.filter(code="poverty_rate").get().save()
    assert token(freshness.ALL_INDICATORS) != before


@pytest.fixture
def prima(db, settings, tmp_path):  # type: ignore[no-untyped-def]
    from sinergi.web.programs import demo

    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.load()


@pytest.mark.parametrize(
    "model",
    ["Activity", "Budget", "QuarterPlan", "Realisation", "OutputRealisation", "MonevRound"],
)
def test_every_monev_write_bumps_its_region(prima, model):
    from django.apps import apps

    obj = apps.get_model("programs", model).objects.filter(**_in_banyuasin(model)).first()
    before = token("monev:16.07")
    obj.save()
    assert token("monev:16.07") != before
    saved = token("monev:16.07")
    if model in {"OutputRealisation", "Realisation", "QuarterPlan", "Budget"}:
        obj.delete()
        assert token("monev:16.07") not in {before, saved}


def _in_banyuasin(model: str) -> dict[str, str]:
    return {
        "Activity": {"region_id": "16.07"},
        "MonevRound": {"region_id": "16.07"},
        "OutputRealisation": {"realisation__activity__region_id": "16.07"},
    }.get(model, {"activity__region_id": "16.07"})


def test_a_cached_monev_report_keeps_drafts_to_the_caller(prima, banyuasin):
    from sinergi.web.programs import services as monev

    first = monev.monev_data(banyuasin, 2019, 3)
    monev.reveal_drafts(first, lambda activity: True)
    again = monev.monev_data(banyuasin, 2019, 3)
    assert not any(row.draft_visible for row in again.rows)


def test_a_hit_costs_one_query(banyuasin, django_assert_num_queries):
    services.region_statuses(banyuasin, 2024)
    with django_assert_num_queries(1):
        services.region_statuses(banyuasin, 2024)


def test_unreliable_estimates_seen_by_bappeda_do_not_reach_the_public(banyuasin, make_user):
    """published_only is part of the key: the public never gets Bappeda's cached view."""
    services.record_value(
        indicator=Indicator.objects.get(code="poverty_rate"),
        region=banyuasin,
        period="2024",
        value="9.9",
        quality_flag="unreliable",
    )
    bappeda = Client()
    bappeda.force_login(make_user("bappeda", role="bappeda_admin"))
    rows = bappeda.get("/api/v1/achievements/", {"region": "16.07", "year": 2024}).json()
    assert next(r for r in rows if r["indicator"] == "poverty_rate")["value"] == 9.9
    public = Client().get("/api/v1/achievements/", {"region": "16.07", "year": 2024}).json()
    assert next(r for r in public if r["indicator"] == "poverty_rate")["value"] is None


def test_the_cache_can_be_switched_off(banyuasin, settings, django_assert_num_queries):
    settings.SINERGI_RESULT_CACHE = False
    services.region_statuses(banyuasin, 2024)
    with django_assert_num_queries(3):  # catalogue, values, targets: no token read
        services.region_statuses(banyuasin, 2024)


def test_results_follow_the_language(banyuasin):
    from django.utils import translation

    with translation.override("en"):
        english = services.achievement_rows(banyuasin, 2024)
    with translation.override("id"):
        indonesian = services.achievement_rows(banyuasin, 2024)
    assert english[0]["reason"] != indonesian[0]["reason"]
