"""Demo step: estimate kecamatan indicators from a SYNTHETIC Banyuasin survey.

BPS publishes poverty, inequality, unemployment and stunting for the regency,
not for its kecamatan. The demo draws a synthetic Susenas-like survey
(:mod:`sinergi.stats.synthetic`, calibrated to the published 2023 regency
figures), estimates every kecamatan with design-based standard errors and
stores the estimates as kecamatan values labelled synthetic. The regency's
own values stay the published ones. Small domains get wide intervals and BPS
flags, which is the point of showing them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from sinergi.web.core.stored_text import SYNTHETIC_ESTIMATE
from sinergi.web.indicators.estimates import store_estimates

YEAR = 2023
SEED = 20230316
# Stored as the source of every synthetic estimate; the English text is in the
# en message catalogue (pages translate the stored source).
SOURCE = (
    "SINTETIS/SYNTHETIC: survei mirip Susenas yang dibangkitkan Sinergi untuk demo, "
    f"dikalibrasi ke angka Kabupaten Banyuasin {YEAR}; bukan data BPS"
)
MEASURE_MAP = {
    "fgt0": "poverty_rate",
    "fgt1": "poverty_gap",
    "fgt2": "poverty_severity",
    "gini": "gini_ratio",
    "extreme": "extreme_poverty_rate",
    "tpt": "open_unemployment_rate",
    "stunting": "stunting_prevalence",
}


def survey_path() -> Path:
    """Where the demo writes the synthetic microdata (for trying `sinergi estimate`)."""
    return Path(settings.DATA_DIR) / "microdata" / f"banyuasin-susenas-{YEAR}-synthetic.parquet"


def load(progress: Callable[[str], None] | None = None) -> str:
    """Generate the survey (once), estimate by kecamatan and store the estimates."""
    import pyarrow.parquet as pq

    from sinergi.stats import Design, Measure, estimate
    from sinergi.stats.synthetic import synthetic_mark, write_banyuasin_survey

    path = survey_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_banyuasin_survey(path, year=YEAR, seed=SEED)
    # Always estimate from the file, so the first run and every rerun read the
    # same input (and the mark the file carries).
    survey = pq.read_table(path)
    if synthetic_mark(survey) is None:
        raise RuntimeError(f"{path} is not marked synthetic; delete it to regenerate it")
    measures = [
        Measure("fgt0", "pcexp", poverty_line="poverty_line"),
        Measure("fgt1", "pcexp", poverty_line="poverty_line"),
        Measure("fgt2", "pcexp", poverty_line="poverty_line"),
        Measure("gini", "pcexp"),
        Measure("fgt0", "pcexp", poverty_line="extreme_poverty_line", name="extreme"),
        Measure("ratio", "unemployed", denominator="in_labour_force", name="tpt"),
        Measure("ratio", "stunted", denominator="under_five", name="stunting"),
    ]
    results = estimate(
        survey,
        measures,
        design=Design(weight="weight", strata="stratum", psu="psu"),
        by=["kecamatan_code"],
    )
    report = store_estimates(
        results.to_dicts(),
        region_column="kecamatan_code",
        period=str(YEAR),
        source=SOURCE,
        measure_map=MEASURE_MAP,
        synthetic=True,
        note=SYNTHETIC_ESTIMATE.compose(),
    )
    return (
        f"{len(results)} estimates for 21 kecamatan from {survey.num_rows:,} synthetic persons "
        f"({report.created} new, {report.updated} updated); microdata in {path}"
    )
