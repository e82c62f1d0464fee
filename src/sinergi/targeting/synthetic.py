"""SYNTHETIC household world of Kabupaten Banyuasin: PMT survey and DTSEN-shaped registry.

Nothing in here is real: no BPS microdata, no DTSEN record, no real person.
The world is the one of :mod:`sinergi.stats.synthetic` (its Susenas-like
survey, calibrated to Banyuasin's published poverty, inequality and
unemployment) extended with what a proxy means test (PMT) observes:

* **household characteristics** (floor area, floor/wall/roof material,
  drinking water, sanitation, electricity, cooking fuel, assets, livestock,
  land) drawn, by :func:`draw_characteristics`, from an *observable welfare*
  index correlated with the household's latent log welfare
  ``z = log(pcexp / poverty_line)``, with rural and urban shares of the kind
  Susenas reports for rural Sumatera Selatan (wooden stilt houses, LPG 3 kg,
  refill water);
* **members** (relationship, sex, age, education, work sector), education and
  sector also depending on welfare and age.

Because every characteristic depends on welfare only through the observable
index (correlation :data:`OBSERVABLE_CORRELATION` with ``z``), a PMT fitted on
the survey explains about 40-55 % of the variance of log per-capita
expenditure, as PMT models in Indonesia do.

:func:`generate_pmt_survey` returns the demo survey's households (same
design, weights and ``pcexp`` as ``generate_banyuasin_survey``) with their
characteristics; :func:`generate_registry` draws a registry slice in the
input layout of ``sinergi registry import`` (households and members, NIK,
KK, names, the release's own decile) by resampling the survey's latent
welfare within kecamatan x urban/rural, optionally with realistic faults.
Every table is marked ``sinergi.synthetic=true`` in its schema metadata
(kept by Parquet), as the survey is.

The module is pure (numpy and pyarrow; no Django): desa codes come in as
arguments.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterator, Sequence
from datetime import date
from os import PathLike
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np

from sinergi.stats.synthetic import (
    DESCRIPTION_KEY,
    KECAMATAN_CODES,
    SYNTHETIC_KEY,
    generate_banyuasin_survey,
)
from sinergi.targeting import schema

if TYPE_CHECKING:
    import pyarrow as pa

SURVEY_YEAR = 2023
SURVEY_SEED = 20230316  # the demo survey's seed (sinergi.web.indicators.demo_survey)
REFERENCE_DATE = date(2025, 6, 30)
"""Default reference date of the synthetic registry release (DTSEN 2025-Q2)."""

FAULTS_KEY = "sinergi.faults"
"""Schema metadata key: JSON ``{fault kind: count}`` of the faults planted in a registry."""

OBSERVABLE_CORRELATION = 0.76
"""Correlation of the observable welfare index with standardised log welfare."""
# Standardisation of z = log(pcexp / line) in the demo survey (weighted mean and
# sd of the 2023 calibration): fixed constants, so the survey and every registry
# map welfare to characteristics through the same function.
_Z_MEAN = 0.49
_Z_SD = 0.44
_NORMAL = NormalDist()

# --- codes (contract order) and their rural / urban shares ---------------------
# Each ordinal characteristic: codes from best to worst for the latent draw,
# shares (rural, urban) in that order, and the loading on observable welfare.
_ORDINAL: dict[str, tuple[tuple[str, ...], tuple[float, ...], tuple[float, ...], float]] = {
    "floor_material": (
        ("ceramic", "cement", "wood", "bamboo", "earth"),
        (0.25, 0.30, 0.38, 0.04, 0.03),
        (0.60, 0.25, 0.13, 0.01, 0.01),
        0.65,
    ),
    "wall_material": (
        ("masonry", "wood", "bamboo", "other"),
        (0.40, 0.52, 0.05, 0.03),
        (0.78, 0.19, 0.02, 0.01),
        0.6,
    ),
    "roof_material": (
        ("tile", "asbestos", "metal", "other", "thatch"),
        (0.08, 0.12, 0.72, 0.02, 0.06),
        (0.18, 0.18, 0.62, 0.01, 0.01),
        0.4,
    ),
    "drinking_water": (
        ("bottled", "piped", "protected_well", "unprotected", "surface"),
        (0.40, 0.08, 0.25, 0.17, 0.10),
        (0.58, 0.22, 0.14, 0.04, 0.02),
        0.5,
    ),
    "sanitation": (
        ("private", "shared", "none"),
        (0.72, 0.14, 0.14),
        (0.90, 0.07, 0.03),
        0.55,
    ),
    "electricity": (
        ("pln_metered", "pln_unmetered", "none"),
        (0.86, 0.11, 0.03),
        (0.96, 0.035, 0.005),
        0.5,
    ),
    "cooking_fuel": (
        ("electric", "gas", "kerosene", "other", "wood"),
        (0.005, 0.80, 0.01, 0.005, 0.18),
        (0.02, 0.95, 0.01, 0.005, 0.015),
        0.55,
    ),
}
# Assets: share owning (rural, urban) and loading.
_ASSETS: dict[str, tuple[float, float, float]] = {
    "has_motorcycle": (0.82, 0.86, 0.45),
    "has_car": (0.05, 0.16, 0.65),
    "has_refrigerator": (0.45, 0.75, 0.65),
    "has_tv": (0.82, 0.93, 0.5),
    "has_smartphone": (0.78, 0.92, 0.5),
}
HOUSEHOLD_COLUMNS: tuple[str, ...] = schema.CHARACTERISTICS
"""The household characteristics of the registry input layout, in contract order."""
EDUCATION = ("tertiary", "senior", "junior", "primary", "none")  # best to worst
_EDUCATION_SHARES = ((0.05, 0.25, 0.22, 0.38, 0.10), (0.16, 0.40, 0.20, 0.20, 0.04))
SECTORS = ("services", "industry", "agriculture")  # of workers, "best" first
_SECTOR_SHARES = ((0.26, 0.10, 0.64), (0.66, 0.20, 0.14))


# --- names (South Sumatran, mostly Palembang Malay usage) -------------------------
def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_MALE = _words(
    "Muhammad Ahmad Abdul Rizki Fajar Andi Budi Hendra Rudi Agus Dedi Yusuf Ilham Arief Hasan "
    "Husin Zainal Syahrial Amir Firdaus Rahmat Sulaiman Ismail Darmawan Eko Fadli Iwan Jamal "
    "Lukman Mansyur Nurdin Rusli Samsul Taufik Usman Wahyu Yanto Zulkifli Romi Sapri Jumadi "
    "Herman Suryadi Anwar Bahrul Heri Irwan Maulana Dimas Bayu Alif Rafi Farhan Aditya Ridwan "
    "Syamsul Hamdan Marzuki Safrudin Ujang Sahril Edi Sofyan"
)
_FEMALE = _words(
    "Siti Nur Sri Dewi Aminah Fatimah Aisyah Rohani Yuliana Rina Wati Suryani Nurhayati "
    "Halimah Maryam Zubaidah Rosmala Ernawati Lestari Fitri Indah Ayu Nurul Putri Rahma "
    "Salsabila Anisa Dina Eka Sari Yanti Masitoh Juleha Hasanah Khadijah Rukiah Rosidah "
    "Dahlia Mardiana Nining Sumarni Kartini Agustina Melati Zahra Nabila Aulia Intan Wulan "
    "Desi Elly Yusnani Mega Nuraini Erlina Komariah"
)
_MALE_SECOND = _words(
    "Saputra Pratama Hidayat Setiawan Kurniawan Wijaya Santoso Gunawan Hakim Fauzi Ramadhan "
    "Syahputra Firmansyah Nugroho Irawan Saleh Effendi Hamzah Rahman Alamsyah Hermawan"
)
_FEMALE_SECOND = _words(
    "Saputri Lestari Rahmawati Wulandari Susanti Handayani Oktaviani Purnamasari Anggraini "
    "Safitri Ramadhani Maharani Kusuma Yulianti Puspita Novitasari Amelia Fitriani Sari"
)

# Planted faults per 1,000 households (about 430 in the 230,000-household demo).
_FAULT_RATES: dict[str, float] = {
    "nik_malformed": 0.30,
    "birth_date_mismatch": 0.35,
    "sex_mismatch": 0.22,
    "duplicate_nik": 0.20,
    "two_heads": 0.10,
    "no_head": 0.10,
    "unknown_desa": 0.10,
}


def _ordinal(rng: np.random.Generator, o: np.ndarray, urban: np.ndarray, spec: Any) -> np.ndarray:
    """Ordered-probit draw: a latent loading on ``o``, cut at the area's share quantiles."""
    codes, rural, urb, loading = spec
    latent = loading * o + math.sqrt(1 - loading**2) * rng.standard_normal(len(o))
    out = np.empty(len(o), dtype=np.int8)
    for flag, shares in ((0, rural), (1, urb)):
        # Cut points from the worst code up: latent below the first cut = worst.
        cum = np.cumsum(shares[::-1])[:-1]
        cuts = np.array([_NORMAL.inv_cdf(min(max(c, 1e-9), 1 - 1e-9)) for c in cum])
        mask = urban == flag
        out[mask] = len(codes) - 1 - np.searchsorted(cuts, latent[mask])
    return np.array(codes)[out]


