"""``sinergi estimate``: the CSV contract, errors with no output file, progress."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from sinergi.stats import Design, Measure
from sinergi.stats import estimate as estimate_api
from sinergi.stats.cli import estimate
from sinergi.stats.synthetic import write_banyuasin_survey

BASE = ["--weight", "weight", "--strata", "stratum", "--psu", "psu"]


@pytest.fixture(scope="module")
def survey_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "banyuasin.parquet"
    write_banyuasin_survey(path, n_households=1200, seed=9)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_writes_one_row_per_domain_and_measure(survey_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "poverty.csv"
    result = CliRunner().invoke(
        estimate,
        [
            str(survey_file),
            "--measure",
            "fgt0,fgt1",
            "--measure",
            "gini",
            "--value",
            "pcexp",
            "--poverty-line",
            "poverty_line",
            "--extreme-poverty-line",
            "extreme_poverty_line",
            *BASE,
            "--by",
            "area",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = _read(out)
    with out.open() as f:
        header = f.readline().strip().split(",")
    assert header == [
        "area",
        "measure",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "rse",
        "n",
        "flag",
        "synthetic",
    ]
    assert {r["synthetic"] for r in rows} == {"true"}  # the generator marked the Parquet file
    assert "marked SYNTHETIC" in result.stderr
    assert [(r["area"], r["measure"]) for r in rows] == [
        (a, m) for a in ("rural", "urban") for m in ("fgt0", "fgt1", "gini", "fgt0_extreme")
    ]
    api = estimate_api(
        str(survey_file),
        [
            "fgt0",
            "fgt1",
            "gini",
            Measure("fgt0", "pcexp", poverty_line="extreme_poverty_line", name="fgt0_extreme"),
        ],
        value="pcexp",
        poverty_line="poverty_line",
        design=Design(weight="weight", strata="stratum", psu="psu"),
        by="area",
    )
    for row, ref in zip(rows, api, strict=True):
        # Full precision is written; parallel sums may differ in the last bit between runs.
        assert float(row["estimate"]) == pytest.approx(ref.estimate, rel=1e-12)
        assert float(row["se"]) == pytest.approx(ref.se, rel=1e-12)
        assert int(row["n"]) == ref.n
        assert row["flag"] == ref.flag.value
    assert "estimating variances" in result.stderr
    assert "wrote 8 rows" in result.stderr


def test_unmarked_input_gives_synthetic_false(survey_file: Path, tmp_path: Path) -> None:
    """A Parquet file without the mark (and any CSV) is not called synthetic."""
    table = pq.read_table(survey_file)
    assert table.schema.metadata[b"sinergi.synthetic"] == b"true"
    plain = tmp_path / "plain.parquet"
    pq.write_table(table.replace_schema_metadata(None), plain)
    as_csv = tmp_path / "plain.csv"
    table.select(["pcexp", "poverty_line", "weight", "stratum", "psu"]).to_pandas().to_csv(
        as_csv, index=False
    )
    for source in (plain, as_csv):
        out = tmp_path / f"{source.suffix[1:]}-out.csv"
        result = CliRunner().invoke(
            estimate,
            [str(source), "--measure", "fgt0", "--value", "pcexp", "--poverty-line",
             "poverty_line", *BASE, "--out", str(out)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert [r["synthetic"] for r in _read(out)] == ["false"]
        assert "SYNTHETIC" not in result.stderr


def test_a_marked_directory_marks_the_output(survey_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    folder.mkdir()
    pq.write_table(pq.read_table(survey_file), folder / "part-0.parquet")
    out = tmp_path / "dir.csv"
    result = CliRunner().invoke(
        estimate,
        [str(folder), "--measure", "fgt0", "--value", "pcexp", "--poverty-line", "poverty_line",
         *BASE, "--out", str(out), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [r["synthetic"] for r in _read(out)] == ["true"]


def test_ratio_level_and_lonely_options(survey_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "tpt.csv"
    result = CliRunner().invoke(
        estimate,
        [
            str(survey_file),
            "--measure",
            "ratio",
            "--value",
            "unemployed",
            "--denominator",
            "in_labour_force",
            *BASE,
            "--level",
            "0.9",
            "--lonely-psu",
            "certainty",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    (row,) = _read(out)
    est, se, lo = float(row["estimate"]), float(row["se"]), float(row["ci_low"])
    assert 0.01 < est < 0.07
    assert lo == pytest.approx(est - 1.6448536269514722 * se, rel=1e-12)
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--value", "pcexpp"], "pcexpp: unknown column"),
        (["--value", "pcexp", "--by", "kabupaten"], "kabupaten: unknown column"),
    ],
)
def test_errors_exit_non_zero_and_write_nothing(
    survey_file: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        estimate,
        [
            str(survey_file),
            "--measure",
            "fgt0",
            "--poverty-line",
            "poverty_line",
            *args,
            *BASE,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temp file left behind either


def test_bad_values_name_the_column_and_count(survey_file: Path, tmp_path: Path) -> None:
    table = pq.read_table(survey_file)
    w = table.column("weight").to_pylist()
    for i in (1, 2, 3):
        w[i] = -w[i]
    bad = tmp_path / "bad.parquet"
    idx = table.schema.get_field_index("weight")
    pq.write_table(table.set_column(idx, "weight", __import__("pyarrow").array(w)), bad)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        estimate,
        [
            str(bad),
            "--measure",
            "fgt0",
            "--value",
            "pcexp",
            "--poverty-line",
            "poverty_line",
            *BASE,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 1
    assert "weight: 3 rows with negative weight" in result.output
    assert not out.exists()


def test_runs_as_a_real_process(survey_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "p0.csv"
    code = "from sinergi.stats.cli import estimate; estimate()"
    args = [
        str(survey_file),
        "--measure",
        "fgt0",
        "--value",
        "pcexp",
        "--poverty-line",
        "poverty_line",
        *BASE,
        "--by",
        "kecamatan_code",
        "--out",
        str(out),
    ]
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = _read(out)
    assert len(rows) == 21
    assert rows[0]["kecamatan_code"] == "16.07.01"
    failed = subprocess.run(
        [sys.executable, "-c", code, *args[:-1], str(tmp_path / "x.csv"), "--weight", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert failed.returncode == 1
    assert "nope: unknown column" in failed.stderr
    assert not (tmp_path / "x.csv").exists()
