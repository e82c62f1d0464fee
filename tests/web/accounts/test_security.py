"""Security basics: login throttling, cookies, password rules, Content Security Policy."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse


def test_login_is_locked_after_repeated_failures(client, make_user, settings):
    make_user("target", role="executive_viewer")
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "target", "password": "wrong-password-1"})
    locked = client.post(url, {"username": "target", "password": "correct-horse-battery-9"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_login_still_works_below_the_limit(client, make_user):
    make_user("target", role="executive_viewer")
    url = reverse("login")
    client.post(url, {"username": "target", "password": "wrong-password-1"})
    response = client.post(url, {"username": "target", "password": "correct-horse-battery-9"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_every_page_carries_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("password", ["short", "password123", "12345678901234", "betung-operator"])
def test_weak_passwords_are_refused(password):
    from django.contrib.auth.models import User

    with pytest.raises(ValidationError):
        validate_password(password, user=User(username="betung-operator"))


def test_production_settings_secure_cookies():
    """Read the settings as production would (DEBUG off, no overrides)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_COOKIES"}}
    env.update(SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="sinergi.web.settings")
    code = (
        "import sinergi.web.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.DEBUG, "
        "len(s.AUTH_PASSWORD_VALIDATORS))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "True", "True", "Lax", "False", "4"]
