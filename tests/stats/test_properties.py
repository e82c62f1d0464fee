"""Property tests (hypothesis): invariances every correct implementation has."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.stats import Design, estimate

DESIGN = Design(weight="w", strata="h", psu="p")
MEASURES = ["fgt0", "fgt1", "fgt2", "gini"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def surveys(draw: st.DrawFn) -> dict[str, np.ndarray]:
    n_strata = draw(st.integers(1, 4))
    psus = draw(st.lists(st.integers(2, 4), min_size=n_strata, max_size=n_strata))
    h, p = [], []
    for s, k in enumerate(psus):
        for q in range(k):
            size = draw(st.integers(1, 6))
            h += [s] * size
            p += [q] * size
    n = len(h)
    # Few distinct values, so ties are frequent.
    y = draw(
        st.lists(
            st.sampled_from([50.0, 120.0, 200.0, 200.0, 350.0, 800.0, 1500.0]),
            min_size=n,
            max_size=n,
        )
    )
    w = draw(st.lists(st.floats(0.5, 40.0), min_size=n, max_size=n))
    return {
        "h": np.array(h),
        "p": np.array(p),
        "y": np.array(y),
        "w": np.array(w),
        "z": np.full(n, 300.0),
    }


def _run(data: dict[str, np.ndarray], design: Design = DESIGN) -> dict[str, tuple[float, float]]:
    res = estimate(pa.table(data), MEASURES, value="y", poverty_line="z", design=design)
    return {r.measure: (r.estimate, r.se) for r in res}


def _close(a: dict[str, tuple[float, float]], b: dict[str, tuple[float, float]]) -> None:
    for m in MEASURES:
        assert a[m][0] == pytest.approx(b[m][0], rel=1e-9, abs=1e-12)
        assert a[m][1] == pytest.approx(b[m][1], rel=1e-7, abs=1e-12)


@SETTINGS
@given(data=surveys(), seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(data: dict[str, np.ndarray], seed: int) -> None:
    perm = np.random.default_rng(seed).permutation(len(data["y"]))
    _close(_run(data), _run({k: v[perm] for k, v in data.items()}))


@SETTINGS
@given(data=surveys(), seed=st.integers(0, 2**32 - 1))
def test_tie_order_does_not_matter(data: dict[str, np.ndarray], seed: int) -> None:
    # Reverse the rows inside each group of tied values only: the sort is then
    # identical except for the tie order the engine sees.
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(len(data["y"])), data["y"]))
    reverse_ties = np.lexsort((-np.arange(len(order)), data["y"][order]))
    a = {k: v[order] for k, v in data.items()}
    b = {k: v[order][reverse_ties] for k, v in data.items()}
    _close(_run(a), _run(b))


@SETTINGS
@given(data=surveys(), scale=st.floats(0.01, 1000.0))
def test_scaling_income_and_line_together_changes_nothing(
    data: dict[str, np.ndarray], scale: float
) -> None:
    scaled = dict(data, y=data["y"] * scale, z=data["z"] * scale)
    _close(_run(data), _run(scaled))


@SETTINGS
@given(data=surveys())
def test_unit_weights_give_the_unweighted_formulas(data: dict[str, np.ndarray]) -> None:
    y, z = data["y"], data["z"]
    n = len(y)
    got = _run(dict(data, w=np.ones(n)))
    assert got["fgt0"][0] == pytest.approx(np.mean(y < z), abs=1e-12)
    assert got["fgt1"][0] == pytest.approx(np.mean(np.where(y < z, 1 - y / z, 0)), abs=1e-12)
    assert got["fgt2"][0] == pytest.approx(np.mean(np.where(y < z, (1 - y / z) ** 2, 0)), abs=1e-12)
    # Gini's mean absolute difference: sum_ij |y_i - y_j| / (2 n^2 mean)
    gini = np.abs(y[:, None] - y[None, :]).sum() / (2 * n * n * y.mean())
    assert got["gini"][0] == pytest.approx(gini, rel=1e-9, abs=1e-12)
