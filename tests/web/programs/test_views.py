"""Pages as users meet them: overview, late list, activity, realisation entry with conflicts,
documents, import and report downloads."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from sinergi.web.programs.models import Document, Realisation

pytestmark = pytest.mark.django_db
OVERVIEW = "/monev/16.07/2019/tw3/"


def client_for(user, language=None):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    if language:  # the language cookie, as the EN/ID buttons set it
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_home_opens_the_latest_monev_round(prima, client):
    response = client.get("/monev/")
    assert response.status_code == 302 and response["Location"] == OVERVIEW


def test_public_overview_shows_totals_by_agency_only(prima, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        response = client.get(OVERVIEW)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Noer Yosept Dzat" in html and "17 Oktober 2019" in html
    assert "Bimtek kewirausahaan" not in html and "laporan.xlsx" not in html
    assert client.get(OVERVIEW + "terlambat/").status_code == 302  # to the login page
    assert client.get(OVERVIEW + "laporan.pdf").status_code == 302


def test_logged_in_overview_and_late_list_say_why(prima, users, django_assert_max_num_queries):
    client = client_for(users.viewer)
    with django_assert_max_num_queries(20):
        html = client.get(OVERVIEW, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Bimtek kewirausahaan" in html and "laporan.xlsx" in html
    late = client.get(OVERVIEW + "terlambat/").content.decode()
    assert (
        "43" in late and "29 November 2019" in late and "Petunjuk teknis dan alokasi paket" in late
    )
    assert "Penyebarluasan informasi pasar kerja" not in late  # on track
    outsider = client_for(users.outsider)
    assert outsider.get(OVERVIEW + "terlambat/").status_code == 403


def test_reports_download_for_roles(prima, users):
    client = client_for(users.viewer)
    xlsx = client.get(OVERVIEW + "laporan.xlsx")
    assert xlsx.status_code == 200 and "monev-16.07-2019-Q3.xlsx" in xlsx["Content-Disposition"]
    assert "Disnakertrans" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    pdf = client.get(OVERVIEW + "laporan.pdf?program=banyuasin-prima")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_activity_and_flagship_pages(prima, users, django_assert_max_num_queries):
    client = client_for(users.bappeda)
    with django_assert_max_num_queries(30):
        response = client.get(f"/monev/kegiatan/{prima.job_fair.pk}/?tw=3")
    html = response.content.decode()
    assert response.status_code == 200 and "monev-activity-data" in html and "980" in html
    flagship = client.get("/monev/16.07/unggulan/banyuasin-prima/?tahun=2019&tw=3").content.decode()
    assert "Rencana induk Banyuasin Prima" in flagship and "Job fair dua kali setahun" in flagship
    assert "Tingkat pengangguran terbuka" in flagship  # the cascade reaches the regional indicator


def test_owner_enters_a_realisation_on_the_form(prima, users):
    client = client_for(users.owner)
    url = f"/monev/kegiatan/{prima.info.pk}/realisasi/tw4/"
    output = prima.info.indicators.first()
    response = client.post(
        url,
        {
            "physical_pct": "95,5",
            "spent": "Rp 90.000.000",
            "problems": "",
            "follow_up": "",
            "version": "0",
            f"output_{output.pk}": "3",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    real = Realisation.objects.get(activity=prima.info, quarter=4)
    assert (real.physical_pct, real.spent, real.status) == (D("95.5"), D(90_000_000), "submitted")
    assert real.outputs.get().value == D(3)


def test_a_concurrent_edit_shows_a_conflict_message(prima, users):
    real = Realisation.objects.get(activity=prima.bimtek, quarter=3)
    stale = real.version
    bappeda = client_for(users.bappeda)
    url = f"/monev/kegiatan/{prima.bimtek.pk}/realisasi/tw3/"
    form = {
        "physical_pct": "8",
        "spent": "0",
        "problems": "a",
        "follow_up": "b",
        "version": str(stale),
    }
    assert bappeda.post(url, {**form, "action": "save"}).status_code == 302
    owner = client_for(users.owner, language="en")
    response = owner.post(url, {**form, "physical_pct": "9", "action": "save"})
    assert response.status_code == 200
    assert "Someone else saved this realisation" in response.content.decode()
    assert Realisation.objects.get(pk=real.pk).physical_pct == D(8)


def test_other_agencies_cannot_post_a_realisation(prima, users):
    response = client_for(users.other_opd).post(
        f"/monev/kegiatan/{prima.info.pk}/realisasi/tw4/",
        {"physical_pct": "1", "spent": "1", "version": "0", "action": "save"},
    )
    assert response.status_code == 403
    assert not Realisation.objects.filter(activity=prima.info, quarter=4).exists()


def test_document_upload_checks_type_content_and_size(prima, users, settings):
    client = client_for(users.owner)
    url = f"/monev/kegiatan/{prima.info.pk}/dokumen/tambah/"
    png = _png()
    ok = client.post(
        url,
        {
            "doc_type": "photo",
            "title": "Foto pameran",
            "file": SimpleUploadedFile("foto.png", png, content_type="image/png"),
        },
    )
    assert ok.status_code == 302
    doc = Document.objects.get(title="Foto pameran")
    assert doc.file.path.startswith(str(settings.MEDIA_ROOT)) and doc.original_name == "foto.png"
    client.post(
        url,
        {
            "doc_type": "photo",
            "title": "PDF as photo",
            "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
        },
    )
    client.post(
        url,
        {
            "doc_type": "fs",
            "title": "Renamed",
            "file": SimpleUploadedFile("fs.pdf", png, content_type="application/pdf"),
        },
    )
    settings.SINERGI_DOCUMENT_MAX_BYTES = 10
    client.post(
        url,
        {
            "doc_type": "photo",
            "title": "Too big",
            "file": SimpleUploadedFile("big.png", png, content_type="image/png"),
        },
    )
    assert not Document.objects.filter(title__in=["PDF as photo", "Renamed", "Too big"]).exists()
    assert client_for(users.viewer).get(f"/monev/dokumen/{doc.pk}/").status_code == 200
    assert client_for(users.outsider).get(f"/monev/dokumen/{doc.pk}/").status_code == 403
    assert client_for(users.other_opd).post(url, {}).status_code == 403


def test_import_page_lists_bad_rows_then_imports_the_valid_ones_on_request(prima, users):
    client = client_for(users.owner, language="en")
    text = (
        "activity_code,year,quarter,physical_pct,spent\n"
        "2.07.04.2.03.0001,2019,4,95,90000000\n"
        "3.26.02.2.01.0001,2019,4,60,1\n"
    )  # Disparpora's: not the operator's agency
    response = client.post(
        "/monev/16.07/impor/",
        {"kind": "realisation", "file": SimpleUploadedFile("r.csv", text.encode())},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "you may not write data of Disparpora" in html
    assert not Realisation.objects.filter(quarter=4).exists()
    token = response.context["token"]
    done = client.post("/monev/16.07/impor/", {"token": token})
    assert done.status_code == 200
    assert list(Realisation.objects.filter(quarter=4).values_list("activity_id", flat=True)) == [
        prima.info.pk
    ]
    template = client.get("/monev/16.07/impor/templat-budget.csv?tahun=2019")
    assert template.status_code == 200 and b"activity_code,year,source,amount" in template.content


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def test_home_opens_each_user_s_own_region(prima, make_user):
    """/monev/ opens the user's region (a kecamatan operator's regency), never another
    regency's monev."""
    betung = client_for(make_user("t-betung", role="kecamatan_operator", region="16.07.05"))
    assert betung.get("/monev/")["Location"] == OVERVIEW
    province = client_for(make_user("t-sumsel", role="executive_viewer", region="16"))
    assert province.get("/monev/")["Location"] == OVERVIEW
    palembang = client_for(make_user("t-plg", role="bappeda_admin", region="16.71"))
    response = palembang.get("/monev/")
    assert response.status_code == 200  # Palembang plans nothing: its own empty page
    html = response.content.decode()
    assert "Palembang" in html and "16.07" not in html.split("<main")[-1]


def test_home_opens_the_current_quarter_when_this_year_is_planned(prima, client):
    from django.utils import timezone

    from sinergi.web.programs.models import Activity

    today = timezone.localdate()
    job_fair = Activity.objects.get(region_id="16.07", year=2019, code="2.07.04.2.01.0002")
    Activity.objects.filter(pk=job_fair.pk).update(year=today.year)
    quarter = (today.month - 1) // 3 + 1
    response = client.get("/monev/")
    assert response["Location"] == f"/monev/16.07/{today.year}/tw{quarter}/"
