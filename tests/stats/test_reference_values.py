"""Published reference values: laeken / convey on eusilc, Stata on nhanes2.

Each value is checked to the digits it was published with, on every engine.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from sinergi.stats import Design, Measure, Results, estimate

from ._support import ENGINES

EUSILC_DESIGN = Design(weight="rb050", strata="db040", psu="rb030")
_cache: dict[str, Results] = {}


@pytest.fixture(params=ENGINES)
def eusilc_results(request: pytest.FixtureRequest, eusilc: pa.Table, make_engine: Any) -> Results:
    """All eusilc estimates in one call per engine (Spark calls cost seconds)."""
    name = request.param
    if name not in _cache:
        _cache[name] = estimate(
            eusilc,
            ["fgt0", "fgt1", "fgt2", "gini", "gini_convey"],
            value="eqIncome",
            poverty_line="z",
            design=EUSILC_DESIGN,
            engine=make_engine(name),
        )
    return _cache[name]


def test_gini_matches_laeken(eusilc_results: Results) -> None:
    # laeken: gini("eqIncome", weights = "rb050", data = eusilc) -> 26.48962
    assert eusilc_results.get("gini").estimate * 100 == pytest.approx(26.48962, abs=5e-6)


def test_gini_convey_convention_matches_svygini(eusilc_results: Results) -> None:
    # convey book, svygini chapter: 0.2649652
    assert eusilc_results.get("gini_convey").estimate == pytest.approx(0.2649652, abs=5e-8)


def test_gini_standard_error_matches_convey(eusilc_results: Results) -> None:
    # Linearised SE under svydesign(ids=~rb030, strata=~db040, weights=~rb050): 0.001947
    for measure in ("gini", "gini_convey"):
        assert eusilc_results.get(measure).se == pytest.approx(0.001947, abs=5e-7)


@pytest.mark.parametrize(
    ("measure", "value", "se"),
    [("fgt0", 0.114440, 0.002677), ("fgt1", 0.032085, 0.001050), ("fgt2", 0.016189, 0.000735)],
)
def test_fgt_matches_convey(eusilc_results: Results, measure: str, value: float, se: float) -> None:
    got = eusilc_results.get(measure)
    assert got.estimate == pytest.approx(value, abs=5e-7)
    assert got.se == pytest.approx(se, abs=5e-7)
    assert got.n == 14827


def _nhanes2_csv() -> Path:
    spec = importlib.util.find_spec("samplics")
    if spec is None or spec.origin is None:
        pytest.skip("samplics (dev extra) is not installed: it ships nhanes2")
    path = Path(spec.origin).parent / "datasets" / "data" / "nhanes2.csv"
    if not path.exists():
        pytest.skip(f"nhanes2.csv not found in the samplics wheel at {path}")
    return path


@pytest.mark.parametrize("engine_name", ENGINES)
def test_mean_matches_stata_on_nhanes2(engine_name: str, make_engine: Any) -> None:
    # Stata: svy: mean zinc -> 87.18207 (SE 0.4944827); 1,148 records have no zinc.
    res = estimate(
        str(_nhanes2_csv()),
        [Measure("mean", "zinc")],
        design=Design(weight="finalwgt", strata="stratid", psu="psuid"),
        missing="exclude",
        engine=make_engine(engine_name),
    )
    got = res.get("mean")
    assert got.estimate == pytest.approx(87.18207, abs=5e-6)
    assert got.se == pytest.approx(0.4944827, abs=5e-8)
    assert got.n == 10337 - 1148
