"""``rakor``: a regency's briefing for a coordination meeting with the province and the centre.

Each headline indicator against its national, provincial and regency targets,
with the trend projection the indicator rules make (``indicators.services``:
:func:`region_statuses`, the same evaluation as the dashboard), then the list
of indicators off track, at risk or not achieved. Problems and recommendations
agreed in meetings come from the meetings app (``meetings.briefing``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.web.briefings import facts, narrative
from sinergi.web.briefings.documents import Chart, Document, Paragraph, Table, trend_chart
from sinergi.web.briefings.kinds import BriefingRequest, register
from sinergi.web.indicators.choices import Comparator, Status, TargetKind
from sinergi.web.indicators.services import IndicatorStatus, TargetEvaluation, region_statuses
from sinergi.web.regions.models import Level

PROBLEM_STATUSES = (Status.OFF_TRACK, Status.AT_RISK, Status.NOT_ACHIEVED)
LEVEL_COLUMNS = (Level.COUNTRY, Level.PROVINCE, Level.REGENCY)
MAX_CHARTS = 4


def _by_level(item: IndicatorStatus) -> dict[str, TargetEvaluation]:
    """The headline target of each plan level (the rules' own ranking, first one wins)."""
    chosen: dict[str, TargetEvaluation] = {}
    for te in [item.primary, *item.others] if item.primary else []:
        chosen.setdefault(te.target.region.level, te)
    return chosen


def _target_cell(te: TargetEvaluation | None, item: IndicatorStatus, lang: str) -> str:
    if te is None:
        return "–"
    ind, t = item.indicator, te.target
    value = te.evaluation.target if te.evaluation.target is not None else float(t.value)
    sign = {
        Comparator.LT: "< ",
        Comparator.LE: "≤ ",
        Comparator.GT: "> ",
        Comparator.GE: "≥ ",
    }.get(Comparator(t.comparator), "")
    if t.kind == TargetKind.CHANGE_PERCENT and te.evaluation.target is None:
        # A change target whose baseline value is missing: say the change asked for.
        change = narrative.level_text(t.value, "%", 0, lang)  # type: ignore[arg-type]
        text = _("%(change)s from %(year)s") % {"change": change, "year": t.baseline_year}
    else:
        text = sign + narrative.level_text(value, ind.unit, ind.decimals, lang)  # type: ignore[arg-type]
    return f"{text} ({t.year or _('no year')})"


def _projection_cell(item: IndicatorStatus, lang: str) -> str:
    ev = item.primary.evaluation if item.primary else None
    p = ev.projection if ev else None
    if p is None:
        return "–"
    d = item.indicator.decimals
    text = f"{narrative.number(p.value, d, lang)} ({p.year}"  # type: ignore[arg-type]
    if p.low is not None and p.high is not None:
        text += f"; {narrative.number(p.low, d, lang)}–{narrative.number(p.high, d, lang)}"  # type: ignore[arg-type]
    return text + ")"


@register(
    "rakor",
    gettext_lazy("Coordination meeting briefing (rakor)"),
    gettext_lazy(
        "Indicators against national, provincial and regency targets, projections, "
        "and what is off track."
    ),
)
def build(request: BriefingRequest) -> Document:
    region, year, lang = request.region, request.year, request.language
    doc = Document(
        kind="rakor",
        title=_("Coordination meeting briefing: %(region)s") % {"region": region.name},
        subtitle=_("Indicators and targets as of %(year)s") % {"year": year},
        language=lang,
        file_stem=f"rakor-{region.code}-{year}",
    )
    items = [i for i in region_statuses(region, year) if i.latest is not None]
    peers = facts.peer_values(region, [i.indicator.pk for i in items], year)

    table = doc.section(_("Indicators against targets"))
    rows, sources = [], []
    for item in items:
        levels = _by_level(item)
        rows.append(
            [
                item.indicator.name,
                facts.value_cell(item.latest, item.indicator, lang),
                *[_target_cell(levels.get(level), item, lang) for level in LEVEL_COLUMNS],
                str(Status(item.status).label),
                _projection_cell(item, lang),
            ]
        )
        assert item.latest is not None
        sources.append(facts.figure(item.latest, item.indicator).source)
        sources += [facts.target_source(te.target) for te in levels.values()]
    table.blocks.append(
        Table(
            header=[
                _("Indicator"),
                _("Latest value"),
                _("National target"),
                _("Provincial target"),
                _("Regency target"),
                _("Status"),
                _("Projection to the target year"),
            ],
            rows=rows,
            numeric=frozenset({1, 2, 3, 4, 6}),
            caption=_("Table 1. Indicators of %(region)s against the targets of each plan level")
            % {"region": region.name},
            sources=tuple(s for s in dict.fromkeys(sources) if s),
            widths=(0.2, 0.14, 0.13, 0.13, 0.13, 0.11, 0.16),
        )
    )
    table.blocks.append(
        Paragraph(
            _(
                "Projection: a straight-line trend fitted to the annual values and extended "
                "to the target year, with its 80 percent prediction range; status as on the "
                "dashboard."
            ),
            style="note",
        )
    )

    story = doc.section(_("Position of each indicator"))
    problems = doc.section(_("Off track, at risk or not achieved"))
    charts = doc.section(_("Trends and targets"))
    for item in items:
        assert item.latest is not None
        m = facts.measure(item.indicator)
        fig = facts.figure(item.latest, item.indicator)
        story.say(narrative.level(m, fig, lang), doc.omissions)
        if narrative.why_not(fig, lang):
            continue
        verdict: narrative.Said | None = None
        if item.primary is not None:
            verdict = narrative.target(m, fig, facts.target_check(item.primary), lang)
            story.say(verdict, [])  # its omission is the level's, already listed
        others = [(n, facts.figure(v, item.indicator)) for n, v in peers.get(item.indicator.pk, [])]
        if others:
            story.say(narrative.comparison(m, fig, others, lang), [])
        if item.status in PROBLEM_STATUSES and isinstance(verdict, narrative.Sentence):
            problems.blocks.append(
                Paragraph(
                    f"{item.indicator.name} ({Status(item.status).label}): {verdict.text}",
                    verdict.sources,
                    "bullet",
                )
            )
        ev = item.primary.evaluation if item.primary else None
        if ev is not None and ev.projection is not None and len(charts.blocks) < MAX_CHARTS:
            p = ev.projection
            annual = [
                (v.year, float(v.value))
                for v in item.values
                if v.year is not None and v.quarter is None and v.month is None and v.year <= year
            ]
            target_year = item.primary.target.year if item.primary else None
            png = trend_chart(
                annual,  # type: ignore[arg-type]
                target=(target_year, ev.target) if target_year and ev.target is not None else None,
                projection=(p.year, p.value, p.low, p.high),
                unit_label=facts.unit_label(item.indicator, lang),
                language=lang,
                decimals=item.indicator.decimals,
                labels={"values": _("Values"), "trend": _("Trend"), "target": _("Target")},
            )
            charts.blocks.append(
                Chart(
                    caption=_("Figure %(n)s. %(name)s: values, trend to %(year)s and target")
                    % {"n": len(charts.blocks) + 1, "name": item.indicator.name, "year": p.year},
                    png=png,
                    alt=verdict.text if isinstance(verdict, narrative.Sentence) else m.name,
                    sources=verdict.sources if isinstance(verdict, narrative.Sentence) else (),
                )
            )
    if not problems.blocks:
        problems.blocks.append(Paragraph(_("No indicator is off track, at risk or not achieved.")))
    from sinergi.web.meetings.briefing import add_problems_section

    add_problems_section(doc, region, year, after=problems)
    if not charts.blocks:
        doc.sections.remove(charts)
    return doc
