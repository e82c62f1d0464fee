"""Proxy means test (PMT): fit a welfare model on a survey, score a registry release.

The model is a weighted least-squares regression of log per-capita
expenditure on household characteristics, with the survey's design weights,
fitted separately per group of areas (``by``, e.g. per regency) as P3KE does.
Its score is the predicted log per-capita expenditure: lower = poorer.

Three pieces, each in one place:

* :data:`VARIABLES` and :func:`household_features` turn characteristics
  into model variables (the coding): one list of SQL expressions, used by
  :func:`fit` (fetched into numpy) and by :func:`score` (the same expressions
  times their coefficients, as one SQL query on DuckDB or Spark; no Python loop
  over households).
* :func:`fit` estimates the coefficients on a seeded training split and
  evaluates them on the holdout (:func:`evaluate`: weighted R², and the
  exclusion and inclusion errors at the 40 % cut-off against the surveyed
  expenditure, with the decile rule of :mod:`sinergi.targeting.deciles`).
* :class:`PMTModel` is the artefact: versioned, human-readable JSON with the
  coefficients by name, the coding, the groups, the evaluation and where it
  was fitted (and the synthetic mark of the survey, if any).

Input layout
------------
A survey or release is either a directory with ``households.parquet`` and
``members.parquet`` (the stored release layout), a pair ``(households,
members)`` of paths or tables, or one household-level table that already
carries the member summary columns (:data:`SUMMARY_COLUMNS`). Households need
the registry characteristics (``sinergi.targeting.schema``) and a
``kecamatan_code`` (or a ``desa_code`` it is cut from); members need
``household_id, sex, age, relationship, education, work_sector``. A survey
also needs its per-capita expenditure column and its weight column.

Examples
--------
>>> from sinergi.targeting.pmt import VARIABLES
>>> [v.name for v in VARIABLES][:3]
['log_floor_area_per_person', 'floor_material=cement', 'floor_material=wood']
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sinergi.stats._engines import DuckDBEngine, Engine, EngineName, get_engine, temp_name
from sinergi.stats._errors import InputError, Problem

from . import schema
from .deciles import decile_sql

__all__ = [
    "CUTOFF",
    "FORMAT",
    "SUMMARY_COLUMNS",
    "VARIABLES",
    "PMTModel",
    "Variable",
    "evaluate",
    "fit",
    "household_features",
    "score",
    "score_and_rank",
    "score_sql",
]

FORMAT = "sinergi.pmt/1"
"""The artefact's format tag; :meth:`PMTModel.from_json` refuses others."""

CUTOFF = 0.4
"""The evaluation's targeting cut-off: the poorest 40 % of persons (deciles 1-4)."""

ALL = "all"
"""The group key of a model fitted without ``by``."""

#: Categorical characteristics: (input column, codes, reference category). The
#: reference is the best-off category, so every dummy reads "worse than ...".
CATEGORICAL: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("floor_material", schema.FLOOR_MATERIALS),
    ("wall_material", schema.WALL_MATERIALS),
    ("roof_material", schema.ROOF_MATERIALS),
    ("drinking_water", schema.DRINKING_WATER),
    ("sanitation", schema.SANITATION),
    ("electricity", schema.ELECTRICITY),
    ("cooking_fuel", schema.COOKING_FUEL),
    ("head_education", schema.EDUCATION),
    ("head_work_sector", schema.WORK_SECTORS),
)
NUMERIC_COLUMNS = ("floor_area_m2", *schema.ASSETS, "livestock_units", "land_ha")
HOUSEHOLD_COLUMNS = ("household_id", *NUMERIC_COLUMNS, *(c for c, _ in CATEGORICAL[:7]))
MEMBER_COLUMNS = ("household_id", "sex", "age", "relationship", "education", "work_sector")
SUMMARY_COLUMNS = (
    "persons",
    "children",
    "elderly",
    "head_sex",
    "head_age",
    "head_education",
    "head_work_sector",
)
"""Member summary columns a household-level input may carry instead of members."""

CHILD_AGE = 15
ELDERLY_AGE = 65


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _num(value: float) -> str:
    # Scientific notation is a DOUBLE literal on DuckDB and Spark alike (a plain
    # 0.123 would be a DECIMAL on Spark) and round-trips every bit of a float.
    return f"{value:.17e}"


@dataclass(frozen=True)
class Variable:
    """One model variable: its name, its SQL over the household profile, its meaning.

    ``source`` names the input column(s) it is made from, for error messages;
    ``level`` is set for a category dummy (of categorical ``source``).
    """

    name: str
    sql: str
    source: str
    meaning: str
    level: str | None = None


def _dummy(column: str, codes: Sequence[str], level: str) -> Variable:
    known = ", ".join(_lit(c) for c in codes)
    return Variable(
        name=f"{column}={level}",
        # An unknown code is NULL, never silently the reference category.
        sql=f"CASE WHEN {_q(column)} NOT IN ({known}) THEN NULL "
        f"WHEN {_q(column)} = {_lit(level)} THEN 1.0 ELSE 0.0 END",
        source=column,
        meaning=f"1 if {column} is {level!r} (reference: {codes[0]!r}), else 0",
        level=level,
    )


