"""The `sinergi` command, run as a user would: a real subprocess on a fresh data directory."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SINERGI = [sys.executable, "-m", "sinergi.cli"]


def run(args, data_dir: Path, check=True, **kw):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "SINERGI_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "sinergi.web.settings",
    }
    env.pop("DEBUG", None)
    env.pop("DATABASE_URL", None)  # the embedded default: SQLite in the data directory
    result = subprocess.run(
        [*SINERGI, *args], env=env, capture_output=True, text=True, timeout=300, **kw
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.mark.parametrize(
    "command",
    [[], ["demo"], ["serve"], ["manage"], ["regions", "load"], ["import"], ["achievements"]],
)
def test_help(command, tmp_path):
    result = run([*command, "--help"] if command != ["manage"] else ["manage", "help"], tmp_path)
    assert "Usage" in result.stdout or "Type 'sinergi manage help <subcommand>'" in result.stdout


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory, region_package):  # type: ignore[no-untyped-def]
    data_dir = tmp_path_factory.mktemp("demo")
    first = run(["demo", "--regions-source", str(region_package)], data_dir)
    assert "regions: 91599" in first.stderr and "seed figures: 29 new" in first.stderr
    return data_dir


def test_demo_is_idempotent(demo_dir, region_package):
    again = run(["demo", "--regions-source", str(region_package)], demo_dir)
    assert "seed figures: 0 new, 0 updated, 29 unchanged" in again.stderr
    assert "(0 new, 0 updated)" in again.stderr
    assert (demo_dir / "sinergi.sqlite3").exists() and (demo_dir / "secret_key").exists()


def test_achievements_as_json(demo_dir):
    rows = {
        r["indicator"]: r
        for r in json.loads(
            run(
                ["achievements", "--region", "16.07", "--year", "2023", "--format", "json"],
                demo_dir,
            ).stdout
        )
    }
    assert rows["poverty_rate"]["value"] == 9.58
    assert rows["bureaucracy_reform_index"]["grade"] == "BB"
    assert rows["stunting_prevalence"]["status"] == "not_achieved"


def test_import_reports_bad_rows_and_writes_nothing(demo_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "kind,indicator,region_code,period,value,unit,note,source\n"
        "value,poverty_rate,16.07.01,2021,12.5,percent,,BPS\n"
        "value,poverty_rate,16.07.02,2021,twelve,percent,,BPS\n"
    )
    result = run(["import", str(bad)], demo_dir, check=False)
    assert result.returncode == 1
    assert "row 3, column value: 'twelve' is not a number" in result.stderr
    check = run(
        ["achievements", "--region", "16.07.01", "--year", "2021", "--format", "json"], demo_dir
    )
    assert {r["indicator"]: r for r in json.loads(check.stdout)}["poverty_rate"]["value"] is None
    good = run(["import", str(bad), "--valid-only"], demo_dir)
    assert "1 new" in good.stdout and "skipped row 3" in good.stderr


def test_estimate_then_store_as_a_user_would(demo_dir, tmp_path):
    """`sinergi estimate` on the demo's synthetic microdata, then `store-estimates`."""
    survey = demo_dir / "microdata" / "banyuasin-susenas-2023-synthetic.parquet"
    assert survey.exists()
    out = tmp_path / "est.csv"
    run(
        [
            "estimate",
            str(survey),
            "--measure",
            "fgt0,fgt1",
            "--value",
            "pcexp",
            "--poverty-line",
            "poverty_line",
            "--weight",
            "weight",
            "--strata",
            "stratum",
            "--psu",
            "psu",
            "--by",
            "kecamatan_code",
            "--out",
            str(out),
        ],
        demo_dir,
    )
    header = out.read_text().splitlines()[0]
    assert header == "kecamatan_code,measure,estimate,se,ci_low,ci_high,rse,n,flag"
    stored = run(
        [
            "store-estimates",
            str(out),
            "--region-column",
            "kecamatan_code",
            "--period",
            "2022",
            "--source",
            "test run",
            "--synthetic",
        ],
        demo_dir,
    )
    assert "42 new" in stored.stdout
    rows = {
        r["indicator"]: r
        for r in json.loads(
            run(
                ["achievements", "--region", "16.07.05", "--year", "2022", "--format", "json"],
                demo_dir,
            ).stdout
        )
    }
    assert rows["poverty_rate"]["se"] > 0 and rows["poverty_rate"]["value_period"] == "2022"
