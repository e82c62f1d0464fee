"""The document model of a briefing and its two renderings, DOCX and PDF.

A kind (``kinds/``) builds one :class:`Document` -- title, sections of
paragraphs, tables and charts, each carrying the citations of its figures --
and :func:`to_docx` and :func:`to_pdf` walk that same model, so the two files
cannot disagree: the same text, the same cells, the same chart image (a PNG
drawn once with matplotlib), the same numbered sources. The page's preview
shows the same model too.

The PDF follows the monev report's look (``sinergi.web.programs.reports``):
Helvetica, reportlab's sample styles, the blue-grey table header, the brown
note colour and the footer with the title and page number.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import gettext as _

from sinergi.web.briefings.narrative import Language, Omission, Said, Sentence, number

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
FORMATS = {"docx": DOCX_TYPE, "pdf": PDF_TYPE}

# The monev PDF's colours (programs/reports.py).
HEADER_FILL = "#dde7f0"
RULE = "#c5cbd3"
NOTE = "#9c4a00"
MUTED = "#5f6b7a"


@dataclass
class Paragraph:
    text: str
    sources: tuple[str, ...] = ()
    style: Literal["body", "note", "bullet"] = "body"


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()
    caption: str = ""
    sources: tuple[str, ...] = ()
    widths: tuple[float, ...] = ()  # fractions of the text width


@dataclass
class Chart:
    caption: str
    png: bytes
    alt: str
    sources: tuple[str, ...] = ()


Block = Paragraph | Table | Chart


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)

    def say(self, said: Said, omissions: list[Omission], style: str = "body") -> None:
        """Add a rule-made sentence, or record why there is none."""
        if isinstance(said, Sentence):
            self.blocks.append(Paragraph(said.text, said.sources, style))  # type: ignore[arg-type]
        else:
            omissions.append(said)


@dataclass
class Document:
    kind: str
    title: str
    subtitle: str
    language: Language
    sections: list[Section] = field(default_factory=list)
    warning: str = ""  # illustrative data: printed under the title and on every PDF page
    omissions: list[Omission] = field(default_factory=list)
    file_stem: str = "briefing"

    def section(self, heading: str) -> Section:
        section = Section(heading)
        self.sections.append(section)
        return section

    def citations(self) -> list[str]:
        """Every distinct source, numbered in order of first use (1-based by position)."""
        seen: dict[str, None] = {}
        for section in self.sections:
            for block in section.blocks:
                for source in block.sources:
                    seen.setdefault(source, None)
        return list(seen)

    def mark(self, sources: Iterable[str]) -> str:
        """The footnote mark of a block's sources: `` [1, 3]`` (empty without sources)."""
        numbers = {s: i for i, s in enumerate(self.citations(), start=1)}
        refs = sorted({numbers[s] for s in sources if s in numbers})
        return f" [{', '.join(str(r) for r in refs)}]" if refs else ""

    def omission_lines(self) -> list[str]:
        return [f"{o.subject}: {o.reason}" for o in self.omissions]

    def text(self) -> str:
        """The whole document as plain text (tests, the page's preview, logs)."""
        lines = [self.title, self.subtitle]
        if self.warning:
            lines.append(self.warning)
        for section in self.sections:
            lines.append(section.heading)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    lines.append(block.text + self.mark(block.sources))
                elif isinstance(block, Table):
                    lines.append(" | ".join(block.header))
                    lines += [" | ".join(row) for row in block.rows]
                else:
                    lines.append(block.caption + self.mark(block.sources))
        return "\n".join(lines)


def caption_text(doc: Document, block: Table | Chart) -> str:
    return block.caption + doc.mark(block.sources)


def sources_heading() -> str:
    return _("Sources")


def omissions_heading() -> str:
    return _("Figures not stated in the narrative")


def omissions_intro() -> str:
    return _(
        "The rules write no sentence for a figure without a year, an estimate flagged "
        "unreliable, synthetic data or a figure without a source:"
    )


def generated_note() -> str:
    return _(
        "Every sentence of this document is written by rules from the figures stored in "
        "Sinergi; each figure cites its source (numbers in brackets)."
    )


