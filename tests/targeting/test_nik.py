from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.targeting.nik import check_nik, mask, mask_sql

PREFIXES = {"16.07.05"}


def check(n, birth=None, sex=None):
    return check_nik(n, birth_date=birth, sex=sex, kecamatan_prefixes=PREFIXES)


def test_a_good_nik_of_a_man_and_of_a_woman():
    assert check("1607050107800001", date(1980, 7, 1), "M") == []
    assert check("1607054107800001", date(1980, 7, 1), "F") == []
    assert check("1607054107800001", date(1980, 7, 1), "P") == []  # Indonesian alias


@pytest.mark.parametrize(
    "bad", ["160705010780000", "16070501078000012", "16070501078O0001", "1607 50107800001"]
)
def test_not_16_digits(bad):
    assert check(bad) == ["nik_invalid"]


def test_prefix_must_be_a_real_kecamatan():
    assert check("1607990107800001") == ["nik_unknown_prefix"]
    assert (
        check_nik("1607990107800001", birth_date=None, sex=None, kecamatan_prefixes=["160799"])
        == []
    )


@pytest.mark.parametrize(
    "bad", ["1607053202800001", "1607050013800001", "1607057202800001", "1607053502800001"]
)
def test_birth_date_part_must_be_a_real_date(bad):
    assert "nik_bad_birth_date" in check(bad)


def test_leap_day_is_a_real_date():
    assert check("1607052902000001", date(2000, 2, 29), "M") == []
    assert check("1607052902010001") == ["nik_bad_birth_date"]


def test_disagreement_with_birth_date_is_reported_not_fixed():
    assert check("1607050107800001", date(1980, 7, 2), "M") == ["nik_birth_date_mismatch"]
    assert check("1607050107800001", date(1981, 7, 1), "M") == ["nik_birth_date_mismatch"]


def test_disagreement_with_sex():
    assert check("1607050107800001", date(1980, 7, 1), "F") == ["nik_sex_mismatch"]
    assert check("1607054107800001", date(1980, 7, 1), "M") == ["nik_sex_mismatch"]


def test_mask_shows_first_four_and_last_two():
    assert mask("1607051204900003") == "1607**********03"
    assert mask("123") == "***"


def test_sql_mask_is_the_python_mask():
    import duckdb

    for value in ["1607051204900003", "123", "1234567"]:
        (got,) = duckdb.connect().execute(f"SELECT {mask_sql('$v')}", {"v": value}).fetchall()[0]
        assert got == mask(value)


def _reference(n, birth, sex):
    """An independent reading of the rule with datetime (the test's own oracle)."""
    import datetime as dt

    if not (len(n) == 16 and n.isdigit()):
        return ["nik_invalid"]
    out = [] if n[:6] == "160705" else ["nik_unknown_prefix"]
    raw = int(n[6:8])
    day = raw - 40 if raw > 40 else raw
    try:
        year = 2000 + int(n[10:12])
        when = dt.date(year, int(n[8:10]), day) if (raw <= 31 or raw > 40) else None
    except ValueError:
        when = None
    if when is None:
        return [*out, "nik_bad_birth_date"]
    if birth is not None and (birth.day, birth.month, birth.year % 100) != (
        when.day,
        when.month,
        when.year % 100,
    ):
        out.append("nik_birth_date_mismatch")
    if sex is not None and (sex == "F") != (raw > 40):
        out.append("nik_sex_mismatch")
    return out


@given(
    prefix=st.sampled_from(["160705", "160799"]),
    day=st.integers(0, 75),
    month=st.integers(0, 13),
    year=st.integers(0, 99),
    birth=st.none() | st.dates(date(1900, 1, 1), date(2099, 12, 31)),
    sex=st.none() | st.sampled_from(["M", "F"]),
)
@settings(max_examples=300, deadline=None)
def test_rule_agrees_with_an_independent_reading(prefix, day, month, year, birth, sex):
    n = f"{prefix}{day:02d}{month:02d}{year:02d}0001"
    assert check_nik(n, birth_date=birth, sex=sex, kecamatan_prefixes=PREFIXES) == _reference(
        n, birth, sex
    )
