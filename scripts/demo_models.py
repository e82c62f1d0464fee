"""Refresh the trained models the demo ships instead of training them on every load.

    .venv/bin/python scripts/demo_models.py            # both
    .venv/bin/python scripts/demo_models.py --pmt      # the PMT only (seconds)
    .venv/bin/python scripts/demo_models.py --linkage  # the Splink models only (a minute)

``--pmt`` fits the demo PMT on the synthetic survey
(``src/sinergi/web/registry/data/demo_pmt_model.json``; the fit is deterministic, and
``tests/web/registry/test_demo.py`` fails when the file no longer equals a live fit).

``--linkage`` loads the steps the beneficiary lists need (regions, programmes, registry)
into a scratch data directory and trains the link and dedupe models on the demo's lists
as the demo did before it shipped them (one training on all the lists' rows left after
the NIK stage, seed 42), with the default sample sizes of a run, then writes
``src/sinergi/web/beneficiaries/data/demo_linkage_models.json``. Run it after changing
the comparisons of :mod:`sinergi.linkage` or the synthetic registry or lists
(``tests/web/beneficiaries/test_demo.py`` fails when the models no longer fit).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PMT_OUT = ROOT / "src/sinergi/web/registry/data/demo_pmt_model.json"
LINKAGE_OUT = ROOT / "src/sinergi/web/beneficiaries/data/demo_linkage_models.json"
# The demo steps the lists depend on (the others only cost time here).
NEEDED = ("programs.demo", "registry.demo")


def say(step: str) -> None:
    print(step, file=sys.stderr, flush=True)


def pmt() -> None:
    from sinergi.web.registry import demo

    PMT_OUT.parent.mkdir(parents=True, exist_ok=True)
    PMT_OUT.write_text(demo.fit_model(demo.survey_dir()), encoding="utf-8")
    say(f"wrote {PMT_OUT}")


def linkage() -> int:
    from sinergi.web.beneficiaries import demo
    from sinergi.web.demo import services

    services.DEMO_STEPS = [
        s for s in services.DEMO_STEPS if s[1].removesuffix(".load").endswith(NEEDED)
    ]
    services.load_demo(progress=say)
    # Splink's own sample sizes (those of a run started from the lists page): training
    # no longer happens at load time, and the demo's smaller samples gave models whose
    # review queue varied from about 100 to 380 pairs between trainings.
    models: dict[str, object] = {"training": {}}
    say(demo.load(say, models=models))
    if not (models.get("link") and models.get("dedupe")):
        say("no model was trained (did the lists match?)")
        return 1
    out = {
        "comment": (
            "Splink models of the beneficiary-lists demo (synthetic data only), written by "
            "scripts/demo_models.py --linkage; see sinergi.web.beneficiaries.demo."
        ),
        "training": "splink sample sizes of sinergi.linkage.LinkConfig (defaults)",
        "link": models["link"],
        "dedupe": models["dedupe"],
    }
    LINKAGE_OUT.parent.mkdir(parents=True, exist_ok=True)
    LINKAGE_OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    say(f"wrote {LINKAGE_OUT}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pmt", action="store_true", help="refresh the PMT only")
    parser.add_argument("--linkage", action="store_true", help="refresh the Splink models only")
    args = parser.parse_args()
    both = not (args.pmt or args.linkage)
    with tempfile.TemporaryDirectory(prefix="sinergi-demo-models-") as scratch:
        os.environ["SINERGI_DATA_DIR"] = scratch
        os.environ.pop("DATABASE_URL", None)  # a scratch SQLite database
        from sinergi.cli import _django, ensure_pii_key_files, ensure_secret_key_file

        ensure_secret_key_file(Path(scratch))
        ensure_pii_key_files(Path(scratch))
        _django()
        if args.pmt or both:
            pmt()
        if args.linkage or both:
            return linkage()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