# --- charts (matplotlib, drawn once, shared by both renderings) -----------------------------


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _formatter(language: Language, decimals: int) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: number(v, decimals, language))


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    # No timestamps or software version in the file: the same figures give the same bytes.
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(fig)
    return buffer.getvalue()


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    unit_label: str,
    language: Language,
    decimals: int = 2,
) -> bytes:
    """Grouped horizontal bars, one group per category, values written on the bars."""
    plt = _pyplot()
    height = max(2.2, 0.28 * len(categories) * max(1, len(series)) + 0.8)
    fig, ax = plt.subplots(figsize=(7.0, height))
    colors = ["#9fb7cc", "#1f5f8b", "#c77c2e", "#5f6b7a"]
    n = len(series)
    bar = 0.8 / max(n, 1)
    for i, (label, values) in enumerate(series):
        ys = [c + (i - (n - 1) / 2) * bar for c in range(len(categories))]
        xs = [v if v is not None else 0.0 for v in values]
        bars = ax.barh(ys, xs, height=bar * 0.92, label=label, color=colors[i % len(colors)])
        for rect, v in zip(bars, values, strict=True):
            if v is not None:
                ax.annotate(
                    number(v, decimals, language),
                    (rect.get_width(), rect.get_y() + rect.get_height() / 2),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                )
    ax.set_yticks(range(len(categories)), [str(c) for c in categories], fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_formatter(language, 0 if decimals == 0 else 1))
    ax.set_xlabel(unit_label, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.15)
    if n > 1:
        ax.legend(fontsize=7, frameon=False, loc="lower right")
    return _png(fig)


