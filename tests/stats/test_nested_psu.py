"""Grouping the PSU table by (stratum, PSU) when PSUs nest in domains changes nothing.

When every PSU lies in one domain the engine groups by (stratum, PSU) only and
carries the domain along; when a PSU spans domains (seen in the first records
or, failing that, in the PSU table) it groups by the domain too. Both paths,
and the fallback, must give the general path's results on both engines.
"""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.stats import Design, Measure, Results, _estimate, estimate

from ._support import ENGINES, make_survey

DESIGN = Design(weight="w", strata="stratum", psu="psu")
MEASURES = [
    "fgt0",
    "fgt1",
    "fgt2",
    "gini",
    "gini_convey",
    Measure("mean", "y", name="mean_y"),
]


def _run(by: list[str], engine: Any) -> Results:
    return estimate(
        make_survey(seed=7),
        MEASURES,
        value="y",
        poverty_line="z",
        design=DESIGN,
        by=by,
        engine=engine,
    )


def _same(a: Results, b: Results) -> None:
    assert len(a) == len(b) > 0
    for x, y in zip(a, b, strict=True):
        assert (x.domain, x.measure, x.n) == (y.domain, y.measure, y.n)
        assert x.estimate == pytest.approx(y.estimate, rel=1e-12, abs=1e-15)
        assert x.se == pytest.approx(y.se, rel=1e-9, abs=1e-15)


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    seen: list[bool] = []
    real = _estimate._maybe_nested

    def spy(*args: Any) -> bool:
        seen.append(real(*args))
        return seen[-1]

    monkeypatch.setattr(_estimate, "_maybe_nested", spy)
    return seen


@pytest.mark.parametrize("engine", ENGINES)
def test_nested_psus_give_the_general_results(
    engine: str, make_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng = make_engine(engine)
    seen = _spy(monkeypatch)
    nested = _run(["region", "area"], eng)  # blocks lie in one region and one area
    assert seen == [True]
    monkeypatch.setattr(_estimate, "_maybe_nested", lambda *_args: False)
    _same(nested, _run(["region", "area"], eng))


@pytest.mark.parametrize("engine", ENGINES)
def test_psus_spanning_domains_fall_back_to_the_general_grouping(
    engine: str, make_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng = make_engine(engine)
    general = _run(["x"], eng)  # a person-level 0/1: every PSU spans both domains
    seen = _spy(monkeypatch)
    monkeypatch.setattr(_estimate, "_NESTED_SAMPLE", 1)  # too few records to see it
    _same(_run(["x"], eng), general)
    assert seen == [True]  # tried, found out on the PSU table, rebuilt
    monkeypatch.setattr(_estimate, "_NESTED_SAMPLE", 100_000)
    seen.clear()
    _same(_run(["x"], eng), general)
    assert seen == [False]  # the first records already show it
