"""The Indonesian working-day calendar used for service-level agreements (SLA).

A working day is Monday to Friday, except the national public holidays and the
joint leave days (cuti bersama) set by the joint ministerial decree (SKB). Both
come from the maintained ``holidays`` package (its Indonesian ``public`` and
``government`` categories). A region may close extra days or open extra
working days in a year (a regional holiday, a decree changed late); those are
passed in, never typed into this module.

The rules (docs/DESIGN.md, "Working days"):

- ``due_on(sent_on, n)`` is the n-th working day after ``sent_on``; the day sent
  is not counted, whether or not it is a working day.
- ``working_days_between(a, b)`` counts the working days ``d`` with ``a < d <= b``
  (so ``working_days_between(sent, due_on(sent, n)) == n``).
- ``sla_status``: ``breached`` once the day is past ``due_on`` (or the work
  ended after it); ``at_risk`` while less than 25 % of the SLA's working days
  are left; otherwise ``on_track``.

This module is pure Python (no Django); the web app builds a
:class:`WorkCalendar` from its settings.

Examples
--------
>>> from datetime import date
>>> cal = WorkCalendar()
>>> cal.is_working_day(date(2026, 3, 20))  # cuti bersama before Idul Fitri 1447 H
False
>>> cal.due_on(date(2026, 3, 17), 3)  # Tue; 18-24 March closed
datetime.date(2026, 3, 27)
>>> cal.working_days_between(date(2026, 3, 17), date(2026, 3, 27))
3
>>> cal.sla_status(date(2026, 3, 17), date(2026, 3, 27), today=date(2026, 3, 30))
'breached'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Literal

__all__ = [
    "AT_RISK_SHARE",
    "SlaStatus",
    "WorkCalendar",
    "due_on",
    "parse_extra_days",
    "sla_status",
    "working_days_between",
]

SlaStatus = Literal["on_track", "at_risk", "breached"]

#: A running SLA is "at risk" when less than this share of its working days is left.
AT_RISK_SHARE = 0.25
#: The ``holidays`` categories that close government offices in Indonesia.
CATEGORIES = ("public", "government")
#: Guard against a runaway search (an SLA is days or weeks, never decades).
MAX_SLA_DAYS = 3660

ExtraDays = Mapping[int | str, Iterable[dt.date | str]] | Iterable[dt.date | str] | None


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from None


def parse_extra_days(days: ExtraDays) -> frozenset[dt.date]:
    """Extra days from settings: a list of dates, or a mapping ``year -> dates``.

    Dates may be :class:`datetime.date` or ISO text. In the mapping form each date
    must fall in its year (a typo such as ``{2026: ["2025-12-31"]}`` is refused).

    >>> sorted(parse_extra_days({2026: ["2026-12-31"]}))
    [datetime.date(2026, 12, 31)]
    >>> parse_extra_days({2026: ["2025-12-31"]})
    Traceback (most recent call last):
    ...
    ValueError: 2025-12-31 is listed under year 2026
    """
    if days is None:
        return frozenset()
    if isinstance(days, Mapping):
        out: set[dt.date] = set()
        for year, values in days.items():
            for value in values:
                day = _as_date(value)
                if day.year != int(year):
                    raise ValueError(f"{day.isoformat()} is listed under year {int(year)}")
                out.add(day)
        return frozenset(out)
    if isinstance(days, str):
        raise ValueError("extra days must be a list of dates, not one string")
    return frozenset(_as_date(value) for value in days)


@lru_cache(maxsize=64)
def _closed_days(year: int) -> frozenset[dt.date]:
    """National public holidays and cuti bersama of ``year`` (from ``holidays``)."""
    import holidays

    calendar = holidays.country_holidays("ID", years=year, categories=CATEGORIES)
    return frozenset(calendar.keys())


class WorkCalendar:
    """Working days: Monday-Friday, less national holidays and cuti bersama, less
    ``extra_holidays``, plus ``extra_workdays`` (which win over every other rule).

    Parameters
    ----------
    extra_holidays, extra_workdays
        Dates, or a mapping ``year -> dates`` (see :func:`parse_extra_days`).

    Examples
    --------
    >>> from datetime import date
    >>> cal = WorkCalendar(extra_holidays={2026: ["2026-12-31"]})
    >>> cal.due_on(date(2026, 12, 29), 2)  # 30 Dec, (31 Dec closed), 1 Jan holiday, 2-3 weekend
    datetime.date(2027, 1, 4)
    """

    def __init__(self, extra_holidays: ExtraDays = None, extra_workdays: ExtraDays = None) -> None:
        self.extra_holidays = parse_extra_days(extra_holidays)
        self.extra_workdays = parse_extra_days(extra_workdays)
        both = self.extra_holidays & self.extra_workdays
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"days listed both as extra holiday and extra working day: {listed}")

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(extra_holidays={len(self.extra_holidays)}, "
            f"extra_workdays={len(self.extra_workdays)})"
        )

    def holiday_name(self, day: dt.date) -> str | None:
        """The national holiday or joint-leave name of ``day`` (English), if any."""
        import holidays

        calendar = holidays.country_holidays("ID", years=day.year, categories=CATEGORIES)
        name = calendar.get(day)
        return None if name is None else str(name)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether government offices are open on ``day``."""
        if day in self.extra_workdays:
            return True
        if day.weekday() >= 5 or day in self.extra_holidays:
            return False
        return day not in _closed_days(day.year)

    def due_on(self, sent_on: dt.date, sla_days: int) -> dt.date:
        """The ``sla_days``-th working day after ``sent_on`` (the sent day not counted).

        ``sla_days`` of 0 gives ``sent_on`` itself (the answer is due the same day).
        """
        if sla_days < 0:
            raise ValueError("sla_days must be 0 or more")
        if sla_days > MAX_SLA_DAYS:
            raise ValueError(f"sla_days above {MAX_SLA_DAYS} working days")
        day, left = sent_on, sla_days
        while left:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days ``d`` with ``start < d <= end``; negative when ``end < start``."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def sla_status(
        self,
        sent_on: dt.date,
        due_on: dt.date,
        today: dt.date,
        ended_on: dt.date | None = None,
    ) -> SlaStatus:
        """``on_track``, ``at_risk`` or ``breached`` (see the module docstring).

        A finished piece of work (``ended_on`` given) is ``breached`` if it ended after
        ``due_on`` and ``on_track`` otherwise: it can no longer be at risk.
        """
        if ended_on is not None:
            return "breached" if ended_on > due_on else "on_track"
        if today > due_on:
            return "breached"
        total = self.working_days_between(sent_on, due_on)
        left = self.working_days_between(max(today, sent_on), due_on)
        if total <= 0:
            return "at_risk"
        return "at_risk" if left < AT_RISK_SHARE * total else "on_track"