def trend_chart(
    points: Sequence[tuple[int, float]],
    *,
    target: tuple[int, float] | None,
    projection: tuple[int, float, float | None, float | None] | None,
    unit_label: str,
    language: Language,
    decimals: int,
    labels: dict[str, str],
) -> bytes:
    """Annual values, the trend projected to the target year (with its interval) and the target."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.0, 2.8))
    years = [p[0] for p in points]
    ax.plot(years, [p[1] for p in points], marker="o", color="#1f5f8b", label=labels["values"])
    for x, y in points:
        ax.annotate(
            number(y, decimals, language),
            (x, y),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            fontsize=7,
        )
    if projection is not None and points:
        year, value, low, high = projection
        last = points[-1]
        ax.plot([last[0], year], [last[1], value], ls="--", color="#5f6b7a", label=labels["trend"])
        if low is not None and high is not None:
            ax.errorbar(
                [year],
                [value],
                yerr=[[value - low], [high - value]],
                fmt="none",
                ecolor="#5f6b7a",
                capsize=4,
            )
    if target is not None:
        ax.scatter(
            [target[0]],
            [target[1]],
            marker="*",
            s=120,
            color="#c77c2e",
            zorder=3,
            label=labels["target"],
        )
    ax.yaxis.set_major_formatter(_formatter(language, min(decimals, 2)))
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_ylabel(unit_label, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, frameon=False)
    return _png(fig)


# --- DOCX -----------------------------------------------------------------------------------


def to_docx(doc: Document) -> bytes:
    """The document as a Word file (python-docx)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    out = docx.Document()
    out.core_properties.title = doc.title
    out.core_properties.author = "Sinergi"
    out.core_properties.language = doc.language
    normal = out.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    # Spell-check and hyphenate in the document's language.
    rpr = normal.element.get_or_add_rPr()
    tag = "id-ID" if doc.language == "id" else "en-GB"
    rpr.append(rpr.makeelement(qn("w:lang"), {qn("w:val"): tag}))
    section = out.sections[0]
    section.left_margin = section.right_margin = Cm(2.2)
    note_color = RGBColor.from_string(NOTE.lstrip("#"))

    out.add_heading(doc.title, level=0)
    out.add_paragraph(doc.subtitle)
    if doc.warning:
        run = out.add_paragraph().add_run(doc.warning)
        run.bold, run.font.color.rgb = True, note_color
    note = out.add_paragraph().add_run(generated_note())
    note.italic, note.font.size = True, Pt(9)

    for sec in doc.sections:
        out.add_heading(sec.heading, level=1)
        for block in sec.blocks:
            if isinstance(block, Paragraph):
                style = "List Bullet" if block.style == "bullet" else None
                p = out.add_paragraph(style=style)
                run = p.add_run(block.text)
                if block.style == "note":
                    run.font.color.rgb, run.font.size = note_color, Pt(9)
                if block.sources:
                    mark = p.add_run(doc.mark(block.sources))
                    mark.font.size = Pt(8)
            elif isinstance(block, Table):
                if block.caption:
                    cap = out.add_paragraph()
                    cap.add_run(caption_text(doc, block)).bold = True
                table = out.add_table(rows=1 + len(block.rows), cols=len(block.header))
                table.style = "Table Grid"
                for c, text in enumerate(block.header):
                    cell = table.rows[0].cells[c]
                    cell.text = ""
                    cell.paragraphs[0].add_run(text).bold = True
                    shade = cell._tc.get_or_add_tcPr().makeelement(
                        qn("w:shd"),
                        {qn("w:val"): "clear", qn("w:fill"): HEADER_FILL.lstrip("#")},
                    )
                    cell._tc.get_or_add_tcPr().append(shade)
                for r, row in enumerate(block.rows, start=1):
                    for c, text in enumerate(row):
                        cell = table.rows[r].cells[c]
                        cell.text = text
                        if c in block.numeric:
                            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
                for row in table.rows:
                    for cell in row.cells:
                        for para in cell.paragraphs:
                            for run in para.runs:
                                run.font.size = Pt(8.5)
                out.add_paragraph()
            else:
                out.add_picture(io.BytesIO(block.png), width=Cm(16))
                pic = out.paragraphs[-1]
                pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
                # The chart's description for screen readers (alt text).
                for prop in pic._p.iter(qn("wp:docPr")):
                    prop.set("descr", block.alt)
                cap = out.add_paragraph()
                run = cap.add_run(caption_text(doc, block))
                run.italic, run.font.size = True, Pt(9)

    if doc.omissions:
        out.add_heading(omissions_heading(), level=1)
        out.add_paragraph(omissions_intro())
        for line in doc.omission_lines():
            out.add_paragraph(line, style="List Bullet")
    out.add_heading(sources_heading(), level=1)
    for i, source in enumerate(doc.citations(), start=1):
        p = out.add_paragraph(f"[{i}] {source}")
        p.runs[0].font.size = Pt(9)

    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------

# Helvetica (as the monev PDF) covers Windows-1252; anything else is written plainly.
_PDF_REPLACEMENTS = {"≤": "<=", "≥": ">=", "→": "->", "−": "-", "\u202f": " ", "\u00a0": " "}


def _pdf_text(text: str) -> str:
    from xml.sax.saxutils import escape

    for old, new in _PDF_REPLACEMENTS.items():
        text = text.replace(old, new)
    text = text.encode("cp1252", "replace").decode("cp1252")
    return escape(text)


