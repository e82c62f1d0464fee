"""The `sinergi` command, run as a user would: a real subprocess on a fresh data directory."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SINERGI = [sys.executable, "-m", "sinergi.cli"]


def run(args, data_dir: Path, check=True, env_extra=None, **kw):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "SINERGI_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "sinergi.web.settings",
        **(env_extra or {}),
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
    assert "regions: 91599" in first.stderr and "seed figures: 30 new" in first.stderr
    return data_dir


# Cache tokens (indicators.freshness): a demo step that saves a row unchanged still
# replaces its scope's token, which costs one cache miss and changes no data.
CACHE_TABLES = frozenset({"indicators_generation"})


def database_snapshot(database: Path) -> dict[str, tuple[int, str]]:
    """Every table of the demo database: its row count and a hash of all its rows.

    Read with sqlite3 directly, so nothing is left out: Django's own tables,
    revisions, audit entries, sessions and sequences all count.
    """
    import hashlib
    import sqlite3

    with sqlite3.connect(database) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        snapshot = {}
        for table in tables:
            if table in CACHE_TABLES:
                continue
            rows = con.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            snapshot[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return snapshot


def test_demo_is_idempotent(demo_dir, region_package):
    database = demo_dir / "sinergi.sqlite3"
    before = database_snapshot(database)
    assert before["indicators_indicatorvalue"][0] > 100  # the demo did load
    again = run(["demo", "--regions-source", str(region_package)], demo_dir)
    after = database_snapshot(database)
    changed = {
        table: (before.get(table, (0, ""))[0], after.get(table, (0, ""))[0])
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    }
    assert changed == {}, f"a second demo run changed (rows before, after): {changed}"
    assert after["indicators_valuerevision"][0] == before["indicators_valuerevision"][0]
    assert "seed figures: 0 new, 0 updated, 30 unchanged" in again.stderr
    assert (demo_dir / "secret_key").exists()


def test_demo_output_reads_cleanly(demo_dir, region_package):
    again = run(["demo", "--regions-source", str(region_package)], demo_dir)
    assert "logins logins" not in again.stderr and "logins bappeda.demo" in again.stderr


def test_achievements_table_keeps_names_apart_at_80_columns(demo_dir):
    result = run(
        ["achievements", "--region", "16.07", "--year", "2023"],
        demo_dir,
        env_extra={"COLUMNS": "80"},
    )
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    text = " ".join(line.split("│")[0].strip() for line in lines)
    for name in ("Poverty rate (P0)", "Poverty gap index (P1)", "Poverty severity index (P2)"):
        assert name in " ".join(text.split()), name  # wrapped, never cut


def test_user_add_speaks_english(demo_dir):
    result = run(
        ["user", "add", "someone", "--role", "opd_operator", "--region", "16.07"],
        demo_dir,
        check=False,
    )
    assert result.returncode == 1
    assert "agency: An OPD operator needs the agency (OPD) it works for." in result.stderr


def test_the_shipped_sample_imports_cleanly_and_templates_are_written(demo_dir, tmp_path):
    from sinergi.web.demo.services import SEED_FIGURES

    checked = run(["import", str(SEED_FIGURES), "--dry-run"], demo_dir)
    assert "30 rows checked: 30 valid" in checked.stdout
    for name in ("template.xlsx", "template.csv"):
        run(["import", "--template", str(tmp_path / name)], demo_dir)
        assert (tmp_path / name).stat().st_size > 0
    empty = run(["import", str(tmp_path / "template.xlsx"), "--dry-run"], demo_dir)
    assert "0 rows checked" in empty.stdout
    fake = tmp_path / "figures.xlsx"
    fake.write_bytes(b"%PDF-1.4")
    refused = run(["import", str(fake)], demo_dir, check=False)
    assert refused.returncode == 1 and "not an Excel workbook (.xlsx)" in refused.stderr
    assert "zip" not in refused.stderr


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
    """The README's `sinergi estimate` on the demo's synthetic microdata, then `store-estimates`
    with a real-looking source: the values are still stored as synthetic."""
    import sqlite3

    survey = demo_dir / "microdata" / "banyuasin-susenas-2023-synthetic.parquet"
    assert survey.exists()
    out = tmp_path / "est.csv"
    estimated = run(
        [
            "estimate",
            str(survey),
            "--measure",
            "fgt0,fgt1,fgt2,gini",
            "--value",
            "pcexp",
            "--poverty-line",
            "poverty_line",
            "--extreme-poverty-line",
            "extreme_poverty_line",
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
    assert "marked SYNTHETIC" in estimated.stderr
    header = out.read_text().splitlines()[0]
    assert header == "kecamatan_code,measure,estimate,se,ci_low,ci_high,rse,n,flag,synthetic"
    stored = run(
        [
            "store-estimates",
            str(out),
            "--region-column",
            "kecamatan_code",
            "--period",
            "2022",
            "--source",
            "Susenas Maret 2023",
        ],
        demo_dir,
    )
    assert "84 new" in stored.stdout
    with sqlite3.connect(demo_dir / "sinergi.sqlite3") as con:
        labels = con.execute(
            "SELECT is_synthetic, source FROM indicators_indicatorvalue WHERE period = '2022' "
            "AND region_id LIKE '16.07.%'"
        ).fetchall()
    assert len(labels) == 84
    assert {bool(flag) for flag, _source in labels} == {True}
    assert all(source.startswith("SINTETIS/SYNTHETIC") for _flag, source in labels)
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
    # A file without the mark (another tool's output) is refused unless the user decides.
    plain = tmp_path / "plain.csv"
    plain.write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in out.read_text().splitlines()) + "\n"
    )
    refused = run(
        ["store-estimates", str(plain), "--region-column", "kecamatan_code", "--period", "2021",
         "--source", "Susenas Maret 2021"],
        demo_dir,
        check=False,
    )  # fmt: skip
    assert refused.returncode == 1 and "no column 'synthetic'" in refused.stderr
