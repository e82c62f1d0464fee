"""``achievements``: the year's achievements, as the regent reads them at the anniversary session.

For each headline indicator with an annual value in the year: the change from
its latest earlier annual value (poverty 10,00 -> 9,58 persen, Gini 0,340
(2018) -> 0,265), or the level alone when there is no earlier one, then the
province's and the nation's figure of the same year where stored. Estimates
flagged unreliable, synthetic figures and figures without a year are left out
of the narrative and listed as such.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.web.briefings import facts, narrative
from sinergi.web.briefings.documents import Chart, Document, Paragraph, Table, bar_chart
from sinergi.web.briefings.kinds import BriefingRequest, register
from sinergi.web.indicators.models import Indicator, IndicatorValue


@register(
    "achievements",
    gettext_lazy("Achievements of the year"),
    gettext_lazy(
        "The year's achievements against the year before, as the anniversary speech lists them."
    ),
)
def build(request: BriefingRequest) -> Document:
    region, year, lang = request.region, request.year, request.language
    doc = Document(
        kind="achievements",
        title=_("Development achievements of %(region)s, %(year)s")
        % {"region": region.name, "year": year},
        subtitle=_("Figures of %(year)s against the latest earlier year") % {"year": year},
        language=lang,
        file_stem=f"capaian-{region.code}-{year}",
    )
    indicators = list(Indicator.objects.filter(is_headline=True))
    by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in IndicatorValue.objects.filter(
        region=region, indicator__in=indicators
    ).chronological():
        by_indicator[value.indicator_id].append(value)
    peers = facts.peer_values(region, [i.pk for i in indicators], year)

    story = doc.section(_("Achievements"))
    rows: list[list[str]] = []
    row_sources: list[str] = []
    chart_rows: list[tuple[str, float | None, float | None]] = []
    for indicator in indicators:
        values = by_indicator[indicator.pk]
        annual = [v for v in values if v.year is not None and v.quarter is None and v.month is None]
        current = next((v for v in annual if v.year == year), None)
        if current is None:
            undated = [v for v in values if v.year is None]
            if undated:
                doc.omissions.append(
                    narrative.Omission(
                        indicator.name,
                        narrative.why_not(facts.figure(undated[-1], indicator), lang) or "",
                    )
                )
            continue
        earlier = [v for v in annual if v.year is not None and v.year < year]
        before = earlier[-1] if earlier else None
        m = facts.measure(indicator)
        after_fig = facts.figure(current, indicator)
        if before is not None:
            said = narrative.change(m, facts.figure(before, indicator), after_fig, lang)
        else:
            said = narrative.level(m, after_fig, lang)
        story.say(said, doc.omissions)
        if isinstance(said, narrative.Omission):
            continue  # a figure the rules forbid is not in the table either
        others = [(name, facts.figure(v, indicator)) for name, v in peers.get(indicator.pk, [])]
        if others:
            story.say(narrative.comparison(m, after_fig, others, lang), doc.omissions)
        change = (
            narrative.written_change(before.value, current.value, indicator.decimals)
            if before is not None
            else None
        )
        rows.append(
            [
                indicator.name,
                facts.value_cell(before, indicator, lang),
                facts.value_cell(current, indicator, lang),
                (
                    ("+" if change > 0 else "") + narrative.number(change, indicator.decimals, lang)
                    if change is not None
                    else "–"
                ),
            ]
        )
        row_sources += list(said.sources)
        if indicator.unit == "%":
            chart_rows.append(
                (
                    indicator.name,
                    float(before.value) if before is not None else None,
                    float(current.value),
                )
            )
    if rows:
        story.blocks.append(
            Table(
                header=[_("Indicator"), _("Earlier"), str(year), _("Change")],
                rows=rows,
                numeric=frozenset({1, 2, 3}),
                caption=_("Table 1. Achievements of %(year)s") % {"year": year},
                sources=tuple(dict.fromkeys(row_sources)),
                widths=(0.40, 0.24, 0.24, 0.12),
            )
        )
    else:
        story.blocks.append(Paragraph(_("No indicator has a value for %(year)s.") % {"year": year}))
    if chart_rows:
        png = bar_chart(
            [r[0] for r in chart_rows],
            [(_("Earlier"), [r[1] for r in chart_rows]), (str(year), [r[2] for r in chart_rows])],
            unit_label="persen" if lang == "id" else "percent",
            language=lang,
        )
        doc.sections[0].blocks.append(
            Chart(
                caption=_("Figure 1. Indicators in percent: the earlier year and %(year)s")
                % {"year": year},
                png=png,
                alt="; ".join(
                    f"{name}: {narrative.number(b, 2, lang) if b is not None else '–'} → "
                    f"{narrative.number(a, 2, lang)}"
                    for name, b, a in chart_rows
                ),
                sources=tuple(dict.fromkeys(row_sources)),
            )
        )
    return doc
