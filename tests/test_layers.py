"""The core packages never import Django or the web project (DESIGN.md: the arrows point one way)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import sinergi.linkage
import sinergi.stats
import sinergi.targeting

CORE = [sinergi.stats, sinergi.targeting, sinergi.linkage]
MODULES = [
    *sorted(
        info.name
        for package in CORE
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + ".")
    ),
    "sinergi.rounding",
]

PROBE = """
import importlib, sys
importlib.import_module({name!r})
bad = sorted(m for m in sys.modules if m == "django" or m.startswith(("django.", "sinergi.web")))
print(",".join(bad))
"""


@pytest.mark.parametrize("name", MODULES)
def test_core_module_imports_no_django(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(name=name)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "", f"{name} pulls in {result.stdout.strip()}"


def test_the_probe_sees_a_django_import() -> None:
    """The check above can fail: a module that imports Django is reported."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(name="sinergi.web.core.formatting")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "django" in result.stdout
