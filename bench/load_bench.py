"""Deadline-day load: Sinergi's pages under locust against the bare constant view.

Run: ``.venv/bin/python bench/load_bench.py [--users 50,200] [--run-time 90s]
[--workers N] [--threads T] [--server gunicorn|waitress] [--compare-before]
[--compare-connections] [--pool-size N] [--profile] [--sequential N] [--reset-stats]
[--skip-bare] [--fresh]``

1. A PostgreSQL database (``sinergi_loadbench``, dropped and created) gets the
   Banyuasin demo (``sinergi demo``) with its own data directory
   (``var/loadbench``); both are reused by the next run unless ``--fresh``.
   The kecamatan operators whose quarter is still open get the demo password,
   so that several of them can save at once.
2. ``sinergi serve`` starts on a free port (``--compare-before`` first measures
   the old server, waitress in one process with 8 threads, in the same run).
3. For each user count, locust runs headless (spawn rate 10/s, think time
   0.5-1.5 s) with the deadline-day mix of ``bench/locustfile.py``: public
   dashboard, indicator, ranking, monev and API pages, kecamatan data entry
   saves, OPD realisation saves and monev PDF/XLSX downloads; then the same
   number of users against ``/sehat/`` (a constant answer: no database, no
   template), the floor of what a request costs on this machine.

Prints per page and in total p50/p95/p99 (ms), requests/s and failures, and
the ratio pages / bare; writes the same as JSON to ``bench/results/``.
All simulated users come from one address, so the server runs with the
anonymous API throttle lifted (``API_ANON_RATE``); everything else is as in
production (DEBUG off).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SINERGI = BIN / "sinergi"
LOCUST = BIN / "locust"
LOCUSTFILE = REPO / "bench" / "locustfile.py"
RESULTS = REPO / "bench" / "results"
PASSWORD = "Prima-Banyuasin-2026"
PAGE_USERS = ["Reader", "KecamatanOperator", "OpdOperator"]
PG = "postgres://postgres@127.0.0.1:5432"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", default="50,200", help="user counts, comma-separated")
    parser.add_argument("--run-time", default="90s", help="per locust run (locust syntax)")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, help="per worker (default: sinergi serve's)")
    parser.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn")
    parser.add_argument(
        "--compare-before",
        action="store_true",
        help="also measure the old server (waitress, 1 process, 8 threads) in this run",
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        default=0,
        help="DATABASE_POOL_SIZE for the server (0: persistent connections, the default)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="first time each page alone (queries, SQL time)"
    )
    parser.add_argument(
        "--compare-connections",
        action="store_true",
        help="also measure a connection per request (CONN_MAX_AGE=0) and psycopg's pool",
    )
    parser.add_argument(
        "--sequential",
        type=int,
        default=0,
        metavar="N",
        help="first send N requests one at a time to a few pages (cost without a queue)",
    )
    parser.add_argument(
        "--reset-stats",
        action="store_true",
        help="count only after every user is spawned (and signed in): the steady state",
    )
    parser.add_argument("--skip-bare", action="store_true", help="pages only, no /sehat/ run")
    parser.add_argument("--fresh", action="store_true", help="reload the demo even if cached")
    parser.add_argument("--database", default="sinergi_loadbench")
    parser.add_argument("--data-dir", type=Path, default=REPO / "var" / "loadbench")
    args = parser.parse_args()

    users = [int(n) for n in args.users.split(",") if n.strip()]
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{args.database}",
        "SINERGI_DATA_DIR": str(args.data_dir),
        "DJANGO_SETTINGS_MODULE": "sinergi.web.settings",
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
    }
    ensure_demo(env, args.database, args.data_dir, fresh=args.fresh)
    mix = prepare(env)
    print(
        f"mix: monev {mix['year']} Q{mix['quarter']}, {len(mix['kecamatan'])} kecamatan "
        f"operators with an open form, {len(mix['realisations'])} realisation forms of "
        f"{mix['opd_user']}, indicators {', '.join(mix['indicators'])}",
        flush=True,
    )
    results_profile = profile(env, mix) if args.profile else []
    # (label, sinergi serve arguments, environment of the server)
    setups: list[tuple[str, list[str], dict[str, str]]] = []
    if args.compare_before:
        setups.append(("before: waitress 1x8", ["--server", "waitress", "--threads", "8"], {}))
    serve_args = ["--server", args.server]
    if args.server == "gunicorn":
        serve_args += ["--workers", str(args.workers)]
    if args.threads:
        serve_args += ["--threads", str(args.threads)]
    default_threads = 4 if args.server == "gunicorn" else 8  # sinergi serve's defaults
    processes = args.workers if args.server == "gunicorn" else 1
    threads = args.threads or default_threads
    label = f"{args.server} {processes}x{threads}"
    if args.compare_connections:
        setups.append((f"{label} conn/request", serve_args, {"CONN_MAX_AGE": "0"}))
        setups.append((f"{label} pool {threads}", serve_args, {"DATABASE_POOL_SIZE": str(threads)}))
    pool = {"DATABASE_POOL_SIZE": str(args.pool_size)} if args.pool_size else {}
    setups.append((label + (f" pool {args.pool_size}" if args.pool_size else ""), serve_args, pool))

    server_env = {
        **env,
        "API_ANON_RATE": "1000000/minute",
        "API_USER_RATE": "1000000/minute",
    }
    for name in ("DATABASE_POOL_SIZE", "CONN_MAX_AGE"):
        server_env.pop(name, None)
    locust_env = {
        **os.environ,
        "LOADBENCH_YEAR": str(mix["year"]),
        "LOADBENCH_QUARTER": str(mix["quarter"]),
        "LOADBENCH_INDICATORS": ",".join(mix["indicators"]),
        "LOADBENCH_PASSWORD": PASSWORD,
        "LOADBENCH_KECAMATAN_USERS": ",".join(f"{u}={url}" for u, url in mix["kecamatan"]),
        "LOADBENCH_OPD_USER": mix["opd_user"],
        "LOADBENCH_REALISATION_URLS": ",".join(mix["realisations"]),
    }
    results: dict[str, object] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "run_time": args.run_time,
        "spawn_rate": args.spawn_rate,
        "reset_stats": args.reset_stats,
        "profile": results_profile,
        "runs": [],
    }
    runs: list[dict[str, object]] = results["runs"]  # type: ignore[assignment]
    for label, serve_args, extra_env in setups:
        with Server(serve_args, {**server_env, **extra_env}, args.data_dir, label) as server:
            base = server.base
            if args.sequential:
                runs.append(
                    {
                        "server": label,
                        "kind": "sequential",
                        "stats": sequential(
                            server,
                            args.sequential,
                            f"/monev/16.07/{mix['year']}/tw{mix['quarter']}/",
                        ),
                    }
                )
            for n in users:
                kinds = [("pages", PAGE_USERS)] + (
                    [] if args.skip_bare else [("bare", ["BareUser"])]
                )
                for kind, classes in kinds:
                    print(f"\n== {label}, {n} users, {kind} ({args.run_time})", flush=True)
                    cpu_before = server.cpu_seconds()
                    stats = run_locust(base, n, args, classes, locust_env)
                    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000
                    stats["total"]["cpu_ms"] = cpu_ms / max(stats["total"]["requests"], 1)
                    runs.append({"server": label, "users": n, "kind": kind, "stats": stats})
                    print_table(stats)
                    print(
                        f"  server CPU: {cpu_ms / 1000:.1f} s, "
                        f"{stats['total']['cpu_ms']:.1f} ms per request"
                    )
                if not args.skip_bare:
                    print_ratio(runs[-2]["stats"], runs[-1]["stats"])  # type: ignore[arg-type]
    print_summary(runs)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"load-{dt.datetime.now():%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"\nwrote {out.relative_to(REPO)}")
    return 0


def ensure_demo(env: dict[str, str], database: str, data_dir: Path, *, fresh: bool) -> None:
    """The demo in ``database``: loaded once, reused while its marker file says so."""
    marker = data_dir / "loadbench-demo.json"
    exists = database in _psql("SELECT datname FROM pg_database").split()
    cached = marker.is_file() and json.loads(marker.read_text()).get("database") == database
    if not fresh and exists and cached:
        print(f"demo: reusing {database} and {data_dir} (--fresh to reload)", flush=True)
        return
    print(f"demo: dropping and creating {database}, loading the demo (about 2 minutes)…")
    _psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{database}"')
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run([str(SINERGI), "demo"], env=env, check=True)
    marker.write_text(json.dumps({"database": database, "loaded": dt.date.today().isoformat()}))
    print(f"demo: loaded in {time.perf_counter() - started:.0f} s", flush=True)


def _psql(sql: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return " ".join(str(row[0]) for row in cursor.fetchall()) if cursor.description else ""


PREPARE = r"""
import json, django
django.setup()
from django.contrib.auth.models import User
from sinergi.web.collection.models import Period, Submission
from sinergi.web.indicators.models import IndicatorValue
from sinergi.web.programs.models import Activity, Realisation
from django.utils import timezone

