"""SLRT pages with named roles: the front office of Betung (intake, consent, referrals),
the Dinsos back office (consent override, proposals), service agencies (their own
queue only: accept, reject, complete), Bappeda and executive viewers (no names, NIK
or narrative), and the public (ticket status only). Real SQLite, a real registry
release imported from files, real services; no mocks."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re

import pytest
from django.urls import reverse

from sinergi.web.social import services
from sinergi.web.social.models import Case, CaseStatus, Referral, ReferralState

from .conftest import DESA

pytestmark = pytest.mark.django_db

NARRATIVE = "Anak sakit demam berdarah, tidak punya BPJS."


def head(release, household: str = "H1") -> dict[str, str]:
    return next(
        m
        for m in release.test_members
        if m["household_id"] == household and m["relationship"] == "head"
    )


def login(client, user) -> None:
    client.force_login(user)


def refer(case, service, user, **kw):
    return services.refer(case, service, user=user, **kw)


def html(response) -> str:
    return response.content.decode()


# --- the public -----------------------------------------------------------------------


def test_the_public_is_sent_to_log_in_and_sees_only_the_ticket_page(client, make_case, catalogue):
    case = make_case()
    for name in ("slrt-home", "slrt-cases", "slrt-referrals", "slrt-report", "slrt-services"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/akun/login/" in response["Location"], name
    response = client.get(reverse("slrt-case", args=[case.ticket]))
    assert response.status_code == 302
    response = client.get(reverse("slrt-ticket"))
    assert response.status_code == 200
    assert 'name="ticket"' in html(response)


def test_public_ticket_page_shows_status_and_dates_never_personal_data(
    client, make_case, catalogue, people, release
):
    case = make_case()
    refer(case, catalogue["dinkes-berobat"], people["front"])
    response = client.post(reverse("slrt-ticket"), {"ticket": case.ticket.lower()})
    page = html(response)
    assert response.status_code == 200
    assert case.ticket in page
    assert "Dinkes" in page  # the agency, so the person knows where to go
    member = head(release)
    for secret in (
        member["full_name"],
        member["nik"],
        case.nik_masked,
        case.kk_masked,
        NARRATIVE,
        "Pengobatan gratis",  # the service's name could tell a health condition
        case.desa.name,
    ):
        assert secret not in page, secret
    assert "no-store" in response["Cache-Control"]


def test_public_ticket_page_answers_404_for_an_unknown_or_guessed_ticket(client, make_case):
    case = make_case()
    guessed = case.ticket[:-4] + ("AAAA" if not case.ticket.endswith("AAAA") else "BBBB")
    response = client.post(reverse("slrt-ticket"), {"ticket": guessed})
    assert response.status_code == 404
    assert 'id="not-found"' in html(response)


# --- front office: intake ---------------------------------------------------------------


def test_front_office_finds_a_household_by_name_and_registers_a_case(
    client, people, release, catalogue
):
    login(client, people["front"])
    member = head(release)
    response = client.get(reverse("slrt-intake"), {"nama": member["full_name"]})
    page = html(response)
    assert response.status_code == 200
    link = reverse("slrt-intake-household", args=[release.slug, "H1"])
    assert link in page
    assert member["kk"] not in page  # KK masked in the results
    # H2 lives in another kecamatan: not offered to Betung's front office.
    assert reverse("slrt-intake-household", args=[release.slug, "H2"]) not in page

    response = client.get(link)
    assert response.status_code == 200
    assert member["nik"] not in html(response)
    nik_hash = re.search(r'name="member" value="([0-9a-f]+)"', html(response)).group(1)
    response = client.post(
        link,
        {
            "member": nik_hash,
            "category": "health",
            "channel": "walk_in",
            "narrative": NARRATIVE,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("slrt-case", args=[case.ticket])
    assert case.household_id == "H1" and case.desa_id == DESA
    assert case.person_name == member["full_name"]
    page = html(client.get(response["Location"]))
    assert case.ticket in page and member["full_name"] in page and NARRATIVE in page
    assert member["nik"] not in page and case.nik_masked in page


def test_intake_number_search_posts_the_nik_and_puts_only_its_hash_in_the_url(
    client, people, release
):
    login(client, people["front"])
    member = head(release)
    response = client.post(reverse("slrt-intake"), {"kind": "nik", "number": member["nik"]})
    assert response.status_code == 302
    assert member["nik"] not in response["Location"]
    assert "nik=" in response["Location"]
    page = html(client.get(response["Location"]))
    assert reverse("slrt-intake-household", args=[release.slug, "H1"]) in page


def test_intake_refuses_a_household_outside_the_front_offices_area(client, people, release):
    login(client, people["front"])
    response = client.get(reverse("slrt-intake-household", args=[release.slug, "H2"]))
    assert response.status_code == 404


def test_intake_of_someone_not_in_the_registry_stores_the_nik_masked(client, people):
    login(client, people["front"])
    nik = "1607054107900003"
    response = client.post(
        reverse("slrt-intake-outside"),
        {
            "name": "Siti Aminah",
            "nik": nik,
            "kk": "",
            "address": "Dusun II",
            "desa": DESA,
            "category": "elderly",
            "channel": "home_visit",
            "narrative": "Lansia tinggal sendiri, perlu pendampingan.",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert not case.in_registry and case.nik_masked and nik not in case.nik_masked
    assert nik not in html(client.get(response["Location"]))


def test_intake_form_errors_name_the_field_and_never_echo_the_nik(client, people):
    login(client, people["front"])
    response = client.post(
        reverse("slrt-intake-outside"),
        {"name": "Siti", "nik": "12345", "desa": DESA, "category": "", "narrative": ""},
    )
    page = html(response)
    assert response.status_code == 200
    assert Case.objects.count() == 0
    assert 'value="12345"' not in page
    assert "has-error" in page


# --- consent and referrals ----------------------------------------------------------------


def test_no_referral_without_consent_for_the_front_office(client, people, make_case, catalogue):
    case = make_case(consent=None)
    login(client, people["front"])
    page = html(client.get(reverse("slrt-case", args=[case.ticket])))
    assert 'id="refer-blocked"' in page and 'id="refer-form"' not in page
    service = catalogue["dinkes-berobat"]
    response = client.post(reverse("slrt-refer", args=[case.ticket]), {"refer-service": service.pk})
    assert response.status_code == 302
    assert not Referral.objects.exists()

    client.post(reverse("slrt-consent", args=[case.ticket]), {"consent-state": "given"})
    assert services.current_consent(case) == "given"
    client.post(
        reverse("slrt-refer", args=[case.ticket]),
        {"refer-service": service.pk, "refer-version": Case.objects.get().version},
    )
    referral = Referral.objects.get()
    assert referral.service == service and not referral.consent_override


def test_dinsos_may_refer_without_consent_with_a_reason_recorded(
    client, people, make_case, catalogue
):
    case = make_case(consent="refused")
    login(client, people["dinsos"])
    page = html(client.get(reverse("slrt-case", args=[case.ticket])))
    assert "refer-override_reason" in page
    client.post(
        reverse("slrt-refer", args=[case.ticket]),
        {
            "refer-service": catalogue["dinsos-pkh"].pk,
            "refer-override_reason": "Anak dalam bahaya, perlu penanganan segera.",
        },
    )
    referral = Referral.objects.get()
    assert referral.consent_override
    assert "bahaya" in referral.override_reason


def test_a_stale_version_is_refused_with_a_message(client, people, make_case, catalogue):
    case = make_case()
    login(client, people["front"])
    stale = case.version
    refer(case, catalogue["disdik-beasiswa"], people["front"])
    response = client.post(
        reverse("slrt-refer", args=[case.ticket]),
        {"refer-service": catalogue["dinkes-berobat"].pk, "refer-version": stale},
        follow=True,
    )
    assert Referral.objects.count() == 1
    assert "msg-error" in html(response)


# --- service agencies -------------------------------------------------------------------


def test_each_agency_works_its_own_queue_and_the_case_closes_when_both_end(
    client, people, make_case, catalogue, release
):
    case = make_case()
    health = refer(case, catalogue["dinkes-berobat"], people["front"])
    school = refer(case, catalogue["disdik-beasiswa"], people["front"])
    member = head(release)

    login(client, people["dinkes"])
    page = html(client.get(reverse("slrt-referrals")))
    assert f'data-referral="{health.pk}"' in page
    assert f'data-referral="{school.pk}"' not in page
    assert member["full_name"] in page  # the service needs to know whom it serves
    assert client.get(reverse("slrt-referral", args=[school.pk])).status_code == 404
    # Another agency's referral cannot be answered either.
    response = client.post(reverse("slrt-referral-action", args=[school.pk, "terima"]))
    assert response.status_code == 404
    # The case page shows Dinkes only its own referral (not that the child needs school help).
    page = html(client.get(reverse("slrt-case", args=[case.ticket])))
    assert "Pengobatan gratis" in page and "Beasiswa" not in page

    client.post(
        reverse("slrt-referral-action", args=[health.pk, "terima"]),
        {"accept-version": health.version},
    )
    health.refresh_from_db()
    assert health.state == ReferralState.ACCEPTED
    client.post(
        reverse("slrt-referral-action", args=[health.pk, "selesai"]),
        {"complete-outcome": "successful", "complete-reason": "Sudah berobat dan dapat obat."},
    )
    health.refresh_from_db()
    assert health.state == ReferralState.DONE and health.outcome == "successful"
    assert Case.objects.get().status == CaseStatus.OPEN  # the school referral still runs

    client.force_login(people["disdik"])
    response = client.post(
        reverse("slrt-referral-action", args=[school.pk, "tolak"]),
        {"reject-reason_code": "not_eligible", "reject-reason": "Tidak terdaftar di sekolah."},
    )
    school.refresh_from_db()
    assert school.state == ReferralState.REJECTED and school.reason_code == "not_eligible"
    assert Case.objects.get().status == CaseStatus.CLOSED

    client.force_login(people["front"])
    page = html(client.get(reverse("slrt-case", args=[case.ticket])))
    assert 'data-state="rejected"' in page and "Tidak terdaftar di sekolah." in page
    assert 'id="reopen-form"' in page
    client.post(reverse("slrt-reopen", args=[case.ticket]), {"reopen-reason": "Keluhan baru."})
    assert Case.objects.get().status == CaseStatus.OPEN


def test_an_agency_may_not_reject_without_a_reason(client, people, make_case, catalogue):
    case = make_case()
    referral = refer(case, catalogue["baznas-modal"], people["front"])
    login(client, people["baznas"])
    response = client.post(
        reverse("slrt-referral-action", args=[referral.pk, "tolak"]),
        {"reject-reason_code": "", "reject-reason": ""},
        follow=True,
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.IN_PROGRESS
    assert "msg-error" in html(response)


def test_the_front_office_of_another_kecamatan_does_not_see_the_case(client, people, make_case):
    case = make_case()
    login(client, people["other_front"])
    assert client.get(reverse("slrt-case", args=[case.ticket])).status_code == 404
    assert case.ticket not in html(client.get(reverse("slrt-cases")))


# --- Bappeda and executives ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["bappeda", "executive"])
def test_aggregate_roles_see_cases_and_referrals_without_names_nik_or_narrative(
    client, people, make_case, catalogue, release, role
):
    case = make_case()
    referral = refer(case, catalogue["dinkes-berobat"], people["front"])
    services.reject(referral, user=people["dinkes"], reason="Pasien menolak, sudah di RS lain.")
    member = head(release)
    secrets = [member["full_name"], member["nik"], case.nik_masked, NARRATIVE, "sudah di RS lain"]
    login(client, people[role])
    pages = [
        reverse("slrt-home"),
        reverse("slrt-cases"),
        reverse("slrt-case", args=[case.ticket]),
        reverse("slrt-referrals"),
        reverse("slrt-referral", args=[referral.pk]),
        reverse("slrt-report"),
        reverse("slrt-services"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = html(response)
        for secret in secrets:
            assert secret not in page, (url, secret)
    # The case is there, by ticket.
    assert case.ticket in html(client.get(reverse("slrt-cases")))
    assert client.get(reverse("slrt-letter", args=[referral.pk])).status_code == 403
    assert client.get(reverse("slrt-intake")).status_code == 403
    assert client.get(reverse("slrt-proposals")).status_code == 403


# --- dashboard ---------------------------------------------------------------------------


def test_an_overdue_referral_shows_as_breached_on_the_dashboard(
    client, people, make_case, catalogue
):
    opened = services.today() - dt.timedelta(days=60)
    case = make_case(opened_on=opened)
    late = refer(case, catalogue["dinkes-berobat"], people["front"], sent_on=opened)
    fresh = refer(make_case(), catalogue["disdik-beasiswa"], people["front"])
    for user in ("dinsos", "bappeda", "dinkes", "front"):
        login(client, people[user])
        page = html(client.get(reverse("slrt-home")))
        breached = page.split('id="breached"', 1)[1].split("</section>", 1)[0]
        assert f'data-referral="{late.pk}"' in breached, user
        assert f'data-referral="{fresh.pk}"' not in breached, user
    login(client, people["dinsos"])
    page = html(client.get(reverse("slrt-referrals"), {"sla": "breached"}))
    assert f'data-referral="{late.pk}"' in page and f'data-referral="{fresh.pk}"' not in page


# --- attachments and proposals -----------------------------------------------------------


def test_attachments_are_checked_and_served_only_to_those_who_see_the_person(
    client, people, make_case, catalogue
):
    case = make_case()
    refer(case, catalogue["dinkes-berobat"], people["front"])
    login(client, people["front"])
    fake = io.BytesIO(b"not really a pdf")
    fake.name = "surat.pdf"
    response = client.post(
        reverse("slrt-attach", args=[case.ticket]),
        {"attach-title": "Surat keterangan", "attach-file": fake},
        follow=True,
    )
    assert "msg-error" in html(response)
    assert not case.attachments.exists()
    pdf = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    pdf.name = "surat-keterangan-tidak-mampu.pdf"
    client.post(
        reverse("slrt-attach", args=[case.ticket]),
        {"attach-title": "Surat keterangan tidak mampu", "attach-file": pdf},
    )
    attachment = case.attachments.get()
    url = reverse("slrt-attachment", args=[attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(people["dinkes"])  # the service the case went to
    assert client.get(url).status_code == 200
    for role in ("bappeda", "disdik", "other_front"):
        client.force_login(people[role])
        assert client.get(url).status_code == 404, role


def test_registry_proposals_are_reviewed_and_exported_by_dinsos_without_clear_nik(
    client, people, make_case
):
    case = make_case(household=None, person={"name": "Rahmat"}, desa_code=DESA)
    login(client, people["front"])
    nik = "1607050101900001"
    client.post(
        reverse("slrt-propose", args=[case.ticket]),
        {
            "proposal-kind": "add",
            "proposal-name": "Rahmat",
            "proposal-nik": nik,
            "proposal-members": "4",
        },
    )
    proposal = case.proposals.get()
    assert client.get(reverse("slrt-proposals")).status_code == 200
    assert client.post(reverse("slrt-proposal-review", args=[proposal.pk])).status_code == 403

    client.force_login(people["dinsos"])
    page = html(client.get(reverse("slrt-proposals")))
    assert f'data-proposal="{proposal.pk}"' in page and nik not in page
    client.post(reverse("slrt-proposal-review", args=[proposal.pk]), {"decision": "accept"})
    response = client.post(reverse("slrt-proposals-export"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rahmat" in body and nik not in body
    proposal.refresh_from_db()
    assert proposal.status == "exported"


# --- exports and logs -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["front", "dinsos", "dinkes", "bappeda", "executive"])
def test_the_referral_export_names_cases_by_ticket_only(
    client, people, make_case, catalogue, release, role
):
    from openpyxl import load_workbook

    case = make_case()
    referral = refer(case, catalogue["dinkes-berobat"], people["front"])
    services.reject(referral, user=people["dinkes"], reason="Pasien sudah dirawat di RS lain.")
    login(client, people[role])
    response = client.get(reverse("slrt-referrals-xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    text = "\n".join(
        str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value
    )
    assert case.ticket in text
    member = head(release)
    for secret in (member["full_name"], member["nik"], case.nik_masked, NARRATIVE, "RS lain"):
        assert secret not in text, secret


def test_pages_log_no_name_or_nik(client, people, make_case, catalogue, release, caplog):
    caplog.set_level(logging.DEBUG)
    member = head(release)
    login(client, people["front"])
    client.post(reverse("slrt-intake"), {"kind": "nik", "number": member["nik"]})
    case = make_case()
    client.post(
        reverse("slrt-refer", args=[case.ticket]),
        {"refer-service": catalogue["dinkes-berobat"].pk},
    )
    client.get(reverse("slrt-case", args=[case.ticket]))
    client.post(reverse("slrt-ticket"), {"ticket": case.ticket})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert member["nik"] not in logged and member["full_name"] not in logged
    assert NARRATIVE not in logged


# --- catalogue, report ---------------------------------------------------------------------


def test_service_catalogue_lists_agency_documents_and_sla(client, people, catalogue):
    login(client, people["front"])
    page = html(client.get(reverse("slrt-services")))
    for service in catalogue.values():
        assert f'data-service="{service.code}"' in page
    assert "Badan Amil Zakat" in page


def test_nav_links_the_app_for_officers_and_the_ticket_page_for_the_public(client, people):
    page = html(client.get(reverse("slrt-ticket")))
    assert f'href="{reverse("slrt-ticket")}"' in page
    assert f'href="{reverse("slrt-home")}"' not in page
    login(client, people["bappeda"])
    page = html(client.get(reverse("slrt-ticket")))
    assert f'href="{reverse("slrt-home")}"' in page


def test_a_desa_front_office_registers_and_sees_only_its_own_desa(
    client, people, make_case, release
):
    mine = make_case(user=people["desa_front"])  # H1 lives in the desa
    other = make_case(household="H3")  # another Betung desa, registered by the kecamatan
    login(client, people["desa_front"])
    page = html(client.get(reverse("slrt-cases")))
    assert mine.ticket in page and other.ticket not in page
    assert client.get(reverse("slrt-case", args=[other.ticket])).status_code == 404
    page = html(client.get(reverse("slrt-intake-outside")))
    assert f'value="{DESA}"' in page and 'value="16.07.05.2003"' not in page
    assert (
        client.get(reverse("slrt-intake-household", args=[release.slug, "H3"])).status_code == 404
    )


def test_dinsos_keeps_the_catalogue_and_others_may_not(client, people, catalogue, agencies):
    from sinergi.web.social.models import Service

    data = {
        "name": "Kursi roda untuk lansia",
        "code": "dinsos-kursi-roda",
        "agency": agencies["dinsos"].pk,
        "category": "elderly",
        "eligibility": "Lansia desil 1-4.",
        "documents_needed": "KTP-el",
        "sla_working_days": "12",
        "active": "on",
    }
    login(client, people["front"])
    assert client.post(reverse("slrt-service-new"), data).status_code == 403
    login(client, people["dinsos"])
    response = client.post(reverse("slrt-service-new"), data)
    assert response.status_code == 302
    service = Service.objects.get(code="dinsos-kursi-roda")
    assert service.sla_working_days == 12
    response = client.post(
        reverse("slrt-service-edit", args=[service.pk]), {**data, "sla_working_days": "15"}
    )
    assert response.status_code == 302
    assert Service.objects.get(pk=service.pk).sla_working_days == 15
    page = html(client.get(reverse("slrt-services")))
    assert reverse("slrt-service-edit", args=[service.pk]) in page


@pytest.mark.parametrize("name", ["slrt-cases", "slrt-referrals", "slrt-home"])
def test_lists_take_the_same_number_of_queries_for_more_rows(
    client, people, make_case, catalogue, name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n: int) -> None:
        for _i in range(n):
            refer(make_case(), catalogue["dinkes-berobat"], people["front"])

    login(client, people["dinsos"])
    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as more:
        assert client.get(reverse(name)).status_code == 200
    assert len(more) == len(few), [q["sql"][:120] for q in more.captured_queries]
