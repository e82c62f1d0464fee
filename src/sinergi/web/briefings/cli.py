"""``sinergi briefing``: a briefing document from the command line (no Django at import time)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import click


@click.command("briefing")
@click.option("--region", required=True, help="Region code, e.g. 16.07.")
@click.option("--year", required=True, type=click.IntRange(1900, 2100), help="Year.")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["achievements", "rakor", "monev", "minutes"]),
    help="achievements (the year's achievements), rakor (coordination meeting briefing), "
    "monev (the quarter's programme summary) or minutes (a meeting's minutes).",
)
@click.option(
    "--meeting", type=int, help="Meeting id, for --kind minutes (default: the latest of the year)."
)
@click.option("--quarter", type=click.IntRange(1, 4), help="Quarter (1-4), for --kind monev.")
@click.option(
    "--format", "fmt", type=click.Choice(["docx", "pdf"]), default="pdf", show_default=True
)
@click.option("--language", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: a name like capaian-16.07-2023.pdf in the current directory).",
)
def briefing(
    region: str,
    year: int,
    kind: str,
    quarter: int | None,
    fmt: str,
    language: str,
    out: Path | None,
    meeting: int | None = None,
) -> None:
    """A briefing written from the data, as DOCX or PDF (narrative by rules, every figure cited)."""
    from sinergi.cli import _django

    _django()
    from sinergi.web.briefings import services
    from sinergi.web.regions.models import Region

    found = Region.objects.filter(code=region).first()
    if found is None:
        raise click.ClickException(f"unknown region code {region!r}")
    started = time.perf_counter()
    selection = contextlib.nullcontext()
    if meeting is not None:
        from sinergi.web.meetings.minutes import selected
        from sinergi.web.meetings.models import Meeting

        if kind != "minutes":
            raise click.ClickException("--meeting: only for --kind minutes")
        if not Meeting.objects.filter(pk=meeting, region_id=found.code).exists():
            raise click.ClickException(f"--meeting: no meeting {meeting} of region {region}")
        selection = selected(meeting)
    try:
        with selection:
            rendered = services.render(
                found,
                kind,
                year,
                fmt,
                quarter=quarter,
                language=language,  # type: ignore[arg-type]
            )
    except services.BriefingError as exc:
        raise click.ClickException(f"--{exc.field}: {exc.message}") from None
    target = out or Path(rendered.filename)
    target.write_bytes(rendered.content)
    doc = rendered.document
    paragraphs = sum(1 for s in doc.sections for b in s.blocks if hasattr(b, "style"))
    click.echo(
        f"{target}: {kind} of {found.name} {year}, {len(doc.sections)} sections, "
        f"{paragraphs} paragraphs, {len(doc.citations())} sources, "
        f"{len(doc.omissions)} figures left out of the narrative, "
        f"{len(rendered.content):,} bytes in {time.perf_counter() - started:.2f} s"
    )
