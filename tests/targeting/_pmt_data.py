"""A small survey with household characteristics, members and expenditure, for the PMT tests.

Drawn here, independently of ``sinergi.targeting``: characteristics at
random, log per-capita expenditure a known linear function of some of them
plus noise, so the fit has something to find.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from sinergi.targeting import schema

KECAMATAN = {
    "16.07": ["16.07.01", "16.07.02", "16.07.05"],
    "16.08": ["16.08.01", "16.08.03"],
}


def make_survey(
    n: int = 600, seed: int = 3, regencies: tuple[str, ...] = ("16.07", "16.08")
) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(seed)
    regency = rng.choice(regencies, n)
    kec = np.array([rng.choice(KECAMATAN[r]) for r in regency])
    desa = np.array([f"{k}.{2000 + rng.integers(1, 9)}" for k in kec])
    size = rng.integers(1, 8, n)
    ids = [f"S{i:05d}" for i in range(n)]

    def pick(codes: tuple[str, ...], p: list[float] | None = None) -> np.ndarray:
        return rng.choice(codes, n, p=p)

    hh = {
        "household_id": ids,
        "desa_code": desa,
        "floor_area_m2": np.round(rng.uniform(12, 150, n), 1),
        "floor_material": pick(schema.FLOOR_MATERIALS),
        "wall_material": pick(schema.WALL_MATERIALS),
        "roof_material": pick(schema.ROOF_MATERIALS),
        "drinking_water": pick(schema.DRINKING_WATER),
        "sanitation": pick(schema.SANITATION),
        "electricity": pick(schema.ELECTRICITY, [0.7, 0.2, 0.1]),
        "cooking_fuel": pick(schema.COOKING_FUEL),
        **{a: rng.integers(0, 2, n) for a in schema.ASSETS},
        "livestock_units": np.round(rng.exponential(1.0, n) * (rng.random(n) < 0.4), 2),
        "land_ha": np.round(rng.exponential(0.8, n) * (rng.random(n) < 0.5), 2),
        "weight": np.round(rng.uniform(50, 400, n), 3),
    }
    members: dict[str, list[object]] = {
        k: []
        for k in (
            "household_id",
            "sex",
            "age",
            "birth_date",
            "relationship",
            "education",
            "work_sector",
        )
    }
    head_edu = pick(schema.EDUCATION)
    head_female = rng.random(n) < 0.2
    for i, hid in enumerate(ids):
        for j in range(size[i]):
            head = j == 0
            age = int(rng.integers(25, 80)) if head else int(rng.integers(0, 90))
            members["household_id"].append(hid)
            members["sex"].append(
                ("F" if head_female[i] else "M") if head else str(rng.choice(["M", "F"]))
            )
            members["age"].append(age)
            members["birth_date"].append(date(2025 - age, 1, 1))
            members["relationship"].append(
                "head" if head else str(rng.choice(["spouse", "child", "parent", "other"]))
            )
            members["education"].append(
                str(head_edu[i]) if head else str(rng.choice(schema.EDUCATION))
            )
            members["work_sector"].append(str(rng.choice(schema.WORK_SECTORS)))
    log_pce = (
        13.0
        + 0.25 * np.log(hh["floor_area_m2"] / size)
        - 0.3 * (hh["floor_material"] == "earth")
        - 0.15 * (hh["sanitation"] == "none")
        + 0.2 * hh["has_car"]
        + 0.1 * hh["has_refrigerator"]
        - 0.12 * np.log(size)
        + 0.1 * (head_edu == "tertiary")
        + 0.08 * (regency == "16.08")
        + rng.normal(0, 0.3, n)
    )
    hh["pcexp"] = np.round(np.exp(log_pce), 0)
    return pa.table(hh), pa.table(members)
