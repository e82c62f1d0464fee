"""The early-warning rules at their boundaries (pure functions, no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import translation

from sinergi.web.programs import warnings as rules
from sinergi.web.programs.choices import WarningKind

T = rules.Thresholds()  # margins 10 points, deadline 45 days below 90 %, output tolerance 0
AS_OF = dt.date(2019, 10, 17)


def progress(**kw):  # type: ignore[no-untyped-def]
    base = dict(
        quarter=3,
        as_of=AS_OF,
        end_date=dt.date(2019, 12, 31),
        public_budget=D(1000),
        planned_physical=D(70),
        physical=D(70),
        planned_disbursement=D(700),
        spent=D(700),
    )
    base.update(kw)
    return rules.ActivityProgress(**base)


def kinds(p, t=T):  # type: ignore[no-untyped-def]
    return [w.kind for w in rules.assess(p, t)]


@pytest.mark.parametrize(
    ("physical", "warns"),
    [(D("60"), False), (D("60.01"), False), (D("59.99"), True), (D(0), True)],
    ids=["exactly-at-margin", "just-under-margin", "just-over-margin", "nothing-done"],
)
def test_physical_lag_is_strictly_more_than_the_margin(physical, warns):  # type: ignore[no-untyped-def]
    assert (WarningKind.PHYSICAL_LAG in kinds(progress(physical=physical))) is warns


def test_physical_lag_severity_doubles_at_twice_the_margin():
    assert rules.physical_lag(progress(physical=D(50)), T).severity == rules.MEDIUM  # 20 behind
    assert rules.physical_lag(progress(physical=D("49.99")), T).severity == rules.HIGH


@pytest.mark.parametrize(
    ("spent", "warns"),
    [(D(600), False), (D("600.01"), False), (D("599.99"), True)],
    ids=["exactly-at-margin", "just-under-margin", "just-over-margin"],
)
def test_financial_lag_in_points_of_the_public_budget(spent, warns):  # type: ignore[no-untyped-def]
    assert (WarningKind.FINANCIAL_LAG in kinds(progress(spent=spent))) is warns


def test_financial_lag_on_an_awkward_budget_is_exact():
    # 1/3 of the budget planned, nothing above a 10-point lag: no float rounding at the boundary.
    p = progress(public_budget=D(3), planned_disbursement=D(1), spent=D(1) - D("0.3"))
    assert rules.financial_lag(p, T) is None


def test_financial_rule_skips_activities_without_public_budget():
    # The 2019 job fair ran without APBD money: spending cannot lag.
    p = progress(public_budget=D(0), planned_disbursement=D(0), spent=D(0))
    assert rules.financial_lag(p, T) is None


@pytest.mark.parametrize(
    ("end", "physical", "expected"),
    [
        (AS_OF + dt.timedelta(days=45), D("89.99"), WarningKind.DEADLINE),  # exactly N days left
        (AS_OF + dt.timedelta(days=46), D("10"), None),  # one day outside the window
        (AS_OF + dt.timedelta(days=44), D("90"), None),  # exactly the minimum progress
        (AS_OF, D("89.99"), WarningKind.DEADLINE),  # ends today
        (
            AS_OF - dt.timedelta(days=1),
            D("99.99"),
            WarningKind.OVERDUE,
        ),  # ended yesterday unfinished
        (AS_OF - dt.timedelta(days=1), D("100"), None),  # ended and finished
    ],
    ids=["at-window", "outside-window", "at-minimum", "ends-today", "overdue", "finished"],
)
def test_deadline_near_with_work_left(end, physical, expected):  # type: ignore[no-untyped-def]
    p = progress(end_date=end, physical=physical, planned_physical=physical)
    found = rules.deadline(p, T)
    assert (found.kind if found else None) == expected


def test_deadline_message_counts_the_days_left():
    p = progress(end_date=dt.date(2019, 11, 29), physical=D(48), planned_physical=D(48))
    warning = rules.deadline(p, T)
    assert warning is not None and warning.facts["days"] == 43
    with translation.override("id"):
        assert "43" in warning.message and "29 November 2019" in warning.message


def test_unreported_quarter_warns_and_counts_as_no_progress_near_the_deadline():
    p = progress(physical=None, spent=None, end_date=AS_OF + dt.timedelta(days=30))
    assert set(kinds(p)) == {WarningKind.DEADLINE, WarningKind.NO_REPORT}


def series(target, values, *, additive=True, higher=True):  # type: ignore[no-untyped-def]
    return rules.OutputSeries(
        "jobs", "jobs", D(target), higher, additive, {q: D(v) for q, v in values.items()}
    )


def test_additive_projection_is_the_run_rate():
    # 30 in three quarters -> 40 for the year.
    assert rules.project_output(series(40, {1: 10, 2: 10, 3: 10}), 3) == D(40)
    # An unreported quarter counts as nothing achieved.
    assert rules.project_output(series(40, {1: 10, 3: 20}), 3) == D(40)
    assert rules.project_output(series(40, {}), 3) is None


def test_level_projection_is_the_least_squares_line_at_q4():
    s = series(-20, {1: -5, 2: -12, 3: -35}, additive=False, higher=False)
    assert rules.project_output(s, 3) == D(-15) * 2 + (
        D(-52) / 3
    )  # slope -15 from mean -17.33 at x=2


@pytest.mark.parametrize(
    ("q3", "warns"),
    [("10", False), ("9.625", False), ("9.6", True)],
    ids=["projection-equals-target", "rounds-up-to-the-target", "rounds-below-the-target"],
)
def test_output_trend_boundary_in_whole_units(q3, warns):  # type: ignore[no-untyped-def]
    # 29.625 in three quarters -> 39.5 for the year, a count: 40 (half-up), the target.
    # 29.6 -> 39.47 -> 39: one short.
    p = progress(outputs=[series(40, {1: 10, 2: 10, 3: q3})])
    assert (WarningKind.OUTPUT_TREND in kinds(p)) is warns


@pytest.mark.parametrize(
    ("q3", "warns"),
    [("-15", False), ("-14.9999", True)],
    ids=["level-at-target", "level-just-short"],
)
def test_output_trend_boundary_of_a_level(q3, warns):  # type: ignore[no-untyped-def]
    p = progress(outputs=[series(-15, {3: q3}, additive=False, higher=False)])
    assert (WarningKind.OUTPUT_TREND in kinds(p)) is warns


def test_counts_are_projected_in_whole_units():
    # 85 people trained in three quarters: 113, not "113,3 orang"; 1 of 3 destinations: 1.
    assert rules.project_output(series(200, {2: 40, 3: 45}), 3) == D(113)
    assert rules.project_output(series(3, {3: 1}), 3) == D(1)


def test_a_finished_or_reached_output_is_not_extrapolated():
    fair = series(1000, {3: 980})
    assert rules.project_output(fair, 3) == D(1307)  # what the old rule claimed
    assert rules.project_output(fair, 3, finished=True) == D(980)
    assert rules.project_output(fair, 3, runs_until=3) == D(980)  # ended on 30 September
    # A one-off event that took place (1 of 1) stays 1; medals won beyond the target stay.
    assert rules.project_output(series(1, {3: 1}), 3) == D(1)
    assert rules.project_output(series(25, {3: 27}), 3) == D(27)
    # The job fair, as the rules see the activity: finished on 30 September at 100 %.
    p = progress(
        end_date=dt.date(2019, 9, 30), physical=D(100), planned_physical=D(100), outputs=[fair]
    )
    warning = rules.output_trend(p, T)[0]
    assert warning.facts["projection"] == D(980)


def test_growth_stops_at_the_activity_end():
    assert rules.last_quarter(dt.date(2019, 9, 30), 2019) == 3
    assert rules.last_quarter(dt.date(2019, 10, 1), 2019) == 4
    assert rules.last_quarter(dt.date(2020, 3, 1), 2019) == 4
    # Ends in Q3 with half done: the rate runs until Q3 only.
    assert rules.project_output(series(40, {1: 10, 2: 10}), 2, runs_until=3) == D(30)


def test_output_trend_lower_is_better_and_tolerance():
    # Violations change: target -20 %, heading for -15 %: misses; a 25 % tolerance (5 points) forgives it.
    s = series(-20, {3: -15}, additive=False, higher=False)
    assert rules.output_trend(progress(outputs=[s]), T)
    assert not rules.output_trend(progress(outputs=[s]), rules.Thresholds(output_tolerance=D(25)))
    assert rules.output_trend(progress(outputs=[s]), rules.Thresholds(output_tolerance=D("24.99")))


def test_thresholds_come_from_settings(settings):  # type: ignore[no-untyped-def]
    settings.SINERGI_MONEV_WARNINGS = {"physical_margin": 5, "deadline_days": 30}
    t = rules.configured_thresholds()
    assert t.physical_margin == D(5) and t.deadline_days == 30 and t.financial_margin == D(10)
    assert WarningKind.PHYSICAL_LAG in kinds(progress(physical=D("64.99")), t)


def test_bad_threshold_settings_fail_loudly():
    with pytest.raises(ValueError, match="unknown"):
        rules.Thresholds.from_mapping({"physical_marign": 5})
    with pytest.raises(ValueError, match="negative"):
        rules.Thresholds.from_mapping({"deadline_days": -1})


def test_on_track_activity_has_no_warning():
    assert rules.assess(progress(outputs=[series(40, {1: 10, 2: 10, 3: 10})])) == []
