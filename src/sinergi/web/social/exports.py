"""The referral list as XLSX, for every role that sees the list.

The file names the case by its ticket only: no name, NIK, KK, address, narrative or
free-text reason (a reason is exported as its code's label), so it can leave the
office. The SLA status is the one :func:`selectors.sla_status` computed for the page.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from sinergi.web.social.models import (
    Category,
    Outcome,
    ReasonCode,
    Referral,
    ReferralState,
    SlaStatus,
)
from sinergi.web.social.services import today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _label(enum: Any, value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(enum(value).label)
    except ValueError:
        return value


def columns() -> list[tuple[str, float]]:
    return [
        (_("Ticket number"), 30),
        (_("Registered on"), 13),
        (_("Kecamatan"), 20),
        (_("Desa"), 22),
        (_("Need"), 20),
        (_("Service"), 40),
        (_("Agency or partner"), 24),
        (_("Sent on"), 12),
        (_("Service level (working days)"), 12),
        (_("Due on"), 12),
        (_("State"), 14),
        (_("Accepted on"), 12),
        (_("Ended on"), 12),
        (_("Outcome"), 16),
        (_("Reason"), 22),
        (_("Service-level status"), 16),
        (_("Working days left"), 12),
    ]


def referral_row(r: Referral) -> list[Any]:
    case = r.case
    parent = case.desa.parent
    return [
        case.ticket,
        case.opened_on,
        parent.name if parent is not None else "",
        case.desa.name,
        _label(Category, case.category),
        r.service.name,
        str(r.service.agency),
        r.sent_on,
        r.sla_working_days,
        r.due_on,
        _label(ReferralState, r.state),
        r.accepted_on,
        r.ended_on,
        _label(Outcome, r.outcome),
        _label(ReasonCode, r.reason_code),
        _label(SlaStatus, getattr(r, "sla_status", None)),
        getattr(r, "days_left", None),
    ]


def referrals_xlsx(referrals: Iterable[Referral]) -> tuple[bytes, str]:
    """``(bytes, file name)`` of the referral list (dates as dates, filters, frozen header)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = _("Referrals")[:31]
    sheet.append([_("SLRT referrals") + " · " + _("as of %(d)s") % {"d": today().isoformat()}])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Cases are named by ticket number only; no personal data.")])
    sheet.append([])
    cols = columns()
    sheet.append([c for c, _w in cols])
    head = sheet.max_row
    for i, (_c, width) in enumerate(cols, start=1):
        cell = sheet.cell(row=head, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(i)].width = width
    date_cols = {2, 8, 10, 12, 13}
    for r in referrals:
        sheet.append(referral_row(r))
        row = sheet.max_row
        for c in date_cols:
            sheet.cell(row=row, column=c).number_format = "DD/MM/YYYY"
    sheet.freeze_panes = sheet.cell(row=head + 1, column=2)
    sheet.auto_filter.ref = f"A{head}:{get_column_letter(len(cols))}{max(sheet.max_row, head)}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), f"rujukan-slrt-{today():%Y%m%d}.xlsx"
