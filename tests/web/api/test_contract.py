"""The API does what its OpenAPI schema says, checked by Schemathesis with every check.

Each identity -- anonymous, the Bappeda administrator and the Betung kecamatan
operator -- gets its own throwaway demo (``sinergi demo`` in a fresh data
directory, served by ``sinergi serve`` with DEBUG off, as production runs), so
the writes Schemathesis makes touch nothing else and the three runs can go side
by side. Bounded examples and a fixed seed keep it repeatable; the run passes
only with no failure of any check. ``schemathesis.toml`` beside this file holds
the one documented adjustment (writes naming records that do not exist).

Reproduce a failure by hand against a demo::

    st --config-file tests/web/api/schemathesis.toml run http://127.0.0.1:8000/api/v1/schema/ \\
        --checks all --max-examples 15 --seed 20261201 -w 1 -H "Authorization: Token <key>"
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = os.environ.get("SINERGI_CONTRACT_SEED", "20261201")
MAX_EXAMPLES = "15"
IDENTITIES = {"anonymous": None, "bappeda": "bappeda.demo", "kecamatan operator": "betung.demo"}
TIMEOUT = 900


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Run:
    process: subprocess.Popen[str]
    output: Path
    server: subprocess.Popen[bytes]
    server_log: Path


def _start(identity: str, username: str | None, root: Path, package: Path) -> Run:
    data_dir = root / identity.replace(" ", "-")
    data_dir.mkdir()
    env = {
        **os.environ,
        "SINERGI_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "SECRET_KEY": "contract-" + "k" * 60,
        "DJANGO_SETTINGS_MODULE": "sinergi.web.settings",
        # Schemathesis sends thousands of requests a minute; throttling is not under test.
        "API_ANON_RATE": "1000000/minute",
        "API_USER_RATE": "1000000/minute",
    }
    env.pop("DATABASE_URL", None)  # its own SQLite file, whatever the suite runs on
    sinergi = str(BIN / "sinergi")
    demo = subprocess.run(
        [sinergi, "demo", "--regions-source", str(package)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-5000:]
    headers: list[str] = []
    if username is not None:
        created = subprocess.run(
            [sinergi, "manage", "drf_create_token", username],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        key = re.search(r"token ([0-9a-f]{40})", created.stdout)
        assert key, created.stdout
        headers = ["-H", f"Authorization: Token {key.group(1)}"]
    port = _free_port()
    server_log = data_dir / "serve.log"
    server = subprocess.Popen(
        [sinergi, "serve", "--port", str(port), "--threads", "4"],
        env=env,
        stdout=server_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            # A cheap page, not the schema: a poll that times out during the first (slow)
            # schema generation would start a second one alongside it.
            urllib.request.urlopen(base + "/api/v1/regions/16.07/", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server_log.read_text()) from None
            time.sleep(0.2)
    output = data_dir / "schemathesis.txt"
    process = subprocess.Popen(
        [
            str(BIN / "st"),
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            f"{base}/api/v1/schema/",
            "--checks",
            "all",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
            # One worker: Python 3.11's ast.parse (used by Hypothesis) is not thread-safe.
            "--workers",
            "1",
            *headers,
        ],
        cwd=data_dir,  # Hypothesis' example database stays in the throwaway directory
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    return Run(process, output, server, server_log)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    from sinergi.web.regions.services import fetch_package

    root = tmp_path_factory.mktemp("api-contract")
    package = fetch_package(dest=REPO / "var" / "packages")
    started: dict[str, Run] = {}
    try:
        for identity, username in IDENTITIES.items():
            started[identity] = _start(identity, username, root, package)
        for run in started.values():
            run.process.wait(timeout=TIMEOUT)
        yield started
    finally:
        for run in started.values():
            for proc in (run.process, run.server):
                if proc.poll() is None:
                    proc.terminate()
                    proc.wait(timeout=10)


@pytest.mark.parametrize("identity", list(IDENTITIES))
def test_schemathesis_finds_nothing(runs: dict[str, Run], identity: str) -> None:
    run = runs[identity]
    report = run.output.read_text()
    summary = report[report.rfind("SUMMARY") :] if "SUMMARY" in report else report[-3000:]
    assert run.process.returncode == 0, f"{identity}:\n{report[-20000:]}"
    assert re.search(r"\d+ generated, \d+ passed", summary), summary
    assert "Internal Server Error" not in run.server_log.read_text()
