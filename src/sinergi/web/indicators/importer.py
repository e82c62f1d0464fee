"""Import indicator values and targets from CSV or XLSX.

The file is validated whole before anything is written. Every bad row is
reported with its line number, column and reason (in the active language:
"baris 4, kolom value: ..." in Indonesian); nothing is written unless every
row is valid or the caller asked to import the valid rows only. The write
itself is one transaction.

The layout is :data:`COLUMNS` (documented for users in the README, in
``sinergi import --help`` and on the instruction sheet of
:func:`template_xlsx`); ``src/sinergi/web/demo/data/seed_figures.csv`` is a
complete example. A header cell may carry the column's Indonesian label
before the machine name in parentheses, as the template does:
``Kode indikator (indicator)``. Other columns are ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sinergi.web.indicators import services
from sinergi.web.indicators.choices import Comparator, PlanLevel, TargetKind, ValueStatus
from sinergi.web.indicators.models import Indicator, IndicatorValue, Target
from sinergi.web.regions.models import Region

REQUIRED = ["kind", "indicator", "region_code", "period", "value", "unit"]
UNIT_ALIASES = {"percent": "%", "persen": "%", "persen (%)": "%", "events per year": "events"}
CHANGE_UNIT = "percent change"
COMPARATORS = [
    ("<=", Comparator.LE),
    (">=", Comparator.GE),
    ("<", Comparator.LT),
    (">", Comparator.GT),
]


@dataclass(frozen=True)
class Column:
    """One column of the import layout, as the template and the docs describe it."""

    name: str  # the machine header
    label: Any  # Indonesian label (lazy-translated from English)
    required: bool
    rule: Any  # what it may hold (lazy)
    example: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "kind",
        gettext_lazy("Kind"),
        True,
        gettext_lazy("value (an observed figure) or target"),
        "value",
    ),
    Column(
        "indicator",
        gettext_lazy("Indicator code"),
        True,
        gettext_lazy("a code of the indicator catalogue (sheet Indikator)"),
        "poverty_rate",
    ),
    Column(
        "region_code",
        gettext_lazy("Region code"),
        True,
        gettext_lazy("Kemendagri code: 16.07 (regency), 16.07.05 (kecamatan); 00 for national"),
        "16.07",
    ),
    Column(
        "period",
        gettext_lazy("Period"),
        True,
        gettext_lazy(
            "YYYY, YYYY-Qn (quarter) or YYYY-MM (month); a target: a year or empty; "
            "empty when the source gives no year (then the note says why)"
        ),
        "2023",
    ),
    Column(
        "value",
        gettext_lazy("Value"),
        True,
        gettext_lazy(
            "a number in the indicator's unit, decimal point or comma, no thousands "
            "separator (9.58 or 9,58); a target may start with <, <=, > or >= (<10)"
        ),
        "9.58",
    ),
    Column(
        "unit",
        gettext_lazy("Unit"),
        True,
        gettext_lazy(
            "the indicator's unit (percent, % and persen are the same); "
            "'percent change' makes a target a change from baseline_year"
        ),
        "percent",
    ),
    Column(
        "note",
        gettext_lazy("Note"),
        False,
        gettext_lazy("free text; required for a value without a period"),
        "",
    ),
    Column(
        "source",
        gettext_lazy("Source"),
        False,
        gettext_lazy("the citation: publication or article title, publisher, date"),
        "BPS Kabupaten Banyuasin, Kabupaten Banyuasin Dalam Angka 2024",
    ),
    Column(
        "se",
        gettext_lazy("Standard error"),
        False,
        gettext_lazy("value only: a number >= 0 in the indicator's unit"),
        "",
    ),
    Column(
        "status",
        gettext_lazy("Status"),
        False,
        gettext_lazy("value only: preliminary, final (default) or revised"),
        "final",
    ),
    Column(
        "as_of",
        gettext_lazy("As of"),
        False,
        gettext_lazy("value only: date the figure was reported, YYYY-MM-DD"),
        "",
    ),
    Column(
        "plan_level",
        gettext_lazy("Plan level"),
        False,
        gettext_lazy(
            "target only: rpjmn, rkp, prov_rpjmd, prov_rkpd, rpjmd, rkpd or aspiration "
            "(default: the plan of the region's level)"
        ),
        "",
    ),
    Column(
        "plan_document",
        gettext_lazy("Plan document"),
        False,
        gettext_lazy("target only: the plan that sets it, e.g. RPJMD 2021-2026"),
        "",
    ),
    Column(
        "baseline_year",
        gettext_lazy("Baseline year"),
        False,
        gettext_lazy(
            "target only; required with unit 'percent change': the year it is measured from"
        ),
        "",
    ),
)
COLUMN_NAMES = [c.name for c in COLUMNS]
# "Kode indikator (indicator)" -> "indicator": a label before the machine name.
_LABELLED = re.compile(r"^.*\(\s*([a-z_]+)\s*\)\s*$")


@dataclass(frozen=True)
class RowError:
    row: int  # line number in the file (the header is line 1)
    column: str
    reason: str

    def __str__(self) -> str:
        if self.column in ("", "-"):  # about the whole file
            return str(self.reason)
        return _("row %(row)s, column %(column)s: %(reason)s") % {
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False


class ImportFailed(Exception):
    """The file has bad rows (or cannot be read) and nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        lines = "\n".join(str(e) for e in errors[:50])
        more = "\n" + _("... and %(n)s more") % {"n": len(errors) - 50} if len(errors) > 50 else ""
        head = ngettext(
            "%(n)s problem; nothing was imported:",
            "%(n)s problems; nothing was imported:",
            len(errors),
        ) % {"n": len(errors)}
        super().__init__(f"{head}\n{lines}{more}")


