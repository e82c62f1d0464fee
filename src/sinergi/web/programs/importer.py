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

A file whose header does not fit (required columns missing, no data rows, not a
readable CSV or XLSX, larger than :func:`max_bytes`) is refused as a whole
(:class:`FileRefused`): there are no "valid rows" to offer. The templates carry a
second row of labels (Indonesian by default) under the header; the importer skips
it, as it skips template rows left unfilled.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

__all__ = [
    "FileRefused",
    "ImportFailed",
    "ImportReport",
    "RowError",
    "import_file",
    "read_rows",
    "read_upload",
]

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
# What the user fills in: a template row with none of these is left unfilled and skipped.
VALUE_COLUMNS = {
    "realisation": ["physical_pct", "spent", "output_value", "problems", "follow_up"],
    "budget": ["amount", "note"],
}
# The label row of the templates: (label, what goes in, allowed values) per column.
COLUMN_HELP: dict[str, tuple[Any, Any, Any]] = {
    "activity_code": (
        gettext_lazy("Activity code"),
        gettext_lazy("the sub-kegiatan code of the activity, as given"),
        gettext_lazy("a code of the region's activities of the year"),
    ),
    "year": (gettext_lazy("Budget year"), gettext_lazy("year"), gettext_lazy("as given")),
    "quarter": (gettext_lazy("Quarter"), gettext_lazy("1 to 4"), gettext_lazy("whole number 1-4")),
    "physical_pct": (
        gettext_lazy("Physical progress to date (%)"),
        gettext_lazy("percent, cumulative to the end of the quarter"),
        gettext_lazy("0-100, e.g. 45,5"),
    ),
    "spent": (
        gettext_lazy("Spent to date (Rp)"),
        gettext_lazy("rupiah of APBD/APBN funds, cumulative"),
        gettext_lazy("0 up to the activity's APBD/APBN budget"),
    ),
    "output_code": (
        gettext_lazy("Output code"),
        gettext_lazy("the output indicator, as given"),
        gettext_lazy("a code of the activity's outputs"),
    ),
    "output_value": (
        gettext_lazy("Output achieved"),
        gettext_lazy("achieved in the quarter (a level: the level at its end)"),
        gettext_lazy("a number"),
    ),
    "problems": (
        gettext_lazy("Problems (kendala)"),
        gettext_lazy("text"),
        gettext_lazy("optional"),
    ),
    "follow_up": (
        gettext_lazy("Follow-up (tindak lanjut)"),
        gettext_lazy("text"),
        gettext_lazy("optional"),
    ),
    "source": (
        gettext_lazy("Funding source"),
        gettext_lazy("code of the source"),
        ", ".join(FundingSource.values),
    ),
    "amount": (gettext_lazy("Budget (Rp)"), gettext_lazy("rupiah"), gettext_lazy("0 or more")),
    "note": (gettext_lazy("Note"), gettext_lazy("text"), gettext_lazy("optional, 300 characters")),
    "activity_name": (gettext_lazy("Activity name"), gettext_lazy("for reading only"), "–"),
    "agency": (gettext_lazy("Agency (OPD)"), gettext_lazy("for reading only"), "–"),
}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
ZERO = Decimal(0)


