"""Load and update the region hierarchy from the `idn-area-data` package.

The package (npm registry, ODbL, "based on the latest regulation") ships one
CSV per level in the dotted Kemendagri codes. We read its tarball as published,
never a hand-typed list, so an update after a new decree is: fetch the newer
version, load it again. Loading upserts: new codes are created, renamed or moved
ones updated, and codes no longer in the package are marked inactive (values
and targets may still point at them).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from sinergi.web.regions.models import COUNTRY_CODE, Level, Region, level_of, parent_code

# Files inside the package, from the top of the hierarchy down: parents are
# written before their children.
LEVEL_FILES = [
    ("package/data/provinces.csv", Level.PROVINCE),
    ("package/data/regencies.csv", Level.REGENCY),
    ("package/data/districts.csv", Level.DISTRICT),
    ("package/data/villages.csv", Level.VILLAGE),
]
BATCH = 5000

Progress = Callable[[str, int], None]


class RegionSourceError(Exception):
    """The region package could not be fetched or read."""


@dataclass(frozen=True)
class LoadReport:
    """What a load changed, per the whole hierarchy."""

    source: str
    created: int
    updated: int
    deactivated: int
    unchanged: int
    seconds: float

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def package_dir() -> Path:
    return Path(settings.DATA_DIR) / "packages"


def fetch_package(spec: str | None = None, dest: Path | None = None) -> Path:
    """Return the tarball of ``spec`` (``name@version``), fetching it with npm once.

    The tarball is cached under the data directory; npm verifies its integrity
    against the registry's published hash.
    """
    spec = spec or settings.SINERGI_REGION_PACKAGE
    dest = dest or package_dir()
    name, _at, version = spec.rpartition("@")
    cached = dest / f"{name}-{version}.tgz"
    if cached.is_file():
        return cached
    npm = shutil.which("npm")
    if npm is None:
        raise RegionSourceError(
            f"npm is not installed, so {spec} cannot be fetched. Install Node.js, or download "
            f"{cached.name} from the npm registry and pass it with --source."
        )
    dest.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "pack", spec, "--json", "--pack-destination", str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RegionSourceError(f"npm pack {spec} failed: {result.stderr.strip()[-500:]}")
    filename = json.loads(result.stdout)[0]["filename"]
    return dest / filename


def read_package(path: Path, only: str | None = None) -> Iterator[tuple[str, str, Level]]:
    """Yield ``(code, name, level)`` for every region in the tarball, parents first.

    ``only`` restricts to one subtree (e.g. ``"16"`` for Sumatera Selatan).
    """
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as exc:
        raise RegionSourceError(f"{path}: not a readable package tarball ({exc})") from None
    with archive:
        for member, level in LEVEL_FILES:
            try:
                raw = archive.extractfile(member)
            except KeyError:
                raise RegionSourceError(f"{path}: {member} is missing") from None
            assert raw is not None
            reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))
            for line, row in enumerate(reader, start=2):
                code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
                if not code or not name:
                    raise RegionSourceError(f"{member} line {line}: empty code or name")
                try:
                    actual = level_of(code)
                except ValueError:
                    actual = None
                if actual != level:
                    raise RegionSourceError(
                        f"{member} line {line}: code {code!r} is not a {level.label} code"
                    )
                if only and not (
                    code == only or code.startswith(only + ".") or only.startswith(code + ".")
                ):
                    continue
                yield code, name, level


def _insert(rows: list[tuple[str, str, str, str | None, bool, str]]) -> None:
    """Insert new regions with one prepared statement.

    The ORM's bulk_create spends most of a full load compiling SQL for 91,599
    model instances; a parameterised executemany on the same connection and
    transaction does the same write several times faster.
    """
    if not rows:
        return
    table = connection.ops.quote_name(Region._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (code, name, level, parent_id, active, source) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
        )


def load_hierarchy(
    source: Path | None = None,
    only: str | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Upsert the whole hierarchy from a package tarball in one transaction.

    Parameters
    ----------
    source
        Path of an ``idn-area-data`` tarball; fetched with npm when omitted.
    only
        Load only this subtree and its ancestors (tests and small demos).
    progress
        Called with ``(level label, rows read so far)`` as loading advances.
    """
    started = time.perf_counter()
    path = source or fetch_package()
    label = path.name.removesuffix(".tgz")
    rows = list(read_package(path, only))
    incoming = {code: (name, level) for code, name, level in rows}

    existing = {
        code: (name, level, parent, active, src)
        for code, name, level, parent, active, src in Region.objects.values_list(
            "code", "name", "level", "parent_id", "active", "source"
        )
    }
    created = updated = unchanged = 0
    to_create: list[tuple[str, str, str, str | None, bool, str]] = []
    to_update: list[Region] = []
    with transaction.atomic():
        if COUNTRY_CODE not in existing:
            Region.objects.create(
                code=COUNTRY_CODE, name="Indonesia", level=Level.COUNTRY, source=label
            )
        for index, (code, name, level) in enumerate(rows, start=1):
            parent = parent_code(code)
            if parent != COUNTRY_CODE and parent not in incoming and parent not in existing:
                raise RegionSourceError(f"{code} {name}: its parent {parent} is not in the package")
            old = existing.get(code)
            if old is None:
                to_create.append((code, name, str(level), parent, True, label))
                created += 1
            elif old[:4] != (name, level, parent, True):
                to_update.append(
                    Region(
                        code=code,
                        name=name,
                        level=level,
                        parent_id=parent,
                        active=True,
                        source=label,
                    )
                )
                updated += 1
            else:
                unchanged += 1
            if len(to_create) >= BATCH:
                _insert(to_create)
                to_create.clear()
            if progress and index % BATCH == 0:
                progress(level.label, index)
        _insert(to_create)
        Region.objects.bulk_update(
            to_update, ["name", "level", "parent", "active", "source"], batch_size=BATCH
        )
        gone = [
            code
            for code, (_n, _l, _p, active, _s) in existing.items()
            if active
            and code != COUNTRY_CODE
            and code not in incoming
            and (only is None or code == only or code.startswith(only + "."))
        ]
        for start in range(0, len(gone), BATCH):
            Region.objects.filter(code__in=gone[start : start + BATCH]).update(active=False)
    if progress:
        progress("done", len(rows))
    return LoadReport(
        source=label,
        created=created,
        updated=updated,
        deactivated=len(gone),
        unchanged=unchanged,
        seconds=time.perf_counter() - started,
    )
