"""The demo step: a meaningful completeness picture, working logins, idempotent."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from sinergi.web.collection import demo
from sinergi.web.collection import periods as codes
from sinergi.web.collection.models import DataSet, Submission
from sinergi.web.indicators.models import IndicatorValue


@pytest.mark.django_db
def test_demo_loads_a_mix_and_is_idempotent():
    summary = demo.load()
    assert "bappeda.demo" in summary and demo.DEMO_PASSWORD in summary
    dataset = DataSet.objects.get(code=demo.DATASET)
    assert dataset.is_illustrative and dataset.reporting_regions.count() == 21
    current = codes.containing(timezone.localdate(), "quarterly")
    statuses = set(Submission.objects.filter(period__code=current).values_list("status", flat=True))
    assert {"approved", "submitted", "verified"} <= statuses
    assert not Submission.objects.filter(
        period__code=current, region_id=demo.E2E_KECAMATAN
    ).exists()
    counts = Submission.objects.count()
    values = IndicatorValue.objects.count()
    demo.load()
    assert Submission.objects.count() == counts and IndicatorValue.objects.count() == values
    # Plausible: measured stunting about 11 % over the approved kecamatan.
    stunted = sum(
        v.value
        for v in IndicatorValue.objects.filter(
            indicator__code="children_under5_stunted", region_id="16.07"
        )
    )
    measured = sum(
        v.value
        for v in IndicatorValue.objects.filter(
            indicator__code="children_under5_measured", region_id="16.07"
        )
    )
    assert 8 < stunted / measured * 100 < 14
    for username, *_rest in demo.DEMO_USERS:
        assert User.objects.get(username=username).check_password(demo.DEMO_PASSWORD)
