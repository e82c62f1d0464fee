"""Import quarterly realisation or budgets of a region's activities from CSV or XLSX.

The whole file is validated first and every bad row is reported (row number,
column, reason). Nothing is written unless every row is valid or the caller
chose to import the valid rows; the writes are one transaction, so a failure
part-way writes nothing.

Realisation columns (Indonesian names accepted too)::

    activity_code   kode_kegiatan        the activity's code, e.g. 2.07.04.2.01.0002
    year            tahun                budget year
    quarter         triwulan             1-4
    physical_pct    fisik_persen         physical progress to date, 0-100
    spent           realisasi_keuangan   rupiah spent to date (APBD/APBN funds)
    output_code     kode_keluaran        output indicator code (optional if the activity has one)
    output_value    capaian_keluaran     achieved in the quarter (level for non-additive outputs)
    problems        kendala
    follow_up       tindak_lanjut

An activity with several outputs takes one row per output for the same
quarter (physical and spending repeated identically).

Budget columns: ``activity_code, year, source, amount, note`` (``kode_kegiatan,
tahun, sumber_dana, pagu, keterangan``); ``source`` is one of the funding
source codes (apbd_kab, apbd_prov, apbn_dak, csr, kur, private, grant).

Numbers may be written ``1250000``, ``1.250.000``, ``1,250,000`` or with a
decimal comma (``45,5``); rupiah may carry "Rp".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.web.indicators.importer import ImportFailed, ImportReport, RowError, read_rows
from sinergi.web.programs import services
from sinergi.web.programs.choices import FundingSource, IndicatorLevel, RealisationStatus
from sinergi.web.programs.models import (
    Activity,
    OutputRealisation,
    PerformanceIndicator,
    Realisation,
)
from sinergi.web.regions.models import Region

__all__ = ["ImportFailed", "ImportReport", "RowError", "import_file", "read_rows"]

KINDS = ("realisation", "budget")
REALISATION_COLUMNS = [
    "activity_code",
    "year",
    "quarter",
    "physical_pct",
    "spent",
    "output_code",
    "output_value",
    "problems",
    "follow_up",
]
BUDGET_COLUMNS = ["activity_code", "year", "source", "amount", "note"]
REQUIRED = {
    "realisation": ["activity_code", "year", "quarter", "physical_pct", "spent"],
    "budget": ["activity_code", "year", "source", "amount"],
}
ALIASES = {
    "kode_kegiatan": "activity_code",
    "tahun": "year",
    "triwulan": "quarter",
    "fisik_persen": "physical_pct",
    "realisasi_keuangan": "spent",
    "kode_keluaran": "output_code",
    "capaian_keluaran": "output_value",
    "kendala": "problems",
    "tindak_lanjut": "follow_up",
    "sumber_dana": "source",
    "pagu": "amount",
    "keterangan": "note",
}
INFO_COLUMNS = ["activity_name", "agency"]
ZERO = Decimal(0)
_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def parse_number(text: str, *, money: bool = False) -> Decimal:
    """Parse a number as Indonesian or English spreadsheets write it.

    >>> parse_number("Rp 1.250.000", money=True)
    Decimal('1250000')
    >>> parse_number("45,5")
    Decimal('45.5')
    """
    raw = text.strip().replace("Rp", "").replace("rp", "").replace(" ", "").replace("\u00a0", "")
    raw = raw.rstrip("%")
    if not raw:
        raise ValueError("empty")
    if "." in raw and "," in raw:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        group = "." if decimal_mark == "," else ","
        raw = raw.replace(group, "").replace(decimal_mark, ".")
    elif raw.count(".") > 1 or raw.count(",") > 1 or (money and _THOUSANDS.match(raw)):
        raw = raw.replace(".", "").replace(",", "")
    else:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


@dataclass
class _RealisationItem:
    line: int
    activity: Activity
    quarter: int
    physical_pct: Decimal
    spent: Decimal
    problems: str
    follow_up: str
    outputs: dict[int, Decimal] = field(default_factory=dict)
    output_lines: dict[int, int] = field(default_factory=dict)


@dataclass
class _BudgetItem:
    line: int
    activity: Activity
    source: str
    amount: Decimal
    note: str


def _normalise(row: Mapping[str, str]) -> dict[str, str]:
    return {
        ALIASES.get(k.strip().lower(), k.strip().lower()): (v or "").strip()
        for k, v in row.items()
        if k
    }


class _Context:
    """Everything validation looks up, loaded in a fixed number of queries."""

    def __init__(self, region: Region, years: set[int]) -> None:
        activities = Activity.objects.filter(region=region, year__in=years).prefetch_related(
            "budgets"
        )
        self.activities = {(a.year, a.code): a for a in activities}
        self.outputs: dict[int, dict[str, PerformanceIndicator]] = {}
        for ind in PerformanceIndicator.objects.filter(
            level=IndicatorLevel.OUTPUT, activity__region=region, activity__year__in=years
        ):
            self.outputs.setdefault(ind.activity_id, {})[ind.code] = ind  # type: ignore[arg-type]
        self.realisations = {
            (r.activity_id, r.quarter): r
            for r in Realisation.objects.filter(activity__region=region, activity__year__in=years)
        }
        self.achieved: dict[int, dict[int, Decimal]] = {}
        for real_id, indicator_id, value in OutputRealisation.objects.filter(
            realisation__activity__region=region, realisation__activity__year__in=years
        ).values_list("realisation_id", "indicator_id", "value"):
            self.achieved.setdefault(real_id, {})[indicator_id] = value
        self.public_budget = {a.pk: services.public_budget(a) for a in self.activities.values()}


def _validate(
    kind: str,
    rows: list[dict[str, str]],
    region: Region,
    can_write: Callable[[Activity], bool] | None,
) -> tuple[list[Any], list[RowError]]:
    errors: list[RowError] = []
    if not rows:
        return [], [RowError(1, "-", _("The file has no data rows."))]
    missing = [c for c in REQUIRED[kind] if c not in rows[0]]
    if missing:
        return [], [RowError(1, c, _("column is missing from the file")) for c in missing]
    years = {int(r["year"]) for r in rows if r.get("year", "").isdigit()}
    ctx = _Context(region, years)
    items: dict[tuple[Any, ...], Any] = {}
    for line, row in enumerate(rows, start=2):
        if not any(row.get(c) for c in REQUIRED[kind]):
            continue  # a blank line (spreadsheets keep them)
        bad = len(errors)

        def fail(column: str, reason: str, line: int = line) -> None:
            errors.append(RowError(line, column, reason))

        activity = None
        if not row["year"].isdigit():
            fail("year", _("%(v)r is not a year") % {"v": row["year"]})
        else:
            activity = ctx.activities.get((int(row["year"]), row["activity_code"]))
            if activity is None:
                fail(
                    "activity_code",
                    _("no activity %(code)r in %(region)s for %(year)s")
                    % {"code": row["activity_code"], "region": region.code, "year": row["year"]},
                )
            elif can_write is not None and not can_write(activity):
                fail(
                    "activity_code",
                    _("you may not write data of %(agency)s") % {"agency": activity.agency},
                )
        if kind == "realisation":
            item = _validate_realisation(row, activity, ctx, fail)
            if item is not None and len(errors) == bad:
                item.line = line
                item.output_lines = dict.fromkeys(item.outputs, line)
                key = (item.activity.pk, item.quarter)
                earlier = items.get(key)
                if earlier is None:
                    items[key] = item
                else:
                    _merge(earlier, item, fail)
        else:
            budget = _validate_budget(row, activity, fail)
            if budget is not None and len(errors) == bad:
                budget.line = line
                key = (budget.activity.pk, budget.source)
                if key in items:
                    fail("source", _("duplicate of row %(row)s") % {"row": items[key].line})
                else:
                    items[key] = budget
    return list(items.values()), errors


def _validate_realisation(
    row: dict[str, str], activity: Activity | None, ctx: _Context, fail: Callable[[str, str], None]
) -> _RealisationItem | None:
    quarter = int(row["quarter"]) if row["quarter"] in {"1", "2", "3", "4"} else None
    if quarter is None:
        fail("quarter", _("%(v)r is not a quarter (1-4)") % {"v": row["quarter"]})
    numbers: dict[str, Decimal] = {}
    for column, money in (("physical_pct", False), ("spent", True)):
        try:
            numbers[column] = parse_number(row[column], money=money)
        except ValueError:
            fail(column, _("%(v)r is not a number") % {"v": row[column]})
    if activity is not None:
        problems = services.validate_realisation(
            activity,
            numbers.get("physical_pct", ZERO),
            numbers.get("spent", ZERO),
            budget=ctx.public_budget[activity.pk],
        )
        for column, reason in problems.items():
            if column in numbers:  # a column that did not parse is reported already
                fail(column, reason)
    if activity is None or quarter is None or len(numbers) < 2:
        return None
    item = _RealisationItem(
        line=0,
        activity=activity,
        quarter=quarter,
        physical_pct=numbers["physical_pct"],
        spent=numbers["spent"],
        problems=row.get("problems", ""),
        follow_up=row.get("follow_up", ""),
    )
    value_text = row.get("output_value", "")
    if value_text:
        outputs = ctx.outputs.get(activity.pk, {})
        code = row.get("output_code", "")
        if not code and len(outputs) == 1:
            code = next(iter(outputs))
        indicator = outputs.get(code)
        if indicator is None:
            if not outputs:
                reason = _("the activity has no output indicator")
            elif not code:
                reason = _("the activity has %(n)s outputs; say which (%(codes)s)") % {
                    "n": len(outputs),
                    "codes": ", ".join(sorted(outputs)),
                }
            else:
                reason = _("%(code)r is not an output of this activity (%(codes)s)") % {
                    "code": code,
                    "codes": ", ".join(sorted(outputs)),
                }
            fail("output_code", reason)
        try:
            value = parse_number(value_text)
        except ValueError:
            fail("output_value", _("%(v)r is not a number") % {"v": value_text})
            value = None
        if indicator is not None and value is not None:
            item.outputs[indicator.pk] = value
    existing = ctx.realisations.get((activity.pk, quarter))
    if existing is not None and existing.status == RealisationStatus.APPROVED:
        stored = ctx.achieved.get(existing.pk, {})
        same = (existing.physical_pct, existing.spent, existing.problems, existing.follow_up) == (
            item.physical_pct,
            item.spent,
            item.problems,
            item.follow_up,
        ) and all(stored.get(k) == v for k, v in item.outputs.items())
        if not same:
            fail(
                "quarter",
                _("the Q%(q)s realisation is approved by Bappeda and locked") % {"q": quarter},
            )
    return item


def _merge(
    earlier: _RealisationItem, item: _RealisationItem, fail: Callable[[str, str], None]
) -> None:
    """A second row for the same activity and quarter may only add another output."""
    if (earlier.physical_pct, earlier.spent) != (item.physical_pct, item.spent) or not item.outputs:
        fail("quarter", _("duplicate of row %(row)s") % {"row": earlier.line})
        return
    for indicator_id, value in item.outputs.items():
        if indicator_id in earlier.outputs:
            fail(
                "output_code",
                _("this output is already given in row %(row)s")
                % {"row": earlier.output_lines[indicator_id]},
            )
            return
        earlier.outputs[indicator_id] = value
        earlier.output_lines[indicator_id] = item.line


def _validate_budget(
    row: dict[str, str], activity: Activity | None, fail: Callable[[str, str], None]
) -> _BudgetItem | None:
    source = row["source"].strip().lower()
    if source not in FundingSource.values:
        fail(
            "source",
            _("%(v)r is not one of %(choices)s")
            % {"v": row["source"], "choices": ", ".join(FundingSource.values)},
        )
    try:
        amount = parse_number(row["amount"], money=True)
        if amount < 0:
            fail("amount", _("a budget cannot be negative"))
    except ValueError:
        fail("amount", _("%(v)r is not a number") % {"v": row["amount"]})
        return None
    if activity is None or source not in FundingSource.values:
        return None
    return _BudgetItem(0, activity, source, amount, row.get("note", "")[:300])


def import_file(
    kind: str,
    rows: list[Mapping[str, str]],
    *,
    region: Region,
    user: Any = None,
    can_write: Callable[[Activity], bool] | None = None,
    valid_only: bool = False,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Validate every row, then write them all in one transaction.

    Raises :class:`ImportFailed` (writing nothing) when a row is bad, unless
    ``valid_only``: then the valid rows are written and the bad ones reported.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    normalised = [_normalise(r) for r in rows]
    items, errors = _validate(kind, normalised, region, can_write)
    errors.sort(key=lambda e: (e.row, e.column))
    report = ImportReport(rows=sum(1 for r in normalised if any(r.values())), errors=errors)
    if errors and not valid_only:
        raise ImportFailed(errors)
    if dry_run:
        return report
    with transaction.atomic():
        for index, item in enumerate(items, start=1):
            if kind == "realisation":
                before = Realisation.objects.filter(
                    activity=item.activity, quarter=item.quarter
                ).exists()
                _obj, changed = services.save_realisation(
                    item.activity,
                    item.quarter,
                    physical_pct=item.physical_pct,
                    spent=item.spent,
                    problems=item.problems,
                    follow_up=item.follow_up,
                    outputs=item.outputs,
                    user=user,
                    comment="import",
                )
            else:
                before = item.activity.budgets.filter(source=item.source).exists()
                _obj, changed = services.set_budget(
                    item.activity, item.source, item.amount, note=item.note, user=user
                )
            if not changed:
                report.unchanged += 1
            elif before:
                report.updated += 1
            else:
                report.created += 1
            if progress:
                progress(index, len(items))
    report.written = True
    return report


# --- templates ------------------------------------------------------------------------------


def template_rows(
    kind: str, region: Region, year: int, quarter: int | None = None
) -> list[dict[str, Any]]:
    """A fill-in template: one row per activity (and output) of the region's year."""
    activities = Activity.objects.filter(region=region, year=year).select_related("agency")
    outputs: dict[int, list[PerformanceIndicator]] = {}
    for ind in PerformanceIndicator.objects.filter(
        level=IndicatorLevel.OUTPUT, activity__region=region, activity__year=year
    ):
        outputs.setdefault(ind.activity_id, []).append(ind)  # type: ignore[arg-type]
    rows: list[dict[str, Any]] = []
    for activity in activities.order_by("agency__name", "code"):
        info = {"activity_name": activity.name, "agency": str(activity.agency)}
        if kind == "budget":
            rows.append(
                {
                    "activity_code": activity.code,
                    "year": year,
                    "source": FundingSource.APBD_KAB,
                    "amount": "",
                    "note": "",
                    **info,
                }
            )
            continue
        for ind in outputs.get(activity.pk) or [None]:  # type: ignore[list-item]
            rows.append(
                {
                    "activity_code": activity.code,
                    "year": year,
                    "quarter": quarter or "",
                    "physical_pct": "",
                    "spent": "",
                    "output_code": ind.code if ind else "",
                    "output_value": "",
                    "problems": "",
                    "follow_up": "",
                    **info,
                }
            )
    return rows


def template_columns(kind: str) -> list[str]:
    return (REALISATION_COLUMNS if kind == "realisation" else BUDGET_COLUMNS) + INFO_COLUMNS


def template_csv(kind: str, rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=template_columns(kind))
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(kind: str, rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    columns = template_columns(kind)
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c, "") for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
    for column_cells in sheet.columns:
        width = max(len(str(c.value or "")) for c in column_cells)
        sheet.column_dimensions[column_cells[0].column_letter].width = min(max(width + 2, 10), 60)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("petunjuk")
    notes.column_dimensions["A"].width = 110
    for line in (__doc__ or "").splitlines():
        notes.append([line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
