"""``sinergi report ...``: reports from the command line (no Django models at import time)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click


@click.group()
def report() -> None:
    """Reports (quarterly monev) as XLSX or PDF."""


@report.command("monev")
@click.option("--region", required=True, help="Region code, e.g. 16.07.")
@click.option("--year", required=True, type=click.IntRange(1900, 2100), help="Budget year.")
@click.option("--quarter", required=True, type=click.IntRange(1, 4), help="Quarter (1-4).")
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "pdf"]), default="xlsx", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: a name like monev-16.07-2019-Q3.xlsx in the current directory).",
)
@click.option(
    "--flagship", help="Only this flagship programme (its short code, e.g. banyuasin-prima)."
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Judge deadlines as of this date "
    "(default: the quarter's monev meeting, else the quarter's end).",
)
@click.option("--language", type=click.Choice(["id", "en"]), default="id", show_default=True)
def monev(
    region: str,
    year: int,
    quarter: int,
    fmt: str,
    out: Path | None,
    flagship: str | None,
    as_of: dt.datetime | None,
    language: str,
) -> None:
    """The quarterly monev report of a region: by agency, with totals and early warnings."""
    from sinergi.cli import _django

    _django()
    from django.utils import translation

    from sinergi.web.programs import reports, services
    from sinergi.web.programs.models import FlagshipProgramme
    from sinergi.web.regions.models import Region

    found = Region.objects.filter(code=region).first()
    if found is None:
        raise click.ClickException(f"unknown region code {region!r}")
    programme = None
    if flagship:
        programme = FlagshipProgramme.objects.filter(region=found, slug=flagship).first()
        if programme is None:
            raise click.ClickException(f"no flagship programme {flagship!r} in {region}")
    started = time.perf_counter()
    with translation.override(language):
        data = services.monev_data(
            found, year, quarter, flagship=programme, as_of=as_of.date() if as_of else None
        )
        content, _type, name = reports.build(data, fmt)
    target = out or Path(name)
    target.write_bytes(content)
    click.echo(
        f"{target}: {len(data.rows)} activities of {len(data.blocks)} agencies, "
        f"{len(data.late)} with warnings, {len(content):,} bytes in {time.perf_counter() - started:.2f} s"
    )


@click.group("monev")
def monev_group() -> None:
    """Programme planning and monitoring (monev) tasks."""


@monev_group.command("copy-year")
@click.option("--region", required=True, help="Region code, e.g. 16.07.")
@click.option("--from", "from_year", required=True, type=click.IntRange(1900, 2100))
@click.option("--to", "to_year", required=True, type=click.IntRange(1900, 2100))
@click.option(
    "--agency", "agencies", multiple=True, help="Only this agency's activities (its code); repeat."
)
@click.option("--dry-run", is_flag=True, help="Only show what would be copied.")
@click.option("--user", "username", help="Attribute the copy to this user in the audit log.")
def copy_year(
    region: str,
    from_year: int,
    to_year: int,
    agencies: tuple[str, ...],
    dry_run: bool,
    username: str | None,
) -> None:
    """Copy a budget year's plan (activities, budgets, quarterly plans, indicators and
    targets; not realisations) to another year, skipping what the target year has."""
    from sinergi.cli import _django

    _django()
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError

    from sinergi.web.accounts.models import Agency
    from sinergi.web.programs import planning
    from sinergi.web.regions.models import Region

    found = Region.objects.filter(code=region).first()
    if found is None:
        raise click.ClickException(f"unknown region code {region!r}")
    agency_ids = []
    for code in agencies:
        agency = Agency.objects.filter(region=found, code=code).first()
        if agency is None:
            raise click.ClickException(f"no agency {code!r} in {region}")
        agency_ids.append(agency.pk)
    user = None
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise click.ClickException(f"no user {username!r}")
    try:
        if dry_run:
            plan = planning.plan_copy(found, from_year, to_year, agency_ids)
        else:
            plan = planning.copy_year(found, from_year, to_year, user=user, agency_ids=agency_ids)
    except ValidationError as exc:
        raise click.ClickException("; ".join(exc.messages)) from None
    counts = plan.counts
    verb = "would copy" if dry_run else "copied"
    click.echo(
        f"{region} {from_year} -> {to_year}: {verb} {counts['activities']} activities, "
        f"{counts['outputs']} output and {counts['outcomes']} outcome indicators, "
        f"{counts['budgets']} budgets, {counts['plans']} quarterly plans; skipped "
        f"{counts['skipped_activities']} activities and {counts['skipped_indicators']} "
        "indicators already there"
    )
