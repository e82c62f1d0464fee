"""Accessibility and phone layout of the main pages, as each demo role sees them.

For every demo identity (anonymous and the five demo roles) headless Chromium opens
the main pages of the live demo; axe-core must find no *critical* or *serious*
violation (WCAG 2.x A/AA rules, colour contrast among them), and at 390 px wide no
page may scroll sideways as a whole (a wide table scrolls inside its own box).
Failures name the page, the rule and the offending elements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

PASSWORD = "Prima-Banyuasin-2026"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]

REGION = "16.07"
BETUNG = "16.07.05"
DATASET = "kecamatan-triwulanan"
INDICATOR = "children_under5_measured"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SEVERE = {"critical", "serious"}

ROLES = [None, "bappeda.demo", "verifikator.demo", "betung.demo", "eksekutif.demo",
         "disnakertrans.demo", "dinsos.demo"]  # fmt: skip


def _period(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _main_pages(base: str) -> list[tuple[str, str]]:
    """(label, URL) of the pages every identity opens (some answer 403/404 for a role:
    the error page is checked then)."""
    period = _period(dt.date.today())
    return [
        ("dashboard", f"{base}/wilayah/{REGION}/"),
        ("indicator", f"{base}/wilayah/{REGION}/indikator/{INDICATOR}/"),
        ("comparison", f"{base}/banding/{INDICATOR}/{REGION}/"),
        ("region browser", f"{base}/wilayah/"),
        ("monev overview", f"{base}/monev/"),
        ("collection home", f"{base}/pendataan/"),
        ("completeness", f"{base}/pendataan/{DATASET}/{period}/"),
        ("entry", f"{base}/pendataan/{DATASET}/{period}/{BETUNG}/"),
        ("users", f"{base}/akun/pengguna/"),
        ("registry", f"{base}/registri/"),
        ("registry import", f"{base}/registri/impor/"),
        ("slrt dashboard", f"{base}/slrt/"),
        ("slrt cases", f"{base}/slrt/kasus/"),
        ("slrt intake", f"{base}/slrt/kasus/baru/?nama=Siti"),
        ("slrt intake outside registry", f"{base}/slrt/kasus/baru/di-luar-registri/"),
        ("slrt referrals", f"{base}/slrt/rujukan/"),
        ("slrt services", f"{base}/slrt/layanan/"),
        ("slrt report", f"{base}/slrt/laporan/"),
        ("slrt proposals", f"{base}/slrt/usulan-registri/"),
        ("slrt ticket", f"{base}/slrt/tiket/"),
        (
            "meeting documents",
            f"{base}/wilayah/{REGION}/bahan-rapat/?jenis=achievements&tahun=2023&bahasa=id&format=pdf",
        ),
        ("programmes", f"{base}/sasaran/program/"),
        ("programme", f"{base}/sasaran/program/pkh/"),
        ("programme upload", f"{base}/sasaran/program/pkh/unggah/"),
        ("new programme", f"{base}/sasaran/program/baru/"),
        ("convergence", f"{base}/sasaran/konvergensi/dtsen-2025-q3-sintetis/"),
        (
            "convergence kecamatan",
            f"{base}/sasaran/konvergensi/dtsen-2025-q3-sintetis/wilayah/{BETUNG}/",
        ),
        ("convergence province", f"{base}/sasaran/konvergensi/provinsi/"),
        ("meetings", f"{base}/rapat/"),
        ("new meeting", f"{base}/rapat/baru/"),
        ("login", f"{base}/akun/login/"),
        ("404", f"{base}/halaman-yang-tidak-ada/"),
    ]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/akun/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button.primary")
    page.wait_for_load_state()
    assert page.locator(".session .who").inner_text() == username, f"{username} did not log in"


def _discovered(page: Any, base: str, label: str, url: str, selector: str) -> list[tuple[str, str]]:
    """Pages reached by following the first link matching ``selector`` on ``url``
    (an activity from the monev overview, a history page from the users page)."""
    page.goto(url)
    link = page.locator(selector).first
    if link.count() == 0:
        return []
    href = link.get_attribute("href")
    return [(label, href if href.startswith("http") else base + href)]


def _axe_problems(page: Any, label: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in SEVERE:
            continue
        targets = [", ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
        more = len(violation["nodes"]) - len(targets)
        problems.append(
            f"[{label}] {page.url}: {violation['impact']} {violation['id']} "
            f"({violation['help']}) at {'; '.join(targets)}" + (f" and {more} more" if more else "")
        )
    return problems


def _overflow_problem(page: Any, label: str) -> str | None:
    # A phone browser widens its layout viewport to fit wide content, so compare with
    # the device width, not window.innerWidth.
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = PHONE["width"]
    if width <= viewport:
        return None
    widest = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > limit)
             .filter(e => !e.closest('.table-scroll, table.grid, .chart-box'))
             .slice(0, 4)
             .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + (e.className && typeof e.className === 'string'
                     ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))""",
        viewport + 1,
    )
    return f"[{label}] {page.url}: {width} px wide at {viewport} px ({', '.join(widest)})"


@pytest.mark.parametrize("username", ROLES, ids=lambda u: u or "anonymous")
def test_main_pages_pass_axe_and_fit_a_phone(
    server: str, chromium: Any, username: str | None
) -> None:
    desktop = chromium.new_context(viewport=DESKTOP)
    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    problems: list[str] = []
    errors: list[str] = []
    try:
        page, small = desktop.new_page(), phone.new_page()
        for p in (page, small):
            p.set_default_timeout(15_000)
            if username:
                _login(p, server, username)
        pages = _main_pages(server)
        pages += _discovered(
            page, server, "activity", f"{server}/monev/", "main a[href*='/monev/kegiatan/']"
        )
        registry = f"{server}/registri/"
        pages += _discovered(page, server, "registry profile", registry, "main a.release-profile")
        pages += _discovered(page, server, "registry browser", registry, "main a.release-browse")
        if pages[-1][0] == "registry browser":
            pages += _discovered(page, server, "household", pages[-1][1], "main a.household-link")
        slrt = f"{server}/slrt/"
        pages += _discovered(page, server, "slrt case", slrt + "kasus/", "main #cases a")
        pages += _discovered(page, server, "slrt referral", slrt + "rujukan/", "main .referrals a")
        meetings = f"{server}/rapat/"
        pages += _discovered(page, server, "meeting", meetings, "main a.meeting-link")
        if pages[-1][0] == "meeting":
            action = "main a[href*='/rapat/aksi/']"
            pages += _discovered(page, server, "meeting action", pages[-1][1], action)
        programmes = f"{server}/sasaran/program/"
        pages += _discovered(page, server, "review queue", programmes, "main a[href*='/tinjau/']")
        if username == "bappeda.demo":
            pages += _discovered(
                page, server, "history", f"{server}/akun/pengguna/", "#users a[href^='/riwayat/']"
            )
            found = {label for label, _url in pages}
            assert {"activity", "history"} <= found, "no activity or history link to follow"
        for label, url in pages:
            response = page.goto(url)
            assert response is not None
            if response.status >= 500:
                errors.append(f"[{label}] {url}: HTTP {response.status}")
                continue
            page.wait_for_load_state("networkidle")
            problems += _axe_problems(page, label)
            small.goto(url)
            small.wait_for_load_state("networkidle")
            overflow = _overflow_problem(small, label)
            if overflow:
                problems.append(overflow)
    finally:
        desktop.close()
        phone.close()
    assert not errors, "\n".join(errors)
    assert not problems, f"{len(problems)} problem(s) as {username or 'anonymous'}:\n" + "\n".join(
        problems
    )
