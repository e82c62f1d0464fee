"""Values: creation, revision history, idempotence and optimistic locking."""

from decimal import Decimal

import pytest

from sinergi.web.audit.models import AuditEntry
from sinergi.web.indicators import services
from sinergi.web.indicators.models import Indicator, IndicatorValue, ValueRevision

pytestmark = pytest.mark.django_db


@pytest.fixture
def poverty():
    return Indicator.objects.get(code="poverty_rate")


def test_parse_period():
    assert services.parse_period("2023").year == 2023
    assert services.parse_period("2019-Q3").quarter == 3
    assert services.parse_period("2024-07").month == 7
    assert services.parse_period("").period == ""
    for bad in ["2019-Q5", "19", "2024-13", "abcd", "1800"]:
        with pytest.raises(ValueError):
            services.parse_period(bad)


def test_revision_keeps_the_old_figure(poverty, banyuasin, make_user):
    bps = make_user("bps", role="bappeda_admin")
    first, created = services.record_value(
        indicator=poverty,
        region=banyuasin,
        period="2023",
        value="9.60",
        status="preliminary",
        source="BPS Maret 2023 (sementara)",
    )
    assert created and first.version == 1
    revised, changed = services.record_value(
        indicator=poverty,
        region=banyuasin,
        period="2023",
        value="9.58",
        source="BPS 2024",
        user=bps,
        reason="final BPS release",
    )
    assert changed and revised.pk == first.pk
    assert revised.value == Decimal("9.58") and revised.version == 2 and revised.status == "revised"
    (old,) = ValueRevision.objects.filter(value=revised)
    assert old.old_value == Decimal("9.60") and old.status == "preliminary"
    assert (
        old.source == "BPS Maret 2023 (sementara)"
        and old.replaced_by == bps
        and old.reason == "final BPS release"
    )
    entries = AuditEntry.objects.filter(object_id=str(revised.pk)).order_by("id")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].before["value"] == "9.6" and entries[1].after["value"] == "9.58"
    assert entries[1].actor == bps


def test_recording_the_same_figure_again_changes_nothing(poverty, banyuasin):
    services.record_value(
        indicator=poverty, region=banyuasin, period="2022", value="10.00", source="s"
    )
    _, changed = services.record_value(
        indicator=poverty, region=banyuasin, period="2022", value="10.0", source="s"
    )
    assert not changed
    assert IndicatorValue.objects.get(indicator=poverty, period="2022").version == 1
    assert not ValueRevision.objects.exists()


def test_stale_version_is_a_conflict(poverty, banyuasin):
    value, _ = services.record_value(
        indicator=poverty, region=banyuasin, period="2024", value="9.31"
    )
    services.record_value(
        indicator=poverty, region=banyuasin, period="2024", value="9.30", expected_version=1
    )
    with pytest.raises(services.ConflictError) as err:
        services.record_value(
            indicator=poverty, region=banyuasin, period="2024", value="9.29", expected_version=1
        )
    assert err.value.current_version == 2
    assert IndicatorValue.objects.get(pk=value.pk).value == Decimal("9.30")


def test_undated_values_are_told_apart_by_note(banyuasin):
    stunting = Indicator.objects.get(code="stunting_prevalence")
    services.record_value(
        indicator=stunting, region=banyuasin, period="", value=20, note="earlier figure"
    )
    services.record_value(
        indicator=stunting, region=banyuasin, period="", value=11, note="latest figure"
    )
    values = list(IndicatorValue.objects.filter(indicator=stunting).chronological())
    assert [v.value for v in values] == [20, 11]


def test_grade_of_bureaucracy_reform_index():
    irb = Indicator.objects.get(code="bureaucracy_reform_index")
    assert irb.grade(70.23) == "BB"
    assert irb.grade(57.19) == "CC"
    assert irb.grade(90.5) == "AA"
    assert irb.grade(90.0) == "A"
    assert irb.grade(30.0) == "D"
    assert irb.grade(None) == ""
