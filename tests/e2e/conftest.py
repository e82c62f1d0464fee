"""One live demo server for the whole browser suite.

A fresh data directory gets the demo (``sinergi demo``) and ``sinergi serve``
runs it as production would (DEBUG off, Indonesian by default). It starts once
per test session, the first time a browser test asks for ``server``, and every
e2e module shares it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SINERGI = Path(sys.executable).with_name("sinergi")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a demo served from its own fresh data directory."""
    from sinergi.web.regions.services import fetch_package

    data_dir = tmp_path_factory.mktemp("sinergi-e2e")
    env = {
        **os.environ,
        "SINERGI_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "SECRET_KEY": "e2e-" + "k" * 60,
        "DJANGO_SETTINGS_MODULE": "sinergi.web.settings",
    }
    env.pop("DATABASE_URL", None)  # its own SQLite file, whatever the suite runs on
    package = fetch_package(dest=REPO / "var" / "packages")
    subprocess.run(
        [str(SINERGI), "demo", "--regions-source", str(package)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = _free_port()
    log = (data_dir / "serve.log").open("w")
    proc = subprocess.Popen(
        [str(SINERGI), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/akun/login/", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError((data_dir / "serve.log").read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()  # a graceful stop: the workers finish their requests first
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
