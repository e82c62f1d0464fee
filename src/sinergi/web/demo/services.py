"""Load the Banyuasin demo into the configured database (idempotent).

What is real: the Kemendagri hierarchy (from the idn-area-data package) and
every figure of the seed articles (``data/seed_figures.csv``, a copy of
``shared/data/seed_figures.csv``) with its article as the citation. Anything
illustrative or synthetic that later steps add is labelled as such where it
is stored and where it is shown.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.utils.module_loading import import_string

from sinergi.web.indicators import importer, services
from sinergi.web.indicators.choices import PlanLevel
from sinergi.web.regions.services import load_hierarchy

DATA = Path(__file__).resolve().parent / "data"
SEED_FIGURES = DATA / "seed_figures.csv"
DEMO_REGION = "16.07"
# Every demo login shares this documented password (a local demo, not production).
DEMO_PASSWORD = os.environ.get("SINERGI_DEMO_PASSWORD", "Prima-Banyuasin-2026")

# The seed articles, cited by title, outlet date and file.
SEED_SOURCES = {
    "000_7409e4fdadb58a26.txt": (
        "Sinergikan Program Pemkab Banyuasin Dengan Pemerintahan Pusat Untuk Dukung Target "
        "Nasional (Rakor RKP 2025, Palembang, 31 Juli 2025)"
    ),
    "001_0cd5460b614fe378.txt": (
        "Wujudkan Banyuasin Prima, Kepala OPD Diharapkan Selalu Berinovasi "
        "(monev triwulan III Banyuasin Prima, 17 Oktober 2019)"
    ),
    "002_1625b9ee7aaa4cda.txt": (
        "Rapat Paripurna Istimewa HUT Kabupaten Banyuasin ke-22 (pidato Pj. Bupati, 22 April 2024)"
    ),
}
SEED_AS_OF = {"000_7409e4fdadb58a26.txt": "2025-07-31"}

# What plan each seed target belongs to. The articles state them as aims of
# officials, not as clauses of a regency plan, except the national 8 % growth.
SEED_TARGET_PLANS = {
    ("economic_growth", "00"): (PlanLevel.NATIONAL_RPJMN, "RPJMN 2025-2029 (Asta Cita)", ""),
    ("stunting_prevalence", "16.07"): (
        PlanLevel.ASPIRATION,
        "Sekda Banyuasin, Rakor RKP 2025 (31 Juli 2025)",
        "",
    ),
    ("open_unemployment_rate", "16.07"): (
        PlanLevel.ASPIRATION,
        "Kadisnakertrans Banyuasin, monev Banyuasin Prima (17 Oktober 2019)",
        "2019",
    ),
    ("job_fair_count", "16.07"): (
        PlanLevel.ASPIRATION,
        "Kadisnakertrans Banyuasin, monev Banyuasin Prima (17 Oktober 2019)",
        "",
    ),
}

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
]


def seed_rows() -> list[dict[str, str]]:
    """The seed figures in the importer's layout, cited and assigned to plan levels."""
    rows = []
    with SEED_FIGURES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            source_file = row["source"]
            row["source"] = f"{SEED_SOURCES.get(source_file, source_file)} [{source_file}]"
            if row["kind"] == "value" and not row["period"] and row["note"].startswith("latest"):
                row["as_of"] = SEED_AS_OF.get(source_file, "")
            if row["kind"] == "target":
                level, document, baseline = SEED_TARGET_PLANS[
                    (row["indicator"], row["region_code"])
                ]
                row["plan_level"], row["plan_document"], row["baseline_year"] = (
                    level,
                    document,
                    baseline,
                )
            rows.append(row)
    return rows


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
