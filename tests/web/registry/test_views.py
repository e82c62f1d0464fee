"""Registry pages with named roles: Bappeda administrator, Dinsos verifier, kecamatan
operator of Betung, executive viewer and the public. Releases are imported from real
files through the registry services (no mocks)."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from sinergi.web.audit.models import AuditEntry

BETUNG = "16.07.05"
BETUNG_DESA = ("16.07.05.2002", "16.07.05.2003")
RAMBUTAN_DESA = "16.07.06.2001"
REFERENCE = dt.date(2025, 6, 30)

HOUSEHOLD_FIELDS = [
    "household_id",
    "kk",
    "desa_code",
    "address",
    "floor_area_m2",
    "floor_material",
    "wall_material",
    "roof_material",
    "drinking_water",
    "sanitation",
    "electricity",
    "cooking_fuel",
    "has_motorcycle",
    "has_car",
    "has_refrigerator",
    "has_tv",
    "has_smartphone",
    "livestock_units",
    "land_ha",
    "decile",
]
MEMBER_FIELDS = [
    "household_id",
    "kk",
    "nik",
    "full_name",
    "sex",
    "birth_date",
    "relationship",
    "education",
    "work_sector",
]


def nik(prefix: str, birth: dt.date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "F" else 0)
    return f"{prefix}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def kk_number(i: int) -> str:
    return f"160705{i:010d}"


def build_inputs(
    directory: Path,
    households: int = 24,
    *,
    rambutan: int = 1,
    bad_nik_rows: int = 0,
    decile_shift: int = 0,
) -> tuple[Path, Path]:
    """A households and a members CSV: ``households`` in Betung (earth floor in the
    first 11), ``rambutan`` more in Rambutan; each household a head and a spouse."""
    directory.mkdir(parents=True, exist_ok=True)
    hh_rows: list[dict[str, Any]] = []
    m_rows: list[dict[str, Any]] = []
    serial = 1
    for i in range(households + rambutan):
        in_betung = i < households
        desa = BETUNG_DESA[i % 2] if in_betung else RAMBUTAN_DESA
        hid = f"H{i + 1:03d}"
        kk = kk_number(i + 1)
        hh_rows.append(
            {
                "household_id": hid,
                "kk": kk,
                "desa_code": desa,
                "address": f"Jalan {i + 1}",
                "floor_area_m2": 36,
                "floor_material": "earth" if i < 11 else "ceramic",
                "wall_material": "wood",
                "roof_material": "metal",
                "drinking_water": "protected_well",
                "sanitation": "none" if i == 0 else "private",
                "electricity": "pln_metered",
                "cooking_fuel": "wood",
                "has_motorcycle": 1,
                "has_car": 0,
                "has_refrigerator": 0,
                "has_tv": 1,
                "has_smartphone": 1,
                "livestock_units": 0,
                "land_ha": 0.5,
                "decile": 1 + (i + decile_shift) % 10,
            }
        )
        prefix = "160705" if in_betung else "160706"
        for rel, sex, birth, name in (
            ("head", "M", dt.date(1980, 5, 17), f"Ahmad Santoso {i + 1}"),
            ("spouse", "F", dt.date(1984, 11, 3), f"Siti Aminah {i + 1}"),
        ):
            number = nik(prefix, birth, sex, serial)
            serial += 1
            if bad_nik_rows and len(m_rows) < bad_nik_rows:
                number = number[:15]  # 15 digits: invalid
            m_rows.append(
                {
                    "household_id": hid,
                    "kk": kk,
                    "nik": number,
                    "full_name": name,
                    "sex": sex,
                    "birth_date": birth.isoformat(),
                    "relationship": rel,
                    "education": "junior",
                    "work_sector": "agriculture" if rel == "head" else "none",
                }
            )
    hh_path, m_path = directory / "households.csv", directory / "members.csv"
    for path, fields, rows in (
        (hh_path, HOUSEHOLD_FIELDS, hh_rows),
        (m_path, MEMBER_FIELDS, m_rows),
    ):
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    return hh_path, m_path


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.SINERGI_REGISTRY_DIR = settings.DATA_DIR / "registry"
    return settings.DATA_DIR


@pytest.fixture
def users(make_user):  # type: ignore[no-untyped-def]
    from sinergi.web.accounts.models import Agency

    dinsos = Agency.objects.create(
        region_id="16.07", code="dinsos", name="Dinas Sosial", short_name="Dinsos"
    )
    return {
        "bappeda": make_user("bappeda", role="bappeda_admin", region="16.07"),
        "dinsos": make_user("dinsos", role="opd_operator", region="16.07", agency=dinsos),
        "betung": make_user("betung", role="kecamatan_operator", region=BETUNG),
        "executive": make_user("executive", role="executive_viewer", region="16.07"),
    }


def import_release(tmp_path: Path, user: Any, name: str = "DTSEN 2025-Q2", **kwargs: Any):  # type: ignore[no-untyped-def]
    from sinergi.web.registry import services

    hh, mem = build_inputs(tmp_path / f"in-{name.replace(' ', '-')}", **kwargs)
    release, report = services.import_release(
        hh, mem, name=name, reference_date=REFERENCE, region_code="16.07", user=user
    )
    assert release is not None, report.errors
    return release


@pytest.fixture
def release(tmp_path: Path, users):  # type: ignore[no-untyped-def]
    return import_release(tmp_path, users["bappeda"])


def login(client, user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user)


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


# --- release list and reports ---------------------------------------------------


def test_release_list_per_role(client, users, release) -> None:  # type: ignore[no-untyped-def]
    url = reverse("registry-home")
    public = html(client.get(url))  # the public sees the releases and their profiles only
    assert release.name in public and reverse("registry-profile", args=[release.slug]) in public
    assert reverse("registry-browse", args=[release.slug]) not in public
    assert reverse("registry-report", args=[release.import_reports.get().pk]) not in public
    for name in ("bappeda", "dinsos", "betung"):
        login(client, users[name])
        page = html(client.get(url))
        assert release.name in page
        assert reverse("registry-browse", args=[release.slug]) in page
    login(client, users["bappeda"])
    page = html(client.get(url))
    assert reverse("registry-report", args=[release.import_reports.get().pk]) in page
    login(client, users["executive"])
    assert reverse("registry-browse", args=[release.slug]) not in html(client.get(url))
    login(client, users["bappeda"])
    assert reverse("registry-import") in html(client.get(url))
    login(client, users["betung"])
    assert reverse("registry-import") not in html(client.get(url))


def test_navigation_link(client, users, release) -> None:  # type: ignore[no-untyped-def]
    link = f'href="{reverse("registry-home")}"'
    assert link in html(
        client.get(reverse("home"), follow=True)
    )  # profiles are published aggregates
    login(client, users["betung"])
    assert link in html(client.get(reverse("home"), follow=True))


# --- import in the browser ----------------------------------------------------------


def upload(client, tmp_path: Path, name: str, **kwargs: Any):  # type: ignore[no-untyped-def]
    form = kwargs.pop("form", {})
    hh, mem = build_inputs(tmp_path / f"up-{name}", **kwargs)
    with hh.open("rb") as fh, mem.open("rb") as fm:
        return client.post(
            reverse("registry-import"),
            {"households": fh, "members": fm, "name": name, "reference_date": "2025-06-30", **form},
        )


def test_import_in_browser_writes_release(client, users, tmp_path: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from sinergi.web.registry.models import Release

    login(client, users["dinsos"])
    response = upload(client, tmp_path, "DTSEN 2025-Q3")
    assert response.status_code == 200
    release = Release.objects.get(name="DTSEN 2025-Q3")
    assert release.households == 25 and release.members == 50
    assert "no-store" in response.get("Cache-Control", "") or "max-age=0" in response.get(
        "Cache-Control", ""
    )


def test_bad_rows_are_listed_and_nothing_is_written(
    client, users, tmp_path: Path, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    from sinergi.web.registry.models import ImportReport, Release

    login(client, users["bappeda"])
    response = upload(client, tmp_path, "Rusak", bad_nik_rows=2)
    page = html(response)
    assert not Release.objects.filter(name="Rusak").exists()
    report = ImportReport.objects.latest("pk")
    assert not report.ok and len(report.errors) >= 2
    assert "members.csv" not in page or "berkas anggota" in page.lower() or "members file" in page
    # every bad row named by its row (header = row 1, so the first member row is 2)
    assert re.search(r">\s*2\s*<", page) and re.search(r">\s*3\s*<", page)
    assert "NIK" in page
    # no clear NIK of the upload in the page
    for number in re.findall(r"\b\d{15,16}\b", page):
        pytest.fail(f"a clear number is on the page: {number[:4]}…")
    stored = list((data_dir / "registry").glob("*")) if (data_dir / "registry").exists() else []
    assert [p for p in stored if not p.name.startswith(".")] == []


def test_valid_rows_only_and_dry_run(client, users, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sinergi.web.registry.models import Release

    login(client, users["bappeda"])
    upload(client, tmp_path, "Kering", form={"dry_run": "on"})
    assert not Release.objects.filter(name="Kering").exists()
    upload(client, tmp_path, "Sebagian", bad_nik_rows=1, form={"valid_only": "on"})
    release = Release.objects.get(name="Sebagian")
    assert release.households == 24  # the household with the bad NIK is left out


@pytest.mark.parametrize(
    "content, filename",
    [
        (b"", "households.csv"),
        (b"PK\x03\x04 not really a workbook", "households.xlsx"),
        (b"a,b\n1,2\n", "households.csv"),
    ],
    ids=["empty", "garbage-xlsx", "wrong-headers"],
)
def test_bad_files_write_nothing(
    client, users, tmp_path: Path, content: bytes, filename: str
) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sinergi.web.registry.models import Release

    login(client, users["bappeda"])
    _hh, mem = build_inputs(tmp_path / "bad")
    response = client.post(
        reverse("registry-import"),
        {
            "households": SimpleUploadedFile(filename, content),
            "members": SimpleUploadedFile("members.csv", mem.read_bytes()),
            "name": "Buruk",
            "reference_date": "2025-06-30",
        },
    )
    assert response.status_code == 200
    assert not Release.objects.filter(name="Buruk").exists()
    assert 'role="alert"' in html(response) or "errorlist" in html(response)


def test_too_large_file_is_refused(client, users, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sinergi.web.registry.models import Release

    login(client, users["bappeda"])
    _hh, mem = build_inputs(tmp_path / "big")
    settings.SINERGI_REGISTRY_MAX_UPLOAD_MB = 1

    def post(size: int):  # type: ignore[no-untyped-def]
        big = SimpleUploadedFile("households.csv", b"household_id\n" + b"x\n" * (size // 2))
        members = SimpleUploadedFile("members.csv", mem.read_bytes())
        return client.post(
            reverse("registry-import"),
            {
                "households": big,
                "members": members,
                "name": "Besar",
                "reference_date": "2025-06-30",
            },
        )

    over = post(1_300_000)  # above the limit: refused by the form, the limit stated
    assert over.status_code == 200 and "1 MB" in html(over)
    far = post(3_000_000)  # far above: refused before the body is read
    assert far.status_code == 413 and "1 MB" in html(far)
    assert not Release.objects.filter(name="Besar").exists()


def test_import_refused_for_kecamatan_operator_and_executive(client, users) -> None:  # type: ignore[no-untyped-def]
    for name in ("betung", "executive"):
        login(client, users[name])
        assert client.get(reverse("registry-import")).status_code == 403


# --- browser: scoping, masking, number search -------------------------------------------


def test_kecamatan_operator_sees_only_own_kecamatan(client, users, release) -> None:  # type: ignore[no-untyped-def]
    url = reverse("registry-browse", args=[release.slug])
    login(client, users["betung"])
    page = html(client.get(url))
    assert "24 rumah tangga" in page or "24 households" in page
    assert "Ahmad Santoso 25" not in page  # the Rambutan household
    assert client.get(reverse("registry-household", args=[release.slug, "H025"])).status_code == 404
    login(client, users["bappeda"])
    assert "25 rumah tangga" in html(client.get(url))
    assert client.get(reverse("registry-household", args=[release.slug, "H025"])).status_code == 200


def test_browser_refused_to_public_and_executive(client, users, release) -> None:  # type: ignore[no-untyped-def]
    url = reverse("registry-browse", args=[release.slug])
    assert client.get(url).status_code == 302
    login(client, users["executive"])
    assert client.get(url).status_code == 403
    hh = reverse("registry-household", args=[release.slug, "H001"])
    assert client.get(hh).status_code == 403


def test_search_by_name_is_masked_and_paginated(client, users, release) -> None:  # type: ignore[no-untyped-def]
    login(client, users["bappeda"])
    url = reverse("registry-browse", args=[release.slug])
    page = html(client.get(url, {"nama": "aminah 1"}))
    assert "Ahmad Santoso 1<" in page or "Ahmad Santoso 1 " in page or "Ahmad Santoso 1</a>" in page
    assert "1607**********" in page
    assert kk_number(1) not in page
    first = html(client.get(url))
    assert "hal=2" not in first  # 25 households fit on one page of 25
    from sinergi.web.registry import views

    views.PER_PAGE, old = 10, views.PER_PAGE
    try:
        assert "hal=2" in html(client.get(url))
        assert "Ahmad Santoso 25" in html(client.get(url, {"hal": 3}))  # Rambutan sorts last
        assert "Ahmad Santoso 25" not in html(client.get(url, {"hal": 2}))
    finally:
        views.PER_PAGE = old


def test_number_search_posts_and_redirects_with_the_hash(client, users, release) -> None:  # type: ignore[no-untyped-def]
    from sinergi.web.registry import services

    login(client, users["bappeda"])
    url = reverse("registry-browse", args=[release.slug])
    number = nik("160705", dt.date(1984, 11, 3), "F", 2)  # Siti Aminah 1
    response = client.post(url, {"kind": "nik", "number": number})
    assert response.status_code == 302
    assert number not in response["Location"]
    assert services.pseudonymiser().hash(number) in response["Location"]
    page = html(client.get(response["Location"]))
    assert "Ahmad Santoso 1</a>" in page and "Ahmad Santoso 2</a>" not in page
    # a bad number gets a clear error and no redirect
    bad = client.post(url, {"kind": "kk", "number": "12345"})
    assert bad.status_code == 200 and "16" in html(bad)


# --- household page and reveal -------------------------------------------------------


def test_household_page_masks_and_shows_deciles(client, users, release) -> None:  # type: ignore[no-untyped-def]
    login(client, users["betung"])
    response = client.get(reverse("registry-household", args=[release.slug, "H001"]))
    page = html(response)
    assert response.status_code == 200
    assert "Siti Aminah 1" in page and "1607**********" in page
    assert nik("160705", dt.date(1984, 11, 3), "F", 2) not in page
    assert "<td>tanah</td>" in page and "earth" not in page  # codes shown as labels
    assert "Tampilkan NIK" not in page and "Show NIK" not in page  # operators may not reveal
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_reveal_by_dinsos_is_audited_and_not_cached(client, users, release) -> None:  # type: ignore[no-untyped-def]
    from sinergi.web.registry import services

    login(client, users["dinsos"])
    url = reverse("registry-household", args=[release.slug, "H001"])
    assert "Tampilkan NIK" in html(client.get(url)) or "Show NIK" in html(client.get(url))
    number = nik("160705", dt.date(1984, 11, 3), "F", 2)
    member = services.pseudonymiser().hash(number)
    reveal = reverse("registry-reveal", args=[release.slug, "H001"])
    before = AuditEntry.objects.filter(action="reveal").count()
    response = client.post(reveal, {"member": member, "reason": "verifikasi PKH"})
    assert response.status_code == 200
    assert number in html(response)
    assert response["Cache-Control"].startswith("no-store")
    assert number not in reveal
    entries = AuditEntry.objects.filter(action="reveal")
    assert entries.count() == before + 1
    entry = entries.latest("pk")
    assert entry.actor == users["dinsos"]
    assert "verifikasi PKH" in entry.comment or "verifikasi PKH" in str(entry.after)
    assert number not in str(entry.after) + entry.comment + str(entry.before)
    # shown once: the next plain page view is masked again
    assert number not in html(client.get(url))


def test_reveal_needs_a_reason_and_a_role(client, users, release) -> None:  # type: ignore[no-untyped-def]
    from sinergi.web.registry import services

    number = nik("160705", dt.date(1984, 11, 3), "F", 2)
    member = services.pseudonymiser().hash(number)
    reveal = reverse("registry-reveal", args=[release.slug, "H001"])
    login(client, users["dinsos"])
    refused = client.post(reveal, {"member": member, "reason": ""})
    assert refused.status_code == 400 and number not in html(refused)
    for name in ("betung", "executive"):
        login(client, users[name])
        response = client.post(reveal, {"member": member, "reason": "ingin tahu saja"})
        assert response.status_code == 403
        assert number not in html(response)
    assert not AuditEntry.objects.filter(action="reveal").exists()
    login(client, users["dinsos"])
    assert client.get(reveal).status_code == 405  # never by GET


def test_household_history_across_releases(client, users, tmp_path: Path, release) -> None:  # type: ignore[no-untyped-def]
    later = import_release(tmp_path, users["bappeda"], name="DTSEN 2025-Q3")
    login(client, users["bappeda"])
    page = html(client.get(reverse("registry-household", args=[later.slug, "H001"])))
    assert release.name in page and later.name in page


# --- profiles and small cells ---------------------------------------------------------


def test_profile_counts_for_officers(client, users, release) -> None:  # type: ignore[no-untyped-def]
    login(client, users["betung"])
    page = html(client.get(reverse("registry-profile-area", args=[release.slug, BETUNG])))
    assert "decile-data" in page
    assert ">24<" in page  # households of Betung
    assert ">11<" in page  # earth floor
    # outside its kecamatan an operator sees the published (suppressed) figures only
    outside = html(client.get(reverse("registry-profile-area", args=[release.slug, "16.07.06"])))
    assert '<td class="num">1</td>' not in outside and "<dd>1</dd>" not in outside
    assert (
        client.get(reverse("registry-profile-area", args=[release.slug, "17.01"])).status_code
        == 404
    )


def test_profile_suppresses_small_cells_for_executive_and_public(client, users, release) -> None:  # type: ignore[no-untyped-def]
    url = reverse("registry-profile-area", args=[release.slug, BETUNG])
    for who in ("executive", None):
        client.logout()
        if who:
            login(client, users[who])
        response = client.get(url)
        if who is None and response.status_code == 302:
            continue  # the policy keeps registry profiles for signed-in users
        page = html(response)
        assert response.status_code == 200
        assert ">24<" in page  # 24 households: above the threshold of 10
        assert ">11<" in page  # 11 with an earth floor (13 without: both shown)
        # a decile holds 1 or 2 households: every decile cell is hidden
        rows = re.findall(r'<th scope="row">(\d+)</th><td class="num">([^<]*)</td>', page)
        assert rows and all(v.strip() in ("–", "0") for _d, v in rows)
        # one household with no toilet: hidden
        assert re.search(r"(Tanpa jamban|No toilet)</th><td class=\"num\">–", page)


# --- comparison ---------------------------------------------------------------------


def test_compare_two_releases(client, users, tmp_path: Path, release) -> None:  # type: ignore[no-untyped-def]
    later = import_release(
        tmp_path, users["bappeda"], name="DTSEN 2025-Q3", rambutan=2, decile_shift=1
    )
    url = reverse("registry-compare")
    login(client, users["bappeda"])
    assert 'name="old"' in html(client.get(reverse("registry-home")))
    page = html(client.get(url, {"old": release.slug, "new": later.slug}))
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    assert facts["Rumah tangga bertambah"] == "1"
    assert facts["Rumah tangga berkurang"] == "0"
    assert facts["Desil berubah"] == "25"
    assert "1607**********" in page and kk_number(1) not in page
    # a kecamatan operator compares its own kecamatan only: no Rambutan household added
    login(client, users["betung"])
    page = html(client.get(url, {"old": release.slug, "new": later.slug}))
    assert (
        dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))["Rumah tangga bertambah"] == "0"
    )
    login(client, users["executive"])
    assert client.get(url, {"old": release.slug, "new": later.slug}).status_code == 403
    same = html(
        login(client, users["bappeda"])
        or client.get(url, {"old": release.slug, "new": release.slug})
    )
    assert "errorlist" in same