def to_pdf(doc: Document) -> bytes:
    """The document as a portrait A4 PDF (reportlab), with the monev report's look."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, KeepTogether, LongTable, SimpleDocTemplate, Spacer
    from reportlab.platypus import Paragraph as P

    styles = getSampleStyleSheet()
    body = ParagraphStyle("brief-body", parent=styles["BodyText"], fontSize=9.5, leading=12.5)
    bullet = ParagraphStyle("brief-bullet", parent=body, leftIndent=10, bulletIndent=2)
    note = ParagraphStyle("brief-note", parent=body, fontSize=8.5, textColor=colors.HexColor(NOTE))
    small = ParagraphStyle("brief-small", parent=body, fontSize=8, leading=10)
    cell = ParagraphStyle("brief-cell", parent=body, fontSize=7.5, leading=9)
    cell_right = ParagraphStyle("brief-cell-r", parent=cell, alignment=2)
    head = ParagraphStyle("brief-head", parent=cell, fontName="Helvetica-Bold")
    caption = ParagraphStyle("brief-caption", parent=small, fontName="Helvetica-Oblique")
    heading = ParagraphStyle("brief-h2", parent=styles["Heading2"], keepWithNext=1)

    buffer = io.BytesIO()
    page_w, page_h = A4
    margin = 16 * mm
    usable = page_w - 2 * margin
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=doc.title,
        author="Sinergi",
        lang=doc.language,
    )
    footer = _pdf_text(f"{doc.title} · {doc.subtitle}")[:150]

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor(MUTED))
        canvas.drawString(margin, 8 * mm, footer)
        canvas.drawRightString(page_w - margin, 8 * mm, _("page %(n)s") % {"n": document.page})
        if doc.warning:
            canvas.setFillColor(colors.HexColor(NOTE))
            canvas.drawRightString(page_w - margin, page_h - 9 * mm, _("ILLUSTRATIVE DATA"))
        canvas.restoreState()

    story: list[Any] = [
        P(_pdf_text(doc.title), styles["Title"]),
        P(_pdf_text(doc.subtitle), body),
    ]
    if doc.warning:
        story.append(P(_pdf_text(doc.warning), note))
    story.append(P(f"<i>{_pdf_text(generated_note())}</i>", small))
    story.append(Spacer(1, 3 * mm))

    for sec in doc.sections:
        story.append(P(_pdf_text(sec.heading), heading))
        for block in sec.blocks:
            if isinstance(block, Paragraph):
                text = _pdf_text(block.text)
                mark = _pdf_text(doc.mark(block.sources))
                if mark:
                    text += f'<font size="7">{mark}</font>'
                if block.style == "bullet":
                    story.append(P(text, bullet, bulletText="•"))
                else:
                    story.append(P(text, note if block.style == "note" else body))
            elif isinstance(block, Table):
                n = len(block.header)
                fractions = block.widths or tuple(1.0 / n for _ in range(n))
                rows = [[P(_pdf_text(h), head) for h in block.header]]
                rows += [
                    [
                        P(_pdf_text(text), cell_right if c in block.numeric else cell)
                        for c, text in enumerate(row)
                    ]
                    for row in block.rows
                ]
                table = LongTable(rows, colWidths=[usable * f for f in fractions], repeatRows=1)
                table.setStyle(
                    [
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_FILL)),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor(RULE)),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("TOPPADDING", (0, 0), (-1, -1), 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ]
                )
                parts: list[Any] = []
                if block.caption:
                    parts.append(P(f"<b>{_pdf_text(caption_text(doc, block))}</b>", small))
                parts.append(table)
                story.append(KeepTogether(parts) if len(block.rows) < 15 else parts[0])
                if len(block.rows) >= 15:
                    story += parts[1:]
                story.append(Spacer(1, 3 * mm))
            else:
                image = Image(io.BytesIO(block.png))
                scale = min(1.0, usable / image.imageWidth)
                image.drawWidth = image.imageWidth * scale
                image.drawHeight = image.imageHeight * scale
                story.append(KeepTogether([image, P(_pdf_text(caption_text(doc, block)), caption)]))
                story.append(Spacer(1, 3 * mm))

    if doc.omissions:
        story.append(P(_pdf_text(omissions_heading()), heading))
        story.append(P(_pdf_text(omissions_intro()), small))
        for line in doc.omission_lines():
            story.append(
                P(
                    _pdf_text(line),
                    ParagraphStyle("o", parent=small, leftIndent=10, bulletIndent=2),
                    bulletText="•",
                )
            )
    story.append(P(_pdf_text(sources_heading()), heading))
    for i, source in enumerate(doc.citations(), start=1):
        story.append(P(_pdf_text(f"[{i}] {source}"), small))
    pdf.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def render(doc: Document, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of ``doc`` in ``fmt`` (``docx`` or ``pdf``)."""
    if fmt == "docx":
        return to_docx(doc), DOCX_TYPE, f"{doc.file_stem}.docx"
    if fmt == "pdf":
        return to_pdf(doc), PDF_TYPE, f"{doc.file_stem}.pdf"
    raise ValueError(f"unknown document format {fmt!r}; use docx or pdf")
