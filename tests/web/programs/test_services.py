"""Realisation entry, review workflow, optimistic locking, audit, and the monev data function."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from sinergi.web.audit.models import Action, AuditEntry
from sinergi.web.indicators.services import ConflictError
from sinergi.web.programs import services
from sinergi.web.programs.choices import RealisationStatus, WarningKind
from sinergi.web.programs.models import Realisation

pytestmark = pytest.mark.django_db


def test_demo_q3_shows_which_activities_are_late_and_why(prima, banyuasin):
    report = services.monev_data(banyuasin, 2019, 3, flagship=prima.flagship)
    late = {row.activity.code: {w.kind for w in row.warnings} for row in report.late}
    assert set(late) == {
        "2.17.08.2.01.0001",
        "2.07.03.2.01.0001",
        "3.26.02.2.01.0001",
        "1.05.02.2.02.0003",
        "2.07.04.2.01.0002",  # the job fair is over at 980 of 1,000 vacancies
        "2.19.03.2.03.0001",  # its Q3 realisation is a draft: not submitted, not counted
    }
    assert late["2.19.03.2.03.0001"] == {WarningKind.NO_REPORT}
    assert late["2.07.03.2.01.0001"] == {
        WarningKind.DEADLINE,
        WarningKind.PHYSICAL_LAG,
        WarningKind.FINANCIAL_LAG,
        WarningKind.OUTPUT_TREND,
    }
    assert late["1.05.02.2.02.0003"] == {WarningKind.FINANCIAL_LAG}
    assert report.as_of.isoformat() == "2019-10-17"  # the monev meeting of the seed
    job_fair = next(r for r in report.rows if r.activity == prima.job_fair)
    vacancies = next(o for o in job_fair.outputs if o.indicator.code == "job-fair-vacancies")
    # A finished one-off job fair is not extrapolated (it used to read 1.307 vacancies).
    assert vacancies.achieved == D(980) and vacancies.projection == D(980)
    assert late["2.07.04.2.01.0002"] == {WarningKind.OUTPUT_TREND}
    events = next(o for o in job_fair.outputs if o.indicator.code == "job-fair-events")
    assert events.projection == D(1)


def test_monev_data_uses_a_fixed_number_of_queries(prima, banyuasin, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        report = services.monev_data(banyuasin, 2019, 3)
    assert len(report.rows) == 10 and len(report.blocks) == 6


def test_totals_weight_physical_progress_by_public_budget(prima, banyuasin, users):
    porprov = Realisation.objects.get(activity__code="2.19.03.2.03.0001", quarter=3)
    services.transition(porprov, "submit", users.other_opd)  # the Q3 draft, now sent
    report = services.monev_data(banyuasin, 2019, 3, agency_id=prima.agencies["disparpora"].pk)
    t = report.totals
    assert t.public_budget == D(2_650_000_000)
    # (52 % x 2,000 M + 83 % x 650 M) / 2,650 M
    assert t.physical_pct.quantize(D("0.01")) == D("59.60")
    assert t.financial_pct.quantize(D("0.01")) == (D(1400) / D(2650) * 100).quantize(D("0.01"))


def test_owner_saves_and_version_conflict_is_refused(prima, users):
    real, changed = services.save_realisation(
        prima.info, 4, physical_pct=D(90), spent=D(80_000_000), user=users.owner, problems="cuaca"
    )
    assert changed and real.version == 1 and real.status == RealisationStatus.DRAFT
    real, _ = services.save_realisation(
        prima.info, 4, physical_pct=D(95), spent=D(85_000_000), user=users.owner, expected_version=1
    )
    assert real.version == 2
    with pytest.raises(ConflictError):
        services.save_realisation(
            prima.info,
            4,
            physical_pct=D(99),
            spent=D(85_000_000),
            user=users.bappeda,
            expected_version=1,
        )
    assert Realisation.objects.get(pk=real.pk).physical_pct == D(95)
    entries = AuditEntry.objects.filter(object_id=str(real.pk), content_type__model="realisation")
    assert [e.action for e in entries.order_by("at", "id")] == [Action.CREATE, Action.UPDATE]


def test_saving_the_same_values_changes_nothing(prima, users):
    services.save_realisation(prima.info, 4, physical_pct=D(90), spent=D(1), user=users.owner)
    _real, changed = services.save_realisation(
        prima.info, 4, physical_pct=D(90), spent=D(1), user=users.owner
    )
    assert not changed


def test_spending_above_the_budget_and_bad_progress_are_refused(prima, users):
    with pytest.raises(ValidationError) as caught:
        services.save_realisation(
            prima.info, 4, physical_pct=D("100.01"), spent=D(95_000_001), user=users.owner
        )
    assert set(caught.value.message_dict) == {"physical_pct", "spent"}
    assert not Realisation.objects.filter(activity=prima.info, quarter=4).exists()


def test_review_workflow_locks_approved_realisations(prima, users):
    real, _ = services.save_realisation(
        prima.info, 4, physical_pct=D(90), spent=D(1), user=users.owner, submit=True
    )
    assert real.status == RealisationStatus.SUBMITTED
    with pytest.raises(services.TransitionError):
        services.transition(real, "submit", users.owner)
    with pytest.raises(ValidationError):
        services.transition(real, "return", users.bappeda, note="  ")  # a return needs a reason
    real = services.transition(real, "approve", users.bappeda, note="ok")
    assert real.status == RealisationStatus.APPROVED and real.reviewed_by == users.bappeda
    with pytest.raises(services.LockedError):
        services.save_realisation(prima.info, 4, physical_pct=D(91), spent=D(1), user=users.owner)
    real = services.transition(real, "return", users.bappeda, note="angka fisik dicek ulang")
    real, changed = services.save_realisation(
        prima.info, 4, physical_pct=D(91), spent=D(1), user=users.owner
    )
    assert changed and real.status == RealisationStatus.RETURNED
    assert AuditEntry.objects.filter(object_id=str(real.pk), action=Action.TRANSITION).count() == 3


def test_outputs_must_belong_to_the_activity(prima, users):
    foreign = prima.job_fair.indicators.first()
    with pytest.raises(ValidationError):
        services.save_realisation(
            prima.info,
            4,
            physical_pct=D(1),
            spent=D(1),
            user=users.owner,
            outputs={foreign.pk: D(5)},
        )
