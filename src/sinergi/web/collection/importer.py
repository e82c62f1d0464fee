"""Import a period's values from CSV or XLSX, and the template to fill in.

Layout: one row per reporting region; a ``region_code`` column, then one column
per element (``children_under5_measured``) or, for an element split by a
category, one per category (``children_under5_measured:m``). ``region_name``
and ``status`` are ignored (the template and the export carry them for
people). An empty cell empties the value.

The XLSX template puts the columns' names in words (with unit and allowed
range) on row 1 and this machine header on row 2, checks each cell as it is
typed (Excel data validation) and explains itself on a second sheet; rows
above the machine header are skipped on import, so a filled template imports
back as it is. A CSV may have its header on row 1 (or below a row of labels),
separated by commas or semicolons (Excel in Indonesian saves ``;``).

The whole file is validated first; every bad cell is reported with its row
(the header is row 1), column and reason. Nothing is written unless every row
is valid or the user chose to import the valid rows only; the write is one
transaction, and fails whole if someone saved a submission meanwhile.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.web.accounts.policy import Policy
from sinergi.web.collection import services
from sinergi.web.collection.choices import EDITABLE_STATUSES
from sinergi.web.collection.models import DataElement, Period, Submission
from sinergi.web.collection.validation import Cell, check, figure_text, parse_number
from sinergi.web.indicators.importer import RowError
from sinergi.web.regions.models import Region

User = AbstractBaseUser | AnonymousUser
INFO_COLUMNS = {"region_name", "status"}
KEY_COLUMN = "region_code"


class UnreadableFile(ValueError):
    """The upload is not a workbook or text file we can read; the message says what to do."""


@dataclass
class Table:
    """The rows of an uploaded file (header names lower-cased) and the file's line of the
    first data row (the machine header is the line before it)."""

    rows: list[dict[str, str]]
    first_line: int = 2


def _header_index(grid: Sequence[Sequence[object]]) -> int:
    """The row holding the machine header: the first of the top three with ``region_code``
    (a template has a row of labels above it); the first row otherwise."""
    for index, row in enumerate(grid[:3]):
        if any(str(c or "").strip().lower() == KEY_COLUMN for c in row):
            return index
    return 0


def _table(grid: list[list[object]]) -> Table:
    if not grid:
        return Table([], 2)
    at = _header_index(grid)
    header = [str(h or "").strip().lower() for h in grid[at]]
    rows = [
        {h: "" if c is None else str(c).strip() for h, c in zip(header, row, strict=False) if h}
        for row in grid[at + 1 :]
    ]
    # Trailing rows Excel keeps after a cleared range are not rows of data.
    while rows and not any(rows[-1].values()):
        rows.pop()
    return Table(rows, at + 2)


def read(name: str, content: bytes) -> Table:
    """The rows of an uploaded CSV or XLSX file; :class:`UnreadableFile` says why not."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            grid = [list(r) for r in sheet.iter_rows(values_only=True)]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
            raise UnreadableFile(
                _(
                    "This file cannot be read as an Excel workbook (.xlsx): it is damaged or "
                    "in another format. Open it in Excel or LibreOffice and save it again as "
                    "“Excel Workbook (.xlsx)” or as CSV, or start from the template."
                )
            ) from None
        return _table(grid)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    if "\x00" in text:
        raise UnreadableFile(
            _("This file is not a CSV text file. Save it as CSV or XLSX, or use the template.")
        )
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    grid = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return _table(grid)  # type: ignore[arg-type]


@dataclass
class ImportReport:
    rows: int = 0
    saved: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


def columns(elements: Sequence[DataElement]) -> list[tuple[str, DataElement, str]]:
    """``(header, element, category)`` for every value column, in form order."""
    return [
        (e.code + (f":{cat}" if cat else ""), e, cat)
        for e in elements
        for cat, _label in e.categories
    ]


def column_labels(elements: Sequence[DataElement]) -> dict[str, str]:
    """Each column of the file in words (``Balita yang diukur (Laki-laki)``)."""
    labels = {
        KEY_COLUMN: _("Region code"),
        "region_name": _("Region name"),
        "status": _("Status"),
    }
    for element in elements:
        labels[element.code] = element.label  # a whole element (a derived figure's check)
    for header, element, cat in columns(elements):
        labels[header] = element.label + (f" ({dict(element.categories)[cat]})" if cat else "")
    return labels


def _range_text(element: DataElement) -> str:
    low, high = element.min_value, element.max_value
    if low is not None and high is not None:
        return f"{figure_text(low)} – {figure_text(high)}"
    if low is not None:
        return f"≥ {figure_text(low)}"
    if high is not None:
        return f"≤ {figure_text(high)}"
    return "–"


