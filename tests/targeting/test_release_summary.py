"""The member summary stored at import: scoring reads households only, with the same scores.

A release written by ``write_release`` carries, per household, the member
summary the PMT needs (``persons, children, elderly, head_*``). Scoring such a
release must give exactly the scores and deciles its members give (the path
every older release still takes), on DuckDB and on Spark.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sinergi.targeting import pmt, schema, synthetic
from sinergi.targeting.pseudonym import Pseudonymiser
from sinergi.targeting.releases import write_release
from tests.stats._support import ENGINES

P = Pseudonymiser(b"h" * 32, b"e" * 32)
KECAMATAN = [f"16.07.{k:02d}" for k in range(1, 6)]
DESA = [f"{k}.{2000 + d}" for k in KECAMATAN for d in range(1, 9)]
SUMMARY = ("persons", *schema.STORED_HOUSEHOLD_SUMMARY)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("summary")
    h, m = synthetic.write_registry(
        base / "input", DESA, n_households=4000, seed=11, kecamatan_prefixes=KECAMATAN
    )
    dest = base / "release"
    manifest = write_release(
        h,
        m,
        dest,
        name="summary test",
        reference_date=synthetic.REFERENCE_DATE,
        pseudonymiser=P,
        desa_codes=DESA,
        kecamatan_prefixes=KECAMATAN,
        valid_only=True,
        synthetic=True,
    )
    assert manifest.skipped_households > 0  # the planted faults were dropped
    return dest


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> pmt.PMTModel:
    survey = synthetic.write_pmt_survey(tmp_path_factory.mktemp("survey"), n_households=3000)
    return pmt.fit(survey, weight="weight")


def test_the_summary_is_what_the_members_say(release: Path) -> None:
    """Recomputed in plain Python from the stored members, sharing no code with the writer."""
    households = pq.read_table(release / "households.parquet").to_pylist()
    members = pq.read_table(release / "members.parquet").to_pylist()
    of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in members:
        of[m["household_id"]].append(m)
    assert set(of) == {h["household_id"] for h in households}
    for h in households:
        group = of[h["household_id"]]
        heads = [m for m in group if m["relationship"] == "head"]
        assert len(heads) == 1
        head = heads[0]
        expected = {
            "persons": len(group),
            "children": sum(m["age"] < pmt.CHILD_AGE for m in group),
            "elderly": sum(m["age"] >= pmt.ELDERLY_AGE for m in group),
            "head_sex": head["sex"],
            "head_age": head["age"],
            "head_education": head["education"],
            "head_work_sector": head["work_sector"],
        }
        assert {c: h[c] for c in SUMMARY} == expected, h["household_id"]
    kinds = Counter(h["head_sex"] for h in households)
    assert kinds["F"] > 0 and kinds["M"] > 0


def _without_summary(release: Path, dest: Path) -> Path:
    """The same release in the layout written before the summary was stored."""
    dest.mkdir()
    table = pq.read_table(release / "households.parquet")
    pq.write_table(
        table.drop_columns(list(schema.STORED_HOUSEHOLD_SUMMARY)), dest / "households.parquet"
    )
    shutil.copy(release / "members.parquet", dest / "members.parquet")
    shutil.copy(release / "manifest.json", dest / "manifest.json")
    return dest


@pytest.mark.parametrize("engine", ENGINES)
def test_scores_and_deciles_equal_the_member_path(
    engine: str, make_engine: Any, release: Path, model: pmt.PMTModel, tmp_path: Path
) -> None:
    eng = make_engine(engine)
    fast = pmt.score_and_rank(release, model, by=(), out=tmp_path / "fast.parquet", engine=eng)
    old = _without_summary(release, tmp_path / "old")
    slow = pmt.score_and_rank(old, model, by=(), engine=eng)
    fast, slow = fast.sort_by("household_id"), slow.sort_by("household_id")
    assert fast["household_id"].equals(slow["household_id"])
    a, b = fast["score"].to_numpy(), slow["score"].to_numpy()
    assert not np.isnan(a).any()
    assert np.max(np.abs(a - b)) <= 1e-12
    assert fast["model_decile"].equals(slow["model_decile"])
    # By regency too (the deciles' default), through score() with the member count kept.
    kept = pmt.score(release, model, keep=["persons", "regency_code"], engine=eng)
    members = pmt.score(old, model, keep=["persons", "regency_code"], engine=eng)
    assert kept.sort_by("household_id").equals(members.sort_by("household_id"))


def test_a_release_with_the_summary_is_scored_without_its_members(
    release: Path, model: pmt.PMTModel, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(release, copy)
    expected = pmt.score_and_rank(copy, model, by=())
    (copy / "members.parquet").chmod(0o644)
    (copy / "members.parquet").write_bytes(b"not parquet")  # would fail if it were read
    again = pmt.score_and_rank(copy, model, by=())
    assert again.sort_by("household_id").equals(expected.sort_by("household_id"))


def test_an_old_release_falls_back_to_its_members(
    release: Path, model: pmt.PMTModel, tmp_path: Path
) -> None:
    old = _without_summary(release, tmp_path / "old")
    (old / "members.parquet").chmod(0o644)
    (old / "members.parquet").write_bytes(b"not parquet")
    with pytest.raises(Exception):  # noqa: B017 - any read error: the members are needed
        pmt.score_and_rank(old, model, by=())


def test_a_survey_directory_is_still_summarised_from_its_members(tmp_path: Path) -> None:
    """Without a manifest (a survey, not a stored release) the members are always read,
    even when the households carry summary-like columns."""
    folder = synthetic.write_pmt_survey(tmp_path / "survey", n_households=900)
    expected = pmt.fit(folder, weight="weight").coefficients
    hh = pq.read_table(folder / "households.parquet")
    for name in SUMMARY:
        if name in hh.column_names:
            hh = hh.drop_columns([name])
        hh = hh.append_column(name, pa.array([0.0] * hh.num_rows))  # wrong on purpose
    (folder / "households.parquet").unlink()
    pq.write_table(hh, folder / "households.parquet")
    assert pmt.fit(folder, weight="weight").coefficients == expected


def test_manifest_and_files_are_unchanged_by_the_summary(release: Path) -> None:
    data = json.loads((release / "manifest.json").read_text())
    assert sorted(data["sha256"]) == ["households.parquet", "members.parquet"]
    names = pq.read_schema(release / "households.parquet").names
    assert all(c in names for c in schema.STORED_HOUSEHOLD_EXTRA)
    assert "kk" not in names
    assert date.fromisoformat(data["reference_date"]) == synthetic.REFERENCE_DATE
