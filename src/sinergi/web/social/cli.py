"""``sinergi slrt``: the SLRT jobs run from the command line (escalate breaches daily).

Also reachable without the top-level entry as ``sinergi manage slrt_escalate``.
"""

from __future__ import annotations

import datetime as dt

import click


def escalate_now(on: dt.date | None = None) -> str:
    """Escalate every running referral past its due date (once each); one summary line."""
    from sinergi.web.social import services

    done = services.escalate_breaches(on=on)
    tickets = ", ".join(r.case.ticket for r in done[:10])
    more = f" and {len(done) - 10} more" if len(done) > 10 else ""
    return f"{len(done)} referral(s) escalated" + (f": {tickets}{more}" if done else "")


@click.group()
def slrt() -> None:
    """SLRT integrated referral (Pandu Gempita)."""


@slrt.command("escalate")
@click.option(
    "--on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to check against (YYYY-MM-DD; default: today).",
)
def escalate(on: dt.datetime | None) -> None:
    """E-mail each agency's head about referrals past their due date (run daily)."""
    from sinergi.cli import _django

    _django()
    click.echo(escalate_now(on.date() if on else None))
