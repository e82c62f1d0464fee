"""The quarterly monev report as XLSX and PDF, both built from :func:`services.monev_data`.

XLSX (what Bappeda staff work in): a summary sheet, one sheet per agency
(OPD) with a total row, and a warnings sheet; rupiah and percent number
formats, frozen headers, filters, column widths, landscape printing.
PDF: landscape A4 tables with the same figures, totals and warnings.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from sinergi.web.core.formatting import long_date, number, rounded
from sinergi.web.programs.choices import FundingSource
from sinergi.web.programs.services import (
    MONEY_DECIMALS,
    PERCENT_DECIMALS,
    ActivityRow,
    MonevReport,
    Totals,
    output_number,
    summary_rows,
)

# Cells hold the figures rounded as the page rounds them (half-up, from the exact value),
# and the number formats show exactly those decimals, so Excel cannot round them again.
RUPIAH = '"Rp" #,##0'
PERCENT = "0.0%"


def title(report: MonevReport) -> str:
    scope = report.flagship.name if report.flagship else report.region.name
    return _("Monev report, %(period)s: %(scope)s") % {
        "period": report.period_label,
        "scope": scope,
    }


def subtitle(report: MonevReport) -> str:
    parts = [report.region.name] if report.flagship else []  # the title names the region
    parts.append(_("as of %(d)s") % {"d": long_date(report.as_of)})
    if report.round is not None:
        parts.append(report.round.title)
    return " · ".join(parts)


def official_note() -> str:
    return _(
        "Figures count only realisations submitted to or approved by Bappeda; drafts are "
        "not counted."
    )


def illustrative_note(report: MonevReport) -> str:
    if not report.is_illustrative:
        return ""
    return _(
        "ILLUSTRATIVE DATA: budgets and realisations of this demo are illustrative, except the "
        "figures cited from the seed article (980 job fair vacancies; violations down 35 %)."
    )


def _pct(value: Decimal | None) -> float | None:
    """A percentage cell: rounded as the page rounds it, stored as a fraction for ``0.0%``."""
    r = rounded(value, PERCENT_DECIMALS)
    return float(r / 100) if r is not None else None


def _money(value: Decimal | None) -> float | None:
    r = rounded(value, MONEY_DECIMALS)
    return float(r) if r is not None else None


class _Numbers:
    """:func:`formatting.number` remembered per value for one report (one language)."""

    def __init__(self) -> None:
        self._done: dict[tuple[type, str, int], str] = {}

    def __call__(self, value: Any, decimals: int) -> str:
        key = (type(value), str(value), decimals)
        text = self._done.get(key)
        if text is None:
            text = self._done[key] = number(value, decimals)
        return text


class _Labels:
    """The report status label of a row, looked up once per status value."""

    def __init__(self) -> None:
        self._done: dict[str, str] = {}

    def status(self, row: ActivityRow) -> str:
        status = row.status
        label = self._done.get(status)
        if label is None:
            label = self._done[status] = row.status_label
        return label


def _outputs_text(row: ActivityRow) -> str:
    parts = []
    for out in row.outputs:
        achieved = output_number(out.achieved)
        target = output_number(out.indicator.target)
        parts.append(f"{out.indicator.name}: {achieved} / {target} {out.indicator.unit}")
    return "; ".join(parts)


def _warnings_text(row: ActivityRow) -> str:
    return " ".join(f"[{w.label}] {w.message}" for w in row.warnings)


def activity_columns() -> list[tuple[str, str, float]]:
    """(key, header, width) of an agency sheet."""
    return [
        ("code", _("Code"), 20),
        ("name", _("Activity"), 42),
        ("flagship", _("Flagship"), 16),
        ("public_budget", _("Budget APBD/APBN"), 18),
        ("non_apbd", _("Non-APBD financing"), 18),
        ("planned_disbursement", _("Planned disbursement to date"), 18),
        ("spent", _("Spent to date"), 18),
        ("financial_pct", _("Financial %"), 11),
        ("planned_financial_pct", _("Planned financial %"), 11),
        ("planned_physical", _("Planned physical %"), 11),
        ("physical", _("Physical %"), 11),
        ("outputs", _("Outputs (achieved / year target)"), 40),
        ("problems", _("Problems (kendala)"), 36),
        ("follow_up", _("Follow-up (tindak lanjut)"), 36),
        ("status", _("Report status"), 16),
        ("warnings", _("Early warnings"), 60),
    ]


def activity_values(row: ActivityRow, labels: _Labels | None = None) -> dict[str, Any]:
    real = row.realisation
    return {
        "code": row.activity.code,
        "name": row.activity.name,
        "flagship": row.activity.flagship.name if row.activity.flagship else "",
        "public_budget": _money(row.public_budget),
        "non_apbd": _money(row.non_apbd),
        "planned_disbursement": _money(row.planned_disbursement),
        "spent": _money(row.spent),
        "financial_pct": _pct(row.financial_pct),
        "planned_financial_pct": _pct(row.planned_financial_pct),
        "planned_physical": _pct(row.planned_physical),
        "physical": _pct(row.physical),
        "outputs": _outputs_text(row),
        "problems": real.problems if real else "",
        "follow_up": real.follow_up if real else "",
        "status": (labels or _Labels()).status(row),
        "warnings": _warnings_text(row),
    }


def total_values(totals: Totals) -> dict[str, Any]:
    return {
        "code": "",
        "name": _("Total"),
        "public_budget": _money(totals.public_budget),
        "non_apbd": _money(totals.non_apbd),
        "planned_disbursement": _money(totals.planned_disbursement),
        "spent": _money(totals.spent),
        "financial_pct": _pct(totals.financial_pct),
        "planned_financial_pct": _pct(totals.planned_financial_pct),
        "physical": _pct(totals.physical_pct),
        "warnings": _("%(late)s of %(n)s activities with warnings")
        % {"late": totals.late, "n": totals.activities},
    }


MONEY_KEYS = {"public_budget", "non_apbd", "planned_disbursement", "spent"}
PCT_KEYS = {"financial_pct", "planned_financial_pct", "planned_physical", "physical"}


def sheet_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "OPD"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def build_xlsx(report: MonevReport) -> bytes:
    from copy import copy

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE7F0")
    total_fill = PatternFill("solid", fgColor="F2F2F2")
    warn_fill = PatternFill("solid", fgColor="FDE8E6")
    thin = Border(bottom=Side(style="thin", color="BBBBBB"))
    wrap = Alignment(wrap_text=True, vertical="top")

    book = Workbook()
    taken: set[str] = set()
    labels = _Labels()

    def preamble(sheet: Any, heading: str) -> int:
        sheet.append([heading])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([subtitle(report)])
        note = illustrative_note(report)
        sheet.append([" ".join(x for x in (note, official_note()) if x)])
        if note:
            sheet["A3"].font = Font(bold=True, color="9C4A00")
        sheet.append([])
        return 5  # the header row

    def header(sheet: Any, row: int, columns: Sequence[tuple[str, str, float]]) -> None:
        for index, (_key, label, width) in enumerate(columns, start=1):
            cell = sheet.cell(row=row, column=index, value=label)
            cell.font, cell.fill, cell.alignment, cell.border = bold, head_fill, wrap, thin
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = sheet.cell(row=row + 1, column=3)
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = f"{row}:{row}"

    # Thousands of cells share three looks: set each look once through openpyxl's style
    # descriptors, then give further cells a copy of the resulting style array (what the
    # descriptors would store, without re-hashing the style objects per cell).
    looks: dict[str, Any] = {}

    def look(cell: Any, name: str) -> None:
        done = looks.get(name)
        if done is not None:
            cell._style = copy(done)
            return
        if name == "money":
            cell.number_format = RUPIAH
        elif name == "pct":
            cell.number_format = PERCENT
        else:
            cell.alignment = wrap
        looks[name] = copy(cell._style)

    def write(
        sheet: Any, row: int, columns: Sequence[tuple[str, str, float]], values: dict[str, Any]
    ) -> None:
        cell_at = sheet.cell
        for index, (key, _label, _width) in enumerate(columns, start=1):
            value = values.get(key)
            if value is None or value == "":
                continue  # an empty cell needs no style
            cell = cell_at(row=row, column=index, value=value)
            if key in MONEY_KEYS:
                look(cell, "money")
            elif key in PCT_KEYS:
                look(cell, "pct")
            elif isinstance(value, str) and len(value) > 30:
                look(cell, "wrap")

    # Summary by agency.
    summary = book.active
    summary.title = sheet_name(_("Summary"), taken)
    columns = [
        ("agency", _("Agency (OPD)"), 38),
        ("head", _("Head"), 26),
        ("activities", _("Activities"), 11),
        ("public_budget", _("Budget APBD/APBN"), 18),
        ("non_apbd", _("Non-APBD financing"), 18),
        ("planned_disbursement", _("Planned disbursement to date"), 18),
        ("spent", _("Spent to date"), 18),
        ("financial_pct", _("Financial %"), 11),
        ("planned_financial_pct", _("Planned financial %"), 11),
        ("physical", _("Physical %"), 11),
        ("late", _("Activities with warnings"), 12),
        ("warnings", _("Warnings"), 11),
    ]
    start = preamble(summary, title(report))
    header(summary, start, columns)
    row_no = start
    for block, plain in zip(report.blocks, summary_rows(report), strict=True):
        row_no += 1
        values = {
            **plain,
            "agency": block.agency.name,
            "head": block.agency.head_name,
            "public_budget": _money(plain["public_budget"]),
            "non_apbd": _money(plain["non_apbd"]),
            "planned_disbursement": _money(plain["planned_disbursement"]),
            "spent": _money(plain["spent"]),
            "financial_pct": _pct(block.totals.financial_pct),
            "planned_financial_pct": _pct(block.totals.planned_financial_pct),
            "physical": _pct(block.totals.physical_pct),
        }
        write(summary, row_no, columns, values)
        if block.totals.late:
            summary.cell(row=row_no, column=11).fill = warn_fill
    row_no += 1
    t = report.totals
    write(
        summary,
        row_no,
        columns,
        {
            **total_values(t),
            "agency": _("Total"),
            "activities": t.activities,
            "late": t.late,
            "warnings": t.warnings,
        },
    )
    for cell in summary[row_no]:
        cell.font, cell.fill = bold, total_fill
    summary.auto_filter.ref = f"A{start}:{get_column_letter(len(columns))}{row_no - 1}"

    # One sheet per agency.
    columns = activity_columns()
    for block in report.blocks:
        sheet = book.create_sheet(sheet_name(block.agency.short_name or block.agency.name, taken))
        heading = f"{block.agency.name}" + (
            f" · {block.agency.head_title} {block.agency.head_name}".rstrip()
            if block.agency.head_name
            else ""
        )
        start = preamble(sheet, heading)
        header(sheet, start, columns)
        row_no = start
        for row in block.rows:
            row_no += 1
            write(sheet, row_no, columns, activity_values(row, labels))
            if row.warnings:
                sheet.cell(row=row_no, column=len(columns)).fill = warn_fill
        row_no += 1
        write(sheet, row_no, columns, total_values(block.totals))
        for cell in sheet[row_no]:
            cell.font, cell.fill = bold, total_fill
        sheet.auto_filter.ref = f"A{start}:{get_column_letter(len(columns))}{row_no - 1}"

    # Budget by funding source, all agencies (a pivot staff ask for).
    sources = book.create_sheet(sheet_name(_("Funding sources"), taken))
    columns = [("agency", _("Agency (OPD)"), 38)] + [
        (s.value, str(s.label), 18) for s in FundingSource
    ]
    start = preamble(sources, _("Budget by funding source"))
    header(sources, start, columns)
    row_no = start
    for block in report.blocks:
        row_no += 1
        sums: dict[str, Decimal] = {}
        for row in block.rows:
            for source, amount in row.budgets.items():
                sums[source] = sums.get(source, Decimal(0)) + amount
        amounts: dict[str, Any] = {"agency": block.agency.name}
        amounts.update({source: _money(total) for source, total in sums.items()})
        write(sources, row_no, columns, amounts)
        for index in range(2, len(columns) + 1):
            sources.cell(row=row_no, column=index).number_format = RUPIAH

    # Warnings.
    sheet = book.create_sheet(sheet_name(_("Warnings"), taken))
    columns = [
        ("agency", _("Agency (OPD)"), 30),
        ("code", _("Code"), 20),
        ("name", _("Activity"), 42),
        ("kind", _("Warning"), 30),
        ("severity", _("Severity"), 10),
        ("reason", _("Reason"), 80),
    ]
    start = preamble(sheet, _("Early warnings"))
    header(sheet, start, columns)
    row_no = start
    for row in report.late:
        for warning in row.warnings:
            row_no += 1
            write(
                sheet,
                row_no,
                columns,
                {
                    "agency": str(row.activity.agency),
                    "code": row.activity.code,
                    "name": row.activity.name,
                    "kind": warning.label,
                    "severity": _("high") if warning.severity == "high" else _("medium"),
                    "reason": warning.message,
                },
            )
    if row_no == start:
        sheet.cell(row=start + 1, column=1, value=_("No warnings this quarter."))
    else:
        sheet.auto_filter.ref = f"A{start}:{get_column_letter(len(columns))}{row_no}"

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- PDF ---------------------------------------------------------------------------------------


def _rp(value: Decimal | None, fmt: Any = number) -> str:
    return "–" if value is None else fmt(value, MONEY_DECIMALS)


def _pc(value: Decimal | None, fmt: Any = number) -> str:
    return "–" if value is None else fmt(value, PERCENT_DECIMALS)


class _PdfText:
    """Exact, cached text measuring and drawing for the PDF tables.

    The same numbers reportlab computes (``stringWidth`` per word, ``simpleSplit``'s
    greedy line filling, ``fp_str`` coordinates, ``drawString``'s text operators), but
    each distinct word, width and coordinate is computed once per document instead of
    once per use: a regency has thousands of cells, and reportlab's pure-Python
    fallbacks (no ``_rl_accel``) make every measurement and every drawn line costly.
    """

    _plain = re.compile(r"[ -'*-\[\]-~]*\Z")  # printable ASCII but for the escaped ( ) and \\

    def __init__(self) -> None:
        from reportlab.lib.rl_accel import escapePDF, fp_str
        from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

        self._fp_str, self._escape = fp_str, escapePDF
        self._get_font, self._string_width = getFont, stringWidth
        self._widths: dict[tuple[str, str, float], float] = {}
        self._coords: dict[float, str] = {}
        self._fonts: dict[str, Any] = {}

    def width(self, text: str, font: str, size: float) -> float:
        key = (text, font, size)
        w = self._widths.get(key)
        if w is None:
            w = self._widths[key] = self._string_width(text, font, size)
        return w

    def split(self, text: str, font: str, size: float, max_width: float) -> list[str]:
        """``reportlab.lib.utils.simpleSplit`` with cached word widths (same result)."""
        lines: list[str] = []
        ws = self.width(" ", font, size)
        width = self.width
        for line in text.split("\n"):
            words: list[str] = []
            w = -ws
            for word in line.split():
                lw = width(word, font, size)
                if w + ws + lw <= max_width or not words:
                    words.append(word)
                    w = w + ws + lw
                else:
                    lines.append(" ".join(words))
                    words = [word]
                    w = lw
            if words:
                lines.append(" ".join(words))
        return lines

    def coord(self, value: float) -> str:
        text = self._coords.get(value)
        if text is None:
            text = self._coords[value] = self._fp_str(value)
        return text

    def simple_font(self, name: str) -> Any:
        """The font if it is a plain (non-TrueType, single-byte) one, else None."""
        if name not in self._fonts:
            font = self._get_font(name)
            plain = not (font._dynamicFont or font._multiByte)
            self._fonts[name] = font if plain else None
        return self._fonts[name]

    def line_code(self, x: float, y: float, text: str, encoding: str) -> str | None:
        """``canvas.drawString(x, y, text)``'s operators, or None if it needs another font."""
        if not text:
            body = ""
        else:
            try:
                raw = text.encode(encoding)
            except UnicodeEncodeError:
                return None  # substitution fonts: leave it to reportlab
            body = f"({text if self._plain.match(text) else self._escape(raw)}) Tj"
        return f"BT 1 0 0 1 {self.coord(x)} {self.coord(y)} Tm {body} T* ET"


def _fast_table_class(pdf_text: _PdfText) -> Any:
    """A ``LongTable`` whose plain-string cells are drawn by ``pdf_text``.

    A class per document: the parts a table splits into across pages are new instances.
    """
    from reportlab.platypus import LongTable

    class FastTable(LongTable):  # type: ignore[misc]
        def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:
            just = cellstyle.alignment
            font = pdf_text.simple_font(cellstyle.fontname)
            if (
                type(cellval) is not str
                or font is None
                or just not in ("LEFT", "RIGHT")
                or cellstyle.valign != "TOP"
                or cellstyle.href
                or cellstyle.destination
                or cellstyle.direction
                or cellstyle.shaping
                or not self.canv.bottomup
            ):
                super()._drawCell(cellval, cellstyle, pos, size)
                return
            canv = self.canv
            if self._curcellstyle is not cellstyle:  # as in Table._drawCell
                cur = self._curcellstyle
                if cur is None or cellstyle.color != cur.color:
                    canv.setFillColor(cellstyle.color)
                if (
                    cur is None
                    or cellstyle.leading != cur.leading
                    or cellstyle.fontname != cur.fontname
                    or cellstyle.fontsize != cur.fontsize
                ):
                    canv.setFont(cellstyle.fontname, cellstyle.fontsize, cellstyle.leading)
                self._curcellstyle = cellstyle
            colpos, rowpos = pos
            colwidth, rowheight = size
            fontname, fontsize, leading = cellstyle.fontname, cellstyle.fontsize, cellstyle.leading
            y = rowpos + rowheight - cellstyle.topPadding - fontsize
            code = canv._code
            text = pdf_text
            if just == "LEFT":
                x = colpos + cellstyle.leftPadding
            else:
                right = colpos + colwidth - cellstyle.rightPadding
            for line in cellval.split("\n"):
                if just == "RIGHT":
                    x = right - text.width(line, fontname, fontsize)
                op = text.line_code(x, y, line, font.encName)
                if op is None:
                    draw = canv.drawString if just == "LEFT" else canv.drawRightString
                    draw(x if just == "LEFT" else right, y, line)
                else:
                    code.append(op)
                y -= leading

    return FastTable


def build_pdf(report: MonevReport) -> bytes:
    """Landscape A4: summary by agency with totals, the warnings, then one table per agency.

    Cells are plain strings wrapped with ``simpleSplit`` (reportlab's Paragraph is an
    order of magnitude slower, and a regency has a thousand or more activities).
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus.tables import CellStyle

    size, leading, pad = 7, 8.5, 3
    pdf_text = _PdfText()
    numbers, labels = _Numbers(), _Labels()
    split = pdf_text.split
    FastTable = _fast_table_class(pdf_text)
    looks: dict[tuple[bool, bool], Any] = {}

    def cell_style(bold: bool, right: bool) -> Any:
        look = looks.get((bold, right))
        if look is None:
            look = looks[(bold, right)] = CellStyle(f"monev-{int(bold)}{int(right)}")
            look.fontname = "Helvetica-Bold" if bold else "Helvetica"
            look.fontsize, look.leading, look.valign = size, leading, "TOP"
            look.topPadding = look.bottomPadding = 2
            look.leftPadding = look.rightPadding = pad
            look.alignment = "RIGHT" if right else "LEFT"
        return look

    styles = getSampleStyleSheet()
    note_style = ParagraphStyle(
        "note", parent=styles["BodyText"], fontSize=8, textColor=colors.HexColor("#9c4a00")
    )
    buffer = io.BytesIO()
    page_w, page_h = landscape(A4)
    margin = 12 * mm
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=margin,
        rightMargin=margin,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=title(report),
        author="Sinergi",
    )
    footer_text = f"{title(report)} · {subtitle(report)}"
    illustrative = illustrative_note(report)
    usable = page_w - 2 * margin

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor("#5f6b7a"))
        canvas.drawString(margin, 8 * mm, footer_text[:170])
        canvas.drawRightString(page_w - margin, 8 * mm, _("page %(n)s") % {"n": document.page})
        if illustrative:
            canvas.setFillColor(colors.HexColor("#9c4a00"))
            canvas.drawRightString(page_w - margin, page_h - 8 * mm, _("ILLUSTRATIVE DATA"))
        canvas.restoreState()

    def table(
        header: Sequence[str],
        rows: list[list[Any]],
        fractions: Sequence[float],
        numeric: set[int],
        total_rows: int = 0,
        bold: Sequence[tuple[int, int]] = (),
    ) -> Any:
        widths = [usable * f for f in fractions]
        heights: list[float] = []

        def line(values: Sequence[Any], font: str, wrap_numbers: bool = False) -> list[str]:
            cells, most = [], 1
            for column, value in enumerate(values):
                text = "" if value is None else str(value)
                if text and (wrap_numbers or column not in numeric):
                    lines = split(text, font, size, widths[column] - 2 * pad)
                    text = "\n".join(lines)
                    most = max(most, len(lines))
                cells.append(text)
            # The row height reportlab would measure: every cell has the same leading.
            heights.append(leading * most + (2 + 2))
            return cells

        body = [line(header, "Helvetica-Bold", True)]
        body += [line(row, "Helvetica") for row in rows]
        # Shared CellStyles, one per look (font x alignment), as the FONT, VALIGN, *PADDING
        # and ALIGN commands would set them on every cell one by one.
        ncols, first_total = len(header), len(body) - total_rows
        bold_cells = set(bold)
        cell_styles = []
        for r in range(len(body)):
            whole_row_bold = r == 0 or r >= first_total
            cell_styles.append(
                [
                    cell_style(whole_row_bold or (r, c) in bold_cells, c in numeric)
                    for c in range(ncols)
                ]
            )
        t = FastTable(
            body, colWidths=widths, rowHeights=heights, repeatRows=1, cellStyles=cell_styles
        )
        style: list[tuple[Any, ...]] = [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde7f0")),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5cbd3")),
        ]
        if total_rows:
            style.append(("BACKGROUND", (0, -total_rows), (-1, -1), colors.HexColor("#f0f3f7")))
        t.setStyle(style)
        return t

    story: list[Any] = [
        Paragraph(title(report), styles["Title"]),
        Paragraph(subtitle(report), styles["BodyText"]),
    ]
    if illustrative:
        story.append(Paragraph(illustrative, note_style))
    story.append(Paragraph(official_note(), styles["BodyText"]))
    story.append(Spacer(1, 4 * mm))

    # Summary by agency.
    rows: list[list[Any]] = []
    for block in report.blocks:
        t = block.totals
        rows.append(
            [
                block.agency.name,
                block.agency.head_name,
                t.activities,
                _rp(t.public_budget, numbers),
                _rp(t.non_apbd, numbers),
                _rp(t.spent, numbers),
                _pc(t.financial_pct, numbers),
                _pc(t.planned_financial_pct, numbers),
                _pc(t.physical_pct, numbers),
                t.late,
            ]
        )
    t = report.totals
    rows.append(
        [
            _("Total"),
            "",
            t.activities,
            _rp(t.public_budget, numbers),
            _rp(t.non_apbd, numbers),
            _rp(t.spent, numbers),
            _pc(t.financial_pct, numbers),
            _pc(t.planned_financial_pct, numbers),
            _pc(t.physical_pct, numbers),
            t.late,
        ]
    )
    story.append(
        table(
            [
                _("Agency (OPD)"),
                _("Head"),
                _("Activities"),
                _("Budget APBD/APBN (Rp)"),
                _("Non-APBD (Rp)"),
                _("Spent to date (Rp)"),
                _("Financial %"),
                _("Plan %"),
                _("Physical %"),
                _("With warnings"),
            ],
            rows,
            [0.24, 0.14, 0.06, 0.11, 0.1, 0.11, 0.06, 0.06, 0.06, 0.06],
            numeric={2, 3, 4, 5, 6, 7, 8, 9},
            total_rows=1,
        )
    )

    # Warnings.
    story.append(Spacer(1, 5 * mm))
    story.append(Paragraph(_("Early warnings: what is late and why"), styles["Heading2"]))
    rows, bold = [], []
    for row in report.late:
        for warning in row.warnings:
            rows.append(
                [
                    str(row.activity.agency),
                    f"{row.activity.code} {row.activity.name}",
                    warning.label,
                    warning.message,
                ]
            )
            if warning.severity == "high":
                bold.append((len(rows), 2))
    if rows:
        story.append(
            table(
                [_("Agency (OPD)"), _("Activity"), _("Warning"), _("Reason")],
                rows,
                [0.16, 0.29, 0.15, 0.40],
                numeric=set(),
                bold=bold,
            )
        )
    else:
        story.append(Paragraph(_("No warnings this quarter."), styles["BodyText"]))

    # One table per agency.
    for block in report.blocks:
        story.append(CondPageBreak(60 * mm))
        story.append(Spacer(1, 4 * mm))
        agency = block.agency
        story.append(Paragraph(agency.name, styles["Heading2"]))
        if agency.head_name:
            story.append(
                Paragraph(f"{agency.head_title} {agency.head_name}".strip(), styles["BodyText"])
            )
        rows = []
        for row in block.rows:
            real = row.realisation
            notes = " / ".join(x for x in (real.problems, real.follow_up) if x) if real else ""
            rows.append(
                [
                    f"{row.activity.code} {row.activity.name}",
                    _rp(row.public_budget, numbers),
                    _rp(row.planned_disbursement, numbers),
                    _rp(row.spent, numbers),
                    _pc(row.financial_pct, numbers),
                    _pc(row.planned_physical, numbers),
                    _pc(row.physical, numbers),
                    labels.status(row),
                    _outputs_text(row),
                    notes,
                    "; ".join(w.label for w in row.warnings),
                ]
            )
        bt = block.totals
        rows.append(
            [
                _("Total"),
                _rp(bt.public_budget, numbers),
                _rp(bt.planned_disbursement, numbers),
                _rp(bt.spent, numbers),
                _pc(bt.financial_pct, numbers),
                "",
                _pc(bt.physical_pct, numbers),
                "",
                "",
                "",
                bt.late,
            ]
        )
        story.append(
            table(
                [
                    _("Activity"),
                    _("Budget (Rp)"),
                    _("Plan to date (Rp)"),
                    _("Spent (Rp)"),
                    _("Fin. %"),
                    _("Plan phys. %"),
                    _("Phys. %"),
                    _("Report status"),
                    _("Outputs"),
                    _("Problems / follow-up"),
                    _("Warnings"),
                ],
                rows,
                [0.17, 0.08, 0.08, 0.08, 0.05, 0.05, 0.05, 0.08, 0.14, 0.13, 0.09],
                numeric={1, 2, 3, 4, 5, 6},
                total_rows=1,
            )
        )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def build(report: MonevReport, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the report in ``fmt`` (``xlsx`` or ``pdf``)."""
    scope = report.flagship.slug if report.flagship else report.region.code
    name = f"monev-{scope}-{report.year}-Q{report.quarter}.{fmt}"
    if fmt == "xlsx":
        return (
            build_xlsx(report),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            name,
        )
    if fmt == "pdf":
        return build_pdf(report), "application/pdf", name
    raise ValueError(f"unknown report format {fmt!r}; use xlsx or pdf")