def _unreadable(reason: str) -> ImportFailed:
    return ImportFailed([RowError(1, "-", reason)])


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


def _header(cell: object) -> str:
    text = str(cell or "").strip().lower()
    labelled = _LABELLED.match(text)
    # Only this layout's names: another importer's "Pagu (Rp)" stays as it is.
    return labelled.group(1) if labelled and labelled.group(1) in COLUMN_NAMES else text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a year typed as a number: 2023, not 2023.0
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_rows(path: Path | str, content: bytes | None = None) -> list[dict[str, str]]:
    """Read a CSV or XLSX file into dicts of strings, keyed by machine column name.

    A file that is not what its name says (a PDF renamed ``.xlsx``, a CSV
    that is not UTF-8) raises :class:`ImportFailed` with a plain reason.
    """
    name = str(path).lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = load_workbook(
                io.BytesIO(content) if content else path, read_only=True, data_only=True
            )
            sheet = book.worksheets[0]
            rows = list(sheet.iter_rows(values_only=True))
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
            raise _unreadable(
                _(
                    "The file is not an Excel workbook (.xlsx), although its name ends in "
                    ".xlsx. Save it from the spreadsheet as .xlsx or CSV and upload it again."
                )
            ) from None
        if not rows:
            return []
        header = [_header(h) for h in rows[0]]
        return [{h: _cell(c) for h, c in zip(header, row, strict=False) if h} for row in rows[1:]]
    if name.endswith(".xls"):
        raise _unreadable(_("Old Excel files (.xls) are not read: save the file as .xlsx or CSV."))
    try:
        text = (
            content.decode("utf-8-sig")
            if content is not None
            else Path(path).read_text("utf-8-sig")
        )
    except UnicodeDecodeError:
        raise _unreadable(
            _('The file is not a UTF-8 CSV file: save it as "CSV UTF-8" or as .xlsx.')
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames:
        reader.fieldnames = [_header(f) for f in reader.fieldnames]
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _validate(
    rows: Iterable[Mapping[str, str]],
    indicators: dict[str, Indicator],
    regions: dict[str, Region],
) -> tuple[list[_Parsed], list[RowError]]:
    parsed: list[_Parsed] = []
    errors: list[RowError] = []
    for line, row in enumerate(rows, start=2):
        if not any(str(v).strip() for v in row.values()):
            continue  # a blank line (spreadsheets keep them)
        bad = len(errors)

        def fail(column: str, reason: str, line: int = line) -> None:
            errors.append(RowError(line, column, reason))

        for column in REQUIRED:
            if column not in row:
                fail(column, _("column is missing from the file"))
        if len(errors) > bad:
            continue
        kind = row["kind"].lower()
        if kind not in {"value", "target"}:
            fail("kind", _("%(v)r is not 'value' or 'target'") % {"v": row["kind"]})
        indicator = indicators.get(row["indicator"])
        if indicator is None:
            fail(
                "indicator",
                _("%(v)r is not in the indicator catalogue") % {"v": row["indicator"]},
            )
        region = regions.get(row["region_code"])
        if region is None:
            fail("region_code", _("%(v)r is not a known region code") % {"v": row["region_code"]})
        try:
            period = services.parse_period(row["period"])
        except ValueError:
            fail(
                "period",
                _("%(v)r is not a period: use YYYY, YYYY-Qn or YYYY-MM") % {"v": row["period"]},
            )
            period = None
        raw_value, comparator = row["value"].replace(",", "."), Comparator.AUTO
        for prefix, comp in COMPARATORS:
            if raw_value.startswith(prefix):
                raw_value, comparator = raw_value[len(prefix) :].strip(), comp
                break
        if comparator != Comparator.AUTO and kind == "value":
            fail(
                "value",
                _("%(v)r: a comparator is only allowed on a target") % {"v": row["value"]},
            )
        try:
            value = Decimal(raw_value)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            fail("value", _("%(v)r is not a number") % {"v": row["value"]})
            value = Decimal(0)
        fields: dict[str, Any] = {
            "note": row.get("note", "")[:300],
            "source": row.get("source", "")[:300],
        }
        unit = row["unit"].strip().lower()
        is_change = unit == CHANGE_UNIT
        if indicator is not None and not is_change:
            expected = indicator.unit.lower()
            if UNIT_ALIASES.get(unit, unit) != UNIT_ALIASES.get(expected, expected):
                fail(
                    "unit",
                    _("%(v)r does not match the indicator's unit %(unit)r")
                    % {"v": row["unit"], "unit": indicator.unit},
                )
        if kind == "value":
            if is_change:
                fail("unit", _("'percent change' is only allowed on a target"))
            if row.get("se"):
                try:
                    fields["se"] = float(row["se"].replace(",", "."))
                    if fields["se"] < 0:
                        fail("se", _("a standard error cannot be negative"))
                except ValueError:
                    fail("se", _("%(v)r is not a number") % {"v": row["se"]})
            if row.get("status"):
                if row["status"] not in ValueStatus.values:
                    fail(
                        "status",
                        _("%(v)r is not one of %(allowed)s")
                        % {"v": row["status"], "allowed": ", ".join(ValueStatus.values)},
                    )
                fields["status"] = row["status"]
            if row.get("as_of"):
                try:
                    fields["as_of"] = dt.date.fromisoformat(row["as_of"])
                except ValueError:
                    fail("as_of", _("%(v)r is not a date (YYYY-MM-DD)") % {"v": row["as_of"]})
            if period is not None and not period.period and not fields["note"]:
                fail(
                    "note",
                    _(
                        "a value without a period needs a note saying why "
                        "(e.g. the source gives no year)"
                    ),
                )
        else:
            if period is not None and (period.quarter or period.month):
                fail("period", _("a target is set for a year, not a quarter or month"))
            level = row.get("plan_level") or (
                services.plan_level_for(region) if region is not None else ""
            )
            if level and level not in PlanLevel.values:
                fail(
                    "plan_level",
                    _("%(v)r is not one of %(allowed)s")
                    % {"v": level, "allowed": ", ".join(PlanLevel.values)},
                )
            fields["plan_level"] = level
            fields["plan_document"] = row.get("plan_document", "")[:200]
            fields["kind"] = TargetKind.CHANGE_PERCENT if is_change else TargetKind.LEVEL
            baseline = row.get("baseline_year", "")
            if is_change:
                try:
                    fields["baseline_year"] = int(baseline)
                except ValueError:
                    fail(
                        "baseline_year",
                        _("a 'percent change' target needs a baseline year")
                        if not baseline
                        else _("%(v)r is not a year") % {"v": baseline},
                    )
            if value == 0 and indicator is not None and not is_change:
                fail(
                    "value",
                    _("a target of 0 has no defined achievement; use a small positive target"),
                )
        if len(errors) == bad:
            assert indicator is not None and region is not None and period is not None
            parsed.append(_Parsed(line, kind, indicator, region, period, value, comparator, fields))
    return parsed, errors


def import_rows(
    rows: Sequence[Mapping[str, str]],
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
                        item.line,
                        "region_code",
                        _("you may not write data of %(code)s") % {"code": item.region.code},
                    )
                )
        parsed = allowed
    errors.sort(key=lambda e: e.row)
    filled = sum(1 for row in rows if any(str(v).strip() for v in row.values()))
    report = ImportReport(rows=filled, errors=errors)
    if errors and not valid_only:
        raise ImportFailed(errors)
    if dry_run:
        return report
    with transaction.atomic():
        for index, item in enumerate(parsed, start=1):
            obj: IndicatorValue | Target
            if item.kind == "value":
                obj, changed = services.record_value(
                    indicator=item.indicator,
                    region=item.region,
                    period=item.period.period,
                    value=item.value,
                    user=user,
                    reason="import",
                    **item.fields,
                )
            else:
                obj, changed = services.set_target(
                    indicator=item.indicator,
                    region=item.region,
                    year=item.period.year,
                    value=item.value,
                    user=user,
                    comparator=item.comparator,
                    **item.fields,
                )
            if changed and obj.version == 1:
                report.created += 1
            elif changed:
                report.updated += 1
            else:
                report.unchanged += 1
            if progress:
                progress(index, len(parsed))
    report.written = True
    return report


