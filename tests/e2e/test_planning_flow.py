"""Bappeda plans a flagship programme in the browser, its agency reports, the warning shows.

Headless Chromium against the live demo (issue 13): bappeda.demo creates a flagship
programme and two Disnakertrans activities of this year through the nomenclature
picker (urusan > bidang > programme > kegiatan > sub-kegiatan), gives each an output
indicator with targets, a budget ("1.000.000.000") and a quarterly plan; then
disnakertrans.demo reports the first quarter far below plan and sends it to Bappeda;
then Bappeda sees the early warning for that activity on the quarter's monev overview.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

PASSWORD = "Prima-Banyuasin-2026"
REGION = "16.07"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]

pytestmark = pytest.mark.e2e

# Two sub-kegiatan of Disnakertrans (urusan 2, bidang 2.07 tenaga kerja).
ACTIVITIES = [
    ("2", "2.07", "2.07.04", "2.07.04.2.01", "2.07.04.2.01.0002", "Job fair E2E"),
    ("2", "2.07", "2.07.03", "2.07.03.2.01", "2.07.03.2.01.0001", "Bimtek wirausaha E2E"),
]


def test_bappeda_plans_the_agency_reports_the_warning_shows(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    year = dt.date.today().year
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.set_default_timeout(15_000)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))

        def login(username: str) -> None:
            page.goto(f"{server}/akun/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("main form button.primary")
            expect(page.locator(".session .who")).to_have_text(username)

        def logout() -> None:
            page.click("form[action$='/akun/logout/'] button")

        login("bappeda.demo")

        # 1. A flagship programme for this year.
        page.goto(f"{server}/perencanaan/{REGION}/unggulan/tambah/")
        page.fill("#id_slug", "e2e-prima")
        page.fill("#id_name", "Prima E2E")
        page.fill("#id_goal", "Lapangan kerja untuk pemuda")
        page.fill("#id_year_start", str(year))
        page.fill("#id_year_end", str(year + 2))
        page.select_option("#id_coordinator", label="Bappeda Litbang")
        page.click("main form button.primary")
        expect(page.locator("main table.grid")).to_contain_text("Prima E2E")

        activity_ids = []
        for n, (urusan, bidang, programme, kegiatan, sub, name) in enumerate(ACTIVITIES):
            # 2. The activity, its sub-kegiatan picked level by level.
            page.goto(f"{server}/perencanaan/{REGION}/kegiatan/tambah/?year={year}")
            page.select_option("#id_agency", label="Disnakertrans")
            for level, code in enumerate((urusan, bidang, programme, kegiatan)):
                select = f"#id_nomenclature_level{level}"
                expect(page.locator(f"{select} option[value='{code}']")).to_have_count(1)
                page.select_option(select, code)
            # The sub-kegiatan list now holds only the kegiatan's children.
            expect(
                page.locator("#id_nomenclature option[value='3.26.02.2.01.0001']")
            ).to_have_count(0)
            page.select_option("#id_nomenclature", sub)
            page.fill("#id_code", f"{sub}.e2e")
            page.fill("#id_name", name)
            page.select_option("#id_flagship", label="Prima E2E")
            page.fill("#id_location", "Pangkalan Balai")
            page.fill("#id_start_date", f"{year}-01-02")
            page.fill("#id_end_date", f"{year}-12-15")
            page.click("#kegiatan button.primary")
            expect(page.locator("main h1")).to_have_text(name)
            activity_id = int(re.search(r"/perencanaan/kegiatan/(\d+)/", page.url).group(1))
            activity_ids.append(activity_id)
            # After a reload the picker shows the chosen chain again.
            expect(page.locator("#id_nomenclature_level3")).to_have_value(kegiatan)

            # 3. Budget, typed the Indonesian way, and the quarterly plan.
            page.fill("#id_amount_apbd_kab", "Rp 1.000.000.000")
            page.click("#anggaran button.primary")
            expect(page.locator("#id_amount_apbd_kab")).to_have_value("1.000.000.000")
            plan = [("30", "250.000.000"), ("55", "500.000.000"), ("80", "750.000.000"),
                    ("100", "1.000.000.000")]  # fmt: skip
            for q, (physical, money) in enumerate(plan, start=1):
                page.fill(f"#id_physical_pct_{q}", physical)
                page.fill(f"#id_disbursement_{q}", money)
            page.click("#rencana button.primary")
            expect(page.locator("#id_disbursement_2")).to_have_value("500.000.000")

            # 4. An output indicator with targets (the performance indicator form).
            page.click("#keluaran a.button")
            page.fill("#id_name", f"Peserta {name}")
            page.fill("#id_unit", "orang")
            page.fill("#id_target", "400")
            for q, target in enumerate(["100", "200", "300", "400"], start=1):
                page.fill(f"#id_target_q{q}", target)
            page.fill("#id_code", f"e2e-output-{n}")
            page.click("main form button.primary")
            page.goto(f"{server}/perencanaan/kegiatan/{activity_id}/")
            expect(page.locator("#keluaran")).to_contain_text(f"Peserta {name}")

        listed = page.goto(f"{server}/perencanaan/{REGION}/kegiatan/?year={year}&q=E2E")
        assert listed is not None and listed.status == 200
        expect(page.locator("main table.grid tbody tr")).to_have_count(2)
        logout()

        # 5. The agency reports the first quarter far below plan and sends it.
        login("disnakertrans.demo")
        late = activity_ids[0]
        page.goto(f"{server}/monev/kegiatan/{late}/realisasi/tw1/")
        page.fill("#id_physical_pct", "5")
        page.fill("#id_spent", "20.000.000")
        page.click("button[name='action'][value='submit']")
        expect(page.locator(".messages")).to_contain_text("Bappeda")
        logout()

        # 6. Bappeda sees the early warning for that activity on the quarter's overview.
        login("bappeda.demo")
        page.goto(f"{server}/monev/{REGION}/{year}/tw1/")
        row = page.locator("tr", has=page.locator(f"a[href^='/monev/kegiatan/{late}/']"))
        expect(row).to_have_class(re.compile("row-late"))
        expect(row).to_contain_text("Realisasi fisik di bawah rencana")
        expect(page.locator("main")).to_contain_text("Kelola rencana")
        browser.close()
    assert not problems, problems
