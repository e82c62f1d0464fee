"""Registry test fixtures: a private registry directory and inputs with real desa codes."""

from __future__ import annotations

import pytest

from tests.targeting import release_inputs as ri


@pytest.fixture
def registry_dir(settings, tmp_path):
    settings.SINERGI_REGISTRY_DIR = tmp_path / "registry"
    return settings.SINERGI_REGISTRY_DIR


@pytest.fixture
def real_desa(db):
    from sinergi.web.regions.models import Level, Region

    codes = []
    for kecamatan in ("16.07.05", "16.07.06"):
        codes += list(
            Region.objects.filter(level=Level.VILLAGE, code__startswith=kecamatan + ".")
            .order_by("code")
            .values_list("code", flat=True)[:2]
        )
    return codes


@pytest.fixture
def inputs(tmp_path, real_desa):
    """Write valid households/members files; pass ``hh``/``mm`` to break them first."""

    def make(hh=None, mm=None, fmt="csv", n=4):
        folder = tmp_path / f"in-{fmt}-{len(list(tmp_path.glob('in-*')))}"
        folder.mkdir()
        hh = hh if hh is not None else ri.households(n, desa=real_desa)
        mm = mm if mm is not None else ri.members(hh)
        return ri.pair(folder, hh, mm, fmt=fmt)

    return make
