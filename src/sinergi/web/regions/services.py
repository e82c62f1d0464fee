"""Load and update the region hierarchy from the `idn-area-data` package.

The package (on the npm registry, ODbL, "based on the latest regulation") ships one
CSV per level in the dotted Kemendagri codes. We read its tarball as published,
never a hand-typed list, so an update after a new decree is: fetch the newer
version, load it again. Loading upserts: new codes are created, renamed or moved
ones updated, and codes no longer in the package are marked inactive (values
and targets may still point at them).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import os
import re
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
# Downloading the package: (bytes received, total bytes or None).
DownloadProgress = Callable[[int, int | None], None]
EXACT_VERSION = re.compile(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?")
PACKAGE_NAME = re.compile(r"(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*")
# Strongest first; the npm registry publishes sha512 for every package since 2017.
SRI_ALGORITHMS = ("sha512", "sha384", "sha256")
MAX_TARBALL_BYTES = 200 * 1024 * 1024
HTTP_TIMEOUT = 60
CHUNK = 256 * 1024


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


def fetch_package(
    spec: str | None = None,
    dest: Path | None = None,
    progress: DownloadProgress | None = None,
) -> Path:
    """Return the tarball of ``spec`` (``name@version``), downloading it once.

    The tarball comes straight from the npm registry over HTTPS
    (``SINERGI_NPM_REGISTRY``; no npm client needed) and is kept only if its
    bytes match the integrity hash the registry publishes. It is cached under
    the data directory as ``packages/<name>-<version>.tgz`` beside a
    ``.integrity`` file; a cached tarball that no longer matches is deleted
    and fetched again. A version may also be a dist-tag (``latest``), which
    always asks the registry.

    ``progress`` is called with ``(bytes received, total bytes or None)``
    while downloading.
    """
    spec = spec or settings.SINERGI_REGION_PACKAGE
    dest = dest or package_dir()
    name, version = _parse_spec(spec)
    registry = _registry_url(settings.SINERGI_NPM_REGISTRY)
    if EXACT_VERSION.fullmatch(version):
        cached = dest / _tarball_name(name, version)
        if cached.is_file() and _cache_is_valid(cached, name, version, registry):
            return cached
    version, tarball_url, integrity = _resolve(registry, name, version)
    cached = dest / _tarball_name(name, version)
    if cached.is_file() and _cache_is_valid(cached, name, version, registry, integrity):
        return cached
    dest.mkdir(parents=True, exist_ok=True)
    _download(tarball_url, integrity, cached, f"{name}@{version}", progress)
    return cached


def _parse_spec(spec: str) -> tuple[str, str]:
    """``idn-area-data@4.0.1`` -> ``("idn-area-data", "4.0.1")``; no version: ``latest``."""
    at = spec.rfind("@")
    name, version = (spec[:at], spec[at + 1 :]) if at > 0 else (spec, "latest")
    if not PACKAGE_NAME.fullmatch(name) or not re.fullmatch(r"[0-9A-Za-z.+-]+", version):
        raise RegionSourceError(f"{spec!r} is not an npm package spec like idn-area-data@4.0.1")
    return name, version


def _registry_url(value: str) -> str:
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise RegionSourceError(
            f"SINERGI_NPM_REGISTRY={value!r} is not an http(s) URL "
            "(e.g. https://registry.npmjs.org/)"
        )
    return value.rstrip("/") + "/"


def _tarball_name(name: str, version: str) -> str:
    """The file name ``npm pack`` gives (so caches it wrote still count)."""
    return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


def _integrity_file(tarball: Path) -> Path:
    return tarball.with_name(tarball.name + ".integrity")


def _open(url: str, what: str, accept: str | None = None) -> Any:
    """GET ``url`` (proxies from the environment, as urllib does), or a clear error."""
    headers = {"Accept": accept} if accept else {}
    try:
        return urllib.request.urlopen(
            urllib.request.Request(url, headers=headers), timeout=HTTP_TIMEOUT
        )
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise RegionSourceError(f"{what} is not on the registry ({url}: 404)") from None
        raise RegionSourceError(f"{what}: the registry answered {exc.code} for {url}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RegionSourceError(
            f"{what} cannot be fetched from {url} ({reason}). Check the network, "
            "HTTPS_PROXY or SINERGI_NPM_REGISTRY, or pass a downloaded .tgz with --source."
        ) from None


def _resolve(registry: str, name: str, version: str) -> tuple[str, str, str]:
    """``(exact version, tarball URL, SRI integrity)`` from the registry's metadata."""
    url = registry + urllib.parse.quote(name, safe="@")
    with _open(url, name, accept="application/vnd.npm.install-v1+json, application/json") as r:
        try:
            meta = json.load(r)
        except ValueError:  # includes JSONDecodeError and UnicodeDecodeError
            meta = None
    if not isinstance(meta, dict):
        raise RegionSourceError(f"{url}: the registry did not answer with package metadata")
    exact = meta.get("dist-tags", {}).get(version, version)
    dist = meta.get("versions", {}).get(exact, {}).get("dist")
    if not dist:
        known = ", ".join(sorted(meta.get("versions", {}))[-5:]) or "none"
        raise RegionSourceError(f"{name}@{version} is not on {registry} (versions: {known})")
    tarball, integrity = dist.get("tarball", ""), dist.get("integrity", "")
    if urllib.parse.urlsplit(tarball).scheme not in ("https", "http"):
        raise RegionSourceError(f"{name}@{exact}: the registry gives no tarball URL")
    if not _strongest_hash(integrity):
        raise RegionSourceError(
            f"{name}@{exact}: the registry publishes no sha512 integrity hash to verify against"
        )
    return exact, tarball, integrity


