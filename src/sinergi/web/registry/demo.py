"""Demo step: a SYNTHETIC DTSEN-shaped registry of Banyuasin, imported, scored and ranked.

Nothing here is a real household. :mod:`sinergi.targeting.synthetic` draws
about 230,000 households and 850,000 persons over Banyuasin's real desa codes
from the same synthetic world as the demo survey, with a few hundred planted
faults. The demo writes the input files once under the data directory
(``microdata/``), imports them through the ordinary import
(:func:`sinergi.web.registry.services.import_release`, valid rows only, so
the import report lists the faults), fits the PMT on the synthetic survey and
scores and ranks the release. A second, later release (some households
added, removed, moved or changed) gives the comparison page something to
compare. Every step is skipped when its result exists, so a second run
changes no row and rewrites no file.

The fit is deterministic (the same survey gives the same coefficients), so
the demo ships its result (``data/demo_pmt_model.json``) instead of fitting
on every fresh load; the survey is still written for ``sinergi pmt fit``.
``tests/web/registry/test_demo.py`` fits it live and compares; refresh the
file with ``.venv/bin/python scripts/demo_models.py --pmt``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User

if TYPE_CHECKING:
    from sinergi.web.registry.models import PMTModelVersion

REGION = "16.07"
SURVEY_YEAR = 2023
PACKAGED_MODEL = Path(__file__).resolve().parent / "data" / "demo_pmt_model.json"


@dataclass(frozen=True)
class DemoRelease:
    name: str
    folder: str  # under DATA_DIR/microdata
    reference_date: date
    seed: int


RELEASES = (
    DemoRelease(
        "DTSEN 2025-Q2 (sintetis)", "dtsen-banyuasin-2025-q2-synthetic", date(2025, 6, 30), 20250630
    ),
    DemoRelease(
        "DTSEN 2025-Q3 (sintetis)", "dtsen-banyuasin-2025-q3-synthetic", date(2025, 9, 30), 20250930
    ),
)


def microdata_dir() -> Path:
    return Path(settings.DATA_DIR) / "microdata"


def survey_dir() -> Path:
    """The PMT survey (households + members with characteristics, synthetic), for `sinergi pmt fit`."""
    return microdata_dir() / f"banyuasin-pmt-survey-{SURVEY_YEAR}-synthetic"


def model_path() -> Path:
    """The demo's fitted PMT artefact (JSON), kept so reruns reuse the same model."""
    return microdata_dir() / f"pmt-banyuasin-{SURVEY_YEAR}-synthetic.json"


def input_files(spec: DemoRelease) -> tuple[Path, Path]:
    folder = microdata_dir() / spec.folder
    return folder / "households.parquet", folder / "members.parquet"


def _inputs(desa: list[str], prefixes: list[str], say: Callable[[str], None]) -> None:
    """Generate the two releases' input files once (each written atomically)."""
    import pyarrow.parquet as pq

    from sinergi.targeting import synthetic

    base, later = RELEASES
    base_h, base_m = input_files(base)
    if not (base_h.exists() and base_m.exists()):
        say("registry: generating the synthetic DTSEN slice")
        synthetic.write_registry(
            base_h.parent,
            desa,
            seed=base.seed,
            reference_date=base.reference_date,
            kecamatan_prefixes=prefixes,
        )
    later_h, later_m = input_files(later)
    if not (later_h.exists() and later_m.exists()):
        say("registry: generating the next quarter's release")
        households, members = synthetic.evolve_registry(
            pq.read_table(base_h),
            pq.read_table(base_m),
            desa,
            seed=later.seed,
            reference_date=later.reference_date,
            kecamatan_prefixes=prefixes,
        )
        synthetic.write_tables(later_h.parent, {"households": households, "members": members})


def fit_model(survey: Path) -> str:
    """The demo PMT fitted on the synthetic survey in ``survey`` (written there if
    missing), as JSON: what ``data/demo_pmt_model.json`` holds."""
    from sinergi.targeting import pmt, synthetic

    if not (survey / "members.parquet").exists():
        synthetic.write_pmt_survey(survey, year=SURVEY_YEAR)
    return pmt.fit(survey, weight="weight", by="regency_code").to_json()


def _model(user: User | None, say: Callable[[str], None]) -> PMTModelVersion:
    """The demo PMT (the shipped fit of the synthetic survey), stored as a model version."""
    from sinergi.targeting import pmt, synthetic
    from sinergi.web.registry.models import PMTModelVersion

    path = model_path()
    if not path.exists():
        if not (survey_dir() / "members.parquet").exists():
            say("registry: writing the synthetic PMT survey")
            synthetic.write_pmt_survey(survey_dir(), year=SURVEY_YEAR)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(PACKAGED_MODEL.read_text(encoding="utf-8"), encoding="utf-8")
        tmp.replace(path)
    model = pmt.PMTModel.from_json(path.read_text(encoding="utf-8"))
    version, _created = PMTModelVersion.objects.get_or_create(
        version=model.version,
        defaults={"json": model.to_json(), "evaluation": model.evaluation, "created_by": user},
    )
    return version


def load(progress: Callable[[str], None] | None = None) -> str:
    """Generate (once), import, score and rank the synthetic registry releases."""
    from sinergi.web.registry import services
    from sinergi.web.registry.models import Release, ReleaseScoring

    say = progress or (lambda _m: None)
    user = User.objects.filter(username="bappeda.demo").first()
    desa, prefixes = services.desa_codes(REGION), services.kecamatan_prefixes()
    _inputs(desa, prefixes, say)
    version = _model(user, say)
    parts = []
    for spec in RELEASES:
        release = Release.objects.filter(name=spec.name).first()
        if release is None:
            say(f"registry: importing {spec.name}")
            households, members = input_files(spec)
            release, report = services.import_release(
                households,
                members,
                name=spec.name,
                reference_date=spec.reference_date,
                region_code=REGION,
                user=user,
                valid_only=True,
                synthetic=True,
            )
            if release is None:
                raise RuntimeError(f"the demo registry {spec.name} did not import: {report.counts}")
        if not ReleaseScoring.objects.filter(release=release, model=version).exists():
            say(f"registry: scoring {spec.name}")
            services.score_release(release, version, user)
        report = release.import_reports.order_by("-started_at").first()
        errors = report.counts.get("error_count", 0) if report is not None else 0
        parts.append(
            f"{spec.name}: {release.households:,} households, {release.members:,} persons "
            f"({errors} problems in the import report)"
        )
    r2 = version.evaluation.get("r2")
    fit = (
        f"PMT {version.version} (holdout R² {r2:.2f})"
        if r2 is not None
        else f"PMT {version.version}"
    )
    return f"{'; '.join(parts)}; scored with {fit}; all synthetic; input in {microdata_dir()}"
