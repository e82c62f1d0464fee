"""``sinergi pmt fit``, ``sinergi pmt score``, ``sinergi deciles`` and ``sinergi convergence``
(pure click, no Django).

Thin shells over :mod:`sinergi.targeting.pmt`, :mod:`sinergi.targeting.deciles`
and :mod:`sinergi.targeting.convergence`; other tools script against their options and
output columns, so both are a contract. Every output file is written to a
temp file beside it and renamed into place: a failed run leaves no file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pyarrow as pa

from sinergi.rounding import rounded
from sinergi.stats._errors import StatsError

ENGINE_OPTION = click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Where the SQL runs: embedded DuckDB, or Spark (local mode or the active session).",
)
AREAS = ("kecamatan_code", "regency_code", "province_code")
MEMBERS_OPTION = click.option(
    "--members",
    type=click.Path(exists=True, path_type=Path),
    help="The members file, when INPUT is a households file (a directory holds both).",
)


def _write(table: pa.Table, out: Path) -> None:
    """Write ``table`` to ``out`` (.csv or .parquet) through a temp file and a rename."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    suffix = out.suffix.lower()
    writers: dict[str, Callable[[pa.Table, str], Any]] = {
        ".csv": lambda t, p: pacsv.write_csv(t, p),
        ".parquet": lambda t, p: pq.write_table(t, p),
        ".pq": lambda t, p: pq.write_table(t, p),
    }
    if suffix not in writers:
        raise click.BadParameter("end the name in .csv or .parquet", param_hint="--out")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        writers[suffix](table, tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_text(text: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _source(input_path: Path, members: Path | None) -> Any:
    if members is not None:
        if input_path.is_dir():
            raise click.BadParameter(
                "give --members only with a households file", param_hint="--members"
            )
        return (input_path, members)
    return input_path


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group()
def pmt() -> None:
    """The proxy means test: fit a welfare model on a survey, score a release."""


FIT_HELP = """Fit the PMT on SURVEY and print its holdout evaluation.

A weighted least-squares regression of log per-capita expenditure on
household characteristics (floor area per person; floor, wall and roof
material; drinking water; sanitation; electricity; cooking fuel; assets;
livestock and land; household size and composition; the head's sex, age,
education and work sector; kecamatan effects), with the survey's design
weights, one equation per --by group. A seeded share of households
(--holdout) is kept out of the fit; on it the command prints the weighted
R² and the exclusion and inclusion errors at the 40 % cut-off against the
surveyed expenditure. The model is written as readable JSON (coefficients by
name, the coding, the evaluation).

\b
SURVEY: a directory with households.parquet and members.parquet, or a
households file (CSV or Parquet) with --members FILE, or a households file
that carries the member summary (persons, children, elderly,
head_sex, head_age, head_education, head_work_sector).

\b
Example:
  sinergi pmt fit survey/ --weight weight --by regency_code --out pmt.json
"""


@pmt.command("fit", help=FIT_HELP)
@click.argument("survey", type=click.Path(exists=True, path_type=Path))
@MEMBERS_OPTION
@click.option("--weight", required=True, help="The survey's household design weight column.")
@click.option("--by", help="Fit one equation per value of this column, e.g. regency_code.")
@click.option(
    "--expenditure",
    default="pcexp",
    show_default=True,
    help="Per-capita expenditure column (> 0); the model predicts its logarithm.",
)
@click.option(
    "--holdout",
    type=click.FloatRange(0, 1, max_open=True),
    default=0.2,
    show_default=True,
    help="Share of households held out for the evaluation (0: fit on all, no evaluation).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the holdout split.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the model (JSON).",
)
@ENGINE_OPTION
def fit_command(
    survey: Path,
    members: Path | None,
    weight: str,
    by: str | None,
    expenditure: str,
    holdout: float,
    seed: int,
    out: Path,
    engine: str,
) -> None:
    from .pmt import fit

    try:
        model = fit(
            _source(survey, members),
            weight=weight,
            by=by,
            expenditure=expenditure,
            holdout=holdout,
            seed=seed,
            engine=engine,  # type: ignore[arg-type]
        )
    except (StatsError, ValueError) as exc:
        raise _fail(exc) from None
    _write_text(model.to_json() + "\n", out)
    if model.synthetic:
        click.echo(f"SYNTHETIC survey: {model.synthetic}", err=True)
    click.echo(f"model {model.version}: {len(model.coefficients)} equation(s) -> {out}")
    click.echo(evaluation_lines(model))


def evaluation_lines(model: Any) -> str:
    """The holdout evaluation as a few readable lines (rounded by the one rule)."""

    ev = model.evaluation
    if not ev:
        return "no holdout evaluation (--holdout 0)"

    def pct(value: float | None) -> str:
        return "–" if value is None else f"{rounded(100 * value, 1)}%"

    def line(label: str, e: dict[str, Any]) -> str:
        r2 = "–" if e.get("r2") is None else str(rounded(e["r2"], 3))
        return (
            f"  {label:<12} R² {r2:>6}   exclusion error {pct(e['exclusion_error']):>6}   "
            f"inclusion error {pct(e['inclusion_error']):>6}   ({e['households']} households)"
        )

    lines = [f"holdout evaluation at the {rounded(100 * ev['cutoff'], 0)}% cut-off:"]
    lines.append(line("all", ev))
    if len(model.groups) > 1:
        lines += [line(g, info["evaluation"]) for g, info in model.groups.items()]
    return "\n".join(lines)


@pmt.command("score")
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
@MEMBERS_OPTION
@click.option(
    "--model",
    "model_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A model written by `sinergi pmt fit`.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the scores (.parquet or .csv).",
)
@ENGINE_OPTION
def score_command(
    input_path: Path, members: Path | None, model_path: Path, out: Path, engine: str
) -> None:
    """Score every household of INPUT with a fitted PMT.

    INPUT: a release directory (households.parquet and members.parquet), or
    a households file with --members FILE. Writes household_id, score (the
    predicted log per-capita expenditure; lower = poorer), persons (the
    member count), kecamatan_code, regency_code, province_code and
    model_version, one row per household: ready for `sinergi deciles`. A household that cannot be scored
    stops the run with its reason; nothing is written.

    \b
    Example:
      sinergi pmt score var/registry/dtsen-2025-q2 --model pmt.json --out scores.parquet
    """
    from .pmt import PMTModel, score

    try:
        model = PMTModel.from_json(model_path.read_text(encoding="utf-8"))
        scored = score(
            _source(input_path, members),
            model,
            engine=engine,  # type: ignore[arg-type]
            keep=("persons", *AREAS),
        )
    except (StatsError, ValueError) as exc:
        raise _fail(exc) from None
    persons = scored["persons"].cast(pa.int64())
    scored = scored.set_column(scored.schema.get_field_index("persons"), "persons", persons)
    scored = scored.append_column("model_version", pa.array([model.version] * scored.num_rows))
    _write(scored, out)
    click.echo(f"{scored.num_rows} households scored with {model.version} -> {out}")


@click.command("deciles")
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
@click.option("--id", "id_column", required=True, help="The household id column (unique).")
@click.option("--score", "score_column", required=True, help="The welfare score column.")
@click.option("--persons", required=True, help="The column of persons per household (>= 1).")
@click.option(
    "--by",
    multiple=True,
    help="Area column(s) to rank within, e.g. --by regency_code or --by province_code,"
    "regency_code (default: one national area).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the deciles (.csv or .parquet).",
)
@ENGINE_OPTION
def deciles_command(
    input_path: Path,
    id_column: str,
    score_column: str,
    persons: str,
    by: tuple[str, ...],
    out: Path,
    engine: str,
) -> None:
    """Welfare deciles of persons within areas, one row per household of INPUT.

    Within an area, households are ranked by score (lowest = poorest =
    decile 1) and a household's decile is 1 + floor(10 x persons in households
    with a strictly lower score / all persons of the area), so equal scores
    share a decile. INPUT is a CSV or Parquet file (or a directory of Parquet
    files) with one row per household. OUT gets the --id column, the score,
    the --by columns and `decile`, sorted by area, score and id. A missing
    column or a bad row (no score, zero persons, a repeated id) stops the
    run with the column and reason; no file is written.

    \b
    Example:
      sinergi deciles scored.parquet --id household_id --score score \\
          --persons persons --by regency_code --out deciles.csv
    """
    from .deciles import deciles

    columns = [c.strip() for item in by for c in item.split(",") if c.strip()]
    if out.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise click.BadParameter("end the name in .csv or .parquet", param_hint="--out")
    try:
        table = deciles(
            input_path,
            id=id_column,
            score=score_column,
            persons=persons,
            by=columns,
            engine=engine,  # type: ignore[arg-type]
        )
    except (StatsError, ValueError) as exc:
        raise _fail(exc) from None
    table = table.sort_by(
        [
            *((c, "ascending") for c in columns),
            (score_column, "ascending"),
            (id_column, "ascending"),
        ]
    )
    _write(table, out)
    click.echo(f"{table.num_rows} households ranked into deciles -> {out}")


def _rules_option(value: str) -> Any:
    """``--eligible-max-decile``: ``K`` for all, ``PROGRAMME=K|none`` overrides, comma-joined."""
    from collections import defaultdict

    default: int | None = None
    has_default = False
    overrides: dict[str, int | None] = {}
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        name, _, k = item.rpartition("=")
        k = k.strip().lower()
        if k in ("none", "-"):
            parsed: int | None = None
        elif k.isdigit() and 0 <= int(k) <= 10:
            parsed = int(k)
        else:
            raise click.BadParameter(
                f"{item!r}: give a whole number from 0 to 10 (or PROGRAMME=none)",
                param_hint="--eligible-max-decile",
            )
        if name.strip():
            overrides[name.strip()] = parsed
        elif parsed is None:
            raise click.BadParameter(
                "a programme without a rule is named: PROGRAMME=none",
                param_hint="--eligible-max-decile",
            )
        else:
            default, has_default = parsed, True
    if has_default and not overrides:
        return default
    if not has_default and not overrides:
        raise click.BadParameter("give K (0 to 10)", param_hint="--eligible-max-decile")
    if not has_default:
        return overrides
    rules: defaultdict[str, int | None] = defaultdict(lambda: default)
    rules.update(overrides)
    return rules


@click.command("convergence")
@click.argument("registry", type=click.Path(exists=True, path_type=Path))
@click.argument("beneficiaries", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--eligible-max-decile",
    "rules",
    required=True,
    metavar="K",
    help="Eligible = decile <= K (0: nobody, 10: everyone). One K for every programme, "
    "or per programme: 4,KIS=none,BPNT=3 (a K for the rest, and overrides; "
    "none = no eligibility rule).",
)
@click.option(
    "--by",
    multiple=True,
    help="Registry area column(s) to group by, e.g. --by kecamatan_code,desa_code "
    "(default: one group).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the table (.csv or .parquet).",
)
@ENGINE_OPTION
def convergence_command(
    registry: Path,
    beneficiaries: Path,
    rules: str,
    by: tuple[str, ...],
    out: Path,
    engine: str,
) -> None:
    """Targeting errors and coverage of every programme in every area of REGISTRY.

    REGISTRY: one row per household with household_id, persons, decile and
    the --by columns (CSV or Parquet). BENEFICIARIES: one row per listed
    household with household_id and programme (a household listed twice in
    one programme counts once).

    OUT gets one row per (--by columns, programme): households, persons,
    eligible_households, eligible_persons (decile <= K),
    beneficiary_households, beneficiary_persons (registry households on the
    list), eligible_beneficiary_households, eligible_beneficiary_persons,
    inclusion_error (listed households with decile > K / listed households),
    exclusion_error (eligible households not listed / eligible households),
    coverage (persons of listed eligible households / persons of eligible
    households), cgh (Coady-Grosh-Hoddinott, by households) and
    unmatched_rows. Fractions are 0..1 and empty when undefined. List rows
    with an empty household_id or one not in the registry are counted in
    unmatched_rows on a row whose --by columns are empty. A missing column
    or a bad row stops the run with the column and reason; no file is
    written.

    \b
    Example:
      sinergi convergence deciles.csv lists.csv --eligible-max-decile 4 \\
          --by kecamatan_code,desa_code --out convergence.csv
    """
    from .convergence import convergence

    columns = [c.strip() for item in by for c in item.split(",") if c.strip()]
    if out.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise click.BadParameter("end the name in .csv or .parquet", param_hint="--out")
    spec = _rules_option(rules)
    try:
        table = convergence(
            registry,
            beneficiaries,
            eligible_max_decile=spec,
            by=columns,
            engine=engine,  # type: ignore[arg-type]
        )
    except (StatsError, ValueError) as exc:
        raise _fail(exc) from None
    _write(table, out)
    programmes = len(set(table["programme"].to_pylist()))
    click.echo(f"{table.num_rows} rows for {programmes} programme(s) -> {out}")
    lost = sum(table["unmatched_rows"].to_pylist())
    if lost:
        click.echo(
            f"{lost} list row(s) match no registry household: counted in unmatched_rows",
            err=True,
        )