today = timezone.localdate()
period = Period.objects.filter(opens_on__lte=today, closes_on__gte=today).order_by("-opens_on").first()
locked = set(
    Submission.objects.filter(period=period).exclude(status__in=["draft", "returned"])
    .values_list("region_id", flat=True)
)
kecamatan = []
for user in User.objects.filter(profile__role="kecamatan_operator").order_by("username"):
    region = user.profile.region_id
    if region in locked:
        continue
    if not user.has_usable_password():
        user.set_password(PASSWORD)  # this benchmark's own database only
        user.save(update_fields=["password"])
    kecamatan.append(
        (user.username, f"/pendataan/{period.dataset.code}/{period.code}/{region}/")
    )
# The latest round reported (drafts, as this benchmark saves, do not count).
last = Realisation.objects.exclude(status="draft").order_by("-activity__year", "-quarter").first()
year, quarter = last.activity.year, last.quarter
open_quarter = min(quarter + 1, 4)
realisations = []
for activity in Activity.objects.filter(agency__code="disnakertrans", year=year).order_by("pk"):
    real = Realisation.objects.filter(activity=activity, quarter=open_quarter).first()
    if real is None or real.status == "draft":
        realisations.append(f"/monev/kegiatan/{activity.pk}/realisasi/tw{open_quarter}/")
