"""Review decisions (recorded, applied, remembered on the next run, reversible, audited) and
who may use the pages (named roles; 403 for the others)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sinergi.web.audit.models import AuditEntry
from sinergi.web.beneficiaries import matching, services
from sinergi.web.beneficiaries.models import MatchDecision, MatchLink, MatchStage, MatchState
from tests.web.beneficiaries.conftest import list_rows_from, write_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(data_dir, programme, tmp_path, registry_people, release):
    hh, mm = registry_people
    rows = list_rows_from(mm, hh)
    path = write_list(tmp_path / "list.csv", rows)
    blist = services.import_list(programme, path, label="L", user=None).blist
    return matching.start(blist, release, user=None, background=False)


def _heads(registry_people):
    return [m for m in registry_people[1] if m["relationship"] == "head"]


def _key(nik):
    return services.pseudonymiser().hash(nik)


def test_decisions_apply_survive_a_rerun_and_are_reversible(run, users, registry_people, release):
    heads = _heads(registry_people)
    other = heads[5]
    # "different person" on an accepted exact pair: the row is left unmatched
    services.decide(run, "KPM-001", _key(heads[0]["nik"]), "non_match", users["dinsos"])
    links = list(MatchLink.objects.filter(run=run, list_row="KPM-001"))
    assert [(link.state, link.household_id) for link in links] == [(MatchState.UNMATCHED, "")]
    # "same person" with someone else's person: accepted by decision, in that household
    services.decide(
        run, "KPM-002", _key(other["nik"]), "match", users["dinsos"], note="cek lapangan"
    )
    links = list(MatchLink.objects.filter(run=run, list_row="KPM-002"))
    assert [(link.stage, link.household_id) for link in links] == [
        (MatchStage.DECISION, other["household_id"])
    ]
    run.refresh_from_db()
    assert run.counts["unmatched"] == 1 and run.counts["decided"] == 1
    # a new run of the same programme remembers both
    again = matching.start(run.beneficiary_list, release, user=None, background=False)
    assert again.counts["decisions_applied"] == 2
    assert MatchLink.objects.get(run=again, list_row="KPM-001").state == MatchState.UNMATCHED
    assert (
        MatchLink.objects.get(run=again, list_row="KPM-002").household_id == other["household_id"]
    )
    # withdrawn: the pair is back as the run found it
    decision = MatchDecision.objects.get(list_row="KPM-001")
    services.withdraw(decision, again, users["bappeda"])
    link = MatchLink.objects.get(run=again, list_row="KPM-001")
    assert link.stage == MatchStage.EXACT_NIK and link.household_id == heads[0]["household_id"]
    actions = list(
        AuditEntry.objects.filter(content_type__model="matchdecision").values_list(
            "action", "actor__username"
        )
    )
    assert ("create", "dinsos") in actions and ("delete", "bappeda") in actions


def test_changing_a_decision_is_audited(run, users, registry_people):
    key = _key(_heads(registry_people)[2]["nik"])
    services.decide(run, "KPM-003", key, "non_match", users["dinsos"])
    services.decide(run, "KPM-003", key, "match", users["bappeda"])
    d = MatchDecision.objects.get()
    assert d.decision == "match" and d.version == 2 and d.decided_by == users["bappeda"]
    entry = AuditEntry.objects.filter(content_type__model="matchdecision", action="update").get()
    assert entry.before["decision"] == "non_match" and entry.after["decision"] == "match"


def test_review_page_side_by_side_and_decide(
    client, data_dir, programme, tmp_path, registry_people, release, users
):
    hh, mm = registry_people
    rows = list_rows_from(mm, hh)
    rows[0][1] = ""  # no NIK: goes to the probabilistic stage
    path = write_list(tmp_path / "list.csv", rows)
    blist = services.import_list(programme, path, label="L", user=None).blist
    # every probabilistic pair goes to review with these thresholds
    run = matching.start(blist, release, user=None, accept=1.0, review=0.01, background=False)
    client.force_login(users["dinsos"])
    page = client.get(reverse("beneficiaries-review", args=[run.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    queued = list(MatchLink.objects.filter(run=run, state=MatchState.REVIEW))
    if not queued:
        assert "No row is waiting" in body or "Tidak ada baris" in body
        return
    link = queued[0]
    assert rows[0][2] in body  # the list's name beside the registry's
    assert "1607" in body and "**" in body  # masked NIKs only
    assert rows[1][1] not in body
    response = client.post(
        reverse("beneficiaries-review", args=[run.pk]),
        {"list_row": link.list_row, "person_key": link.person_key, "decision": "match"},
    )
    assert response.status_code == 302
    assert MatchDecision.objects.get().decided_by == users["dinsos"]
    assert MatchLink.objects.get(run=run, list_row=link.list_row).stage == MatchStage.DECISION
    page = client.get(reverse("beneficiaries-decisions", args=[run.pk]))
    assert page.status_code == 200
    d = MatchDecision.objects.get()
    response = client.post(reverse("beneficiaries-withdraw", args=[run.pk, d.pk]))
    assert response.status_code == 302 and not MatchDecision.objects.exists()


@pytest.mark.parametrize(
    "who, can_manage",
    [("bappeda", True), ("dinsos", True), ("opd", False), ("betung", False), ("executive", False)],
)
def test_who_may_manage_lists(client, run, users, who, can_manage):
    client.force_login(users[who])
    code = run.beneficiary_list.programme.code
    assert client.get(reverse("beneficiaries-programmes")).status_code == 200
    assert client.get(reverse("beneficiaries-programme", args=[code])).status_code == 200
    expected = 200 if can_manage else 403
    for url in (
        reverse("beneficiaries-upload", args=[code]),
        reverse("beneficiaries-list", args=[run.beneficiary_list.pk]),
        reverse("beneficiaries-run", args=[run.pk]),
        reverse("beneficiaries-review", args=[run.pk]),
        reverse("beneficiaries-decisions", args=[run.pk]),
        reverse("beneficiaries-programme-edit", args=[code]),
    ):
        assert client.get(url).status_code == expected, url
    response = client.post(
        reverse("beneficiaries-review", args=[run.pk]),
        {"list_row": "KPM-001", "person_key": "x" * 64, "decision": "match"},
    )
    assert response.status_code == (404 if can_manage else 403)
    assert client.get(reverse("beneficiaries-programme-new")).status_code == (
        200 if can_manage else 403
    )


def test_public_is_sent_to_login(client, run):
    response = client.get(reverse("beneficiaries-programmes"))
    assert response.status_code == 302 and "/akun/login/" in response["Location"]


def test_opd_of_the_owner_agency_manages_its_programme(client, run, users, agencies):
    programme = run.beneficiary_list.programme
    programme.owner.agency = agencies["disparpora"]
    programme.owner.save()
    client.force_login(users["opd"])
    assert client.get(reverse("beneficiaries-run", args=[run.pk])).status_code == 200
    assert client.get(reverse("beneficiaries-programme-new")).status_code == 403


def test_upload_mapping_import_flow_and_optimistic_locking(
    client, data_dir, programme, list_file, users
):
    client.force_login(users["bappeda"])
    with list_file.open("rb") as fh:
        response = client.post(
            reverse("beneficiaries-upload", args=[programme.code]), {"file": fh, "label": "Web"}
        )
    assert response.status_code == 302
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    assert page.status_code == 200
    assert "Nama Penerima" in page.content.decode()
    assert "**" in page.content.decode()  # NIK samples masked
    form = {
        f"map_{k}": v
        for k, v in {
            "source_id": "ID KPM",
            "nik": "NIK",
            "full_name": "Nama Penerima",
            "birth_date": "Tgl Lahir",
            "sex": "JK",
            "address": "Alamat",
            "region_code": "Kode Desa",
        }.items()
    }
    checked = client.post(mapping_url, {**form, "action": "check"})
    assert checked.status_code == 200
    done = client.post(mapping_url, {**form, "action": "import"})
    assert done.status_code == 302
    assert programme.lists.get().rows == 8
    # optimistic locking on the programme
    edit = reverse("beneficiaries-programme-edit", args=[programme.code])
    data = {
        "name": "PKH baru",
        "owner": programme.owner_id,
        "region": "16.07",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "eligibility_max_decile": "4",
        "description": "",
        "version": programme.version,
    }
    assert client.post(edit, data).status_code == 302
    stale = client.post(edit, {**data, "name": "PKH lama"})
    assert stale.status_code == 409
    programme.refresh_from_db()
    assert programme.name == "PKH baru" and programme.version == 2
