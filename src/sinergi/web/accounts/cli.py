"""``sinergi user``: create users with a role and region scope, print API tokens.

Django models are imported inside the commands: this module loads before
Django is set up.
"""

from __future__ import annotations

import sys

import click

from sinergi.cli import _django

ROLES = ["bappeda_admin", "opd_operator", "kecamatan_operator", "executive_viewer"]


@click.group()
def user() -> None:
    """Users, their roles and region scope, and API tokens."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The user's role.")
@click.option("--region", required=True, help="Region code of the user's scope, e.g. 16.07.05.")
@click.option("--agency", help="Agency (OPD) code, required for an OPD operator.")
@click.option("--email", default="", help="E-mail address.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (else: API token only).",
)
@click.option("--print-token", is_flag=True, help="Print the user's API token on standard output.")
def add(
    name: str,
    role: str,
    region: str,
    agency: str | None,
    email: str,
    password_stdin: bool,
    print_token: bool,
) -> None:
    """Create user NAME.

    Example: `sinergi user add betung --role kecamatan_operator --region 16.07.05`.
    """
    _django()
    from sinergi.web.accounts.services import UserError, create_user, issue_token

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    if password_stdin and not password:
        raise click.ClickException("--password-stdin given but standard input had no password")
    try:
        created = create_user(
            username=name,
            role=role,
            region_code=region,
            agency_code=agency,
            password=password,
            email=email,
        )
    except UserError as exc:
        lines = [f"{field}: {message}" for field, msgs in exc.messages.items() for message in msgs]
        raise click.ClickException("user not created:\n  " + "\n  ".join(lines)) from None
    click.echo(
        f"created {created.username} ({role}, {region}"
        + (f", {agency}" if agency else "")
        + ("" if password else ", no password: API token only")
        + ")",
        err=True,
    )
    if print_token:
        click.echo(issue_token(created))


@user.command("token")
@click.argument("name")
@click.option("--rotate", is_flag=True, help="Replace the token (the old one stops working).")
def token(name: str, rotate: bool) -> None:
    """Print user NAME's API token (created if it has none)."""
    _django()
    from django.contrib.auth.models import User

    from sinergi.web.accounts.services import issue_token

    found = User.objects.filter(username=name).first()
    if found is None:
        raise click.ClickException(f"no user {name!r}")
    click.echo(issue_token(found, rotate=rotate))


@user.command("list")
@click.option("--region", help="Only users scoped inside this region, e.g. 16.07.")
def list_users(region: str | None) -> None:
    """List users with their role, scope and agency."""
    _django()
    from django.db.models import Q

    from sinergi.web.accounts.models import Profile

    profiles = Profile.objects.select_related("user", "agency").order_by(
        "region_id", "user__username"
    )
    if region:
        profiles = profiles.filter(Q(region_id=region) | Q(region_id__startswith=region + "."))
    for p in profiles:
        active = "" if p.user.is_active else "  (disabled)"
        click.echo(
            f"{p.user.username}\t{p.role}\t{p.region_id}\t"
            f"{p.agency.code if p.agency else '-'}{active}"
        )
