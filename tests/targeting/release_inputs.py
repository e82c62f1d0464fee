"""Small valid registry inputs for the tests, and helpers to break them."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sinergi.targeting.schema import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS

DESA = ["16.07.05.2001", "16.07.05.2002", "16.07.06.2001"]
PREFIXES = ["16.07.05", "16.07.06"]


def nik(prefix: str, birth: date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "F" else 0)
    return f"{prefix.replace('.', '')}{day:02d}{birth:%m%y}{serial:04d}"


def households(n: int = 3, desa: list[str] | None = None) -> list[dict[str, str]]:
    desa = desa or DESA
    rows = []
    for i in range(n):
        rows.append(
            {
                "household_id": f"H{i + 1}",
                "kk": f"16070501010{i + 1:05d}",
                "desa_code": desa[i % len(desa)],
                "address": f"Jalan {i + 1}",
                "floor_area_m2": "36,5",
                "floor_material": "cement",
                "wall_material": "wood",
                "roof_material": "metal",
                "drinking_water": "piped",
                "sanitation": "private",
                "electricity": "pln_metered",
                "cooking_fuel": "gas",
                "has_motorcycle": "1",
                "has_car": "0",
                "has_refrigerator": "0",
                "has_tv": "1",
                "has_smartphone": "1",
                "livestock_units": "0",
                "land_ha": "0.5",
                "decile": str(i % 10 + 1),
            }
        )
    return rows


def members(hh: list[dict[str, str]]) -> list[dict[str, str]]:
    rows = []
    serial = 1
    for h in hh:
        prefix = h["desa_code"][:8]
        for rel, sex, birth in (
            ("head", "M", date(1980, 7, 1)),
            ("spouse", "F", date(1983, 2, 28)),
            ("child", "L", date(2010, 12, 31)),
        ):
            rows.append(
                {
                    "household_id": h["household_id"],
                    "kk": h["kk"],
                    "nik": nik(prefix, birth, "F" if sex == "F" else "M", serial),
                    "full_name": f"Orang {serial}",
                    "sex": sex,
                    "birth_date": birth.isoformat(),
                    "relationship": rel,
                    "education": "senior",
                    "work_sector": "agriculture",
                }
            )
            serial += 1
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for r in rows:
        sheet.append(list(r.values()))
    book.save(path)
    return path


def write_parquet(path: Path, rows: list[dict[str, str]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def pair(
    tmp: Path,
    hh: list[dict[str, str]] | None = None,
    mm: list[dict[str, str]] | None = None,
    fmt: str = "csv",
) -> tuple[Path, Path]:
    hh = hh if hh is not None else households()
    mm = mm if mm is not None else members(hh)
    writer = {"csv": write_csv, "xlsx": write_xlsx, "parquet": write_parquet}[fmt]
    return writer(tmp / f"households.{fmt}", hh), writer(tmp / f"members.{fmt}", mm)


ALL_HOUSEHOLD = [c.name for c in HOUSEHOLD_COLUMNS]
ALL_MEMBER = [c.name for c in MEMBER_COLUMNS]
