"""The referral letter (surat rujukan): one A4 page per referral, drawn with reportlab
like the monev PDFs.

It goes with the person to the service, so it carries what the service needs: the
person (NIK and KK masked, never in clear), the need, the consent on record, the
service's requirements and the due date on the working-day calendar. It is
produced on request and never stored.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from sinergi.web.core.formatting import long_date
from sinergi.web.social.models import Category, ConsentState, Referral


def _p(text: Any) -> str:
    """Text for a reportlab Paragraph (its mini-markup escaped, line breaks kept)."""
    return escape(str(text or "")).replace("\n", "<br/>")


def _person_name(user: Any) -> str:
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


def _regency(case: Any) -> str:
    region = case.desa
    while region is not None and region.level not in ("regency",):
        region = region.parent
    return region.name if region is not None else ""


def letter_number(referral: Referral) -> str:
    """``SLRT-1607-2026-000123-K7QX/R42``: the ticket and the referral."""
    return f"{referral.case.ticket}/R{referral.pk}"


def referral_letter(referral: Referral) -> tuple[bytes, str]:
    """``(PDF bytes, file name)`` of the letter of ``referral``."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    case = referral.case
    service = referral.service
    agency = service.agency
    consent = case.consents.select_related("recorded_by").order_by("-recorded_at", "-id").first()
    styles = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=styles["BodyText"], fontSize=9.5, leading=12, spaceBefore=0, spaceAfter=0
    )
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor="#5f6b7a")
    head = ParagraphStyle(
        "head", parent=body, fontName="Helvetica-Bold", fontSize=11, leading=14, spaceAfter=2
    )
    title_style = ParagraphStyle(
        "title", parent=head, fontSize=14, alignment=1, spaceBefore=6, spaceAfter=2
    )
    centre = ParagraphStyle("centre", parent=body, alignment=1)
    label = ParagraphStyle("label", parent=body, textColor="#5f6b7a")
    warn = ParagraphStyle("warn", parent=body, textColor="#9c4a00", fontName="Helvetica-Bold")

    buffer = io.BytesIO()
    margin = 18 * mm
    title = _("Referral letter") + " " + letter_number(referral)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="Sinergi",
    )
    page_w, page_h = A4

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor("#5f6b7a"))
        canvas.drawString(
            margin,
            10 * mm,
            _("Contains personal data (UU 27/2022): for the service referred to only."),
        )
        canvas.drawRightString(page_w - margin, 10 * mm, letter_number(referral))
        if case.is_illustrative:
            canvas.setFillColor(colors.HexColor("#9c4a00"))
            canvas.drawRightString(page_w - margin, page_h - 9 * mm, _("ILLUSTRATIVE DATA"))
        canvas.restoreState()

    regency = _regency(case)
    story: list[Any] = [
        Paragraph(_p(_("Government of %(regency)s") % {"regency": regency}).upper(), centre),
        Paragraph(_p(_("Integrated Service and Referral System (SLRT) · Pandu Gempita")), centre),
        Spacer(1, 2 * mm),
        Table(
            [[""]],
            colWidths=[page_w - 2 * margin],
            rowHeights=[1],
            style=TableStyle([("LINEABOVE", (0, 0), (-1, 0), 1.2, colors.HexColor("#1d2733"))]),
        ),
        Paragraph(_p(_("REFERRAL LETTER")), title_style),
        Paragraph(_p(_("Number: %(n)s") % {"n": letter_number(referral)}), centre),
        Spacer(1, 5 * mm),
    ]
    if case.is_illustrative:
        story.append(
            Paragraph(
                _p(_("ILLUSTRATIVE DEMO DATA: not a real person and not an official letter.")),
                warn,
            )
        )
        story.append(Spacer(1, 2 * mm))

    addressee = agency.name
    if agency.head_name:
        addressee = f"{agency.head_title} {agency.head_name}".strip() + "\n" + agency.name
    story.append(Paragraph(_p(_("To")), label))
    story.append(Paragraph(_p(addressee), body))
    story.append(Spacer(1, 3 * mm))
    story.append(
        Paragraph(
            _p(
                _(
                    "We refer the person below to the service %(service)s. Please receive "
                    "them, and record in Sinergi whether you accept the referral and how "
                    "it ended."
                )
                % {"service": service.name}
            ),
            body,
        )
    )
    story.append(Spacer(1, 3 * mm))

    kecamatan = case.desa.parent.name if case.desa.parent else ""

    def table(rows: list[tuple[str, Any]]) -> Any:
        data = [[Paragraph(_p(k), label), Paragraph(_p(v) or "–", body)] for k, v in rows]
        t = Table(data, colWidths=[48 * mm, page_w - 2 * margin - 48 * mm])
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5cbd3")),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        return t

    story.append(Paragraph(_p(_("The person")), head))
    story.append(
        table(
            [
                (_("Name"), case.person_name),
                (_("NIK"), case.nik_masked or _("not known")),
                (_("KK number"), case.kk_masked or _("not known")),
                (_("Address"), case.address),
                (_("Desa / kecamatan"), f"{case.desa.name} / {kecamatan}"),
                (
                    _("In the household registry"),
                    case.release.name if case.in_registry and case.release else _("no"),
                ),
            ]
        )
    )
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(_p(_("The need")), head))
    if consent is None:
        consent_text = _("not recorded")
    else:
        consent_text = _("%(state)s on %(day)s, recorded by %(who)s") % {
            "state": ConsentState(consent.state).label,
            "day": long_date(consent.recorded_at),
            "who": _person_name(consent.recorded_by) or "–",
        }
    rows = [
        (_("Need or complaint"), Category(case.category).label),
        (_("Registered on"), long_date(case.opened_on)),
        (_("What the person told us"), case.narrative),
        (_("Consent to share data"), consent_text),
    ]
    if referral.consent_override:
        rows.append((_("Referred without consent because"), referral.override_reason))
    story.append(table(rows))
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(_p(_("The service")), head))
    story.append(
        table(
            [
                (_("Service"), service.name),
                (_("Agency or partner"), agency.name),
                (_("Who is eligible"), service.eligibility),
                (_("Documents to bring"), service.documents_needed),
                (_("Sent on"), long_date(referral.sent_on)),
                (
                    _("Answer due by"),
                    _("%(due)s (%(n)s working days after sending)")
                    % {"due": long_date(referral.due_on), "n": referral.sla_working_days},
                ),
            ]
        )
    )
    story.append(Spacer(1, 4 * mm))
    sender = _person_name(referral.sent_by)
    place = kecamatan or regency
    story.append(
        Table(
            [
                ["", Paragraph(_p(f"{place}, {long_date(referral.sent_on)}"), body)],
                ["", Paragraph(_p(_("Referring officer")), body)],
                ["", Spacer(1, 12 * mm)],
                ["", Paragraph(_p(sender or "(................................)"), body)],
            ],
            colWidths=[(page_w - 2 * margin) * 0.55, (page_w - 2 * margin) * 0.45],
        )
    )
    story.append(Spacer(1, 6 * mm))
    story.append(
        Paragraph(
            _p(
                _(
                    "The person can follow the case with ticket number %(ticket)s on the "
                    "SLRT ticket page."
                )
                % {"ticket": case.ticket}
            ),
            small,
        )
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue(), f"surat-rujukan-{case.ticket}-R{referral.pk}.pdf"
