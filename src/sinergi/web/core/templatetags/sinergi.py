"""Template helpers: value formatting and server-side sparklines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sinergi.web.core.formatting import ROMAN_QUARTERS, number, quarter_label
from sinergi.web.core.formatting import long_date as _long_date
from sinergi.web.core.formatting import percent as _percent

register = template.Library()

# Catalogue units are stored as codes; these are the ones shown in words.
UNIT_LABELS = {
    "index": _("index"),
    "ratio": _("ratio"),
    "jobs": _("jobs"),
    "events": _("events"),
    "companies": _("companies"),
    "children": _("children"),
    "persons": _("persons"),
    "recipients": _("recipients"),
}


@register.filter
def unit_label(unit: str) -> str:
    """The unit in the active language (``"index"`` is *indeks* in Indonesian)."""
    return str(UNIT_LABELS.get(unit, unit))


@register.filter
def fmt(value: Decimal | float | None, decimals: int = 2) -> str:
    """A number with the indicator's decimals, in the active locale ('–' when missing)."""
    return number(value, int(decimals))


@register.filter
def percent(value: Decimal | float | None, decimals: int = 1) -> str:
    """A percentage as people write it: ``{{ 66.65|percent }}`` -> ``66,7%`` ('–' when missing).

    The value is already in percent (66.65, not 0.6665); ``{{ x|percent:2 }}`` sets decimals.
    """
    return _percent(value, int(decimals))


@register.filter
def long_date(value: dt.date | dt.datetime | None) -> str:
    """``{{ day|long_date }}`` -> ``29 November 2019``; a datetime adds local time (``14.05``)."""
    return _long_date(value)


@register.filter
def quarter(value: int | str | None, year: int | str | None = None) -> str:
    """A period as people write it: ``{{ q|quarter:year }}`` -> ``Triwulan IV 2026``.

    ``value`` is the quarter number (1-4) or a ``"tw4"``/``"Q4"`` code; an object with
    ``year`` and ``quarter`` attributes also works without the argument
    (``{{ period|quarter }}``). Anything else is shown unchanged; ``None`` is '–'.
    """
    if value is None:
        return "–"
    if year is None and hasattr(value, "year") and hasattr(value, "quarter"):
        year, value = value.year, value.quarter
    text = str(value).strip().lower().removeprefix("tw").removeprefix("q")
    try:
        q = int(text)
        y = int(year) if year is not None else None
    except (TypeError, ValueError):
        return str(value)
    if q not in (1, 2, 3, 4):
        return str(value)
    if y is None:
        return gettext("Quarter %(roman)s") % {"roman": ROMAN_QUARTERS[q]}
    return quarter_label(y, q)


@register.simple_tag
def sparkline(points: Sequence[tuple[int, float]], target: float | None = None) -> SafeString:
    """A small SVG line of ``(year, value)`` points with an optional dashed target line."""
    if len(points) < 2:
        return mark_safe('<svg class="spark" viewBox="0 0 120 32" aria-hidden="true"></svg>')
    width, height, pad = 120.0, 32.0, 3.0
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    all_y = ys + ([float(target)] if target is not None else [])
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(all_y), max(all_y)
    span_x = (x1 - x0) or 1.0
    span_y = (y1 - y0) or 1.0

    def sx(x: float) -> float:
        return pad + (x - x0) / span_x * (width - 2 * pad)

    def sy(y: float) -> float:
        return height - pad - (y - y0) / span_y * (height - 2 * pad)

    line = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys, strict=True))
    parts = [f'<polyline points="{line}" class="spark-line"/>']
    last_x, last_y = sx(xs[-1]), sy(ys[-1])
    parts.append(f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" class="spark-dot"/>')
    if target is not None:
        ty = sy(float(target))
        parts.append(
            f'<line x1="{pad}" x2="{width - pad}" y1="{ty:.1f}" y2="{ty:.1f}" class="spark-target"/>'
        )
    return format_html(
        '<svg class="spark" viewBox="0 0 120 32" role="img" aria-label="trend">{}</svg>',
        mark_safe("".join(parts)),
    )
