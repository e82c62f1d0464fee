"""Survey estimation for Sinergi: poverty (FGT), inequality (Gini), means and ratios.

Pure Python on an SQL engine (DuckDB by default, Spark for scale); never
imports Django. Every estimate carries its Taylor-linearised standard error
under a stratified clustered design, a confidence interval, the relative
standard error and BPS's publication flag.

Examples
--------
>>> from sinergi.stats import Design, estimate
>>> from sinergi.stats.synthetic import generate_banyuasin_survey
>>> survey = generate_banyuasin_survey(n_households=2000, seed=1)
>>> res = estimate(survey, ["fgt0"], value="pcexp", poverty_line="poverty_line",
...                design=Design(weight="weight", strata="stratum", psu="psu"))
>>> 0.03 < res.get("fgt0").estimate < 0.2
True
"""

from ._design import Design, LonelyPSU
from ._engines import DuckDBEngine, Engine, SparkEngine
from ._errors import DesignError, InputError, MissingExtraError, Problem, StatsError
from ._estimate import estimate
from ._measures import Measure, MeasureKind
from ._results import Estimate, Flag, Results, publication_flag

__all__ = [
    "Design",
    "DesignError",
    "DuckDBEngine",
    "Engine",
    "Estimate",
    "Flag",
    "InputError",
    "LonelyPSU",
    "Measure",
    "MeasureKind",
    "MissingExtraError",
    "Problem",
    "Results",
    "SparkEngine",
    "StatsError",
    "estimate",
    "publication_flag",
]