def table(period: Period, user: User, *, for_entry: bool) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the template (``for_entry``: regions the user may enter, prefilled)
    or of the export (submissions the user may read)."""
    policy = Policy.for_user(user)
    elements, _rules = services.period_definition(period)
    cols = columns(elements)
    regions = policy.regions(period.dataset.reporting_regions.all()).order_by("code")
    if for_entry:
        regions = regions.filter(pk__in=[r.pk for r in regions if policy.can_enter_data(r.code)])
    subs = {
        s.region_id: s
        for s in policy.submissions(Submission.objects.filter(period=period)).prefetch_related(
            "values__element"
        )
    }
    header = ["region_code", "region_name", *(c[0] for c in cols), "status"]
    rows = []
    for region in regions:
        sub = subs.get(region.code)
        if not for_entry and sub is None:
            continue
        values = {(v.element.code, v.category): v.value for v in sub.values.all()} if sub else {}  # type: ignore[attr-defined]
        rows.append(
            [
                region.code,
                region.name,
                *(
                    format(values[(e.code, cat)].normalize(), "f")
                    if (e.code, cat) in values
                    else ""
                    for _h, e, cat in cols
                ),
                sub.get_status_display() if sub else "",
            ]
        )
    return header, rows


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(
    header: list[str],
    rows: list[list[str]],
    title: str,
    *,
    period: Period | None = None,
    for_entry: bool = False,
) -> bytes:
    """The workbook: labels on row 1, the machine header on row 2, one row per region; a
    template (``for_entry``) also checks each value cell and has an instruction sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    elements = services.period_definition(period)[0] if period is not None else []
    by_header = {h: e for h, e, _c in columns(elements)}
    labels = column_labels(elements)
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(title)
    words = []
    for name in header:
        element = by_header.get(name)
        text = labels.get(name, name)
        if element is not None:
            text += f" [{element.unit}]"
        words.append(text)
    sheet.append(words)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    bold, grey = Font(bold=True), Font(color="666666", size=9)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = PatternFill("solid", fgColor="E8F1EC")
    for cell in sheet[2]:
        cell.font = grey
    sheet.row_dimensions[1].height = 45
    sheet.freeze_panes = "C3"
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 14 if name in by_header else 22
    if for_entry and rows:
        last = len(rows) + 2
        for index, name in enumerate(header, start=1):
            element = by_header.get(name)
            if element is not None:
                rule = _validation(DataValidation, element, labels[name])
                sheet.add_data_validation(rule)
                letter = get_column_letter(index)
                rule.add(f"{letter}3:{letter}{last}")
    if for_entry and period is not None:
        _instructions(book.create_sheet(_("Instructions")[:31]), period, elements, labels)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31] or "data"


def _validation(factory, element: DataElement, label: str):  # type: ignore[no-untyped-def]
    """Excel's own check of a value cell: a whole number or a number within the range."""
    from sinergi.web.collection.choices import ValueType

    kind = "whole" if element.value_type == ValueType.INTEGER else "decimal"
    low, high = (
        None if v is None else format(v.normalize(), "f")
        for v in (element.min_value, element.max_value)
    )
    if low is not None and high is not None:
        rule = factory(type=kind, operator="between", formula1=low, formula2=high)
    elif low is not None:
        rule = factory(type=kind, operator="greaterThanOrEqual", formula1=low)
    elif high is not None:
        rule = factory(type=kind, operator="lessThanOrEqual", formula1=high)
    else:
        rule = factory(type=kind, operator="between", formula1="-1E+14", formula2="1E+14")
    kind_text = _("a whole number") if kind == "whole" else _("a number")
    rule.allow_blank = True
    rule.showErrorMessage = True
    rule.showInputMessage = True
    rule.errorTitle = _("Value not allowed")[:32]
    rule.error = (
        _("%(label)s: enter %(kind)s, allowed range %(range)s %(unit)s.")
        % {"label": label, "kind": kind_text, "range": _range_text(element), "unit": element.unit}
    )[:255]
    rule.promptTitle = label[:32]
    rule.prompt = (
        _("%(kind)s, %(range)s %(unit)s")
        % {"kind": kind_text, "range": _range_text(element), "unit": element.unit}
    )[:255]
    return rule


