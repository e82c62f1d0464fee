"""SLRT integrated referral, tried as its users would in a real browser (issue 11).

On the live demo (``sinergi demo`` + ``sinergi serve``, DEBUG off) headless Chromium
plays the issue's "Done means": the Betung front office finds a registry household,
registers a complaint, records consent and refers it to two services; Dinkes accepts
its referral and completes it successfully, Disdik rejects its own with a reason; the
case closes; an overdue referral of the demo shows as breached on the dashboard; and
the public ticket page shows the case's status without any personal data.
"""

from __future__ import annotations

import re

import pytest

PASSWORD = "Prima-Banyuasin-2026"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
NARRATIVE = "Anak demam tinggi tiga hari dan belum berobat; keluarga tidak punya biaya (uji e2e)."
HEALTH = "Pengobatan gratis di puskesmas"
SCHOOL = "Beasiswa siswa kurang mampu daerah"

pytestmark = pytest.mark.e2e


def test_front_office_refers_a_household_to_two_services_and_the_loop_closes(
    server: str,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))

        def login(username: str) -> None:
            page.goto(f"{server}/akun/login/?next=/slrt/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("main form button.primary")
            expect(page.locator(".session .who")).to_have_text(username)

        def logout() -> None:
            page.click("form[action$='/akun/logout/'] button")

        def open_referral(ticket: str) -> None:
            page.goto(f"{server}/slrt/rujukan/?status=running")
            page.locator("table.referrals tr", has_text=ticket).locator("a").first.click()

        # The front office of Betung opens SLRT from the top bar and searches the registry
        # for a household head it takes from its own household list.
        login("betung.demo")
        page.click(".mainnav a[href='/slrt/']")
        page.click(".slrt-subnav a[href='/slrt/kasus/baru/']")
        page.goto(f"{server}/registri/")
        page.locator("main a.release-browse").first.click()
        head = page.locator("main a.household-link").first.inner_text().strip()
        assert head
        page.goto(f"{server}/slrt/kasus/baru/")
        page.fill("#q-name", head)
        page.press("#q-name", "Enter")
        page.locator("#results a.choose-household").first.click()

        # The complaint: health, walk-in, in the person's words.
        page.select_option("#id_category", "health")
        page.check("#id_channel_0")
        page.fill("#id_narrative", NARRATIVE)
        page.click("#intake-form button[type=submit]")
        ticket = page.locator("#ticket").inner_text().strip()
        assert re.fullmatch(r"SLRT-1607-\d{4}-\d{6}-[A-Z2-9]{4}", ticket), ticket
        person = page.locator("#person-name").inner_text().strip()
        expect(page.locator(".messages")).to_contain_text(ticket)

        # No referral before consent; the person agrees.
        expect(page.locator("#refer-blocked")).to_be_visible()
        page.check("#consent-form input[value='given']")
        page.click("#consent-form button[type=submit]")
        expect(page.locator("#consent-state [data-state]")).to_have_attribute("data-state", "given")

        # Two referrals: a health service (Dinkes) and a school grant (Disdik).
        for service in (HEALTH, SCHOOL):
            option = page.locator("#id_refer-service option", has_text=service).first
            page.select_option("#id_refer-service", option.get_attribute("value"))
            page.click("#refer-form button[type=submit]")
            expect(page.locator("#referral-table")).to_contain_text(service)
        rows = page.locator("#referral-table tbody tr[data-state='in_progress']")
        expect(rows).to_have_count(2)
        logout()

        # Dinkes finds it in its own queue (not Disdik's referral), accepts and completes it.
        login("dinkes.demo")
        page.goto(f"{server}/slrt/rujukan/?status=running")
        expect(page.locator("table.referrals")).to_contain_text(ticket)
        expect(page.locator("table.referrals tr", has_text=ticket)).to_have_count(1)
        open_referral(ticket)
        expect(page.locator("h1")).to_have_text(HEALTH)
        page.click("#do-accept")
        expect(page.locator("#referral-status [data-state]")).to_have_attribute(
            "data-state", "accepted"
        )
        page.check("#complete-form input[value='successful']")
        page.fill("#id_complete-reason", "Sudah diperiksa dokter puskesmas dan mendapat obat.")
        page.click("#do-complete")
        expect(page.locator("#referral-status [data-state]")).to_have_attribute(
            "data-state", "done"
        )
        expect(page.locator("#outcome")).to_have_attribute("data-outcome", "successful")
        logout()

        # Disdik rejects its referral with a reason from the list and a note.
        login("disdik.demo")
        open_referral(ticket)
        expect(page.locator("h1")).to_have_text(SCHOOL)
        page.select_option("#id_reject-reason_code", "not_eligible")
        page.fill("#id_reject-reason", "Anak belum usia sekolah; ajukan lagi tahun depan.")
        page.click("#do-reject")
        expect(page.locator("#referral-status [data-state]")).to_have_attribute(
            "data-state", "rejected"
        )
        logout()

        # Back at the front office: both answers are there and the case has closed.
        login("betung.demo")
        page.goto(f"{server}/slrt/kasus/{ticket}/")
        expect(page.locator("#case-status [data-state]")).to_have_attribute("data-state", "closed")
        expect(page.locator("#referral-table tr[data-state='done']")).to_contain_text(HEALTH)
        expect(page.locator("#referral-table tr[data-state='rejected']")).to_contain_text(
            "ajukan lagi tahun depan"
        )
        logout()

        # The Dinsos back office's dashboard shows the demo's overdue referrals as breached.
        login("dinsos.demo")
        breached = page.locator("#breached tr[data-sla='breached']")
        expect(breached.first).to_be_visible()
        assert breached.count() >= 1
        expect(page.locator("#kpis [data-count='breached']")).not_to_have_text("0")
        logout()

        # Anyone with the ticket sees the status and dates, and nothing personal.
        public = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        visitor = public.new_page()
        visitor.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        visitor.goto(f"{server}/slrt/tiket/")
        visitor.fill("#id_ticket", ticket.lower())
        visitor.click("#ticket-form button[type=submit]")
        status = visitor.locator("#public-status")
        expect(status).to_contain_text(ticket)
        expect(status.locator("[data-state='closed']")).to_be_visible()
        text = visitor.locator("main").inner_text()
        for secret in (person, head, NARRATIVE, "ajukan lagi", HEALTH, SCHOOL, "Betung"):
            assert secret not in text, secret
        assert "*" not in text  # no masked NIK or KK either
        assert ticket not in visitor.url  # the ticket was posted, not put in the address
        public.close()
        browser.close()

    assert problems == []  # no script error, no Content Security Policy violation
