import datetime as dt

import pytest

from sinergi.web.collection import periods


@pytest.mark.parametrize(
    ("code", "kind", "steps", "expected"),
    [
        ("2026-Q1", "quarterly", -1, "2025-Q4"),
        ("2026-Q4", "quarterly", 1, "2027-Q1"),
        ("2026-01", "monthly", -1, "2025-12"),
        ("2026-12", "monthly", 2, "2027-02"),
        ("2026", "yearly", -1, "2025"),
    ],
)
def test_shift_crosses_year_boundaries(code, kind, steps, expected):
    assert periods.shift(code, kind, steps) == expected


def test_bounds_of_a_quarter_and_a_leap_february():
    assert periods.bounds("2026-Q3", "quarterly") == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert periods.bounds("2024-02", "monthly") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_containing_day():
    assert periods.containing(dt.date(2026, 11, 22), "quarterly") == "2026-Q4"
    assert periods.containing(dt.date(2026, 11, 22), "monthly") == "2026-11"


@pytest.mark.parametrize(
    ("code", "kind"), [("2026-Q5", "quarterly"), ("2026-13", "monthly"), ("2026-Q1", "monthly")]
)
def test_bad_codes_are_refused(code, kind):
    with pytest.raises(ValueError, match="is not a"):
        periods.parse(code, kind)


@pytest.mark.parametrize(
    ("code", "kind", "english", "indonesian"),
    [
        ("2026-Q4", "quarterly", "Quarter IV 2026", "Triwulan IV 2026"),
        ("2026-07", "monthly", "July 2026", "Juli 2026"),
        ("2026", "yearly", "2026", "2026"),
        ("bogus", "quarterly", "bogus", "bogus"),
    ],
)
def test_labels_read_as_people_write_periods(code, kind, english, indonesian):
    from django.utils import translation

    from sinergi.web.collection.periods import label

    with translation.override("en"):
        assert label(code, kind) == english
    with translation.override("id"):
        assert label(code, kind) == indonesian
