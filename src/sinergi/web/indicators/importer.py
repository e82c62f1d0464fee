"""Import indicator values and targets from CSV or XLSX.

The file is validated whole before anything is written. Every bad row is
reported with its line number, column and reason; nothing is written unless
every row is valid or the caller asked to import the valid rows only. The
write itself is one transaction.

Columns (the layout of ``seed_figures.csv``)::

    kind         value | target
    indicator    catalogue code, e.g. poverty_rate
    region_code  Kemendagri code, e.g. 16.07 ("00" for national)
    period       YYYY, YYYY-Qn, YYYY-MM, or empty when the source gives no year
    value        number; a target may carry a comparator: "<10", ">=8"
    unit         the indicator's unit ("percent" and "%" are the same);
                 "percent change" makes a target relative to baseline_year
    note, source free text (source: the citation)
  optional: se, status (preliminary|final|revised), as_of (YYYY-MM-DD),
            plan_level, plan_document, baseline_year
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from sinergi.web.indicators import services
from sinergi.web.indicators.choices import Comparator, PlanLevel, TargetKind, ValueStatus
from sinergi.web.indicators.models import Indicator
from sinergi.web.regions.models import Region

REQUIRED = ["kind", "indicator", "region_code", "period", "value", "unit"]
UNIT_ALIASES = {"percent": "%", "persen": "%", "persen (%)": "%", "events per year": "events"}
COMPARATORS = [
    ("<=", Comparator.LE),
    (">=", Comparator.GE),
    ("<", Comparator.LT),
    (">", Comparator.GT),
]


@dataclass(frozen=True)
class RowError:
    row: int  # line number in the file (the header is line 1)
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False


class ImportFailed(Exception):
    """The file has bad rows and nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        lines = "\n".join(str(e) for e in errors[:50])
        more = f"\n... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} problem(s); nothing was imported:\n{lines}{more}")


@dataclass(frozen=True)
class _Parsed:
    line: int
    kind: str
    indicator: Indicator
    region: Region
    period: services.PeriodKey
    value: Decimal
    comparator: str
    fields: dict[str, Any]


