"""No analytics lag: a value written is on the dashboard, the indicator page, the ranking
and the API in the very next request, with its new status; through the API (with the
version), through the collection entry form approved by the workflow, and through a
monev realisation saved and submitted. Results are cached (indicators.freshness), so
these tests also prove the cache is invalidated in the writing transaction, survives a
rolled-back write, and is consistent across processes (each with its own cache)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from sinergi.web.core.formatting import number
from sinergi.web.indicators import services
from sinergi.web.indicators.models import Indicator
from sinergi.web.regions.models import Region

pytestmark = pytest.mark.django_db

BETUNG = "16.07.05"
STUNTING = "stunting_prevalence"
YEAR = timezone.localdate().year


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def shown(value: str) -> str:
    """A stunting figure as pages write it (the indicator's decimals, Indonesian style)."""
    return number(Decimal(value), Indicator.objects.get(code=STUNTING).decimals)


def card(html: str, code: str) -> tuple[str, str]:
    """(status, value shown) of an indicator's card on a dashboard."""
    match = re.search(
        rf'status-border-(?P<status>\w+)" data-indicator="{code}">(?P<body>.*?)</article>',
        html,
        re.S,
    )
    assert match, f"no card for {code}"
    value = re.search(r'<span class="num">([^<]*)</span>', match["body"])
    return match["status"], value[1] if value else ""


def headline_status(html: str) -> str:
    match = re.search(r'<div class="headline"><span class="badge status-(\w+)"', html)
    assert match
    return match[1]


def achievement(api: Client, region: str, code: str, year: int = YEAR) -> dict:  # type: ignore[type-arg]
    rows = api.get("/api/v1/achievements/", {"region": region, "year": year}).json()
    return next(r for r in rows if r["indicator"] == code)


def everything(client: Client, region: str, code: str, year: int = YEAR) -> dict:  # type: ignore[type-arg]
    """What every reader sees of one indicator of ``region``, each in its own request."""
    query = f"?tahun={year}"
    dashboard = client.get(f"/wilayah/{region}/{query}").content.decode()
    detail = client.get(f"/wilayah/{region}/indikator/{code}/{query}").content.decode()
    ranking = client.get(f"/banding/{code}/{region.rsplit('.', 1)[0]}/{query}").content.decode()
    api = achievement(client, region, code, year)
    status, shown = card(dashboard, code)
    return {
        "dashboard": (status, shown),
        "detail_status": headline_status(detail),
        "detail": detail,
        "ranking": ranking,
        "api": (api["status"], api["value"]),
    }


@pytest.fixture
def stunting_target(db):  # type: ignore[no-untyped-def]
    """The regency's target: stunting below 14 % this year (Betung inherits it)."""
    services.set_target(
        indicator=Indicator.objects.get(code=STUNTING),
        region=Region.objects.get(code="16.07"),
        plan_level="rpjmd",
        year=YEAR,
        value="14",
        comparator="lt",
    )


def test_a_value_patched_through_the_api_is_everywhere_at_once(make_user, stunting_target):
    bappeda = make_user("bappeda", role="bappeda_admin")
    client = client_for(bappeda)
    before = everything(client, BETUNG, STUNTING)
    assert before["dashboard"] == ("no_data", "") and before["api"] == ("no_data", None)

    made = client.post(
        "/api/v1/values/",
        {"indicator": STUNTING, "region": BETUNG, "period": str(YEAR), "value": "16.4"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    seen = everything(client, BETUNG, STUNTING)
    assert seen["dashboard"] == ("not_achieved", shown("16.4"))
    assert seen["detail_status"] == "not_achieved" and seen["api"] == ("not_achieved", 16.4)
    assert shown("16.4") in seen["ranking"]

    patched = client.patch(
        f"/api/v1/values/{made.json()['id']}/",
        {"value": "12.1", "version": made.json()["version"]},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.json()
    seen = everything(client, BETUNG, STUNTING)
    assert seen["dashboard"] == ("achieved", shown("12.1"))
    assert seen["detail_status"] == "achieved" and seen["api"] == ("achieved", 12.1)
    assert shown("12.1") in seen["ranking"]
    assert shown("16.4") not in seen["ranking"]


def test_a_target_of_the_regency_changes_the_kecamatan_status_at_once(make_user, stunting_target):
    """Targets of ancestors are part of a region's evaluation (their generations too)."""
    client = client_for(make_user("bappeda", role="bappeda_admin"))
    services.record_value(
        indicator=Indicator.objects.get(code=STUNTING),
        region=Region.objects.get(code=BETUNG),
        period=str(YEAR),
        value="13",
    )
    assert everything(client, BETUNG, STUNTING)["api"] == ("achieved", 13.0)
    target = services.Target.objects.get(region_id="16.07", indicator__code=STUNTING)
    response = client.patch(
        f"/api/v1/targets/{target.pk}/",
        {"value": "12", "version": target.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    seen = everything(client, BETUNG, STUNTING)
    assert seen["api"] == ("not_achieved", 13.0)
    assert seen["dashboard"][0] == "not_achieved" and seen["detail_status"] == "not_achieved"


# --- the collection entry form, approved by the workflow ----------------------------


@pytest.fixture
def period(db):  # type: ignore[no-untyped-def]
    from sinergi.web.accounts.models import Agency
    from sinergi.web.collection.demo import _dataset
    from sinergi.web.collection.models import Period

    agency = Agency.objects.create(region_id="16.07", code="bappeda-litbang", name="Bappeda")
    dataset = _dataset(Region.objects.get(code="16.07"), agency)
    return Period.objects.create(
        dataset=dataset,
        code=f"{YEAR}-Q1",
        opens_on=dt.date(YEAR, 1, 1),
        closes_on=timezone.localdate() + dt.timedelta(days=30),
    )


def test_values_approved_on_the_entry_form_are_everywhere_at_once(
    make_user, period, stunting_target
):
    from sinergi.web.collection.models import Submission

    operator = client_for(make_user("op", role="kecamatan_operator", region=BETUNG))
    verifier = client_for(make_user("ver", role="opd_operator", agency=period.dataset.owner))
    bappeda = client_for(make_user("bappeda", role="bappeda_admin"))
    entry = f"/pendataan/{period.dataset.code}/{period.code}/{BETUNG}/"
    figures = {
        "v:children_under5_measured:m": "1300",
        "v:children_under5_measured:f": "1250",
        "v:children_under5_stunted:m": "150",
        "v:children_under5_stunted:f": "130",
        "v:job_seekers_registered:": "120",
        "v:kur_recipients_active:": "800",
    }
    assert operator.post(entry, {**figures, "version": "", "do": "submit"}).status_code == 302
    before = everything(bappeda, BETUNG, STUNTING)
    assert before["api"] == ("no_data", None)  # submitted is not published

    for client, action in ((verifier, "verify"), (bappeda, "approve")):
        sub = Submission.objects.get(period=period, region_id=BETUNG)
        done = client.post(entry + "aksi/", {"action": action, "version": sub.version})
        assert done.status_code == 302, action
    assert Submission.objects.get(period=period, region_id=BETUNG).status == "approved"

    # 280 stunted of 2,550 measured: 10.98 %, below the regency's 14 %.
    seen = everything(bappeda, BETUNG, STUNTING)
    assert seen["api"] == ("achieved", 10.98)
    assert seen["dashboard"] == ("achieved", shown("10.98"))
    assert seen["detail_status"] == "achieved"
    assert f'<td class="num">{shown("10.98")}' in seen["detail"]
    # (the ranking compares annual values only: a quarter's figure is not on it)


# --- a monev realisation saved, then submitted ---------------------------------------


@pytest.fixture
def prima(db, settings, tmp_path):  # type: ignore[no-untyped-def]
    from sinergi.web.programs import demo
    from sinergi.web.programs.models import Activity

    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.load()
    return Activity.objects.get(region_id="16.07", year=2019, code="2.07.04.2.03.0001")


def summary(client: Client, agency_id: int) -> dict:  # type: ignore[type-arg]
    body = client.get("/api/v1/monev/summary/", {"region": "16.07", "year": 2019, "quarter": 4})
    return next(a for a in body.json()["agencies"] if a["agency_id"] == agency_id)


def report_badge(html: str, activity_pk: int) -> str:
    row = re.search(
        rf'href="/monev/kegiatan/{activity_pk}/\?tw=4">.*?<span class="badge rstatus-(\w+)">'
        r"(.*?)</td>",
        html,
        re.S,
    )
    assert row, "activity row missing"
    return row[1] + ("|draft" if "muted" in row[2] else "")


def test_a_realisation_saved_then_submitted_is_on_the_monev_at_once(prima, make_user):
    from sinergi.web.accounts.models import Agency

    agency = prima.agency
    owner = client_for(make_user("owner", role="opd_operator", agency=agency))
    other = client_for(
        make_user("other", role="opd_operator", agency=Agency.objects.get(code="disparpora"))
    )
    public = Client()
    overview = "/monev/16.07/2019/tw4/"
    output = prima.indicators.first()
    spent_before = Decimal(str(summary(public, agency.pk)["spent"]))
    assert report_badge(owner.get(overview).content.decode(), prima.pk) == "not_submitted"
    assert report_badge(other.get(overview).content.decode(), prima.pk) == "not_submitted"

    form = {
        "physical_pct": "95,5",
        "spent": "Rp 90.000.000",
        "problems": "",
        "follow_up": "",
        "version": "0",
        f"output_{output.pk}": "3",
    }
    url = f"/monev/kegiatan/{prima.pk}/realisasi/tw4/"
    assert owner.post(url, {**form, "action": "save"}).status_code == 302
    # A draft: its agency sees it at once; another agency and the public do not, and the
    # cached report did not carry the owner's view to them.
    assert report_badge(owner.get(overview).content.decode(), prima.pk) == "not_submitted|draft"
    assert report_badge(other.get(overview).content.decode(), prima.pk) == "not_submitted"
    assert Decimal(str(summary(public, agency.pk)["spent"])) == spent_before
    report_file = "/monev/16.07/2019/tw4/laporan.xlsx"
    assert 90_000_000 not in xlsx_numbers(other.get(report_file).content)  # built and cached

    from sinergi.web.programs.models import Realisation

    real = Realisation.objects.get(activity=prima, quarter=4)
    assert (
        owner.post(url, {**form, "version": str(real.version), "action": "submit"}).status_code
        == 302
    )
    assert report_badge(other.get(overview).content.decode(), prima.pk) == "submitted"
    assert Decimal(str(summary(public, agency.pk)["spent"])) == spent_before + 90_000_000
    assert 90_000_000 in xlsx_numbers(other.get(report_file).content)  # the report file too


def xlsx_numbers(content: bytes) -> set[float]:
    """Every number in a workbook's cells."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    return {
        float(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, int | float) and not isinstance(cell, bool)
    }


# --- rollback and processes ------------------------------------------------------------


class Boom(Exception):
    pass


def test_a_rolled_back_write_leaves_the_cache_valid(make_user, stunting_target):
    client = client_for(make_user("bappeda", role="bappeda_admin"))
    indicator = Indicator.objects.get(code=STUNTING)
    betung = Region.objects.get(code=BETUNG)
    services.record_value(indicator=indicator, region=betung, period=str(YEAR), value="16")
    row = achievement(client, BETUNG, STUNTING)
    assert (row["status"], row["value"]) == ("not_achieved", 16.0)
    with pytest.raises(Boom), transaction.atomic():
        services.record_value(indicator=indicator, region=betung, period=str(YEAR), value="12")
        # read (and cached) inside the doomed transaction
        assert achievement(client, BETUNG, STUNTING)["value"] == 12.0
        raise Boom
    seen = everything(client, BETUNG, STUNTING)
    assert seen["api"] == ("not_achieved", 16.0)
    assert seen["dashboard"] == ("not_achieved", shown("16"))
    # The same figure written again for real is seen (the rolled-back token is not reused).
    services.record_value(indicator=indicator, region=betung, period=str(YEAR), value="12")
    assert everything(client, BETUNG, STUNTING)["api"] == ("achieved", 12.0)


def process(name: str):  # type: ignore[no-untyped-def]
    """A worker process's own cache (LocMemCache is per process)."""
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"worker-{name}",
            }
        }
    )


def test_two_processes_with_their_own_caches_agree_on_the_next_request(make_user, stunting_target):
    """Worker B cached the page; worker A takes the write; B's next request is fresh,
    because B keys its cache on the generation it reads from the database."""
    client = client_for(make_user("bappeda", role="bappeda_admin"))
    indicator = Indicator.objects.get(code=STUNTING)
    betung = Region.objects.get(code=BETUNG)
    services.record_value(indicator=indicator, region=betung, period=str(YEAR), value="16")
    with process("b"):
        assert everything(client, BETUNG, STUNTING)["api"] == ("not_achieved", 16.0)
    with process("a"):
        value = betung.values.get(indicator=indicator)
        patched = client.patch(
            f"/api/v1/values/{value.pk}/",
            {"value": "12.5", "version": value.version},
            content_type="application/json",
        )
        assert patched.status_code == 200
    with process("b"):
        seen = everything(client, BETUNG, STUNTING)
        assert seen["api"] == ("achieved", 12.5)
        assert seen["dashboard"] == ("achieved", shown("12.5"))
