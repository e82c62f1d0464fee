"""Approved values flow into indicator values, summed up to the regency where additive."""

from decimal import Decimal

from sinergi.web.collection import workflow
from sinergi.web.indicators.models import IndicatorValue

from .conftest import RAMBUTAN, figures


def value(code, region, period):  # type: ignore[no-untyped-def]
    return IndicatorValue.objects.filter(
        indicator__code=code, region_id=region, period=period
    ).first()


def test_approval_records_region_values_and_the_derived_prevalence(period, make_submission):
    make_submission(
        period, status="approved", values=figures(measured=(1300, 1200), stunted=(150, 125))
    )
    measured = value("children_under5_measured", "16.07.05", "2025-Q2")
    assert measured.value == 2500 and measured.quarter == 2 and measured.status == "final"
    assert measured.is_synthetic  # the demo data set is illustrative
    assert value("stunting_prevalence", "16.07.05", "2025-Q2").value == Decimal("11.00")


def test_nothing_is_published_before_approval(period, make_submission):
    make_submission(period, status="verified")
    assert value("children_under5_measured", "16.07.05", "2025-Q2") is None


def test_regency_sums_approved_kecamatan_and_says_how_many(period, make_submission):
    make_submission(period, status="approved", values=figures(seekers=100))
    regency = value("job_seekers_registered", "16.07", "2025-Q2")
    assert regency.value == 100 and regency.status == "preliminary"
    assert regency.note == "sum of 1 of 21 reporting regions (approved)"
    make_submission(period, region=RAMBUTAN, status="approved", values=figures(seekers=40))
    regency.refresh_from_db()
    assert regency.value == 140 and regency.note.startswith("sum of 2 of 21")
    assert regency.revisions.count() == 1
    # Ratios are not summed: the prevalence stays a kecamatan figure.
    assert value("stunting_prevalence", "16.07", "2025-Q2") is None


def test_unapproval_takes_the_kecamatan_out_of_the_regency_sum(period, users, make_submission):
    make_submission(period, status="approved", values=figures(seekers=100))
    other = make_submission(period, region=RAMBUTAN, status="approved", values=figures(seekers=40))
    workflow.perform(other, "unapprove", users["bappeda"], comment="double count")
    assert value("job_seekers_registered", "16.07", "2025-Q2").value == 100
    own = value("job_seekers_registered", RAMBUTAN, "2025-Q2")
    assert own.status == "preliminary" and "un-approved" in own.note
