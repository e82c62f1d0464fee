"""The follow-up matrix of a meeting as XLSX: exported, edited offline, imported back.

One row per action item. The ``ID`` and ``Version`` columns identify the row and the copy it
was made from: an import validates every row first (row, column and reason for each
problem), refuses a row whose version is not the stored one (someone changed it since the
download), and writes all the changed rows in one transaction, or nothing. A file exported
and imported back unchanged changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.web.meetings import services
from sinergi.web.meetings.choices import ActionStatus, OrgLevel
from sinergi.web.meetings.models import ActionItem, Meeting, Organisation
from sinergi.web.programs.importer import parse_number

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "Matriks tindak lanjut"
# (key, header, editable)
COLUMNS: list[tuple[str, Any, bool]] = [
    ("id", gettext_lazy("ID"), False),
    ("version", gettext_lazy("Version"), False),
    ("problem", gettext_lazy("Problem"), False),
    ("recommendation", gettext_lazy("Recommendation"), False),
    ("addressed", gettext_lazy("Addressed to"), False),
    ("title", gettext_lazy("Action"), True),
    ("owner", gettext_lazy("Responsible"), True),
    ("due_date", gettext_lazy("Due date"), True),
    ("status", gettext_lazy("Status"), True),
    ("progress", gettext_lazy("Progress (%)"), True),
    ("weight", gettext_lazy("Weight"), True),
    ("notes", gettext_lazy("Notes"), True),
]
KEYS = [c[0] for c in COLUMNS]


def headers(language: str | None = None) -> list[str]:
    with translation.override(language or translation.get_language()):
        return [str(c[1]) for c in COLUMNS]


def status_labels() -> dict[str, str]:
    """Every way a status may be written (code, Indonesian and English label) -> code."""
    found: dict[str, str] = {}
    for lang in ("id", "en"):
        with translation.override(lang):
            for code, label in ActionStatus.choices:
                found[str(label).strip().lower()] = code
    for code in ActionStatus.values:
        found[code] = code
    return found


def _row(item: ActionItem) -> list[Any]:
    rec = item.recommendation
    return [
        item.pk,
        item.version,
        rec.problem.title if rec.problem else "",
        rec.text,
        str(rec.addressee) if rec.addressee else str(OrgLevel(rec.level).label),
        item.title,
        item.owner.name,
        item.due_date,
        str(ActionStatus(item.status).label),
        float(item.progress),
        float(item.weight),
        item.notes,
    ]


def export(meeting: Meeting) -> bytes:
    """The meeting's follow-up matrix as XLSX (status labels in the active language)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(headers())
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
    items = services.meeting_actions(meeting)
    for item in items:
        ws.append(_row(item))
    widths = [8, 8, 36, 40, 22, 40, 28, 12, 16, 12, 8, 30]
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    last = max(2, len(items) + 1)
    for row in ws.iter_rows(min_row=2, max_row=last):
        row[7].number_format = "DD/MM/YYYY"
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    labels = ",".join(str(label) for _c, label in ActionStatus.choices)
    rule = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=False)
    ws.add_data_validation(rule)
    rule.add(f"I2:I{last}")
    progress = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
    ws.add_data_validation(progress)
    progress.add(f"J2:J{last}")
    ws.freeze_panes = "C2"
    notes = wb.create_sheet(_("How to fill in"))
    for line in instructions():
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def instructions() -> list[str]:
    return [
        _(
            "Change only the columns Action, Responsible, Due date, Status, Progress (%), Weight and Notes."
        ),
        _(
            "Do not change the ID and Version columns: they tell Sinergi which row you edited and from which copy."
        ),
        _("Status: one of %(labels)s.")
        % {"labels": ", ".join(str(lab) for _c, lab in ActionStatus.choices)},
        _("Progress from 0 to 100; a done action counts 100. Weight: a positive number."),
        _("Responsible: the name of an organisation already known to Sinergi."),
    ]


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s: %(reason)s") % {
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
        }


