"""The approval workflow: who may take which step, locking, comments, audit, concurrency."""

import pytest

from sinergi.web.audit.models import Action
from sinergi.web.audit.services import history
from sinergi.web.collection import services, workflow
from sinergi.web.collection.workflow import TRANSITIONS, WorkflowError
from sinergi.web.indicators.services import ConflictError

from .conftest import figures


def test_the_transition_table_is_the_documented_workflow():
    rows = {(t.name, t.source, t.target) for t in TRANSITIONS}
    assert rows == {
        ("submit", "draft", "submitted"),
        ("submit", "returned", "submitted"),
        ("verify", "submitted", "verified"),
        ("approve", "verified", "approved"),
        ("return", "submitted", "returned"),
        ("return", "verified", "returned"),
        ("unapprove", "approved", "returned"),
    }
    assert all(t.needs_comment for t in TRANSITIONS if t.name in {"return", "unapprove"})


def test_full_path_records_each_step_in_the_audit_trail(period, users, make_submission):
    sub = make_submission(period, status="approved")
    assert sub.status == "approved" and sub.first_submitted_at and sub.approved_at
    steps = [
        (e.action, (e.before or {}).get("status"), (e.after or {}).get("status"), e.actor.username)
        for e in reversed(list(history(sub)))
    ]
    assert steps == [
        (Action.CREATE, None, "draft", "op-betung"),
        (Action.UPDATE, "draft", "draft", "op-betung"),
        (Action.TRANSITION, "draft", "submitted", "op-betung"),
        (Action.TRANSITION, "submitted", "verified", "verifier"),
        (Action.TRANSITION, "verified", "approved", "bappeda"),
    ]


def test_value_changes_are_audited_with_before_and_after(period, users, make_submission):
    sub = make_submission(period)
    services.save_values(
        sub, users["operator"], {("kur_recipients_active", ""): 900}, expected_version=sub.version
    )
    entry = history(sub).first()
    assert ("value:kur_recipients_active", "800", "900") in entry.changes()


@pytest.mark.parametrize(
    ("status", "step", "actor"),
    [
        ("draft", "submit", "other_operator"),  # another kecamatan
        ("draft", "submit", "bappeda"),  # only the kecamatan submits
        ("submitted", "verify", "other_opd"),  # not the verifying agency
        ("submitted", "verify", "operator"),  # cannot verify its own
        ("submitted", "approve", "bappeda"),  # not verified yet
        ("verified", "approve", "verifier"),  # only Bappeda approves
        ("verified", "approve", "outsider"),  # Bappeda of another regency
        ("verified", "return", "verifier"),  # once verified only Bappeda returns
        ("approved", "unapprove", "verifier"),
        ("approved", "unapprove", "executive"),
    ],
)
def test_steps_outside_role_or_state_are_refused(
    period, users, make_submission, status, step, actor
):
    sub = make_submission(period, status=status)
    with pytest.raises(WorkflowError):
        workflow.perform(sub, step, users[actor], comment="because")
    sub.refresh_from_db()
    assert sub.status == status


def test_return_needs_a_comment_and_reopens_for_editing(period, users, make_submission):
    sub = make_submission(period, status="submitted")
    with pytest.raises(WorkflowError, match="comment"):
        workflow.perform(sub, "return", users["verifier"])
    with pytest.raises(WorkflowError, match="returned for correction"):
        services.save_values(
            sub, users["operator"], {("kur_recipients_active", ""): 1}, expected_version=sub.version
        )
    sub = workflow.perform(sub, "return", users["verifier"], comment="KUR looks doubled")
    assert sub.status == "returned" and sub.last_comment == "KUR looks doubled"
    sub = services.save_values(
        sub, users["operator"], {("kur_recipients_active", ""): 400}, expected_version=sub.version
    ).submission
    sub = workflow.perform(sub, "submit", users["operator"])
    assert sub.status == "submitted"


def test_approved_data_is_locked_until_bappeda_unapproves(period, users, make_submission):
    sub = make_submission(period, status="approved")
    with pytest.raises(WorkflowError, match="locked"):
        services.save_values(
            sub, users["operator"], {("kur_recipients_active", ""): 1}, expected_version=sub.version
        )
    sub = workflow.perform(sub, "unapprove", users["bappeda"], comment="wrong kecamatan register")
    assert sub.status == "returned" and sub.approved_at is None
    services.save_values(
        sub, users["operator"], {("kur_recipients_active", ""): 1}, expected_version=sub.version
    )


def test_submit_is_blocked_by_hard_rules_with_a_clear_message(period, users, make_submission):
    sub = make_submission(period, values=figures(measured=(100, 100), stunted=(150, 10)))
    with pytest.raises(WorkflowError) as caught:
        workflow.perform(sub, "submit", users["operator"])
    assert any("150 ≤ 100" in m for m in caught.value.messages)


def test_submit_needs_a_comment_for_each_warning(period, users, make_submission):
    sub = make_submission(period, values=figures(measured=(100, 100), stunted=(60, 30)))
    with pytest.raises(WorkflowError, match="Warning needs a comment"):
        workflow.perform(sub, "submit", users["operator"])
    key = next(i.key for i in services.issues_for(sub) if not i.is_hard)
    sub = services.save_values(
        sub,
        users["operator"],
        {},
        expected_version=sub.version,
        rule_comments={key: "Gizi buruk cluster, confirmed by puskesmas"},
    ).submission
    assert workflow.perform(sub, "submit", users["operator"]).status == "submitted"


def test_second_save_of_the_same_version_is_a_conflict(period, users, make_submission):
    sub = make_submission(period)
    read_version = sub.version
    services.save_values(
        sub, users["operator"], {("kur_recipients_active", ""): 801}, expected_version=read_version
    )
    with pytest.raises(ConflictError, match="changed by someone else"):
        services.save_values(
            sub,
            users["operator"],
            {("kur_recipients_active", ""): 802},
            expected_version=read_version,
        )
    sub.refresh_from_db()
    assert services.values_of(sub)[("kur_recipients_active", "")] == 801


def test_a_step_on_a_stale_version_is_a_conflict(period, users, make_submission):
    sub = make_submission(period, status="submitted")
    stale = sub.version
    workflow.perform(sub, "verify", users["verifier"], expected_version=stale)
    with pytest.raises(ConflictError):
        workflow.perform(sub, "return", users["bappeda"], comment="x", expected_version=stale)


def test_discarding_a_draft_is_audited(period, users, make_submission):
    from sinergi.web.audit.models import AuditEntry
    from sinergi.web.collection.models import Submission

    sub = make_submission(period)
    pk = sub.pk
    services.delete_draft(sub, users["operator"], expected_version=sub.version)
    assert not Submission.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.filter(object_id=str(pk), action=Action.DELETE).get()
    assert entry.before["value:kur_recipients_active"] == "800" and entry.after is None
