"""``sinergi serve``: worker processes, a clean stop, static files and the constant view.

The live test starts the real server (gunicorn, two workers) on a fresh SQLite
data directory, as production would run it (DEBUG off), and stops it with
SIGTERM as a service manager (and tests/e2e/conftest.py) does.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

SINERGI = Path(sys.executable).with_name("sinergi")
STATIC = "/static/sinergi/sinergi.css"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    """Every descendant process of ``pid`` (Linux /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = {int(k) for k in task.read_text().split()}
            except FileNotFoundError:
                continue
            todo.extend(kids - found)
            found |= kids
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent has not reaped it yet


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


@pytest.fixture(scope="module")
def live_server_process(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One server for this module (migrating a fresh SQLite file takes a while);
    the SIGTERM test, last, stops it."""
    tmp_path = tmp_path_factory.mktemp("serve")
    env = {
        **os.environ,
        "SINERGI_DATA_DIR": str(tmp_path / "data"),
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "SECRET_KEY": "serve-test-" + "k" * 50,
        "DJANGO_SETTINGS_MODULE": "sinergi.web.settings",
    }
    env.pop("DATABASE_URL", None)  # its own SQLite file, whatever the suite runs on
    port = _free_port()
    access_log = tmp_path / "access.log"
    output = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [
            str(SINERGI),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--access-log",
            str(access_log),
        ],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, proc, tmp_path / "serve.log")
        yield proc, base, access_log, env
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        output.close()


def _wait_for(base: str, proc: subprocess.Popen, log: Path) -> None:  # type: ignore[type-arg]
    """Until ``base`` answers (or the server has died: then its log is the error)."""
    for _ in range(1200):
        try:
            _get(base + "/sehat/")
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.1)
    raise RuntimeError("sinergi serve did not answer in 120 s")


def test_static_files_are_served_with_cache_headers(live_server_process):  # type: ignore[no-untyped-def]
    _proc, base, _log, _env = live_server_process
    status, headers, body = _get(base + STATIC)
    assert status == 200 and b"{" in body
    assert headers["Content-Type"].startswith("text/css")
    assert "max-age=3600" in headers["Cache-Control"] and "public" in headers["Cache-Control"]
    assert headers.get("Last-Modified") and headers.get("ETag")
    request = urllib.request.Request(base + STATIC, headers={"If-None-Match": headers["ETag"]})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(request, timeout=10)
    assert not_modified.value.code == 304
    # The constant view is never cached (it says whether a worker answers now).
    status, headers, body = _get(base + "/sehat/")
    assert (status, body) == (200, b"ok\n") and "no-store" in headers["Cache-Control"]


def test_two_workers_answer_and_sigterm_stops_every_process(live_server_process):  # type: ignore[no-untyped-def]
    proc, base, access_log, _env = live_server_process
    # The first worker answers while the second may still be booting (a loaded machine).
    booted = time.monotonic() + 60
    workers = _children(proc.pid)
    while len(workers) < 2 and time.monotonic() < booted:
        time.sleep(0.2)
        workers = _children(proc.pid)
    assert len(workers) == 2, f"expected 2 worker processes, found {workers}"

    # Concurrent requests are spread over the workers: both pids answer.
    answered: set[int] = set()
    deadline = time.monotonic() + 30
    with ThreadPoolExecutor(16) as pool:
        while answered != workers and time.monotonic() < deadline:
            statuses = list(pool.map(lambda _: _get(base + "/sehat/")[0], range(64)))
            assert set(statuses) == {200}
            time.sleep(0.3)  # the access log is written after the answer
            answered = {int(p) for p in re.findall(r"pid=<?(\d+)", access_log.read_text())}
    assert answered == workers

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "a worker outlived SIGTERM"
    with pytest.raises(OSError):
        _get(base + "/sehat/")


def test_waitress_is_still_there(live_server_process, tmp_path):  # type: ignore[no-untyped-def]
    *_, env = live_server_process  # the data directory is migrated already
    port = _free_port()
    with (tmp_path / "waitress.log").open("w") as log:
        proc = subprocess.Popen(
            [str(SINERGI), "serve", "--server", "waitress", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for(f"http://127.0.0.1:{port}", proc, tmp_path / "waitress.log")
            _status, headers, body = _get(f"http://127.0.0.1:{port}/sehat/")
            assert body == b"ok\n" and headers["Server"] == "sinergi"  # waitress's ident
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.mark.django_db
def test_the_constant_view_touches_no_database(client, django_assert_num_queries):  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        response = client.get("/sehat/")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert response.resolver_match.url_name == "health"


@pytest.mark.django_db
def test_a_static_file_never_reaches_sessions_or_views(  # type: ignore[no-untyped-def]
    client, make_user, django_assert_num_queries
):
    # Signed in: any middleware after whitenoise would read the session and the user.
    client.force_login(make_user("reader", role="executive_viewer"))
    with django_assert_num_queries(0):
        response = client.get(STATIC)
    assert response.status_code == 200
    assert type(response).__name__ == "WhiteNoiseFileResponse"
    assert "Set-Cookie" not in response.headers and "Vary" not in response.headers


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, {"CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True, "pool": None}),
        (
            {"DATABASE_POOL_SIZE": "6"},
            {"CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": True, "pool": 6},
        ),
    ],
)
def test_postgres_connections_are_reused(tmp_path, extra, expected):  # type: ignore[no-untyped-def]
    code = (
        "import json; from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(json.dumps({'CONN_MAX_AGE': d['CONN_MAX_AGE'], "
        "'CONN_HEALTH_CHECKS': d['CONN_HEALTH_CHECKS'], "
        "'pool': (d.get('OPTIONS', {}).get('pool') or {}).get('max_size')}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_POOL_SIZE", "CONN_MAX_AGE")}
    env.update(
        DJANGO_SETTINGS_MODULE="sinergi.web.settings",
        SINERGI_DATA_DIR=str(tmp_path),
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/any",  # not connected to
        **extra,
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == expected


def test_sqlite_keeps_one_connection_per_request(tmp_path):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sinergi.web.settings",
        "SINERGI_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "k" * 50,
    }
    env.pop("DATABASE_URL", None)
    code = "from django.conf import settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'])"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "0"