def _strongest_hash(integrity: str) -> tuple[str, bytes] | None:
    """The strongest ``(algorithm, digest)`` of an SRI string ``sha512-<base64> ...``."""
    found: dict[str, bytes] = {}
    for token in integrity.split():
        algorithm, _dash, value = token.partition("-")
        if algorithm in SRI_ALGORITHMS:
            try:
                found[algorithm] = base64.b64decode(value.split("?")[0], validate=True)
            except ValueError:
                continue
    for algorithm in SRI_ALGORITHMS:
        if algorithm in found:
            return algorithm, found[algorithm]
    return None


def _matches(path: Path, integrity: str) -> bool:
    strongest = _strongest_hash(integrity)
    if strongest is None:
        return False
    with path.open("rb") as f:
        digest = hashlib.file_digest(f, strongest[0]).digest()
    return hmac.compare_digest(digest, strongest[1])


def _cache_is_valid(
    cached: Path, name: str, version: str, registry: str, integrity: str | None = None
) -> bool:
    """Whether the cached tarball matches its integrity; a mismatch deletes it.

    The integrity recorded at download time is used; a tarball cached without
    one (``npm pack`` wrote it, or it was copied in) is checked against the
    registry once and the hash recorded.
    """
    record = _integrity_file(cached)
    if integrity is None:
        integrity = record.read_text().strip() if record.is_file() else None
    if integrity is None:
        _exact, _url, integrity = _resolve(registry, name, version)
    if _matches(cached, integrity):
        if not record.is_file():
            _write_atomically(record, integrity.encode())
        return True
    cached.unlink(missing_ok=True)
    record.unlink(missing_ok=True)
    return False


def _write_atomically(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as tmp:
        tmp.write(data)
    os.chmod(tmp.name, 0o644)  # as npm pack leaves it; the temp file is 0600
    os.replace(tmp.name, path)


def _download(
    url: str, integrity: str, target: Path, what: str, progress: DownloadProgress | None
) -> None:
    """Download ``url`` to ``target``, keeping it only if it matches ``integrity``.

    The bytes go to a temporary file beside the target and are renamed into
    place after the check, so a concurrent reader never sees a partial file.
    """
    strongest = _strongest_hash(integrity)
    assert strongest is not None  # _resolve checked it
    algorithm, expected = strongest
    digest = hashlib.new(algorithm)
    with (
        _open(url, what) as response,
        tempfile.NamedTemporaryFile(dir=target.parent, prefix=".tmp-", delete=False) as tmp,
    ):
        try:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            received = 0
            while chunk := response.read(CHUNK):
                received += len(chunk)
                if received > MAX_TARBALL_BYTES:
                    raise RegionSourceError(
                        f"{what}: {url} is larger than {MAX_TARBALL_BYTES // 2**20} MB"
                    )
                digest.update(chunk)
                tmp.write(chunk)
                if progress:
                    progress(received, total)
        except BaseException:
            tmp.close()
            os.unlink(tmp.name)
            raise
    if not hmac.compare_digest(digest.digest(), expected):
        os.unlink(tmp.name)
        raise RegionSourceError(
            f"{what}: the downloaded tarball does not match the registry's {algorithm} "
            f"integrity hash (got {algorithm}-{base64.b64encode(digest.digest()).decode()}, "
            f"expected {integrity}); it was deleted. The download was corrupted or "
            "tampered with: retry, or check SINERGI_NPM_REGISTRY and any proxy."
        )
    _write_atomically(_integrity_file(target), integrity.encode())
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, target)


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
        Path of an ``idn-area-data`` tarball; fetched from the registry when omitted.
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
