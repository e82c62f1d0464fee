"""Reporting period codes: ``"2026"`` (yearly), ``"2026-Q3"`` (quarterly), ``"2026-07"`` (monthly).

The same codes as indicator values use, so an approved submission's period is
the period of the indicator values it produces.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from sinergi.web.collection.choices import PeriodType

_PATTERNS = {
    PeriodType.YEARLY: re.compile(r"^(?P<y>\d{4})$"),
    PeriodType.QUARTERLY: re.compile(r"^(?P<y>\d{4})-Q(?P<q>[1-4])$"),
    PeriodType.MONTHLY: re.compile(r"^(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])$"),
}


def parse(code: str, period_type: str) -> tuple[int, int]:
    """``(year, index)`` of a period (index: quarter, month, or 1 for a year).

    >>> parse("2026-Q3", "quarterly")
    (2026, 3)
    """
    match = _PATTERNS[PeriodType(period_type)].match(code or "")
    if not match:
        examples = {"yearly": "2026", "quarterly": "2026-Q3", "monthly": "2026-07"}
        raise ValueError(f"{code!r} is not a {period_type} period (e.g. {examples[period_type]})")
    year = int(match["y"])
    index = int(match.groupdict().get("q") or match.groupdict().get("m") or 1)
    return year, index


def label(code: str, period_type: str) -> str:
    """The period as people write it: ``Triwulan III 2026``, ``Juli 2026`` or ``2026``.

    A code that does not parse is shown as it is.
    """
    from django.utils import formats

    from sinergi.web.core.formatting import quarter_label

    try:
        year, index = parse(code, period_type)
    except ValueError:
        return code
    if period_type == PeriodType.QUARTERLY:
        return quarter_label(year, index)
    if period_type == PeriodType.MONTHLY:
        return str(formats.date_format(dt.date(year, index, 1), "F Y"))
    return str(year)


def make(year: int, index: int, period_type: str) -> str:
    if period_type == PeriodType.QUARTERLY:
        return f"{year}-Q{index}"
    if period_type == PeriodType.MONTHLY:
        return f"{year}-{index:02d}"
    return str(year)


def _per_year(period_type: str) -> int:
    return {PeriodType.QUARTERLY: 4, PeriodType.MONTHLY: 12}.get(PeriodType(period_type), 1)


def shift(code: str, period_type: str, steps: int) -> str:
    """The period ``steps`` periods after (negative: before) ``code``.

    >>> shift("2026-Q1", "quarterly", -1)
    '2025-Q4'
    """
    year, index = parse(code, period_type)
    per_year = _per_year(period_type)
    absolute = year * per_year + (index - 1) + steps
    return make(absolute // per_year, absolute % per_year + 1, period_type)


def previous(code: str, period_type: str) -> str:
    return shift(code, period_type, -1)


def bounds(code: str, period_type: str) -> tuple[dt.date, dt.date]:
    """First and last day of the period."""
    year, index = parse(code, period_type)
    if period_type == PeriodType.QUARTERLY:
        first_month, last_month = 3 * index - 2, 3 * index
    elif period_type == PeriodType.MONTHLY:
        first_month = last_month = index
    else:
        first_month, last_month = 1, 12
    last_day = calendar.monthrange(year, last_month)[1]
    return dt.date(year, first_month, 1), dt.date(year, last_month, last_day)


def containing(day: dt.date, period_type: str) -> str:
    """The period that contains ``day``."""
    if period_type == PeriodType.QUARTERLY:
        return make(day.year, (day.month - 1) // 3 + 1, period_type)
    if period_type == PeriodType.MONTHLY:
        return make(day.year, day.month, period_type)
    return str(day.year)
