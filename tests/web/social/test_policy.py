"""Who sees and does what in the SLRT app, for every named role."""

from __future__ import annotations

import pytest

from sinergi.web.social import services
from sinergi.web.social.models import Case, Referral
from sinergi.web.social.policy import SocialPolicy

pytestmark = pytest.mark.django_db


def p(people, who: str) -> SocialPolicy:
    return SocialPolicy.for_user(people[who])


@pytest.fixture
def world(people, catalogue, make_case):
    """A Betung case referred to Dinkes, and a case of another kecamatan referred to Disdik."""
    betung = make_case()
    health = services.refer(betung, catalogue["dinkes-berobat"], user=people["front"])
    other = make_case(household="H2", user=people["other_front"])
    school = services.refer(other, catalogue["disdik-beasiswa"], user=people["other_front"])
    return {"betung": betung, "other": other, "health": health, "school": school}


@pytest.mark.parametrize(
    ("who", "front", "back", "agency", "aggregate", "public"),
    [
        ("front", True, False, False, False, False),
        ("desa_front", True, False, False, False, False),
        ("dinsos", False, True, True, False, False),
        ("dinkes", False, False, True, False, False),
        ("baznas", False, False, True, False, False),
        ("bappeda", False, False, False, True, False),
        ("executive", False, False, False, True, False),
        ("public", False, False, False, False, True),
    ],
)
def test_roles(people, who, front, back, agency, aggregate, public):
    pol = p(people, who)
    assert (
        pol.is_front_office,
        pol.is_back_office,
        pol.is_service_operator,
        pol.is_aggregate_only,
        pol.is_public,
    ) == (front, back, agency, aggregate, public)


@pytest.mark.parametrize(
    ("who", "cases", "referrals"),
    [
        ("front", {"betung"}, {"health"}),
        ("desa_front", {"betung"}, {"health"}),  # H1 lives in its desa
        ("other_front", {"other"}, {"school"}),
        ("dinsos", {"betung", "other"}, {"health", "school"}),
        ("dinkes", {"betung"}, {"health"}),
        ("disdik", {"other"}, {"school"}),
        ("baznas", set(), set()),
        ("bappeda", {"betung", "other"}, {"health", "school"}),
        ("executive", {"betung", "other"}, {"health", "school"}),
        ("public", set(), set()),
    ],
)
def test_lists_are_scoped(people, world, who, cases, referrals):
    pol = p(people, who)
    case_names = {world[k].pk: k for k in ("betung", "other")}
    referral_names = {world[k].pk: k for k in ("health", "school")}
    assert {case_names[c.pk] for c in pol.cases(Case.objects.all())} == cases
    assert {referral_names[r.pk] for r in pol.referrals(Referral.objects.all())} == referrals
    for name in ("betung", "other"):
        assert pol.can_view_case(world[name]) is (name in cases)


@pytest.mark.parametrize(
    ("who", "personal"),
    [
        ("front", True),
        ("dinsos", True),
        ("dinkes", True),  # the case is referred to it
        ("disdik", False),  # not referred to it
        ("bappeda", False),
        ("executive", False),
        ("other_front", False),
        ("public", False),
    ],
)
def test_personal_data_of_the_betung_case(people, world, who, personal):
    assert p(people, who).can_see_personal(world["betung"]) is personal


def test_who_acts_on_what(people, world):
    betung, health = world["betung"], world["health"]
    assert p(people, "front").can_refer(betung) and not p(people, "front").can_override_consent(
        betung
    )
    assert p(people, "dinsos").can_override_consent(betung)
    assert not p(people, "other_front").can_refer(betung)
    assert p(people, "dinkes").can_handle(health)
    for who in ("disdik", "front", "dinsos", "bappeda", "executive", "public"):
        assert not p(people, who).can_handle(health), who
    assert p(people, "front").can_revoke(health) and not p(people, "dinkes").can_revoke(health)
    assert p(people, "dinsos").can_review_proposals and p(people, "dinsos").can_export_proposals
    for who in ("front", "dinkes", "bappeda", "executive", "public"):
        assert not p(people, who).can_review_proposals, who
        assert not p(people, who).can_manage_services, who
    assert p(people, "front").can_register("16.07.05.2002")
    assert not p(people, "desa_front").can_register("16.07.05.2003")
    assert not p(people, "bappeda").can_register("16.07.05.2002")
    assert p(people, "executive").can_view_reports and not p(people, "public").can_view_reports


def test_queue_is_the_agencys_own(people, world):
    assert list(p(people, "dinkes").queue(Referral.objects.all())) == [world["health"]]
    assert list(p(people, "front").queue(Referral.objects.all())) == []
