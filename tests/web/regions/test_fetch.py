"""Fetching the idn-area-data tarball from the npm registry without npm.

The real registry is used where the behaviour is the registry's (metadata,
published integrity, 404); a small local registry (a real HTTP server on
127.0.0.1) serves a tarball whose bytes were changed, which the registry
cannot be made to do.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sinergi.web.regions.services import RegionSourceError, fetch_package, read_package

PACKAGE = "idn-area-data"
VERSION = "4.0.1"
TARBALL = f"{PACKAGE}-{VERSION}.tgz"
UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing listens there


def _published_integrity() -> str:
    """The integrity the real registry publishes, read independently of the code under test."""
    url = f"https://registry.npmjs.org/{PACKAGE}/{VERSION}"
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)["dist"]["integrity"]


def _sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def no_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH with python alone: no npm, no node."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    assert shutil.which("npm") is None and shutil.which("node") is None


@pytest.fixture
def local_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """A registry on 127.0.0.1 serving the paths put in the returned dict."""
    files: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    files["base"] = f"http://127.0.0.1:{server.server_address[1]}/".encode()
    yield files
    server.shutdown()
    server.server_close()


def _publish(registry: dict[str, bytes], tarball: bytes, integrity: str) -> str:
    """Put package metadata and a tarball on the local registry; return its URL."""
    base = registry["base"].decode()
    registry[f"/{PACKAGE}/-/{TARBALL}"] = tarball
    registry[f"/{PACKAGE}"] = json.dumps(
        {
            "name": PACKAGE,
            "dist-tags": {"latest": VERSION},
            "versions": {
                VERSION: {
                    "dist": {"tarball": f"{base}{PACKAGE}/-/{TARBALL}", "integrity": integrity}
                }
            },
        }
    ).encode()
    return base


def test_downloads_from_the_registry_without_npm_and_verifies_it(tmp_path, no_npm, settings):
    seen: list[tuple[int, int | None]] = []
    path = fetch_package(f"{PACKAGE}@{VERSION}", dest=tmp_path, progress=lambda *a: seen.append(a))
    assert path == tmp_path / TARBALL  # where npm pack put it: existing caches still count
    data = path.read_bytes()
    assert _sri(data) == _published_integrity()
    assert seen[-1] == (len(data), len(data))
    rows = list(read_package(path, only="16.07"))
    assert ("16.07", "Kabupaten Banyuasin", "regency") in rows

    # Cached and verified: a second call needs no registry at all.
    settings.SINERGI_NPM_REGISTRY = UNREACHABLE
    assert fetch_package(f"{PACKAGE}@{VERSION}", dest=tmp_path) == path
    assert path.read_bytes() == data


def test_a_dist_tag_resolves_to_a_version(tmp_path, region_package):
    shutil.copy(region_package, tmp_path / TARBALL)
    # "latest" is 4.0.1 on the registry today; the cached copy is verified and reused.
    path = fetch_package(PACKAGE, dest=tmp_path)
    assert path.name.startswith(f"{PACKAGE}-") and path.name.endswith(".tgz")


def test_a_corrupted_cached_tarball_is_refused_and_fetched_again(tmp_path, region_package):
    good = region_package.read_bytes()
    cached = tmp_path / TARBALL
    corrupted = bytearray(good)
    corrupted[len(corrupted) // 2] ^= 0xFF
    cached.write_bytes(bytes(corrupted))  # no recorded integrity: checked against the registry

    path = fetch_package(f"{PACKAGE}@{VERSION}", dest=tmp_path)
    assert path == cached and path.read_bytes() == good
    assert (tmp_path / f"{TARBALL}.integrity").read_text() == _published_integrity()


def test_a_corrupted_cache_is_deleted_even_offline(tmp_path, region_package, settings):
    fetch_source = tmp_path / "cache"
    fetch_source.mkdir()
    cached = fetch_source / TARBALL
    data = bytearray(region_package.read_bytes())
    (fetch_source / f"{TARBALL}.integrity").write_text(_sri(bytes(data)))
    data[100] ^= 0x01
    cached.write_bytes(bytes(data))
    settings.SINERGI_NPM_REGISTRY = UNREACHABLE
    with pytest.raises(RegionSourceError, match=r"cannot be fetched from http://127\.0\.0\.1:9/"):
        fetch_package(f"{PACKAGE}@{VERSION}", dest=fetch_source)
    assert not cached.exists()  # never used


def test_a_download_that_does_not_match_the_published_integrity_is_refused(
    tmp_path, region_package, local_registry, settings
):
    good = region_package.read_bytes()
    tampered = bytearray(good)
    tampered[-1000] ^= 0x20  # one bit of the real tarball
    settings.SINERGI_NPM_REGISTRY = _publish(local_registry, bytes(tampered), _sri(good))

    with pytest.raises(RegionSourceError, match="does not match the registry's sha512") as err:
        fetch_package(f"{PACKAGE}@{VERSION}", dest=tmp_path)
    assert "it was deleted" in str(err.value)
    assert list(tmp_path.iterdir()) == []  # no tarball, no record, no temporary file

    # The same registry serving the untouched bytes is accepted: the bytes were refused.
    _publish(local_registry, good, _sri(good))
    assert fetch_package(f"{PACKAGE}@{VERSION}", dest=tmp_path).read_bytes() == good


def test_clear_errors(tmp_path, settings, local_registry):
    with pytest.raises(RegionSourceError, match=r"idn-area-data@0\.0\.999 is not on"):
        fetch_package(f"{PACKAGE}@0.0.999", dest=tmp_path)
    with pytest.raises(RegionSourceError, match="not an npm package spec"):
        fetch_package("Not A Package!@1.0.0", dest=tmp_path)
    settings.SINERGI_NPM_REGISTRY = "ftp://example.org/"
    with pytest.raises(RegionSourceError, match=r"SINERGI_NPM_REGISTRY='ftp://example\.org/'"):
        fetch_package(f"{PACKAGE}@{VERSION}", dest=tmp_path)
    settings.SINERGI_NPM_REGISTRY = _publish(local_registry, b"", "")
    with pytest.raises(RegionSourceError, match="publishes no sha512 integrity"):
        fetch_package(f"{PACKAGE}@{VERSION}", dest=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_cli_reports_a_fetch_error_without_a_traceback(settings):
    from sinergi.cli import main

    settings.SINERGI_NPM_REGISTRY = UNREACHABLE
    result = CliRunner().invoke(main, ["regions", "load", "--package", f"{PACKAGE}@0.0.1"])
    assert result.exit_code == 1
    assert "cannot be fetched from http://127.0.0.1:9/" in result.output
    assert "--source" in result.output
