"""Query counts of the main pages of every app, as the roles that use them.

Each page is visited on the demo data, then again after the data grew (values for every
kecamatan, more activities with budgets, plans and realisations, more submissions): the
count must not change, and must stay under the page's budget. The result cache is off
here, so the counts are those of a miss (the worst case); a hit costs fewer.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

OVERVIEW = "/monev/16.07/2019/tw3/"
STUNTING = "stunting_prevalence"


@pytest.fixture
def world(db, settings, tmp_path):  # type: ignore[no-untyped-def]
    """Seed figures, the Banyuasin Prima monev, kecamatan data collection and meetings."""
    from sinergi.web.collection import demo as collection_demo
    from sinergi.web.collection.models import Period
    from sinergi.web.demo.services import seed_rows
    from sinergi.web.indicators.importer import import_rows
    from sinergi.web.meetings import demo as meetings_demo
    from sinergi.web.programs import demo as programs_demo
    from sinergi.web.programs.models import Activity

    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SINERGI_RESULT_CACHE = False
    import_rows(seed_rows())
    programs_demo.load()
    collection_demo.load()
    meetings_demo.load()
    period = (
        Period.objects.filter(dataset__code=collection_demo.DATASET).order_by("-opens_on").first()
    )
    activity = Activity.objects.get(region_id="16.07", year=2019, code="2.07.04.2.01.0002")
    return {"period": period, "activity": activity, "dataset": collection_demo.DATASET}


def grow(world) -> None:  # type: ignore[no-untyped-def]
    """More of everything the pages list: values for all 21 kecamatan and four more
    activities, each with its budget, quarter plans and realisations."""
    from sinergi.web.indicators import services
    from sinergi.web.indicators.models import Indicator
    from sinergi.web.programs.models import Activity, Budget, QuarterPlan, Realisation
    from sinergi.web.regions.models import Region

    stunting = Indicator.objects.get(code=STUNTING)
    for i, kecamatan in enumerate(Region.objects.filter(parent_id="16.07", active=True)):
        for year in (2022, 2023):
            services.record_value(
                indicator=stunting, region=kecamatan, period=str(year), value=Decimal(10 + i % 7)
            )
    source = world["activity"]
    for n in range(4):
        copy = Activity.objects.get(pk=source.pk)
        copy.pk = None
        copy.code = f"{source.code}-{n}"
        copy.save()
        for model in (Budget, QuarterPlan, Realisation):
            for row in model.objects.filter(activity=source):
                row.pk = None
                row.activity = copy
                if hasattr(row, "uuid"):
                    row.uuid = None
                row.save()


def pages(world) -> dict[str, list[tuple[str, int]]]:  # type: ignore[no-untyped-def]
    """Per role, the pages it uses and each page's query budget (a miss of the result
    cache; a signed-in request adds the session, the user, the profile and the menu)."""
    period = world["period"]
    collection = f"/pendataan/{world['dataset']}/"
    activity = world["activity"].pk

    def common(counts: tuple[int, ...]) -> list[tuple[str, int]]:
        urls = (
            "/wilayah/16.07/",
            f"/wilayah/16.07/indikator/{STUNTING}/",
            f"/banding/{STUNTING}/16.07/",
            OVERVIEW,
            "/api/v1/achievements/?region=16.07",
            "/api/v1/monev/summary/?region=16.07&year=2019&quarter=3",
        )
        return list(zip(urls, counts, strict=True))

    signed_in = (10, 10, 11, 13, 7, 10)
    return {
        "public": [
            ("/wilayah/", 2),
            *common((6, 6, 7, 9, 4, 8)),
            ("/api/v1/values/?region=16.07", 2),
        ],
        "bappeda.demo": [
            *common(signed_in),
            (OVERVIEW + "terlambat/", 12),
            (f"/monev/kegiatan/{activity}/?tw=3", 28),
            ("/monev/16.07/unggulan/banyuasin-prima/?tahun=2019&tw=3", 18),
            ("/api/v1/monev/warnings/?region=16.07&year=2019&quarter=3", 11),
            ("/pendataan/", 7),
            (collection, 12),
            (f"{collection}{period.code}/", 13),
            ("/rapat/", 7),
            ("/wilayah/16.07/bahan-rapat/", 5),
        ],
        "eksekutif.demo": [*common(signed_in), (f"{collection}{period.code}/", 13)],
        "betung.demo": [
            ("/wilayah/16.07.05/", 10),
            ("/pendataan/", 8),
            (f"{collection}{period.code}/16.07.05/", 12),
        ],
        "disnakertrans.demo": [
            (OVERVIEW, 14),
            (f"/monev/kegiatan/{activity}/?tw=3", 29),
            (f"/monev/kegiatan/{activity}/realisasi/tw4/", 15),
        ],
    }


def count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def client_for(role: str) -> Client:
    from django.contrib.auth.models import User

    client = Client()
    if role != "public":
        client.force_login(User.objects.get(username=role))
    return client


@pytest.mark.parametrize(
    "role", ["public", "bappeda.demo", "eksekutif.demo", "betung.demo", "disnakertrans.demo"]
)
def test_query_counts_stay_fixed_as_data_grows(world, role):
    client = client_for(role)
    visit: Callable[[str], int] = lambda url: count(client, url)  # noqa: E731
    wanted = pages(world)[role]
    before = {url: visit(url) for url, _budget in wanted}
    grow(world)
    after = {url: visit(url) for url, _budget in wanted}
    over = {url: (before[url], budget) for url, budget in wanted if before[url] > budget}
    grew = {url: (before[url], after[url]) for url, _b in wanted if after[url] != before[url]}
    assert not over, f"over budget (count, budget): {over}"
    assert not grew, f"count grows with data (before, after): {grew}"
