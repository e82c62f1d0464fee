"""Import a period's values from CSV or XLSX, and the template to fill in.

Layout: one row per reporting region; a ``region_code`` column, then one column
per element (``children_under5_measured``) or, for an element split by a
category, one per category (``children_under5_measured:m``). ``region_name``
and ``status`` are ignored (the template and the export carry them for
people). An empty cell empties the value.

The whole file is validated first; every bad cell is reported with its row
(the header is row 1), column and reason. Nothing is written unless every row
is valid or the user chose to import the valid rows only; the write is one
transaction, and fails whole if someone saved a submission meanwhile.
"""

from __future__ import annotations

import csv
import io
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
from sinergi.web.collection.validation import Cell, check, parse_number
from sinergi.web.indicators.importer import RowError
from sinergi.web.regions.models import Region

User = AbstractBaseUser | AnonymousUser
INFO_COLUMNS = {"region_name", "status"}


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


def table(period: Period, user: User, *, for_entry: bool) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the template (``for_entry``: regions the user may enter, prefilled)
    or of the export (submissions the user may read)."""
    policy = Policy.for_user(user)
    elements, _rules = services.definition(period.dataset)
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
                sub.status if sub else "",
            ]
        )
    return header, rows


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], rows: list[list[str]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
    period: Period, user: User, rows: Sequence[Mapping[str, str]]
) -> tuple[list[_Row], list[RowError]]:
    """Check every row; returns the valid rows and every error."""
    policy = Policy.for_user(user)
    elements, rules = services.definition(period.dataset)
    cols = columns(elements)
    known = {c[0].lower() for c in cols}
    errors: list[RowError] = []
    header = list(rows[0].keys()) if rows else []
    if rows and "region_code" not in header:
        errors.append(RowError(1, "region_code", _("the column region_code is missing")))
    for name in header:
        if name and name not in known and name not in INFO_COLUMNS and name != "region_code":
            errors.append(RowError(1, name, _("unknown column (the data set has no such element)")))
    if errors:
        return [], errors
    if not rows:
        return [], [RowError(1, "", _("the file has no rows"))]
    reporting = {r.code: r for r in period.dataset.reporting_regions.all()}
    subs = {s.region_id: s for s in Submission.objects.filter(period=period)}
    seen: dict[str, int] = {}
    previous = {code: services.previous_totals(sub, elements) for code, sub in subs.items()}
    valid: list[_Row] = []
    for line, row in enumerate(rows, start=2):
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
            for issue in check(elements, rules, merged, previous.get(code)):
                if issue.is_hard and issue.kind != "missing":
                    column = issue.element + (f":{issue.category}" if issue.category else "")
                    errors.append(RowError(line, column, issue.message))
        if len(errors) == before and region is not None:
            valid.append(_Row(line, region, subs.get(code), values))
    return valid, errors


def import_rows(
    period: Period, user: User, rows: Sequence[Mapping[str, str]], *, valid_only: bool = False
) -> ImportReport:
    """Validate, then (all valid, or ``valid_only``) save every row as a draft, atomically."""
    report = ImportReport(rows=len(rows))
    valid, report.errors = validate(period, user, rows)
    if report.errors and not valid_only:
        return report
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
