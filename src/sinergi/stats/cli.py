"""``sinergi estimate``: survey estimates from a Parquet or CSV file to a CSV file.

The command is a thin shell over :func:`sinergi.stats.estimate`; other tools
script against its options and output columns, so both are a contract.
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import get_args

import click

from ._design import LONELY_PSU_OPTIONS, Design, LonelyPSU
from ._errors import StatsError
from ._estimate import estimate as run_estimate
from ._measures import MEASURE_KINDS, Measure, resolve_measures
from ._results import RESULT_COLUMNS, Results
from ._sql import Missing
from .synthetic import synthetic_mark

SYNTHETIC_COLUMN = "synthetic"
"""Last output column: ``true`` when the input was marked synthetic, else ``false``."""


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _format(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


def write_csv(results: Results, out: Path, *, synthetic: bool = False) -> None:
    """Write results to ``out`` atomically: a temp file beside it, then a rename.

    A reader never sees a half-written file, and a failed run leaves no file.
    Every row ends with the ``synthetic`` column (``true``/``false``), so the
    mark of synthetic microdata cannot be lost on the way to
    ``sinergi store-estimates``.
    """
    mark = "true" if synthetic else "false"
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([*results.by, *RESULT_COLUMNS, SYNTHETIC_COLUMN])
            for row in results.to_dicts():
                writer.writerow([_format(row[c]) for c in (*results.by, *RESULT_COLUMNS)] + [mark])
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str], None]]:
    if quiet:
        yield lambda _msg: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    started = time.perf_counter()
    with console.status("starting") as status:

        def update(message: str) -> None:
            elapsed = time.perf_counter() - started
            status.update(f"{message} [dim]({elapsed:.1f} s)[/dim]")
            if not console.is_terminal:
                console.print(f"[{elapsed:6.1f} s] {message}", highlight=False)

        yield update


@click.command("estimate")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=True, path_type=Path))
@click.option(
    "--measure",
    "measures",
    multiple=True,
    required=True,
    help=f"Measures, comma-separated or repeated: {', '.join(MEASURE_KINDS)}.",
)
@click.option("--value", help="Value column: per-capita expenditure for FGT/Gini, numerator.")
@click.option("--poverty-line", help="Poverty line column (one line per record) for fgt0/1/2.")
@click.option(
    "--extreme-poverty-line",
    help="Second line column: adds measure 'fgt0_extreme', the headcount below it.",
)
@click.option("--denominator", help="Denominator column for 'ratio' (e.g. in labour force).")
@click.option("--weight", required=True, help="Weight column (non-negative, no missing).")
@click.option("--strata", help="Stratum column.")
@click.option("--psu", help="PSU column (nested within strata), e.g. census block.")
@click.option("--fpc", help="Finite population correction column (fraction or PSU count).")
@click.option("--by", "by", multiple=True, help="Domain columns, comma-separated or repeated.")
@click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Spark needs the extra: pip install 'sinergi[spark]'.",
)
@click.option(
    "--level",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="Confidence level of the intervals.",
)
@click.option(
    "--lonely-psu",
    type=click.Choice(list(LONELY_PSU_OPTIONS)),
    default="error",
    show_default=True,
    help="Stratum with one PSU: error, certainty (adds 0), adjust (grand mean), average.",
)
@click.option(
    "--missing",
    type=click.Choice(list(get_args(Missing))),
    default="error",
    show_default=True,
    help="Missing values in value columns: reject, or leave those records out.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Output CSV (written atomically).",
)
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
def estimate(
    input_path: Path,
    measures: tuple[str, ...],
    value: str | None,
    poverty_line: str | None,
    extreme_poverty_line: str | None,
    denominator: str | None,
    weight: str,
    strata: str | None,
    psu: str | None,
    fpc: str | None,
    by: tuple[str, ...],
    engine: str,
    level: float,
    lonely_psu: str,
    missing: str,
    out: Path,
    quiet: bool,
) -> None:
    """Estimate poverty, inequality and survey means, with standard errors, to CSV.

    INPUT is a Parquet or CSV file (or a directory of Parquet files). One output
    row per domain and measure: the --by columns, then measure, estimate, se,
    ci_low, ci_high, rse (percent), n, flag (BPS: publish / caution /
    unreliable), synthetic (true when the input's Parquet metadata marks it
    synthetic, `sinergi.synthetic=true`, as the demo's survey is; CSV input
    carries no mark and gives false).

    \b
    Examples:
      sinergi estimate susenas.parquet --measure fgt0,fgt1,fgt2,gini \\
          --value pcexp --poverty-line poverty_line \\
          --extreme-poverty-line extreme_poverty_line \\
          --weight weight --strata stratum --psu psu --by kecamatan_code --out poverty.csv
      sinergi estimate susenas.parquet --measure ratio --value unemployed \\
          --denominator in_labour_force --weight weight --strata stratum --psu psu \\
          --out tpt.csv
    """
    try:
        resolved = list(
            resolve_measures(
                _split(measures), value=value, poverty_line=poverty_line, denominator=denominator
            )
        )
        if extreme_poverty_line:
            if value is None:
                raise click.UsageError("--extreme-poverty-line needs --value")
            resolved.append(
                Measure("fgt0", value, poverty_line=extreme_poverty_line, name="fgt0_extreme")
            )
        lonely: LonelyPSU = lonely_psu  # type: ignore[assignment]
        design = Design(weight=weight, strata=strata, psu=psu, fpc=fpc, lonely_psu=lonely)
        miss: Missing = missing  # type: ignore[assignment]
        started = time.perf_counter()
        with _progress(quiet) as report:
            results = run_estimate(
                str(input_path),
                resolved,
                design=design,
                by=_split(by) or None,
                engine="spark" if engine == "spark" else "duckdb",
                level=level,
                missing=miss,
                progress=report,
            )
            mark = synthetic_mark(input_path)
            write_csv(results, out, synthetic=mark is not None)
        if mark is not None and not quiet:
            click.echo(
                f"note: the input is marked SYNTHETIC ({mark}); every row says synthetic=true",
                err=True,
            )
        if not quiet:
            click.echo(
                f"wrote {len(results)} rows to {out} in {time.perf_counter() - started:.1f} s",
                err=True,
            )
    except (StatsError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
