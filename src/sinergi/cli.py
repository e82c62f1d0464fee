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
    """Set Django up for a command; the command line speaks English.

    The web interface is Indonesian by default, so messages the services
    translate (validation errors, import problems) would otherwise come out in
    Indonesian here, among the CLI's own English lines.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.web.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise click.ClickException(str(exc)) from None
    from django.utils import translation

    translation.activate("en")


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
    "monev": "sinergi.web.programs.cli.monev_group",
    "pmt": "sinergi.targeting.cli.pmt",
    "deciles": "sinergi.targeting.cli.deciles_command",
    "registry": "sinergi.web.registry.cli.registry",
    "briefing": "sinergi.web.briefings.cli.briefing",
    "beneficiaries": "sinergi.web.beneficiaries.cli.beneficiaries",
    "convergence": "sinergi.targeting.cli.convergence_command",
    "link": "sinergi.linkage.cli.link_command",
    "dedupe": "sinergi.linkage.cli.dedupe_command",
    "slrt": "sinergi.web.social.cli.slrt",
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
    help="An idn-area-data .tgz to load the hierarchy from (default: downloaded once).",
)
def demo(regions_source: Path | None) -> None:
    """Load the Banyuasin demo into the configured database (safe to run again)."""
    from sinergi.web import env

    # The demo's secret key must exist before Django reads its settings.
    ensure_secret_key_file(env.env_path("SINERGI_DATA_DIR", Path.cwd() / "var"))
    ensure_pii_key_files(env.env_path("SINERGI_DATA_DIR", Path.cwd() / "var"))
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


def ensure_pii_key_files(data_dir: Path) -> None:
    """Create the registry's NIK/KK hash and encryption keys in ``data_dir`` (demo keys)."""
    import secrets

    for var, file_name in (
        ("SINERGI_PII_HASH_KEY", "pii_hash_key"),
        ("SINERGI_PII_ENCRYPTION_KEY", "pii_encryption_key"),
    ):
        key_file = data_dir / file_name
        if not key_file.exists() and not os.environ.get(var):
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes (gunicorn; default: the number of CPU cores).",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    help="Threads per worker (default: 4 with gunicorn, 8 with waitress).",
)
@click.option(
    "--server",
    type=click.Choice(["gunicorn", "waitress"]),
    default="gunicorn",
    show_default=True,
    help="gunicorn (processes x threads) or waitress (one process, threads; the old default).",
)
@click.option(
    "--access-log",
    metavar="FILE",
    help="gunicorn: write one line per request (with the worker's pid) to FILE, '-' = stdout.",
)
@click.option(
    "--timeout",
    default=120,
    show_default=True,
    type=int,
    help="gunicorn: restart a worker stuck on one request this many seconds.",
)
def serve(
    host: str,
    port: int,
    workers: int | None,
    threads: int | None,
    server: str,
    access_log: str | None,
    timeout: int,
) -> None:
    """Migrate the database if needed and serve Sinergi.

    gunicorn runs WORKERS processes of THREADS threads each (a page is mostly
    Python, so processes are what use more than one core). The database is
    migrated once, here, before the workers start. SIGTERM stops the server
    and every worker once the requests under way are answered (at most 20 s);
    Ctrl+C stops them at once.
    """
    if server == "waitress" and workers not in (None, 1):
        raise click.UsageError("waitress runs one process; --workers is for gunicorn")
    _django()
    from django.core.management import call_command
    from django.db import connections

    from sinergi.web.wsgi import application

    call_command("migrate", interactive=False, verbosity=0)
    _warm_up()
    # No connection (or connection pool) of this process may be inherited by the workers.
    _close_database_connections(connections)
    if server == "waitress":
        from waitress import serve as waitress_serve

        click.echo(f"Sinergi is serving on http://{host}:{port}/  (Ctrl+C to stop)", err=True)
        waitress_serve(application, host=host, port=port, threads=threads or 8, ident="sinergi")
        return
    workers = workers or os.cpu_count() or 1
    threads = threads or 4
    click.echo(
        f"Sinergi is serving on http://{host}:{port}/ with {workers} workers x {threads} "
        "threads  (Ctrl+C to stop)",
        err=True,
    )
    _run_gunicorn(
        application,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": timeout,
            # A browser keeps its connection for the next page; gunicorn's default is 2 s.
            "keepalive": 5,
            "graceful_timeout": 20,
            "accesslog": access_log,
            "access_log_format": '%(h)s "%(r)s" %(s)s %(B)s %(M)sms pid=%(p)s',
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "sinergi",
            # One fixed path for every instance on the machine: off, like any remote control.
            "control_socket_disable": True,
        },
    )


