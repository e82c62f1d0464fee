"""Proposals from the data are exactly the indicator statuses and the monev warnings; users
accept, merge or reject them and build the tree; scores rank the strategic issues."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from sinergi.web.indicators.services import region_statuses
from sinergi.web.meetings import services
from sinergi.web.meetings.services import ConflictError
from sinergi.web.programs.services import monev_data
from tests.web.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db

FLAGGED = {"off_track", "at_risk", "not_achieved"}


@pytest.mark.parametrize("year", [2019, 2024, 2025])
def test_indicator_proposals_equal_the_indicator_statuses(seeded, users, banyuasin, year) -> None:  # type: ignore[no-untyped-def]
    meeting = make_meeting(users.bappeda, kind="rkp", date=dt.date(year, 7, 31))
    expected = {
        f"indicator:{i.indicator.code}": i.status
        for i in region_statuses(banyuasin, year)
        if i.status in FLAGGED or (i.status in ("no_data", "no_baseline") and i.primary is not None)
    }
    got = dict(meeting.problems.filter(origin="indicator").values_list("key", "status_code"))
    assert got == expected
    assert expected  # the seed figures leave some indicator off its target
    for problem in meeting.problems.filter(origin="indicator"):
        assert problem.decision == "proposed"
        assert any(e["source"] for e in problem.evidence)  # the target at least is cited


def test_activity_proposals_are_the_late_monev_activities(prima, users, banyuasin) -> None:  # type: ignore[no-untyped-def]
    meeting = make_meeting(users.bappeda, date=dt.date(2019, 10, 17), year=2019, quarter=3)
    late = monev_data(banyuasin, 2019, 3).late
    keys = set(meeting.problems.filter(origin="activity").values_list("key", flat=True))
    assert keys == {f"activity:{row.activity.pk}" for row in late}
    assert late
    row = late[0]
    problem = meeting.problems.get(key=f"activity:{row.activity.pk}")
    texts = [e["text"] for e in problem.evidence]
    assert all(w.message in texts for w in row.warnings)


def test_sync_is_idempotent_and_keeps_decisions(seeded, users) -> None:  # type: ignore[no-untyped-def]
    meeting = make_meeting(users.bappeda, kind="rkp", date=dt.date(2025, 7, 31))
    first = meeting.problems.filter(decision="proposed").first()
    services.decide(first, "rejected", users.bappeda, expected_version=first.version)
    assert services.sync_proposals(meeting) == (0, 0)
    first.refresh_from_db()
    assert first.decision == "rejected"


def test_accept_merge_reject(seeded, users) -> None:  # type: ignore[no-untyped-def]
    meeting = make_meeting(users.bappeda, kind="rkp", date=dt.date(2025, 7, 31))
    a, b, *_rest = list(meeting.problems.filter(decision="proposed"))
    services.decide(a, "accepted", users.bappeda, expected_version=a.version)
    a.refresh_from_db()
    services.decide(b, "merged", users.bappeda, expected_version=b.version, into=a)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into == a and b.decision == "merged"
    assert all(e in a.evidence for e in b.evidence)
    assert set(b.indicators.all()) <= set(a.indicators.all())
    with pytest.raises(ValidationError):
        services.decide(a, "merged", users.bappeda, into=a)
    with pytest.raises(ConflictError, match="versi 1"):
        services.decide(a, "rejected", users.bappeda, expected_version=1)


def test_tree_levels_are_enforced(meeting, users) -> None:  # type: ignore[no-untyped-def]
    core = meeting.problems.get(level="core")
    problem = services.add_problem(
        meeting, users.bappeda, title="Masalah", level="problem", parent=core
    )
    root = services.add_problem(meeting, users.bappeda, title="Akar", level="root", parent=problem)
    with pytest.raises(ValidationError):
        services.add_problem(meeting, users.bappeda, title="x", level="root", parent=core)
    with pytest.raises(ValidationError):
        services.add_problem(meeting, users.bappeda, title="x", level="core", parent=core)
    flat = [(n.problem.title, n.depth) for n in services.flat_tree(meeting)]
    assert flat == [(core.title, 0), ("Masalah", 1), ("Akar", 2)]
    assert root.parent == problem


def test_usg_and_weighted_scores_rank_the_issues(meeting, users) -> None:  # type: ignore[no-untyped-def]
    core = meeting.problems.get(level="core")
    other = services.add_problem(meeting, users.bappeda, title="Data belum padu", level="core")
    services.score_problem(
        core, users.bappeda, expected_version=None, urgency=3, seriousness=3, growth=2
    )
    services.score_problem(
        other, users.bappeda, expected_version=None, urgency=5, seriousness=4, growth=4
    )
    assert [(p.title, s) for p, s in services.ranked(meeting)] == [
        ("Data belum padu", D(13)),
        (core.title, D(8)),
    ]
    with pytest.raises(ValidationError, match="100"):
        services.set_criteria(meeting, users.bappeda, [("Dampak", D(60)), ("Kelayakan", D(30))])
    services.set_criteria(meeting, users.bappeda, [("Dampak", D(60)), ("Kelayakan", D(40))])
    meeting.scoring = "weighted"
    meeting.save()
    c1, c2 = list(meeting.criteria.all())
    services.score_problem(
        core, users.bappeda, expected_version=None, criteria={c1.pk: 5, c2.pk: 2}
    )
    services.score_problem(
        other, users.bappeda, expected_version=None, criteria={c1.pk: 2, c2.pk: 4}
    )
    assert [(p.title, s) for p, s in services.ranked(meeting)] == [
        (core.title, D("3.80")),
        ("Data belum padu", D("2.80")),
    ]


def test_a_stale_action_update_is_refused(meeting, users) -> None:  # type: ignore[no-untyped-def]
    item = meeting.recommendations.first().actions.first()
    services.update_action(item, users.bappeda, expected_version=1, progress=D(70))
    with pytest.raises(ConflictError, match="salinan Anda versi 1"):
        services.update_action(item, users.bappeda, expected_version=1, progress=D(10))


def test_an_opd_update_may_not_touch_the_plan(meeting, users, orgs) -> None:  # type: ignore[no-untyped-def]
    item = meeting.recommendations.first().actions.first()
    with pytest.raises(ValidationError):
        services.update_action(
            item, users.naker, expected_version=1, may_plan=False, owner=orgs.dinsos
        )
