"""Open and overdue items of the previous meeting of the same kind go onto the next agenda."""

from __future__ import annotations

import datetime as dt

import pytest

from sinergi.web.meetings import services
from tests.web.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def carried(meeting) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {a.carried.title: a.notes for a in meeting.agenda.exclude(carried=None)}


def test_next_meeting_of_the_same_kind_carries_open_items(meeting, users) -> None:  # type: ignore[no-untyped-def]
    nxt = make_meeting(users.bappeda, date=dt.date(2024, 4, 15), title="Rapat monev TW II")
    items = carried(nxt)
    # open: "Lelang dini" (in progress, due later) and "Surat ke Kemenko" (not started, overdue);
    # done and dropped ones stay behind.
    assert set(items) == {"Lelang dini", "Surat ke Kemenko"}
    assert "terlambat sejak 20 Maret 2024" in items["Surat ke Kemenko"]
    assert "terlambat" not in items["Lelang dini"]


def test_another_kind_carries_nothing(meeting, users) -> None:  # type: ignore[no-untyped-def]
    other = make_meeting(users.bappeda, kind="tkpk", date=dt.date(2024, 4, 15))
    assert carried(other) == {}


def test_carry_over_is_idempotent_and_chains(meeting, users) -> None:  # type: ignore[no-untyped-def]
    second = make_meeting(users.bappeda, date=dt.date(2024, 4, 15))
    assert services.carry_over(second) == []
    assert second.agenda.exclude(carried=None).count() == 2
    # One item is done before the third meeting: only the other is carried on.
    item = second.agenda.get(carried__title="Lelang dini").carried
    services.update_action(item, users.bappeda, expected_version=item.version, status="done")
    third = make_meeting(users.bappeda, date=dt.date(2024, 7, 15))
    assert set(carried(third)) == {"Surat ke Kemenko"}


def test_earlier_meeting_carries_nothing_from_a_later_one(meeting, users) -> None:  # type: ignore[no-untyped-def]
    earlier = make_meeting(users.bappeda, date=dt.date(2023, 12, 1))
    assert carried(earlier) == {}
