"""SLRT test fixtures: named roles, a small service catalogue, a registry release with
real Banyuasin desa codes, and a factory of cases.

Roles (all in regency 16.07):

- ``front``: kecamatan operator of Betung (16.07.05), the front office;
- ``desa_front``: a front office scoped to one desa of Betung (16.07.05.2002);
- ``other_front``: the kecamatan operator of another kecamatan (16.07.06);
- ``dinsos``: the Dinsos verifier (back office; also the agency of Dinsos services);
- ``dinkes``, ``disdik``, ``baznas``: service-agency operators (Baznas is a partner);
- ``dinkes_head``: the Dinkes head user, the escalation contact;
- ``bappeda``, ``executive``: aggregates only; ``public``: anonymous.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.targeting import release_inputs as ri

BETUNG = "16.07.05"
DESA = "16.07.05.2002"
DESA_2 = "16.07.05.2003"
OTHER_KECAMATAN = "16.07.06"
REFERENCE = dt.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def slrt_dirs(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.SINERGI_REGISTRY_DIR = settings.DATA_DIR / "registry"
    settings.MEDIA_ROOT = settings.DATA_DIR / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SINERGI_EXTRA_HOLIDAYS = []
    settings.SINERGI_EXTRA_WORKDAYS = []
    return settings.DATA_DIR


@pytest.fixture
def agencies(db):  # type: ignore[no-untyped-def]
    from sinergi.web.accounts.models import Agency

    rows = {
        "dinsos": ("Dinas Sosial", "Dinsos"),
        "dinkes": ("Dinas Kesehatan", "Dinkes"),
        "disdik": ("Dinas Pendidikan", "Disdik"),
        "baznas": ("Badan Amil Zakat Nasional Kabupaten Banyuasin", "Baznas"),
    }
    return {
        code: Agency.objects.create(region_id="16.07", code=code, name=name, short_name=short)
        for code, (name, short) in rows.items()
    }


@pytest.fixture
def people(make_user, agencies):  # type: ignore[no-untyped-def]
    from sinergi.web.social.models import AgencyHead

    def user(name: str, **kw: Any):  # type: ignore[no-untyped-def]
        u = make_user(name, **kw)
        u.email = f"{name}@example.test"
        u.save(update_fields=["email"])
        return u

    out = {
        "front": user("front", role="kecamatan_operator", region=BETUNG),
        "desa_front": user("desa_front", role="kecamatan_operator", region=DESA),
        "other_front": user("other_front", role="kecamatan_operator", region=OTHER_KECAMATAN),
        "dinsos": user("dinsos", role="opd_operator", region="16.07", agency=agencies["dinsos"]),
        "dinkes": user("dinkes", role="opd_operator", region="16.07", agency=agencies["dinkes"]),
        "dinkes_head": user("dinkes_head", role="opd_operator", agency=agencies["dinkes"]),
        "disdik": user("disdik", role="opd_operator", region="16.07", agency=agencies["disdik"]),
        "baznas": user("baznas", role="opd_operator", region="16.07", agency=agencies["baznas"]),
        "bappeda": user("bappeda", role="bappeda_admin", region="16.07"),
        "executive": user("executive", role="executive_viewer", region="16.07"),
        "public": AnonymousUser(),
    }
    AgencyHead.objects.create(agency=agencies["dinkes"], user=out["dinkes_head"])
    return out


@pytest.fixture
def catalogue(agencies):  # type: ignore[no-untyped-def]
    from sinergi.web.social.models import Category, Service

    rows = [
        ("dinkes-berobat", "dinkes", "Pengobatan gratis di puskesmas", Category.HEALTH, 5),
        ("disdik-beasiswa", "disdik", "Beasiswa siswa miskin", Category.EDUCATION, 10),
        ("baznas-modal", "baznas", "Bantuan modal usaha mikro", Category.EMPLOYMENT, 8),
        ("dinsos-pkh", "dinsos", "Usulan PKH", Category.SOCIAL_ASSISTANCE, 14),
    ]
    return {
        code: Service.objects.create(
            code=code, agency=agencies[a], name=name, category=cat, sla_working_days=sla
        )
        for code, a, name, cat, sla in rows
    }


@pytest.fixture
def release(tmp_path: Path, people):  # type: ignore[no-untyped-def]
    """Six registry households: H1, H3, H5 in Betung desa, H2, H4, H6 in 16.07.06."""
    from sinergi.web.registry import services

    folder = tmp_path / "registry-in"
    folder.mkdir()
    desa = [DESA, "16.07.06.2001", DESA_2]
    hh = ri.households(6, desa=desa)
    for i, h in enumerate(hh):
        h["kk"] = f"16070501010{i + 1:05d}"
    mm = ri.members(hh)
    h_path, m_path = ri.pair(folder, hh, mm)
    rel, report = services.import_release(
        h_path,
        m_path,
        name="DTSEN 2025-Q2 (uji)",
        reference_date=REFERENCE,
        region_code="16.07",
        user=people["bappeda"],
    )
    assert rel is not None, report.errors
    rel.test_members = mm  # clear numbers, for assertions only
    return rel


@pytest.fixture
def make_case(people, release):  # type: ignore[no-untyped-def]
    """``make_case(consent="given", household="H1", user=..., opened_on=...)``."""
    from sinergi.web.social import services

    def make(
        *,
        consent: str | None = "given",
        household: str | None = "H1",
        user: Any = None,
        opened_on: dt.date | None = None,
        category: str = "health",
        person: dict[str, Any] | None = None,
        desa_code: str | None = None,
    ):  # type: ignore[no-untyped-def]
        user = user or people["front"]
        case = services.register_case(
            user=user,
            person=person,
            household_id=household,
            release=release if household else None,
            category=category,
            narrative="Anak sakit demam berdarah, tidak punya BPJS.",
            channel="walk_in",
            desa_code=desa_code,
            opened_on=opened_on,
        )
        if consent:
            services.record_consent(case, user=user, state=consent, on=opened_on)
        return case

    return make
