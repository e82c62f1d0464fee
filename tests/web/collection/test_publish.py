"""Approved values flow into indicator values, summed up to the regency where additive."""

from decimal import Decimal

from sinergi.web.collection import workflow
from sinergi.web.indicators.models import IndicatorValue

from .conftest import BETUNG, RAMBUTAN, figures


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


def test_notes_written_by_collection_read_indonesian_on_history_and_indicator_pages(
    client, settings, period, make_submission, users
):
    """One mechanism (core.stored_text.shown): the note, source and reason that data
    collection stores read the same, in Indonesian, on the value's history page and on
    the indicator page."""
    from django.urls import reverse

    make_submission(period, status="approved", values=figures(seekers=100))
    regency = value("job_seekers_registered", "16.07", "2025-Q2")
    kecamatan = value("job_seekers_registered", BETUNG, "2025-Q2")
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)  # Indonesian, the default
    client.force_login(users["bappeda"])
    history = client.get(
        reverse("audit-history", args=["indicators", "indicatorvalue", regency.pk])
    ).content.decode()
    page = client.get(
        reverse("indicator-detail", args=["16.07", "job_seekers_registered"])
    ).content.decode()
    sum_note = "jumlah 1 dari 21 wilayah pelapor (laporan yang disetujui)"
    for html in (history, page):
        assert sum_note in html
        assert "reporting regions" not in html and "Sinergi data collection" not in html
    assert "Pendataan Sinergi: " in history
    assert "dijumlahkan dari laporan wilayah di bawahnya yang telah disetujui" in history
    own = client.get(
        reverse("audit-history", args=["indicators", "indicatorvalue", kecamatan.pk])
    ).content.decode()
    betung = kecamatan.region.name
    assert f"dari laporan {betung} yang telah disetujui" in own
    assert "approved submission" not in own and BETUNG + ")" not in own
