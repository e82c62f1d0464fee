"""``sinergi beneficiaries``: import a programme's beneficiary list and match it to the registry."""

from __future__ import annotations

from pathlib import Path

import click

IMPORT_HELP = """Import a beneficiary list (CSV or XLSX, in the source's own layout) for a programme.

\b
Columns are mapped to the fields source_id (required, unique), full_name (required),
nik, birth_date (YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY or an Excel date), sex (L/P, M/F),
address, region_code (a desa or kecamatan code, or a desa name) and kk with
--map field=Header (repeatable). Fields not given use the programme's saved mapping,
else a suggestion from the headers ("NIK", "Nama", "Tgl Lahir", "JK", "Alamat", ...).
The whole file is checked first and every bad row reported (row, column, reason; never
the NIK). A malformed NIK does not reject its row (the row is matched without it).
Nothing is written unless every row is valid, or --valid-only keeps the valid rows.
Exit code 1 when nothing was written because of errors.
"""


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True)


@click.group()
def beneficiaries() -> None:
    """Programmes' beneficiary lists: import and matching to the registry."""


@beneficiaries.command("import", help=IMPORT_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--programme", "code", required=True, help="Programme code, e.g. pkh.")
@click.option("--label", required=True, help='List label, e.g. "2025 Triwulan II".')
@click.option("--map", "maps", multiple=True, metavar="FIELD=HEADER", help="Column mapping.")
@click.option("--valid-only", is_flag=True, help="Import the valid rows, skip the rest.")
@click.option("--dry-run", is_flag=True, help="Check only; write nothing.")
@click.option("--show", default=50, show_default=True, help="How many bad rows to print.")
def import_command(
    file: Path,
    code: str,
    label: str,
    maps: tuple[str, ...],
    valid_only: bool,
    dry_run: bool,
    show: int,
) -> None:
    from sinergi.cli import _django

    _django()
    from rich.table import Table

    from sinergi.web.beneficiaries import importer, services
    from sinergi.web.beneficiaries.models import Programme

    console = _console()
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        raise click.ClickException(f"no programme with code {code!r}")
    given: dict[str, str] = {}
    for item in maps:
        field, sep, header = item.partition("=")
        if not sep or field.strip() not in importer.FIELD_BY_KEY:
            raise click.ClickException(
                f"--map {item!r}: use FIELD=HEADER with FIELD one of "
                + ", ".join(importer.FIELD_KEYS)
            )
        given[field.strip()] = header.strip()
    try:
        table = importer.read_file(file, max_bytes=None)
        mapping = importer.suggest_mapping(table.headers, services.saved_mapping(programme))
        mapping.update(given)
        outcome = services.import_list(
            programme,
            file,
            label=label,
            user=None,
            mapping=mapping,
            valid_only=valid_only,
            dry_run=dry_run,
        )
    except (importer.FileRefused, importer.MappingInvalid, services.ImportRefused) as exc:
        raise click.ClickException(str(exc)) from None
    counts = outcome.counts
    summary = Table(title="Import report", show_header=False)
    summary.add_row("Rows in the file", f"{counts.get('rows', 0):,}")
    summary.add_row("Valid rows", f"{counts.get('valid_rows', 0):,}")
    summary.add_row("Rejected rows", f"{counts.get('error_rows', 0):,}")
    summary.add_row("Invalid NIK (kept, matched without it)", f"{counts.get('nik_invalid', 0):,}")
    summary.add_row("No NIK", f"{counts.get('nik_missing', 0):,}")
    console.print(summary)
    mapping_table = Table(title="Column mapping")
    mapping_table.add_column("Field")
    mapping_table.add_column("Column in the file")
    for f in importer.FIELDS:
        mapping_table.add_row(str(f.label), outcome.mapping.get(f.key, "–"))
    console.print(mapping_table)
    if outcome.problems:
        rows = Table(title=f"First {min(show, len(outcome.problems))} problems")
        for col in ("Row", "Column", "Problem", "Effect"):
            rows.add_column(col)
        for p in outcome.problems[:show]:
            rows.add_row(str(p.row), p.column, p.message, "row rejected" if p.fatal else "row kept")
        console.print(rows)
    if outcome.blist is not None:
        console.print(
            f"[green]✓[/green] List {outcome.blist.label!r} stored "
            f"({outcome.blist.rows:,} rows, list {outcome.blist.pk})"
        )
    elif dry_run and outcome.validation is not None and outcome.validation.ok:
        console.print("[green]✓[/green] Check only: no problem found; nothing was written.")
    elif dry_run:
        console.print("Check only: nothing was written.")
        raise SystemExit(1)
    else:
        console.print("[red]✗[/red] Nothing was written.")
        raise SystemExit(1)


@beneficiaries.command("match")
@click.option("--programme", "code", required=True, help="Programme code.")
@click.option("--release", "release_name", default=None, help="Release name (default: newest).")
@click.option("--list", "list_id", type=int, default=None, help="List number (default: newest).")
@click.option("--accept", type=float, default=None, help="Accept threshold (default 0.95).")
@click.option("--review", type=float, default=None, help="Review threshold (default 0.50).")
def match_command(
    code: str,
    release_name: str | None,
    list_id: int | None,
    accept: float | None,
    review: float | None,
) -> None:
    """Match a programme's newest list (or --list N) to a registry release."""
    from sinergi.cli import _django

    _django()
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from sinergi.web.beneficiaries import matching
    from sinergi.web.beneficiaries.models import BeneficiaryList, Programme, RunStatus
    from sinergi.web.registry.models import Release

    console = _console()
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        raise click.ClickException(f"no programme with code {code!r}")
    lists = BeneficiaryList.objects.filter(programme=programme, status="ready")
    blist = (
        lists.filter(pk=list_id).first()
        if list_id
        else lists.order_by("-created_at", "-id").first()
    )
    if blist is None:
        raise click.ClickException("the programme has no such ready list")
    releases = Release.objects.filter(status="ready")
    release = (
        releases.filter(name=release_name).first()
        if release_name
        else releases.order_by("-reference_date", "-created_at").first()
    )
    if release is None:
        raise click.ClickException("no such ready registry release")
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("Matching", total=1.0)
        try:
            run = matching.start(
                blist,
                release,
                user=None,
                accept=accept,
                review=review,
                background=False,
            )
        except matching.RunRefused as exc:
            raise click.ClickException(str(exc)) from None
        bar.update(task, completed=1.0)
    if run.status != RunStatus.DONE:
        console.print(f"[red]✗[/red] Matching failed: {run.stats.get('error', '?')}")
        raise SystemExit(1)
    c = run.counts
    console.print(
        f"[green]✓[/green] {blist} ↔ {release.name}: {c['rows']:,} rows; "
        f"{c['exact']:,} matched on NIK, {c['probabilistic']:,} on name/birth date/address, "
        f"{c['decided']:,} by reviewers' decisions, {c['review']:,} to review, "
        f"{c['unmatched']:,} no match; {c['duplicates']:,} duplicates within the list "
        f"({run.stats.get('seconds', 0):.1f} s; run {run.pk})"
    )