@dataclass
class ImportResult:
    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(ValueError):
    """The file is not a follow-up matrix (not XLSX, wrong sheet or columns)."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _number(value: Any) -> Decimal:
    if isinstance(value, int | float):
        return Decimal(str(value))
    return parse_number(_text(value))


def read(content: bytes) -> list[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), data_only=True, read_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not XLSX
        raise ImportRefused(_("The file is not an Excel (.xlsx) workbook.")) from None
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        raise ImportRefused(_("The workbook is empty."))
    head = [_text(v) for v in rows[0][: len(COLUMNS)]]
    if head not in (headers("id"), headers("en")):
        raise ImportRefused(
            _("The first row must hold the columns of the exported matrix: %(cols)s.")
            % {"cols": ", ".join(headers())}
        )
    out = []
    for number, values in enumerate(rows[1:], start=2):
        cells = list(values[: len(COLUMNS)]) + [None] * (len(COLUMNS) - len(values))
        if all(v in (None, "") for v in cells):
            continue
        out.append((number, dict(zip(KEYS, cells, strict=True))))
    return out


def import_matrix(
    meeting: Meeting, content: bytes, user: Any, *, may_plan: bool = True
) -> ImportResult:
    """Validate the whole file, then write every changed row atomically (or nothing).

    ``may_plan`` False (an OPD user): only status, progress and notes of the user's own
    actions may change; the caller passes ``owns`` to check ownership per row."""
    return _import(meeting, content, user, may_plan=may_plan, owns=None)


def _import(
    meeting: Meeting, content: bytes, user: Any, *, may_plan: bool, owns: Any
) -> ImportResult:
    rows = read(content)
    result = ImportResult(rows=len(rows))
    items = {i.pk: i for i in services.meeting_actions(meeting)}
    orgs = {o.name.strip().lower(): o for o in Organisation.objects.all()}
    orgs.update(
        {o.short_name.strip().lower(): o for o in Organisation.objects.exclude(short_name="")}
    )
    statuses = status_labels()
    head = dict(zip(KEYS, headers(), strict=True))
    planned: list[tuple[int, ActionItem, int, dict[str, Any]]] = []
    seen: set[int] = set()
    for number, row in rows:
        errors: list[RowError] = []

        def fail(
            key: str, reason: str, number: int = number, errors: list[RowError] = errors
        ) -> None:
            errors.append(RowError(number, head[key], reason))

        try:
            pk = int(_number(row["id"]))
        except (ValueError, ArithmeticError):
            fail("id", _("not an action number of this meeting"))
            result.errors += errors
            continue
        item = items.get(pk)
        if item is None:
            fail("id", _("action %(id)s is not an action of this meeting") % {"id": pk})
            result.errors += errors
            continue
        if pk in seen:
            fail("id", _("action %(id)s appears twice") % {"id": pk})
        seen.add(pk)
        try:
            version = int(_number(row["version"]))
        except (ValueError, ArithmeticError):
            version = -1
        values: dict[str, Any] = {}
        title = _text(row["title"])
        if not title:
            fail("title", _("the action may not be empty"))
        values["title"] = title[:400]
        owner = orgs.get(_text(row["owner"]).lower())
        if owner is None:
            fail("owner", _("unknown organisation %(name)r") % {"name": _text(row["owner"])})
        values["owner"] = owner
        try:
            values["due_date"] = _date(row["due_date"])
        except ValueError:
            fail("due_date", _("not a date (write it as 31/12/2025)"))
        status = statuses.get(_text(row["status"]).lower())
        if status is None:
            fail("status", _("unknown status %(s)r") % {"s": _text(row["status"])})
        values["status"] = status
        try:
            progress = _number(row["progress"]).quantize(Decimal("0.01"))
            if not 0 <= progress <= 100:
                raise ValueError
            values["progress"] = progress
        except (ValueError, ArithmeticError):
            fail("progress", _("a number from 0 to 100"))
        try:
            weight = _number(row["weight"]).quantize(Decimal("0.01"))
            if weight <= 0:
                raise ValueError
            values["weight"] = weight
        except (ValueError, ArithmeticError):
            fail("weight", _("a positive number"))
        if status == ActionStatus.NOT_STARTED and values.get("progress", 0) > 0:
            fail("progress", _("an action not started has no progress yet"))
        values["notes"] = _text(row["notes"])
        differs = not errors and any(values[k] != getattr(item, k) for k in values)
        if version != item.version and (errors or differs):
            fail(
                "version",
                _(
                    "this action was changed in Sinergi since the file was downloaded (file "
                    "version %(file)s, stored version %(now)s): download the matrix again and "
                    "redo your change"
                )
                % {"file": _text(row["version"]) or "–", "now": item.version},
            )
        if differs and owns is not None and not owns(item):
            fail("owner", _("this action belongs to another organisation"))
        elif differs and not may_plan:
            for key in services.PLAN_FIELDS:
                if values[key] != getattr(item, key):
                    fail(key, _("only the meeting's organisers may change this column"))
        result.errors += errors
        if not errors and differs:
            planned.append((number, item, version, values))
        elif not errors:
            result.unchanged += 1
    if result.errors:
        return result
    with transaction.atomic():
        for _line, item, version, values in planned:
            changed = services.update_action(
                item,
                user,
                expected_version=version,
                may_plan=may_plan,
                comment="matrix import",
                **values,
            )
            result.changed += int(changed)
    return result


def import_for(meeting: Meeting, content: bytes, user: Any, policy: Any) -> ImportResult:
    """The import as the user's policy allows it: organisers change every column of every
    row; an OPD user status, progress and notes of its own actions."""
    if policy.can_manage(meeting):
        return _import(meeting, content, user, may_plan=True, owns=None)
    return _import(meeting, content, user, may_plan=False, owns=policy.owns)
