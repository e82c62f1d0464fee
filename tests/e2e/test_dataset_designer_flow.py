"""The data set designer, tried as its users would in a real browser (issue 13).

Bappeda designs a NEW quarterly data set in the browser: two elements and a
rule (weighed children who gained weight ≤ weighed children), Betung as its
reporting region, the current quarter opened, the form previewed and
published. The Betung operator then finds it in its to-do list, fills it,
meets the rule's error, fixes the figure and submits.
"""

from __future__ import annotations

import datetime as dt

import pytest

PASSWORD = "Prima-Banyuasin-2026"
CODE = "posyandu-triwulanan"
RULE = "Balita naik berat badan tidak boleh melebihi balita ditimbang"

pytestmark = pytest.mark.e2e


def _quarter(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def test_bappeda_designs_publishes_and_betung_fills_a_new_data_set(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    period = _quarter(dt.date.today())
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 768})
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

        # Bappeda starts a new data set from the collection home page.
        login("bappeda.demo")
        page.click("#designer-link")
        page.click(".list-actions a.button.primary")
        page.fill("#id_code", CODE)
        page.fill("#id_name", "Penimbangan balita posyandu (triwulanan)")
        page.select_option("#id_period_type", "quarterly")
        page.select_option("#id_owner", index=1)
        page.click("button[data-pick='all']")  # the helpers work without a round trip
        expect(page.locator("#picked")).to_contain_text("21 dari 21")
        page.click("button[data-pick='none']")
        expect(page.locator("#picked")).to_contain_text("0 dari 21")
        page.check("label.region-box:has-text('Betung') input")
        page.click("#save")
        expect(page.locator("#version-state")).to_contain_text("Belum diterbitkan")

        # Two elements.
        for code, name in [
            ("balita_ditimbang", "Balita ditimbang"),
            ("balita_naik_bb", "Balita naik berat badan"),
        ]:
            page.click("#add-element")
            page.fill("#id_code", code)
            page.fill("#id_name", name)
            page.fill("#id_unit", "anak")
            page.fill("#id_min_value", "0")
            page.click("#save")
            expect(page.locator(f"tr[data-element='{code}']")).to_be_visible()

        # A rule: gained weight <= weighed; the live check answers while it is typed.
        page.click("#add-rule")
        page.select_option("#id_left", label="Balita naik berat badan")
        page.select_option("#id_operator", "le")
        page.select_option("#id_right", label="Balita ditimbang")
        page.fill("#id_message", RULE)
        expect(page.locator("#check-summary")).to_contain_text("Belum ada wilayah pelapor")
        page.click("#save")
        expect(page.locator("#rules")).to_contain_text(RULE)

        # The current quarter, with the suggested dates.
        page.click("#add-period")
        expect(page.locator("#id_code")).to_have_value(period)
        page.click("#save")
        expect(page.locator("#periods")).to_contain_text("versi terbit pertama")

        # The preview is the operator's form; a bad figure shows the rule, nothing is saved.
        page.click("#preview")
        expect(page.locator("#preview-banner")).to_be_visible()
        page.fill("input[name='v:balita_ditimbang:']", "100")
        page.fill("input[name='v:balita_naik_bb:']", "120")
        page.click("#submit")
        expect(page.locator("#errors")).to_contain_text(RULE)
        page.click("#preview-banner a.button")

        # Publishing lists what changes, then makes it version 1.
        page.click("#publish")
        expect(page.locator("#changes")).to_contain_text("Balita naik berat badan")
        page.click("#confirm-publish")
        expect(page.locator("#version-state")).to_contain_text("Versi 1 terbit")
        logout()

        # Betung fills it in: the rule stops the submission until the figure is fixed.
        login("betung.demo")
        page.click(f"#tasks a[href*='/pendataan/{CODE}/{period}/']")
        page.fill("input[name='v:balita_ditimbang:']", "100")
        page.fill("input[name='v:balita_naik_bb:']", "120")
        page.click("#submit")
        expect(page.locator("#errors")).to_contain_text(RULE)
        expect(page.locator("#status [data-status]")).to_have_attribute("data-status", "draft")
        page.fill("input[name='v:balita_naik_bb:']", "80")
        page.click("#submit")
        expect(page.locator("#status [data-status]")).to_have_attribute("data-status", "submitted")
        browser.close()

    assert problems == []  # no script error, no Content Security Policy violation
