"""Bad input is rejected with every problem named: column, count of rows, reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from sinergi.stats import Design, InputError, Measure, estimate

from ._support import make_survey

DESIGN = Design(weight="w", strata="stratum", psu="psu")


@pytest.fixture
def survey() -> pa.Table:
    return make_survey(seed=3, n_strata=4)


def _set(table: pa.Table, column: str, values: list[object]) -> pa.Table:
    return table.set_column(table.schema.get_field_index(column), column, pa.array(values))


def _problems(exc: pytest.ExceptionInfo[InputError]) -> dict[str, tuple[int, str]]:
    return {p.column: (p.count, p.reason) for p in exc.value.problems}


def test_unknown_columns_are_listed_with_their_role(survey: pa.Table) -> None:
    with pytest.raises(InputError) as exc:
        estimate(
            survey,
            ["fgt0"],
            value="pcexp",
            poverty_line="z",
            design=Design(weight="wt", strata="stratum", psu="psu"),
            by="kab",
        )
    problems = _problems(exc)
    assert set(problems) == {"pcexp", "wt", "kab"}
    assert "used as weight" in problems["wt"][1]
    assert "available: stratum, psu" in str(exc.value)


def test_negative_and_missing_weights_are_counted(survey: pa.Table) -> None:
    w = survey.column("w").to_pylist()
    w[0], w[5], w[9] = -1.0, None, float("nan")
    w[10] = -3.0
    with pytest.raises(InputError) as exc:
        estimate(_set(survey, "w", w), ["fgt0"], value="y", poverty_line="z", design=DESIGN)
    text = str(exc.value)
    assert "w: 2 rows with negative weight" in text
    assert "w: 2 rows with missing weight (null or NaN)" in text


def test_all_problems_are_reported_at_once(survey: pa.Table) -> None:
    y = survey.column("y").to_pylist()
    y[3] = None
    z = survey.column("z").to_pylist()
    z[4] = 0.0
    data = _set(_set(survey, "y", y), "z", z)
    with pytest.raises(InputError) as exc:
        estimate(data, ["fgt0", "proportion"], value="y", poverty_line="z", design=DESIGN)
    found = {(p.column, p.count, p.reason) for p in exc.value.problems}
    assert ("z", 1, "poverty line not > 0") in found
    assert ("y", 1, "missing value (null or NaN)") in found
    # a proportion of y, which is not 0/1, is wrong too
    assert ("y", survey.num_rows - 1, "values other than 0 and 1") in found


def test_non_numeric_values_in_a_csv_are_counted(tmp_path: Path, survey: pa.Table) -> None:
    rows = survey.to_pylist()
    path = tmp_path / "s.csv"
    lines = ["stratum,psu,w,y,z"]
    for i, r in enumerate(rows):
        y = "n/a" if i in (2, 7, 11) else repr(r["y"])
        lines.append(f"{r['stratum']},{r['psu']},{r['w']!r},{y},{r['z']!r}")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"y: 3 rows with non-numeric values"):
        estimate(str(path), ["fgt0"], value="y", poverty_line="z", design=DESIGN)


def test_missing_strata_or_psu_is_an_error(survey: pa.Table) -> None:
    psu = survey.column("psu").to_pylist()
    psu[0] = None
    with pytest.raises(InputError, match=r"psu: 1 row with missing values"):
        estimate(_set(survey, "psu", psu), ["fgt0"], value="y", poverty_line="z", design=DESIGN)


def test_missing_values_can_be_excluded_keeping_the_design(survey: pa.Table) -> None:
    y = survey.column("y").to_numpy().copy()
    y[:5] = np.nan
    data = _set(survey, "y", list(y))
    res = estimate(data, ["mean"], value="y", design=DESIGN, missing="exclude")
    kept = survey.slice(5)
    ref = estimate(
        kept.append_column("one", pa.array(np.ones(kept.num_rows))),
        [Measure("mean", "y")],
        design=DESIGN,
    )
    assert res.get("mean").n == survey.num_rows - 5
    assert res.get("mean").estimate == pytest.approx(ref.get("mean").estimate, rel=1e-12)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        estimate(
            str(tmp_path / "nope.parquet"), ["fgt0"], value="y", poverty_line="z", design=DESIGN
        )


def test_bad_arguments_are_value_errors(survey: pa.Table) -> None:
    with pytest.raises(ValueError, match="unknown measure 'fgt3'"):
        estimate(survey, ["fgt3"], value="y", design=DESIGN)
    with pytest.raises(ValueError, match="needs a poverty_line"):
        estimate(survey, ["fgt0"], value="y", design=DESIGN)
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        estimate(survey, ["mean"], value="y", design=DESIGN, level=95)
    with pytest.raises(ValueError, match="unique"):
        estimate(survey, ["mean", "mean"], value="y", design=DESIGN)