def _variables() -> tuple[Variable, ...]:
    size = "persons"
    out: list[Variable] = [
        Variable(
            "log_floor_area_per_person",
            f"CASE WHEN floor_area_m2 > 0 THEN LN(floor_area_m2 / {size}) END",
            "floor_area_m2",
            "ln(floor area in m2 / household size)",
        )
    ]
    for column, codes in CATEGORICAL[:7]:
        out += [_dummy(column, codes, level) for level in codes[1:]]
    out += [
        Variable(
            a,
            f"CASE WHEN {a} IN (0, 1) THEN {a} END",
            a,
            f"1 if the household owns it ({a}), else 0",
        )
        for a in schema.ASSETS
    ]
    out += [
        Variable(
            f"log1p_{c}",
            f"CASE WHEN {c} >= 0 THEN LN(1 + {c}) END",
            c,
            f"ln(1 + {c})",
        )
        for c in ("livestock_units", "land_ha")
    ]
    out += [
        Variable("log_household_size", f"LN({size})", "members", "ln(number of members)"),
        Variable(
            "share_children",
            f"children / {size}",
            "members.age",
            f"share of members aged under {CHILD_AGE}",
        ),
        Variable(
            "share_elderly",
            f"elderly / {size}",
            "members.age",
            f"share of members aged {ELDERLY_AGE} or more",
        ),
        Variable(
            "head_female",
            "CASE WHEN head_sex IN ('F', 'P') THEN 1.0 WHEN head_sex IN ('M', 'L') THEN 0.0 END",
            "members.sex (head)",
            "1 if the head of household is a woman, else 0",
        ),
        Variable(
            "head_age",
            "CASE WHEN head_age >= 0 THEN head_age END",
            "members.age (head)",
            "age of the head in years",
        ),
        Variable(
            "head_age_squared_100",
            "CASE WHEN head_age >= 0 THEN head_age * head_age / 100.0 END",
            "members.age (head)",
            "(age of the head)^2 / 100",
        ),
    ]
    for column, codes in CATEGORICAL[7:]:
        out += [_dummy(column, codes, level) for level in codes[1:]]
    return tuple(out)


VARIABLES: tuple[Variable, ...] = _variables()
"""The fixed variables (region effects are added per model: one dummy per kecamatan)."""

REGION_COLUMN = "kecamatan_code"


def _region_variable(code: str) -> Variable:
    return Variable(
        f"kecamatan={code}",
        f"CASE WHEN {REGION_COLUMN} = {_lit(code)} THEN 1.0 ELSE 0.0 END",
        REGION_COLUMN,
        f"1 if the household lives in kecamatan {code}, else 0",
        level=code,
    )


# --------------------------------------------------------------------------- input


@dataclass
class _Views:
    engine: Engine
    households: str
    members: str | None
    names: list[str] = field(default_factory=list)
    #: A stored release whose households carry the member summary (written since
    #: the summary moved into the import): scoring reads the households only.
    stored_summary: bool = False

    def drop(self) -> None:
        for name in self.names:
            self.engine.drop(name)


def _open(source: Any, engine: Engine) -> _Views:
    """Register a release/survey source as a households view and a members view.

    A stored release (``manifest.json``) whose households carry
    :data:`SUMMARY_COLUMNS` is read without its members: the import computed
    the summary once (``releases.write_release``). Older releases and surveys
    are summarised from their members here.
    """
    stored = False
    if isinstance(source, tuple):
        households, members = source
    elif isinstance(source, (str, Path)) and Path(source).is_dir():
        base = Path(source)
        households, members = base / "households.parquet", base / "members.parquet"
        if not households.exists():
            raise InputError(
                [Problem(str(households), 0, "file not found")], header="cannot read the input"
            )
        if not members.exists():
            members = None
        elif _has_summary(base):
            members, stored = None, True
    else:
        households, members = source, None
    views = _Views(engine, temp_name("pmt_hh"), None, stored_summary=stored)
    engine.register(households, views.households)
    views.names.append(views.households)
    if members is not None:
        views.members = temp_name("pmt_mem")
        engine.register(members, views.members)
        views.names.append(views.members)
    return views


def _has_summary(release: Path) -> bool:
    import pyarrow.parquet as pq

    if not (release / "manifest.json").exists():
        return False
    names = set(pq.read_schema(release / "households.parquet").names)
    return all(c in names for c in SUMMARY_COLUMNS)


def _missing(engine: Engine, view: str, wanted: Sequence[str], where: str) -> list[Problem]:
    have = engine.column_types(view)
    return [Problem(c, 0, f"no such column in the {where}") for c in wanted if c not in have]


