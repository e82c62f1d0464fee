"""Every example in the public docstrings runs and prints what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import sinergi.stats

MODULES = sorted(
    {"sinergi.stats"}
    | {f"sinergi.stats.{m.name}" for m in pkgutil.iter_modules(sinergi.stats.__path__)}
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_public_functions_have_examples() -> None:
    from sinergi.stats import estimate, publication_flag
    from sinergi.stats.synthetic import generate_banyuasin_survey, write_banyuasin_survey

    for func in (estimate, publication_flag, generate_banyuasin_survey, write_banyuasin_survey):
        assert func.__doc__ and ">>>" in func.__doc__, func.__name__
