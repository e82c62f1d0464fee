"""Fixtures of the beneficiary-list tests: a private data directory, a small real registry
release (imported from CSV through the registry services), named users for the roles,
a programme, and writers for list files in a stakeholder's own layout."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.targeting import release_inputs as ri

REFERENCE = dt.date(2025, 9, 30)
LIST_HEADERS = ["ID KPM", "NIK", "Nama Penerima", "Tgl Lahir", "JK", "Alamat", "Kode Desa"]


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.SINERGI_REGISTRY_DIR = tmp_path / "data" / "registry"
    settings.SINERGI_BENEFICIARY_MATCH_IN_BACKGROUND = False
    settings.DATA_DIR.mkdir(parents=True)
    return settings.DATA_DIR


@pytest.fixture
def real_desa(db):
    from sinergi.web.regions.models import Level, Region

    codes = []
    for kecamatan in ("16.07.05", "16.07.06"):
        codes += list(
            Region.objects.filter(level=Level.VILLAGE, code__startswith=kecamatan + ".")
            .order_by("code")
            .values_list("code", flat=True)[:2]
        )
    return codes


@pytest.fixture
def registry_people(real_desa):
    """The release's input: 8 households of 3 members, with clear (test) NIKs."""
    hh = ri.households(8, desa=real_desa)
    mm = ri.members(hh)
    for i, m in enumerate(mm):  # distinct names, so name-only matches are meaningful
        m["full_name"] = [
            "Ahmad Saputra",
            "Siti Aminah",
            "Rizki Ramadhan",
            "Budi Santoso",
            "Dewi Lestari",
            "Fajar Nugroho",
            "Agus Salim",
            "Nur Hayati",
            "Putri Ayu",
            "Joko Susilo",
            "Rina Marlina",
            "Dedi Kurniawan",
        ][i % 12] + f" {chr(65 + i // 12)}"
    return hh, mm


@pytest.fixture
def release(data_dir, tmp_path, registry_people, banyuasin):
    from sinergi.web.registry import services

    hh, mm = registry_people
    folder = tmp_path / "release-input"
    folder.mkdir()
    households, members = ri.pair(folder, hh, mm)
    created, report = services.import_release(
        households,
        members,
        name="Uji 2025-Q3",
        reference_date=REFERENCE,
        region_code="16.07",
        user=None,
    )
    assert created is not None, report.errors
    return created


@pytest.fixture
def agencies(db, banyuasin):
    from sinergi.web.accounts.models import Agency

    return {
        code: Agency.objects.get_or_create(region=banyuasin, code=code, defaults={"name": name})[0]
        for code, name in (("dinsos", "Dinas Sosial"), ("disparpora", "Dinas Pariwisata"))
    }


@pytest.fixture
def users(make_user, agencies):
    return {
        "bappeda": make_user("bappeda", role="bappeda_admin", region="16.07"),
        "dinsos": make_user(
            "dinsos", role="opd_operator", region="16.07", agency=agencies["dinsos"]
        ),
        "opd": make_user(
            "disparpora", role="opd_operator", region="16.07", agency=agencies["disparpora"]
        ),
        "betung": make_user("betung", role="kecamatan_operator", region="16.07.05"),
        "executive": make_user("eksekutif", role="executive_viewer", region="16.07"),
    }


@pytest.fixture
def programme(db, banyuasin, agencies):
    from sinergi.web.beneficiaries.models import OwnerKind, Programme, Stakeholder

    owner = Stakeholder.objects.create(
        name="Kementerian Sosial", short_name="Kemensos", kind=OwnerKind.MINISTRY
    )
    return Programme.objects.create(
        code="pkh",
        name="Program Keluarga Harapan",
        owner=owner,
        region=banyuasin,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        eligibility_max_decile=4,
    )


def write_list(
    path: Path,
    rows: list[list[Any]],
    headers: list[str] | None = None,
    delimiter: str = ";",
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(headers or LIST_HEADERS)
        writer.writerows(rows)
    return path


def list_rows_from(members: list[dict[str, str]], hh: list[dict[str, str]]) -> list[list[Any]]:
    """One list row per household head, in the Kemensos layout (DD-MM-YYYY, L/P)."""
    desa = {h["household_id"]: h["desa_code"] for h in hh}
    rows = []
    for i, m in enumerate(x for x in members if x["relationship"] == "head"):
        birth = dt.date.fromisoformat(m["birth_date"])
        rows.append(
            [
                f"KPM-{i + 1:03d}",
                m["nik"],
                m["full_name"],
                birth.strftime("%d-%m-%Y"),
                "L" if m["sex"] in ("M", "L") else "P",
                f"Jalan {i + 1}",
                desa[m["household_id"]],
            ]
        )
    return rows


@pytest.fixture
def list_file(tmp_path, registry_people):
    """A good list of the 8 household heads (all NIKs valid)."""
    hh, mm = registry_people
    return write_list(tmp_path / "pkh.csv", list_rows_from(mm, hh))