def _profile_sql(
    views: _Views,
    *,
    by: str | None,
    extra: Sequence[str] = (),
    household_part: str | None = None,
) -> str:
    """One row per household: characteristics (as numbers) and the member summary.

    ``household_part`` is an SQL expression over the household columns alone,
    computed before the members are joined (so the join carries one number
    instead of the characteristics' text) as column :data:`_PART`.
    """
    eng = views.engine
    hh_cols = eng.column_types(views.households)
    need = list(HOUSEHOLD_COLUMNS)
    if REGION_COLUMN not in hh_cols:
        need.append("desa_code")
    problems = _missing(eng, views.households, [*need, *extra], "households")
    if by and by not in hh_cols and not (by in _CUT and "desa_code" in hh_cols):
        problems.append(Problem(by, 0, "no such column in the households"))
    if views.members is not None:
        problems += _missing(eng, views.members, MEMBER_COLUMNS, "members")
    else:
        problems += [
            Problem(c, 0, "no such column in the households (and no members file)")
            for c in SUMMARY_COLUMNS
            if c not in hh_cols
        ]
    if problems:
        raise InputError(problems, header="cannot read the households")

    def region(col: str) -> str:
        if col in hh_cols:
            return f"CAST(h.{_q(col)} AS VARCHAR) AS {_q(col)}"
        return f"SUBSTRING(CAST(h.desa_code AS VARCHAR), 1, {_CUT[col]}) AS {_q(col)}"

    select = ["CAST(h.household_id AS VARCHAR) AS household_id"]
    # Every area code the input has or its desa code gives, for --by and for deciles.
    areas = [c for c in _CUT if c in hh_cols or "desa_code" in hh_cols]
    select += [region(c) for c in areas]
    if by and by not in areas:
        select.append(region(by))
    # CSV columns arrive as text: a value that is not a number becomes NULL here and
    # is reported as bad by the checks of fit() or score().
    select += [f"TRY_CAST(h.{_q(c)} AS DOUBLE) AS {_q(c)}" for c in NUMERIC_COLUMNS]
    select += [f"CAST(h.{_q(c)} AS VARCHAR) AS {_q(c)}" for c, _ in CATEGORICAL[:7]]
    select += [f"TRY_CAST(h.{_q(c)} AS DOUBLE) AS {_q(c)}" for c in extra]
    if views.members is None:
        select += [
            "TRY_CAST(h.persons AS DOUBLE) AS persons",
            "TRY_CAST(h.children AS DOUBLE) AS children",
            "TRY_CAST(h.elderly AS DOUBLE) AS elderly",
            "CAST(h.head_sex AS VARCHAR) AS head_sex",
            "TRY_CAST(h.head_age AS DOUBLE) AS head_age",
            "CAST(h.head_education AS VARCHAR) AS head_education",
            "CAST(h.head_work_sector AS VARCHAR) AS head_work_sector",
        ]
        flat = f"SELECT {', '.join(select)} FROM {views.households} h"
        if household_part is None:
            return flat
        return f"SELECT p.*, {household_part} AS {_PART} FROM ({flat}) p"
    age = "TRY_CAST(age AS DOUBLE)"
    head = "relationship = 'head'"
    # One pass over the members: a single GROUP BY whose aggregates filter their
    # rows (FILTER clauses) instead of aggregating a CASE expression of every row.
    summary = (
        "SELECT CAST(household_id AS VARCHAR) AS household_id, "
        "CAST(COUNT(*) AS DOUBLE) AS persons, "
        f"CAST(COUNT(*) FILTER (WHERE {age} < {CHILD_AGE}) AS DOUBLE) AS children, "
        f"CAST(COUNT(*) FILTER (WHERE {age} >= {ELDERLY_AGE}) AS DOUBLE) AS elderly, "
        f"MAX(CAST(sex AS VARCHAR)) FILTER (WHERE {head}) AS head_sex, "
        f"MAX({age}) FILTER (WHERE {head}) AS head_age, "
        f"MAX(CAST(education AS VARCHAR)) FILTER (WHERE {head}) AS head_education, "
        f"MAX(CAST(work_sector AS VARCHAR)) FILTER (WHERE {head}) AS head_work_sector, "
        f"COUNT(*) FILTER (WHERE {head}) AS n_heads "
        f"FROM {views.members} GROUP BY CAST(household_id AS VARCHAR)"
    )
    members = ["m.persons", "m.children", "m.elderly"]
    # Exactly one head, or the head's characteristics are unknown (NULL, reported).
    members += [
        f"CASE WHEN m.n_heads = 1 THEN m.{c} END AS {c}"
        for c in ("head_sex", "head_age", "head_education", "head_work_sector")
    ]
    if household_part is None:
        return (
            f"SELECT {', '.join(select + members)} FROM {views.households} h "
            f"LEFT JOIN ({summary}) m ON CAST(h.household_id AS VARCHAR) = m.household_id"
        )
    inner = f"SELECT {', '.join(select)} FROM {views.households} h"
    part = f"SELECT p.*, {household_part} AS {_PART} FROM ({inner}) p"
    return (
        f"SELECT h.*, {', '.join(members)} FROM ({part}) h "
        f"LEFT JOIN ({summary}) m ON h.household_id = m.household_id"
    )


#: The column of the household-only part of the score (see :func:`_scoring_sql`).
_PART = "pmt_household_part"


#: Area codes cut from a desa code (16.07.05.2001): kecamatan, regency, province.
_CUT = {"kecamatan_code": 8, "regency_code": 5, "province_code": 2}


def _features_sql(profile: str, variables: Sequence[Variable], keep: Sequence[str]) -> str:
    cols = [
        *(_q(k) for k in keep),
        *(f"CAST({v.sql} AS DOUBLE) AS {_q(v.name)}" for v in variables),
    ]
    return f"SELECT {', '.join(cols)} FROM ({profile}) p"


