"""The achievement rules (Permendagri 86/2017), bands, projection and status."""

import numpy as np
import pytest
from scipy import stats

from sinergi.web.indicators.achievement import (
    Point,
    achievement,
    band,
    evaluate,
    meets,
    project,
    resolve_target,
)


@pytest.mark.parametrize(
    ("value", "target", "polarity", "expected"),
    [
        (8.0, 8.0, "higher", 100.0),
        (5.14, 8.0, "higher", 64.25),
        (10.0, 8.0, "higher", 125.0),
        (10.0, 10.0, "lower", 100.0),
        (11.0, 10.0, "lower", 90.0),  # stunting 11 against a target of 10
        (5.0, 10.0, "lower", 150.0),  # beating a lower-is-better target
        (20.0, 10.0, "lower", 0.0),
        (25.0, 10.0, "lower", -50.0),
    ],
)
def test_achievement_both_polarities(value, target, polarity, expected):
    assert achievement(value, target, polarity) == pytest.approx(expected)


def test_achievement_of_zero_target_is_an_error():
    with pytest.raises(ZeroDivisionError):
        achievement(1.0, 0.0, "higher")


@pytest.mark.parametrize(
    ("pct", "expected"),
    [
        (150.0, "very_high"),
        (90.0001, "very_high"),
        (90.0, "high"),
        (76.0, "high"),
        (75.5, "high"),
        (75.0, "medium"),
        (66.0, "medium"),
        (65.0, "low"),
        (51.0, "low"),
        (50.0, "very_low"),
        (-10.0, "very_low"),
    ],
)
def test_band_boundaries(pct, expected):
    assert band(pct) == expected


def test_bands_are_configurable():
    sakip = [
        (85.0, "very_high"),
        (70.0, "high"),
        (55.0, "medium"),
        (0.0, "low"),
        (float("-inf"), "very_low"),
    ]
    assert band(80.0, sakip) == "high"
    assert band(80.0) == "high"
    assert band(86.0, sakip) == "very_high"


@pytest.mark.parametrize(
    ("value", "target", "polarity", "comparator", "expected"),
    [
        (8.0, 8.0, "higher", "auto", True),
        (7.99, 8.0, "higher", "auto", False),
        (10.0, 10.0, "lower", "auto", True),
        (10.0, 10.0, "lower", "lt", False),  # "single digit": strictly below 10
        (9.9, 10.0, "lower", "lt", True),
        (8.0, 8.0, "higher", "gt", False),
    ],
)
def test_meets(value, target, polarity, comparator, expected):
    assert meets(value, target, polarity, comparator) is expected


