"""Named users for every role around the Banyuasin kecamatan data set of the demo.

owner: ``operator`` (kecamatan operator of Betung 16.07.05), ``verifier`` (OPD operator of
the verifying agency), ``bappeda`` (Bappeda administrator of 16.07), ``executive``;
outsiders: ``other_operator`` (Rambutan 16.07.06), ``other_opd`` (another agency of
16.07), ``outsider`` (Bappeda administrator of another regency, 16.08), ``public`` (no role).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

BETUNG, RAMBUTAN = "16.07.05", "16.07.06"


@pytest.fixture(autouse=True)
def _english(english):  # type: ignore[no-untyped-def]
    """This package's assertions read English messages."""


@pytest.fixture
def agency(db):  # type: ignore[no-untyped-def]
    from sinergi.web.accounts.models import Agency

    return Agency.objects.create(region_id="16.07", code="bappeda-litbang", name="Bappeda Litbang")


@pytest.fixture
def dataset(agency):  # type: ignore[no-untyped-def]
    from sinergi.web.collection.demo import _dataset
    from sinergi.web.regions.models import Region

    return _dataset(Region.objects.get(code="16.07"), agency)


@pytest.fixture
def previous_period(dataset):  # type: ignore[no-untyped-def]
    from sinergi.web.collection.models import Period

    return Period.objects.create(
        dataset=dataset,
        code="2025-Q1",
        opens_on=dt.date(2025, 1, 1),
        closes_on=dt.date(2025, 4, 15),
    )


@pytest.fixture
def period(dataset, previous_period):  # type: ignore[no-untyped-def]
    """Open now and closing in a month, whatever today is."""
    from sinergi.web.collection.models import Period

    today = timezone.localdate()
    return Period.objects.create(
        dataset=dataset,
        code="2025-Q2",
        opens_on=dt.date(2025, 4, 1),
        closes_on=today + dt.timedelta(days=30),
    )


@pytest.fixture
def users(make_user, agency):  # type: ignore[no-untyped-def]
    from sinergi.web.accounts.models import Agency

    other = Agency.objects.create(region_id="16.07", code="dinkes", name="Dinas Kesehatan")
    return {
        "operator": make_user("op-betung", role="kecamatan_operator", region=BETUNG),
        "other_operator": make_user("op-rambutan", role="kecamatan_operator", region=RAMBUTAN),
        "verifier": make_user("verifier", role="opd_operator", agency=agency),
        "other_opd": make_user("dinkes-op", role="opd_operator", agency=other),
        "bappeda": make_user("bappeda", role="bappeda_admin"),
        "executive": make_user("bupati", role="executive_viewer"),
        "outsider": make_user("bappeda-muba", role="bappeda_admin", region="16.06"),
        "public": make_user("citizen"),
    }


def figures(measured=(1300, 1250), stunted=(150, 130), seekers=120, kur=800):  # type: ignore[no-untyped-def]
    """A complete, valid set of values for the demo data set."""
    return {
        ("children_under5_measured", "m"): Decimal(measured[0]),
        ("children_under5_measured", "f"): Decimal(measured[1]),
        ("children_under5_stunted", "m"): Decimal(stunted[0]),
        ("children_under5_stunted", "f"): Decimal(stunted[1]),
        ("job_seekers_registered", ""): Decimal(seekers),
        ("kur_recipients_active", ""): Decimal(kur),
    }


def post_data(values, version="", do="save", comments=None):  # type: ignore[no-untyped-def]
    """The entry form's POST body for ``values``."""
    data = {f"v:{code}:{cat}": str(v) for (code, cat), v in values.items()}
    data.update({f"c:{k}": v for k, v in (comments or {}).items()})
    data.update(version=str(version), do=do)
    return data


@pytest.fixture
def make_submission(users):  # type: ignore[no-untyped-def]
    """``make_submission(period, region, status, values)``: walk a submission through the
    workflow with the named users up to ``status``."""
    from sinergi.web.collection import services, workflow
    from sinergi.web.regions.models import Region

    def make(period, region=BETUNG, status="draft", values=None, operator=None):  # type: ignore[no-untyped-def]
        op = operator or (users["operator"] if region == BETUNG else users["other_operator"])
        reg = Region.objects.get(code=region)
        sub = services.start_submission(period, reg, op)
        sub = services.save_values(
            sub, op, values or figures(), expected_version=sub.version
        ).submission
        steps = {
            "draft": [],
            "submitted": ["submit"],
            "verified": ["submit", "verify"],
            "approved": ["submit", "verify", "approve"],
            "returned": ["submit", "return"],
        }[status]
        actors = {
            "submit": op,
            "verify": users["verifier"],
            "approve": users["bappeda"],
            "return": users["verifier"],
        }
        for step in steps:
            sub = workflow.perform(
                sub, step, actors[step], comment="check" if step == "return" else ""
            )
        return sub

    return make
