"""SLA working days: due dates across Idul Fitri 2025/2026 and year ends, against the rule.

The reference is independent of the ``holidays`` package: the national holidays
and cuti bersama of 2025 and 2026 as the joint decree of the three ministers
(SKB Menteri Agama, Menteri Ketenagakerjaan, Menteri PANRB) lists them, typed
in below, and a day-by-day count of the rule "the n-th working day after the
day sent, the sent day not counted".
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi import workdays
from sinergi.workdays import WorkCalendar, parse_extra_days

D = dt.date

# SKB 2025: libur nasional and cuti bersama (weekdays and weekend days alike).
LIBUR_2025 = [
    D(2025, 1, 1), D(2025, 1, 27), D(2025, 1, 29), D(2025, 3, 29), D(2025, 3, 31),
    D(2025, 4, 1), D(2025, 4, 18), D(2025, 4, 20), D(2025, 5, 1), D(2025, 5, 12),
    D(2025, 5, 29), D(2025, 6, 1), D(2025, 6, 6), D(2025, 6, 27), D(2025, 8, 17),
    D(2025, 9, 5), D(2025, 12, 25),
]  # fmt: skip
CUTI_2025 = [
    D(2025, 1, 28), D(2025, 3, 28), D(2025, 4, 2), D(2025, 4, 3), D(2025, 4, 4),
    D(2025, 4, 7), D(2025, 5, 13), D(2025, 5, 30), D(2025, 6, 9), D(2025, 8, 18),
    D(2025, 12, 26),
]  # fmt: skip
LIBUR_2026 = [
    D(2026, 1, 1), D(2026, 1, 16), D(2026, 2, 17), D(2026, 3, 19), D(2026, 3, 21),
    D(2026, 3, 22), D(2026, 4, 3), D(2026, 4, 5), D(2026, 5, 1), D(2026, 5, 14),
    D(2026, 5, 27), D(2026, 5, 31), D(2026, 6, 1), D(2026, 6, 16), D(2026, 8, 17),
    D(2026, 8, 25), D(2026, 12, 25),
]  # fmt: skip
CUTI_2026 = [
    D(2026, 2, 16), D(2026, 3, 18), D(2026, 3, 20), D(2026, 3, 23), D(2026, 3, 24),
    D(2026, 5, 15), D(2026, 5, 28), D(2026, 12, 24),
]  # fmt: skip
NEW_YEAR_2027 = [D(2027, 1, 1)]
CLOSED = set(LIBUR_2025 + CUTI_2025 + LIBUR_2026 + CUTI_2026 + NEW_YEAR_2027)
# The reference is complete from the first day of 2025 to Monday 4 January 2027.
KNOWN_FROM, KNOWN_TO = D(2025, 1, 1), D(2027, 1, 4)


def reference_open(day: dt.date, closed: set[dt.date] = CLOSED) -> bool:
    assert KNOWN_FROM <= day <= KNOWN_TO, "outside the typed-in reference"
    return day.weekday() < 5 and day not in closed


def reference_due(sent: dt.date, n: int, closed: set[dt.date] = CLOSED) -> dt.date:
    """Walk day by day from the day after ``sent``; stop at the n-th open day."""
    day, count = sent, 0
    while count < n:
        day = day + dt.timedelta(days=1)
        if reference_open(day, closed):
            count += 1
    return day


def test_package_matches_the_decree_every_day_of_2025_and_2026():
    cal = WorkCalendar()
    day = KNOWN_FROM
    wrong = []
    while day <= KNOWN_TO:
        if cal.is_working_day(day) != reference_open(day):
            wrong.append(day)
        day += dt.timedelta(days=1)
    assert wrong == []


@pytest.mark.parametrize(
    ("sent", "n", "due"),
    [
        # Idul Fitri 1446 H: Fri 28 Mar (cuti Nyepi) .. Mon 7 Apr 2025 closed.
        (D(2025, 3, 27), 1, D(2025, 4, 8)),
        (D(2025, 3, 26), 2, D(2025, 4, 8)),
        (D(2025, 3, 25), 5, D(2025, 4, 10)),
        (D(2025, 3, 29), 1, D(2025, 4, 8)),  # sent on a holiday: not counted either
        (D(2025, 4, 7), 0, D(2025, 4, 7)),
        # Idul Fitri 1447 H: Wed 18 .. Tue 24 Mar 2026 closed.
        (D(2026, 3, 17), 1, D(2026, 3, 25)),
        (D(2026, 3, 17), 3, D(2026, 3, 27)),
        (D(2026, 3, 13), 10, D(2026, 4, 6)),  # 16, 17, 25-27, 30, 31, 1, 2 Apr; 3 Apr holiday
        # Year ends: Christmas, cuti bersama and New Year.
        (D(2025, 12, 24), 1, D(2025, 12, 29)),
        (D(2025, 12, 24), 4, D(2026, 1, 2)),
        (D(2025, 12, 31), 1, D(2026, 1, 2)),
        (D(2026, 12, 23), 1, D(2026, 12, 28)),
        (D(2026, 12, 23), 5, D(2027, 1, 4)),
        (D(2026, 12, 31), 1, D(2027, 1, 4)),
    ],
)
def test_due_dates_across_idul_fitri_and_year_ends(sent, n, due):
    assert reference_due(sent, n) == due  # the hand count agrees with the decree
    assert workdays.due_on(sent, n) == due
    assert workdays.working_days_between(sent, due) == n


@settings(max_examples=300, deadline=None)
@given(
    sent=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 4)),
    n=st.integers(min_value=0, max_value=15),
)
def test_due_on_is_the_nth_working_day_after_sent(sent, n):
    due = workdays.due_on(sent, n)
    assert due == reference_due(sent, n)
    assert workdays.working_days_between(sent, due) == n
    if n:
        assert reference_open(due)
        assert workdays.working_days_between(sent, due - dt.timedelta(days=1)) == n - 1


def test_working_days_between_counts_after_start_up_to_end():
    # Mon 5 Jan 2026 .. Fri 9 Jan: the 5th is not counted.
    assert workdays.working_days_between(D(2026, 1, 5), D(2026, 1, 9)) == 4
    assert workdays.working_days_between(D(2026, 1, 9), D(2026, 1, 5)) == -4
    assert workdays.working_days_between(D(2026, 1, 5), D(2026, 1, 5)) == 0


def test_extra_holidays_and_workdays_per_year():
    base = WorkCalendar()
    assert base.due_on(D(2026, 12, 29), 2) == D(2026, 12, 31)
    closed = WorkCalendar(extra_holidays={2026: ["2026-12-31"]})
    assert closed.due_on(D(2026, 12, 29), 2) == D(2027, 1, 4)
    assert closed.due_on(D(2026, 12, 29), 2) == reference_due(
        D(2026, 12, 29), 2, CLOSED | {D(2026, 12, 31)}
    )
    # A Saturday opened as a working day (e.g. to make up a regional holiday).
    opened = WorkCalendar(extra_workdays=[D(2026, 3, 21)])
    assert opened.is_working_day(D(2026, 3, 21))
    assert opened.due_on(D(2026, 3, 17), 1) == D(2026, 3, 21)


def test_bad_extra_days_are_refused_with_the_day_named():
    with pytest.raises(ValueError, match="2025-12-31 is listed under year 2026"):
        parse_extra_days({2026: ["2025-12-31"]})
    with pytest.raises(ValueError, match="not a date"):
        parse_extra_days(["31-12-2026"])
    with pytest.raises(ValueError, match="both as extra holiday and extra working day"):
        WorkCalendar(extra_holidays=["2026-05-02"], extra_workdays=["2026-05-02"])
    with pytest.raises(ValueError):
        workdays.due_on(D(2026, 1, 5), -1)


@pytest.mark.parametrize(
    ("today", "ended", "status"),
    [
        # 8 working days from Mon 5 Jan 2026: due Thu 15 Jan. At risk below 25 % left (< 2).
        (D(2026, 1, 5), None, "on_track"),
        (D(2026, 1, 13), None, "on_track"),  # 2 left of 8: exactly 25 %
        (D(2026, 1, 14), None, "at_risk"),  # 1 left
        (D(2026, 1, 15), None, "at_risk"),  # due today: 0 left, not yet breached
        (D(2026, 1, 16), None, "breached"),
        (D(2026, 2, 1), D(2026, 1, 15), "on_track"),  # ended on the due day
        (D(2026, 2, 1), D(2026, 1, 16), "breached"),  # ended a day late
    ],
)
def test_sla_status(today, ended, status):
    sent = D(2026, 1, 5)
    due = workdays.due_on(sent, 8)
    assert due == D(2026, 1, 15)
    assert workdays.sla_status(sent, due, today, ended) == status


def test_sla_status_across_idul_fitri_counts_working_days_not_calendar_days():
    # Sent Fri 13 Mar 2026 with 4 working days: 16, 17, 25, 26 -> due Thu 26 Mar.
    sent = D(2026, 3, 13)
    due = workdays.due_on(sent, 4)
    assert due == D(2026, 3, 26)
    # On Tue 17 Mar 2 of 4 are left (50 %): on track although the due date is 9 days away.
    assert workdays.sla_status(sent, due, D(2026, 3, 17)) == "on_track"
    # During the holiday (Mon 23 Mar) still 2 left: on track.
    assert workdays.sla_status(sent, due, D(2026, 3, 23)) == "on_track"
    # Wed 25 Mar: 1 left of 4 (25 %): on track; Thu 26: 0 left, at risk.
    assert workdays.sla_status(sent, due, D(2026, 3, 25)) == "on_track"
    assert workdays.sla_status(sent, due, D(2026, 3, 26)) == "at_risk"
