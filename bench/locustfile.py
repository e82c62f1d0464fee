"""The deadline-day traffic mix for ``bench/load_bench.py`` (locust).

Run it through ``bench/load_bench.py``, which loads the demo, starts the server
and fills the environment below; by hand::

    LOADBENCH_YEAR=2019 LOADBENCH_QUARTER=3 ... locust -f bench/locustfile.py \\
        --host http://127.0.0.1:8000 --headless -u 50 -r 10 -t 90s PageUser ...

User classes (each waits 0.5-1.5 s between requests):

``Reader``             anonymous: region dashboard, indicator page, ranking, monev
                       overview, API achievements and values lists.
``KecamatanOperator``  signs in as one of ``LOADBENCH_KECAMATAN_USERS`` (an operator
                       whose quarter is still open), opens the data entry form and
                       saves it as a draft; reads the dashboard between saves.
``OpdOperator``        signs in as ``LOADBENCH_OPD_USER`` (disnakertrans.demo), opens a
                       realisation form of its own activity and saves it as a draft;
                       now and then downloads the monev report as PDF or XLSX.
``BareUser``           the constant view ``/sehat/`` only: the floor any page is
                       compared with.

A save that meets another user's newer save gets the conflict page (409 for
the kecamatan form, 200 with the message and no field error for a
realisation): that is the application working (locust users share logins),
so it counts as a success.
"""

from __future__ import annotations

import os
import random
from html.parser import HTMLParser

from locust import HttpUser, between, task

REGION = os.environ.get("LOADBENCH_REGION", "16.07")
YEAR = os.environ.get("LOADBENCH_YEAR", "2019")
QUARTER = os.environ.get("LOADBENCH_QUARTER", "3")
INDICATORS = os.environ.get("LOADBENCH_INDICATORS", "poverty_rate").split(",")
PASSWORD = os.environ.get("LOADBENCH_PASSWORD", "Prima-Banyuasin-2026")
# "username=/pendataan/<dataset>/<period>/<kecamatan>/" pairs, comma-separated.
KECAMATAN_USERS = [
    pair.split("=", 1)
    for pair in os.environ.get("LOADBENCH_KECAMATAN_USERS", "").split(",")
    if pair
]
OPD_USER = os.environ.get("LOADBENCH_OPD_USER", "disnakertrans.demo")
# Realisation entry URLs of that user's activities, comma-separated.
REALISATION_URLS = [u for u in os.environ.get("LOADBENCH_REALISATION_URLS", "").split(",") if u]
# Filled-in values for empty number fields of the kecamatan form (element code: value).
ENTRY_DEFAULTS = {
    "children_under5_measured": "1300",
    "children_under5_stunted": "140",
    "job_seekers_registered": "120",
    "kur_recipients_active": "800",
}
MONEV = f"/monev/{REGION}/{YEAR}/tw{QUARTER}/"


class _Forms(HTMLParser):
    """The fields of every POST form of a page (inputs, textareas, selects)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._fields: dict[str, str] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._fields = {}
            self.forms.append(self._fields)
        fields = self._fields
        name = a.get("name")
        if fields is None or not name:
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            fields[name] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")

    def handle_data(self, data: str) -> None:
        if self._textarea and self._fields is not None:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._fields = None


def form_fields(html: str, needs: str) -> dict[str, str]:
    """The fields of the page's POST form that has a field ``needs`` (not the sign-out one)."""
    parser = _Forms()
    parser.feed(html)
    for fields in parser.forms:
        if needs in fields:
            return fields
    return {}


class _Base(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)

    def sign_in(self, username: str) -> None:
        page = self.client.get("/akun/login/", name="login form")
        fields = form_fields(page.text, "username")
        fields.update(username=username, password=PASSWORD)
        with self.client.post(
            "/akun/login/", fields, name="login", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"{username} could not sign in ({response.status_code})")

    def dashboard(self) -> None:
        self.client.get(f"/wilayah/{REGION}/", name="dashboard")


class Reader(_Base):
    """Anonymous readers and clients of the public API."""

    weight = 6

    @task(4)
    def region_dashboard(self) -> None:
        self.dashboard()

    @task(3)
    def indicator(self) -> None:
        code = random.choice(INDICATORS)
        self.client.get(f"/wilayah/{REGION}/indikator/{code}/", name="indicator")

    @task(2)
    def ranking(self) -> None:
        code = random.choice(INDICATORS)
        self.client.get(f"/banding/{code}/{REGION}/", name="ranking")

    @task(2)
    def monev(self) -> None:
        self.client.get(MONEV, name="monev overview")

    @task(2)
    def api_achievements(self) -> None:
        self.client.get(
            f"/api/v1/achievements/?region={REGION}&year={YEAR}", name="api achievements"
        )

    @task(2)
    def api_values(self) -> None:
        code = random.choice(INDICATORS)
        self.client.get(f"/api/v1/values/?indicator={code}&region={REGION}", name="api values")


class KecamatanOperator(_Base):
    """A kecamatan operator filling in the quarter's figures before the deadline."""

    weight = 2

    def on_start(self) -> None:
        if not KECAMATAN_USERS:
            raise RuntimeError("LOADBENCH_KECAMATAN_USERS is empty")
        self.username, self.entry_url = random.choice(KECAMATAN_USERS)
        self.sign_in(self.username)

    @task(3)
    def save_entry(self) -> None:
        page = self.client.get(self.entry_url, name="entry form")
        fields = form_fields(page.text, "version")
        for name, value in fields.items():
            if name.startswith("v:") and not value.strip():
                fields[name] = ENTRY_DEFAULTS.get(name.split(":")[1], "10")
        fields["do"] = "save"
        with self.client.post(
            self.entry_url, fields, name="entry save", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code in (302, 409):
                response.success()
            else:
                response.failure(f"entry save answered {response.status_code}")

    @task(1)
    def look_at_the_dashboard(self) -> None:
        self.dashboard()


class OpdOperator(_Base):
    """An OPD operator entering the quarter's realisation, downloading the monev report."""

    weight = 1

    def on_start(self) -> None:
        if not REALISATION_URLS:
            raise RuntimeError("LOADBENCH_REALISATION_URLS is empty")
        self.sign_in(OPD_USER)

    @task(4)
    def save_realisation(self) -> None:
        url = random.choice(REALISATION_URLS)
        page = self.client.get(url, name="realisation form")
        fields = form_fields(page.text, "version")
        fields.update(physical_pct=f"{random.randint(40, 90)}", action="save")
        if not fields.get("spent", "").strip():
            fields["spent"] = "0"  # within any budget (the job fair has none)
        for name, value in fields.items():
            if name.startswith("output_") and not value.strip():
                fields[name] = "1"
        with self.client.post(
            url, fields, name="realisation save", allow_redirects=False, catch_response=True
        ) as response:
            # The realisation form answers a conflict with 200 and the message (no field errors).
            conflict = response.status_code == 200 and "errorlist" not in response.text
            if response.status_code == 302 or conflict:
                response.success()
            else:
                response.failure(f"realisation save answered {response.status_code}")

    @task(2)
    def monev_overview(self) -> None:
        self.client.get(MONEV, name="monev overview")

    @task(1)
    def report(self) -> None:
        fmt = random.choice(["pdf", "xlsx"])
        self.client.get(f"{MONEV}laporan.{fmt}", name=f"monev report {fmt}")


class BareUser(HttpUser):
    """The constant view: what serving a request costs with no page behind it."""

    wait_time = between(0.5, 1.5)

    @task
    def health(self) -> None:
        self.client.get("/sehat/", name="bare /sehat/")
