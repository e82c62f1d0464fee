"""The API documentation page, opened in Chromium as an integrator would.

Swagger UI comes from the vendored drf-spectacular-sidecar files and its init
script from SpectacularSwaggerSplitView, so the page renders under the
project's Content Security Policy (our own origin only, no inline script or
style). ``server`` is the suite's live demo (tests/e2e/conftest.py), served as
production would (DEBUG off).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


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