def _instructions(sheet, period: Period, elements, labels: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """The second sheet: how to fill the template in, and every column explained."""
    from openpyxl.styles import Alignment, Font

    from sinergi.web.core.formatting import long_date

    dataset = period.dataset
    lines = [
        _("How to fill in this template"),
        f"{dataset.name} · {period.label}",
        _("Closes on %(date)s.") % {"date": long_date(period.closes_on)},
        "",
        _("1. Fill one row per region on the first sheet, from row 3 down."),
        _(
            "2. Do not change row 2 (the column codes) or the region codes in column A: "
            "Sinergi reads them to know which figure goes where."
        ),
        _(
            "3. Type figures only, without units. Whole numbers may use a thousands "
            "separator (1.250); decimals use a comma (12,5)."
        ),
        _("4. An empty cell empties the figure in Sinergi; a column you delete is left as it is."),
        _(
            "5. Upload the file on the import page. The whole file is checked first; every "
            "problem is listed with its row and column, and nothing is saved until you choose."
        ),
        _("6. Imported rows are saved as drafts: open each region to submit it."),
        "",
    ]
    for text in lines:
        sheet.append([text])
    sheet["A1"].font = Font(bold=True, size=13)
    header_row = sheet.max_row + 1
    sheet.append(
        [_("Column code"), _("Figure"), _("Unit"), _("Type"), _("Allowed range"), _("Required")]
    )
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for header, element, _cat in columns(elements):
        sheet.append(
            [
                header,
                labels[header],
                element.unit,
                str(element.get_value_type_display()),
                _range_text(element),
                _("yes") if element.required else _("no"),
            ]
        )
    for letter, width in zip("ABCDEF", (34, 44, 10, 18, 18, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=1, max_row=header_row - 1):
        row[0].alignment = Alignment(wrap_text=False)


def _cell(text: str) -> object:
    try:
        number = Decimal(text)
    except Exception:
        return text
    return (
        int(number) if number == number.to_integral_value() and "." not in text else float(number)
    )


@dataclass
class _Row:
    line: int
    region: Region
    submission: Submission | None
    values: dict[Cell, Decimal | None]


def validate(
    period: Period, user: User, rows: Sequence[Mapping[str, str]], *, first_line: int = 2
) -> tuple[list[_Row], list[RowError]]:
    """Check every row; returns the valid rows and every error (``first_line``: the file's
    line of the first row; the header is the line before)."""
    policy = Policy.for_user(user)
    elements, rules = services.period_definition(period)
    cols = columns(elements)
    known = {c[0].lower() for c in cols}
    errors: list[RowError] = []
    header = list(rows[0].keys()) if rows else []
    header_line = first_line - 1
    if rows and "region_code" not in header:
        errors.append(
            RowError(
                header_line,
                "region_code",
                _("the column region_code (region code) is missing: start from the template"),
            )
        )
    for name in header:
        if name and name not in known and name not in INFO_COLUMNS and name != "region_code":
            errors.append(
                RowError(header_line, name, _("unknown column (the data set has no such element)"))
            )
    if errors:
        return [], errors
    if not rows:
        return [], [RowError(header_line, "", _("the file has no rows"))]
    reporting = {r.code: r for r in period.dataset.reporting_regions.all()}
    subs = {s.region_id: s for s in Submission.objects.filter(period=period)}
    seen: dict[str, int] = {}
    previous = {code: services.previous_totals(sub, elements) for code, sub in subs.items()}
    derived = services.ratios(period.dataset)
    valid: list[_Row] = []
    for line, row in enumerate(rows, start=first_line):
        before = len(errors)
        code = (row.get("region_code") or "").strip()
        region = reporting.get(code)
        if not code:
            errors.append(RowError(line, "region_code", _("empty")))
        elif region is None:
            errors.append(
                RowError(
                    line,
                    "region_code",
                    _("%(code)s does not report this data set") % {"code": code},
                )
            )
        elif not policy.can_enter_data(code):
            errors.append(
                RowError(
                    line, "region_code", _("you may not enter data for %(code)s") % {"code": code}
                )
            )
        elif code in seen:
            errors.append(
                RowError(
                    line,
                    "region_code",
                    _("%(code)s is also on row %(row)s") % {"code": code, "row": seen[code]},
                )
            )
        elif code in subs and subs[code].status not in EDITABLE_STATUSES:
            errors.append(
                RowError(
                    line,
                    "region_code",
                    _("the submission of %(code)s is “%(status)s” and cannot be changed")
                    % {"code": code, "status": subs[code].get_status_display()},
                )
            )
        if code:
            seen.setdefault(code, line)
        values: dict[Cell, Decimal | None] = {}
        unreadable = False
        for header_name, element, cat in cols:
            if header_name.lower() not in row:
                continue  # a column left out leaves the value as it is
            try:
                values[(element.code, cat)] = parse_number(
                    row.get(header_name.lower()) or "", element.value_type
                )
            except ValueError as exc:
                errors.append(RowError(line, header_name, str(exc)))
                unreadable = True
        if not unreadable:
            # Ranges and rules on what the submission would hold after this row.
            sub = subs.get(code) if region is not None else None
            stored = services.values_of(sub) if sub else {}
            merged = {k: v for k, v in {**stored, **values}.items() if v is not None}
            for issue in check(elements, rules, merged, previous.get(code), derived):
                if issue.is_hard and issue.kind != "missing":
                    column = issue.element + (f":{issue.category}" if issue.category else "")
                    errors.append(RowError(line, column, issue.message))
        if len(errors) == before and region is not None:
            valid.append(_Row(line, region, subs.get(code), values))
    return valid, errors


def import_rows(
    period: Period,
    user: User,
    rows: Sequence[Mapping[str, str]],
    *,
    valid_only: bool = False,
    first_line: int = 2,
) -> ImportReport:
    """Validate, then (all valid, or ``valid_only``) save every row as a draft, atomically."""
    report = ImportReport(rows=len(rows))
    valid, report.errors = validate(period, user, rows, first_line=first_line)
    if report.errors and (not valid_only or not valid):
        return report  # nothing valid to import (a bad header makes every row unreadable)
    with transaction.atomic():
        for row in valid:
            sub = row.submission or services.start_submission(period, row.region, user)
            expected = row.submission.version if row.submission else sub.version
            result = services.save_values(sub, user, row.values, expected_version=expected)
            if result.changed:
                report.saved += 1
            else:
                report.unchanged += 1
    report.written = True
    return report
