"""The ``sinergi`` command.

Django is set up lazily, inside the commands that need it, so that
``sinergi estimate`` (pure ``sinergi.stats``) starts fast and works without a
database.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

import click


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.web.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise click.ClickException(str(exc)) from None


class LazyGroup(click.Group):
    """A group whose listed subcommands live in other modules and load on first use."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _dot, attr = self.lazy[cmd_name].rpartition(".")
            command = getattr(import_module(module), attr)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


# Commands defined next to the code they drive ("name": "module.attribute").
LAZY_COMMANDS: dict[str, str] = {
    "estimate": "sinergi.stats.cli.estimate",
    "user": "sinergi.web.accounts.cli.user",
    "report": "sinergi.web.programs.cli.report",
}


@click.group(
    cls=LazyGroup,
    lazy=LAZY_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="sinergi")
def main() -> None:
    """Sinergi: regional development indicators, targets and programme monitoring."""


@main.command()
@click.option(
    "--regions-source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An idn-area-data .tgz to load the hierarchy from (default: fetched with npm once).",
)
def demo(regions_source: Path | None) -> None:
    """Load the Banyuasin demo into the configured database (safe to run again)."""
    from sinergi.web import env

    # The demo's secret key must exist before Django reads its settings.
    ensure_secret_key_file(env.env_path("SINERGI_DATA_DIR", Path.cwd() / "var"))
    _django()
    from rich.console import Console

    from sinergi.web.demo.services import load_demo

    console = Console(stderr=True)
    with console.status("Loading the Banyuasin demo…") as status:
        report = load_demo(
            progress=lambda step: status.update(f"Loading the Banyuasin demo: {step}…"),
            region_source=regions_source,
        )
    for line in report.steps:
        console.print(f"[green]✓[/green] {line}")


def ensure_secret_key_file(data_dir: Path) -> None:
    """Create ``data_dir/secret_key`` before settings load (the demo's own key)."""
    import secrets

    key_file = data_dir / "secret_key"
    if not key_file.exists() and not os.environ.get("SECRET_KEY"):
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
def serve(host: str, port: int, threads: int) -> None:
    """Migrate the database if needed and serve Sinergi (waitress)."""
    _django()
    from django.core.management import call_command
    from waitress import serve as waitress_serve

    from sinergi.web.wsgi import application

    call_command("migrate", interactive=False, verbosity=0)
    click.echo(f"Sinergi is serving on http://{host}:{port}/  (Ctrl+C to stop)", err=True)
    waitress_serve(application, host=host, port=port, threads=threads, ident="sinergi")


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. `sinergi manage migrate` or `... help`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sinergi manage", *args])


@main.group()
def regions() -> None:
    """The Kemendagri region hierarchy."""


@regions.command("load")
@click.option(
    "--source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An idn-area-data .tgz (default: the configured version, fetched with npm once).",
)
@click.option("--package", "spec", help="Fetch this npm package version, e.g. idn-area-data@4.0.1.")
@click.option("--only", help="Load only this subtree, e.g. 16 for Sumatera Selatan.")
def regions_load(source: Path | None, spec: str | None, only: str | None) -> None:
    """Load or update the hierarchy (new decree: pass the newer package)."""
    _django()
    from rich.progress import Progress

    from sinergi.web.regions.services import RegionSourceError, fetch_package, load_hierarchy

    try:
        path = source or fetch_package(spec)
        with Progress(transient=True) as bar:
            task = bar.add_task("Loading regions", total=None)
            report = load_hierarchy(
                path,
                only=only,
                progress=lambda level, n: bar.update(
                    task, completed=n, description=f"Loading {level}"
                ),
            )
    except RegionSourceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{report.total} regions from {report.source}: {report.created} new, {report.updated} "
        f"updated, {report.unchanged} unchanged, {report.deactivated} deactivated "
        f"in {report.seconds:.2f} s"
    )


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--valid-only", is_flag=True, help="Import the valid rows and report the bad ones.")
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
def import_figures(file: Path, valid_only: bool, dry_run: bool) -> None:
    """Import indicator values and targets from a CSV or XLSX file."""
    _django()
    from sinergi.web.indicators.importer import ImportFailed, import_rows, read_rows

    try:
        report = import_rows(read_rows(file), valid_only=valid_only, dry_run=dry_run)
    except ImportFailed as exc:
        raise click.ClickException(str(exc)) from None
    for error in report.errors:
        click.echo(f"skipped {error}", err=True)
    verb = "validated" if dry_run else "imported"
    click.echo(
        f"{report.rows} rows {verb}: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.errors)} skipped"
    )


@main.command("store-estimates")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--region-column", required=True, help="The domain column holding region codes.")
@click.option("--period", required=True, help="Period of the survey: YYYY, YYYY-Qn or YYYY-MM.")
@click.option("--source", required=True, help="Citation, e.g. 'Susenas Maret 2023 (BPS)'.")
@click.option(
    "--map",
    "mapping",
    help="measure=indicator pairs, e.g. fgt0=poverty_rate,fgt0_extreme=extreme_poverty_rate "
    "(default: fgt0/fgt1/fgt2/gini to the poverty and Gini indicators).",
)
@click.option("--synthetic", is_flag=True, help="Label the values as synthetic (demo) data.")
def store_estimates_command(
    file: Path, region_column: str, period: str, source: str, mapping: str | None, synthetic: bool
) -> None:
    """Store the CSV written by `sinergi estimate` as indicator values (with SE and flag)."""
    _django()
    from sinergi.web.indicators.estimates import (
        EstimateStoreError,
        read_estimates_csv,
        store_estimates,
    )

    measure_map = None
    if mapping:
        try:
            measure_map = dict(pair.split("=", 1) for pair in mapping.split(","))
        except ValueError:
            raise click.BadParameter("use measure=indicator pairs", param_hint="--map") from None
    try:
        report = store_estimates(
            read_estimates_csv(file),
            region_column=region_column,
            period=period,
            source=source,
            measure_map=measure_map,
            synthetic=synthetic,
        )
    except (EstimateStoreError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged"
        + (f"; skipped: {', '.join(report.skipped)}" if report.skipped else "")
    )


@main.command()
@click.option("--region", required=True, help="Region code, e.g. 16.07.")
@click.option("--year", type=int, help="Evaluate as of this year (default: this year).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def achievements(region: str, year: int | None, fmt: str) -> None:
    """Show each indicator's value, target, achievement, band and status."""
    _django()
    from sinergi.web.indicators.services import achievement_rows
    from sinergi.web.regions.models import Region

    found = Region.objects.filter(code=region).first()
    if found is None:
        raise click.ClickException(f"unknown region code {region!r}")
    rows = achievement_rows(found, year)
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    elif fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["indicator"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{found.name} ({found.code})" + (f", {year}" if year else ""))
        for column in TABLE_COLUMNS:
            table.add_column(column)
        for row in rows:
            table.add_row(*[_fmt(row[column]) for column in TABLE_COLUMNS])
        Console().print(table)


TABLE_COLUMNS = [
    "indicator",
    "value",
    "value_year",
    "target",
    "target_year",
    "achievement",
    "band",
    "status",
]


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


if __name__ == "__main__":  # pragma: no cover
    main()
