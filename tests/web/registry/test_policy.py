"""Who sees which releases and households, and who may reveal a NIK/KK (named roles)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from sinergi.web.accounts.models import Agency
from sinergi.web.registry.models import Release
from sinergi.web.registry.policy import RegistryPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user, banyuasin):
    dinsos = Agency.objects.create(region=banyuasin, code="dinsos", name="Dinas Sosial")
    dinkes = Agency.objects.create(region=banyuasin, code="dinkes", name="Dinas Kesehatan")
    return {
        "bappeda": make_user("bappeda", role="bappeda_admin", region="16.07"),
        "dinsos": make_user("dinsos", role="opd_operator", region="16.07", agency=dinsos),
        "dinkes": make_user("dinkes", role="opd_operator", region="16.07", agency=dinkes),
        "camat": make_user("camat", role="kecamatan_operator", region="16.07.05"),
        "bupati": make_user("bupati", role="executive_viewer", region="16.07"),
        "other_regency": make_user("muba", role="bappeda_admin", region="16.06"),
        "public": AnonymousUser(),
    }


def policy(people, who):
    return RegistryPolicy.for_user(people[who])


@pytest.mark.parametrize(
    ("who", "browse", "reveal", "imports", "threshold"),
    [
        ("bappeda", True, True, True, 1),
        ("dinsos", True, True, True, 1),
        ("dinkes", False, False, False, 10),
        ("camat", True, False, False, 10),
        ("bupati", False, False, False, 10),
        ("public", False, False, False, 10),
    ],
)
def test_role_rights(people, who, browse, reveal, imports, threshold):
    p = policy(people, who)
    assert (p.can_browse, p.can_reveal, p.can_import, p.small_cell_threshold) == (
        browse,
        reveal,
        imports,
        threshold,
    )
    assert p.can_view_profiles and p.is_aggregate_only is not browse


def test_household_scope(people):
    camat, bappeda = policy(people, "camat"), policy(people, "bappeda")
    assert camat.browse_scope == "16.07.05"
    assert camat.can_see_household("16.07.05.2001") and not camat.can_see_household("16.07.06.2001")
    assert bappeda.can_see_household("16.07.06.2001") and not bappeda.can_see_household(
        "16.06.01.2001"
    )
    assert policy(people, "bupati").browse_scope is None


def test_release_visibility(people, banyuasin):
    from sinergi.web.regions.models import Region

    ready = Release.objects.create(
        name="A",
        slug="a",
        reference_date=date(2025, 6, 30),
        region=banyuasin,
        path="a",
        status="ready",
    )
    Release.objects.create(
        name="B",
        slug="b",
        reference_date=date(2025, 6, 30),
        region=banyuasin,
        path="b",
        status="failed",
    )
    muba = Release.objects.create(
        name="C",
        slug="c",
        reference_date=date(2025, 6, 30),
        region=Region.objects.get(code="16.06"),
        path="c",
        status="ready",
    )

    def names(who):
        return set(
            policy(people, who).releases(Release.objects.all()).values_list("name", flat=True)
        )

    assert names("public") == {"A", "C"}  # aggregates of ready releases only
    assert names("bappeda") == {"A", "B"}
    assert names("camat") == {"A", "B"}  # a regency release covers the kecamatan
    assert names("other_regency") == {"C"}
    assert policy(people, "camat").profile_region_code(ready) == "16.07.05"
    assert policy(people, "bupati").profile_region_code(muba) == "16.06"


def test_small_cells_are_suppressed_for_aggregate_readers(people, settings):
    settings.SINERGI_SMALL_CELL_THRESHOLD = 5
    public = policy(people, "public")
    assert (public.suppress(4), public.suppress(5), public.suppress(0)) == (None, 5, 0)
    assert policy(people, "bappeda").suppress(2) == 2
