"""Fixtures of the meeting tests: organisations, named users, a meeting with follow-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest


@pytest.fixture
def seeded(db):  # type: ignore[no-untyped-def]
    """Every figure of the seed articles, imported as ``sinergi demo`` imports them."""
    from sinergi.web.demo.services import seed_rows
    from sinergi.web.indicators.importer import import_rows

    import_rows(seed_rows())


@pytest.fixture
def prima(db, settings, tmp_path):  # type: ignore[no-untyped-def]
    """The Banyuasin Prima monev demo (2019, realisation through Q3)."""
    from sinergi.web.programs import demo

    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.load()


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def agencies(db):  # type: ignore[no-untyped-def]
    from sinergi.web.accounts.models import Agency

    class Agencies:
        naker = Agency.objects.create(region_id="16.07", code="t-naker", name="Dinas Tenaga Kerja")
        dinsos = Agency.objects.create(region_id="16.07", code="t-dinsos", name="Dinas Sosial")

    return Agencies


@pytest.fixture
def orgs(db, agencies):  # type: ignore[no-untyped-def]
    from sinergi.web.meetings.models import Organisation

    class Orgs:
        bappeda = Organisation.objects.create(name="Bappeda Uji", level="regency")
        naker = Organisation.objects.create(
            name="Disnaker Uji", short_name="Disnaker", level="regency", agency=agencies.naker
        )
        dinsos = Organisation.objects.create(
            name="Dinsos Uji", level="regency", agency=agencies.dinsos
        )
        kemenko = Organisation.objects.create(name="Kemenko Uji", level="central")

    return Orgs


@pytest.fixture
def users(db, make_user, agencies):  # type: ignore[no-untyped-def]
    class Users:
        bappeda = make_user("m-bappeda", role="bappeda_admin")
        naker = make_user("m-naker", role="opd_operator", agency=agencies.naker)
        dinsos = make_user("m-dinsos", role="opd_operator", agency=agencies.dinsos)
        viewer = make_user("m-viewer", role="executive_viewer")
        kecamatan = make_user("m-kec", role="kecamatan_operator", region="16.07.05")
        outsider = make_user("m-palembang", role="bappeda_admin", region="16.71")
        province = make_user("m-prov", role="bappeda_admin", region="16")
        public = make_user("m-nobody")

    return Users


def make_meeting(user, *, kind="monev", date=dt.date(2024, 3, 10), region="16.07", **kw):  # type: ignore[no-untyped-def]
    from sinergi.web.meetings import services
    from sinergi.web.regions.models import Region

    values = {"title": f"Rapat {kind} {date}", "year": date.year}
    values.update(kw)
    return services.create_meeting(
        user, region=Region.objects.get(code=region), kind=kind, date=date, **values
    )


@pytest.fixture
def meeting(db, users, orgs):  # type: ignore[no-untyped-def]
    """A monev meeting with two recommendations and four actions (one done, one dropped)."""
    from sinergi.web.meetings import services

    m = make_meeting(users.bappeda, title="Rapat monev TW I 2024")
    p = services.add_problem(m, users.bappeda, title="Serapan anggaran rendah", level="core")
    r1 = services.add_recommendation(
        m, users.bappeda, problem=p, text="Percepat lelang", level="regency"
    )
    r2 = services.add_recommendation(
        m, users.bappeda, text="Minta dukungan pusat", level="central", addressee=orgs.kemenko
    )
    services.add_action(
        r1,
        users.bappeda,
        title="Lelang dini",
        owner=orgs.naker,
        status="in_progress",
        progress=D(50),
        weight=D(3),
        due_date=dt.date(2024, 4, 30),
    )
    services.add_action(
        r1,
        users.bappeda,
        title="Laporan serapan",
        owner=orgs.dinsos,
        status="done",
        progress=D(100),
        weight=D(1),
        due_date=dt.date(2024, 3, 31),
    )
    services.add_action(
        r2,
        users.bappeda,
        title="Surat ke Kemenko",
        owner=orgs.bappeda,
        status="not_started",
        progress=D(0),
        weight=D(1),
        due_date=dt.date(2024, 3, 20),
    )
    services.add_action(
        r2,
        users.bappeda,
        title="Dibatalkan",
        owner=orgs.bappeda,
        status="dropped",
        progress=D(10),
        weight=D(5),
    )
    return m
