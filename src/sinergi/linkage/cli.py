"""``sinergi link`` and ``sinergi dedupe`` (pure click, no Django).

A contract other tools script against: the options and the output columns
stay as they are. Output files are written beside their final name and
renamed into place, so a failed run leaves no file; progress goes to stderr;
no NIK is ever printed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

__all__ = ["dedupe_command", "link_command"]

_INPUT = click.Path(exists=True, path_type=Path)
_OUT = click.Path(dir_okay=False, path_type=Path)


def _options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--engine",
        type=click.Choice(["duckdb", "spark"]),
        default="duckdb",
        show_default=True,
        help="Where Splink runs: embedded DuckDB, or Spark (local mode or the active session).",
    )(fn)
    fn = click.option(
        "--review-out",
        type=_OUT,
        help="Also write the pairs to review (CSV: ids, probability, one column per comparison).",
    )(fn)
    fn = click.option(
        "--seed", type=int, default=42, show_default=True, help="Seed of the model's training."
    )(fn)
    fn = click.option(
        "--review-threshold",
        type=click.FloatRange(0, 1),
        default=0.5,
        show_default=True,
        help="Pairs from this probability up to --threshold go to review.",
    )(fn)
    fn = click.option(
        "--threshold",
        type=click.FloatRange(0, 1),
        default=0.95,
        show_default=True,
        help="Accept pairs with a match probability at or above this.",
    )(fn)
    fn = click.option(
        "--out", required=True, type=_OUT, help="Where to write the result (CSV or Parquet)."
    )(fn)
    fn = click.option("--id", "id_column", required=True, help="The id column of the input(s).")(fn)
    return fn


def _write(table: Any, out: Path) -> None:
    """Write ``table`` (.csv or .parquet) through a temp file beside ``out`` and a rename."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise click.BadParameter(f"end the name in .csv or .parquet: {out.name}")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            pacsv.write_csv(table, tmp)
        else:
            pq.write_table(table, tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_STEPS = {
    "read": "Reading",
    "prepare": "Standardising names, dates and addresses",
    "exact_nik": "Matching equal NIKs",
    "train": "Training the model",
    "predict": "Comparing candidate pairs",
    "review": "Collecting pairs to review",
    "cluster": "Building clusters",
    "done": "Done",
}


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("Starting", total=None)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=_STEPS.get(step, step), completed=done, total=total)

        yield update


def _check_outputs(out: Path, review_out: Path | None) -> None:
    for path, hint in ((out, "--out"), (review_out, "--review-out")):
        if path is not None and path.suffix.lower() not in (".csv", ".parquet", ".pq"):
            raise click.BadParameter("end the name in .csv or .parquet", param_hint=hint)
    if review_out is not None and review_out.resolve() == out.resolve():
        raise click.BadParameter("must differ from --out", param_hint="--review-out")


def _config(threshold: float, review_threshold: float, seed: int) -> Any:
    from .core import LinkConfig

    if review_threshold > threshold:
        raise click.BadParameter(
            f"{review_threshold} is above --threshold {threshold}", param_hint="--review-threshold"
        )
    return LinkConfig(accept=threshold, review=review_threshold, seed=seed)


LINK_HELP = """Link the records of LEFT (a list) to RIGHT (a registry).

First every pair with the same valid NIK (or the same nik_hash) is
accepted, unless the names have no word in common and the birth dates or
kecamatan differ (a mistyped NIK that is someone else's); the other records are matched by a Fellegi-Sunter model (Splink)
trained on the files themselves, on whichever of these columns both files
have: nik or nik_hash, full_name, birth_date (YYYY-MM-DD), sex (M/F or
L/P), address, region_code (Kemendagri code, any level). Names are
compared after removing titles (H., Hj., Drs., S.Pd., ...), unifying
Muhammad/M./Moch. and the old spelling (oe, dj, tj).

\b
OUT: left_id,right_id,match_probability - one row per accepted pair,
at most one per left record (the most probable).
--review-out: the pairs between --review-threshold and --threshold, with
how each column compares (exact, close, different, missing).

\b
Example:
  sinergi link list.xlsx registry.parquet --id id --out pairs.csv \\
      --review-out review.csv
"""


@click.command("link", help=LINK_HELP)
@click.argument("left", type=_INPUT)
@click.argument("right", type=_INPUT)
@_options
def link_command(
    left: Path,
    right: Path,
    id_column: str,
    out: Path,
    threshold: float,
    review_threshold: float,
    seed: int,
    review_out: Path | None,
    engine: str,
) -> None:
    from .core import link_records
    from .inputs import LinkageInputError

    _check_outputs(out, review_out)
    config = _config(threshold, review_threshold, seed)
    try:
        with _progress() as progress:
            result = link_records(
                left,
                right,
                id_column=id_column,
                config=config,
                engine=engine,  # type: ignore[arg-type]
                progress=progress,
            )
    except (LinkageInputError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    _write(result.accepted.select(["left_id", "right_id", "match_probability"]), out)
    if review_out is not None:
        _write(result.review, review_out)
    s = result.stats
    click.echo(
        f"{s['accepted']} pairs accepted ({s['exact_nik_pairs']} by equal NIK), "
        f"{s['review']} to review; {s['records_left']} left and {s['records_right']} right "
        f"records, {s['pairs_compared']} candidate pairs compared in {s['seconds']:.1f} s -> {out}",
        err=True,
    )


DEDUPE_HELP = """Find the records of INPUT that are the same person.

Records with the same valid NIK (or nik_hash) are one person; the others
are compared as by `sinergi link`, and a cluster is every record reachable
through accepted pairs.

\b
OUT: id,cluster_id - every input id exactly once; cluster_id is the
smallest id of its cluster.
--review-out: the pairs between --review-threshold and --threshold that
are not already in one cluster.

\b
Example:
  sinergi dedupe beneficiaries.csv --id id --out clusters.csv
"""


@click.command("dedupe", help=DEDUPE_HELP)
@click.argument("input_path", metavar="INPUT", type=_INPUT)
@_options
def dedupe_command(
    input_path: Path,
    id_column: str,
    out: Path,
    threshold: float,
    review_threshold: float,
    seed: int,
    review_out: Path | None,
    engine: str,
) -> None:
    from .core import dedupe_records
    from .inputs import LinkageInputError

    _check_outputs(out, review_out)
    config = _config(threshold, review_threshold, seed)
    try:
        with _progress() as progress:
            result = dedupe_records(
                input_path,
                id_column=id_column,
                config=config,
                engine=engine,  # type: ignore[arg-type]
                progress=progress,
            )
    except (LinkageInputError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    _write(result.clusters, out)
    if review_out is not None:
        _write(result.review, review_out)
    s = result.stats
    click.echo(
        f"{s['records']} records in {s['clusters']} clusters ({s['exact_nik_pairs']} pairs by "
        f"equal NIK, {s['accepted']} accepted in all), {s['review']} pairs to review, "
        f"{s['pairs_compared']} candidate pairs compared in {s['seconds']:.1f} s -> {out}",
        err=True,
    )
