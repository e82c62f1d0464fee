"""Template filters of the monev pages (figures written by ``services``, never here)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import template

from sinergi.web.programs import services

register = template.Library()


@register.filter
def output(value: Decimal | None) -> str:
    """An output figure: whole units stay whole (``1.307``), a level keeps its decimals."""
    # A failed template lookup arrives as "" (string_if_invalid): it is a missing figure.
    return services.output_number(None if value == "" else value)


@register.filter
def at(values: Sequence[Any], index: int) -> Any:
    """``{{ list|at:i }}``: the i-th item (None past the end)."""
    try:
        return values[int(index)]
    except (IndexError, TypeError, ValueError):
        return None