indicators = sorted(
    set(IndicatorValue.objects.filter(region_id="16.07").values_list("indicator__code", flat=True))
)
print(json.dumps({
    "year": year, "quarter": quarter, "kecamatan": kecamatan, "opd_user": "disnakertrans.demo",
    "realisations": realisations, "indicators": indicators,
}))
"""


PROFILE = r"""
import json, sys, time, django
django.setup()
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

mix = json.loads(sys.argv[1])
monev = f"/monev/16.07/{mix['year']}/tw{mix['quarter']}/"
ind = "poverty_rate" if "poverty_rate" in mix["indicators"] else mix["indicators"][0]
kec_user, entry = mix["kecamatan"][0]
pages = [
    ("dashboard", None, "/wilayah/16.07/"),
    ("indicator", None, f"/wilayah/16.07/indikator/{ind}/"),
    ("ranking", None, f"/banding/{ind}/16.07/"),
    ("monev overview", None, monev),
    ("monev overview (OPD)", mix["opd_user"], monev),
    ("api achievements", None, f"/api/v1/achievements/?region=16.07&year={mix['year']}"),
    ("api values", None, f"/api/v1/values/?indicator={ind}&region=16.07"),
    ("entry form", kec_user, entry),
    ("realisation form", mix["opd_user"], mix["realisations"][0]),
    ("monev report pdf", mix["opd_user"], monev + "laporan.pdf"),
    ("monev report xlsx", mix["opd_user"], monev + "laporan.xlsx"),
    ("bare /sehat/", None, "/sehat/"),
]
clients = {}
rows = []
for name, user, url in pages:
    if user not in clients:
        clients[user] = Client()
        if user:
            clients[user].force_login(User.objects.get(username=user))
    client = clients[user]
    assert client.get(url).status_code == 200, (name, url)  # warm
    times, sql, queries = [], [], 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
        sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    times.sort()
    rows.append({"page": name, "ms": times[len(times) // 2], "queries": queries,
                 "sql_ms": sorted(sql)[len(sql) // 2]})
print(json.dumps(rows))
"""


def profile(env: dict[str, str], mix: dict, repeat: int = 5) -> list[dict]:
    """One request at a time, in process: wall time, queries and time in SQL per page."""
    done = subprocess.run(
        [sys.executable, "-c", f"REPEAT = {repeat}\n{PROFILE}", json.dumps(mix)],
        env={**env, "ALLOWED_HOSTS": "testserver"},
        check=True,
        capture_output=True,
        text=True,
    )
    rows: list[dict] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n== profile: one request at a time (median of {repeat}; SQL = time in queries)")
    print(f"  {'page':<22}{'ms':>7}{'queries':>9}{'SQL ms':>8}{'Python ms':>11}")
    for row in rows:
        print(
            f"  {row['page']:<22}{row['ms']:>7.0f}{row['queries']:>9}{row['sql_ms']:>8.0f}"
            f"{row['ms'] - row['sql_ms']:>11.0f}"
        )
    return rows


def prepare(env: dict[str, str]) -> dict:
    """What the traffic mix needs from the demo (open forms, the monev round)."""
    done = subprocess.run(
        [sys.executable, "-c", f"PASSWORD = {PASSWORD!r}\n{PREPARE}"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    mix = json.loads(done.stdout.strip().splitlines()[-1])
    if not mix["kecamatan"] or not mix["realisations"]:
        raise SystemExit(f"the demo has no open forms to save: {mix}")
    return mix


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``sinergi serve`` on a free port, for the length of a ``with`` block."""

    def __init__(
        self, serve_args: list[str], env: dict[str, str], data_dir: Path, label: str
    ) -> None:
        self.args, self.env, self.label = serve_args, env, label
        self.log_path = data_dir / "load-serve.log"

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the server and its workers so far (Linux /proc)."""
        tick = os.sysconf("SC_CLK_TCK")
        total, todo, seen = 0.0, [self.proc.pid], set()
        while todo:
            pid = todo.pop()
            seen.add(pid)
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
                for task in Path(f"/proc/{pid}/task").glob("*/children"):
                    todo.extend(int(k) for k in task.read_text().split() if int(k) not in seen)
            except (FileNotFoundError, ProcessLookupError):
                continue
        return total

    def __enter__(self) -> Server:
        port = _free_port()
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [str(SINERGI), "serve", "--port", str(port), *self.args],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/sehat/", timeout=2)
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise SystemExit(self.log_path.read_text()) from None
                time.sleep(0.2)
        print(f"server: sinergi serve {' '.join(self.args)} on {base}", flush=True)
        # Warm every worker (imports, URL resolver, templates) before measuring.
        for path in ("/wilayah/16.07/", "/sehat/") * 8:
            urllib.request.urlopen(base + path, timeout=30).read()
        self.base = base
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        finally:
            self.log.close()


def sequential(server: Server, n: int, monev: str) -> dict[str, dict[str, float]]:
    """``n`` requests one after another on one kept-alive connection, per page: what a
    request costs with no queue (median ms, and server CPU ms per request)."""
    import http.client
    from urllib.parse import urlsplit

    pages = {
        "api values": "/api/v1/values/?indicator=poverty_rate&region=16.07",
        "dashboard": "/wilayah/16.07/",
        "monev overview": monev,
        "bare /sehat/": "/sehat/",
    }
    where = urlsplit(server.base)
    stats: dict[str, dict[str, float]] = {}
    print(f"\n== {server.label}: {n} requests per page, one at a time, one connection")
    for name, path in pages.items():
        conn = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
        conn.request("GET", path)
        conn.getresponse().read()
        times = []
        cpu = server.cpu_seconds()
        for _ in range(n):
            started = time.perf_counter()
            conn.request("GET", path)
            conn.getresponse().read()
            times.append((time.perf_counter() - started) * 1000)
        cpu_ms = (server.cpu_seconds() - cpu) * 1000 / n
        conn.close()
        times.sort()
        stats[name] = {"p50": times[n // 2], "p95": times[int(n * 0.95)], "cpu_ms": cpu_ms}
        print(f"    {name:<20} p50 {times[n // 2]:6.1f} ms   server CPU {cpu_ms:5.1f} ms/request")
    return stats


def run_locust(
    base: str, users: int, args: argparse.Namespace, classes: list[str], env: dict[str, str]
) -> dict[str, dict[str, float]]:
    """One headless locust run; per request name: count, failures, rps, p50/p95/p99."""
    with tempfile.TemporaryDirectory(prefix="sinergi-locust-") as tmp:
        prefix = Path(tmp) / "run"
        command = [
            str(LOCUST),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            base,
            "--users",
            str(users),
            "--spawn-rate",
            str(args.spawn_rate),
            "--run-time",
            args.run_time,
            "--csv",
            str(prefix),
            "--only-summary",
            *(["--reset-stats"] if args.reset_stats else []),
            "--loglevel",
            "WARNING",
            *classes,
        ]
        seconds = _seconds(args.run_time)
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        started = time.monotonic()
        tty, next_line = sys.stdout.isatty(), 15.0
        while proc.poll() is None:
            time.sleep(1)
            elapsed = time.monotonic() - started
            if tty or elapsed >= next_line:
                next_line += 15
                bar = "#" * int(30 * min(elapsed / seconds, 1.0))
                line = f"  [{bar:<30}] {elapsed:4.0f}/{seconds:.0f} s"
                print(f"\r{line}" if tty else line, end="" if tty else "\n", flush=True)
        if tty:
            print()
        errors = proc.stderr.read() if proc.stderr else ""
        stats_file = Path(f"{prefix}_stats.csv")
        if not stats_file.is_file():
            raise SystemExit(f"locust wrote no statistics:\n{errors}")
        stats = _read_stats(stats_file)
        failures = Path(f"{prefix}_failures.csv")
        if failures.is_file():
            with failures.open() as f:
                for row in csv.DictReader(f):
                    print(f"  failure x{row['Occurrences']}: {row['Name']}: {row['Error'][:160]}")
        return stats


def _seconds(run_time: str) -> float:
    units = {"h": 3600, "m": 60, "s": 1}
    total, number = 0.0, ""
    for ch in run_time:
        if ch.isdigit() or ch == ".":
            number += ch
        else:
            total += float(number) * units[ch]
            number = ""
    return total + (float(number) if number else 0)


def _ms(text: str) -> float:
    """A locust percentile cell: milliseconds, or 0 for "N/A" (no request)."""
    try:
        return float(text)
    except ValueError:
        return 0.0


def _read_stats(path: Path) -> dict[str, dict[str, float]]:
    stats = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            name = "total" if row["Name"] == "Aggregated" else row["Name"]
            if int(row["Request Count"]) == 0:
                continue  # e.g. sign-ins, all before the counting started (--reset-stats)
            stats[name] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": _ms(row["50%"]),
                "p95": _ms(row["95%"]),
                "p99": _ms(row["99%"]),
            }
    return stats


def print_table(stats: dict[str, dict[str, float]]) -> None:
    print(f"  {'page':<22}{'requests':>9}{'fail':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}")
    for name, s in sorted(stats.items(), key=lambda item: (item[0] == "total", item[0])):
        print(
            f"  {name:<22}{s['requests']:>9.0f}{s['failures']:>6.0f}{s['rps']:>8.1f}"
            f"{s['p50']:>7.0f}{s['p95']:>7.0f}{s['p99']:>7.0f}"
        )


def print_ratio(pages: dict[str, dict[str, float]], bare: dict[str, dict[str, float]]) -> None:
    p, b = pages["total"], bare["total"]
    print(
        f"  ratio pages / bare: p50 {p['p50'] / max(b['p50'], 1):.1f} x, "
        f"p95 {p['p95'] / max(b['p95'], 1):.1f} x "
        f"(bare p50 {b['p50']:.0f} ms, p95 {b['p95']:.0f} ms, {b['rps']:.1f} req/s)"
    )


def print_summary(runs: list[dict[str, object]]) -> None:
    """One line per run; the sign-in POST is shown apart (password hashing is slow on purpose)."""
    if all(run["kind"] == "sequential" for run in runs):
        return
    print("\n== summary (ms; CPU = server CPU time per request)")
    print(
        f"  {'server':<28}{'users':>6} {'kind':<6}{'req/s':>7}{'fail':>6}{'p50':>6}{'p95':>6}"
        f"{'p99':>6}{'CPU':>6}  worst page p95 (login p95)"
    )
    for run in runs:
        stats: dict[str, dict[str, float]] = run["stats"]  # type: ignore[assignment]
        if run["kind"] == "sequential":
            continue
        t = stats["total"]
        pages = {k: v for k, v in stats.items() if k not in ("total", "login")}
        worst = max(pages.items(), key=lambda item: item[1]["p95"]) if pages else ("-", t)
        login = f" ({stats['login']['p95']:.0f})" if "login" in stats else ""
        print(
            f"  {run['server']!s:<28}{run['users']!s:>6} {run['kind']!s:<6}{t['rps']:>7.1f}"
            f"{t['failures']:>6.0f}{t['p50']:>6.0f}{t['p95']:>6.0f}{t['p99']:>6.0f}"
            f"{t.get('cpu_ms', 0):>6.1f}  {worst[0]} {worst[1]['p95']:.0f}{login}"
        )


if __name__ == "__main__":
    sys.exit(main())
