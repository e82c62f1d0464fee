"""`sinergi pmt fit`, `sinergi pmt score` and `sinergi deciles` on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from sinergi.cli import main
from sinergi.targeting import pmt
from sinergi.targeting.deciles import deciles

from ._pmt_data import make_survey


@pytest.fixture(scope="module")
def survey_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    hh, members = make_survey(n=500, seed=11)
    folder = tmp_path_factory.mktemp("survey")
    pq.write_table(hh, folder / "households.parquet")
    pq.write_table(members, folder / "members.parquet")
    return folder


def run(*args: str) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def only_file(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_fit_writes_the_model_and_prints_the_evaluation(survey_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    result = run(
        "pmt", "fit", survey_dir, "--weight", "weight", "--by", "regency_code", "--out", out
    )
    assert result.exit_code == 0, result.output
    model = pmt.PMTModel.from_json(out.read_text())
    assert set(model.coefficients) == {"16.07", "16.08"}
    direct = pmt.fit(survey_dir, weight="weight", by="regency_code")
    assert model.coefficients == direct.coefficients
    ev = model.evaluation
    assert "R²" in result.output and "exclusion error" in result.output
    assert f"{round(100 * ev['exclusion_error'], 1)}%" in result.output
    assert "16.08" in result.output  # one line per group
    assert only_file(tmp_path) == ["model.json"]


def test_fit_from_a_households_file_and_members(survey_dir: Path, tmp_path: Path) -> None:
    hh = pq.read_table(survey_dir / "households.parquet")
    pacsv.write_csv(hh, tmp_path / "hh.csv")
    out = tmp_path / "m.json"
    result = run(
        "pmt", "fit", tmp_path / "hh.csv", "--members", survey_dir / "members.parquet",
        "--weight", "weight", "--holdout", "0", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no holdout evaluation" in result.output
    assert pmt.PMTModel.from_json(out.read_text()).evaluation == {}


def test_fit_with_a_wrong_column_names_it_and_writes_nothing(
    survey_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "model.json"
    result = CliRunner().invoke(
        main, ["pmt", "fit", str(survey_dir), "--weight", "bobot", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "bobot: no such column in the households" in result.output
    assert not out.exists() and only_file(tmp_path) == []


def test_score_then_deciles_pipeline(survey_dir: Path, tmp_path: Path) -> None:
    model_file = tmp_path / "model.json"
    model = pmt.fit(survey_dir, weight="weight", by="regency_code")
    model_file.write_text(model.to_json())
    scored_file = tmp_path / "scored.parquet"
    result = run("pmt", "score", survey_dir, "--model", model_file, "--out", scored_file)
    assert result.exit_code == 0, result.output
    scored = pq.read_table(scored_file)
    assert scored.column_names == [
        "household_id", "score", "persons", "kecamatan_code", "regency_code",
        "province_code", "model_version",
    ]  # fmt: skip
    assert set(scored["model_version"].to_pylist()) == {model.version}
    direct = pmt.score(survey_dir, model)
    assert dict(zip(*direct.to_pydict().values(), strict=True)) == dict(
        zip(scored["household_id"].to_pylist(), scored["score"].to_pylist(), strict=True)
    )
    members = pq.read_table(survey_dir / "members.parquet")["household_id"].to_pylist()
    sizes = {h: members.count(h) for h in set(members)}
    assert all(
        sizes[h] == p
        for h, p in zip(
            scored["household_id"].to_pylist(), scored["persons"].to_pylist(), strict=True
        )
    )

    out = tmp_path / "deciles.csv"
    result = run(
        "deciles", scored_file, "--id", "household_id", "--score", "score",
        "--persons", "persons", "--by", "regency_code", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = pacsv.read_csv(out, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    assert written.column_names == ["household_id", "score", "regency_code", "decile"]
    assert written.num_rows == scored.num_rows
    expected = deciles(
        scored, id="household_id", score="score", persons="persons", by=["regency_code"]
    )
    assert dict(
        zip(written["household_id"].to_pylist(), written["decile"].to_pylist(), strict=True)
    ) == dict(
        zip(expected["household_id"].to_pylist(), expected["decile"].to_pylist(), strict=True)
    )
    # Sorted by area, then score: the poorest of each regency first.
    regencies = written["regency_code"].to_pylist()
    assert regencies == sorted(regencies)


def test_deciles_csv_in_parquet_out_with_two_area_columns(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "hh,s,n,prov,reg\nA,1,2,16,16.07\nB,2,2,16,16.07\nC,2,1,16,16.07\nD,5,3,16,16.08\n"
    )
    out = tmp_path / "out.parquet"
    result = run(
        "deciles",
        src,
        "--id",
        "hh",
        "--score",
        "s",
        "--persons",
        "n",
        "--by",
        "prov,reg",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column_names == ["hh", "s", "prov", "reg", "decile"]
    assert dict(zip(table["hh"].to_pylist(), table["decile"].to_pylist(), strict=True)) == {
        "A": 1,
        "B": 5,
        "C": 5,
        "D": 1,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--score", "welfare"], "welfare: no such column"),
        (["--by", "kabupaten"], "kabupaten: no such column"),
        (["--persons", "n_bad"], "n_bad: 1 row with zero or negative persons"),
    ],
)
def test_deciles_errors_name_the_column_and_write_no_file(
    tmp_path: Path, args: list[str], message: str
) -> None:
    src = tmp_path / "in.csv"
    src.write_text("hh,s,n,n_bad\nA,1,2,2\nB,2,2,0\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "deciles.csv"
    base = {"--id": "hh", "--score": "s", "--persons": "n"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    cli_args = ["deciles", str(src), *(x for kv in base.items() for x in kv), "--out", str(out)]
    result = CliRunner().invoke(main, cli_args)
    assert result.exit_code == 1
    assert message in result.output
    assert only_file(out_dir) == []  # no output, no temp file left behind


def test_deciles_refuses_an_unknown_output_type(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("hh,s,n\nA,1,2\n")
    result = CliRunner().invoke(
        main,
        [
            "deciles",
            str(src),
            "--id",
            "hh",
            "--score",
            "s",
            "--persons",
            "n",
            "--out",
            str(tmp_path / "o.xlsx"),
        ],
    )
    assert result.exit_code == 2 and ".csv or .parquet" in result.output


def test_score_with_a_file_that_is_not_a_model(survey_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "model.json"
    bad.write_text(json.dumps({"hello": 1}))
    out = tmp_path / "s.parquet"
    result = CliRunner().invoke(
        main, ["pmt", "score", str(survey_dir), "--model", str(bad), "--out", str(out)]
    )
    assert result.exit_code == 1 and "not a PMT model" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (["pmt", "fit"], ["--weight", "--by", "exclusion and inclusion", "Example"]),
        (["pmt", "score"], ["--model", "release directory", "Example"]),
        (["deciles"], ["--id", "--score", "--persons", "--by", "strictly lower", "Example"]),
    ],
)
def test_help_documents_each_command(command: list[str], words: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for word in words:
        assert word in text, word


def test_scores_from_pa_table_are_stable(survey_dir: Path) -> None:
    # score() on a directory and on the same tables gives the same scores.
    model = pmt.fit(survey_dir, weight="weight")
    hh = pq.read_table(survey_dir / "households.parquet")
    members = pq.read_table(survey_dir / "members.parquet")
    a = pmt.score(survey_dir, model).sort_by("household_id")
    b = pmt.score((hh, members), model).sort_by("household_id")
    assert a.equals(b)
    assert isinstance(a, pa.Table)
