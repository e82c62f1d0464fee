"""Typed readers for settings taken from environment variables.

Each helper fails loudly (``ImproperlyConfigured``) on a value it cannot
parse, so a typo in a deployment's environment stops the process at start-up
instead of silently falling back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str, environ: Mapping[str, str] = os.environ) -> str:
    """Return the variable as a string, or ``default`` when it is unset."""
    return environ.get(name, default)


def env_bool(name: str, default: bool, environ: Mapping[str, str] = os.environ) -> bool:
    """Return the variable as a boolean; accepts 1/0, true/false, yes/no, on/off."""
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off"
    )


def env_int(name: str, default: int, environ: Mapping[str, str] = os.environ) -> int:
    """Return the variable as an integer."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str], environ: Mapping[str, str] = os.environ) -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped items."""
    raw = environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """Return the variable as an absolute path (``~`` expanded)."""
    raw = environ.get(name)
    path = Path(raw).expanduser() if raw else default
    if raw is not None and not raw.strip():
        raise ImproperlyConfigured(f"{name} is set but empty; unset it or give a directory")
    return path.resolve()


def env_database_url(name: str, default: str, environ: Mapping[str, str] = os.environ) -> dict:
    """Parse a database URL (``sqlite:///path``, ``postgres://user@host:port/db``)."""
    import dj_database_url

    raw = environ.get(name) or default
    scheme = raw.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: unsupported scheme {scheme!r}; use sqlite:/// or postgres://"
        )
    try:
        return dict(dj_database_url.parse(raw, conn_max_age=60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a valid database URL: {exc}") from None