# What a worker would otherwise load on its first requests (the report libraries are
# imported lazily by the views): loaded once here, before gunicorn forks, every worker
# starts with it (copy-on-write), so no first request waits half a second for it.
WARM_MODULES = (
    "openpyxl",
    "reportlab.pdfgen.canvas",
    "reportlab.platypus",
    "sinergi.web.programs.reports",
    "sinergi.web.core.lists",
)
WARM_TEMPLATES = (
    "base.html",
    "indicators/dashboard.html",
    "indicators/detail.html",
    "collection/entry.html",
    "programs/overview.html",
    "programs/realisation_form.html",
)


def _warm_up() -> None:
    """Import every view (the URL patterns), the report libraries, and compile the busiest
    templates in the master process."""
    import importlib

    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every app's views and the API)
    for name in WARM_MODULES:
        importlib.import_module(name)
    for name in WARM_TEMPLATES:
        get_template(name)


def _close_database_connections(connections: Any) -> None:
    """Close this process's connections and PostgreSQL pools (before gunicorn forks)."""
    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()


def _run_gunicorn(app: Any, options: dict[str, Any]) -> None:
    """Run gunicorn from Python with these options (no command line, no config file)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    Server().run()


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
    help="An idn-area-data .tgz, for offline use (default: the configured version, "
    "downloaded once from the npm registry, SINERGI_NPM_REGISTRY, and verified).",
)
@click.option("--package", "spec", help="Fetch this package version, e.g. idn-area-data@4.0.1.")
@click.option("--only", help="Load only this subtree, e.g. 16 for Sumatera Selatan.")
def regions_load(source: Path | None, spec: str | None, only: str | None) -> None:
    """Load or update the hierarchy (new decree: pass the newer package)."""
    _django()
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    from sinergi.web.regions.services import RegionSourceError, fetch_package, load_hierarchy

    try:
        if source is None:
            with Progress(
                *Progress.get_default_columns(),
                DownloadColumn(),
                TransferSpeedColumn(),
                transient=True,
            ) as bar:
                task = bar.add_task("Downloading the region package", total=None)
                source = fetch_package(
                    spec, progress=lambda done, total: bar.update(task, completed=done, total=total)
                )
        path = source
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


IMPORT_HELP = """Import indicator values and targets from a CSV or XLSX file.

The whole file is checked first; each bad row is reported as "row N,
column C: reason" and nothing is written unless every row is valid (or
--valid-only). Importing the same file again changes nothing. Start from
a template: `sinergi import --template figures.xlsx` (Indonesian labels,
drop-down lists and an instruction sheet) or `--template figures.csv`.
A complete example: src/sinergi/web/demo/data/seed_figures.csv.

