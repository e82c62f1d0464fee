"""The SLRT demo step: a few hundred illustrative cases in every state, fast, run once."""

from __future__ import annotations

import time

import pytest

from sinergi.web.social import demo, selectors
from sinergi.web.social.models import (
    Case,
    CaseStatus,
    ConsentState,
    ProposalStatus,
    Referral,
    ReferralState,
    RegistryProposal,
    Service,
)
from sinergi.web.social.policy import SocialPolicy

pytestmark = pytest.mark.django_db


def test_demo_loads_every_state_once(release, people):
    started, cpu = time.perf_counter(), time.process_time()
    summary = demo.load()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert "illustrative" in summary
    assert Service.objects.count() >= 30 + 4  # the catalogue fixture's four too
    assert Service.objects.filter(is_illustrative=True).count() >= 30
    cases = Case.objects.filter(is_illustrative=True)
    assert 250 <= cases.count() <= 400
    assert not Case.objects.filter(is_illustrative=False).exists()
    assert cases.filter(household_id="").exists() and cases.exclude(household_id="").exists()
    assert {d.year for d in cases.dates("opened_on", "year")} >= {2025, 2026}
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
    states = set(Referral.objects.values_list("state", flat=True))
    assert states == set(ReferralState.values)
    assert set(Referral.objects.values_list("outcome", flat=True)) >= {
        "successful",
        "not_successful",
    }
    assert Referral.objects.filter(consent_override=True).exists()
    assert cases.filter(consents__state=ConsentState.REFUSED).exists()
    assert cases.filter(events__kind="reopened").exists()
    assert set(RegistryProposal.objects.values_list("status", flat=True)) >= {
        ProposalStatus.PENDING,
        ProposalStatus.ACCEPTED,
    }
    board = selectors.dashboard(SocialPolicy.for_user(people["dinsos"]))
    assert all(board.by_sla[s] > 0 for s in ("on_track", "at_risk", "breached")), board.by_sla
    assert Referral.objects.filter(escalated_at__isnull=False).exists()
    report = selectors.case_report(Case.objects.all())
    assert 0 < report["on_time_rate"] < 1 and 0 < report["closed_loop_rate"] < 1
    # Every case and event went through the services: the narrative says illustrative.
    assert all("Ilustratif" in n for n in cases.values_list("narrative", flat=True))
    print(
        f"SLRT demo: {cases.count()} cases in {seconds:.1f} s ({cpu:.1f} s CPU); running {board.by_sla}"
    )
    # A second run changes nothing.
    before = (Case.objects.count(), Referral.objects.count(), Service.objects.count())
    assert "already" in demo.load()
    assert (Case.objects.count(), Referral.objects.count(), Service.objects.count()) == before
