"""The API documentation page, opened in Chromium as an integrator would.

Swagger UI comes from the vendored drf-spectacular-sidecar files and its init
script from SpectacularSwaggerSplitView, so the page renders under the
project's Content Security Policy (our own origin only, no inline script or
style). `sinergi serve` runs on a fresh data directory as production would
(DEBUG off); the page needs no data, only the schema.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

SINERGI = os.path.join(os.path.dirname(sys.executable), "sinergi")

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("sinergi-docs")
    env = {
        **os.environ,
        "SINERGI_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "SECRET_KEY": "e2e-" + "k" * 60,
        "DJANGO_SETTINGS_MODULE": "sinergi.web.settings",
    }
    env.pop("DATABASE_URL", None)
    port = _free_port()
    log = (data_dir / "serve.log").open("w")
    proc = subprocess.Popen(
        [SINERGI, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/v1/schema/", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError((data_dir / "serve.log").read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_docs_list_the_operations_under_the_csp(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.on(
            "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        response = page.goto(f"{server}/api/v1/docs/")
        assert response is not None and response.ok
        assert "script-src 'self'" in response.headers["content-security-policy"]

        operations = page.locator(".opblock")
        expect(operations.first).to_be_visible()
        assert operations.count() >= 60
        expect(
            page.locator(".opblock-summary-path", has_text="/api/v1/achievements/")
        ).to_be_visible()
        expect(
            page.locator(".opblock-summary-path", has_text="/api/v1/collection/completeness/")
        ).to_be_visible()

        # Opening one shows its parameters and documented responses (401, 429 ...).
        page.locator(".opblock-summary-path", has_text="/api/v1/achievements/").click()
        expect(page.locator(".parameters .parameter__name", has_text="region")).to_be_visible()
        expect(
            page.locator(".responses-table .response-col_status", has_text="404")
        ).to_be_visible()
        browser.close()

    assert not [m for m in problems if "Content Security Policy" in m or "Refused" in m], problems
    assert not problems, problems
