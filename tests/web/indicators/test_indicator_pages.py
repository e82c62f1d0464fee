"""Indicator pages tell the truth: state and target, band beside status, charts, sources, notes.

Each test reads the page (or the chart data it ships) as a Bappeda officer would.
"""

import json
import re

import pytest

from sinergi.web.demo.services import seed_rows
from sinergi.web.indicators import services
from sinergi.web.indicators.importer import import_rows
from sinergi.web.indicators.models import Indicator, Target
from sinergi.web.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    import_rows(seed_rows())


def card(html: str, code: str) -> str:
    start = html.index(f'data-indicator="{code}"')
    return html[start : html.index("</article>", start)]


def chart_json(html: str, element_id: str) -> dict:
    return json.loads(
        html.split(f'id="{element_id}" type="application/json">')[1].split("</script>")[0]
    )


def text(html: str) -> str:
    """The words a reader sees (tags dropped, whitespace collapsed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- state and target ------------------------------------------------------------


def test_value_without_baseline_is_cannot_be_judged_not_no_data(client, seeded):
    # About 22,000 unemployed (2017) against "-50 % from 2019" (a 2022 target) with no
    # 2019 value. The target is on the count: the article says "jumlah pengangguran".
    tpt = card(client.get("/wilayah/16.07/?tahun=2026").content.decode(), "unemployed_persons")
    words = text(tpt)
    assert "22.000" in words
    assert "status-no_baseline" in tpt and "Tidak dapat dinilai" in words
    assert "Tidak ada data" not in words
    assert "belum ada nilai untuk tahun dasar 2019" in words
    assert "-50% dari nilai tahun 2019" in words


def test_target_of_an_earlier_year_is_said_to_be_earlier(client, seeded, english):
    html = client.get("/wilayah/16.07/?tahun=2026").content.decode()
    words = text(card(html, "unemployed_persons"))
    assert "This target is for 2022, an earlier year; no target is set for 2026." in words
    # As of 2022 the same target is the year's own target: no such sentence.
    as_of_2022 = text(
        card(client.get("/wilayah/16.07/?tahun=2022").content.decode(), "unemployed_persons")
    )
    assert "an earlier year" not in as_of_2022


def test_a_current_target_is_preferred_to_an_earlier_one(seeded, banyuasin):
    tpt = Indicator.objects.get(code="unemployed_persons")
    services.set_target(
        indicator=tpt,
        region=banyuasin,
        plan_level="rpjmd",
        year=2026,
        value="11000",
        plan_document="RPJMD 2025-2029",
    )
    targets = list(Target.objects.filter(indicator=tpt).select_related("region"))
    status = services.evaluate_values(
        tpt, list(tpt.values.filter(region=banyuasin).chronological()), targets, "16.07", 2026
    )
    assert status.primary.target.year == 2026 and not status.primary.is_past
    assert [e.is_past for e in status.others] == [True]
    row = services.status_row(status)
    assert row["target_is_past"] is False and row["status"] != "no_baseline"


# --- band beside status ------------------------------------------------------------


def test_band_has_no_colour_that_contradicts_the_status(client, seeded):
    stunting = card(client.get("/wilayah/16.07/").content.decode(), "stunting_prevalence")
    assert "status-not_achieved" in stunting and "90,0%" in stunting
    band = re.search(r'<span class="band[^"]*"[^>]*>[^<]*</span>', stunting).group(0)
    assert "Tinggi" in band and 'data-band="high"' in band
    # No verdict colour class (band-high is green) beside a red "not achieved".
    assert re.search(r"band-(very_high|high|medium|low|very_low)\b", band) is None
    assert "band-neutral" in band


# --- charts ------------------------------------------------------------------------


def test_chart_ships_the_page_locale_decimals_and_a_zero_axis(client, seeded):
    html = client.get("/wilayah/16.07/indikator/poverty_rate/").content.decode()
    data = chart_json(html, "indicator-data")
    assert data["locale"] == "id-ID" and data["decimals"] == 2
    assert data["y_min"] == 0  # a rate: 10,00 -> 9,31 is drawn at its true size
    assert data["series_text"] == ["10,00", "9,58", "9,31"]  # as the table writes them
    for shown in data["series_text"]:
        assert shown in html


def test_chart_in_english_and_the_prediction_interval_label(client, seeded, english):
    data = chart_json(
        client.get("/wilayah/16.07/indikator/economic_growth/").content.decode(), "indicator-data"
    )
    assert data["locale"] == "en-GB"
    assert data["text"]["interval"] == "80% prediction interval"
    assert data["projection"]["value_text"] == f"{data['projection']['value']:.2f}"
    assert data["targets"][0]["label"] == "National medium-term plan (RPJMN) · Indonesia · 2029"


def test_interval_label_is_indonesian_on_indonesian_pages(client, seeded):
    data = chart_json(
        client.get("/wilayah/16.07/indikator/economic_growth/").content.decode(), "indicator-data"
    )
    assert data["text"]["interval"] == "Interval prediksi 80%"
    assert "(00)" not in json.dumps(data)  # region names, not codes, in the legend


def test_growth_axis_may_go_below_zero(client, seeded, banyuasin):
    growth = Indicator.objects.get(code="economic_growth")
    services.record_value(indicator=growth, region=banyuasin, period="2020", value="-1.2")
    data = chart_json(
        client.get("/wilayah/16.07/indikator/economic_growth/").content.decode(), "indicator-data"
    )
    assert data["y_min"] is None  # the JS then begins at zero and extends below it


def test_no_annual_value_shows_a_message_not_an_empty_chart(client, seeded):
    # Stunting has only undated figures (20 -> 11): nothing to draw over time.
    html = client.get("/wilayah/16.07/indikator/stunting_prevalence/").content.decode()
    assert 'id="indicator-chart"' not in html and 'id="indicator-data"' not in html
    assert 'data-empty="indicator-chart"' in html
    assert "Belum ada nilai tahunan sampai" in text(html)
    assert "chart.umd" not in html  # no chart library loaded for nothing


def test_year_with_no_data_shows_a_message(client, seeded):
    detail = client.get("/wilayah/16.07/indikator/poverty_rate/?tahun=2019").content.decode()
    assert 'id="indicator-chart"' not in detail and "sampai 2019" in text(detail)
    ranking = client.get("/banding/poverty_rate/16.07/?tahun=2019").content.decode()
    assert 'id="ranking-chart"' not in ranking
    assert "Belum ada sub-wilayah yang memiliki nilai indikator ini sampai 2019." in text(ranking)


def test_ranking_chart_ships_locale_and_zero_axis(client, seeded):
    p0 = Indicator.objects.get(code="poverty_rate")
    for code, value in [("16.07.01", 12.345), ("16.07.02", 8.5)]:
        services.record_value(
            indicator=p0, region=Region.objects.get(code=code), period="2023", value=value, se=1.25
        )
    data = chart_json(
        client.get("/banding/poverty_rate/16.07/?tahun=2023").content.decode(), "ranking-data"
    )
    assert data["locale"] == "id-ID" and data["x_min"] == 0
    assert data["values_text"] == ["8,50", "12,35"]  # half-up, as the table
    assert data["errors_text"] == ["1,250", "1,250"]


# --- sources and notes ----------------------------------------------------------------


def test_one_shared_source_is_written_once_and_never_as_a_file_name(client, seeded):
    p0 = Indicator.objects.get(code="poverty_rate")
    sentence = "SINTETIS: survei mirip Susenas, bukan data BPS [banyuasin-susenas.parquet]"
    for code in ["16.07.01", "16.07.02", "16.07.03"]:
        services.record_value(
            indicator=p0,
            region=Region.objects.get(code=code),
            period="2023",
            value=9.0,
            source=sentence,
            is_synthetic=True,
        )
    html = client.get("/banding/poverty_rate/16.07/?tahun=2023").content.decode()
    assert html.count("SINTETIS: survei mirip Susenas, bukan data BPS") == 1
    assert ".parquet" not in html
    assert html.count("flag-synthetic") >= 3  # each row keeps its synthetic mark


def test_detail_sources_are_numbered_citations(client, banyuasin):
    p0 = Indicator.objects.get(code="poverty_rate")
    speech = "Rapat Paripurna HUT Banyuasin ke-22 (pidato Pj. Bupati, 22 April 2024)"
    for period, source in [
        ("2022", f"{speech} [002_1625b9ee7aaa4cda.txt]"),
        ("2023", f"{speech} [002_1625b9ee7aaa4cda.txt]"),
        ("2024", "BPS Kabupaten Banyuasin, Banyuasin Dalam Angka 2025"),
    ]:
        services.record_value(
            indicator=p0, region=banyuasin, period=period, value=9.5, source=source
        )
    html = client.get("/wilayah/16.07/indikator/poverty_rate/").content.decode()
    assert ".txt" not in html and "002_1625" not in html
    assert html.count(speech) == 1 and html.count("Banyuasin Dalam Angka 2025") == 1
    assert html.count('href="#source-1"') == 2 and html.count('href="#source-2"') == 1
    assert 'id="source-1"' in html and 'id="source-2"' in html


def test_system_notes_are_translated_and_a_persons_note_is_kept(client, banyuasin):
    p0 = Indicator.objects.get(code="poverty_rate")
    betung = Region.objects.get(code="16.07.05")
    services.record_value(
        indicator=p0, region=betung, period="2022", value=9.5, note="approved submission (16.07.05)"
    )
    services.record_value(
        indicator=p0, region=betung, period="2023", value=9.1, note="angka sementara dari Dinsos"
    )
    services.record_value(
        indicator=p0,
        region=betung,
        period="2023",
        value=9.2,
        reason="aggregated from approved submissions",
    )
    html = text(client.get("/wilayah/16.07.05/indikator/poverty_rate/").content.decode())
    assert "dari laporan Betung yang telah disetujui" in html
    assert "approved submission" not in html and "16.07.05)" not in html
    assert "angka sementara dari Dinsos" in html
    assert "dijumlahkan dari laporan wilayah di bawahnya yang telah disetujui" in html


def test_sources_sinergi_writes_are_in_the_page_language(client, banyuasin, english):
    p0 = Indicator.objects.get(code="poverty_rate")
    services.record_value(
        indicator=p0,
        region=banyuasin,
        period="2023",
        value=9.5,
        source="Sinergi data collection: Pendataan kecamatan (illustrative demo figures)",
    )
    url = "/wilayah/16.07/indikator/poverty_rate/"
    assert "Sinergi data collection: Pendataan kecamatan (illustrative demo figures)" in text(
        client.get(url).content.decode()
    )
    client.cookies["django_language"] = "id"
    assert "Pendataan Sinergi: Pendataan kecamatan (angka ilustrasi untuk demo)" in text(
        client.get(url).content.decode()
    )


def test_periods_and_dates_read_as_people_write_them(client, banyuasin):
    from django.utils import timezone

    from sinergi.web.core.formatting import long_date

    p0 = Indicator.objects.get(code="poverty_rate")
    services.record_value(indicator=p0, region=banyuasin, period="2019-Q3", value=10.5)
    services.record_value(indicator=p0, region=banyuasin, period="2019-Q3", value=10.4)
    html = text(client.get("/wilayah/16.07/indikator/poverty_rate/").content.decode())
    assert "Triwulan III 2019" in html and "2019-Q3" not in html
    from django.utils import translation

    with translation.override("id"):
        today = long_date(timezone.localdate())
    assert f"diganti {today}" in html
    assert re.search(r"\d{4}-\d{2}-\d{2}", html) is None


# --- the value shown is the value judged -------------------------------------------------


def test_a_recent_quarter_of_a_rate_is_the_value_shown_and_judged(client, banyuasin):
    stunting = Indicator.objects.get(code="stunting_prevalence")
    betung = Region.objects.get(code="16.07.05")
    services.record_value(indicator=stunting, region=betung, period="2023", value="10.98")
    services.record_value(indicator=stunting, region=betung, period="2026-Q2", value="9.8")
    services.set_target(
        indicator=stunting,
        region=betung,
        plan_level="rpjmd",
        year=None,
        value="10",
        comparator="lt",
    )
    (status,) = services.region_statuses(betung, 2026, indicators=[stunting])
    row = services.status_row(status)
    assert (row["value"], row["value_period"]) == (9.8, "2026-Q2")
    assert row["status"] == "achieved" and row["achievement"] >= 100
    html = text(
        card(client.get("/wilayah/16.07.05/?tahun=2026").content.decode(), "stunting_prevalence")
    )
    assert "9,8" in html and "Triwulan II 2026" in html and "Tercapai" in html


def test_a_quarter_of_a_count_is_not_judged_against_a_year(banyuasin):
    seekers = Indicator.objects.get(code="job_seekers_registered")
    services.record_value(indicator=seekers, region=banyuasin, period="2025", value=1200)
    services.record_value(indicator=seekers, region=banyuasin, period="2026-Q1", value=300)
    services.set_target(
        indicator=seekers, region=banyuasin, plan_level="rpjmd", year=2025, value=1000
    )
    (status,) = services.region_statuses(banyuasin, 2026, indicators=[seekers])
    assert status.latest.period == "2025"
    assert status.primary.evaluation.value == 1200