\b
Columns (header row; names in any case; other columns are ignored; an
XLSX header may read "Label (name)", as the template's does):
  kind           required  value | target
  indicator      required  catalogue code, e.g. poverty_rate (see the
                           template's Indicators sheet)
  region_code    required  Kemendagri code: 16.07, 16.07.05; 00 = national
  period         required  YYYY, YYYY-Qn or YYYY-MM; may be empty when the
                           source gives no year (then note says why); a
                           target: a year or empty
  value          required  number in the indicator's unit: 9.58 or 9,58,
                           no thousands separator; a target may start
                           with <, <=, > or >= (e.g. <10)
  unit           required  the indicator's unit (percent = % = persen);
                           "percent change": a target relative to
                           baseline_year (e.g. -50 = halve)
  note           optional  free text; required for a value without period
  source         optional  citation: title, publisher or outlet, date
  se             optional  value only: standard error, >= 0
  status         optional  value only: preliminary | final | revised
  as_of          optional  value only: date reported, YYYY-MM-DD
  plan_level     optional  target only: rpjmn | rkp | prov_rpjmd |
                           prov_rkpd | rpjmd | rkpd | aspiration
                           (default: the plan of the region's level)
  plan_document  optional  target only: e.g. RPJMD 2021-2026
  baseline_year  optional  target only; required with "percent change"

\b
Example rows:
  kind,indicator,region_code,period,value,unit,note,source
  value,poverty_rate,16.07,2023,9.58,percent,,BPS Kabupaten Banyuasin
  target,stunting_prevalence,16.07,,<10,percent,single digit,
"""


@main.command("import", help=IMPORT_HELP)
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--valid-only", is_flag=True, help="Import the valid rows and report the bad ones.")
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@click.option(
    "--template",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write an empty template instead (.xlsx with instructions, or .csv) and exit.",
)
def import_figures(
    file: Path | None, valid_only: bool, dry_run: bool, template: Path | None
) -> None:
    _django()
    from sinergi.web.indicators.importer import (
        ImportFailed,
        import_rows,
        read_rows,
        template_csv,
        template_xlsx,
    )

    if template is not None:
        suffix = template.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise click.BadParameter("end the name in .xlsx or .csv", param_hint="--template")
        from django.utils import translation

        # The template is for the people filling it in: Indonesian, as the interface.
        with translation.override("id"):
            content = template_xlsx() if suffix == ".xlsx" else template_csv()
        template.write_bytes(content)
        click.echo(f"wrote the import template {template}", err=True)
        return
    if file is None:
        raise click.UsageError("give the FILE to import (or --template OUT to get a template)")
    try:
        report = import_rows(read_rows(file), valid_only=valid_only, dry_run=dry_run)
    except ImportFailed as exc:
        raise click.ClickException(str(exc)) from None
    for error in report.errors:
        click.echo(f"skipped {error}", err=True)
    if dry_run:
        valid = report.rows - len({e.row for e in report.errors})
        click.echo(f"{report.rows} rows checked: {valid} valid, nothing written (--dry-run)")
        return
    click.echo(
        f"{report.rows} rows imported: {report.created} new, {report.updated} updated, "
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
@click.option("--synthetic", is_flag=True, help="Label every value synthetic (demo) data.")
@click.option(
    "--real",
    is_flag=True,
    help="Accept a file without the 'synthetic' column (made by another tool) as real "
    "survey data. Never relabels rows marked synthetic.",
)
def store_estimates_command(
    file: Path,
    region_column: str,
    period: str,
    source: str,
    mapping: str | None,
    synthetic: bool,
    real: bool,
) -> None:
    """Store the CSV written by `sinergi estimate` as indicator values (with SE and flag).

    The file's last column, `synthetic`, says whether the estimates come from
    synthetic microdata (`sinergi estimate` writes true when the Parquet
    input is marked `sinergi.synthetic=true`, as the demo's survey is). Rows
    marked true are stored as synthetic, with a source that says so, whatever
    --source says. A file without that column is refused unless you decide:
    --synthetic, or --real for estimates of real survey data.

    \b
    Example:
      sinergi store-estimates est.csv --region-column kecamatan_code \\
          --period 2023 --source "Susenas Maret 2023 (BPS)"
    """
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
            real=real,
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
        print_achievements(found, year, rows)


def print_achievements(region: Any, year: int | None, rows: list[dict[str, Any]]) -> None:
    """The achievements as a table that fits the terminal: names wrap, never cut."""
    from rich.console import Console
    from rich.table import Table

    from sinergi.web.core.formatting import number
    from sinergi.web.indicators.choices import Band, Status
    from sinergi.web.indicators.models import Indicator

    decimals = dict(Indicator.objects.values_list("code", "decimals"))
    table = Table(
        title=f"{region.name} ({region.code})" + (f", {year}" if year else ""), show_edge=False
    )
    table.add_column("Indicator", ratio=3, min_width=14)
    for header in ("Value", "Period", "Target", "By", "Ach. %"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("Band", ratio=1, min_width=4)
    table.add_column("Status", ratio=2, min_width=8)
    for row in rows:
        places = decimals.get(row["indicator"], 2)
        table.add_row(
            row["name"],
            number(row["value"], places),
            row["value_period"] or "–",
            number(row["target"], places),
            str(row["target_year"] or "–"),
            number(row["achievement"], 1),
            _label(Band, row["band"]),
            _label(Status, row["status"]),
        )
    Console().print(table)


def _label(choices: Any, code: str | None) -> str:
    """The English label of a choice code (the code itself if unknown)."""
    if not code:
        return "–"
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


if __name__ == "__main__":  # pragma: no cover
    main()
