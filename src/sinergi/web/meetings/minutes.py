"""The minutes of a meeting as a briefing :class:`~sinergi.web.briefings.documents.Document`:
participants, agenda (with carried follow-ups), decisions, the problems and their evidence,
and the follow-up matrix with its progress by owner. Rendered to DOCX and PDF by the one
briefing generator (``briefings.services.render``)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.utils.translation import gettext as _

from sinergi.web.briefings.documents import Chart, Document, Paragraph, Table, bar_chart
from sinergi.web.briefings.kinds import BriefingRequest
from sinergi.web.briefings.narrative import number
from sinergi.web.core.formatting import long_date
from sinergi.web.meetings import services
from sinergi.web.meetings.choices import ActionStatus, MeetingKind, OrgLevel, ScoringMethod
from sinergi.web.meetings.models import Meeting

_SELECTED: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "minutes_meeting", default=None
)


@contextlib.contextmanager
def selected(meeting_id: int) -> Iterator[None]:
    """Build the minutes of this meeting (instead of the region's latest of the year)."""
    token = _SELECTED.set(meeting_id)
    try:
        yield
    finally:
        _SELECTED.reset(token)


def chosen(request: BriefingRequest) -> Meeting | None:
    pk = _SELECTED.get()
    if pk is not None:
        return Meeting.objects.filter(pk=pk).first()
    return (
        Meeting.objects.filter(region=request.region, date__year=request.year)
        .order_by("-date", "-pk")
        .first()
    )


def pct(value: object, lang: str) -> str:
    return "–" if value is None else number(value, 0, lang) + " %"  # type: ignore[arg-type]


def source_of(meeting: Meeting) -> str:
    return meeting.source or _("Sinergi meeting records: %(title)s, %(date)s") % {
        "title": meeting.title,
        "date": long_date(meeting.date),
    }


def build(request: BriefingRequest) -> Document:
    lang = request.language
    meeting = chosen(request)
    if meeting is None:
        doc = Document(
            kind="minutes",
            title=_("Meeting minutes: %(region)s") % {"region": request.region.name},
            subtitle=str(request.year),
            language=lang,
            file_stem=f"notulen-{request.region.code}-{request.year}",
        )
        doc.section(_("Meetings")).blocks.append(
            Paragraph(_("No meeting of %(year)s is recorded.") % {"year": request.year})
        )
        return doc
    source = source_of(meeting)
    doc = Document(
        kind="minutes",
        title=_("Minutes: %(title)s") % {"title": meeting.title},
        subtitle=f"{MeetingKind(meeting.kind).label} · {long_date(meeting.date)}",
        language=lang,
        warning=_("Contains illustrative demo data: not official figures.")
        if meeting.is_illustrative
        else "",
        file_stem=f"notulen-{meeting.region_id}-{meeting.date.isoformat()}",
    )
    head = doc.section(_("Meeting"))
    facts_rows = [
        [_("Kind"), str(MeetingKind(meeting.kind).label)],
        [_("Date"), long_date(meeting.date)],
        [_("Place"), meeting.place or "–"],
        [_("Host"), str(meeting.host) if meeting.host else "–"],
        [_("Participants"), "; ".join(o.name for o in meeting.participants.all()) or "–"],
    ]
    head.blocks.append(
        Table([_("Item"), _("Details")], facts_rows, sources=(source,), widths=(0.25, 0.75))
    )
    attendance = list(meeting.attendance.select_related("organisation"))
    if attendance:
        head.blocks.append(
            Table(
                [_("Name"), _("Position"), _("Organisation")],
                [
                    [
                        a.name
                        + (
                            f" ({_('represented by')} {a.represented_by})"
                            if a.represented_by
                            else ""
                        ),
                        a.position or "–",
                        str(a.organisation) if a.organisation else "–",
                    ]
                    for a in attendance
                ],
                caption=_("Attendance"),
                sources=(source,),
                widths=(0.35, 0.35, 0.3),
            )
        )

    agenda = doc.section(_("Agenda"))
    items = list(meeting.agenda.select_related("carried", "carried__owner"))
    for item in items:
        text = item.title
        if item.carried is not None:
            text = _("Carried follow-up: %(title)s (%(status)s, %(progress)s)") % {
                "title": item.title,
                "status": ActionStatus(item.carried.status).label,
                "progress": pct(services.effective_progress(item.carried), lang),
            }
        agenda.blocks.append(
            Paragraph(text + (f" — {item.notes}" if item.notes else ""), style="bullet")
        )
    if not items:
        agenda.blocks.append(Paragraph(_("No agenda recorded.")))
    if meeting.minutes.strip():
        notes = doc.section(_("Proceedings"))
        for para in [p.strip() for p in meeting.minutes.split("\n\n") if p.strip()]:
            notes.blocks.append(Paragraph(para, (source,)))

    decisions = doc.section(_("Decisions"))
    lines = meeting.decision_lines()
    for i, line in enumerate(lines, start=1):
        decisions.blocks.append(Paragraph(f"{i}. {line}", (source,)))
    if not lines:
        decisions.blocks.append(Paragraph(_("No decision recorded.")))

    problems = doc.section(_("Problems and root causes"))
    scored = dict(services.ranked(meeting))
    method = ScoringMethod(meeting.scoring)
    for node in services.flat_tree(meeting):
        p = node.problem
        score = scored.get(p)
        label = p.get_level_display()
        text = f"{'    ' * node.depth}{label}: {p.title}"
        if score is not None:
            text += " — " + _("score %(score)s (%(method)s)") % {
                "score": number(score, 2 if method == ScoringMethod.WEIGHTED else 0, lang),
                "method": "USG" if method == ScoringMethod.USG else _("weighted criteria"),
            }
        problems.blocks.append(Paragraph(text, style="bullet" if node.depth else "body"))
        for ev in p.evidence:
            problems.blocks.append(
                Paragraph(
                    f"{'    ' * (node.depth + 1)}{ev['text']}",
                    tuple(s for s in [ev.get("source", "")] if s),
                    "note",
                )
            )
    if not problems.blocks:
        problems.blocks.append(Paragraph(_("No problem accepted.")))

    matrix = doc.section(_("Follow-up matrix"))
    rows = []
    for rec in meeting.recommendations.select_related("problem", "addressee").prefetch_related(
        "actions__owner"
    ):
        for a in rec.actions.all():
            rows.append(
                [
                    rec.text,
                    str(rec.addressee or OrgLevel(rec.level).label),
                    a.title,
                    str(a.owner),
                    long_date(a.due_date) if a.due_date else "–",
                    str(ActionStatus(a.status).label),
                    pct(services.effective_progress(a), lang),
                ]
            )
        if not rec.actions.exists():
            rows.append(
                [rec.text, str(rec.addressee or OrgLevel(rec.level).label), "–", "–", "–", "–", "–"]
            )
    if rows:
        matrix.blocks.append(
            Table(
                [
                    _("Recommendation"),
                    _("Addressed to"),
                    _("Action"),
                    _("Responsible"),
                    _("Due"),
                    _("Status"),
                    _("Progress"),
                ],
                rows,
                numeric=frozenset({6}),
                caption=_("Table 1. Recommendations and follow-up actions"),
                sources=(source,),
                widths=(0.24, 0.12, 0.22, 0.12, 0.11, 0.1, 0.09),
            )
        )
        for rec in meeting.recommendations.all():
            matrix.blocks.append(
                Paragraph(
                    _("Progress of the recommendation “%(rec)s”: %(p)s.")
                    % {
                        "rec": rec.text[:120],
                        "p": pct(services.recommendation_progress(rec), lang),
                    },
                    (source,),
                    "bullet",
                )
            )
        by_owner = services.progress_by_owner(meeting)
        if by_owner:
            matrix.blocks.append(
                Chart(
                    caption=_("Figure 1. Follow-up progress by owner (percent, weighted)"),
                    png=bar_chart(
                        [str(o) for o, _p, _n in by_owner],
                        [
                            (
                                _("Progress"),
                                [float(p) if p is not None else None for _o, p, _n in by_owner],
                            )
                        ],
                        unit_label="persen" if lang == "id" else "percent",
                        language=lang,
                        decimals=0,
                    ),
                    alt="; ".join(f"{o}: {pct(p, lang)}" for o, p, _n in by_owner),
                    sources=(source,),
                )
            )
    else:
        matrix.blocks.append(Paragraph(_("No recommendation recorded.")))
    return doc
