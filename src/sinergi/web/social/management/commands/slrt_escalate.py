"""``manage.py slrt_escalate``: the daily SLA escalation (a thin wrapper, see ``social.cli``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.web.social.cli import escalate_now


class Command(BaseCommand):
    help = "Escalate SLRT referrals past their due date to each agency's head (run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(escalate_now(options["on"]))