def _binary(rng: np.random.Generator, o: np.ndarray, urban: np.ndarray, spec: Any) -> np.ndarray:
    rural, urb, loading = spec
    latent = loading * o + math.sqrt(1 - loading**2) * rng.standard_normal(len(o))
    cut = np.where(urban == 1, _NORMAL.inv_cdf(1 - urb), _NORMAL.inv_cdf(1 - rural))
    flags: np.ndarray = (latent > cut).astype(np.int8)
    return flags


def observable_welfare(
    z: np.ndarray, rng: np.random.Generator, correlation: float = OBSERVABLE_CORRELATION
) -> np.ndarray:
    """The observable welfare index of households with log welfare ``z = log(pcexp / line)``.

    Standard normal-ish, correlated ``correlation`` with standardised ``z``;
    every characteristic is drawn from it, so it bounds a PMT's R².

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> o = observable_welfare(np.array([0.0, 0.49, 2.0]), rng)
    >>> o.shape
    (3,)
    """
    zs = (np.asarray(z, dtype=float) - _Z_MEAN) / _Z_SD
    return correlation * zs + math.sqrt(1 - correlation**2) * rng.standard_normal(len(zs))


def draw_characteristics(
    o: np.ndarray, urban: np.ndarray, persons: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Draw the household characteristics of households with observable welfare ``o``.

    Parameters
    ----------
    o
        Observable welfare index (:func:`observable_welfare`).
    urban
        1 for urban households, 0 for rural.
    persons
        Household size (larger households live in larger houses).
    rng
        Random generator (the draw is deterministic given its state).

    Returns
    -------
    dict of numpy arrays
        One array per column of :data:`HOUSEHOLD_COLUMNS`, with the contract's codes.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> c = draw_characteristics(np.zeros(4), np.array([0, 0, 1, 1]), np.full(4, 4), rng)
    >>> sorted(c) == sorted(HOUSEHOLD_COLUMNS)
    True
    """
    o = np.asarray(o, dtype=float)
    urban = np.asarray(urban)
    n = len(o)
    out: dict[str, np.ndarray] = {}
    log_area = (
        3.62
        + 0.22 * o
        + 0.18 * np.log(np.asarray(persons, dtype=float))
        + 0.33 * rng.standard_normal(n)
    )
    out["floor_area_m2"] = np.maximum(np.round(np.exp(log_area)), 9.0)
    for name, spec in _ORDINAL.items():
        out[name] = _ordinal(rng, o, urban, spec)
    for name, asset in _ASSETS.items():
        out[name] = _binary(rng, o, urban, asset)
    # Livestock (chickens, goats, cattle in tropical livestock units): rural, weakly richer.
    has_stock = _binary(rng, o, urban, (0.32, 0.05, 0.15)).astype(bool)
    stock = np.round(np.exp(-0.7 + 0.2 * o + 0.8 * rng.standard_normal(n)), 1)
    out["livestock_units"] = np.where(has_stock, np.maximum(stock, 0.1), 0.0)
    # Land (rice fields, rubber and oil-palm smallholdings): rural; area grows with welfare.
    has_land = _binary(rng, o, urban, (0.52, 0.06, 0.3)).astype(bool)
    land = np.round(np.exp(-0.4 + 0.35 * o + 0.75 * rng.standard_normal(n)), 2)
    out["land_ha"] = np.where(has_land, np.maximum(land, 0.01), 0.0)
    return out


def draw_member_attributes(
    o: np.ndarray,
    urban: np.ndarray,
    age: np.ndarray,
    sex: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Education and work sector of persons (``o`` and ``urban`` of their household).

    Children's education follows their age (the level attended); adults' is an
    ordered draw on welfare with older cohorts less schooled. Work sector is
    ``none`` below 15 and for persons not working (more women, the young and
    the old), otherwise services / industry / agriculture on welfare and area.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> edu, work = draw_member_attributes(
    ...     np.zeros(3), np.zeros(3), np.array([5, 10, 40]), np.array(["M", "F", "M"]), rng)
    >>> edu[:2].tolist(), work[:2].tolist()
    (['none', 'primary'], ['none', 'none'])
    """
    n = len(age)
    o = np.asarray(o, dtype=float)
    age = np.asarray(age)
    cohort = -0.025 * np.clip(age - 35, -15, 40)
    latent = 0.6 * o + cohort + 0.8 * rng.standard_normal(n)
    edu_idx = np.empty(n, dtype=np.int8)
    for flag, shares in enumerate(_EDUCATION_SHARES):
        cum = np.cumsum(shares[::-1])[:-1]
        cuts = np.array([_NORMAL.inv_cdf(c) for c in cum])
        mask = urban == flag
        edu_idx[mask] = len(EDUCATION) - 1 - np.searchsorted(cuts, latent[mask])
    # Children and youths: the level their age reaches, capped by the adult draw.
    by_age = np.select([age < 7, age < 13, age < 16, age < 19], [4, 3, 2, 1], default=0).astype(
        np.int8
    )
    edu_idx = np.maximum(edu_idx, by_age) if n else edu_idx
    education = np.array(EDUCATION)[edu_idx]
    # Work.
    p_none = np.where(np.asarray(sex) == "F", 0.48, 0.16)
    p_none = np.where(age < 20, 0.65, np.where(age >= 65, np.maximum(p_none, 0.5), p_none))
    working = (age >= 15) & (rng.random(n) >= p_none)
    latent_w = 0.45 * o + math.sqrt(1 - 0.45**2) * rng.standard_normal(n)
    sec_idx = np.empty(n, dtype=np.int8)
    for flag, sector_shares in enumerate(_SECTOR_SHARES):
        cum = np.cumsum(sector_shares[::-1])[:-1]
        cuts = np.array([_NORMAL.inv_cdf(c) for c in cum])
        mask = urban == flag
        sec_idx[mask] = len(SECTORS) - 1 - np.searchsorted(cuts, latent_w[mask])
    work = np.where(working, np.array(SECTORS)[sec_idx], "none")
    return education, work


def _metadata(description: str, generator: str, **extra: str) -> dict[str, str]:
    return {
        SYNTHETIC_KEY: "true",
        DESCRIPTION_KEY: description,
        "generator": generator,
        **extra,
    }


# ----------------------------------------------------------------------------------
# The PMT survey
# ----------------------------------------------------------------------------------


def generate_pmt_survey(
    *,
    year: int = SURVEY_YEAR,
    n_households: int = 20_000,
    seed: int = SURVEY_SEED,
    level: str = "person",
) -> pa.Table:
    """The SYNTHETIC demo survey with the characteristics a PMT is fitted on.

    Same households, design (``weight, stratum, psu``), kecamatan and
    per-capita expenditure as :func:`sinergi.stats.synthetic.generate_banyuasin_survey`
    with the same ``year, n_households, seed``, plus the household
    characteristics (:data:`HOUSEHOLD_COLUMNS`) and the members'
    relationship, education and work sector.

    Parameters
    ----------
    year, n_households, seed
        Passed to ``generate_banyuasin_survey``.
    level
        ``"person"``: one row per person (``household_id, person_no,
        relationship, sex, age, education, work_sector``, the household
        characteristics repeated, ``persons``, design and expenditure
        columns), the shape of a release's households joined to its members.
        ``"household"``: one row per household with the characteristics,
        ``persons``, design and expenditure columns and the head's
        ``head_sex, head_age, head_education, head_work_sector`` and counts
        ``children`` (under 15), ``elderly`` (65 and over), ``workers``.

    Returns
    -------
    pyarrow.Table
        Marked ``sinergi.synthetic=true``. ``weight`` is the household weight.

    Examples
    --------
    >>> t = generate_pmt_survey(n_households=900, seed=7, level="household")
    >>> t.schema.metadata[b"sinergi.synthetic"], int(t.column("persons").to_numpy().min())
    (b'true', 1)
    """
    if level not in ("person", "household"):
        raise ValueError(f"level must be 'person' or 'household', not {level!r}")
    households, persons = _pmt_tables(year, n_households, seed)
    return persons if level == "person" else households


def _pmt_tables(year: int, n_households: int, seed: int) -> tuple[pa.Table, pa.Table]:
    import pyarrow as pa

    survey = generate_banyuasin_survey(year=year, n_households=n_households, seed=seed)
    rng = np.random.default_rng([seed, 9])
    person_no = survey.column("person_no").to_numpy()
    starts = np.flatnonzero(person_no == 1)
    size = survey.column("household_size").to_numpy()[starts].astype(np.int64)
    n_hh = len(starts)
    person_hh = np.repeat(np.arange(n_hh), size)
    pcexp = survey.column("pcexp").to_numpy()
    line = survey.column("poverty_line").to_numpy()
    urban_p = survey.column("urban").to_numpy()
    z = np.log(pcexp[starts] / line[starts])
    urban = urban_p[starts]
    o = observable_welfare(z, rng)
    chars = draw_characteristics(o, urban, size, rng)

    age = survey.column("age").to_numpy()
    sex = np.array(survey.column("sex").to_pylist())
    head_age = age[starts][person_hh]
    head_sex = sex[starts][person_hh]
    is_head = person_no == 1
    # Relationship from ages as an enumerator would record it: the second person
    # an adult of the other sex near the head's age is the spouse.
    spouse = (person_no == 2) & (age >= 17) & (np.abs(age - head_age) <= 15) & (sex != head_sex)
    child = ~is_head & ~spouse & (age <= head_age - 15)
    parent = ~is_head & ~spouse & (age >= head_age + 15)
    relationship = np.select(
        [is_head, spouse, child, parent], ["head", "spouse", "child", "parent"], default="other"
    )
    education, work = draw_member_attributes(o[person_hh], urban_p, age, sex, rng)

    design = ["weight", "stratum", "psu", "kecamatan_code", "regency_code", "province_code"]
    expenditure = ["urban", "pcexp", "poverty_line"]
    description = (
        "SYNTHETIC Susenas-like PMT survey of Kabupaten Banyuasin (16.07) with household "
        "characteristics; not BPS data."
    )

    def metadata(level: str) -> dict[str, str]:
        return _metadata(
            description,
            "sinergi.targeting.synthetic.generate_pmt_survey",
            year=str(year),
            seed=str(seed),
            level=level,
        )

    cols: dict[str, Any] = {
        "household_id": survey.column("household_id"),
        "person_no": survey.column("person_no"),
        "relationship": pa.array(relationship),
        "sex": survey.column("sex"),
        "age": survey.column("age"),
        "education": pa.array(education),
        "work_sector": pa.array(work),
    }
    for name in HOUSEHOLD_COLUMNS:
        cols[name] = pa.array(chars[name][person_hh])
    cols["persons"] = survey.column("household_size")
    for name in design + expenditure:
        cols[name] = survey.column(name)
    persons = pa.table(cols).replace_schema_metadata(metadata("person"))

    heads = survey.take(pa.array(starts))
    cols = {"household_id": heads.column("household_id")}
    for name in HOUSEHOLD_COLUMNS:
        cols[name] = pa.array(chars[name])
    cols["persons"] = heads.column("household_size")
    for name in design + expenditure:
        cols[name] = heads.column(name)
    cols["head_sex"] = heads.column("sex")
    cols["head_age"] = heads.column("age")
    cols["head_education"] = pa.array(education[starts])
    cols["head_work_sector"] = pa.array(work[starts])
    cols["children"] = pa.array(
        np.bincount(person_hh, weights=age < 15, minlength=n_hh).astype(np.int16)
    )
    cols["elderly"] = pa.array(
        np.bincount(person_hh, weights=age >= 65, minlength=n_hh).astype(np.int16)
    )
    cols["workers"] = pa.array(
        np.bincount(person_hh, weights=work != "none", minlength=n_hh).astype(np.int16)
    )
    return pa.table(cols).replace_schema_metadata(metadata("household")), persons


def write_pmt_survey(
    dest: str | PathLike[str],
    *,
    year: int = SURVEY_YEAR,
    n_households: int = 20_000,
    seed: int = SURVEY_SEED,
) -> Path:
    """Write the PMT survey as ``households.parquet`` + ``members.parquet`` in ``dest``.

    The release layout ``sinergi pmt fit`` reads (households with their
    characteristics, design and ``pcexp``; one row per person in members).
    Returns ``dest``.

    Examples
    --------
    >>> import tempfile, pyarrow.parquet as pq
    >>> with tempfile.TemporaryDirectory() as d:
    ...     folder = write_pmt_survey(d, n_households=900, seed=7)
    ...     pq.read_schema(folder / "members.parquet").metadata[b"sinergi.synthetic"]
    b'true'
    """
    households, persons = _pmt_tables(year, n_households, seed)
    folder = Path(dest)
    write_tables(folder, {"households": households, "members": persons})
    return folder


def write_tables(folder: Path, tables: dict[str, pa.Table]) -> list[Path]:
    """Write each table to ``folder/<name>.parquet`` through a temporary file and rename."""
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = folder / f"{name}.parquet"
        tmp = folder / f".{name}.parquet.tmp"
        pq.write_table(table, tmp)
        tmp.replace(path)
        paths.append(path)
    return paths


# ----------------------------------------------------------------------------------
# The registry
# ----------------------------------------------------------------------------------


def _kecamatan_of(desa_code: str) -> str:
    return desa_code.rsplit(".", 1)[0]


def _prefix(kecamatan_code: str) -> str:
    return kecamatan_code.replace(".", "")


def _deciles_by_group(group: np.ndarray, score: np.ndarray, persons: np.ndarray) -> np.ndarray:
    """Person deciles within groups (DESIGN.md rule; scores here have no ties)."""
    order = np.lexsort((score, group))
    g, p = group[order], persons[order].astype(np.float64)
    csum = np.cumsum(p)
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    counts = np.diff(np.r_[first, len(g)])
    base = np.repeat(np.r_[0.0, csum][first], counts)
    total = np.repeat(np.add.reduceat(p, first), counts)
    lower = csum - p - base
    dec = np.empty(len(g), dtype=np.int8)
    dec[order] = (1 + np.floor(10 * lower / total)).astype(np.int8)
    return dec


class _World:
    """The survey's latent welfare by stratum, to resample registry households from."""

    def __init__(self, year: int, seed: int) -> None:
        survey = generate_banyuasin_survey(year=year, seed=seed)
        import pyarrow.compute as pc

        heads = survey.filter(pc.equal(survey.column("person_no"), 1))
        self.z = np.log(heads.column("pcexp").to_numpy() / heads.column("poverty_line").to_numpy())
        self.weight = heads.column("weight").to_numpy()
        kec = np.array(heads.column("kecamatan_code").to_pylist())
        self.kec_index = np.searchsorted(np.array(KECAMATAN_CODES), kec)
        self.urban = heads.column("urban").to_numpy().astype(np.int64)
        stratum = self.kec_index * 2 + self.urban
        self.order = np.argsort(stratum, kind="stable")
        s_sorted = stratum[self.order]
        n_strata = 2 * len(KECAMATAN_CODES)
        self.start = np.searchsorted(s_sorted, np.arange(n_strata))
        self.end = np.searchsorted(s_sorted, np.arange(n_strata), side="right")
        w_sorted = self.weight[self.order]
        self.cum_w = np.cumsum(w_sorted)
        pop = np.bincount(stratum, weights=self.weight, minlength=n_strata)
        self.urban_share = pop[1::2] / (pop[0::2] + pop[1::2])
        self.kec_share = (pop[0::2] + pop[1::2]) / pop.sum()

    def sample(self, stratum: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Latent z of one survey household drawn by weight within each given stratum."""
        lo = np.r_[0.0, self.cum_w][self.start[stratum]]
        hi = self.cum_w[self.end[stratum] - 1]
        target = lo + rng.random(len(stratum)) * (hi - lo)
        pos = np.searchsorted(self.cum_w, target, side="right")
        pos = np.clip(pos, self.start[stratum], self.end[stratum] - 1)
        drawn: np.ndarray = self.z[self.order[pos]]
        return drawn


_WORLDS: dict[tuple[int, int], _World] = {}


def _world(year: int, seed: int) -> _World:
    if (year, seed) not in _WORLDS:
        _WORLDS[(year, seed)] = _World(year, seed)
    return _WORLDS[(year, seed)]


def _serials(key: np.ndarray, chunk: int, n_chunks: int) -> np.ndarray:
    """4-digit serials unique per key: rank within the key, interleaved over chunks."""
    order = np.argsort(key, kind="stable")
    k = key[order]
    first = np.r_[True, k[1:] != k[:-1]]
    idx = np.arange(len(k))
    rank = idx - np.maximum.accumulate(np.where(first, idx, 0))
    serial = np.empty(len(k), dtype=np.int64)
    serial[order] = 1 + chunk + n_chunks * rank
    if len(serial) and serial.max() > 9999:
        raise ValueError("too many persons share a NIK/KK prefix and date: use more chunks")
    return serial


def _ddmmyy(days: np.ndarray, add_day: np.ndarray | int = 0) -> np.ndarray:
    d = days.astype("datetime64[D]")
    month_start = d.astype("datetime64[M]")
    day = (d - month_start.astype("datetime64[D]")).astype(np.int64) + 1 + add_day
    month = month_start.astype(np.int64) % 12 + 1
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    code: np.ndarray = day * 10_000 + month * 100 + year % 100
    return code


def _names(rng: np.random.Generator, female: np.ndarray) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(female)
    first_m = rng.integers(0, len(_MALE), n)
    first_f = rng.integers(0, len(_FEMALE), n)
    # Second part: none (single name, common), another given name, or a surname-like name.
    kind = rng.random(n)
    second_given_m = rng.integers(0, len(_MALE), n)
    second_given_f = rng.integers(0, len(_FEMALE), n)
    sur_m = rng.integers(0, len(_MALE_SECOND), n)
    sur_f = rng.integers(0, len(_FEMALE_SECOND), n)
    # Work on indices into one vocabulary (fast), then take the strings once.
    vocab = ("", *_FEMALE, *_MALE, *_FEMALE_SECOND, *_MALE_SECOND)
    f0, m0 = 1, 1 + len(_FEMALE)
    fs0, ms0 = m0 + len(_MALE), m0 + len(_MALE) + len(_FEMALE_SECOND)
    given = np.where(female, f0 + first_f, m0 + first_m)
    second = np.where(
        kind < 0.35,
        0,
        np.where(
            kind < 0.7,
            np.where(female, f0 + second_given_f, m0 + second_given_m),
            np.where(female, fs0 + sur_f, ms0 + sur_m),
        ),
    )
    canonical = np.array([vocab.index(word) for word in vocab])  # "Sari" is in two lists
    second = np.where(canonical[second] == canonical[given], 0, second)
    words = pa.array(vocab)
    joined = pc.binary_join_element_wise(
        words.take(pa.array(given)), words.take(pa.array(second)), " "
    )
    return pc.utf8_rtrim(joined, characters=" ")


def _registry_chunk(
    desa_codes: Sequence[str],
    n_households: int,
    *,
    seed: int,
    reference_date: date,
    faults: bool,
    kecamatan_prefixes: Collection[str] | None,
    first_household: int = 0,
    chunk: int = 0,
    n_chunks: int = 1,
    survey_year: int = SURVEY_YEAR,
    survey_seed: int = SURVEY_SEED,
) -> tuple[pa.Table, pa.Table, dict[str, int]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng([seed, chunk])
    world = _world(survey_year, survey_seed)
    desa = np.array(sorted(set(desa_codes)))
    if len(desa) == 0:
        raise ValueError("desa_codes is empty")
    kec_of_desa = np.array([_kecamatan_of(d) for d in desa])
    kec_codes, desa_kec = np.unique(kec_of_desa, return_inverse=True)
    n_kec = len(kec_codes)
    # Each kecamatan borrows the survey world of a Banyuasin kecamatan (its own when it is one).
    known = {code: i for i, code in enumerate(KECAMATAN_CODES)}
    world_kec = np.array([known.get(k, i % len(KECAMATAN_CODES)) for i, k in enumerate(kec_codes)])
    # Desa: kelurahan (1xxx) are urban; other desa urban with the kecamatan's urban share.
    desa_rng = np.random.default_rng([seed, 10_000])  # the same for every chunk
    is_kelurahan = np.array([d.rsplit(".", 1)[1].startswith("1") for d in desa])
    desa_urban = is_kelurahan | (
        desa_rng.random(len(desa)) < 0.5 * world.urban_share[world_kec[desa_kec]]
    )
    desa_size = desa_rng.gamma(3.0, 1.0, len(desa)) * np.where(desa_urban, 1.8, 1.0)
    kec_weight = np.bincount(desa_kec, weights=desa_size, minlength=n_kec)
    desa_p = desa_size / kec_weight[desa_kec] * world.kec_share[world_kec[desa_kec]]
    desa_p = desa_p / desa_p.sum()

    # --- households -------------------------------------------------------------
    n = n_households
    h_desa = np.searchsorted(np.cumsum(desa_p), rng.random(n) * (1 - 1e-12), side="right")
    h_desa = np.minimum(h_desa, len(desa) - 1)
    h_kec = desa_kec[h_desa]
    urban = desa_urban[h_desa].astype(np.int64)
    z = world.sample(world_kec[h_kec] * 2 + urban, rng) + 0.05 * rng.standard_normal(n)
    size = np.minimum(1 + rng.poisson(2.7, n), 12)
    o = observable_welfare(z, rng)
    chars = draw_characteristics(o, urban, size, rng)
    # The release's own decile (as DTSEN ships one): persons' deciles of a noisy
    # welfare within each regency.
    regency = np.array([k.rsplit(".", 1)[0] for k in kec_codes])
    _, kec_regency = np.unique(regency, return_inverse=True)
    release_decile = _deciles_by_group(kec_regency[h_kec], z + 0.3 * rng.standard_normal(n), size)
    hh_prefix = np.array([int(_prefix(k)) for k in kec_codes], dtype=np.int64)[h_kec]
    ref = np.datetime64(reference_date, "D")
    kk_issued = ref - rng.integers(30, 365 * 15, n)
    kk_number = hh_prefix * 10**10 + _ddmmyy(kk_issued) * 10**4
    kk_number = kk_number + _serials(kk_number, chunk, n_chunks)
    numbers = pa.array(np.arange(first_household + 1, first_household + n + 1)).cast(pa.string())
    household_id = pc.binary_join_element_wise(
        "KLG", pc.utf8_lpad(numbers, width=9, padding="0"), ""
    )
    rt = rng.integers(1, 25, n)
    rw = rng.integers(1, 8, n)
    dusun = np.array(["I", "II", "III", "IV", "V"])[rng.integers(0, 5, n)]
    address = pc.binary_join_element_wise(
        "RT ",
        pc.utf8_lpad(pa.array(rt).cast(pa.string()), width=3, padding="0"),
        " RW ",
        pc.utf8_lpad(pa.array(rw).cast(pa.string()), width=3, padding="0"),
        pa.array(np.where(urban == 1, "", np.char.add(", Dusun ", dusun))),
        "",
    )

    # --- members ----------------------------------------------------------------
    starts = np.r_[0, np.cumsum(size)[:-1]]
    m_hh = np.repeat(np.arange(n), size)
    m = len(m_hh)
    pos = np.arange(m) - starts[m_hh]
    has_spouse = (size >= 2) & (rng.random(n) < 0.85)
    u = rng.random(m)
    rel = np.where(
        pos == 0,
        0,
        np.where(
            (pos == 1) & has_spouse[m_hh],
            1,
            np.where(u < 0.86, 2, np.where(u < 0.93, 3, 4)),
        ),
    )
    head_age = np.minimum(20 + rng.gamma(5.5, 5.0, n), 92).astype(np.int64)
    head_female = rng.random(n) < 0.13
    ha = head_age[m_hh]
    age = np.select(
        [rel == 0, rel == 1, rel == 2, rel == 3],
        [
            ha,
            np.clip(
                ha + np.round(rng.normal(0, 4, m)) + np.where(head_female[m_hh], 3, -3), 17, 95
            ),
            np.floor(rng.random(m) * np.clip(ha - 17, 1, 40)),
            np.minimum(ha + rng.integers(20, 31, m), 99),
        ],
        default=rng.integers(0, 81, m),
    ).astype(np.int64)
    female = np.where(
        rel == 0,
        head_female[m_hh],
        np.where(rel == 1, ~head_female[m_hh], rng.random(m) < 0.5),
    )
    sex = np.where(female, "F", "M")
    birth = ref - (age * 365.25 + rng.random(m) * 365.0).astype(np.int64) - 1
    nik_kec = h_kec[m_hh].copy()
    move = rng.random(m)
    nik_prefix = hh_prefix[m_hh].copy()
    other_banyuasin = move < 0.07
    nik_kec[other_banyuasin] = rng.integers(0, n_kec, int(other_banyuasin.sum()))
    nik_prefix[other_banyuasin] = np.array([int(_prefix(k)) for k in kec_codes])[
        nik_kec[other_banyuasin]
    ]
    own = {_prefix(k) for k in kec_codes}
    provinces = {p[:2] for p in own}
    given = {_prefix(p) for p in (kecamatan_prefixes or ())}
    elsewhere = sorted(p for p in given if len(p) == 6 and p[:2] in provinces and p not in own)
    if elsewhere:
        away = move > 0.97
        nik_prefix[away] = np.array([int(p) for p in elsewhere], dtype=np.int64)[
            rng.integers(0, len(elsewhere), int(away.sum()))
        ]
    nik_number = nik_prefix * 10**10 + _ddmmyy(birth, np.where(female, 40, 0)) * 10**4
    nik_number = nik_number + _serials(nik_number, chunk, n_chunks)
    education, work = draw_member_attributes(o[m_hh], urban[m_hh], age, sex, rng)
    names = _names(rng, female)
    relationship = np.array(["head", "spouse", "child", "parent", "other"])[rel]

    h_desa_code = desa[h_desa]
    nik = np.array(pa.array(nik_number).cast(pa.string()).to_numpy(zero_copy_only=False))
    birth_date = birth.astype("datetime64[D]")
    counts: dict[str, int] = {}
    if faults:
        nik, birth_date, sex, relationship, h_desa_code, counts = _plant_faults(
            rng, nik, birth_date, sex, relationship, h_desa_code, m_hh, starts, size, set(desa)
        )

    kk_str = pa.array(kk_number).cast(pa.string())
    households: dict[str, Any] = {
        "household_id": household_id,
        "kk": kk_str,
        "desa_code": pa.array(h_desa_code),
        "address": address,
    }
    for name in HOUSEHOLD_COLUMNS:
        households[name] = pa.array(chars[name])
    households["decile"] = pa.array(release_decile)
    members = {
        "household_id": household_id.take(pa.array(m_hh)),
        "kk": kk_str.take(pa.array(m_hh)),
        "nik": pa.array(nik),
        "full_name": names,
        "sex": pa.array(sex),
        "birth_date": pa.array(birth_date.astype("datetime64[D]")).cast(pa.date32()),
        "relationship": pa.array(relationship),
        "education": pa.array(education),
        "work_sector": pa.array(work),
    }
    return pa.table(households), pa.table(members), counts


def _plant_faults(
    rng: np.random.Generator,
    nik: np.ndarray,
    birth: np.ndarray,
    sex: np.ndarray,
    relationship: np.ndarray,
    desa_code: np.ndarray,
    m_hh: np.ndarray,
    starts: np.ndarray,
    size: np.ndarray,
    known_desa: set[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """Plant each kind of fault on disjoint persons and households; return the counts."""
    n_hh = len(starts)
    want = {k: max(1, round(rate * n_hh / 1000)) for k, rate in _FAULT_RATES.items()}
    # Copies (object NIKs: a malformed one may be shorter or hold a letter).
    nik, birth, sex = nik.astype(object), birth.copy(), sex.copy()
    relationship, desa_code = relationship.copy(), desa_code.astype(object)
    # Households for household-level faults; persons for person-level faults, from
    # households with at least two members so a duplicate NIK has a clean partner.
    households = rng.permutation(np.flatnonzero(size >= 2))
    h_take = iter(
        np.array_split(
            households[: want["two_heads"] + want["no_head"] + want["unknown_desa"]],
            np.cumsum([want["two_heads"], want["no_head"]]),
        )
    )
    two_heads, no_head, unknown = next(h_take), next(h_take), next(h_take)
    used = np.zeros(n_hh, dtype=bool)
    used[households[: want["two_heads"] + want["no_head"] + want["unknown_desa"]]] = True
    # Person faults: one person per household, in households not used above.
    pool = rng.permutation(np.flatnonzero(~used & (size >= 2)))
    person_kinds = ["nik_malformed", "birth_date_mismatch", "sex_mismatch"]
    picks: dict[str, np.ndarray] = {}
    at = 0
    for kind in person_kinds:
        hh = pool[at : at + want[kind]]
        at += want[kind]
        picks[kind] = starts[hh] + 1  # the second member (never the head)
    dup_src = pool[at : at + want["duplicate_nik"]]
    at += want["duplicate_nik"]
    dup_dst = pool[at : at + want["duplicate_nik"]]
    at += want["duplicate_nik"]

    bad = picks["nik_malformed"]
    variants = rng.integers(0, 3, len(bad))
    for i, p in enumerate(bad):
        value = str(nik[p])
        if variants[i] == 0:
            value = value[:15]  # a digit lost in typing
        elif variants[i] == 1:
            value = value[:8] + "O" + value[9:]  # letter O for zero
        else:
            value = value[:8] + "13" + value[10:]  # month 13
        nik[p] = value
    shift = rng.integers(1, 4, len(picks["birth_date_mismatch"])) * 365 + rng.integers(
        1, 27, len(picks["birth_date_mismatch"])
    )
    birth[picks["birth_date_mismatch"]] = birth[picks["birth_date_mismatch"]] - shift
    flip = picks["sex_mismatch"]
    sex[flip] = np.where(sex[flip] == "M", "F", "M")
    # The same person registered in a second household: their identity copied
    # over the second member of another household.
    src, dst = starts[dup_src] + 1, starts[dup_dst] + 1
    nik[dst], birth[dst], sex[dst] = nik[src], birth[src], sex[src]
    relationship[starts[two_heads] + 1] = "head"
    relationship[starts[no_head]] = "other"
    for h in unknown:
        kec = str(desa_code[h]).rsplit(".", 1)[0]
        candidate = f"{kec}.2999"
        while candidate in known_desa:
            candidate = candidate[:-1] + str((int(candidate[-1]) + 1) % 10)
        desa_code[h] = candidate
    counts = {
        "nik_malformed": len(bad),
        "birth_date_mismatch": len(picks["birth_date_mismatch"]),
        "sex_mismatch": len(flip),
        "duplicate_nik": len(dst),
        "two_heads": len(two_heads),
        "no_head": len(no_head),
        "unknown_desa": len(unknown),
    }
    return nik, birth, sex, relationship, desa_code, counts


def _registry_metadata(counts: dict[str, int], seed: int, reference_date: date) -> dict[str, str]:
    description = (
        "SYNTHETIC DTSEN-shaped registry slice of Kabupaten Banyuasin generated by Sinergi "
        "for the demo; no real household or person."
    )
    return _metadata(
        description,
        "sinergi.targeting.synthetic.generate_registry",
        seed=str(seed),
        reference_date=reference_date.isoformat(),
        **{FAULTS_KEY: json.dumps(counts, sort_keys=True)},
    )


def generate_registry(
    desa_codes: Sequence[str],
    *,
    n_households: int = 230_000,
    seed: int = 20250630,
    reference_date: date = REFERENCE_DATE,
    faults: bool = True,
    kecamatan_prefixes: Collection[str] | None = None,
) -> tuple[pa.Table, pa.Table]:
    """Draw a SYNTHETIC DTSEN-shaped registry slice over the given desa.

    Households get a desa (kelurahan urban, sizes varying), a latent welfare
    resampled from the demo survey within kecamatan x urban/rural (so the
    survey's PMT fits them), characteristics from :func:`draw_characteristics`,
    a KK number (kecamatan prefix, issue date DDMMYY, serial) and the
    release's own decile (persons' deciles of a noisy welfare within each
    regency). Members (about 3.7 per household) get a relationship (one head,
    mostly a spouse, children, some parents and others), consistent ages and
    sexes, a birth date, a name and a NIK: the kecamatan of registration
    (mostly the household's, some another kecamatan, a few elsewhere in the
    province when ``kecamatan_prefixes`` lists them), DDMMYY with day + 40 for
    women, and a serial unique per prefix and date.

    Parameters
    ----------
    desa_codes
        Desa codes (``16.07.05.2001``) to place households in.
    n_households
        Number of households.
    seed
        Random seed (the output is the same for the same arguments).
    reference_date
        The release's reference date (ages and birth dates are relative to it).
    faults
        Plant realistic faults (malformed NIK, birth date or sex disagreeing
        with the NIK, a NIK in two households, households with two heads or
        none, unknown desa codes): about 1.4 per 1,000 households, counted in
        the metadata key :data:`FAULTS_KEY` of both tables.
    kecamatan_prefixes
        Six-digit NIK prefixes that exist (Kemendagri kecamatan codes); those in
        the desa's provinces but outside their kecamatan are used for persons
        registered elsewhere.

    Returns
    -------
    (households, members)
        Two ``pyarrow.Table`` in the registry input layout, marked synthetic.

    Examples
    --------
    >>> desa = ["16.07.01.2001", "16.07.01.1002", "16.07.02.2001"]
    >>> h, m = generate_registry(desa, n_households=2000, seed=1)
    >>> h.num_rows, m.num_rows > 6000, h.schema.metadata[b"sinergi.synthetic"]
    (2000, True, b'true')
    """
    households, members, counts = _registry_chunk(
        desa_codes,
        n_households,
        seed=seed,
        reference_date=reference_date,
        faults=faults,
        kecamatan_prefixes=kecamatan_prefixes,
        # Serials of lane 0 of 2 (odd): lane 1 is left for the households a later
        # release adds (:func:`evolve_registry`), so numbers never collide.
        chunk=0,
        n_chunks=2,
    )
    metadata = _registry_metadata(counts, seed, reference_date)
    return households.replace_schema_metadata(metadata), members.replace_schema_metadata(metadata)


def evolve_registry(
    households: pa.Table,
    members: pa.Table,
    desa_codes: Sequence[str],
    *,
    seed: int = 20250930,
    reference_date: date = date(2025, 9, 30),
    removed: float = 0.01,
    added: float = 0.015,
    moved: float = 0.005,
    changed: float = 0.03,
    kecamatan_prefixes: Collection[str] | None = None,
) -> tuple[pa.Table, pa.Table]:
    """The next quarter's release of a registry from :func:`generate_registry`.

    Shares of the households are removed (moved away, merged), moved to
    another desa, changed (welfare up or down: the release decile shifts by
    one or two and an asset is gained or lost) and new households are added
    (new KK, members, characteristics; serials that never collide with the
    base release's). Everything else is carried over unchanged, faults included.
    The counts are in the metadata key ``sinergi.changes``.

    Examples
    --------
    >>> desa = ["16.07.01.2001", "16.07.01.2002", "16.07.02.2001"]
    >>> h, m = generate_registry(desa, n_households=2000, seed=1)
    >>> h2, m2 = evolve_registry(h, m, desa, seed=2)
    >>> h2.num_rows - h.num_rows
    10
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng([seed, 77])
    n = households.num_rows
    order = rng.permutation(n)
    k_removed, k_moved, k_changed = (round(share * n) for share in (removed, moved, changed))
    gone = order[:k_removed]
    move = order[k_removed : k_removed + k_moved]
    change = order[k_removed + k_moved : k_removed + k_moved + k_changed]
    desa = np.array(households.column("desa_code").to_pylist(), dtype=object)
    choices = np.array(sorted(set(desa_codes)), dtype=object)
    for i in move:
        pick = choices[rng.integers(0, len(choices))]
        while pick == desa[i] and len(choices) > 1:
            pick = choices[rng.integers(0, len(choices))]
        desa[i] = pick
    decile = households.column("decile").to_numpy().astype(np.int64)
    step = rng.choice([-2, -1, 1, 2], len(change))
    decile[change] = np.clip(decile[change] + step, 1, 10)
    cols = {name: households.column(name) for name in households.column_names}
    cols["desa_code"] = pa.array(desa.astype(str))
    cols["decile"] = pa.array(decile.astype(np.int8))
    for asset in ("has_motorcycle", "has_refrigerator", "has_smartphone"):
        values = households.column(asset).to_numpy().copy()
        values[change] = np.where(step > 0, 1, 0) | (
            values[change] & (rng.random(len(change)) < 0.5)
        )
        cols[asset] = pa.array(values.astype(np.int8))
    keep = np.ones(n, dtype=bool)
    keep[gone] = False
    kept = pa.table(cols).filter(pa.array(keep))
    gone_ids = households.column("household_id").take(pa.array(gone))
    kept_members = members.filter(pc.invert(pc.is_in(members.column("household_id"), gone_ids)))
    k_added = round(added * n)
    last = max(int(h[3:]) for h in households.column("household_id").to_pylist()) if n else 0
    new_h, new_m, _counts = _registry_chunk(
        desa_codes,
        k_added,
        seed=seed,
        reference_date=reference_date,
        faults=False,
        kecamatan_prefixes=kecamatan_prefixes,
        first_household=last,
        chunk=1,
        n_chunks=2,
    )
    out_h = pa.concat_tables([kept.cast(new_h.schema), new_h])
    out_m = pa.concat_tables([kept_members.cast(new_m.schema), new_m])
    changes = {"removed": k_removed, "moved": k_moved, "changed": k_changed, "added": k_added}
    description = (
        "SYNTHETIC DTSEN-shaped registry slice of Kabupaten Banyuasin generated by Sinergi "
        "for the demo (the next quarter's release); no real household or person."
    )
    meta = _metadata(
        description,
        "sinergi.targeting.synthetic.evolve_registry",
        seed=str(seed),
        reference_date=reference_date.isoformat(),
        **{"sinergi.changes": json.dumps(changes, sort_keys=True)},
    )
    return out_h.replace_schema_metadata(meta), out_m.replace_schema_metadata(meta)


def iter_registry_chunks(
    desa_groups: Sequence[Sequence[str]],
    households_per_group: Sequence[int],
    *,
    seed: int = 20250630,
    reference_date: date = REFERENCE_DATE,
    faults: bool = True,
    kecamatan_prefixes: Collection[str] | None = None,
) -> Iterator[tuple[pa.Table, pa.Table, dict[str, int]]]:
    """A large registry in chunks (one per group of desa), for benchmarks.

    Household ids continue across chunks and NIK / KK serials are interleaved
    (chunk ``i`` of ``k`` uses serials ``i+1, i+1+k, ...``), so the
    concatenation is one consistent release. Give each chunk whole regencies
    so the release deciles are per regency.
    """
    first = 0
    k = len(desa_groups)
    for i, (group, n) in enumerate(zip(desa_groups, households_per_group, strict=True)):
        h, m, counts = _registry_chunk(
            group,
            n,
            seed=seed,
            reference_date=reference_date,
            faults=faults,
            kecamatan_prefixes=kecamatan_prefixes,
            first_household=first,
            chunk=i,
            n_chunks=k,
        )
        first += n
        meta = _registry_metadata(counts, seed, reference_date)
        yield h.replace_schema_metadata(meta), m.replace_schema_metadata(meta), counts


def faults_of(table: pa.Table) -> dict[str, int]:
    """The planted-fault counts a synthetic registry table carries (empty if none)."""
    meta = table.schema.metadata or {}
    raw = meta.get(FAULTS_KEY.encode())
    return json.loads(raw) if raw else {}


def write_registry(
    dest: str | PathLike[str], desa_codes: Sequence[str], **kwargs: Any
) -> tuple[Path, Path]:
    """Generate a registry and write ``households.parquet`` and ``members.parquet`` into ``dest``.

    Each file is written beside its final name and renamed into place, so a
    reader never sees half a file.

    Examples
    --------
    >>> import tempfile, pyarrow.parquet as pq
    >>> with tempfile.TemporaryDirectory() as d:
    ...     h, m = write_registry(d, ["16.07.01.2001"], n_households=500, seed=2)
    ...     pq.read_schema(m).metadata[b"sinergi.synthetic"]
    b'true'
    """
    households, members = generate_registry(desa_codes, **kwargs)
    paths = write_tables(Path(dest), {"households": households, "members": members})
    return paths[0], paths[1]
