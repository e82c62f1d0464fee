"""What the meetings agreed, for the ``rakor`` briefing: the accepted problems of the region's
meetings of the year with their recommendations and follow-up progress."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sinergi.web.briefings.documents import Document, Paragraph, Section, Table
from sinergi.web.briefings.narrative import number
from sinergi.web.core.formatting import long_date
from sinergi.web.meetings import services
from sinergi.web.meetings.choices import Decision, OrgLevel
from sinergi.web.meetings.minutes import source_of
from sinergi.web.meetings.models import Meeting, Recommendation
from sinergi.web.regions.models import Region


def add_problems_section(
    doc: Document, region: Region, year: int, after: Section | None = None
) -> Section:
    """Add "Problems and recommendations" (from the meetings of ``year``) to a briefing."""
    lang = doc.language
    section = Section(_("Problems and recommendations agreed in meetings"))
    if after is not None and after in doc.sections:
        doc.sections.insert(doc.sections.index(after) + 1, section)
    else:
        doc.sections.append(section)
    meetings = list(Meeting.objects.filter(region=region, date__year=year).order_by("date", "pk"))
    for meeting in meetings:
        source = source_of(meeting)
        kept = meeting.problems.filter(decision=Decision.ACCEPTED, parent=None)
        for problem in kept:
            progress = services.problem_progress(problem)
            text = f"{problem.title} ({meeting.title}, {long_date(meeting.date)})"
            if progress is not None:
                text += " — " + _("follow-up %(p)s percent done") % {"p": number(progress, 0, lang)}
            section.blocks.append(Paragraph(text, (source,), "bullet"))
        recs = Recommendation.objects.filter(meeting=meeting).select_related("addressee")
        rows = [
            [
                r.text,
                str(r.addressee or OrgLevel(r.level).label),
                "–"
                if (p := services.recommendation_progress(r)) is None
                else number(p, 0, lang) + " %",
            ]
            for r in recs
        ]
        if rows:
            section.blocks.append(
                Table(
                    [_("Recommendation"), _("Addressed to"), _("Progress")],
                    rows,
                    numeric=frozenset({2}),
                    caption=_("Recommendations of %(meeting)s") % {"meeting": meeting.title},
                    sources=(source,),
                    widths=(0.6, 0.25, 0.15),
                )
            )
    if not section.blocks:
        section.blocks.append(Paragraph(_("No meeting of %(year)s is recorded.") % {"year": year}))
    return section
