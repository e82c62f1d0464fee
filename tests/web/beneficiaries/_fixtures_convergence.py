"""Fixture data of the convergence page and export tests, and an independent count.

A small real release (30 households in two Betung desa and one Rambutan desa,
imported from CSV through the registry services) and three programmes whose
match outcomes are written with the ORM as the matching services leave them:
PKH (decile <= 4) with a household listed twice, leakage into deciles 5 and 8, two
rows matched to no household and one still in review; BPNT (decile <= 4) in one
desa plus two better-off households; KUR without a decile rule. The expected
figures are counted here in plain Python from the same lists, not through
``sinergi.targeting.convergence``.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REFERENCE = dt.date(2025, 9, 30)
DESA_A, DESA_B = "16.07.05.2002", "16.07.05.2003"  # Betung
DESA_C = "16.07.06.2001"  # Rambutan
BETUNG, RAMBUTAN = "16.07.05", "16.07.06"


@dataclass(frozen=True)
class Household:
    id: str
    desa: str
    decile: int
    persons: int
    kk: str
    head: str


def households() -> list[Household]:
    out = []
    for i in range(30):
        desa = DESA_A if i < 12 else DESA_B if i < 24 else DESA_C
        out.append(
            Household(
                id=f"H{i + 1:02d}",
                desa=desa,
                decile=i % 10 + 1,
                persons=1 + i % 4,
                kk=f"{desa[:8].replace('.', '')}{i + 1:010d}",
                head=f"Kepala Keluarga {i + 1}",
            )
        )
    return out


HH = {h.id: h for h in households()}


def _ids(pred: Any) -> list[str]:
    return [h.id for h in households() if pred(h)]


# Each programme's match outcome per list row: (list row, household or None, state).
PKH_ROWS: list[tuple[str, str | None, str]] = (
    [(f"pkh-{h}", h, "accepted") for h in _ids(lambda h: h.decile <= 3)]
    + [("pkh-dup", "H01", "accepted"), ("pkh-leak5", "H05", "accepted")]
    + [("pkh-leak8", "H08", "accepted")]
    + [("pkh-x1", None, "unmatched"), ("pkh-x2", None, "unmatched")]
    + [("pkh-rev", "H04", "review")]
)
BPNT_ROWS: list[tuple[str, str | None, str]] = [
    (f"bpnt-{h}", h, "accepted") for h in _ids(lambda h: h.desa == DESA_A and h.decile <= 4)
] + [("bpnt-8", "H08", "accepted"), ("bpnt-9", "H09", "accepted")]
KUR_ROWS: list[tuple[str, str | None, str]] = [
    (f"kur-{h}", h, "accepted") for h in _ids(lambda h: h.decile in (5, 6, 7))
]
PROGRAMMES = {
    "pkh": ("Program Keluarga Harapan", 4, PKH_ROWS),
    "bpnt": ("Bantuan Pangan Non-Tunai", 4, BPNT_ROWS),
    "kur": ("Kredit Usaha Rakyat", None, KUR_ROWS),
}


def write_inputs(directory: Path) -> tuple[Path, Path]:
    from sinergi.targeting.schema import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS

    directory.mkdir(parents=True, exist_ok=True)
    hh_rows, m_rows = [], []
    serial = 1
    for h in households():
        hh_rows.append(
            {
                "household_id": h.id,
                "kk": h.kk,
                "desa_code": h.desa,
                "address": f"Jalan Merdeka {h.id}",
                "floor_area_m2": 40,
                "floor_material": "cement",
                "wall_material": "wood",
                "roof_material": "metal",
                "drinking_water": "protected_well",
                "sanitation": "private",
                "electricity": "pln_metered",
                "cooking_fuel": "gas",
                "has_motorcycle": 1,
                "has_car": 0,
                "has_refrigerator": 0,
                "has_tv": 1,
                "has_smartphone": 1,
                "livestock_units": 0,
                "land_ha": 0.2,
                "decile": h.decile,
            }
        )
        for j in range(h.persons):
            birth = dt.date(1975 + j, 3, 10 + j)
            sex = "M" if j != 1 else "F"
            day = birth.day + (40 if sex == "F" else 0)
            nik = f"{h.desa[:8].replace('.', '')}{day:02d}{birth:%m%y}{serial:04d}"
            serial += 1
            m_rows.append(
                {
                    "household_id": h.id,
                    "kk": h.kk,
                    "nik": nik,
                    "full_name": h.head if j == 0 else f"Anggota {h.id}-{j}",
                    "sex": sex,
                    "birth_date": birth.isoformat(),
                    "relationship": "head" if j == 0 else "child",
                    "education": "junior",
                    "work_sector": "agriculture",
                }
            )
    paths = directory / "households.csv", directory / "members.csv"
    for path, columns, rows in (
        (paths[0], HOUSEHOLD_COLUMNS, hh_rows),
        (paths[1], MEMBER_COLUMNS, m_rows),
    ):
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=[c.name for c in columns])
            writer.writeheader()
            writer.writerows(rows)
    return paths


def make_release(directory: Path, user: Any, *, synthetic: bool = False) -> Any:
    """Import the fixture release through the registry services (real Parquet files)."""
    from sinergi.web.registry import services

    hh, mm = write_inputs(directory)
    release, report = services.import_release(
        hh,
        mm,
        name="DTSEN uji konvergensi",
        reference_date=REFERENCE,
        region_code="16.07",
        user=user,
        synthetic=synthetic,
    )
    assert release is not None, report.errors
    return release


def make_programmes(release: Any, user: Any, *, synthetic: bool = False) -> dict[str, Any]:
    """Stakeholders, programmes, one ready list and one finished run each, and the links."""
    from django.utils import timezone

    from sinergi.web.beneficiaries.models import (
        BeneficiaryList,
        ListStatus,
        MatchLink,
        MatchRun,
        MatchStage,
        MatchState,
        OwnerKind,
        Programme,
        RunStatus,
        Stakeholder,
    )

    owner = Stakeholder.objects.create(name="Kementerian Sosial", kind=OwnerKind.MINISTRY)
    out = {}
    for code, (name, k, rows) in PROGRAMMES.items():
        programme = Programme.objects.create(
            code=code,
            name=name,
            owner=owner,
            region_id="16.07",
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            eligibility_max_decile=k,
            is_synthetic=synthetic,
        )
        blist = BeneficiaryList.objects.create(
            programme=programme,
            label="2025 Triwulan III",
            file_name=f"{code}.csv",
            rows=len(rows),
            status=ListStatus.READY,
            is_synthetic=synthetic,
            created_by=user,
        )
        run = MatchRun.objects.create(
            beneficiary_list=blist,
            release=release,
            status=RunStatus.DONE,
            finished_at=timezone.now(),
            created_by=user,
        )
        MatchLink.objects.bulk_create(
            [
                MatchLink(
                    run=run,
                    list_row=row,
                    person_key=f"p-{hid}" if hid else "",
                    household_id=hid or "",
                    probability=1.0 if state == "accepted" else (0.7 if hid else None),
                    stage=MatchStage.EXACT_NIK
                    if state == "accepted"
                    else (MatchStage.PROBABILISTIC if hid else MatchStage.NONE),
                    state={"accepted": MatchState.ACCEPTED, "review": MatchState.REVIEW}.get(
                        state, MatchState.UNMATCHED
                    ),
                )
                for row, hid, state in rows
            ]
        )
        out[code] = programme
    return out


# --- the independent count -------------------------------------------------------------


def placed(code: str) -> set[str]:
    """Distinct households a programme reaches (accepted matches only)."""
    return {hid for _row, hid, state in PROGRAMMES[code][2] if state == "accepted" and hid}


def in_area(h: Household, area: str) -> bool:
    return h.desa == area or h.desa.startswith(area + ".") or area == "16.07"


def expected(code: str, area: str, k: int | None = None) -> dict[str, Any]:
    """The figures of a programme in an area, counted by hand."""
    rule = PROGRAMMES[code][1] if k is None else k
    hh = [h for h in households() if in_area(h, area)]
    on = placed(code)
    ben = [h for h in hh if h.id in on]
    out: dict[str, Any] = {
        "households": len(hh),
        "beneficiary_households": len(ben),
        "unmatched_rows": sum(
            1 for _r, hid, state in PROGRAMMES[code][2] if state != "accepted" or not hid
        ),
    }
    if rule is None:
        return {**out, "eligible_households": None, "coverage": None}
    eligible = [h for h in hh if h.decile <= rule]
    reached = [h for h in eligible if h.id in on]
    out.update(
        eligible_households=len(eligible),
        reached_eligible=len(reached),
        inclusion_error=(len(ben) - len(reached)) / len(ben) if ben else None,
        exclusion_error=(len(eligible) - len(reached)) / len(eligible) if eligible else None,
        coverage=sum(h.persons for h in reached) / sum(h.persons for h in eligible)
        if eligible
        else None,
        cgh=(len(reached) / len(ben)) / (len(eligible) / len(hh)) if ben and eligible else None,
    )
    return out


def unreached(area: str, k: int = 4) -> set[str]:
    on = set().union(*(placed(c) for c in PROGRAMMES))
    return {h.id for h in households() if in_area(h, area) and h.decile <= k and h.id not in on}


def well_off(area: str) -> set[str]:
    out = set()
    for h in households():
        if in_area(h, area) and h.decile >= 7 and sum(h.id in placed(c) for c in PROGRAMMES) >= 2:
            out.add(h.id)
    return out


def overlap(a: str, b: str, area: str) -> int:
    return len({h.id for h in households() if in_area(h, area)} & placed(a) & placed(b))


# --- pytest fixtures (bound by the test modules) -----------------------------------


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.SINERGI_REGISTRY_DIR = settings.DATA_DIR / "registry"
    settings.SINERGI_SMALL_CELL_THRESHOLD = 10
    from sinergi.web.beneficiaries import analysis

    analysis.clear_caches()
    return settings.DATA_DIR


@pytest.fixture
def users(make_user):  # type: ignore[no-untyped-def]
    from sinergi.web.accounts.models import Agency

    dinsos = Agency.objects.create(region_id="16.07", code="dinsos", name="Dinas Sosial")
    other = Agency.objects.create(region_id="16.07", code="disnaker", name="Disnakertrans")
    return {
        "bappeda": make_user("bappeda", role="bappeda_admin", region="16.07"),
        "dinsos": make_user("dinsos", role="opd_operator", region="16.07", agency=dinsos),
        "opd": make_user("opd", role="opd_operator", region="16.07", agency=other),
        "betung": make_user("betung", role="kecamatan_operator", region=BETUNG),
        "executive": make_user("executive", role="executive_viewer", region="16.07"),
    }


@pytest.fixture
def release(tmp_path: Path, users):  # type: ignore[no-untyped-def]
    release = make_release(tmp_path / "in", users["bappeda"], synthetic=True)
    make_programmes(release, users["bappeda"], synthetic=True)
    return release
