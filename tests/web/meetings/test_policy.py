"""Who reads and changes meetings and actions."""

from __future__ import annotations

import pytest

from sinergi.web.meetings.models import ActionItem, Meeting
from sinergi.web.meetings.policy import MeetingPolicy
from tests.web.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def policy(user) -> MeetingPolicy:  # type: ignore[no-untyped-def]
    return MeetingPolicy.for_user(user)


def test_readers_and_managers(meeting, users) -> None:  # type: ignore[no-untyped-def]
    table = {
        "bappeda": (True, True),
        "naker": (True, False),
        "viewer": (True, False),
        "kecamatan": (False, False),
        "outsider": (False, False),
        "province": (True, True),
        "public": (False, False),
    }
    for name, (read, manage) in table.items():
        p = policy(getattr(users, name))
        assert (p.can_read(meeting), p.can_manage(meeting)) == (read, manage), name


def test_a_province_meeting_is_read_by_the_regency_below(users) -> None:  # type: ignore[no-untyped-def]
    sekber = make_meeting(users.province, kind="sekber", region="16")
    assert policy(users.bappeda).can_read(sekber)
    assert not policy(users.bappeda).can_manage(sekber)
    assert policy(users.province).can_manage(sekber)
    assert list(policy(users.bappeda).meetings(Meeting.objects.all())) == [sekber]
    assert list(policy(users.outsider).meetings(Meeting.objects.all())) == [sekber]
    assert not policy(users.kecamatan).meetings(Meeting.objects.all()).exists()


def test_an_opd_user_updates_only_its_own_actions(meeting, users) -> None:  # type: ignore[no-untyped-def]
    own = ActionItem.objects.get(title="Lelang dini")
    other = ActionItem.objects.get(title="Laporan serapan")
    p = policy(users.naker)
    assert p.can_update_action(own) and not p.can_edit_action_plan(own)
    assert not p.can_update_action(other)
    assert policy(users.bappeda).can_edit_action_plan(other)
    assert not policy(users.viewer).can_update_action(own)
