"""``sinergi registry``: import a household registry release from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

LAYOUT_HELP = """Import a registry release (households + members) as an immutable, named release.

\b
HOUSEHOLDS: one row per household (.csv, .xlsx or .parquet):
  household_id (unique), kk (16 digits), desa_code (e.g. 16.07.05.2001), address
  (optional), floor_area_m2 (>0), floor_material (ceramic|cement|wood|bamboo|earth),
  wall_material (masonry|wood|bamboo|other), roof_material (tile|metal|asbestos|
  thatch|other), drinking_water (piped|bottled|protected_well|unprotected|surface),
  sanitation (private|shared|none), electricity (pln_metered|pln_unmetered|none),
  cooking_fuel (gas|electric|kerosene|wood|other), has_motorcycle, has_car,
  has_refrigerator, has_tv, has_smartphone (0/1), livestock_units (>=0),
  land_ha (>=0), decile (optional 1-10).
MEMBERS: one row per person:
  household_id (in HOUSEHOLDS), kk (= the household's), nik (16 digits, a real
  kecamatan prefix, DDMMYY birth date with day+40 for women), full_name, sex (M/F
  or L/P), birth_date (YYYY-MM-DD), relationship (head|spouse|child|parent|other;
  exactly one head per household), education (none|primary|junior|senior|
  tertiary), work_sector (none|agriculture|industry|services).

The whole release is checked first and every bad row is reported (file, row,
column, reason; never the NIK/KK itself). Nothing is written unless it is valid,
or --valid-only keeps the households whose rows are all valid. NIK and KK are
stored only as a keyed hash, a masked form and an encrypted token.
Exit code 1 when nothing was written because of errors (or --dry-run found some).
"""


@click.group()
def registry() -> None:
    """Household registry releases."""


@registry.command("import", help=LAYOUT_HELP)
@click.argument("households", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("members", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--release", "name", required=True, help='Release name, e.g. "DTSEN 2025-Q2".')
@click.option(
    "--region", default=None, help="Region code the slice covers (default: the home region)."
)
@click.option(
    "--reference-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date ages are computed at (YYYY-MM-DD; default: today).",
)
@click.option("--valid-only", is_flag=True, help="Import the valid households, skip the rest.")
@click.option("--dry-run", is_flag=True, help="Check only; write nothing.")
@click.option("--synthetic", is_flag=True, help="Mark the release as synthetic (demo data).")
@click.option("--show", default=50, show_default=True, help="How many bad rows to print.")
def import_command(
    households: Path,
    members: Path,
    name: str,
    region: str | None,
    reference_date: dt.datetime | None,
    valid_only: bool,
    dry_run: bool,
    synthetic: bool,
    show: int,
) -> None:
    from sinergi.cli import _django

    _django()
    from django.conf import settings
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from sinergi.targeting.schema import describe
    from sinergi.web.registry import services

    console = Console(stderr=True)
    ref = reference_date.date() if reference_date else dt.date.today()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("Checking the release", total=None)
        try:
            release, report = services.import_release(
                households,
                members,
                name=name,
                reference_date=ref,
                region_code=region or settings.SINERGI_HOME_REGION,
                user=None,
                valid_only=valid_only,
                dry_run=dry_run,
                synthetic=synthetic,
                progress=lambda step: bar.update(task, description=step.capitalize()),
            )
        except services.ImportRefused as exc:
            raise click.ClickException(str(exc)) from None
    counts = report.counts
    summary = Table(title="Import report", show_header=False)
    summary.add_row("Households in the file", f"{counts.get('households', 0):,}")
    summary.add_row("Valid households", f"{counts.get('valid_households', 0):,}")
    summary.add_row("Persons in the file", f"{counts.get('members', 0):,}")
    summary.add_row("Valid persons", f"{counts.get('valid_members', 0):,}")
    summary.add_row("Problems", f"{counts.get('error_count', 0):,}")
    console.print(summary)
    if counts.get("summary"):
        rules = Table(title="Problems by rule")
        for col in ("File", "Column", "Problem", "Rows"):
            rules.add_column(col, justify="right" if col == "Rows" else "left")
        for s in counts["summary"]:
            rules.add_row(s["file"], s["column"], describe(s["reason"]), f"{s['count']:,}")
        console.print(rules)
        rows = Table(title=f"First {min(show, len(report.errors))} bad rows")
        for col in ("File", "Row", "Column", "Problem"):
            rows.add_column(col)
        for e in report.errors[:show]:
            rows.add_row(e["file"], str(e["row"] or "-"), e["column"], describe(e["reason"]))
        console.print(rows)
    if release is not None:
        console.print(
            f"[green]✓[/green] Release {release.name!r} stored ({release.households:,} households, "
            f"{release.members:,} persons) in {services.release_dir(release)}"
        )
    elif dry_run and report.ok:
        console.print("[green]✓[/green] Check only: no problem found; nothing was written.")
    else:
        console.print("[red]✗[/red] Nothing was written.")
        raise SystemExit(1)
