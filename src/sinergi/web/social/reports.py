"""The SLRT report as a page and as XLSX, both from :func:`selectors.case_report`.

Nothing is computed here but presentation: labels, rounding through
:mod:`sinergi.web.core.formatting` (page) and :func:`sinergi.rounding.rounded`
(spreadsheet cells), chart rows. Neither output carries a name, NIK, address or
narrative: the report counts cases.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _

from sinergi.rounding import rounded
from sinergi.web.core.formatting import long_date, number
from sinergi.web.core.formatting import percent as fmt_percent
from sinergi.web.social.models import Category, SlaStatus

SLA_COLOURS = {"on_track": "#137045", "at_risk": "#9a6700", "breached": "#b42318"}
RATE_DECIMALS = 1
DAYS_DECIMALS = 1


def day(value: dt.date | None) -> str:
    return long_date(value)


def _pct(rate: float | None) -> float | None:
    """A rate (0-1) in percent, for the page filters (``percent`` takes percent)."""
    return None if rate is None else rate * 100


def month_label(key: str) -> str:
    """``2026-03`` -> ``Mar 2026`` in the active language."""
    from django.utils import formats

    year, month = (int(x) for x in key.split("-"))
    return str(formats.date_format(dt.date(year, month, 1), "M Y"))


def _months(data: dict[str, Any]) -> list[tuple[str, int]]:
    """Every month of the period (months without cases count 0), oldest first."""
    counts = data["by_month"]
    start, end = data.get("date_from"), data.get("date_to")
    if not start or not end:
        return [(month_label(k), v) for k, v in counts.items()]
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        key = f"{y:04d}-{m:02d}"
        out.append((month_label(key), int(counts.get(key, 0))))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def view_model(data: dict[str, Any]) -> dict[str, Any]:
    """What the report page shows, from the report dict (labels, percentages, charts)."""
    categories = [(c.value, str(c.label)) for c in Category]
    by_category = [(label, data["by_category"].get(code, 0)) for code, label in categories]
    medians = data.get("median_days_to_close_by_category", {})
    running = data["running_by_sla"]
    # The kecamatan rows add up the report's desa rows (nothing recounted).
    kecamatan: dict[str, dict[str, Any]] = {}
    for row in data["by_desa"]:
        k = kecamatan.setdefault(
            row["kecamatan"],
            {"kecamatan": row["kecamatan"], "desa_count": 0, "total": 0}
            | {code: 0 for code, _label in categories},
        )
        k["desa_count"] += 1
        for key in ["total", *(code for code, _label in categories)]:
            k[key] += row.get(key, 0)
    return {
        "data": data,
        "kpis": {
            "cases": data["cases"],
            "referrals_sent": data["referrals_sent"],
            "on_time": _pct(data["on_time_rate"]),
            "answered": data["answered"],
            "answered_on_time": data["answered_on_time"],
            "closed": data["closed"],
            "median_days": data["median_days_to_close"],
            "closed_loop": _pct(data["closed_loop_rate"]),
            "done_successful": data["done_successful"],
        },
        "categories": categories,
        "by_category": by_category,
        "category_table": [
            {
                "label": label,
                "cases": data["by_category"].get(code, 0),
                "median_days": medians.get(code),
            }
            for code, label in categories
        ],
        "months": _months(data),
        "running": [(str(SlaStatus(s).label), running.get(s, 0)) for s in SlaStatus.values],
        "running_colours": [SLA_COLOURS[s] for s in SlaStatus.values],
        "running_total": sum(running.values()),
        "by_desa": data["by_desa"],
        "by_kecamatan": sorted(kecamatan.values(), key=lambda k: k["kecamatan"]),
    }


def _cell_rate(rate: float | None) -> float | None:
    """A rate cell: rounded as the page rounds it, stored as a fraction for ``0.0%``."""
    r = rounded(None if rate is None else rate * 100, RATE_DECIMALS)
    return None if r is None else float(r) / 100


def _cell_days(value: float | None) -> float | None:
    r = rounded(value, DAYS_DECIMALS)
    return None if r is None else float(r)


def build_xlsx(data: dict[str, Any], *, scope_name: str = "") -> tuple[bytes, str]:
    """``(bytes, file name)``: a summary sheet, cases per desa and category, cases per
    month and the running referrals by SLA status."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE7F0")
    wrap = Alignment(wrap_text=True, vertical="top")
    start, end = data.get("date_from"), data.get("date_to")
    period = _("%(start)s to %(end)s") % {"start": long_date(start), "end": long_date(end)}
    title = _("SLRT integrated referral report") + (f": {scope_name}" if scope_name else "")

    book = Workbook()

    def preamble(sheet: Any, heading: str) -> None:
        sheet.append([heading])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([title + " · " + period])
        sheet.append([])

    def header(sheet: Any, columns: list[tuple[str, float]]) -> None:
        sheet.append([c for c, _w in columns])
        row = sheet.max_row
        for i, (_c, width) in enumerate(columns, start=1):
            cell = sheet.cell(row=row, column=i)
            cell.font, cell.fill, cell.alignment = bold, head_fill, wrap
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = sheet.cell(row=row + 1, column=1)

    summary = book.active
    summary.title = _("Summary")[:31]
    preamble(summary, title)
    header(summary, [(_("Measure"), 52), (_("Value"), 16), (_("How it is counted"), 80)])
    rows = [
        (_("Cases registered"), data["cases"], None, _("Cases registered in the period.")),
        (
            _("Referrals sent"),
            data["referrals_sent"],
            None,
            _("Referrals sent to a service in the period."),
        ),
        (
            _("On-time rate"),
            _cell_rate(data["on_time_rate"]),
            "0.0%",
            _(
                "Referrals answered (done or rejected) in the period by their due date, of "
                "all answered in the period (%(on_time)s of %(answered)s)."
            )
            % {"on_time": data["answered_on_time"], "answered": data["answered"]},
        ),
        (
            _("Median working days to close a case"),
            _cell_days(data["median_days_to_close"]),
            "0.0",
            _("Over the %(n)s cases closed in the period, Indonesian working days.")
            % {"n": data["closed"]},
        ),
        (
            _("Closed-loop rate"),
            _cell_rate(data["closed_loop_rate"]),
            "0.0%",
            _(
                "Referrals done and successful, of the referrals sent in the period "
                "(%(ok)s of %(sent)s)."
            )
            % {"ok": data["done_successful"], "sent": data["referrals_sent"]},
        ),
    ]
    for s in SlaStatus:
        rows.append(
            (
                _("Running referrals: %(status)s") % {"status": s.label},
                data["running_by_sla"].get(s.value, 0),
                None,
                _("Referrals still running today, by service-level status."),
            )
        )
    for label, value, fmt, how in rows:
        summary.append([label, value, how])
        cell = summary.cell(row=summary.max_row, column=2)
        if fmt:
            cell.number_format = fmt
        if value is None:
            cell.value = "–"
        summary.cell(row=summary.max_row, column=3).alignment = wrap

    categories = list(Category)
    sheet = book.create_sheet(_("Cases per desa")[:31])
    preamble(sheet, _("Cases per desa and need"))
    header(
        sheet,
        [(_("Kecamatan"), 22), (_("Desa"), 24), (_("Total"), 9)]
        + [(str(c.label), 13) for c in categories],
    )
    first = sheet.max_row + 1
    for row in data["by_desa"]:
        sheet.append(
            [row["kecamatan"], row["desa"], row["total"]]
            + [row.get(c.value, 0) for c in categories]
        )
    if data["by_desa"]:
        last = sheet.max_row
        sheet.append(
            [_("Total"), "", f"=SUM(C{first}:C{last})"]
            + [
                f"=SUM({get_column_letter(i)}{first}:{get_column_letter(i)}{last})"
                for i in range(4, 4 + len(categories))
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        sheet.auto_filter.ref = f"A{first - 1}:{get_column_letter(3 + len(categories))}{last}"

    sheet = book.create_sheet(_("Cases per month")[:31])
    preamble(sheet, _("Cases registered per month"))
    header(sheet, [(_("Month"), 16), (_("Cases"), 10)])
    for label, count in _months(data):
        sheet.append([label, count])

    sheet = book.create_sheet(_("Needs")[:31])
    preamble(sheet, _("Cases and working days to close, per need"))
    header(sheet, [(_("Need"), 28), (_("Cases"), 10), (_("Median working days to close"), 18)])
    medians = data.get("median_days_to_close_by_category", {})
    for c in categories:
        sheet.append(
            [str(c.label), data["by_category"].get(c.value, 0), _cell_days(medians.get(c.value))]
        )
        sheet.cell(row=sheet.max_row, column=3).number_format = "0.0"

    buffer = io.BytesIO()
    book.save(buffer)
    stamp = f"{start:%Y%m%d}-{end:%Y%m%d}" if start and end else "semua"
    return buffer.getvalue(), f"laporan-slrt-{stamp}.xlsx"


def kpi_text(value: float | None, kind: str) -> str:
    """A headline figure as the page writes it (``76,5%``, ``4,5``, ``1.204``)."""
    if kind == "percent":
        return fmt_percent(value, RATE_DECIMALS)
    if kind == "days":
        return number(value, DAYS_DECIMALS)
    return number(value, 0)
