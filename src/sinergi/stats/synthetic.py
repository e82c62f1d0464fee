"""SYNTHETIC Susenas-like survey of Kabupaten Banyuasin (16.07), for tests and demos.

Nothing in here is real BPS microdata. The generator draws a household survey
with the *shape* of Susenas (strata = kecamatan x urban/rural, PSUs = census
blocks of 10 households, household weights, per-capita monthly expenditure
shared by all members, urban and rural poverty lines) and calibrates it, with a
fixed seed, so that the regency-level estimates equal published headline
figures. Every table it returns says so in its schema metadata
(``sinergi.synthetic=true`` with a ``sinergi.description``; Parquet keeps it
as file key-value metadata), and :func:`synthetic_mark` reads it back, so the
mark travels: ``sinergi estimate`` writes it into its output and
``sinergi store-estimates`` labels the stored values synthetic.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

REGENCY_CODE = "16.07"
PROVINCE_CODE = "16"
KECAMATAN_CODES: tuple[str, ...] = tuple(f"16.07.{i:02d}" for i in range(1, 22))
"""The 21 kecamatan codes of Banyuasin (codes only: names come from the region package)."""

_HOUSEHOLDS_PER_BLOCK = 10  # Susenas interviews 10 households per census block
_POPULATION_HOUSEHOLDS = 215_000  # order of magnitude of Banyuasin's ~850k residents
_URBAN_SHARE = 0.27

SYNTHETIC_KEY = "sinergi.synthetic"
"""Schema (Parquet key-value) metadata key marking a data set synthetic (value ``true``)."""
DESCRIPTION_KEY = "sinergi.description"
"""Metadata key of the sentence saying what the synthetic data is."""
_LEGACY_KEY = "synthetic"  # written by earlier versions (demo data dirs); still honoured


@dataclass(frozen=True)
class Targets:
    """Regency-level figures the synthetic survey is calibrated to.

    Shares are fractions; lines are Rupiah per capita per month. The urban and
    rural lines are set around ``poverty_line`` (urban higher), and the
    extreme line keeps the same urban/rural ratio.
    """

    poverty: float
    extreme_poverty: float
    unemployment: float
    gini: float
    stunting: float
    poverty_line: float
    extreme_poverty_line: float
    urban_line_premium: float = 0.07


TARGETS: dict[int, Targets] = {
    # BPS Banyuasin 2023: poverty 9.58 %, TPT 3.35 %, Gini 0.265; extreme poverty
    # 0.56 %; stunting (SSGI 2022) about 11 %. Lines: about Rp 480,000 and the
    # $2.15 PPP extreme line, about Rp 340,000.
    2023: Targets(
        poverty=0.0958,
        extreme_poverty=0.0056,
        unemployment=0.0335,
        gini=0.265,
        stunting=0.11,
        poverty_line=480_000.0,
        extreme_poverty_line=340_000.0,
    ),
}


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    idx = int(np.searchsorted(cum, q * cum[-1]))
    return float(values[order][min(idx, len(values) - 1)])


def _gini(y: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    c = np.cumsum(ws)
    n, total = c[-1], float(np.dot(ws, ys))
    return float(np.dot(ws * ys, 2 * c - ws) / (n * total) - 1)


def generate_banyuasin_survey(
    year: int = 2023,
    n_households: int = 20_000,
    seed: int = 20230316,
    targets: Targets | None = None,
) -> pa.Table:
    """Draw a SYNTHETIC Susenas-like person-level survey of Kabupaten Banyuasin.

    Deterministic for a given ``(year, n_households, seed, targets)``. Strata
    are kecamatan x urban/rural (42), PSUs are census blocks of 10 households
    (at least two per stratum), weights are household weights with a block
    non-response adjustment. Calibration is on the drawn sample itself, so the
    weighted regency estimates reproduce the targets: poverty and extreme
    poverty headcounts and the unemployment and stunting rates to within one
    record's weight, and the Gini to about 1e-4. Kecamatan and urban/rural
    domains differ through block-level effects.

    Parameters
    ----------
    year
        Survey year; selects the calibration targets in :data:`TARGETS`
        unless ``targets`` is given.
    n_households
        Approximate number of sampled households (rounded to whole blocks);
        about four persons each.
    seed
        Random seed.
    targets
        Calibration targets; defaults to ``TARGETS[year]``.

    Returns
    -------
    pyarrow.Table
        One row per person with columns ``year, province_code, regency_code,
        kecamatan_code, urban (0/1), area ('urban'/'rural'), stratum, psu,
        household_id, person_no, household_size, sex, age, weight, pcexp,
        poverty_line, extreme_poverty_line, in_labour_force, unemployed,
        under_five, haz, stunted``. ``in_labour_force`` and ``unemployed`` are
        0 below age 15; ``under_five``/``stunted`` are 0 for persons 5 and
        older and ``haz`` (height-for-age z-score) is null for them, so the
        stunting rate is the ratio ``stunted / under_five`` and the open
        unemployment rate the ratio ``unemployed / in_labour_force``.

    Examples
    --------
    >>> t = generate_banyuasin_survey(n_households=900, seed=7)
    >>> t.schema.metadata[b"sinergi.synthetic"]
    b'true'
    >>> sorted(set(t.column("kecamatan_code").to_pylist()))[:2]
    ['16.07.01', '16.07.02']
    """
    import pyarrow as pa

    if targets is None:
        if year not in TARGETS:
            known = ", ".join(str(y) for y in sorted(TARGETS))
            raise ValueError(f"no calibration targets for {year} (known: {known}); pass targets=")
        targets = TARGETS[year]
    if n_households < 2 * _HOUSEHOLDS_PER_BLOCK * 2 * len(KECAMATAN_CODES):
        raise ValueError("n_households must allow two blocks per stratum (at least 840)")
    rng = np.random.default_rng(seed)

    # --- frame: kecamatan sizes, urban shares, strata and blocks ---------------
    n_kec = len(KECAMATAN_CODES)
    kec_share = rng.dirichlet(np.full(n_kec, 6.0))
    urban_share = np.clip(rng.beta(1.2, 4.0, n_kec), 0.05, 0.8)
    strata_kec = np.repeat(np.arange(n_kec), 2)
    strata_urban = np.tile(np.array([1, 0]), n_kec)
    share = kec_share[strata_kec] * np.where(
        strata_urban == 1, urban_share[strata_kec], 1 - urban_share[strata_kec]
    )
    share = share / share.sum()
    total_blocks = max(n_households // _HOUSEHOLDS_PER_BLOCK, 4 * n_kec)
    blocks_per_stratum = np.maximum(2, np.round(share * total_blocks).astype(int))
    block_stratum = np.repeat(np.arange(2 * n_kec), blocks_per_stratum)
    n_blocks = len(block_stratum)
    sampled_hh = blocks_per_stratum * _HOUSEHOLDS_PER_BLOCK
    base_weight = share * _POPULATION_HOUSEHOLDS / sampled_hh
    block_weight = base_weight[block_stratum] * rng.lognormal(0.0, 0.15, n_blocks)

    # Latent welfare score: kecamatan, block and household parts.
    kec_effect = rng.normal(0.0, 1.0, n_kec)
    # Urban blocks are better off relative to their (higher) line, as in Susenas.
    block_effect = (
        0.35 * kec_effect[strata_kec[block_stratum]]
        + math.sqrt(0.65) * rng.normal(0.0, 1.0, n_blocks)
        + 0.5 * strata_urban[block_stratum]
    )
    hh_block = np.repeat(np.arange(n_blocks), _HOUSEHOLDS_PER_BLOCK)
    n_hh = len(hh_block)
    hh_score = math.sqrt(0.25) * block_effect[hh_block] + math.sqrt(0.75) * rng.normal(
        0.0, 1.0, n_hh
    )
    hh_size = np.minimum(1 + rng.poisson(2.9, n_hh), 12)

    # --- persons --------------------------------------------------------------
    person_hh = np.repeat(np.arange(n_hh), hh_size)
    n_persons = len(person_hh)
    first = np.zeros(n_persons, dtype=bool)
    starts = np.concatenate(([0], np.cumsum(hh_size)[:-1]))
    first[starts] = True
    person_no = np.arange(n_persons) - np.repeat(starts, hh_size) + 1
    kind = rng.random(n_persons)
    age = np.where(
        first,
        rng.integers(22, 76, n_persons),
        np.where(
            kind < 0.55,
            rng.integers(0, 18, n_persons),
            np.where(kind < 0.94, rng.integers(18, 61, n_persons), rng.integers(61, 86, n_persons)),
        ),
    )
    sex = np.where(first, np.where(rng.random(n_persons) < 0.88, "M", "F"), "")
    sex = np.where(first, sex, np.where(rng.random(n_persons) < 0.5, "M", "F"))
    stratum_of = block_stratum[hh_block[person_hh]]
    urban = strata_urban[stratum_of]
    weight = block_weight[hh_block[person_hh]]
    score = hh_score[person_hh]

    # --- expenditure: a split log-normal around the line, calibrated -------------
    # Urban and rural lines straddle the regency line at a typical urban share.
    premium = targets.urban_line_premium
    line = targets.poverty_line * np.where(
        urban == 1, 1 + premium * (1 - _URBAN_SHARE), 1 - premium * _URBAN_SHARE
    )
    ratio_ext = targets.extreme_poverty_line / targets.poverty_line
    ext_line = line * ratio_ext
    hh_weight = block_weight[hh_block] * hh_size  # persons represented by a household
    q_pov = _weighted_quantile(hh_score, hh_weight, targets.poverty)
    q_ext = _weighted_quantile(hh_score, hh_weight, targets.extreme_poverty)
    # log(y / line) = m + s_low * score below the median: the poverty and extreme
    # quantiles of the score land exactly on the two lines.
    s_low = math.log(ratio_ext) / (q_ext - q_pov)
    m = -q_pov * s_low
    hh_line = line[starts]

    def expenditure(s_high: float) -> np.ndarray:
        slope = np.where(hh_score < 0, s_low, s_high)
        # Nudge by half a rupiah so no household sits exactly on a line.
        return np.round(hh_line * np.exp(m + slope * hh_score)) + 0.5

    lo, hi = s_low, 2.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if _gini(expenditure(mid), hh_weight) < targets.gini:
            lo = mid
        else:
            hi = mid
    pcexp = expenditure((lo + hi) / 2)[person_hh]

    # --- labour force and unemployment (persons 15+) -----------------------------
    adult = age >= 15
    lf_prob = np.where(sex == "M", 0.84, 0.52) * np.where(age < 20, 0.4, 1.0)
    lf_prob = lf_prob * np.where(age >= 65, 0.5, 1.0)
    in_lf = adult & (rng.random(n_persons) < lf_prob)
    unemp_score = rng.normal(0.0, 1.0, n_persons) + 0.8 * (age < 25) + 0.3 * urban - 0.2 * score
    unemployed = np.zeros(n_persons, dtype=bool)
    lf_idx = np.flatnonzero(in_lf)
    cut = _weighted_quantile(-unemp_score[lf_idx], weight[lf_idx], targets.unemployment)
    unemployed[lf_idx] = -unemp_score[lf_idx] < cut

    # --- stunting (children under five) -------------------------------------------
    under_five = age < 5
    child_idx = np.flatnonzero(under_five)
    latent = 0.3 * score[child_idx] + 1.05 * rng.normal(0.0, 1.0, len(child_idx))
    shift = -2.0 - _weighted_quantile(latent, weight[child_idx], targets.stunting)
    haz = np.full(n_persons, np.nan)
    haz[child_idx] = np.round(latent + shift, 2) + 0.001  # never exactly -2
    stunted = under_five & (haz < -2.0)

    kec_code = np.array(KECAMATAN_CODES)[strata_kec[stratum_of]]
    area = np.where(urban == 1, "urban", "rural")
    stratum = np.char.add(np.char.add(kec_code, "-"), np.where(urban == 1, "U", "R"))
    block_no = np.arange(n_blocks) - np.repeat(
        np.concatenate(([0], np.cumsum(blocks_per_stratum)[:-1])), blocks_per_stratum
    )
    psu = np.char.add(
        np.char.add(stratum, "-B"), np.char.zfill(block_no[hh_block[person_hh]].astype(str), 3)
    )
    household_id = np.char.add("BYS", np.char.zfill((person_hh + 1).astype(str), 6))
    description = (
        "SYNTHETIC Susenas-like survey of Kabupaten Banyuasin (16.07); not BPS data. "
        "Calibrated to published regency headline figures."
    )
    metadata = {
        SYNTHETIC_KEY: "true",
        DESCRIPTION_KEY: description,
        _LEGACY_KEY: "true",  # the keys of earlier versions, for readers of those
        "description": description,
        "generator": "sinergi.stats.synthetic.generate_banyuasin_survey",
        "year": str(year),
        "seed": str(seed),
        "targets": repr(asdict(targets)),
    }
    columns: dict[str, Any] = {
        "year": pa.array(np.full(n_persons, year, dtype=np.int16)),
        "province_code": pa.array(np.full(n_persons, PROVINCE_CODE)),
        "regency_code": pa.array(np.full(n_persons, REGENCY_CODE)),
        "kecamatan_code": pa.array(kec_code),
        "urban": pa.array(urban.astype(np.int8)),
        "area": pa.array(area),
        "stratum": pa.array(stratum),
        "psu": pa.array(psu),
        "household_id": pa.array(household_id),
        "person_no": pa.array(person_no.astype(np.int16)),
        "household_size": pa.array(hh_size[person_hh].astype(np.int16)),
        "sex": pa.array(sex),
        "age": pa.array(age.astype(np.int16)),
        "weight": pa.array(weight),
        "pcexp": pa.array(pcexp),
        "poverty_line": pa.array(line),
        "extreme_poverty_line": pa.array(ext_line),
        "in_labour_force": pa.array(in_lf.astype(np.int8)),
        "unemployed": pa.array(unemployed.astype(np.int8)),
        "under_five": pa.array(under_five.astype(np.int8)),
        "haz": pa.array(haz, from_pandas=True),
        "stunted": pa.array(stunted.astype(np.int8)),
    }
    return pa.table(columns).replace_schema_metadata(metadata)


def write_banyuasin_survey(path: str | PathLike[str], **kwargs: Any) -> pa.Table:
    """Generate the synthetic survey and write it to a Parquet file.

    Parameters
    ----------
    path
        Destination ``.parquet`` file.
    **kwargs
        Passed to :func:`generate_banyuasin_survey`.

    Returns
    -------
    pyarrow.Table
        The table written (its metadata marks it synthetic).

    Examples
    --------
    >>> import tempfile, pathlib, pyarrow.parquet as pq
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d) / "banyuasin.parquet"
    ...     _ = write_banyuasin_survey(p, n_households=900, seed=3)
    ...     synthetic_mark(p)[:9]
    'SYNTHETIC'
    """
    import pyarrow.parquet as pq

    table = generate_banyuasin_survey(**kwargs)
    pq.write_table(table, path)
    return table


def _mark_of(metadata: dict[bytes, bytes] | None) -> str | None:
    if not metadata:
        return None
    meta = {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in metadata.items()}
    for key in (SYNTHETIC_KEY, _LEGACY_KEY):
        if meta.get(key, "").strip().lower() == "true":
            return meta.get(DESCRIPTION_KEY) or meta.get("description") or "synthetic data"
    return None


def synthetic_mark(source: object) -> str | None:
    """The synthetic mark of a data set: its description if marked synthetic, else ``None``.

    Reads the schema metadata of a ``pyarrow.Table``, of a Parquet file, or of
    every Parquet file under a directory (one marked file marks the whole
    set). Other sources (CSV files, data frames, table names) carry no
    metadata and give ``None``: nothing says they are synthetic.

    Parameters
    ----------
    source
        A ``pyarrow.Table``, or a path to a Parquet file or a directory of them.

    Returns
    -------
    str or None
        The ``sinergi.description`` sentence (or ``"synthetic data"``) when the
        data is marked ``sinergi.synthetic=true``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> synthetic_mark(generate_banyuasin_survey(n_households=900, seed=7))[:9]
    'SYNTHETIC'
    >>> synthetic_mark(pa.table({"x": [1]})) is None
    True
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if isinstance(source, pa.Table):
        return _mark_of(source.schema.metadata)
    if not isinstance(source, str | PathLike):
        return None
    path = Path(source)
    if path.is_dir():
        files = sorted(path.rglob("*.parquet"))
    elif path.suffix.lower() in (".parquet", ".parq", ".pq"):
        files = [path]
    else:
        return None
    for file in files:
        try:
            mark = _mark_of(pq.read_schema(file).metadata)
        except (OSError, pa.ArrowException):
            continue  # not readable as Parquet: the estimator reports that itself
        if mark:
            return mark
    return None
