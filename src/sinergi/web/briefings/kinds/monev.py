"""``monev``: the quarter's programme summary, with the late activities and their reasons.

Everything comes from :func:`sinergi.web.programs.services.monev_data` (the
figures the monev pages, API, XLSX and PDF show: official realisations only)
and the early warnings it computes; the reasons are the warnings' own
messages and the agencies' reported problems and follow-up.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.web.briefings import narrative
from sinergi.web.briefings.documents import Chart, Document, Paragraph, Table, bar_chart
from sinergi.web.briefings.kinds import BriefingRequest, register
from sinergi.web.core.formatting import long_date, quarter_label, rounded
from sinergi.web.programs import reports, services


def source_text(report: services.MonevReport) -> str:
    text = _("Sinergi monev: realisations submitted to or approved by Bappeda, as of %(date)s") % {
        "date": long_date(report.as_of)
    }
    if report.round is not None:
        text += f"; {report.round.title}"
    return text


def _pct(value: object) -> float | None:
    r = rounded(value, services.PERCENT_DECIMALS)  # type: ignore[arg-type]
    return float(r) if r is not None else None


@register(
    "monev",
    gettext_lazy("Quarterly monev summary"),
    gettext_lazy("The quarter's programme summary with late activities and their reasons."),
    needs_quarter=True,
)
def build(request: BriefingRequest) -> Document:
    region, year, lang = request.region, request.year, request.language
    quarter = request.quarter or 4
    report = services.monev_data(region, year, quarter)
    period = quarter_label(year, quarter)
    doc = Document(
        kind="monev",
        title=_("Monev summary, %(period)s: %(region)s")
        % {"period": period, "region": region.name},
        subtitle=_("as of %(d)s") % {"d": long_date(report.as_of)}
        + (f" · {report.round.title}" if report.round else ""),
        language=lang,
        warning=reports.illustrative_note(report),
        file_stem=f"monev-{region.code}-{year}-tw{quarter}",
    )
    source = source_text(report)
    summary = doc.section(_("Summary"))
    if not report.has_plan:
        summary.blocks.append(
            Paragraph(_("No activity is planned for %(period)s.") % {"period": period})
        )
        return doc
    t = report.totals
    figures = narrative.MonevFigures(
        period=period,
        as_of=long_date(report.as_of),
        activities=t.activities,
        agencies=len(report.blocks),
        budget=t.public_budget,
        financial_pct=t.financial_pct,
        planned_financial_pct=t.planned_financial_pct,
        physical_pct=t.physical_pct,
        late=len(report.late),
        source=source,
    )
    for sentence in narrative.monev_summary(figures, lang):
        summary.say(sentence, doc.omissions)
    summary.blocks.append(Paragraph(reports.official_note(), style="note"))

    def pct(value: object) -> str:
        r = _pct(value)
        return narrative.number(r, services.PERCENT_DECIMALS, lang) if r is not None else "–"

    rows = [
        [
            block.agency.name,
            str(block.totals.activities),
            narrative.rupiah(block.totals.public_budget, lang),
            pct(block.totals.financial_pct),
            pct(block.totals.planned_financial_pct),
            pct(block.totals.physical_pct),
            str(block.totals.late),
        ]
        for block in report.blocks
    ]
    rows.append(
        [
            _("Total"),
            str(t.activities),
            narrative.rupiah(t.public_budget, lang),
            pct(t.financial_pct),
            pct(t.planned_financial_pct),
            pct(t.physical_pct),
            str(t.late),
        ]
    )
    summary.blocks.append(
        Table(
            header=[
                _("Agency (OPD)"),
                _("Activities"),
                _("Budget APBD/APBN"),
                _("Financial %"),
                _("Plan %"),
                _("Physical %"),
                _("With warnings"),
            ],
            rows=rows,
            numeric=frozenset({1, 2, 3, 4, 5, 6}),
            caption=_("Table 1. Realisation by agency, %(period)s") % {"period": period},
            sources=(source,),
            widths=(0.32, 0.09, 0.19, 0.1, 0.1, 0.1, 0.1),
        )
    )
    summary.blocks.append(
        Chart(
            caption=_("Figure 1. Financial and physical realisation by agency (percent)"),
            png=bar_chart(
                [b.agency.short_name or b.agency.name for b in report.blocks],
                [
                    (_("Financial %"), [_pct(b.totals.financial_pct) for b in report.blocks]),
                    (_("Physical %"), [_pct(b.totals.physical_pct) for b in report.blocks]),
                ],
                unit_label="persen" if lang == "id" else "percent",
                language=lang,
                decimals=1,
            ),
            alt="; ".join(
                f"{b.agency.name}: {pct(b.totals.financial_pct)} / {pct(b.totals.physical_pct)}"
                for b in report.blocks
            ),
            sources=(source,),
        )
    )

    late = doc.section(_("Late activities and their reasons"))
    late_rows = []
    for row in report.late:
        real = row.realisation
        notes = " / ".join(x for x in (real.problems, real.follow_up) if x) if real else ""
        late_rows.append(
            [
                str(row.activity.agency),
                f"{row.activity.code} {row.activity.name}",
                "; ".join(w.label for w in row.warnings),
                " ".join(w.message for w in row.warnings),
                notes or "–",
            ]
        )
    if late_rows:
        late.blocks.append(
            Paragraph(
                _("%(n)s activities carry %(w)s early warnings.")
                % {"n": len(report.late), "w": sum(len(r.warnings) for r in report.late)},
                (source,),
            )
        )
        late.blocks.append(
            Table(
                header=[
                    _("Agency (OPD)"),
                    _("Activity"),
                    _("Warning"),
                    _("Reason"),
                    _("Problems / follow-up"),
                ],
                rows=late_rows,
                caption=_("Table 2. Early warnings: what is late and why"),
                sources=(source,),
                widths=(0.16, 0.24, 0.13, 0.27, 0.20),
            )
        )
    else:
        late.blocks.append(Paragraph(_("No warnings this quarter."), (source,)))
    return doc
