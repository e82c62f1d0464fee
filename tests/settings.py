"""Settings for the test suite: the real settings, with test-friendly environment defaults."""

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SINERGI_DATA_DIR", str(_REPO / "var"))
# Fixed registry keys for the tests (never used outside them).
os.environ.setdefault("SINERGI_PII_HASH_KEY", "11" * 32)
os.environ.setdefault("SINERGI_PII_ENCRYPTION_KEY", "22" * 32)

from sinergi.web.settings import *  # noqa: E402, F403

# Hashing passwords slowly is the point in production and a waste in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
