"""Fixtures of the briefing tests: the seed figures, the Banyuasin Prima monev, named users."""

from __future__ import annotations

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
def users(db, make_user):  # type: ignore[no-untyped-def]
    """Bappeda of Banyuasin, an executive viewer of Banyuasin, Bappeda of Palembang."""

    class Users:
        bappeda = make_user("b-bappeda", role="bappeda_admin")
        viewer = make_user("b-viewer", role="executive_viewer")
        outsider = make_user("b-palembang", role="bappeda_admin", region="16.71")

    return Users