_DEFAULT = WorkCalendar()


def due_on(sent_on: dt.date, sla_days: int, *, calendar: WorkCalendar | None = None) -> dt.date:
    """:meth:`WorkCalendar.due_on` on ``calendar`` (default: national days only).

    >>> due_on(dt.date(2025, 3, 27), 1)  # Thu before Nyepi and Idul Fitri 1446 H
    datetime.date(2025, 4, 8)
    """
    return (calendar or _DEFAULT).due_on(sent_on, sla_days)


def working_days_between(
    start: dt.date, end: dt.date, *, calendar: WorkCalendar | None = None
) -> int:
    """:meth:`WorkCalendar.working_days_between` on ``calendar`` (default: national days).

    >>> working_days_between(dt.date(2025, 12, 24), dt.date(2026, 1, 2))
    4
    """
    return (calendar or _DEFAULT).working_days_between(start, end)


def sla_status(
    sent_on: dt.date,
    due_on: dt.date,
    today: dt.date,
    ended_on: dt.date | None = None,
    *,
    calendar: WorkCalendar | None = None,
) -> SlaStatus:
    """:meth:`WorkCalendar.sla_status` on ``calendar`` (default: national days only)."""
    return (calendar or _DEFAULT).sla_status(sent_on, due_on, today, ended_on)
