"""The synthetic mark travels: Parquet metadata -> `sinergi estimate` CSV -> stored values."""

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sinergi.stats import Design, estimate
from sinergi.stats.cli import write_csv
from sinergi.stats.synthetic import synthetic_mark, write_banyuasin_survey
from sinergi.web.indicators.estimates import (
    EstimateStoreError,
    read_estimates_csv,
    store_estimates,
)
from sinergi.web.indicators.models import IndicatorValue

pytestmark = pytest.mark.django_db

ARGS = {"region_column": "kecamatan_code", "period": "2023", "source": "Susenas Maret 2023"}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("mark")
    survey = folder / "survey.parquet"
    write_banyuasin_survey(survey, n_households=1500, seed=11)
    results = estimate(
        str(survey),
        ["fgt0"],
        value="pcexp",
        poverty_line="poverty_line",
        design=Design(weight="weight", strata="stratum", psu="psu"),
        by="kecamatan_code",
    )
    marked, plain = folder / "marked.csv", folder / "plain.csv"
    write_csv(results, marked, synthetic=synthetic_mark(survey) is not None)
    # Another tool's output: the same columns, without `synthetic`.
    lines = marked.read_text().splitlines()
    plain.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    return {"survey": survey, "marked": marked, "plain": plain}


def test_marked_rows_are_stored_synthetic_whatever_the_source_says(files):
    assert pq.read_schema(files["survey"]).metadata[b"sinergi.synthetic"] == b"true"
    report = store_estimates(read_estimates_csv(files["marked"]), **ARGS)
    assert report.created == 21
    stored = IndicatorValue.objects.filter(indicator__code="poverty_rate", period="2023")
    assert stored.count() == 21 and not stored.filter(is_synthetic=False).exists()
    assert all(v.source.startswith("SINTETIS/SYNTHETIC") for v in stored)
    assert all("bukan data BPS" in v.source for v in stored)


def test_an_unmarked_file_needs_a_decision(files):
    with pytest.raises(EstimateStoreError, match="no column 'synthetic'"):
        store_estimates(read_estimates_csv(files["plain"]), **ARGS)
    assert not IndicatorValue.objects.filter(period="2023").exists()
    report = store_estimates(read_estimates_csv(files["plain"]), real=True, **ARGS)
    assert report.created == 21
    value = IndicatorValue.objects.get(indicator__code="poverty_rate", region="16.07.05")
    assert not value.is_synthetic and value.source == "Susenas Maret 2023"


def test_real_cannot_relabel_a_synthetic_file(files):
    with pytest.raises(
        EstimateStoreError, match=r"row 2, column synthetic: .*cannot be stored as real"
    ):
        store_estimates(read_estimates_csv(files["marked"]), real=True, **ARGS)
    assert not IndicatorValue.objects.filter(period="2023").exists()


def test_a_bad_mark_names_its_row(files, tmp_path):
    bad = tmp_path / "bad.csv"
    lines = files["marked"].read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",maybe"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        EstimateStoreError, match="row 4, column synthetic: 'maybe' is not true or false"
    ):
        store_estimates(read_estimates_csv(bad), synthetic=True, **ARGS)
