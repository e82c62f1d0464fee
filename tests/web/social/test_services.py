"""SLRT actions: intake, consent and its override, referral transitions, case closing,
SLA dates and escalation, notifications after commit, registry proposals, attachments,
the report, and no clear NIK anywhere it is stored or logged."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction

from sinergi.web.audit.models import AuditEntry
from sinergi.web.audit.services import history
from sinergi.web.registry.services import pseudonymiser
from sinergi.web.social import selectors, services
from sinergi.web.social.models import (
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    ProposalStatus,
    Referral,
    ReferralState,
    RegistryProposal,
)

from .conftest import DESA, DESA_2

pytestmark = pytest.mark.django_db

D = dt.date
TICKET = re.compile(r"^SLRT-1607-(\d{4})-(\d{6})-[2-9A-HJKMNP-Z]{4}$")


def head_nik(release, household="H1") -> str:
    return next(
        m["nik"]
        for m in release.test_members
        if m["household_id"] == household and m["relationship"] == "head"
    )


def all_stored_text() -> str:
    """Every social row and audit entry as text (to look for clear numbers)."""
    parts = []
    for model in (Case, Referral, CaseEvent, RegistryProposal):
        parts += [json.dumps(list(model.objects.values()), default=str)]
    parts.append(json.dumps(list(AuditEntry.objects.values()), default=str))
    return "\n".join(parts)


# --- intake -------------------------------------------------------------------------


def test_register_a_registry_household_pseudonymises_the_person(people, release):
    case = services.register_case(
        user=people["front"],
        person=None,
        household_id="H1",
        release=release,
        category="health",
        narrative="Butuh pengobatan.",
        channel="walk_in",
        desa_code=None,
    )
    m = TICKET.match(case.ticket)
    assert m and m.group(1) == str(services.today().year) and m.group(2) == "000001"
    nik = head_nik(release)
    assert case.nik_hash == pseudonymiser().hash(nik)
    assert case.nik_masked == nik[:4] + "*" * 10 + nik[-2:]
    assert case.kk_masked.startswith("1607") and "*" in case.kk_masked
    assert case.desa_id == DESA and case.household_id == "H1" and case.in_registry
    assert case.status == CaseStatus.OPEN
    assert nik not in all_stored_text()
    second = services.register_case(
        user=people["front"],
        person={"nik_hash": pseudonymiser().hash(head_nik(release, "H3"))},
        household_id="H3",
        release=release,
        category="education",
        narrative="Sekolah.",
        channel="phone",
        desa_code=None,
    )
    assert TICKET.match(second.ticket).group(2) == "000002"
    assert second.desa_id == DESA_2


def test_register_someone_outside_the_registry(people):
    nik = "1607054107900001"
    case = services.register_case(
        user=people["front"],
        person={"name": "Siti Aminah", "nik": nik, "kk": "1607 0501 0100 0999"},
        household_id=None,
        release=None,
        category="elderly",
        narrative="Lansia tinggal sendiri.",
        channel="home_visit",
        desa_code=DESA,
    )
    assert not case.in_registry and case.release is None
    assert case.nik_hash == pseudonymiser().hash(nik) and case.nik_masked == "1607**********01"
    assert case.kk_hash == pseudonymiser().hash("1607050101000999")
    assert nik not in all_stored_text() and "1607050101000999" not in all_stored_text()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"person": {"name": "A", "nik": "12345"}}, "nik"),
        ({"person": {}}, "person"),
        ({"narrative": "NIK saya 1607054107900001, tolong."}, "narrative"),
        ({"category": "lottery"}, "category"),
        ({"desa_code": "16.07.05"}, "desa_code"),  # a kecamatan, not a desa
    ],
)
def test_bad_intake_is_refused_naming_the_field(people, kwargs, field):
    args = {
        "user": people["front"],
        "person": {"name": "Budi"},
        "household_id": None,
        "release": None,
        "category": "health",
        "narrative": "Sakit.",
        "channel": "walk_in",
        "desa_code": DESA,
        **kwargs,
    }
    with pytest.raises(ValidationError) as exc:
        services.register_case(**args)
    assert field in exc.value.message_dict
    assert "1607054107900001" not in str(exc.value)
    assert not Case.objects.exists()


def test_intake_only_in_the_users_area(people, release):
    args = {
        "person": {"name": "Budi"},
        "household_id": None,
        "release": None,
        "category": "health",
        "narrative": "Sakit.",
        "channel": "walk_in",
    }
    with pytest.raises(PermissionDenied):
        services.register_case(user=people["other_front"], desa_code=DESA, **args)
    with pytest.raises(PermissionDenied):
        services.register_case(user=people["desa_front"], desa_code=DESA_2, **args)
    for who in ("dinkes", "bappeda", "executive", "public"):
        with pytest.raises(PermissionDenied):
            services.register_case(user=people[who], desa_code=DESA, **args)
    # A desa front office does not find a household of another desa.
    with pytest.raises(ValidationError):
        services.register_case(
            user=people["desa_front"],
            person=None,
            household_id="H3",
            release=release,
            category="health",
            narrative="x",
            channel="walk_in",
            desa_code=None,
        )
    # The Dinsos back office registers anywhere in the regency.
    assert services.register_case(user=people["dinsos"], desa_code="16.07.06.2001", **args)


# --- consent ------------------------------------------------------------------------


def test_no_referral_without_consent(people, catalogue, make_case, english):
    case = make_case(consent=None)
    with pytest.raises(ValidationError, match="consent"):
        services.refer(case, catalogue["dinkes-berobat"], user=people["front"])
    services.record_consent(case, user=people["front"], state="refused")
    with pytest.raises(ValidationError):
        services.refer(case, catalogue["dinkes-berobat"], user=people["front"])
    # The front office may not override.
    with pytest.raises(PermissionDenied):
        services.refer(
            case, catalogue["dinkes-berobat"], user=people["front"], override_reason="darurat"
        )
    assert not Referral.objects.exists()


def test_consent_override_by_dinsos_is_audited(people, catalogue, make_case):
    case = make_case(consent="refused")
    with pytest.raises(ValidationError):  # a reason is required
        services.refer(case, catalogue["dinkes-berobat"], user=people["dinsos"])
    referral = services.refer(
        case,
        catalogue["dinkes-berobat"],
        user=people["dinsos"],
        override_reason="Anak dalam bahaya; perlindungan anak.",
    )
    assert referral.consent_override and "bahaya" in referral.override_reason
    entry = history(referral).get(action="create")
    assert "bahaya" in entry.comment and entry.actor == people["dinsos"]
    kinds = list(case.events.values_list("kind", flat=True))
    assert EventKind.CONSENT_OVERRIDE in kinds


def test_withdrawn_consent_stops_new_referrals(people, catalogue, make_case):
    case = make_case()
    services.refer(case, catalogue["dinkes-berobat"], user=people["front"])
    services.record_consent(case, user=people["front"], state="withdrawn")
    assert services.current_consent(case) == "withdrawn"
    with pytest.raises(ValidationError):
        services.refer(case, catalogue["disdik-beasiswa"], user=people["front"])


# --- referrals ----------------------------------------------------------------------


def test_due_on_is_the_sla_th_working_day_across_idul_fitri(people, catalogue, make_case):
    case = make_case(opened_on=D(2026, 3, 16))
    referral = services.refer(
        case, catalogue["dinkes-berobat"], user=people["front"], sent_on=D(2026, 3, 17)
    )
    # 5 working days after Tue 17 Mar 2026; 18-24 Mar closed: 25, 26, 27, 30, 31.
    assert referral.sla_working_days == 5 and referral.due_on == D(2026, 3, 31)
    assert selectors.sla_status(referral, today=D(2026, 3, 23)) == "on_track"
    assert selectors.sla_status(referral, today=D(2026, 3, 31)) == "at_risk"
    assert selectors.sla_status(referral, today=D(2026, 4, 1)) == "breached"


def test_extra_holiday_from_settings_moves_the_due_date(settings, people, catalogue, make_case):
    settings.SINERGI_EXTRA_HOLIDAYS = ["2026-01-06"]
    case = make_case(opened_on=D(2026, 1, 5))
    referral = services.refer(
        case, catalogue["dinkes-berobat"], user=people["front"], sent_on=D(2026, 1, 5)
    )
    assert referral.due_on == D(2026, 1, 13)  # 7, 8, 9, 12, 13 (6 Jan closed)


def test_the_flow_of_the_issue(people, catalogue, make_case, django_capture_on_commit_callbacks):
    case = make_case(opened_on=D(2026, 2, 2))
    health = services.refer(
        case, catalogue["dinkes-berobat"], user=people["front"], sent_on=D(2026, 2, 2)
    )
    school = services.refer(
        case, catalogue["disdik-beasiswa"], user=people["front"], sent_on=D(2026, 2, 2)
    )
    # Each agency works its own queue only.
    for who, ref in (
        ("disdik", health),
        ("dinkes", school),
        ("front", health),
        ("bappeda", health),
    ):
        with pytest.raises(PermissionDenied):
            services.accept(ref, user=people[who])
    health = services.accept(health, user=people["dinkes"], on=D(2026, 2, 3))
    assert health.state == ReferralState.ACCEPTED and health.accepted_on == D(2026, 2, 3)
    health = services.complete(
        health, user=people["dinkes"], outcome="successful", reason="", on=D(2026, 2, 6)
    )
    assert health.state == ReferralState.DONE and health.ended_on == D(2026, 2, 6)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN  # the school referral still runs
    with pytest.raises(ValidationError):
        services.reject(school, user=people["disdik"], reason="")
    school = services.reject(
        school,
        user=people["disdik"],
        reason="Anak sudah lulus; tidak memenuhi syarat.",
        reason_code="not_eligible",
        on=D(2026, 2, 9),
    )
    assert school.state == ReferralState.REJECTED and school.reason_code == "not_eligible"
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_on == D(2026, 2, 9)
    kinds = list(case.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [
        "registered",
        "consent",
        "referred",
        "referred",
        "accepted",
        "completed",
        "rejected",
        "closed",
    ]
    transitions = AuditEntry.objects.filter(action="transition").count()
    assert transitions == 4  # accept, complete, reject, case closed
    # Reopen needs a reason; then it can be referred again.
    with pytest.raises(ValidationError):
        services.reopen(case, user=people["front"], reason=" ")
    case = services.reopen(case, user=people["front"], reason="Keluarga datang lagi.")
    assert case.status == CaseStatus.OPEN and case.closed_on is None
    with django_capture_on_commit_callbacks(execute=True):
        services.refer(case, catalogue["baznas-modal"], user=people["front"])
    assert [m.to for m in mail.outbox] == [["baznas@example.test"]]


@pytest.mark.parametrize(
    ("steps", "bad"),
    [
        ([], ("complete", {"outcome": "successful", "reason": ""})),
        (["accept"], ("accept", {})),
        (["accept"], ("reject", {"reason": "x"})),
        (["reject"], ("accept", {})),
        (["accept", "done"], ("revoke", {"reason": "x"})),
    ],
)
def test_only_allowed_transitions(people, catalogue, make_case, steps, bad):
    case = make_case()
    ref = services.refer(case, catalogue["dinkes-berobat"], user=people["front"])
    user = people["dinkes"]
    for step in steps:
        if step == "accept":
            ref = services.accept(ref, user=user)
        elif step == "reject":
            ref = services.reject(ref, user=user, reason="no_capacity")
        else:
            ref = services.complete(ref, user=user, outcome="successful", reason="")
    name, kwargs = bad
    actor = people["front"] if name == "revoke" else user
    with pytest.raises(ValidationError):
        getattr(services, name)(ref, user=actor, **kwargs)


def test_not_successful_needs_a_reason(people, catalogue, make_case):
    case = make_case()
    ref = services.accept(
        services.refer(case, catalogue["dinkes-berobat"], user=people["front"]),
        user=people["dinkes"],
    )
    with pytest.raises(ValidationError):
        services.complete(ref, user=people["dinkes"], outcome="not_successful", reason="")
    with pytest.raises(ValidationError):  # "other" needs an explanation
        services.complete(
            ref, user=people["dinkes"], outcome="not_successful", reason="", reason_code="other"
        )
    ref = services.complete(
        ref, user=people["dinkes"], outcome="not_successful", reason="unreachable"
    )
    assert (ref.outcome, ref.reason_code) == ("not_successful", "unreachable")


def test_revoke_by_the_office_not_by_the_agency(people, catalogue, make_case):
    case = make_case()
    ref = services.refer(case, catalogue["dinkes-berobat"], user=people["front"])
    with pytest.raises(PermissionDenied):
        services.revoke(ref, user=people["dinkes"], reason="x")
    with pytest.raises(ValidationError):
        services.revoke(ref, user=people["front"], reason="")
    ref = services.revoke(ref, user=people["front"], reason="Salah layanan.")
    assert ref.state == ReferralState.REVOKED
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_one_running_referral_per_service_and_closed_cases_refuse(
    people, catalogue, make_case, english
):
    case = make_case()
    services.refer(case, catalogue["dinkes-berobat"], user=people["front"])
    with pytest.raises(ValidationError):
        services.refer(case, catalogue["dinkes-berobat"], user=people["front"])
    other = make_case()
    services.close_case(other, user=people["front"], reason="Dijawab di loket.")
    with pytest.raises(ValidationError, match="closed"):
        services.refer(other, catalogue["dinkes-berobat"], user=people["front"])
    with pytest.raises(ValidationError):  # running referrals close the case themselves
        services.close_case(case, user=people["front"])


def test_stale_version_is_a_conflict(people, catalogue, make_case):
    case = make_case()
    ref = services.refer(case, catalogue["dinkes-berobat"], user=people["front"])
    stale = ref.version
    services.accept(ref, user=people["dinkes"], expected_version=stale)
    with pytest.raises(services.Conflict):
        services.complete(
            ref, user=people["dinkes"], outcome="successful", reason="", expected_version=stale
        )
    ref.refresh_from_db()
    assert ref.state == ReferralState.ACCEPTED


# --- notifications and escalation ---------------------------------------------------


def test_mail_is_sent_after_commit_only_and_names_no_person(
    people, catalogue, make_case, django_capture_on_commit_callbacks
):
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ref = services.refer(case, catalogue["dinkes-berobat"], user=people["front"])
    assert len(callbacks) == 1
    (message,) = mail.outbox
    assert sorted(message.to) == ["dinkes@example.test", "dinkes_head@example.test"]
    assert case.ticket in message.body
    assert case.person_name not in message.body + message.subject
    assert "demam" not in message.body and case.nik_masked not in message.body
    # A change rolled back sends nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.accept(ref, user=people["dinkes"])
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.accept(ref, user=people["dinkes"])
    assert [m.to for m in mail.outbox] == [["front@example.test"]]


def test_breach_escalates_to_the_agency_head_once(
    people, catalogue, make_case, django_capture_on_commit_callbacks
):
    case = make_case(opened_on=D(2026, 1, 5))
    ref = services.refer(
        case, catalogue["dinkes-berobat"], user=people["front"], sent_on=D(2026, 1, 5)
    )
    assert ref.due_on == D(2026, 1, 12)
    assert services.escalate_breaches(on=D(2026, 1, 12)) == []  # due today: not yet
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = services.escalate_breaches(on=D(2026, 1, 13))
    assert [r.pk for r in done] == [ref.pk]
    assert [m.to for m in mail.outbox] == [["dinkes_head@example.test"]]
    assert services.escalate_breaches(on=D(2026, 1, 14)) == []
    out = io.StringIO()
    call_command("slrt_escalate", "--on", "2026-01-15", stdout=out)
    assert out.getvalue().startswith("0 referral(s) escalated")
    assert case.events.filter(kind=EventKind.ESCALATED).count() == 1
    board = selectors.dashboard(
        selectors.SocialPolicy.for_user(people["dinsos"]), today=D(2026, 1, 14)
    )
    assert [r.pk for r in board.breached] == [ref.pk] and board.by_sla["breached"] == 1


# --- registry proposals -------------------------------------------------------------


def test_registry_proposal_is_reviewed_and_exported_without_clear_numbers(people, make_case):
    case = make_case(household=None, person={"name": "Rahmat"}, desa_code=DESA)
    nik = "1607050505800007"
    proposal = services.propose_registry_change(
        case,
        user=people["front"],
        kind="add",
        details={"name": "Rahmat", "nik": nik, "address": "Dusun II", "members": "4"},
    )
    assert proposal.details["nik_masked"] == "1607**********07"
    assert nik not in json.dumps(proposal.details)
    with pytest.raises(ValidationError):
        services.propose_registry_change(
            case, user=people["front"], kind="correct", details={"note": "x"}
        )
    with pytest.raises(ValidationError):
        services.propose_registry_change(
            case, user=people["front"], kind="add", details={"salary": 1}
        )
    with pytest.raises(PermissionDenied):
        services.review_proposal(proposal, user=people["front"], accept=True)
    services.review_proposal(proposal, user=people["dinsos"], accept=True, note="Sesuai.")
    with pytest.raises(PermissionDenied):
        services.export_proposals(user=people["bappeda"])
    name, content = services.export_proposals(user=people["dinsos"])
    text = content.decode()
    assert name.endswith(".csv") and pseudonymiser().hash(nik) in text and nik not in text
    assert "1607**********07" in text and case.ticket in text
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.EXPORTED
    assert services.export_proposals(user=people["dinsos"])[1].decode().count("\n") == 1


# --- attachments --------------------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_attachments_are_checked_like_monev_documents(people, catalogue, make_case):
    case = make_case()
    att = services.add_attachment(
        case, user=people["front"], title="Surat keterangan", name="sk.pdf",
        stream=io.BytesIO(PDF), size=len(PDF),
    )  # fmt: skip
    assert att.content_type == "application/pdf" and len(att.sha256) == 64
    assert "sk.pdf" not in att.file.name
    with pytest.raises(ValidationError):
        services.add_attachment(
            case, user=people["front"], title="x", name="virus.pdf",
            stream=io.BytesIO(b"MZ\x90\x00" * 10), size=40,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):  # not referred to Disdik
        services.add_attachment(
            case, user=people["disdik"], title="x", name="a.pdf",
            stream=io.BytesIO(PDF), size=len(PDF),
        )  # fmt: skip
    services.refer(case, catalogue["disdik-beasiswa"], user=people["front"])
    assert services.add_attachment(
        case, user=people["disdik"], title="Bukti", name="a.pdf",
        stream=io.BytesIO(PDF), size=len(PDF),
    )  # fmt: skip


# --- report -------------------------------------------------------------------------


def test_case_report_figures(people, catalogue, make_case):
    front, dinkes, disdik = people["front"], people["dinkes"], people["disdik"]
    # Case A (Betung desa 2002, health): 2 referrals; one done successfully on time,
    # one rejected late. Closed.
    a = make_case(opened_on=D(2026, 1, 5))
    r1 = services.refer(a, catalogue["dinkes-berobat"], user=front, sent_on=D(2026, 1, 5))
    r2 = services.refer(a, catalogue["disdik-beasiswa"], user=front, sent_on=D(2026, 1, 5))
    services.accept(r1, user=dinkes, on=D(2026, 1, 6))
    services.complete(r1, user=dinkes, outcome="successful", reason="", on=D(2026, 1, 9))
    assert r2.due_on == D(2026, 1, 20)  # Fri 16 Jan is Isra Mikraj
    services.reject(r2, user=disdik, reason="no_capacity", on=D(2026, 1, 21))
    # Case B (desa 2003, education): 1 referral done not successful; closed after 3 days.
    b = make_case(household="H3", category="education", opened_on=D(2026, 1, 12))
    r3 = services.refer(b, catalogue["dinkes-berobat"], user=front, sent_on=D(2026, 1, 12))
    services.accept(r3, user=dinkes, on=D(2026, 1, 12))
    services.complete(
        r3, user=dinkes, outcome="not_successful", reason="client_refused", on=D(2026, 1, 15)
    )
    # Case C: open, a referral running and breached; registered outside the period too.
    c = make_case(opened_on=D(2026, 1, 20))
    services.refer(c, catalogue["baznas-modal"], user=front, sent_on=D(2026, 1, 20))
    make_case(opened_on=D(2025, 12, 1))
    report = selectors.case_report(
        Case.objects.all(), date_from=D(2026, 1, 1), date_to=D(2026, 1, 31), today=D(2026, 2, 27)
    )
    assert report["cases"] == 3
    assert report["by_category"]["health"] == 2 and report["by_category"]["education"] == 1
    rows = {r["desa_code"]: r for r in report["by_desa"]}
    assert rows[DESA]["total"] == 2 and rows[DESA_2]["education"] == 1
    assert report["referrals_sent"] == 4
    assert report["answered"] == 3 and report["answered_on_time"] == 2
    assert report["on_time_rate"] == pytest.approx(2 / 3)
    assert report["done_successful"] == 1 and report["closed_loop_rate"] == pytest.approx(1 / 4)
    # A: 5 Jan -> 21 Jan = 11 working days; B: 12 Jan -> 15 Jan = 3. Median 7.
    assert report["closed"] == 2 and report["median_days_to_close"] == 7
    assert report["running_by_sla"]["breached"] == 1


# --- personal data ------------------------------------------------------------------


def test_no_clear_nik_in_logs(people, catalogue, release, make_case, caplog):
    caplog.set_level(logging.DEBUG)
    case = make_case()
    ref = services.refer(case, catalogue["dinkes-berobat"], user=people["front"])
    services.accept(ref, user=people["dinkes"])
    services.complete(ref, user=people["dinkes"], outcome="successful", reason="")
    text = caplog.text + all_stored_text()
    for m in release.test_members:
        assert m["nik"] not in text and m["kk"] not in text
    assert case.ticket in caplog.text