def household_features(
    source: Any,
    *,
    by: str | None = None,
    extra: Sequence[str] = (),
    regions: Sequence[str] | None = None,
    engine: EngineName | Engine = "duckdb",
) -> pa.Table:
    """The model variables of every household: the one place characteristics are coded.

    Parameters
    ----------
    source
        A release or survey (see the module docstring for the layouts).
    by
        A group column to carry along (cut from ``desa_code`` for
        ``kecamatan_code``, ``regency_code`` and ``province_code`` if absent).
    extra
        Further numeric household columns to carry along (e.g. the weight);
        a value that is not a number becomes NULL.
    regions
        The kecamatan codes to make region dummies for (default: those present).
    engine
        ``"duckdb"`` (default), ``"spark"`` or an engine object.

    Returns
    -------
    pyarrow.Table
        ``household_id, kecamatan_code, [by], persons, extra...,
        <variables>``: one
        double column per :data:`VARIABLES` entry and one ``kecamatan=<code>``
        dummy per region. A value that cannot be coded (missing, unknown code,
        out of range, no single head) is NULL.

    Examples
    --------
    >>> from sinergi.targeting.synthetic import generate_pmt_survey
    >>> survey = generate_pmt_survey(n_households=900, seed=7, level="household")
    >>> features = household_features(survey)
    >>> features.num_rows == survey.num_rows, "head_education=tertiary" in features.column_names
    (True, True)
    """
    eng = get_engine(engine)
    views = _open(source, eng)
    try:
        profile = _profile_sql(views, by=by, extra=extra)
        if regions is None:
            rows = eng.fetch(
                f"SELECT DISTINCT {REGION_COLUMN} AS r FROM ({profile}) p "
                f"WHERE {REGION_COLUMN} IS NOT NULL ORDER BY 1"
            )
            regions = [str(r["r"]) for r in rows]
        keep = ["household_id", REGION_COLUMN, *([by] if by and by != REGION_COLUMN else [])]
        keep += ["persons", *(c for c in extra if c not in keep)]
        variables = [*VARIABLES, *(_region_variable(r) for r in regions)]
        return eng.fetch_arrow(_features_sql(profile, variables, keep))
    finally:
        views.drop()


# --------------------------------------------------------------------------- model


