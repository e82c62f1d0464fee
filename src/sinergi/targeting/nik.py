"""NIK (Nomor Induk Kependudukan) and KK (Kartu Keluarga) number rules.

A NIK is 16 digits: province (2), regency (2), kecamatan (2) of registration,
the birth date as DDMMYY with 40 added to the day for women, and a serial (4).
The rules are written once, as SQL conditions (:func:`nik_conditions`), so a
whole release is checked in one vectorised query; :func:`check_nik` runs the
same conditions on one number. A disagreement with the recorded birth date or
sex is reported, never corrected: which of the two is wrong is for the
registry's operator to find out.

Examples
--------
>>> from datetime import date
>>> check_nik("1607054107900001", birth_date=date(1990, 7, 1), sex="F",
...           kecamatan_prefixes={"16.07.05"})
[]
>>> check_nik("1607050107900001", birth_date=date(1990, 7, 1), sex="F",
...           kecamatan_prefixes={"160705"})
['nik_sex_mismatch']
>>> mask("1607054107900001")
'1607**********01'
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from datetime import date
from typing import Any

__all__ = ["check_nik", "mask", "mask_sql", "nik_conditions", "nik_parts", "normalise_prefixes"]

_local = threading.local()


def normalise_prefixes(prefixes: Collection[str]) -> list[str]:
    """Kecamatan codes (``16.07.05``) or NIK prefixes (``160705``) as 6-digit prefixes."""
    return sorted({p.replace(".", "") for p in prefixes if len(p.replace(".", "")) == 6})


def nik_parts(nik: str) -> dict[str, str]:
    """The SQL expressions the rules read from a NIK: 16 digits? day (raw), month, year."""
    return {
        "digits": f"regexp_full_match({nik}, '[0-9]{{16}}')",
        "raw_day": f"TRY_CAST(substr({nik}, 7, 2) AS INTEGER)",
        "month": f"TRY_CAST(substr({nik}, 9, 2) AS INTEGER)",
        "year": f"TRY_CAST(substr({nik}, 11, 2) AS INTEGER)",
    }


def nik_conditions(
    nik: str,
    birth_date: str,
    sex: str,
    prefix_known: str,
    parts: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """``(reason, SQL condition)`` pairs that are true when a NIK breaks a rule.

    ``nik``, ``birth_date`` (a DATE expression, NULL when unknown) and ``sex``
    (``'M'``/``'F'`` or NULL) are SQL expressions; ``prefix_known`` is a SQL
    template with ``{p}`` for the 6-digit prefix that is true when the prefix
    is a real kecamatan. A null NIK yields no condition (the caller reports
    "required").
    """
    # Integer arithmetic instead of parsing a date string: the check runs on every
    # person of a national registry. A two-digit year is a leap year when divisible
    # by 4 (2000 was one; a birth in 1900 is out of the registry's range). ``parts``
    # lets a caller compute the pieces once per row (see :func:`nik_parts`).
    p = parts or nik_parts(nik)
    digits, raw_day, month, year = p["digits"], p["raw_day"], p["month"], p["year"]
    day = f"(CASE WHEN {raw_day} > 40 THEN {raw_day} - 40 ELSE {raw_day} END)"
    month = f"TRY_CAST(substr({nik}, 9, 2) AS INTEGER)"
    year = f"TRY_CAST(substr({nik}, 11, 2) AS INTEGER)"
    month_days = (
        f"(CASE WHEN {month} = 2 THEN CASE WHEN {year} % 4 = 0 THEN 29 ELSE 28 END "
        f"WHEN {month} IN (4, 6, 9, 11) THEN 30 ELSE 31 END)"
    )
    real_date = (
        f"({month} BETWEEN 1 AND 12 AND {day} BETWEEN 1 AND {month_days} "
        f"AND ({raw_day} <= 31 OR {raw_day} > 40))"
    )
    valid = f"({nik} IS NOT NULL AND {digits})"
    return [
        ("nik_invalid", f"({nik} IS NOT NULL AND NOT {digits})"),
        (
            "nik_unknown_prefix",
            f"({valid} AND NOT ({prefix_known.format(p=f'substr({nik}, 1, 6)')}))",
        ),
        ("nik_bad_birth_date", f"({valid} AND NOT {real_date})"),
        (
            "nik_birth_date_mismatch",
            f"({valid} AND {real_date} AND {birth_date} IS NOT NULL "
            f"AND (day({birth_date}) <> {day} OR month({birth_date}) <> {month} "
            f"OR year({birth_date}) % 100 <> {year}))",
        ),
        (
            "nik_sex_mismatch",
            f"({valid} AND {real_date} AND {sex} IN ('M', 'F') "
            f"AND (({sex} = 'F') <> ({raw_day} > 40)))",
        ),
    ]


def _connection() -> Any:
    con = getattr(_local, "con", None)
    if con is None:
        import duckdb

        con = _local.con = duckdb.connect()
    return con


def check_nik(
    nik: str,
    *,
    birth_date: date | None,
    sex: str | None,
    kecamatan_prefixes: Collection[str],
) -> list[str]:
    """The reason codes a NIK breaks (``[]`` when it is fine).

    Parameters
    ----------
    nik
        The number as text.
    birth_date, sex
        The person's recorded birth date and sex (``M``/``F``, or the aliases
        ``L``/``P``); ``None`` skips the agreement check.
    kecamatan_prefixes
        The real kecamatan: codes ``16.07.05`` or prefixes ``160705``.

    Examples
    --------
    >>> check_nik("123", birth_date=None, sex=None, kecamatan_prefixes=[])
    ['nik_invalid']
    >>> check_nik("9999990101900001", birth_date=None, sex="M", kecamatan_prefixes=["160705"])
    ['nik_unknown_prefix']
    """
    from .schema import SEX_ALIASES

    sex_code = SEX_ALIASES.get(sex, sex) if sex else None
    conditions = nik_conditions(
        "CAST($nik AS VARCHAR)",
        "CAST($birth AS DATE)",
        "CAST($sex AS VARCHAR)",
        "list_contains($prefixes, {p})",
    )
    select = ", ".join(f"coalesce({cond}, false)" for _reason, cond in conditions)
    row = (
        _connection()
        .execute(
            f"SELECT {select}",
            {
                "nik": nik,
                "birth": birth_date,
                "sex": sex_code,
                "prefixes": normalise_prefixes(kecamatan_prefixes),
            },
        )
        .fetchone()
    )
    assert row is not None
    return [reason for (reason, _cond), broken in zip(conditions, row, strict=True) if broken]


def mask(number: str) -> str:
    """Show the first 4 and last 2 digits only: ``1607**********03``.

    >>> mask("1607051204900003")
    '1607**********03'
    >>> mask("12345")
    '*****'
    """
    if len(number) <= 6:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 6) + number[-2:]


def mask_sql(expr: str) -> str:
    """The SQL form of :func:`mask` (used when a release is written)."""
    return (
        f"CASE WHEN length({expr}) <= 6 THEN repeat('*', length({expr})) "
        f"ELSE substr({expr}, 1, 4) || repeat('*', length({expr}) - 6) || substr({expr}, -2) END"
    )