def test_projection_matches_ols_prediction_interval():
    years = [2019, 2020, 2021, 2022, 2023]
    values = [11.2, 10.9, 10.1, 10.0, 9.58]
    p = project([Point(y, v) for y, v in zip(years, values, strict=True)], 2026, level=0.80)
    slope, intercept = np.polyfit(years, values, 1)
    assert p.value == pytest.approx(intercept + slope * 2026)
    assert p.slope == pytest.approx(slope)
    # Independent prediction interval: s * sqrt(1 + 1/n + (x0 - xbar)^2 / Sxx) * t.
    x = np.array(years, dtype=float)
    resid = np.array(values) - (intercept + slope * x)
    s = np.sqrt((resid**2).sum() / (len(x) - 2))
    half = (
        stats.t.ppf(0.9, len(x) - 2)
        * s
        * np.sqrt(1 + 1 / len(x) + (2026 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    )
    assert p.low == pytest.approx(p.value - half)
    assert p.high == pytest.approx(p.value + half)


def test_projection_needs_two_years_and_has_no_interval_with_two():
    assert project([Point(2023, 1.0)], 2025) is None
    two = project([Point(2022, 1.0), Point(2023, 2.0)], 2025)
    assert two.value == pytest.approx(4.0)
    assert not two.has_interval


def test_projection_uses_recent_history_only():
    old = [Point(y, 100.0) for y in range(2000, 2010)]
    recent = [Point(y, float(y - 2010)) for y in range(2010, 2018)]
    p = project(old + recent, 2020)
    assert p.value == pytest.approx(10.0)  # the last eight points lie on a line


def _history(*pairs):
    return [Point(y, v) for y, v in pairs]


def test_status_achieved_and_not_achieved_once_target_year_is_reached():
    hist = _history((2022, 10.0), (2023, 9.58), (2024, 9.31))
    ok = evaluate(
        history=hist, latest_undated=None, target_value=9.5, target_year=2024, polarity="lower"
    )
    assert ok.status == "achieved" and ok.meets and ok.value == 9.31
    bad = evaluate(
        history=hist, latest_undated=None, target_value=9.0, target_year=2023, polarity="lower"
    )
    # judged on the value of the target year itself, not a later one
    assert bad.status == "not_achieved" and bad.value == 9.58 and bad.value_year == 2023
    assert bad.achievement == pytest.approx((2 * 9.0 - 9.58) / 9.0 * 100)


def test_status_from_projection_interval():
    steady = _history((2020, 12.0), (2021, 11.0), (2022, 10.1), (2023, 8.9), (2024, 8.0))
    on = evaluate(
        history=steady, latest_undated=None, target_value=6.5, target_year=2026, polarity="lower"
    )
    assert on.status == "on_track"
    off = evaluate(
        history=steady, latest_undated=None, target_value=1.0, target_year=2026, polarity="lower"
    )
    assert off.status == "off_track"
    growth = _history((2021, 3.44), (2022, 5.32), (2023, 5.06), (2024, 5.14))
    risk = evaluate(
        history=growth, latest_undated=None, target_value=8.0, target_year=2029, polarity="higher"
    )
    assert risk.status == "at_risk"
    assert risk.projection.low < 8.0 < risk.projection.high


def test_status_with_short_history_is_low_confidence():
    one = evaluate(
        history=_history((2024, 9.0)),
        latest_undated=None,
        target_value=10,
        target_year=2026,
        polarity="lower",
    )
    assert (one.status, one.low_confidence) == ("on_track", True)
    two = evaluate(
        history=_history((2023, 9.0), (2024, 9.5)),
        latest_undated=None,
        target_value=9.6,
        target_year=2026,
        polarity="lower",
    )
    assert (two.status, two.low_confidence) == ("at_risk", True)


def test_undated_value_and_undated_target():
    # Stunting 20 -> 11 with no year, against "single digit" (< 10).
    ev = evaluate(
        history=[],
        latest_undated=11.0,
        target_value=10.0,
        target_year=None,
        polarity="lower",
        comparator="lt",
    )
    assert ev.status == "not_achieved"
    assert ev.achievement == pytest.approx(90.0)
    assert ev.band == "high"
    assert ev.gap == pytest.approx(-1.0)


def test_no_value_is_no_data():
    assert (
        evaluate(
            history=[], latest_undated=None, target_value=8, target_year=2029, polarity="higher"
        ).status
        == "no_data"
    )


def test_change_target_resolves_against_baseline():
    assert resolve_target(-50, "change_pct", 3.84) == pytest.approx(1.92)
    assert resolve_target(8, "level", None) == 8
    hist = _history((2019, 4.0), (2020, 3.5), (2021, 2.5), (2022, 1.9))
    ev = evaluate(
        history=hist,
        latest_undated=None,
        target_value=-50,
        target_year=2022,
        polarity="lower",
        kind="change_pct",
        baseline=4.0,
    )
    assert ev.target == pytest.approx(2.0) and ev.status == "achieved"
    from django.utils import translation

    with translation.override("en"):
        missing = evaluate(
            history=hist,
            latest_undated=None,
            target_value=-50,
            target_year=2022,
            polarity="lower",
            kind="change_pct",
            baseline=None,
        )
    # A value exists: the state is "cannot be judged", not "no data".
    assert missing.status == "no_baseline" and "baseline" in missing.reason
    assert missing.value == 1.9 and missing.achievement is None and missing.band is None


def test_missing_baseline_is_cannot_be_judged_and_names_the_year():
    # TPT 3.29 % in 2024 against "-50 % from 2019" with no 2019 value.
    from django.utils import translation

    with translation.override("en"):
        ev = evaluate(
            history=_history((2017, 3.65), (2018, 3.84), (2024, 3.29)),
            latest_undated=None,
            target_value=-50,
            target_year=2022,
            polarity="lower",
            kind="change_pct",
            baseline=None,
            baseline_year=2019,
        )
    assert ev.status == "no_baseline"
    assert (ev.value, ev.value_year) == (3.29, 2024)
    assert ev.reason == "cannot be judged: no value for the baseline year 2019"
    with translation.override("id"):
        ev_id = evaluate(
            history=_history((2024, 3.29)),
            latest_undated=None,
            target_value=-50,
            target_year=2022,
            polarity="lower",
            kind="change_pct",
            baseline_year=2019,
        )
    assert "2019" in ev_id.reason and "baseline" not in ev_id.reason  # translated


@pytest.mark.parametrize(
    ("value", "target", "comparator"),
    [(11.0, 10.0, "lt"), (10.5, 10.0, "auto"), (9.0, 10.0, "lt"), (10.0, 10.0, "auto")],
)
def test_lower_is_better_achievement_agrees_with_the_verdict(value, target, comparator):
    # Reached the target year: the status and the achievement percent never disagree
    # (under 100 % is never "achieved", 100 % or more never "not achieved").
    ev = evaluate(
        history=[],
        latest_undated=value,
        target_value=target,
        target_year=None,
        polarity="lower",
        comparator=comparator,
    )
    assert (ev.status == "achieved") == (ev.achievement >= 100.0)
    assert ev.meets == (ev.status == "achieved")
