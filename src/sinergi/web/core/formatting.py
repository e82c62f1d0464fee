"""The one rounding and formatting rule of every output: page, PDF, XLSX, CLI and API.

Numbers are rounded half away from zero (``ROUND_HALF_UP`` on the decimal
value, as people round by hand and as Excel does), never truncated, and always
from the exact stored value. A page, its PDF and its XLSX call these functions,
so they cannot disagree; the API returns :func:`rounded` numbers.

Indonesian writes ``1.307,5`` and ``66,7%`` (PUEBI: no space before the percent
sign); English writes ``1,307.5`` and ``66.7%``. The active Django language
picks the separators.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from sinergi.rounding import Number, rounded  # the one rounding rule, shared with the core

ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _separators() -> tuple[str, str]:
    lang = translation.get_language() or "id"
    return (".", ",") if lang.startswith("id") else (",", ".")


def number(value: Number | str | None, decimals: int = 2, *, trim: bool = False) -> str:
    """``value`` rounded and written with the active language's separators.

    ``trim`` drops a zero fraction (``12,00`` -> ``12``), for counts. Missing
    values are an en dash.

    >>> with translation.override("id"):
    ...     number(Decimal("1307.46"), 1), number(12, 2, trim=True), number(None)
    ('1.307,5', '12', '–')
    """
    r = rounded(value, decimals)
    if r is None:
        return "–"
    if trim and r == r.to_integral_value():
        r = r.quantize(Decimal(1))
    sign = "-" if r < 0 else ""
    digits = f"{abs(r):f}"
    whole, _sep, frac = digits.partition(".")
    group, dec = _separators()
    grouped = f"{int(whole):,}".replace(",", group)
    return sign + grouped + (dec + frac if frac else "")


def percent(value: Number | str | None, decimals: int = 1) -> str:
    """A percentage as people write it: ``66,7%`` (Indonesian), ``66.7%`` (English)."""
    if rounded(value, decimals) is None:
        return "–"
    return number(value, decimals) + "%"


def long_date(day: dt.date | dt.datetime | str | None) -> str:
    """``29 November 2019`` (local time for a datetime), month in the active language."""
    if day is None or isinstance(day, str):
        return "–"
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day) if timezone.is_aware(day) else day
        return str(formats.date_format(day, "j F Y H.i" if _is_id() else "j F Y H:i"))
    return str(formats.date_format(day, "j F Y"))


def _is_id() -> bool:
    return (translation.get_language() or "id").startswith("id")


def quarter_label(year: int, quarter: int) -> str:
    """``Triwulan IV 2026`` (Indonesian) or ``Quarter IV 2026`` (English)."""
    return _("Quarter %(roman)s %(year)s") % {"roman": ROMAN_QUARTERS[int(quarter)], "year": year}


def period_label(year: int | None, quarter: int | None = None, month: int | None = None) -> str:
    """A value's period as people write it: ``2023``, ``Triwulan III 2019``, ``Juli 2024``.

    No year gives the en dash (the caller says "year not stated" where it matters).
    """
    if year is None:
        return "–"
    if quarter:
        return quarter_label(year, quarter)
    if month:
        return str(formats.date_format(dt.date(year, month, 1), "F Y"))
    return str(year)
