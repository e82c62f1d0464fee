"""Fixtures of the monev tests: the Banyuasin Prima demo and named users per role."""

from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture
def data_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploads and demo files go to a temporary data directory."""
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def prima(db, data_dir):  # type: ignore[no-untyped-def]
    """The Banyuasin Prima demo (2019, realisation through Q3) and handles to its parts."""
    from sinergi.web.accounts.models import Agency
    from sinergi.web.programs import demo
    from sinergi.web.programs.models import Activity, FlagshipProgramme

    demo.load()

    class Prima:
        flagship = FlagshipProgramme.objects.get(slug="banyuasin-prima")
        agencies = {a.code: a for a in Agency.objects.filter(region_id="16.07")}
        activities = {a.code: a for a in Activity.objects.filter(region_id="16.07", year=2019)}
        job_fair = activities["2.07.04.2.01.0002"]
        bimtek = activities["2.07.03.2.01.0001"]  # Disnakertrans, late
        info = activities["2.07.04.2.03.0001"]  # Disnakertrans, on track, Q4 not reported
        tourism = activities["3.26.02.2.01.0001"]  # Disparpora, late

    return Prima


@pytest.fixture
def users(prima, make_user):  # type: ignore[no-untyped-def]
    """Named users: Bappeda (reviews), the Disnakertrans operator (owner), the Disparpora
    operator (another agency), an executive viewer, and Bappeda of another regency."""
    a = prima.agencies

    class Users:
        bappeda = make_user("t-bappeda", role="bappeda_admin", agency=a["bappeda-litbang"])
        owner = make_user("t-nakertrans", role="opd_operator", agency=a["disnakertrans"])
        other_opd = make_user("t-parpora", role="opd_operator", agency=a["disparpora"])
        viewer = make_user("t-viewer", role="executive_viewer")
        outsider = make_user("t-palembang", role="bappeda_admin", region="16.71")

    return Users


D = Decimal
