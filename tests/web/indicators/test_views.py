"""The pages: dashboard cards, indicator page, comparison, language and security headers."""

import json

import pytest

from sinergi.web.demo.services import seed_rows
from sinergi.web.indicators import services
from sinergi.web.indicators.importer import import_rows
from sinergi.web.indicators.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    import_rows(seed_rows())


def card(html: str, code: str) -> str:
    start = html.index(f'data-indicator="{code}"')
    return html[start : html.index("</article>", start)]


def test_dashboard_shows_the_seed_figures(client, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/wilayah/16.07/?tahun=2023")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kabupaten Banyuasin" in html
    poverty = card(html, "poverty_rate")
    assert "9,58" in poverty  # Indonesian decimal comma, as of 2023
    irb = card(html, "bureaucracy_reform_index")
    assert "70,23" in irb and ">BB<" in irb
    stunting = card(html, "stunting_prevalence")
    assert "11,0" in stunting and "status-not_achieved" in stunting
    assert "&lt; 10,0" in stunting
    latest = client.get("/wilayah/16.07/").content.decode()
    assert "9,31" in card(latest, "poverty_rate")
    assert "<svg" in card(latest, "poverty_rate")  # sparkline of 10.00 -> 9.58 -> 9.31


def test_indicator_page_has_chart_data_targets_and_revisions(client, seeded, banyuasin, make_user):
    growth = Indicator.objects.get(code="economic_growth")
    services.record_value(
        indicator=growth,
        region=banyuasin,
        period="2024",
        value="5.20",
        reason="BPS revision",
        source="BPS 2025",
    )
    html = client.get("/wilayah/16.07/indikator/economic_growth/").content.decode()
    data = json.loads(
        html.split('id="indicator-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["labels"][0] == "2021" and data["labels"][-1] == "2029"
    assert data["series"][:4] == [3.44, 5.32, 5.06, 5.2]
    assert data["targets"][0]["value"] == 8.0 and data["targets"][0]["level"] == "rpjmn"
    assert (
        data["projection"]["year"] == 2029
        and data["projection"]["low"] < data["projection"]["value"] < data["projection"]["high"]
    )
    assert "RPJMN 2025-2029" in html
    assert "BPS revision" in html and "5,14" in html  # the old figure is kept and shown


def test_comparison_ranks_sub_regions(client, seeded):
    p0 = Indicator.objects.get(code="poverty_rate")
    from sinergi.web.regions.models import Region

    for code, value in [("16.07.01", 12.0), ("16.07.02", 8.5), ("16.07.03", 10.1)]:
        services.record_value(
            indicator=p0, region=Region.objects.get(code=code), period="2023", value=value
        )
    response = client.get("/banding/poverty_rate/16.07/?tahun=2023")
    html = response.content.decode()
    assert response.status_code == 200
    chart = json.loads(
        html.split('id="ranking-data" type="application/json">')[1].split("</script>")[0]
    )
    assert chart["labels"] == ["Banyuasin II", "Banyuasin III", "Banyuasin I"]  # lower is better
    assert chart["values"] == [8.5, 10.1, 12.0]
    assert "Pulau Rimau" in html  # listed among the regions without data


def test_indonesian_by_default_english_on_request(client, seeded):
    html = client.get("/wilayah/16.07/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert 'lang="id"' in html and "Pertumbuhan ekonomi" in html and "Tidak tercapai" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/wilayah/16.07/"})
    english = client.get("/wilayah/16.07/").content.decode()
    assert 'lang="en"' in english and "Economic growth" in english and "Not achieved" in english


def test_security_headers(client, seeded):
    response = client.get("/wilayah/16.07/")
    csp = response.headers["Content-Security-Policy"]
    assert (
        "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    )
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()  # no inline scripts


def test_unknown_region_is_404(client):
    assert client.get("/wilayah/99.99/").status_code == 404
    assert client.get("/wilayah/16.07/indikator/nope/").status_code == 404


def test_home_redirects_to_the_home_region(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/wilayah/16.07/"


def test_public_pages_withhold_unreliable_estimates(client, banyuasin, make_user):
    from sinergi.web.regions.models import Region

    p0 = Indicator.objects.get(code="poverty_rate")
    betung = Region.objects.get(code="16.07.05")
    services.record_value(
        indicator=p0,
        region=betung,
        period="2022",
        value=9.5,
        se=1.0,
        rse=10.5,
        quality_flag="publish",
    )
    services.record_value(
        indicator=p0,
        region=betung,
        period="2023",
        value=31.7,
        se=17.0,
        rse=53.6,
        quality_flag="unreliable",
    )
    public = client.get("/wilayah/16.07.05/").content.decode()
    assert "9,5" in card(public, "poverty_rate") and "31,7" not in public
    assert "31,7" not in client.get("/wilayah/16.07.05/indikator/poverty_rate/").content.decode()
    assert "31,7" not in client.get("/banding/poverty_rate/16.07/").content.decode()
    client.force_login(make_user("analyst", role="bappeda_admin"))
    inside = client.get("/wilayah/16.07.05/").content.decode()
    assert "31,7" in card(inside, "poverty_rate") and "tidak andal" in card(inside, "poverty_rate")
