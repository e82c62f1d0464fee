"""``sinergi link`` and ``sinergi dedupe`` end to end, bad input included; no NIK leaks."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from sinergi.cli import main

from ._metrics import pair_set, scores

FAST = ["--seed", "7"]


@pytest.fixture(scope="module")
def files(
    tmp_path_factory: pytest.TempPathFactory, link_data: tuple[pa.Table, pa.Table, pa.Table]
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("link-cli")
    left, right, _ = link_data
    paths = {"left": folder / "list.csv", "right": folder / "registry.parquet"}
    pacsv.write_csv(left, paths["left"])
    pq.write_table(right, paths["right"])
    return paths


def _run(args: list[str], caplog: pytest.LogCaptureFixture | None = None) -> object:
    runner = CliRunner()
    if caplog is not None:
        caplog.set_level(logging.DEBUG)
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def _niks(*tables: pa.Table) -> set[str]:
    return {n for t in tables for n in t.column("nik").to_pylist() if n}


def test_link_end_to_end(
    files: dict[str, Path],
    tmp_path: Path,
    link_data: tuple[pa.Table, pa.Table, pa.Table],
    caplog: pytest.LogCaptureFixture,
) -> None:
    out, review = tmp_path / "pairs.csv", tmp_path / "review.csv"
    result = _run(
        [
            "link",
            files["left"],
            files["right"],
            "--id",
            "id",
            "--out",
            out,
            "--review-out",
            review,
            "--threshold",
            "0.99",
            "--review-threshold",
            "0.2",
            *FAST,
        ],
        caplog,
    )
    assert result.exit_code == 0, result.output
    pairs = pacsv.read_csv(out, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    assert pairs.column_names == ["left_id", "right_id", "match_probability"]
    _p, _r, f1 = scores(pair_set(pairs), pair_set(link_data[2]))
    assert f1 > 0.98
    reviewed = pacsv.read_csv(review)
    assert reviewed.column_names[:3] == ["left_id", "right_id", "match_probability"]
    assert "pairs accepted" in result.output
    # No clear NIK anywhere: output files, what was printed, what was logged.
    text = out.read_text() + review.read_text() + result.output + caplog.text
    leaked = [n for n in _niks(link_data[0], link_data[1]) if n in text]
    assert leaked == []
    assert not list(tmp_path.glob(".*.tmp"))


def test_dedupe_end_to_end(
    tmp_path: Path, dedupe_data: tuple[pa.Table, pa.Table], caplog: pytest.LogCaptureFixture
) -> None:
    records, _truth = dedupe_data
    source = tmp_path / "records.parquet"
    pq.write_table(records, source)
    out, review = tmp_path / "clusters.csv", tmp_path / "review.csv"
    result = _run(
        ["dedupe", source, "--id", "id", "--out", out, "--review-out", review, *FAST], caplog
    )
    assert result.exit_code == 0, result.output
    clusters = pacsv.read_csv(out)
    assert clusters.column_names == ["id", "cluster_id"]
    ids = clusters.column("id").to_pylist()
    assert sorted(ids) == sorted(records.column("id").to_pylist())
    text = out.read_text() + review.read_text() + result.output + caplog.text
    assert [n for n in _niks(records) if n in text] == []


def test_missing_id_column_fails_and_writes_nothing(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    result = _run(["link", files["left"], files["right"], "--id", "nomor", "--out", out])
    assert result.exit_code != 0
    assert "column nomor: id column not found" in result.output
    assert "list.csv" in result.output
    assert not out.exists() and not list(tmp_path.iterdir())


def test_duplicate_ids_fail_naming_the_rows(tmp_path: Path) -> None:
    source = tmp_path / "dup.csv"
    source.write_text(
        "id,nik,full_name\n1,1607054107900001,Siti\n2,1607054107900002,Budi\n1,1607051204900003,Ani\n"
    )
    out = tmp_path / "clusters.csv"
    result = _run(["dedupe", source, "--id", "id", "--out", out])
    assert result.exit_code != 0
    assert "row 2, column id: duplicate id" in result.output
    assert "row 4, column id: duplicate id" in result.output
    assert "1607054107900001" not in result.output
    assert not out.exists()


def test_bad_thresholds_and_output_names(files: dict[str, Path], tmp_path: Path) -> None:
    base = ["link", files["left"], files["right"], "--id", "id"]
    result = _run(
        [*base, "--out", tmp_path / "p.csv", "--threshold", "0.5", "--review-threshold", "0.8"]
    )
    assert result.exit_code == 2 and "--review-threshold" in result.output
    result = _run([*base, "--out", tmp_path / "p.txt"])
    assert result.exit_code == 2 and ".csv or .parquet" in result.output
    assert not list(tmp_path.iterdir())


def test_unreadable_date_fails_with_row_and_column(tmp_path: Path) -> None:
    source = tmp_path / "list.csv"
    source.write_text("id,full_name,birth_date\n1,Siti,1990-07-01\n2,Budi,32-13-1990\n")
    result = _run(["dedupe", source, "--id", "id", "--out", tmp_path / "c.csv"])
    assert result.exit_code != 0
    assert "row 3, column birth_date: not a date" in result.output
