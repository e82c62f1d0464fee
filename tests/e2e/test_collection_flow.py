"""Kecamatan data collection, tried as its users would in a real browser.

A fresh data directory gets the demo (`sinergi demo`), `sinergi serve` runs it
as production would (DEBUG off), and headless Chromium plays the story of
issue 4: the Betung operator fills the quarter's form, hits a validation
error, fixes it and submits; the OPD verifier returns it; the operator fixes
it; it is verified and Bappeda approves it; the regency value moves and the
completeness page shows Betung on time.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request

import pytest

PASSWORD = "Prima-Banyuasin-2026"
DATASET = "kecamatan-triwulanan"
BETUNG = "16.07.05"

pytestmark = pytest.mark.e2e


def _quarter(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _api_value(base: str, indicator: str, region: str, period: str) -> float | None:
    url = f"{base}/api/v1/values/?indicator={indicator}&region={region}&period={period}"
    with urllib.request.urlopen(url, timeout=5) as response:
        rows = json.load(response)["results"]
    return float(rows[0]["value"]) if rows else None


def test_operator_verifier_and_bappeda_take_a_form_to_approval(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    period = _quarter(dt.date.today())
    entry = f"{server}/pendataan/{DATASET}/{period}/{BETUNG}/"
    before = _api_value(server, "children_under5_measured", "16.07", period) or 0.0
    problems: list[str] = []

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))

        def login(username: str) -> None:
            page.goto(f"{server}/akun/login/?next=/pendataan/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("form button.primary")
            expect(page.locator(".session .who")).to_have_text(username)

        def logout() -> None:
            page.click("form[action$='/akun/logout/'] button")

        def status() -> str:
            return page.locator("#status [data-status]").get_attribute("data-status") or ""

        # The kecamatan operator finds the quarter in its to-do list and types the figures,
        # moving from cell to cell with Enter; one figure is impossible.
        login("betung.demo")
        page.click(f"#tasks a[href$='/{period}/{BETUNG}/']")
        page.click("input[name='v:children_under5_measured:m']")
        for figure in ["1300", "1250", "2000", "130", "120", "1600"]:
            page.keyboard.type(figure)
            page.keyboard.press("Enter")
        expect(page.locator("#fill")).to_have_js_property("value", 6)
        page.click("#submit")
        expect(page.locator("#errors")).to_contain_text(re.compile(r"2[.,]?000"))  # localised
        assert status() == "draft"
        page.fill("input[name='v:children_under5_stunted:m']", "150")
        page.click("#submit")
        expect(page.locator("#status [data-status]")).to_have_attribute("data-status", "submitted")
        expect(page.locator("#review")).to_have_count(0)  # the reviewers' panel is not its own
        logout()

        # The OPD verifier sends it back with a reason.
        login("verifikator.demo")
        page.goto(entry)
        page.fill("#id-comment", "KUR recipients look doubled; check the bank list.")
        page.click("#do-return")
        expect(page.locator("#status [data-status]")).to_have_attribute("data-status", "returned")
        logout()

        # The operator reads the reason, corrects the figure and submits again.
        login("betung.demo")
        page.goto(entry)
        expect(page.locator("#return-comment")).to_contain_text("KUR recipients look doubled")
        page.fill("input[name='v:kur_recipients_active:']", "800")
        page.click("#submit")
        expect(page.locator("#status [data-status]")).to_have_attribute("data-status", "submitted")
        logout()

        login("verifikator.demo")
        page.goto(entry)
        page.click("#do-verify")
        expect(page.locator("#status [data-status]")).to_have_attribute("data-status", "verified")
        logout()

        # Bappeda approves from its to-do list; the figures flow into the indicators.
        login("bappeda.demo")
        page.click(f"#tasks a[href$='/{period}/{BETUNG}/']")
        page.click("#do-approve")
        expect(page.locator("#status [data-status]")).to_have_attribute("data-status", "approved")
        after = _api_value(server, "children_under5_measured", "16.07", period)
        assert after == before + 2550
        page.goto(f"{server}/wilayah/16.07/indikator/children_under5_measured/")
        roman = ["I", "II", "III", "IV"][int(period[-1]) - 1]
        expect(page.locator(f"tr[data-period='{period}']")).to_contain_text(
            f"Triwulan {roman} {period[:4]}"
        )

        page.goto(f"{server}/pendataan/{DATASET}/{period}/")
        row = page.locator(f"tr[data-region='{BETUNG}'] [data-timeliness]")
        expect(row).to_have_attribute("data-timeliness", "on_time")

        # Bappeda opens a kecamatan that has not reported: a page that says so, not a 404.
        missing = page.locator("tr:has([data-timeliness='missing']) a").first
        missing.click()
        expect(page.locator("#not-started")).to_be_visible()

        # The history of Betung's form reads as a record in words, in local time.
        page.goto(entry)
        page.click("text=Riwayat lengkap")
        expect(page.locator("h1")).to_contain_text("Riwayat perubahan: Pengisian Kecamatan Betung")
        expect(page.locator("#history")).to_contain_text("Disetujui")
        expect(page.locator("#history")).not_to_contain_text("updated_by")
        browser.close()

    assert problems == []  # no script error, no Content Security Policy violation
