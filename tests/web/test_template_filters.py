"""The ``percent``, ``long_date`` and ``quarter`` template filters write values as people
do, in the active language, through sinergi.web.core.formatting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation


def _render(source: str, **context: object) -> str:
    return engines["django"].from_string("{% load sinergi %}" + source).render(context)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", "66,7% | 29 November 2019 | Triwulan IV 2026 | Triwulan I 2025 | Triwulan III"),
        ("en", "66.7% | 29 November 2019 | Quarter IV 2026 | Quarter I 2025 | Quarter III"),
    ],
)
def test_filters_in_both_languages(language: str, expected: str) -> None:
    source = "{{ p|percent }} | {{ d|long_date }} | {{ q|quarter:2026 }} | {{ 'tw1'|quarter:'2025' }} | {{ 3|quarter }}"
    with translation.override(language):
        out = _render(source, p=Decimal("66.65"), d=dt.date(2019, 11, 29), q=4)
    assert out == expected


def test_percent_rounds_half_up_and_missing_is_a_dash() -> None:
    with translation.override("id"):
        assert _render(
            "{{ a|percent }} {{ b|percent:2 }} {{ c|percent }}", a=60.85, b=5, c=None
        ) == ("60,9% 5,00% –")


def test_datetime_is_local_time() -> None:
    moment = dt.datetime(2026, 11, 30, 20, 5, tzinfo=dt.UTC)  # 03.05 on 1 December in Jakarta
    with translation.override("id"):
        assert _render("{{ t|long_date }}", t=moment) == "1 Desember 2026 03.05"


def test_quarter_of_a_period_object_and_bad_values() -> None:
    class Period:
        year, quarter = 2026, 2

    with translation.override("id"):
        assert _render("{{ p|quarter }}", p=Period()) == "Triwulan II 2026"
        assert _render("{{ x|quarter:2026 }}|{{ n|quarter }}", x="tw9", n=None) == "tw9|–"


def test_failed_lookup_is_missing_not_a_crash() -> None:
    """A template lookup that fails gives ``''``; every number filter shows the dash."""
    with translation.override("id"):
        out = _render(
            "{{ row.nothing|fmt }} {{ row.nothing|fmt:1 }} {{ row.nothing|percent }} "
            "{{ row.nothing|long_date }} {{ blank|fmt }}",
            row={},
            blank="  ",
        )
    assert out == "– – – – –"
