"""The Banyuasin Prima demo step is idempotent and shows early warnings in Q3 2019."""

from __future__ import annotations

import pytest

from sinergi.web.audit.models import AuditEntry
from sinergi.web.programs import demo
from sinergi.web.programs.models import Activity, Budget, Document, NonApbdProposal, Realisation

pytestmark = pytest.mark.django_db


def counts():  # type: ignore[no-untyped-def]
    return [
        m.objects.count()
        for m in (Activity, Budget, Realisation, Document, NonApbdProposal, AuditEntry)
    ]


def test_demo_twice_changes_nothing(data_dir):
    summary = demo.load()
    assert "10 activities of 6 agencies" in summary and "6 late in Q3" in summary
    first = counts()
    again = demo.load()
    assert counts() == first and "0 realisations written" in again
    assert (
        Realisation.objects.filter(quarter=3, activity__code="2.07.04.2.01.0002")
        .get()
        .outputs.filter(value=980)
        .exists()
    )
    from django.contrib.auth.models import User

    from sinergi.web.demo.services import DEMO_PASSWORD

    assert User.objects.get(username="disnakertrans.demo").check_password(DEMO_PASSWORD)


def test_count_outputs_have_whole_quarterly_targets(prima):
    """An additive output counts things (events, persons): its cumulative quarterly targets
    are whole numbers (no "0,25 kali" job fair), and reach the year target in Q4."""
    from sinergi.web.programs.models import PerformanceIndicator

    outputs = PerformanceIndicator.objects.filter(region_id="16.07", year=2019, additive=True)
    assert outputs.count() >= 8
    for ind in outputs:
        quarters = [ind.target_q1, ind.target_q2, ind.target_q3, ind.target_q4]
        assert all(q == q.to_integral_value() for q in quarters), (ind.code, quarters)
        assert quarters == sorted(quarters) and quarters[-1] == ind.target, (ind.code, quarters)
    fair = outputs.get(code="job-fair-events")
    assert [fair.target_q1, fair.target_q2, fair.target_q3] == [0, 0, 1]
    tourism = outputs.get(code="destinations-developed")
    assert [tourism.target_q1, tourism.target_q2, tourism.target_q3] == [1, 2, 2]
