"""Load the Banyuasin demo into the configured database (idempotent).

What is real: the Kemendagri hierarchy (from the idn-area-data package) and
every figure of the seed articles (``data/seed_figures.csv``, one row per
figure) with its article as the citation. Anything
illustrative or synthetic that later steps add is labelled as such where it
is stored and where it is shown.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.utils.module_loading import import_string

from sinergi.web.indicators import importer, services
from sinergi.web.regions.services import load_hierarchy

DATA = Path(__file__).resolve().parent / "data"
SEED_FIGURES = DATA / "seed_figures.csv"
DEMO_REGION = "16.07"
# Every demo login shares this documented password (a local demo, not production).
DEMO_PASSWORD = os.environ.get("SINERGI_DEMO_PASSWORD", "Prima-Banyuasin-2026")

Progress = Callable[[str], None]


@dataclass
class DemoReport:
    steps: list[str] = field(default_factory=list)


# The demo loaders of the other capabilities, in order: dotted paths of
# functions taking the progress callback and returning a one-line summary.
# Each must be idempotent.
DEMO_STEPS: list[tuple[str, str]] = [
    ("survey estimates (synthetic)", "sinergi.web.indicators.demo_survey.load"),
    ("Banyuasin Prima monev", "sinergi.web.programs.demo.load"),
    ("kecamatan data collection", "sinergi.web.collection.demo.load"),
    ("household registry (synthetic)", "sinergi.web.registry.demo.load"),
    ("SLRT referrals (illustrative)", "sinergi.web.social.demo.load"),
    ("beneficiary lists (synthetic)", "sinergi.web.beneficiaries.demo.load"),
    ("coordination meetings (seeds 000, 001, 003)", "sinergi.web.meetings.demo.load"),
]


def seed_rows() -> list[dict[str, str]]:
    """The seed figures, exactly as ``sinergi import data/seed_figures.csv`` reads them.

    The file carries everything the importer needs (citation, plan level and
    document, baseline year, "as of" date), so the demo and a user's import
    of the same file store the same rows.
    """
    return importer.read_rows(SEED_FIGURES)


def load_demo(progress: Progress | None = None, region_source: Path | None = None) -> DemoReport:
    """Migrate, then load regions, the catalogue, the seed figures and the extra steps."""
    say = progress or (lambda _msg: None)
    report = DemoReport()
    call_command("migrate", interactive=False, verbosity=0)
    say("regions")
    regions = load_hierarchy(source=region_source)
    report.steps.append(
        f"regions: {regions.total} from {regions.source} ({regions.created} new, "
        f"{regions.updated} updated) in {regions.seconds:.1f} s"
    )
    say("catalogue")
    report.steps.append(f"catalogue: {services.ensure_catalogue()} indicators")
    say("seed figures")
    result = importer.import_rows(seed_rows())
    report.steps.append(
        f"seed figures: {result.created} new, {result.updated} updated, {result.unchanged} unchanged"
    )
    for name, dotted in DEMO_STEPS:
        say(name)
        report.steps.append(f"{name}: {import_string(dotted)(say)}")
    return report