def read_rows(path: Path | str, content: bytes | None = None) -> list[dict[str, str]]:
    """Read a CSV or XLSX file into dicts of strings (header names lower-cased)."""
    name = str(path).lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(
            io.BytesIO(content) if content else path, read_only=True, data_only=True
        )
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            return []
        header = [str(h or "").strip().lower() for h in rows[0]]
        return [
            {h: "" if c is None else str(c).strip() for h, c in zip(header, row, strict=False)}
            for row in rows[1:]
        ]
    text = content.decode("utf-8-sig") if content is not None else Path(path).read_text("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames:
        reader.fieldnames = [f.strip().lower() for f in reader.fieldnames]
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _validate(
    rows: Iterable[Mapping[str, str]],
    indicators: dict[str, Indicator],
    regions: dict[str, Region],
) -> tuple[list[_Parsed], list[RowError]]:
    parsed: list[_Parsed] = []
    errors: list[RowError] = []
    for line, row in enumerate(rows, start=2):
        bad = len(errors)

        def fail(column: str, reason: str, line: int = line) -> None:
            errors.append(RowError(line, column, reason))

        for column in REQUIRED:
            if column not in row:
                fail(column, "column is missing from the file")
        if len(errors) > bad:
            continue
        kind = row["kind"].lower()
        if kind not in {"value", "target"}:
            fail("kind", f"{row['kind']!r} is not 'value' or 'target'")
        indicator = indicators.get(row["indicator"])
        if indicator is None:
            fail("indicator", f"{row['indicator']!r} is not in the indicator catalogue")
        region = regions.get(row["region_code"])
        if region is None:
            fail("region_code", f"{row['region_code']!r} is not a known region code")
        try:
            period = services.parse_period(row["period"])
        except ValueError as exc:
            fail("period", str(exc))
            period = None
        raw_value, comparator = row["value"].replace(",", "."), Comparator.AUTO
        for prefix, comp in COMPARATORS:
            if raw_value.startswith(prefix):
                raw_value, comparator = raw_value[len(prefix) :].strip(), comp
                break
        if comparator != Comparator.AUTO and kind == "value":
            fail("value", f"{row['value']!r}: a comparator is only allowed on a target")
        try:
            value = Decimal(raw_value)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            fail("value", f"{row['value']!r} is not a number")
            value = Decimal(0)
        fields: dict[str, Any] = {
            "note": row.get("note", "")[:300],
            "source": row.get("source", "")[:300],
        }
        unit = row["unit"].strip().lower()
        is_change = unit == "percent change"
        if indicator is not None and not is_change:
            expected = indicator.unit.lower()
            if UNIT_ALIASES.get(unit, unit) != UNIT_ALIASES.get(expected, expected):
                fail(
                    "unit",
                    f"{row['unit']!r} does not match the indicator's unit {indicator.unit!r}",
                )
        if kind == "value":
            if is_change:
                fail("unit", "'percent change' is only allowed on a target")
            if row.get("se"):
                try:
                    fields["se"] = float(row["se"])
                    if fields["se"] < 0:
                        fail("se", "a standard error cannot be negative")
                except ValueError:
                    fail("se", f"{row['se']!r} is not a number")
            if row.get("status"):
                if row["status"] not in ValueStatus.values:
                    fail(
                        "status", f"{row['status']!r} is not one of {', '.join(ValueStatus.values)}"
                    )
                fields["status"] = row["status"]
            if row.get("as_of"):
                try:
                    fields["as_of"] = dt.date.fromisoformat(row["as_of"])
                except ValueError:
                    fail("as_of", f"{row['as_of']!r} is not a date (YYYY-MM-DD)")
            if period is not None and not period.period and not fields["note"]:
                fail(
                    "note",
                    "a value without a period needs a note saying why (e.g. the source gives no year)",
                )
        else:
            if period is not None and (period.quarter or period.month):
                fail("period", "a target is set for a year, not a quarter or month")
            level = row.get("plan_level") or (
                services.plan_level_for(region) if region is not None else ""
            )
            if level and level not in PlanLevel.values:
                fail("plan_level", f"{level!r} is not one of {', '.join(PlanLevel.values)}")
            fields["plan_level"] = level
            fields["plan_document"] = row.get("plan_document", "")[:200]
            fields["kind"] = TargetKind.CHANGE_PERCENT if is_change else TargetKind.LEVEL
            if is_change:
                try:
                    fields["baseline_year"] = int(row.get("baseline_year") or "")
                except ValueError:
                    fail("baseline_year", "a 'percent change' target needs a baseline year")
            if value == 0 and indicator is not None and not is_change:
                fail(
                    "value", "a target of 0 has no defined achievement; use a small positive target"
                )
        if len(errors) == bad:
            assert indicator is not None and region is not None and period is not None
            parsed.append(_Parsed(line, kind, indicator, region, period, value, comparator, fields))
    return parsed, errors


def import_rows(
    rows: list[Mapping[str, str]],
    *,
    user: AbstractBaseUser | None = None,
    valid_only: bool = False,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    can_write: Callable[[Region], bool] | None = None,
) -> ImportReport:
    """Validate every row, then write them in one transaction.

    Raises :class:`ImportFailed` (writing nothing) when a row is bad, unless
    ``valid_only`` is set, in which case the valid rows are written and the
    bad ones reported. ``can_write`` lets the caller refuse regions outside
    a user's scope (reported as errors on ``region_code``).
    """
    indicators = {i.code: i for i in Indicator.objects.all()}
    codes = {row.get("region_code", "") for row in rows}
    regions = Region.objects.in_bulk([c for c in codes if c])
    parsed, errors = _validate(rows, indicators, regions)
    if can_write is not None:
        allowed = []
        for item in parsed:
            if can_write(item.region):
                allowed.append(item)
            else:
                errors.append(
                    RowError(
                        item.line, "region_code", f"you may not write data of {item.region.code}"
                    )
                )
        parsed = allowed
    errors.sort(key=lambda e: e.row)
    report = ImportReport(rows=len(rows), errors=errors)
    if errors and not valid_only:
        raise ImportFailed(errors)
    if dry_run:
        return report
    with transaction.atomic():
        for index, item in enumerate(parsed, start=1):
            if item.kind == "value":
                _obj, changed = services.record_value(
                    indicator=item.indicator,
                    region=item.region,
                    period=item.period.period,
                    value=item.value,
                    user=user,
                    reason="import",
                    **item.fields,
                )
            else:
                _obj, changed = services.set_target(
                    indicator=item.indicator,
                    region=item.region,
                    year=item.period.year,
                    value=item.value,
                    user=user,
                    comparator=item.comparator,
                    **item.fields,
                )
            if changed and _obj.version == 1:
                report.created += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
            if progress:
                progress(index, len(parsed))
    report.written = True
    return report
