"""Progress rolls up by weight from actions to the recommendation and the problem."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from sinergi.web.meetings import services
from sinergi.web.meetings.models import ActionItem

pytestmark = pytest.mark.django_db


def item(progress: int, weight: int, status: str = "in_progress") -> ActionItem:
    return ActionItem(progress=D(progress), weight=D(weight), status=status)


def test_weighted_mean_of_progress() -> None:
    assert services.rollup([item(50, 3), item(0, 1, "not_started")]) == D("37.50")


def test_done_counts_full_and_dropped_not_at_all() -> None:
    assert services.rollup([item(20, 1, "done"), item(90, 9, "dropped")]) == D("100.00")


def test_nothing_to_count_is_none() -> None:
    assert services.rollup([]) is None
    assert services.rollup([item(40, 1, "dropped")]) is None


def test_recommendation_and_problem_progress(meeting) -> None:  # type: ignore[no-untyped-def]
    r1, r2 = list(meeting.recommendations.order_by("id"))
    # r1: 50 % x 3 + 100 % x 1 -> 62,5 %; r2: 0 % (the dropped item does not count)
    assert services.recommendation_progress(r1) == D("62.50")
    assert services.recommendation_progress(r2) == D("0.00")
    problem = r1.problem
    assert services.problem_progress(problem) == D("62.50")


def test_problem_progress_includes_the_problems_under_it(meeting, users, orgs) -> None:  # type: ignore[no-untyped-def]
    core = meeting.problems.get(level="core")
    child = services.add_problem(
        meeting, users.bappeda, title="Lelang terlambat", level="problem", parent=core
    )
    rec = services.add_recommendation(
        meeting, users.bappeda, problem=child, text="Lelang dini", level="regency"
    )
    services.add_action(rec, users.bappeda, title="x", owner=orgs.naker, status="done", weight=D(4))
    # (50x3 + 100x1 + 100x4) / 8
    assert services.problem_progress(core) == D("81.25")
    assert services.problem_progress(child) == D("100.00")


def test_progress_by_owner(meeting, orgs) -> None:  # type: ignore[no-untyped-def]
    rows = {str(o): (p, n) for o, p, n in services.progress_by_owner(meeting)}
    assert rows["Disnaker"] == (D("50.00"), 1)
    assert rows["Dinsos Uji"] == (D("100.00"), 1)
    assert rows["Bappeda Uji"] == (D("0.00"), 2)