@dataclass
class PMTModel:
    """A fitted PMT: per group, an intercept and coefficients by variable name.

    ``coefficients[group][name]`` (``group`` is :data:`ALL` without ``by``;
    ``"intercept"`` among the names); ``coding`` documents each variable and
    the reference categories; ``groups[group]`` holds the region codes, the
    dropped variables and the group's evaluation; ``evaluation`` pools the
    holdout; ``fitted_on`` says on what and when; ``synthetic`` is the survey's
    synthetic mark (``None`` for real data).
    """

    version: str
    target: str
    by: str | None
    coefficients: dict[str, dict[str, float]]
    coding: dict[str, Any]
    groups: dict[str, dict[str, Any]]
    fitted_on: dict[str, Any]
    evaluation: dict[str, Any]
    synthetic: str | None = None

    def to_json(self) -> str:
        """The artefact: indented JSON with a format tag, stable key order."""
        return json.dumps({"format": FORMAT, **asdict(self)}, indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> PMTModel:
        """Read an artefact written by :meth:`to_json`; refuses anything else clearly."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a PMT model: the file is not JSON ({exc.msg})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a PMT model: expected format {FORMAT!r}")
        data.pop("format")
        names = {f for f in cls.__dataclass_fields__}
        missing = sorted(names - set(data) - {"synthetic"})
        if missing:
            raise ValueError(f"not a PMT model: missing {', '.join(missing)}")
        return cls(**{k: v for k, v in data.items() if k in names})


def _coding() -> dict[str, Any]:
    return {
        "target": "ln(per-capita expenditure); the score is its prediction (lower = poorer)",
        "variables": {v.name: v.meaning for v in VARIABLES},
        "categorical": {
            column: {"reference": codes[0], "levels": list(codes)} for column, codes in CATEGORICAL
        },
        "region": {
            "column": REGION_COLUMN,
            "coding": "one dummy per kecamatan of the group's survey data; the reference is "
            "the first code in sorted order; a kecamatan absent from the survey gets the "
            "reference's effect",
        },
        "members": {
            "children": f"age < {CHILD_AGE}",
            "elderly": f"age >= {ELDERLY_AGE}",
            "head": "the member whose relationship is 'head' (exactly one)",
        },
        "dropped": "a variable constant in a group's training data, or a linear combination "
        "of the others, is left out of that group's equation (listed per group)",
    }


# --------------------------------------------------------------------------- fit


def _wls(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)
    return np.asarray(beta)


def _independent_columns(x: np.ndarray, w: np.ndarray) -> list[int]:
    """Indices of columns kept: a greedy pass dropping constant or collinear ones.

    Column 0 is the intercept and always kept.
    """
    xs = x * np.sqrt(w)[:, None]
    scale = np.linalg.norm(xs, axis=0)
    scale[scale == 0] = 1
    xs = xs / scale
    keep = [0]
    for j in range(1, x.shape[1]):
        if np.ptp(x[:, j]) == 0:
            continue
        trial = xs[:, [*keep, j]]
        if np.linalg.matrix_rank(trial, tol=1e-9 * math.sqrt(len(x))) == len(keep) + 1:
            keep.append(j)
    return keep


def _split(ids: Sequence[str], holdout: float, seed: int) -> np.ndarray:
    """Holdout mask over ``ids``: households sorted by id, a seeded permutation.

    The first ``round(holdout * n)`` households of
    ``numpy.random.default_rng(seed).permutation(n)`` (positions in id order)
    are held out.
    """
    order = np.argsort(np.asarray(ids, dtype=object), kind="stable")
    n = len(ids)
    chosen = np.random.default_rng(seed).permutation(n)[: round(holdout * n)]
    mask = np.zeros(n, bool)
    mask[order[chosen]] = True
    return mask


def _bad_values(table: pa.Table, columns: Sequence[str], sources: dict[str, str]) -> list[Problem]:
    """Problems for NULL model inputs, one per source column, with example ids."""
    ids = np.asarray(table["household_id"].to_pylist(), dtype=object)
    by_source: dict[str, np.ndarray] = {}
    for c in columns:
        bad = ~np.isfinite(_as_float(table, c))
        src = sources.get(c, c)
        by_source[src] = by_source.get(src, np.zeros(len(ids), bool)) | bad
    out = []
    for src, bad in by_source.items():
        if bad.any():
            examples = ", ".join(sorted(str(i) for i in ids[bad])[:3])
            out.append(
                Problem(
                    src,
                    int(bad.sum()),
                    f"a value that is missing, not a number, out of range or not an allowed "
                    f"code (e.g. household_id {examples})",
                )
            )
    return out


def fit(
    survey: Any,
    *,
    weight: str,
    by: str | None = None,
    expenditure: str = "pcexp",
    holdout: float = 0.2,
    seed: int = 1,
    engine: EngineName | Engine = "duckdb",
) -> PMTModel:
    """Fit the PMT by weighted least squares and evaluate it on a seeded holdout.

    Parameters
    ----------
    survey
        Survey microdata with household characteristics (module docstring).
    weight
        The survey's design weight column (households), > 0.
    by
        Fit one equation per value of this column (e.g. ``regency_code``);
        ``None``: one equation.
    expenditure
        Per-capita expenditure column (> 0); the target is its logarithm.
    holdout
        Share of households held out for the evaluation (0 <= holdout < 1);
        the coefficients are fitted on the rest.
    seed
        Seed of the holdout split (:func:`_split`).
    engine
        The engine that codes the variables.

    Returns
    -------
    PMTModel
        With ``evaluation`` on the holdout (empty when ``holdout`` is 0).

    Raises
    ------
    sinergi.stats.InputError
        Missing columns, bad values (column, count, example households), or
        too few households in a group to fit.

    Examples
    --------
    >>> from sinergi.targeting.synthetic import generate_pmt_survey
    >>> survey = generate_pmt_survey(n_households=1500, seed=7, level="household")
    >>> model = fit(survey, weight="weight", by="regency_code")
    >>> list(model.coefficients), 0 < model.evaluation["r2"] < 1
    (['16.07'], True)
    >>> model.coefficients["16.07"]["floor_material=earth"] < 0  # poorer than ceramic
    True
    """
    if not 0 <= holdout < 1:
        raise ValueError("holdout must be at least 0 and less than 1")
    eng = get_engine(engine)
    table = household_features(survey, by=by, extra=(weight, expenditure), engine=eng)
    # In id order: the engine returns rows in any order, and the same survey must
    # give the same coefficients to the last bit.
    table = table.sort_by("household_id")
    region_names = [c for c in table.column_names if c.startswith("kecamatan=")]
    names = [*(v.name for v in VARIABLES), *region_names]
    sources = {v.name: v.source for v in VARIABLES} | dict.fromkeys(region_names, REGION_COLUMN)
    w = _as_float(table, weight)
    pce = _as_float(table, expenditure)
    problems = _bad_values(table, names, sources)
    for col, values, what in ((weight, w, "weight"), (expenditure, pce, "expenditure")):
        bad = ~(values > 0)
        if bad.any():
            ids = sorted(str(i) for i in np.asarray(table["household_id"].to_pylist())[bad])[:3]
            problems.append(
                Problem(
                    col,
                    int(bad.sum()),
                    f"no {what} or not > 0 (e.g. household_id {', '.join(ids)})",
                )
            )
    groups = np.full(table.num_rows, ALL, dtype=object)
    if by:
        groups = np.asarray(table[by].to_pylist(), dtype=object)
        if table[by].null_count:
            problems.append(Problem(by, table[by].null_count, "no group value"))
    if problems:
        raise InputError(problems, header="cannot fit the PMT")
    x = np.column_stack(
        [np.ones(table.num_rows), *(table[n].to_numpy(zero_copy_only=False) for n in names)]
    ).astype(float)
    y = np.log(pce)
    ids = table["household_id"].to_pylist()
    test = _split(ids, holdout, seed)

    model = PMTModel(
        version="",
        target=f"ln({expenditure})",
        by=by,
        coefficients={},
        coding=_coding(),
        groups={},
        fitted_on={},
        evaluation={},
    )
    for group in sorted(set(groups)):
        rows = (groups == group) & ~test
        in_group = groups == group
        # The group's own kecamatan only; the first is the reference (left out).
        regions = [
            n.split("=", 1)[1] for n in region_names if x[in_group, names.index(n) + 1].any()
        ]
        cols = [0, *(i + 1 for i, n in enumerate(names) if not n.startswith("kecamatan="))]
        cols += [names.index(f"kecamatan={r}") + 1 for r in regions[1:]]
        xg = x[np.ix_(rows, cols)]
        keep = _independent_columns(xg, w[rows])
        if rows.sum() <= len(keep):
            raise InputError(
                [
                    Problem(
                        by or weight,
                        int(rows.sum()),
                        f"too few households to fit group {group} ({len(keep)} variables)",
                    )
                ],
                header="cannot fit the PMT",
            )
        beta = _wls(xg[:, keep], y[rows], w[rows])
        kept = [cols[k] for k in keep]
        labels = ["intercept", *names]
        model.coefficients[group] = {labels[c]: float(b) for c, b in zip(kept, beta, strict=True)}
        model.groups[group] = {
            "kecamatan": regions,
            "kecamatan_reference": regions[0] if regions else None,
            "dropped": [labels[c] for c in cols if c not in kept and c != 0],
            "train_households": int(rows.sum()),
            "holdout_households": int(((groups == group) & test).sum()),
            "train_r2": _r2(y[rows], xg[:, keep] @ beta, w[rows]),
        }

    if test.any():
        predicted = np.array(
            [_predict_row(model, groups[i], x[i], names) for i in np.flatnonzero(test)]
        )
        part = table.filter(pa.array(test))
        model.evaluation = evaluate(
            household_id=[ids[i] for i in np.flatnonzero(test)],
            group=list(groups[test]),
            actual=y[test],
            predicted=predicted,
            weight=w[test],
            persons=_as_float(part, "persons"),
        )
        for group, ev in model.evaluation.pop("groups").items():
            model.groups[group]["evaluation"] = ev
    model.synthetic = _mark(survey)
    model.fitted_on = {
        "source": _describe(survey),
        "households": table.num_rows,
        "weight": weight,
        "expenditure": expenditure,
        "holdout": holdout,
        "seed": seed,
        "fitted_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }
    digest = hashlib.sha256(
        json.dumps(model.coefficients, sort_keys=True).encode("utf-8")
    ).hexdigest()[:8]
    stamp = model.fitted_on["fitted_at"].replace("-", "").replace(":", "")[:15]
    model.version = f"pmt-{stamp}-{digest}"
    return model


def _as_float(table: pa.Table, column: str) -> np.ndarray:
    """A double column as floats, NULL as NaN."""
    return np.asarray(table[column].to_numpy(zero_copy_only=False), float)


def _mark(source: Any) -> str | None:
    from sinergi.stats.synthetic import synthetic_mark

    if isinstance(source, tuple):
        return synthetic_mark(source[0]) or synthetic_mark(source[1])
    return synthetic_mark(source)


def _describe(source: Any) -> str:
    if isinstance(source, tuple):
        return " + ".join(_describe(s) for s in source)
    if isinstance(source, (str, Path)):
        return Path(source).name
    return "an in-memory table"


def _predict_row(model: PMTModel, group: str, row: np.ndarray, names: Sequence[str]) -> float:
    coef = model.coefficients[group]
    value = coef["intercept"]
    for i, name in enumerate(names):
        value += coef.get(name, 0.0) * row[i + 1]
    return float(value)


def _r2(y: np.ndarray, fitted: np.ndarray, w: np.ndarray) -> float:
    mean = np.average(y, weights=w)
    return float(1 - (w * (y - fitted) ** 2).sum() / (w * (y - mean) ** 2).sum())


def evaluate(
    *,
    household_id: Sequence[str],
    group: Sequence[str],
    actual: np.ndarray,
    predicted: np.ndarray,
    weight: np.ndarray,
    persons: np.ndarray,
    cutoff: float = CUTOFF,
) -> dict[str, Any]:
    """Weighted R² and targeting errors of predicted against surveyed log expenditure.

    Within each group, households are ranked twice by the decile rule
    (persons weighted by the survey weight): by surveyed and by predicted
    expenditure. *Poor* = in the poorest ``cutoff`` of persons by surveyed
    expenditure, *selected* = the same by the prediction. With survey
    weights, exclusion error = poor households not selected / poor
    households; inclusion error = selected households not poor / selected
    households (DESIGN.md). Pooled figures sum the groups' weighted counts.

    Returns
    -------
    dict
        ``r2, exclusion_error, inclusion_error, cutoff, households,
        groups: {group: {...same...}}``.
    """
    n = len(household_id)
    table = pa.table(
        {
            "household_id": pa.array([str(i) for i in household_id]),
            "grp": pa.array([str(g) for g in group]),
            "actual": pa.array(np.asarray(actual, float)),
            "predicted": pa.array(np.asarray(predicted, float)),
            "mass": pa.array(np.asarray(weight, float) * np.asarray(persons, float)),
        }
    )
    eng = DuckDBEngine()
    eng.register(table, "holdout")
    limit = math.floor(10 * cutoff)  # deciles 1..4 for 40 %

    def ranked(col: str) -> dict[str, int]:
        sql = decile_sql(
            "holdout", id="household_id", score=col, mass="mass", by=["grp"], integer=False
        )
        out = eng.fetch_arrow(sql)
        return dict(zip(out["household_id"].to_pylist(), out["decile"].to_pylist(), strict=True))

    d_true, d_pred = ranked("actual"), ranked("predicted")
    ids = [str(i) for i in household_id]
    poor = np.array([d_true[i] <= limit for i in ids])
    chosen = np.array([d_pred[i] <= limit for i in ids])
    w = np.asarray(weight, float)
    y, yhat = np.asarray(actual, float), np.asarray(predicted, float)
    grp = np.asarray([str(g) for g in group], dtype=object)

    def figures(mask: np.ndarray) -> dict[str, Any]:
        wp, wc = (w * (poor & mask)).sum(), (w * (chosen & mask)).sum()
        return {
            "r2": _r2(y[mask], yhat[mask], w[mask]) if mask.sum() > 1 else None,
            "exclusion_error": float((w * (poor & ~chosen & mask)).sum() / wp) if wp else None,
            "inclusion_error": float((w * (chosen & ~poor & mask)).sum() / wc) if wc else None,
            "households": int(mask.sum()),
        }

    result = figures(np.ones(n, bool))
    result["cutoff"] = cutoff
    result["groups"] = {g: figures(grp == g) for g in sorted(set(grp))}
    return result


# --------------------------------------------------------------------------- score


def score_sql(model: PMTModel, profile: str, keep: Sequence[str] = ()) -> str:
    """The scoring query: ``household_id, score`` from a household profile query.

    Each group's equation is its intercept plus, for every numeric variable,
    coefficient times the variable's SQL, and for every categorical column
    one ``CASE`` picking the coefficient of the household's code (0 for the
    reference; an unknown code gives NULL, as in :func:`household_features`).
    A variable the group's fit left out counts with coefficient 0 but must
    still be codable, so a household with a missing characteristic, or of a
    group the model has no equation for, gets a NULL score.
    """
    expr = _equation(model, _terms_by_group(model, household=None))
    carried = "".join(f", {_q(c)}" for c in keep)
    return f"SELECT household_id, CAST({expr} AS DOUBLE) AS score{carried} FROM ({profile}) p"


#: Input columns of the household-only terms (no member summary in them).
_HOUSEHOLD_ONLY = {*NUMERIC_COLUMNS, *(c for c, _ in CATEGORICAL[:7]), REGION_COLUMN} - {
    "floor_area_m2"  # divided by the member count
}


def _terms_by_group(model: PMTModel, *, household: bool | None) -> dict[str, list[str]]:
    """Each group's terms (without the intercept): all (``household=None``), only those
    of household columns alone (``True``), or only the others (``False``)."""
    out: dict[str, list[str]] = {}
    for group, coef in model.coefficients.items():
        terms: list[tuple[str, str]] = [
            (v.source, f"{_num(coef.get(v.name, 0.0))} * ({v.sql})")
            for v in VARIABLES
            if v.level is None
        ]
        for column, codes in CATEGORICAL:
            whens = " ".join(
                f"WHEN {_lit(c)} THEN {_num(coef.get(f'{column}={c}', 0.0))}" for c in codes
            )
            terms.append((column, f"(CASE {_q(column)} {whens} END)"))
        regions = [
            (name.split("=", 1)[1], value)
            for name, value in coef.items()
            if name.startswith("kecamatan=")
        ]
        if regions:
            whens = " ".join(f"WHEN {_lit(r)} THEN {_num(v)}" for r, v in regions)
            terms.append((REGION_COLUMN, f"(CASE {REGION_COLUMN} {whens} ELSE 0.0 END)"))
        out[group] = [
            t for src, t in terms if household is None or (src in _HOUSEHOLD_ONLY) == household
        ]
    return out


def _equation(
    model: PMTModel, terms: dict[str, list[str]], *, intercept: bool = True, extra: str = ""
) -> str:
    """The per-group sum of ``terms`` (plus the intercept and ``extra``), as one SQL
    expression: NULL for a household of a group the model has no equation for."""
    equations = []
    for group, coef in model.coefficients.items():
        parts = [_num(coef["intercept"])] if intercept else []
        parts += [*terms[group], *([extra] if extra else [])]
        equations.append((group, " + ".join(parts) if parts else "0.0"))
    if model.by is None:
        return equations[0][1]
    whens = " ".join(f"WHEN {_q(model.by)} = {_lit(g)} THEN {e}" for g, e in equations)
    return f"CASE {whens} END"


def _scoring_sql(model: PMTModel, views: _Views, keep: Sequence[str] = ()) -> str:
    """:func:`score_sql` over the release's profile, the same score computed in two parts:
    the household-only terms before the members are joined, the rest after. A stored
    release with its member summary is scored in the same two parts, so its scores
    are bit for bit those its members would give."""
    if views.members is None and not views.stored_summary:
        return score_sql(model, _profile_sql(views, by=model.by), keep)
    part = _equation(model, _terms_by_group(model, household=True), intercept=False)
    profile = _profile_sql(views, by=model.by, household_part=part)
    expr = _equation(model, _terms_by_group(model, household=False), extra=_PART)
    carried = "".join(f", {_q(c)}" for c in keep)
    return f"SELECT household_id, CAST({expr} AS DOUBLE) AS score{carried} FROM ({profile}) p"


def score(
    release: Any,
    model: PMTModel,
    *,
    engine: EngineName | Engine = "duckdb",
    keep: Sequence[str] = (),
) -> pa.Table:
    """Apply the model to a release: every household's score, on the engine.

    Parameters
    ----------
    release
        A release directory (``households.parquet`` + ``members.parquet``),
        a ``(households, members)`` pair, or a household-level table with the
        member summary columns.
    model
        A fitted :class:`PMTModel`.
    engine
        ``"duckdb"`` (default), ``"spark"`` or an engine object.
    keep
        Household profile columns to carry along: ``persons`` (the
        member count) and the area codes ``kecamatan_code``,
        ``regency_code``, ``province_code`` (cut from ``desa_code`` if absent).

    Returns
    -------
    pyarrow.Table
        ``household_id, score`` (double), then ``keep``: one row per household.

    Raises
    ------
    sinergi.stats.InputError
        Missing columns, or households that cannot be scored (a
        characteristic missing or not an allowed code, no single head, or a
        group the model has no equation for), with counts and example ids.

    Examples
    --------
    >>> from sinergi.targeting.synthetic import generate_pmt_survey
    >>> survey = generate_pmt_survey(n_households=1500, seed=7, level="household")
    >>> scores = score(survey, fit(survey, weight="weight"), keep=["persons"])
    >>> scores.column_names, scores.num_rows == survey.num_rows
    (['household_id', 'score', 'persons'], True)
    """
    eng = get_engine(engine)
    views = _open(release, eng)
    try:
        query = _scoring_sql(model, views, keep)
        _check_keep(views, keep)
        out = eng.fetch_arrow(query)
    finally:
        views.drop()
    if out["score"].null_count:
        _explain_unscored(release, model, eng, out)
    return out


def _check_keep(views: _Views, keep: Sequence[str]) -> None:
    cols = views.engine.column_types(views.households)
    have = {"persons", *(c for c in _CUT if c in cols or "desa_code" in cols)}
    missing = [c for c in keep if c not in have]
    if missing:
        raise InputError(
            [Problem(c, 0, "no such column in the households") for c in missing],
            header="cannot score the release",
        )


def score_and_rank(
    release: Any,
    model: PMTModel,
    *,
    by: Sequence[str] = ("regency_code",),
    out: Path | None = None,
    engine: EngineName | Engine = "duckdb",
) -> pa.Table:
    """Score a release and rank it into deciles of persons, in one query; write it atomically.

    The scoring query (:func:`score_sql`) feeds the decile rule
    (:func:`sinergi.targeting.deciles.decile_sql`) directly, with the member
    count as persons, so the engine reads the release once and sorts once.

    Parameters
    ----------
    release
        A release directory (or any source :func:`score` takes).
    model
        The fitted model.
    by
        Areas the deciles are computed within (default: per regency); empty =
        one national area.
    out
        Where to write ``household_id, score, model_decile, model_version``
        as Parquet (through a temp file beside it and a rename); default
        ``<release>/scores.parquet`` for a release directory, nothing for
        other sources.
    engine
        ``"duckdb"`` (default), ``"spark"`` or an engine object.

    Returns
    -------
    pyarrow.Table
        The rows written.

    Raises
    ------
    sinergi.stats.InputError
        As :func:`score`; nothing is written.
    """
    import os
    import tempfile

    import pyarrow.parquet as pq

    eng = get_engine(engine)
    views = _open(release, eng)
    by = list(by)
    try:
        scored = f"({_scoring_sql(model, views, ['persons', *by])}) scored"
        _check_keep(views, ["persons", *by])
        ranked = decile_sql(
            scored,
            id="household_id",
            score="score",
            mass="CAST(persons AS BIGINT)",
            by=by,
        )
        table = eng.fetch_arrow(
            f"SELECT household_id, score, decile AS model_decile, "
            f"{_lit(model.version)} AS model_version FROM ({ranked}) r"
        )
    finally:
        views.drop()
    if table["score"].null_count:
        _explain_unscored(release, model, eng, table)
    if out is None and isinstance(release, (str, Path)) and Path(release).is_dir():
        out = Path(release) / "scores.parquet"
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        os.close(fd)
        try:
            pq.write_table(table, tmp)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return table


def _explain_unscored(release: Any, model: PMTModel, eng: Engine, out: pa.Table) -> None:
    """Raise the reasons some households got no score (the slow path, only on failure)."""
    table = household_features(release, by=model.by, regions=[], engine=eng)
    names = [v.name for v in VARIABLES]
    problems = _bad_values(table, names, {v.name: v.source for v in VARIABLES})
    if model.by:
        known = set(model.coefficients)
        groups = [str(g) for g in table[model.by].to_pylist()]
        unknown = sorted({g for g in groups if g not in known})
        if unknown:
            problems.append(
                Problem(
                    model.by,
                    sum(g not in known for g in groups),
                    f"an area the model has no equation for ({', '.join(unknown[:5])})",
                )
            )
    if not problems:
        problems.append(Problem("score", out["score"].null_count, "no score"))
    raise InputError(problems, header="cannot score the release")