def template_csv() -> bytes:
    """An empty CSV in the import layout: the machine header only (UTF-8 with BOM for Excel)."""
    out = io.StringIO()
    csv.writer(out).writerow(COLUMN_NAMES)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """An XLSX template: a data sheet, an instruction sheet and the indicator list.

    The data sheet's header reads ``Indonesian label (machine name)`` (the
    reader takes the name in parentheses), each header cell carries its rule
    as a comment, and kinds, indicator codes, units, statuses and plan levels
    are drop-down lists. Labels and instructions are in the active language
    (Indonesian by default).
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    indicators = list(Indicator.objects.order_by("sort_order", "code"))
    units = sorted({i.unit for i in indicators} | {CHANGE_UNIT})
    book = Workbook()
    data = book.active
    data.title = _("Data")
    data.append([f"{c.label} ({c.name})" for c in COLUMNS])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F0")
    for index, column in enumerate(COLUMNS, start=1):
        cell = data.cell(row=1, column=index)
        cell.font, cell.fill = bold, fill
        needed = _("required") if column.required else _("optional")
        cell.comment = Comment(f"{needed}: {column.rule}", "Sinergi", width=320, height=120)
        letter = get_column_letter(index)
        data.column_dimensions[letter].width = max(len(str(cell.value)) + 2, 14)
        # Codes typed into a number cell lose their meaning (16.10 -> 16.1; 2023 -> 2023.0).
        for row in range(2, 1002):
            data.cell(row=row, column=index).number_format = "@"
    data.freeze_panes = "A2"

    lists = book.create_sheet(_("Indicators"))
    lists.append([_("Indicator code"), _("Name"), _("Unit"), _("Decimals")])
    for cell in lists[1]:
        cell.font, cell.fill = bold, fill
    for indicator in indicators:
        lists.append([indicator.code, indicator.name, indicator.unit, indicator.decimals])
    for letter, width in zip("ABCD", (30, 60, 16, 10), strict=True):
        lists.column_dimensions[letter].width = width
    # Choice lists for the drop-downs, on the same sheet to the right.
    choice_lists = {
        "kind": ["value", "target"],
        "unit": units,
        "status": list(ValueStatus.values),
        "plan_level": list(PlanLevel.values),
    }
    ranges = {"indicator": f"'{lists.title}'!$A$2:$A${len(indicators) + 1}"}
    for offset, (name, values) in enumerate(choice_lists.items()):
        letter = get_column_letter(6 + offset)
        lists[f"{letter}1"] = name
        lists[f"{letter}1"].font = bold
        for row, value in enumerate(values, start=2):
            lists[f"{letter}{row}"] = value
        ranges[name] = f"'{lists.title}'!${letter}$2:${letter}${len(values) + 1}"
        lists.column_dimensions[letter].hidden = True  # the drop-downs' source, not for reading
    for name, formula in ranges.items():
        letter = get_column_letter(COLUMN_NAMES.index(name) + 1)
        rule = DataValidation(type="list", formula1=formula, allow_blank=True)
        rule.error = _("Choose a value from the list (sheet %(sheet)s).") % {"sheet": lists.title}
        rule.errorTitle = _("Not an allowed value")
        rule.showErrorMessage = True
        data.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}1001")

    notes = book.create_sheet(_("Instructions"), 1)  # the data sheet stays first
    notes.column_dimensions["A"].width = 34
    notes.column_dimensions["B"].width = 12
    notes.column_dimensions["C"].width = 90
    notes.column_dimensions["D"].width = 40
    wrap = Alignment(wrap_text=True, vertical="top")
    intro = [
        _("Import of indicator values and targets"),
        _(
            "Fill in one row per figure on the sheet %(sheet)s, from row 2. Keep the header "
            "row as it is: the name in parentheses is what Sinergi reads. Save as .xlsx (or "
            "as CSV UTF-8) and import it with: sinergi import FILE --dry-run, then without "
            "--dry-run."
        )
        % {"sheet": data.title},
        _(
            "The whole file is checked first. Each problem is reported with its row, column "
            "and reason, and nothing is saved while any row is wrong (unless you choose to "
            "import the valid rows only). Importing the same file again changes nothing."
        ),
        _("Indicator codes, names and units are on the sheet %(sheet)s.") % {"sheet": lists.title},
        "",
    ]
    for line in intro:
        notes.append([line])
        notes.merge_cells(
            start_row=notes.max_row, start_column=1, end_row=notes.max_row, end_column=4
        )
        notes.cell(row=notes.max_row, column=1).alignment = wrap
    notes.cell(row=1, column=1).font = Font(bold=True, size=13)
    notes.append([_("Column"), _("Required"), _("What it holds"), _("Example")])
    for cell in notes[notes.max_row]:
        cell.font, cell.fill = bold, fill
    for column in COLUMNS:
        notes.append(
            [
                f"{column.label} ({column.name})",
                _("yes") if column.required else _("no"),
                str(column.rule),
                column.example,
            ]
        )
        for cell in notes[notes.max_row]:
            cell.alignment = wrap
    notes.append([])
    notes.append([_("Examples (rows as they go on the data sheet)")])
    notes.cell(row=notes.max_row, column=1).font = bold
    examples = [
        ["value", "poverty_rate", "16.07", "2023", "9.58", "%", "", "BPS"],
        ["target", "stunting_prevalence", "16.07", "", "<10", "%", "", ""],
        [
            "target",
            "unemployed_persons",
            "16.07",
            "2022",
            "-50",
            CHANGE_UNIT,
            "",
            "",
            "",
            "",
            "",
            "aspiration",
            "",
            "2019",
        ],
    ]
    notes.append(COLUMN_NAMES)
    for example in examples:
        notes.append(example)
    notes.append(
        [
            _(
                "The last example is a change target: the number of unemployed halved by 2022, "
                "measured against the baseline year 2019."
            )
        ]
    )
    book.active = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
