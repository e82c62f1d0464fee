"""Activity pages of Bappeda: list, create with the nomenclature, edit with a stale save,
budgets and the quarterly plan (rules, stale plan), delete with confirmation, the
nomenclature endpoint, permissions by named role and the XLSX round trip."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from sinergi.web.audit.models import Action, AuditEntry
from sinergi.web.programs.models import Activity, Budget, QuarterPlan

pytestmark = pytest.mark.django_db
LIST = "/perencanaan/16.07/kegiatan/"
NEW = LIST + "tambah/"
SUB = "2.07.04.2.01.0002"  # Pelaksanaan job fair (the demo uses it in 2019)


def client_for(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def activity_data(prima, **changes):  # type: ignore[no-untyped-def]
    data = {
        "section": "activity",
        "agency": str(prima.agencies["disnakertrans"].pk),
        "year": "2026",
        "nomenclature": SUB,
        "code": "",
        "name": "Job fair 2026",
        "flagship": str(prima.flagship.pk),
        "location": "Pangkalan Balai",
        "start_date": "2026-02-01",
        "end_date": "2026-11-30",
    }
    data.update(changes)
    return data


@pytest.fixture
def new_activity(prima, users):  # type: ignore[no-untyped-def]
    client_for(users.bappeda).post(NEW, activity_data(prima))
    return Activity.objects.get(region_id="16.07", year=2026, code=SUB)


def budget_data(activity, **amounts):  # type: ignore[no-untyped-def]
    data = {"section": "budget"}
    versions = {b.source: b.version for b in activity.budgets.all()}
    for source in ("apbd_kab", "apbd_prov", "apbn_dak", "csr", "kur", "private", "grant"):
        data[f"amount_{source}"] = amounts.get(source, "")
        data[f"version_{source}"] = str(versions.get(source, ""))
    return data


def plan_data(activity, rows, stamp=None):  # type: ignore[no-untyped-def]
    from sinergi.web.programs.planning import plan_stamp

    data = {
        "section": "plan",
        "stamp": plan_stamp(activity.plans.all()) if stamp is None else stamp,
    }
    for q, (physical, money) in enumerate(rows, start=1):
        data[f"physical_pct_{q}"] = physical
        data[f"disbursement_{q}"] = money
    return data


def test_roles_read_bappeda_plans(prima, users, client):
    assert client.get(LIST).status_code == 302
    for reader in (users.viewer, users.owner, users.other_opd):
        page = client_for(reader).get(LIST + "?year=2019")
        assert page.status_code == 200 and "Job Fair" in page.content.decode()
        assert client_for(reader).post(NEW, activity_data(prima)).status_code == 403
        assert client_for(reader).get(NEW).status_code == 403
    assert client_for(users.outsider).get(LIST).status_code == 403
    edit = f"/perencanaan/kegiatan/{prima.job_fair.pk}/"
    viewer_page = client_for(users.viewer).get(edit)
    assert viewer_page.status_code == 200 and "disabled" in viewer_page.content.decode()
    posted = client_for(users.viewer).post(edit, activity_data(prima, version=1))
    assert posted.status_code == 403
    assert client_for(users.other_opd).post(edit, budget_data(prima.job_fair)).status_code == 403
    assert not Activity.objects.filter(year=2026).exists()


def test_list_filters_searches_sorts_without_n_plus_one(
    prima, users, django_assert_max_num_queries
):
    client = client_for(users.bappeda)
    with django_assert_max_num_queries(14):
        page = client.get(LIST + "?year=2019&sort=-total_budget").content.decode()
    assert "Job Fair" in page and "Bimtek kewirausahaan" in page
    agency = prima.agencies["disparpora"].pk
    only = client.get(f"{LIST}?year=2019&agency={agency}").content.decode()
    assert "Bimtek kewirausahaan" not in only
    found = client.get(LIST + "?q=job+fair").content.decode()
    assert "Job Fair" in found and "Bimtek kewirausahaan" not in found


def test_nomenclature_children_feed_the_picker(prima, users, client):
    assert client.get("/perencanaan/nomenklatur/anak/").status_code in (302, 403)
    bappeda = client_for(users.bappeda)
    top = bappeda.get("/perencanaan/nomenklatur/anak/").json()["children"]
    assert {c["level"] for c in top} == {"urusan"} and any(c["code"] == "2" for c in top)
    kegiatan = bappeda.get("/perencanaan/nomenklatur/anak/?induk=2.07.04.2.01").json()
    assert SUB in [c["code"] for c in kegiatan["children"]]
    page = bappeda.get(NEW).content.decode()
    assert 'data-picker="nomenclature"' in page and "programs/plan.js" in page
    edit = bappeda.get(f"/perencanaan/kegiatan/{prima.job_fair.pk}/").content.decode()
    assert 'data-chain="2 2.07 2.07.04 2.07.04.2.01"' in edit
    assert f'<option value="{SUB}" selected>' in edit


def test_bappeda_creates_an_activity_with_the_sub_kegiatan_code(prima, users, new_activity):
    assert new_activity.agency.code == "disnakertrans"
    assert new_activity.nomenclature.code == SUB and new_activity.flagship == prima.flagship
    assert AuditEntry.objects.filter(
        object_id=str(new_activity.pk), action=Action.CREATE, actor=users.bappeda
    ).exists()
    again = client_for(users.bappeda).post(NEW, activity_data(prima))
    assert again.status_code == 200 and "sudah memakai" in again.content.decode()


def test_bad_activity_input_is_refused_by_field(prima, users):
    client = client_for(users.bappeda)
    response = client.post(
        NEW,
        activity_data(
            prima,
            nomenclature="9.99",
            start_date="2026-12-01",
            end_date="2026-01-31",
            agency=str(prima.agencies["disnakertrans"].pk + 999),
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Masukkan pilihan yang valid" in html
    assert "Akhir tidak boleh sebelum mulai." in html
    dated = client.post(NEW, activity_data(prima, start_date="2025-01-01"))
    assert "Tanggal harus dalam tahun anggaran 2026." in dated.content.decode()
    assert not Activity.objects.filter(year=2026).exists()


def test_a_stale_activity_save_shows_the_other_change(prima, users, new_activity):
    url = f"/perencanaan/kegiatan/{new_activity.pk}/"
    stale = new_activity.version
    client_for(users.bappeda).post(url, activity_data(prima, name="Job fair A", version=stale))
    response = client_for(users.bappeda).post(
        url, activity_data(prima, name="Job fair B", version=stale)
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Job fair A" in html and 'value="Job fair B"' in html
    new_activity.refresh_from_db()
    assert new_activity.name == "Job fair A"


def test_budgets_take_indonesian_amounts_and_lock_per_source(prima, users, new_activity):
    url = f"/perencanaan/kegiatan/{new_activity.pk}/"
    bappeda = client_for(users.bappeda)
    response = bappeda.post(
        url, budget_data(new_activity, apbd_kab="1.250.000.000", csr="Rp 50.000.000")
    )
    assert response.status_code == 302
    budgets = {b.source: b.amount for b in new_activity.budgets.all()}
    assert budgets == {"apbd_kab": D("1250000000"), "csr": D("50000000")}
    page = bappeda.get(url).content.decode()
    assert 'value="1.250.000.000"' in page
    stale = budget_data(new_activity, apbd_kab="1.300.000.000", csr="50.000.000")
    owner = client_for(users.owner)  # the running agency writes budgets too, as in the API
    assert owner.post(url, budget_data(new_activity, apbd_kab="1.200.000.000")).status_code == 302
    conflict = bappeda.post(url, stale)
    html = conflict.content.decode()
    assert conflict.status_code == 409 and "1.200.000.000" in html
    assert 'value="1.300.000.000"' in html
    assert Budget.objects.get(activity=new_activity, source="apbd_kab").amount == D("1200000000")
    bad = bappeda.post(url, budget_data(new_activity, apbd_kab="banyak", csr="-5"))
    assert bad.status_code == 400
    assert "Masukkan angka" in bad.content.decode()
    removed = bappeda.post(url, budget_data(new_activity, apbd_kab="1.200.000.000"))
    assert removed.status_code == 302
    assert not Budget.objects.filter(activity=new_activity, source="csr").exists()


def test_the_quarterly_plan_is_cumulative_capped_and_locked(prima, users, new_activity):
    url = f"/perencanaan/kegiatan/{new_activity.pk}/"
    bappeda = client_for(users.bappeda)
    bappeda.post(url, budget_data(new_activity, apbd_kab="1.000.000.000"))
    bad = bappeda.post(
        url,
        plan_data(
            new_activity,
            [("30", "300.000.000"), ("20", "200.000.000"), ("120", "1.500.000.000"), ("", "")],
        ),
    )
    html = bad.content.decode()
    assert bad.status_code == 400
    assert "tidak boleh lebih rendah dari triwulan 1" in html
    assert "antara 0 dan 100" in html and "melebihi pagu APBD/APBN" in html
    assert not QuarterPlan.objects.filter(activity=new_activity).exists()
    good = [
        ("25", "250.000.000"),
        ("50", "500.000.000"),
        ("75", "750.000.000"),
        ("100", "1.000.000.000"),
    ]
    stale = plan_data(new_activity, good)
    assert bappeda.post(url, stale).status_code == 302
    plans = {p.quarter: (p.physical_pct, p.disbursement) for p in new_activity.plans.all()}
    assert plans[2] == (D("50"), D("500000000")) and len(plans) == 4
    assert AuditEntry.objects.filter(action=Action.CREATE, object_repr__endswith="Q4").exists()
    again = list(good)
    again[0] = ("12,5", "Rp 100.000.000")  # Indonesian decimals and rupiah
    conflict = bappeda.post(url, {**stale, "physical_pct_1": "10"})
    assert conflict.status_code == 409
    assert "Simpan lagi" in conflict.content.decode() or "simpan lagi" in conflict.content.decode()
    fresh = bappeda.post(url, plan_data(new_activity, again))
    assert fresh.status_code == 302
    assert new_activity.plans.get(quarter=1).physical_pct == D("12.5")
    assert 'value="12,5"' in bappeda.get(url).content.decode()
    assert client_for(users.owner).post(url, plan_data(new_activity, good)).status_code == 403


def test_delete_asks_first_and_is_refused_with_realisations(prima, users, new_activity):
    bappeda = client_for(users.bappeda)
    url = f"/perencanaan/kegiatan/{new_activity.pk}/hapus/"
    confirm = bappeda.get(url)
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.content.decode()
    assert Activity.objects.filter(pk=new_activity.pk).exists()
    assert client_for(users.owner).post(url, {"confirm": "1"}).status_code == 403
    stale = bappeda.post(url, {"confirm": "1", "version": str(new_activity.version - 1)})
    assert stale.status_code == 302 and Activity.objects.filter(pk=new_activity.pk).exists()
    done = bappeda.post(url, {"confirm": "1", "version": str(new_activity.version)})
    assert done.status_code == 302 and not Activity.objects.filter(pk=new_activity.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(new_activity.pk), action=Action.DELETE).exists()
    reported = f"/perencanaan/kegiatan/{prima.job_fair.pk}/hapus/"
    bappeda.post(reported, {"confirm": "1", "version": str(prima.job_fair.version)})
    assert Activity.objects.filter(pk=prima.job_fair.pk).exists()


def test_export_imports_back_unchanged_then_applies_edits(prima, users):
    client = client_for(users.bappeda)
    exported = client.get(LIST + "?year=2019&unduh=xlsx")
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.content))
    ws = book.active
    header = [c.value for c in ws[1]]
    n_rows = ws.max_row - 1
    assert n_rows == Activity.objects.filter(region_id="16.07", year=2019).count()
    before = AuditEntry.objects.count()
    same = client.post(
        LIST + "impor/", {"file": SimpleUploadedFile("k.xlsx", exported.content)}, follow=True
    )
    assert f"{n_rows} tidak berubah" in same.content.decode()
    assert AuditEntry.objects.count() == before
    job_row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == prima.job_fair.pk)
    budget_col = next(i for i, h in enumerate(header, start=1) if "APBD kabupaten" in str(h))
    ws.cell(job_row, budget_col, value="Rp 2.000.000")
    out = io.BytesIO()
    book.save(out)
    client.post(LIST + "impor/", {"file": SimpleUploadedFile("k.xlsx", out.getvalue())})
    assert Budget.objects.get(activity=prima.job_fair, source="apbd_kab").amount == D("2000000")
    ws.cell(job_row, budget_col, value="banyak")
    out = io.BytesIO()
    book.save(out)
    bad = client.post(LIST + "impor/", {"file": SimpleUploadedFile("k.xlsx", out.getvalue())})
    html = bad.content.decode()
    assert (
        bad.status_code == 400 and "Pagu APBD kabupaten (Rp)" in html and "Masukkan angka" in html
    )
    assert Budget.objects.get(activity=prima.job_fair, source="apbd_kab").amount == D("2000000")
    assert client_for(users.owner).get(LIST + "impor/").status_code == 403


def test_monev_overview_links_bappeda_to_the_plan(prima, users):
    overview = "/monev/16.07/2019/tw3/"
    assert "Kelola rencana" in client_for(users.bappeda).get(overview).content.decode()
    assert "Kelola rencana" not in client_for(users.viewer).get(overview).content.decode()
    assert "Kelola rencana" not in client_for(users.owner).get(overview).content.decode()
