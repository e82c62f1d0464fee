"""The referral letter (surat rujukan): one A4 page that names the person (NIK and KK
masked, never in clear), the need, the consent, the service's requirements and the
due date on the working-day calendar; served only to those who see the person."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation

from sinergi.web.core.formatting import long_date
from sinergi.web.social import letters, services
from sinergi.web.social.models import ConsentState

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode().split())


def pdf_pages(content: bytes) -> tuple[int, str]:
    out = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True)
    info = dict(line.split(":", 1) for line in out.stdout.decode().splitlines() if ":" in line)
    return int(info["Pages"].strip()), info["Page size"].strip()


@pytest.fixture
def referral(make_case, catalogue, people):
    case = make_case()
    service = catalogue["dinkes-berobat"]
    service.eligibility = "Warga miskin tanpa BPJS PBI."
    service.documents_needed = "KTP, KK, surat keterangan tidak mampu."
    service.save()
    return services.refer(case, service, user=people["front"])


def test_letter_names_person_masked_need_service_and_due_date(referral, release):
    member = next(
        m for m in release.test_members if m["household_id"] == "H1" and m["relationship"] == "head"
    )
    with translation.override("id"):
        content, name = letters.referral_letter(referral)
        due = long_date(referral.due_on)
    assert content.startswith(b"%PDF-")
    assert name.endswith(".pdf") and referral.case.ticket in name
    pages, size = pdf_pages(content)
    assert pages == 1 and "A4" in size
    text = pdf_text(content)
    assert "SURAT RUJUKAN" in text
    assert letters.letter_number(referral) in text
    assert member["full_name"] in text
    assert referral.case.nik_masked in text and referral.case.kk_masked in text
    assert member["nik"] not in text and member["kk"] not in text
    assert "Pengobatan gratis di puskesmas" in text and "Dinas Kesehatan" in text
    assert "surat keterangan tidak mampu" in text
    assert due in text  # e.g. "8 Desember 2026", the 5th working day after sending
    assert "demam berdarah" in text  # the narrative: the service needs it


def test_letter_records_a_consent_override_and_its_reason(make_case, catalogue, people):
    case = make_case(consent="refused")
    referral = services.refer(
        case,
        catalogue["dinsos-pkh"],
        user=people["dinsos"],
        override_reason="Keadaan darurat: anak terlantar.",
    )
    with translation.override("id"):
        text = pdf_text(letters.referral_letter(referral)[0])
        refused = str(ConsentState.REFUSED.label)
    assert "anak terlantar" in text and refused in text


@pytest.mark.parametrize(
    ("role", "status"),
    [("front", 200), ("dinsos", 200), ("dinkes", 200), ("disdik", 404), ("bappeda", 403),
     ("executive", 403), ("other_front", 404)],
)  # fmt: skip
def test_letter_is_served_only_to_those_who_see_the_person(client, people, referral, role, status):
    client.force_login(people[role])
    response = client.get(reverse("slrt-letter", args=[referral.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"]


def test_the_public_gets_no_letter(client, referral):
    response = client.get(reverse("slrt-letter", args=[referral.pk]))
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
