"""Independent brute-force reference implementations and test data.

Written straight from the textbook formulas with numpy, sharing no code with
``sinergi.stats``: the Gini by the pairwise mean absolute difference
(``sum_ij w_i w_j |y_i - y_j| / (2 N Y)``, which the laeken estimator equals),
its influence function by differentiating that sum, and the variance by
looping over strata and PSUs.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

# Reference data copied into the repository (source and licence in its README).
TEST_DATA = Path(__file__).resolve().parents[1] / "data"
HAVE_PYSPARK = importlib.util.find_spec("pyspark") is not None

ENGINES = [
    "duckdb",
    pytest.param(
        "spark",
        marks=[
            pytest.mark.spark,
            pytest.mark.skipif(
                not HAVE_PYSPARK, reason="pyspark is not installed (sinergi[spark])"
            ),
        ],
    ),
]


def make_survey(
    seed: int = 1,
    n_strata: int = 12,
    psus_per_stratum: int = 4,
    persons_per_psu: int = 15,
    ties: bool = True,
) -> pa.Table:
    """A small stratified cluster sample with domains nested in and across strata."""
    rng = np.random.default_rng(seed)
    n_psu = n_strata * psus_per_stratum
    psu_stratum = np.repeat(np.arange(n_strata), psus_per_stratum)
    sizes = rng.integers(max(2, persons_per_psu // 2), persons_per_psu * 2, n_psu)
    psu = np.repeat(np.arange(n_psu), sizes)
    n = len(psu)
    stratum = psu_stratum[psu]
    effect = rng.normal(0, 0.4, n_psu)[psu]
    y = np.exp(13.2 + effect + rng.normal(0, 0.6, n))
    if ties:
        y = np.round(y, -4)  # many exact ties, as in rounded expenditure
    w = rng.uniform(20, 200, n_psu)[psu] * rng.uniform(0.8, 1.2, n)
    urban = (rng.random(n_psu) < 0.4)[psu]  # cuts across strata
    return pa.table(
        {
            "stratum": pa.array([f"S{s:02d}" for s in stratum]),
            "psu": pa.array((psu % psus_per_stratum) + 1),  # ids repeat across strata
            "region": pa.array(stratum // 4),  # nested: whole strata
            "area": pa.array(np.where(urban, "urban", "rural")),
            "w": pa.array(w),
            "y": pa.array(y),
            "z": pa.array(np.where(urban, 560000.0, 500000.0)),
            "x": pa.array((rng.random(n) < 0.7).astype(np.int64)),
            "u": pa.array((rng.random(n) < 0.1).astype(np.int64)),
        }
    )


@dataclass
class Arrays:
    w: np.ndarray
    stratum: np.ndarray
    psu: np.ndarray


def arrays(table: pa.Table, weight: str = "w") -> Arrays:
    cols = table.to_pydict()
    strat = np.array([str(s) for s in cols["stratum"]])
    psu = np.array([f"{s}|{p}" for s, p in zip(strat, cols["psu"], strict=True)])
    return Arrays(np.asarray(cols[weight], float), strat, psu)


def bf_gini(y: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray]:
    """Pairwise Gini and its derivative with respect to each record's weight."""
    diff = np.abs(y[:, None] - y[None, :])
    n_tot, y_tot = w.sum(), (w * y).sum()
    s = w @ diff @ w
    g = s / (2 * n_tot * y_tot)
    dg = (diff @ w) / (n_tot * y_tot) - g * (1 / n_tot + y / y_tot)
    return float(g), dg


def bf_variance(
    z: np.ndarray,
    a: Arrays,
    lonely: str = "error",
    fpc: dict[str, float] | None = None,
) -> float:
    """With-replacement variance of sum(w * z) over strata and PSUs, by loops."""
    totals = {p: 0.0 for p in np.unique(a.psu)}
    for p, v in zip(a.psu, a.w * z, strict=True):
        totals[p] += v
    strata = {}
    for p, s in zip(a.psu, a.stratum, strict=True):
        strata.setdefault(s, set()).add(p)
    grand = sum(totals.values()) / len(totals)
    var, ok = 0.0, 0
    for s, psus in strata.items():
        t = np.array([totals[p] for p in sorted(psus)])
        f = 0.0
        if fpc is not None:
            f = fpc[s] if fpc[s] <= 1 else len(t) / fpc[s]
        if len(t) > 1:
            var += (1 - f) * len(t) / (len(t) - 1) * ((t - t.mean()) ** 2).sum()
            ok += 1
        elif lonely == "adjust":
            var += (1 - f) * ((t - grand) ** 2).sum()
        elif lonely == "error":
            raise AssertionError("lonely PSU in brute force")
    if lonely == "average":
        var *= len(strata) / ok
    return var


def bf_measure(
    kind: str,
    table: pa.Table,
    domain: np.ndarray | None = None,
    **kw: object,
) -> tuple[float, float]:
    """Estimate and SE of one measure for one domain (boolean mask), by brute force."""
    a = arrays(table)
    cols = table.to_pydict()
    y = np.asarray(cols["y"], float)
    d = np.ones(len(y), bool) if domain is None else domain
    wd = a.w * d
    if kind.startswith("fgt"):
        alpha = int(kind[3])
        zl = np.asarray(cols["z"], float)
        g = np.where(y < zl, (1 - y / zl) ** alpha, 0.0)
        est = (wd * g).sum() / wd.sum()
        lin = d * (g - est) / wd.sum()
    elif kind == "gini":
        est, dg = bf_gini(y[d], a.w[d])
        lin = np.zeros(len(y))
        lin[d] = dg
    elif kind == "mean":
        est = (wd * y).sum() / wd.sum()
        lin = d * (y - est) / wd.sum()
    elif kind == "total":
        est = (wd * y).sum()
        lin = d * y
    elif kind == "ratio":
        num, den = np.asarray(cols["u"], float), np.asarray(cols["x"], float)
        est = (wd * num).sum() / (wd * den).sum()
        lin = d * (num - est * den) / (wd * den).sum()
    else:
        raise ValueError(kind)
    return float(est), float(np.sqrt(bf_variance(lin, a, **kw)))  # type: ignore[arg-type]