def max_bytes() -> int:
    """The largest monev import file accepted (``settings.SINERGI_IMPORT_MAX_BYTES``, 5 MB)."""
    return int(getattr(settings, "SINERGI_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def column_label(column: str) -> str:
    """The column as the template's label row names it (the code itself when unknown)."""
    found = COLUMN_HELP.get(column)
    return str(found[0]) if found else column


def _label_values(column: str) -> set[str]:
    """The label of ``column`` in every language we ship (a label row may be in either),
    alone and as the templates write it (with its allowed values)."""
    found = COLUMN_HELP.get(column)
    if not found:
        return set()
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(str(found[0]).strip().lower())
            labels.add(f"{found[0]} ({found[2]})".strip().lower())
    return labels


class FileRefused(ImportFailed):
    """The file as a whole cannot be imported (unreadable, too large, wrong columns):
    there are no valid rows to offer, nothing was written."""


def read_upload(name: str, content: bytes) -> list[dict[str, str]]:
    """Rows of an uploaded CSV or XLSX, or :class:`FileRefused` saying plainly why not."""
    lower = name.lower()

    def refuse(reason: str) -> FileRefused:
        return FileRefused([RowError(1, "-", reason)])

    limit = max_bytes()
    if len(content) > limit:
        raise refuse(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": megabytes(len(content)), "limit": megabytes(limit)}
        )
    if not lower.endswith((".csv", ".xlsx", ".xls")):
        raise refuse(_("Upload a .xlsx or .csv file (an old .xls file: save it as .xlsx first)."))
    try:
        return read_rows(name, content)
    except ImportFailed as exc:  # not what its name says: the reader explains why
        raise FileRefused(exc.errors) from None


def megabytes(size: int) -> str:
    """A size in MB as people write it (``5``, ``7,2``)."""
    from sinergi.web.core.formatting import number

    return number(Decimal(size) / (1024 * 1024), 1, trim=True)


def max_megabytes() -> str:
    return megabytes(max_bytes())


def count_rows(kind: str, rows: Sequence[Mapping[str, str]]) -> int:
    """The data rows of a file (no blank lines, label row or unfilled template rows)."""
    labels = _label_values("activity_code")
    return sum(1 for r in rows if _is_data_row(kind, _normalise(r), labels))


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
        raise FileRefused([RowError(1, "-", _("The file has no data rows."))])
    missing = [c for c in REQUIRED[kind] if c not in rows[0]]
    if missing:
        raise FileRefused([RowError(1, c, _("column is missing from the file")) for c in missing])
    years = {int(r["year"]) for r in rows if r.get("year", "").isdigit()}
    ctx = _Context(region, years)
    items: dict[tuple[Any, ...], Any] = {}
    labels = _label_values("activity_code")
    for line, row in enumerate(rows, start=2):
        if not _is_data_row(kind, row, labels):
            continue
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


def _is_data_row(kind: str, row: Mapping[str, str], labels: set[str]) -> bool:
    """False for a blank line (spreadsheets keep them), the templates' label row and a
    template row left unfilled (its code and year given, nothing entered)."""
    if not any(row.get(c) for c in REQUIRED[kind]):
        return False
    if row.get("activity_code", "").strip().lower() in labels:
        return False
    return any(row.get(c) for c in VALUE_COLUMNS[kind])


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
    report = ImportReport(rows=count_rows(kind, normalised), errors=errors)
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
    kind: str,
    region: Region,
    year: int,
    quarter: int | None = None,
    can_write: Callable[[Activity], bool] | None = None,
) -> list[dict[str, Any]]:
    """A fill-in template: one row per activity (and output) of the region's year that
    the user may write (``can_write``, e.g. an operator's own agency)."""
    activities = Activity.objects.filter(region=region, year=year).select_related("agency")
    outputs: dict[int, list[PerformanceIndicator]] = {}
    for ind in PerformanceIndicator.objects.filter(
        level=IndicatorLevel.OUTPUT, activity__region=region, activity__year=year
    ):
        outputs.setdefault(ind.activity_id, []).append(ind)  # type: ignore[arg-type]
    rows: list[dict[str, Any]] = []
    for activity in activities.order_by("agency__name", "code"):
        if can_write is not None and not can_write(activity):
            continue
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


def template_labels(kind: str) -> list[str]:
    """The label row under the machine header: label, with its unit or range."""
    return [
        f"{COLUMN_HELP[c][0]}" + ("" if c in INFO_COLUMNS else f" ({COLUMN_HELP[c][2]})")
        for c in template_columns(kind)
    ]


def instructions(kind: str) -> list[str]:
    """The template's instruction sheet, in the active language (Indonesian by default)."""
    what = (
        _("Quarterly realisation of the activities (physical progress, spending, outputs).")
        if kind == "realisation"
        else _("Budgets of the activities by funding source.")
    )
    return [
        _("How to fill in this template"),
        what,
        "",
        _(
            "1. Fill in the rows of the sheet 'data' from row 3. Row 1 holds the column codes "
            "the import reads and row 2 their labels: change neither."
        ),
        _(
            "2. One row per activity; an activity with several outputs has one row per output "
            "for the same quarter, with the same physical progress and spending."
        )
        if kind == "realisation"
        else _("2. One row per activity and funding source."),
        _(
            "3. Figures are cumulative to the end of the quarter (s.d. triwulan), as the monev "
            "forms report them; an additive output is what was achieved in the quarter."
        )
        if kind == "realisation"
        else _("3. Amounts are in rupiah, without decimals."),
        _(
            "4. Numbers may be written 1250000, 1.250.000 or Rp 1.250.000; decimals with a "
            "comma (45,5)."
        ),
        _("5. Rows you leave unfilled are skipped. The columns in grey are for reading only."),
        _(
            "6. The whole file is checked before anything is saved; every wrong row is listed "
            "with its row number, column and reason. An approved realisation is locked."
        ),
        _("7. Upload the file as .xlsx or .csv, at most %(mb)s MB.")
        % {"mb": megabytes(max_bytes())},
        "",
        _("Columns"),
    ]


def template_csv(kind: str, rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=template_columns(kind))
    writer.writeheader()
    writer.writerow(dict(zip(template_columns(kind), template_labels(kind), strict=True)))
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(kind: str, rows: list[dict[str, Any]]) -> bytes:
    """The fill-in workbook: machine header, label row, data validation, instructions."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    columns = template_columns(kind)
    sheet.append(columns)
    sheet.append(template_labels(kind))
    for row in rows:
        sheet.append([row.get(c, "") for c in columns])
    head = PatternFill("solid", fgColor="DDE7F0")
    info = PatternFill("solid", fgColor="EEEEEE")
    for index, column in enumerate(columns, start=1):
        code, label = sheet.cell(row=1, column=index), sheet.cell(row=2, column=index)
        code.font = Font(bold=True, color="555D69", size=9)
        code.fill = label.fill = head
        label.font = Font(bold=True)
        label.alignment = Alignment(wrap_text=True, vertical="top")
        help_ = COLUMN_HELP[column]
        label.comment = Comment(f"{help_[0]}: {help_[1]}. {help_[2]}", "Sinergi")
        width = max(
            [len(str(label.value or "")) // 2, *(len(str(r.get(column, ""))) for r in rows), 10]
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
        if column in INFO_COLUMNS:
            for r in range(3, len(rows) + 3):
                sheet.cell(row=r, column=index).fill = info
    sheet.row_dimensions[2].height = 45
    sheet.freeze_panes = "B3"
    last = max(len(rows) + 2, 3) + 500  # room for rows the user adds

    def validate(column: str, rule: DataValidation) -> None:
        if column not in columns:
            return
        letter = get_column_letter(columns.index(column) + 1)
        rule.error = _("%(label)s: %(allowed)s.") % {
            "label": COLUMN_HELP[column][0],
            "allowed": COLUMN_HELP[column][2],
        }
        rule.errorTitle = _("Value not allowed")
        rule.prompt = str(COLUMN_HELP[column][1])
        rule.promptTitle = str(COLUMN_HELP[column][0])[:32]
        rule.showErrorMessage = rule.showInputMessage = True
        rule.allow_blank = True
        sheet.add_data_validation(rule)
        rule.add(f"{letter}3:{letter}{last}")

    validate(
        "year", DataValidation(type="whole", operator="between", formula1="2000", formula2="2100")
    )
    validate(
        "quarter", DataValidation(type="whole", operator="between", formula1="1", formula2="4")
    )
    validate(
        "physical_pct",
        DataValidation(type="decimal", operator="between", formula1="0", formula2="100"),
    )
    for money in ("spent", "amount"):
        validate(money, DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0"))
    validate(
        "source", DataValidation(type="list", formula1='"' + ",".join(FundingSource.values) + '"')
    )
    codes = sorted({str(r["output_code"]) for r in rows if r.get("output_code")})
    if codes:
        lists = book.create_sheet("kode")
        for code in codes:
            lists.append([code])
        lists.sheet_state = "hidden"
        validate("output_code", DataValidation(type="list", formula1=f"kode!$A$1:$A${len(codes)}"))

    notes = book.create_sheet(_("Instructions")[:31])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 34
    notes.column_dimensions["C"].width = 50
    notes.column_dimensions["D"].width = 40
    lines = instructions(kind)
    for line in lines:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=13)
    notes.cell(row=len(lines), column=1).font = Font(bold=True)
    notes.append([_("Column code"), _("Label"), _("What goes in"), _("Allowed values")])
    for cell in notes[len(lines) + 1]:
        cell.font, cell.fill = Font(bold=True), head
    for column in columns:
        label, what, allowed = COLUMN_HELP[column]
        required = column in REQUIRED[kind]
        notes.append([column, str(label) + (" *" if required else ""), str(what), str(allowed)])
    notes.append([])
    notes.append([_("* required")])
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
