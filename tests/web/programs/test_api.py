"""API roles: an OPD operator writes only its own agency's activities, Bappeda reviews,
others read only, the public reads aggregate monev only; 409 on stale versions."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from sinergi.web.programs.choices import RealisationStatus
from sinergi.web.programs.models import Realisation

pytestmark = pytest.mark.django_db
SUMMARY = "/api/v1/monev/summary/?region=16.07&year=2019&quarter=3"


@pytest.fixture(autouse=True)
def _english(english):  # type: ignore[no-untyped-def]
    """Assertions read English messages."""


def test_public_reads_only_the_aggregate(prima, api_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = api_client.get(SUMMARY)
    assert response.status_code == 200
    body = response.json()
    assert body["illustrative"] is True and len(body["agencies"]) == 6
    satpol = next(a for a in body["agencies"] if a["agency"] == "Satpol PP")
    assert satpol["late"] == 1 and D(str(satpol["financial_pct"])) == D("48.28")
    for url in (
        "/api/v1/monev/activities/",
        "/api/v1/monev/realisations/",
        "/api/v1/monev/warnings/?region=16.07&year=2019&quarter=3",
    ):
        assert api_client.get(url).status_code in (401, 403), url


def test_summary_validates_its_parameters(prima, api_client):
    response = api_client.get("/api/v1/monev/summary/?region=16.07&year=19&quarter=5")
    assert response.status_code == 400 and set(response.json()) == {"year", "quarter"}
    assert (
        api_client.get("/api/v1/monev/summary/?region=99.99&year=2019&quarter=3").status_code == 404
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/monev/activities/?year=2019",
        "/api/v1/monev/realisations/?activity__year=2019",
        "/api/v1/monev/budgets/",
        "/api/v1/monev/indicators/",
        "/api/v1/monev/proposals/",
        "/api/v1/monev/documents/",
        "/api/v1/monev/flagships/",
    ],
)
def test_lists_are_scoped_and_query_counts_bounded(
    prima, users, api_client, url, django_assert_max_num_queries
):
    api_client.force_authenticate(users.viewer)
    with django_assert_max_num_queries(8):
        response = api_client.get(url)
    assert response.status_code == 200 and response.json()["count"] > 0
    api_client.force_authenticate(users.outsider)  # Bappeda of Palembang sees nothing of Banyuasin
    assert api_client.get(url).json()["count"] == 0


def test_owner_writes_its_own_activity_and_not_another(prima, users, api_client):
    api_client.force_authenticate(users.owner)
    body = {
        "activity": prima.info.pk,
        "quarter": 4,
        "physical_pct": "90",
        "spent": "80000000",
        "outputs": {str(prima.info.indicators.first().pk): "3"},
    }
    response = api_client.post("/api/v1/monev/realisations/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["outputs"] == {str(prima.info.indicators.first().pk): "3.0000"}
    other = {**body, "activity": prima.tourism.pk, "outputs": {}}
    assert api_client.post("/api/v1/monev/realisations/", other, format="json").status_code == 403
    assert not Realisation.objects.filter(activity=prima.tourism, quarter=4).exists()


@pytest.mark.parametrize("who", ["other_opd", "viewer", "outsider"])
def test_other_roles_cannot_write_a_realisation(prima, users, api_client, who):
    api_client.force_authenticate(getattr(users, who))
    body = {"activity": prima.info.pk, "quarter": 4, "physical_pct": "90", "spent": "1"}
    assert api_client.post("/api/v1/monev/realisations/", body, format="json").status_code == 403
    assert not Realisation.objects.filter(activity=prima.info, quarter=4).exists()


def test_stale_version_gets_409(prima, users, api_client):
    api_client.force_authenticate(users.owner)
    real = Realisation.objects.get(
        activity=prima.bimtek, quarter=3
    )  # submitted in the demo, version 2
    url = f"/api/v1/monev/realisations/{real.pk}/"
    assert (
        api_client.patch(url, {"physical_pct": "10"}, format="json").status_code == 400
    )  # no version
    response = api_client.patch(
        url, {"physical_pct": "10", "version": real.version - 1}, format="json"
    )
    assert response.status_code == 409
    response = api_client.patch(url, {"physical_pct": "10", "version": real.version}, format="json")
    assert response.status_code == 200 and response.json()["version"] == real.version + 1


def test_only_bappeda_approves_and_approval_locks(prima, users, api_client):
    real = Realisation.objects.get(activity=prima.bimtek, quarter=3)
    api_client.force_authenticate(users.owner)
    url = f"/api/v1/monev/realisations/{real.pk}/"
    assert (
        api_client.post(url + "approve/", {"version": real.version}, format="json").status_code
        == 403
    )
    api_client.force_authenticate(users.bappeda)
    response = api_client.post(url + "approve/", {"version": real.version}, format="json")
    assert response.status_code == 200 and response.json()["status"] == RealisationStatus.APPROVED
    api_client.force_authenticate(users.owner)
    locked = api_client.patch(
        url, {"physical_pct": "10", "version": real.version + 1}, format="json"
    )
    assert locked.status_code == 409 and "locked" in str(locked.json())
    api_client.force_authenticate(users.bappeda)
    assert (
        api_client.post(url + "return/", {"version": real.version + 1}, format="json").status_code
        == 400
    )


def test_planning_is_for_bappeda(prima, users, api_client):
    body = {
        "region": "16.07",
        "agency": prima.agencies["disnakertrans"].pk,
        "year": 2020,
        "code": "2.07.04.2.01.0002",
        "nomenclature": "2.07.04.2.01.0002",
        "name": "Job Fair 2020 (I)",
    }
    api_client.force_authenticate(users.owner)
    assert api_client.post("/api/v1/monev/activities/", body, format="json").status_code == 403
    api_client.force_authenticate(users.bappeda)
    response = api_client.post("/api/v1/monev/activities/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (
        api_client.post("/api/v1/monev/activities/", body, format="json").status_code == 400
    )  # duplicate


def test_planning_updates_need_the_current_version(prima, users, api_client):
    from sinergi.web.programs.models import Activity

    activity = Activity.objects.filter(region="16.07").first()
    url = f"/api/v1/monev/activities/{activity.pk}/"
    api_client.force_authenticate(users.owner)
    assert (
        api_client.patch(url, {"name": "x", "version": activity.version}, format="json").status_code
        == 403
    )
    api_client.force_authenticate(users.bappeda)
    ok = api_client.patch(url, {"name": "Renamed", "version": activity.version}, format="json")
    assert ok.status_code == 200, ok.json()
    stale = api_client.patch(url, {"name": "Again", "version": activity.version}, format="json")
    assert stale.status_code == 409
    assert Activity.objects.get(pk=activity.pk).name == "Renamed"


def test_proposals_owner_proposes_bappeda_sets_the_rkpd_status(prima, users, api_client):
    body = {
        "region": "16.07",
        "agency": prima.agencies["disnakertrans"].pk,
        "rkpd_year": 2021,
        "title": "Balai latihan kerja keliling",
        "estimated_cost": "300000000",
        "source": "csr",
    }
    api_client.force_authenticate(users.other_opd)
    assert api_client.post("/api/v1/monev/proposals/", body, format="json").status_code == 403
    api_client.force_authenticate(users.owner)
    created = api_client.post("/api/v1/monev/proposals/", body, format="json")
    assert created.status_code == 201
    url = f"/api/v1/monev/proposals/{created.json()['id']}/"
    assert (
        api_client.patch(url, {"status": "in_rkpd", "version": 1}, format="json").status_code == 403
    )
    api_client.force_authenticate(users.bappeda)
    assert (
        api_client.patch(url, {"status": "in_rkpd", "version": 1}, format="json").status_code == 200
    )


def test_document_upload_and_download_follow_the_policy(prima, users, api_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    api_client.force_authenticate(users.owner)
    response = api_client.post(
        "/api/v1/monev/documents/",
        {
            "activity": prima.info.pk,
            "doc_type": "report",
            "title": "Laporan TW IV",
            "file": SimpleUploadedFile("laporan.pdf", pdf, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    download = response.json()["download"]
    bad = api_client.post(
        "/api/v1/monev/documents/",
        {
            "activity": prima.info.pk,
            "doc_type": "report",
            "title": "x",
            "file": SimpleUploadedFile(
                "virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
            ),
        },
        format="multipart",
    )
    assert bad.status_code == 400 and "content" in str(bad.json())
    got = api_client.get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == pdf
    api_client.force_authenticate(users.outsider)
    assert api_client.get(download).status_code == 404


def test_api_refuses_quarter_targets_the_form_refuses(prima, users, api_client):
    """One rule for the form, the XLSX import and the API: cumulative quarter targets of an
    additive, higher-is-better output never go down and never pass the year target."""
    from sinergi.web.programs.models import PerformanceIndicator

    output = PerformanceIndicator.objects.filter(
        region="16.07", level="output", additive=True, polarity="higher"
    ).first()
    url = f"/api/v1/monev/indicators/{output.pk}/"
    api_client.force_authenticate(users.bappeda)
    bad = {"target": "10", "target_q1": "4", "target_q2": "3", "version": output.version}
    response = api_client.patch(url, bad, format="json")
    assert response.status_code == 400, response.json()
    assert "target_q2" in str(response.json())
    output.refresh_from_db()
    assert output.target_q2 != 3
    quarters = {"target_q1": "3", "target_q2": "4", "target_q3": "8", "target_q4": "10"}
    good = {"target": "10", **quarters, "version": output.version}
    ok = api_client.patch(url, good, format="json")
    assert ok.status_code == 200, ok.json()
