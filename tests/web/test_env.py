"""Settings helpers fail loudly on bad values."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sinergi.web.env import env_bool, env_database_url, env_int, env_list, env_path


def test_bool():
    assert env_bool("X", False, {"X": "yes"}) is True
    assert env_bool("X", True, {"X": "0"}) is False
    assert env_bool("X", True, {}) is True
    with pytest.raises(ImproperlyConfigured, match="X='maybe' is not a boolean"):
        env_bool("X", False, {"X": "maybe"})


def test_int_and_list():
    assert env_int("N", 5, {"N": "7"}) == 7
    with pytest.raises(ImproperlyConfigured, match="N='7x' is not an integer"):
        env_int("N", 5, {"N": "7x"})
    assert env_list("H", ["a"], {"H": " x.go.id, ,y "}) == ["x.go.id", "y"]
    assert env_list("H", ["a"], {}) == ["a"]


def test_path(tmp_path: Path):
    assert env_path("D", tmp_path, {}) == tmp_path.resolve()
    with pytest.raises(ImproperlyConfigured, match="set but empty"):
        env_path("D", tmp_path, {"D": " "})


def test_database_url():
    pg = env_database_url(
        "DATABASE_URL",
        "sqlite:///x.db",
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/sinergi"},
    )
    assert (
        pg["ENGINE"] == "django.db.backends.postgresql"
        and pg["NAME"] == "sinergi"
        and pg["PORT"] == 5432
    )
    lite = env_database_url("DATABASE_URL", "sqlite:////tmp/x.sqlite3", {})
    assert lite["ENGINE"] == "django.db.backends.sqlite3"
    with pytest.raises(ImproperlyConfigured, match="unsupported scheme 'mysql'"):
        env_database_url("DATABASE_URL", "", {"DATABASE_URL": "mysql://root@localhost/x"})


def test_production_settings_need_a_secret_key(tmp_path: Path):
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "SINERGI_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sinergi.web.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr
    (tmp_path / "secret_key").write_text("k" * 50)
    ok = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert ok.stdout.strip() == "False True True", ok.stderr
