"""Sentences from figures, by rules: the narrative of every briefing (pure, no Django).

Every sentence of a briefing is written here from values, never typed: the
callers (the document kinds) turn database rows into :class:`Figure` and
:class:`TargetCheck` values and get back a :class:`Sentence` -- its text and
the citations of every figure it states -- or an :class:`Omission` saying why
the data do not support a sentence. The rules:

- numbers are rounded half-up by :func:`sinergi.rounding.rounded` (the one
  rounding rule) and written ``9,58`` in Indonesian, ``9.58`` in English;
- a level in percent is written ``persen`` (``percent``); a change of a rate
  ``poin persen`` (``percentage points``); a change of an index or a ratio
  ``poin`` (``points``); counts keep their own word (``jiwa``, ``persons``);
- the direction word (naik / turun / tetap; rose / fell / unchanged) follows
  the sign of the change *as written* (the difference of the two rounded
  figures), so the sentence adds up;
- no sentence states a figure without a year, an estimate flagged unreliable
  (BPS: RSE > 50 %), a synthetic (demo) figure or a figure without a source; a
  change within its 95 % confidence interval is "tidak berubah secara
  bermakna" (did not change significantly) instead of a direction;
- the comparison with a target is the verdict the indicator rules computed
  (``sinergi.web.indicators.achievement``), passed in, never recomputed here;
- a comparison with the province or the nation is made only for the same year.

>>> m = Measure("Persentase penduduk miskin (P0)", "%", 2)
>>> s = change(m, Figure(10, 2022, "Pidato HUT"), Figure(9.58, 2023, "Pidato HUT"), "id")
>>> s.text
'Persentase penduduk miskin (P0) turun dari 10,00 persen (2022) menjadi 9,58 persen (2023), atau 0,42 poin persen.'
>>> s.sources
('Pidato HUT',)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sinergi.rounding import Number, rounded

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")
Z95 = 1.959963984540054  # two-sided 95 % normal quantile

PERCENT_UNITS = frozenset({"%", "percent", "persen"})
POINT_UNITS = frozenset({"index", "ratio", "points", "poin", "score"})
# Level units written after the number (none for an index or a ratio: "76,85").
COUNT_WORDS: dict[str, tuple[str, str]] = {
    "persons": ("jiwa", "persons"),
    "jobs": ("lowongan", "jobs"),
    "companies": ("perusahaan", "companies"),
    "events": ("kali", "events"),
    "children": ("anak", "children"),
    "recipients": ("penerima", "recipients"),
}

# Statuses of sinergi.web.indicators.choices.Status (plain strings: no Django here).
ACHIEVED, NOT_ACHIEVED = "achieved", "not_achieved"
ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
JUDGED = frozenset({ACHIEVED, NOT_ACHIEVED, ON_TRACK, AT_RISK, OFF_TRACK})


@dataclass(frozen=True)
class Measure:
    """What a figure measures: its name (in the sentence's language), unit and decimals."""

    name: str
    unit: str
    decimals: int = 2


@dataclass(frozen=True)
class Figure:
    """One stated value with what a reader needs to trust it.

    ``period`` is the period as written (``Triwulan III 2019``); it defaults to
    the year. ``reliable`` is False for an estimate BPS would not publish
    (RSE > 50 %). ``se`` or ``ci_low``/``ci_high`` (95 %) say how precise a
    survey estimate is. ``grade`` is the grade the indicator's scale gives
    (``BB``).
    """

    value: Number
    year: int | None
    source: str
    period: str = ""
    reliable: bool = True
    synthetic: bool = False
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    grade: str = ""

    @property
    def label(self) -> str:
        return self.period or (str(self.year) if self.year is not None else "")


@dataclass(frozen=True)
class Sentence:
    """A sentence and the citations of the figures it states (in order, without repeats)."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Omission:
    """No sentence: what was left out and why (shown in the briefing's notes)."""

    subject: str
    reason: str


Said = Sentence | Omission


@dataclass(frozen=True)
class TargetCheck:
    """A value judged against one target, as the indicator rules judged it.

    ``status`` is one of the :data:`JUDGED` statuses (others give no sentence);
    ``target`` is the level to reach; ``plan`` the plan's short name
    (``RPJMN 2025-2029``); ``comparator`` ``auto``, ``lt``, ``le``, ``ge`` or
    ``gt``; the projection is the trend's value in the target year with its
    interval (``level``: its coverage, 0.80).
    """

    status: str
    target: Number
    target_year: int | None
    plan: str
    source: str
    comparator: str = "auto"
    projection: float | None = None
    projection_low: float | None = None
    projection_high: float | None = None
    level: float = 0.80
    low_confidence: bool = False


# --- numbers and units ----------------------------------------------------------------------


def number(value: Number, decimals: int, language: Language) -> str:
    """``value`` rounded half-up and written as the language writes numbers.

    The same text as :func:`sinergi.web.core.formatting.number` in that language
    (a test holds the two together).

    >>> number(Decimal("1307.455"), 2, "id"), number(1307.455, 2, "en"), number(-0.5, 0, "id")
    ('1.307,46', '1,307.46', '-1')
    """
    r = rounded(value, decimals)
    assert r is not None
    sign = "-" if r < 0 else ""
    whole, _dot, frac = f"{abs(r):f}".partition(".")
    group, dec = (".", ",") if language == "id" else (",", ".")
    return sign + f"{int(whole):,}".replace(",", group) + (dec + frac if frac else "")


def level_text(value: Number, unit: str, decimals: int, language: Language) -> str:
    """A level with its unit word: ``9,58 persen``, ``0,265``, ``22.000 jiwa``.

    >>> level_text(9.58, "%", 2, "id"), level_text(9.58, "%", 2, "en"), level_text(76.85, "index", 2, "id")
    ('9,58 persen', '9.58 percent', '76,85')
    """
    text = number(value, decimals, language)
    if unit in PERCENT_UNITS:
        return f"{text} {'persen' if language == 'id' else 'percent'}"
    if unit in POINT_UNITS:
        return text
    word = COUNT_WORDS.get(unit)
    if word is not None:
        return f"{text} {word[0] if language == 'id' else word[1]}"
    return f"{text} {unit}".strip()


def change_text(delta: Number, unit: str, decimals: int, language: Language) -> str:
    """The size of a change (no sign) with its unit: ``0,42 poin persen``, ``0,075 poin``.

    >>> change_text(-0.42, "%", 2, "id"), change_text(0.42, "%", 2, "en"), change_text(0.075, "ratio", 3, "id")
    ('0,42 poin persen', '0.42 percentage points', '0,075 poin')
    """
    size = number(abs(Decimal(str(delta))), decimals, language)
    if unit in PERCENT_UNITS:
        return f"{size} {'poin persen' if language == 'id' else 'percentage points'}"
    if unit in POINT_UNITS:
        return f"{size} {'poin' if language == 'id' else 'points'}"
    return level_text(abs(Decimal(str(delta))), unit, decimals, language)


def written_change(before: Number, after: Number, decimals: int) -> Decimal:
    """The change between the two figures as written (rounded first), so a sentence adds up.

    >>> written_change(10.004, 9.576, 2)
    Decimal('-0.42')
    """
    a, b = rounded(before, decimals), rounded(after, decimals)
    assert a is not None and b is not None
    return b - a


def direction(delta: Number, language: Language) -> str:
    """The direction word of a change: naik / turun / tetap (rose / fell / unchanged).

    >>> direction(-0.42, "id"), direction(0, "id"), direction(1, "en")
    ('turun', 'tetap', 'rose')
    """
    d = Decimal(str(delta))
    if d > 0:
        return "naik" if language == "id" else "rose"
    if d < 0:
        return "turun" if language == "id" else "fell"
    return "tetap" if language == "id" else "unchanged"


# --- what a figure may support --------------------------------------------------------------


def why_not(figure: Figure, language: Language) -> str | None:
    """Why no sentence may state ``figure`` (None when one may).

    >>> why_not(Figure(11, None, "Berita"), "id")
    'angka tanpa tahun'
    """
    id_ = language == "id"
    if figure.year is None:
        return "angka tanpa tahun" if id_ else "the figure has no year"
    if not figure.reliable:
        return (
            "perkiraan tidak andal (RSE di atas 50 persen), tidak dipublikasikan"
            if id_
            else "unreliable estimate (RSE above 50 percent), not published"
        )
    if figure.synthetic:
        return "data sintetis (demo), bukan angka resmi" if id_ else "synthetic (demo) data"
    if not figure.source.strip():
        return "angka tanpa sumber" if id_ else "the figure has no source"
    return None


def _se(figure: Figure) -> float | None:
    if figure.se is not None:
        return figure.se
    if figure.ci_low is not None and figure.ci_high is not None:
        return (figure.ci_high - figure.ci_low) / (2 * Z95)
    return None


def is_significant(before: Figure, after: Figure) -> bool | None:
    """Whether the change from ``before`` to ``after`` lies outside its 95 % interval.

    With both standard errors (or intervals): a two-sided z test of the difference
    (independent estimates). With an interval for ``after`` only: whether
    ``before`` lies outside it. None when neither figure says how precise it is.

    >>> is_significant(Figure(10, 2022, "s", se=0.3), Figure(9.58, 2023, "s", se=0.3))
    False
    >>> is_significant(Figure(10, 2022, "s"), Figure(9.58, 2023, "s"))
    """
    a, b = float(before.value), float(after.value)
    se_a, se_b = _se(before), _se(after)
    if se_a is not None and se_b is not None:
        spread = math.hypot(se_a, se_b)
        return abs(b - a) > Z95 * spread if spread > 0 else b != a
    if after.ci_low is not None and after.ci_high is not None:
        return not (after.ci_low <= a <= after.ci_high)
    if before.ci_low is not None and before.ci_high is not None:
        return not (before.ci_low <= b <= before.ci_high)
    return None


def _sources(*figures: Figure | TargetCheck) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for f in figures:
        if f.source.strip():
            seen.setdefault(f.source.strip(), None)
    return tuple(seen)


def _with_grade(figure: Figure, language: Language) -> str:
    if not figure.grade:
        return figure.label
    word = "predikat" if language == "id" else "grade"
    return f"{figure.label}, {word} {figure.grade}"


# --- sentences ------------------------------------------------------------------------------


def level(measure: Measure, figure: Figure, language: Language) -> Said:
    """One figure: ``Nilai MCP KPK pada 2023 sebesar 76,85.``

    >>> level(Measure("Nilai MCP KPK", "index", 2), Figure(76.85, 2023, "HUT"), "id").text
    'Nilai MCP KPK pada 2023 sebesar 76,85.'
    """
    reason = why_not(figure, language)
    if reason:
        return Omission(measure.name, reason)
    value = level_text(figure.value, measure.unit, measure.decimals, language)
    if language == "id":
        grade = f" (predikat {figure.grade})" if figure.grade else ""
        text = f"{measure.name} pada {figure.label} sebesar {value}{grade}."
    else:
        grade = f" (grade {figure.grade})" if figure.grade else ""
        text = f"{measure.name} was {value} in {figure.label}{grade}."
    return Sentence(text, _sources(figure))


def change(measure: Measure, before: Figure, after: Figure, language: Language) -> Said:
    """The change between two figures, with the direction word matching its sign.

    >>> m = Measure("Rasio gini", "ratio", 3)
    >>> change(m, Figure(0.340, 2018, "HUT"), Figure(0.265, 2023, "HUT"), "en").text
    'Rasio gini fell from 0.340 (2018) to 0.265 (2023), down 0.075 points.'
    >>> change(m, Figure(0.3, 2022, "S", se=0.02), Figure(0.31, 2023, "S", se=0.02), "id").text
    'Rasio gini tidak berubah secara bermakna dari 0,300 (2022) ke 0,310 (2023): selisihnya masih dalam selang kepercayaan 95 persen.'
    """
    for figure in (before, after):
        reason = why_not(figure, language)
        if reason:
            return Omission(measure.name, reason)
    if before.year is not None and after.year is not None and before.year >= after.year:
        return Omission(
            measure.name,
            "tahun pembanding tidak lebih awal" if language == "id" else "no earlier year",
        )
    u, d = measure.unit, measure.decimals
    a = level_text(before.value, u, d, language)
    b = level_text(after.value, u, d, language)
    was, now = _with_grade(before, language), _with_grade(after, language)
    delta = written_change(before.value, after.value, d)
    sources = _sources(before, after)
    if delta != 0 and is_significant(before, after) is False:
        if language == "id":
            text = (
                f"{measure.name} tidak berubah secara bermakna dari {a} ({was}) ke {b} ({now}): "
                "selisihnya masih dalam selang kepercayaan 95 persen."
            )
        else:
            text = (
                f"{measure.name} did not change significantly from {a} ({was}) to {b} ({now}): "
                "the difference lies within the 95 percent confidence interval."
            )
        return Sentence(text, sources)
    word = direction(delta, language)
    if delta == 0:
        if language == "id":
            text = f"{measure.name} {word} {b} pada {before.label} dan {after.label}."
        else:
            text = f"{measure.name} was {word} at {b} in {before.label} and {after.label}."
        return Sentence(text, sources)
    size = change_text(delta, u, d, language)
    if language == "id":
        text = f"{measure.name} {word} dari {a} ({was}) menjadi {b} ({now}), atau {size}."
    else:
        updown = "up" if delta > 0 else "down"
        text = f"{measure.name} {word} from {a} ({was}) to {b} ({now}), {updown} {size}."
    return Sentence(text, sources)


_COMPARATOR_WORDS: dict[str, tuple[str, str]] = {
    "lt": ("kurang dari ", "below "),
    "le": ("paling tinggi ", "at most "),
    "gt": ("lebih dari ", "above "),
    "ge": ("sekurang-kurangnya ", "at least "),
}


def target(measure: Measure, figure: Figure, check: TargetCheck, language: Language) -> Said:
    """The verdict on a target (tercapai / belum tercapai, or the projection's verdict).

    >>> m = Measure("Pertumbuhan ekonomi", "%", 2)
    >>> c = TargetCheck("achieved", 5, 2024, "RKPD 2024", "RKPD")
    >>> target(m, Figure(5.14, 2024, "Berita"), c, "id").text
    'Target RKPD 2024 untuk 2024 sebesar 5,00 persen tercapai: capaian 5,14 persen (2024).'
    """
    reason = why_not(figure, language)
    if reason:
        return Omission(measure.name, reason)
    if check.status not in JUDGED:
        return Omission(
            measure.name,
            "target tidak dapat dinilai" if language == "id" else "the target cannot be judged",
        )
    id_ = language == "id"
    u, d = measure.unit, measure.decimals
    words = _COMPARATOR_WORDS.get(check.comparator, ("", ""))
    goal = (words[0] if id_ else words[1]) + level_text(check.target, u, d, language)
    if id_:
        when = f" untuk {check.target_year}" if check.target_year else ""
        head = f"Target {check.plan}{when} sebesar {goal}"
    else:
        when = f" for {check.target_year}" if check.target_year else ""
        head = f"The {check.plan} target{when} of {goal}"
    value = f"{level_text(figure.value, u, d, language)} ({figure.label})"
    projected = ""
    if check.projection is not None and check.target_year:
        p = level_text(check.projection, u, d, language)
        if check.projection_low is not None and check.projection_high is not None:
            lo = number(check.projection_low, d, language)
            hi = number(check.projection_high, d, language)
            cover = number(check.level * 100, 0, language)
            band = (
                f", rentang {cover} persen {lo}–{hi}"
                if id_
                else f", {cover} percent range {lo}–{hi}"
            )
        else:
            band = ""
        projected = (
            f"proyeksi tren {check.target_year} {p}{band}"
            if id_
            else f"the trend projects {p} for {check.target_year}{band}"
        )
    if check.status == ACHIEVED:
        text = f"{head} tercapai: capaian {value}." if id_ else f"{head} is met: {value}."
    elif check.status == NOT_ACHIEVED:
        gap = change_text(
            written_change(figure.value, check.target, d), u, d, language
        )  # distance as written
        text = (
            f"{head} belum tercapai: capaian {value}, selisih {gap}."
            if id_
            else f"{head} is not met: {value}, a gap of {gap}."
        )
    elif check.status == ON_TRACK:
        text = (
            f"{head} diperkirakan tercapai: capaian {value}"
            + (f"; {projected}" if projected else "")
            + "."
            if id_
            else f"{head} is on track: {value}" + (f"; {projected}" if projected else "") + "."
        )
    elif check.status == AT_RISK:
        text = (
            f"{head} berisiko tidak tercapai: capaian {value}"
            + (f"; {projected}, mencakup target" if projected else "")
            + "."
            if id_
            else f"{head} is at risk: {value}"
            + (f"; {projected}, which straddles the target" if projected else "")
            + "."
        )
    else:  # OFF_TRACK
        text = (
            f"{head} diperkirakan tidak tercapai: capaian {value}"
            + (f"; {projected}, seluruhnya di luar target" if projected else "")
            + "."
            if id_
            else f"{head} is off track: {value}"
            + (f"; {projected}, wholly short of the target" if projected else "")
            + "."
        )
    if check.low_confidence:
        text += (
            " Penilaian ini kurang pasti karena datanya baru sedikit."
            if id_
            else " This judgement is uncertain: there are few values yet."
        )
    return Sentence(text, _sources(figure, check))


def comparison(
    measure: Measure,
    figure: Figure,
    others: Sequence[tuple[str, Figure]],
    language: Language,
) -> Said:
    """The region's figure beside the province's and the nation's, for the same year only.

    ``others`` are (name, figure) pairs, e.g. ``("Provinsi Sumatera Selatan", ...)``.

    >>> m = Measure("Persentase penduduk miskin (P0)", "%", 2)
    >>> comparison(m, Figure(9.58, 2023, "A"), [("Indonesia", Figure(9.36, 2023, "BPS"))], "id").text
    'Pada 2023 angka ini lebih tinggi daripada Indonesia (9,36 persen).'
    """
    reason = why_not(figure, language)
    if reason:
        return Omission(measure.name, reason)
    parts, used = [], [figure]
    id_ = language == "id"
    for name, other in others:
        if why_not(other, language) or other.year != figure.year:
            continue
        delta = written_change(other.value, figure.value, measure.decimals)
        if delta > 0:
            rel = "lebih tinggi daripada" if id_ else "higher than"
        elif delta < 0:
            rel = "lebih rendah daripada" if id_ else "lower than"
        else:
            rel = "sama dengan" if id_ else "the same as"
        value = level_text(other.value, measure.unit, measure.decimals, language)
        parts.append(f"{rel} {name} ({value})")
        used.append(other)
    if not parts:
        return Omission(
            measure.name,
            "tidak ada angka pembanding pada tahun yang sama"
            if id_
            else "no comparison figure for the same year",
        )
    joined = (" dan " if id_ else " and ").join(parts)
    text = (
        f"Pada {figure.label} angka ini {joined}."
        if id_
        else f"In {figure.label} this was {joined}."
    )
    return Sentence(text, _sources(*used))


def count_of(n: int, total: int, language: Language) -> str:
    """``3 dari 12`` / ``3 of 12``.

    >>> count_of(3, 12, "id")
    '3 dari 12'
    """
    return f"{n} dari {total}" if language == "id" else f"{n} of {total}"


@dataclass(frozen=True)
class MonevFigures:
    """A quarter's monev totals (percentages of the public budget; None when not computable)."""

    period: str  # "Triwulan III 2019"
    as_of: str  # "17 Oktober 2019"
    activities: int
    agencies: int
    budget: Number  # rupiah, APBD/APBN
    financial_pct: Number | None
    planned_financial_pct: Number | None
    physical_pct: Number | None
    late: int
    source: str


def rupiah(value: Number, language: Language) -> str:
    """``Rp 1.250.000`` / ``Rp 1,250,000`` (whole rupiah).

    >>> rupiah(1250000.4, "id")
    'Rp 1.250.000'
    """
    return f"Rp {number(value, 0, language)}"


def monev_summary(f: MonevFigures, language: Language) -> list[Sentence]:
    """The quarter's programme summary in two or three sentences.

    >>> f = MonevFigures("Triwulan III 2019", "17 Oktober 2019", 12, 5, 1e9, 48.44, 60, 55, 3, "S")
    >>> [s.text for s in monev_summary(f, "id")][1]
    'Realisasi keuangan 48,4 persen dari pagu (rencana 60,0 persen), 11,6 poin persen di bawah rencana; realisasi fisik 55,0 persen.'
    """
    id_ = language == "id"
    src = (f.source,) if f.source.strip() else ()
    out = []
    budget = rupiah(f.budget, language)
    if id_:
        out.append(
            Sentence(
                f"Sampai {f.period} (per {f.as_of}) dipantau {f.activities} kegiatan dari "
                f"{f.agencies} perangkat daerah dengan pagu APBD/APBN {budget}.",
                src,
            )
        )
    else:
        out.append(
            Sentence(
                f"Up to {f.period} (as of {f.as_of}), {f.activities} activities of {f.agencies} "
                f"agencies are monitored, with an APBD/APBN budget of {budget}.",
                src,
            )
        )
    if f.financial_pct is not None:
        fin = level_text(f.financial_pct, "%", 1, language)
        parts = [
            f"Realisasi keuangan {fin} dari pagu" if id_ else f"Spending is {fin} of the budget"
        ]
        if f.planned_financial_pct is not None:
            plan = level_text(f.planned_financial_pct, "%", 1, language)
            parts[0] += f" (rencana {plan})" if id_ else f" (plan {plan})"
            delta = written_change(f.planned_financial_pct, f.financial_pct, 1)
            if delta != 0:
                size = change_text(delta, "%", 1, language)
                if id_:
                    parts[0] += f", {size} {'di atas' if delta > 0 else 'di bawah'} rencana"
                else:
                    parts[0] += f", {size} {'ahead of' if delta > 0 else 'behind'} plan"
        if f.physical_pct is not None:
            phys = level_text(f.physical_pct, "%", 1, language)
            parts.append(f"realisasi fisik {phys}" if id_ else f"physical progress is {phys}")
        out.append(Sentence("; ".join(parts) + ".", src))
    if f.activities:
        share = count_of(f.late, f.activities, language)
        if f.late:
            text = (
                f"{share} kegiatan mendapat peringatan dini (terlambat atau belum melapor)."
                if id_
                else f"{share} activities carry an early warning (late or not reported)."
            )
        else:
            text = (
                "Tidak ada kegiatan yang mendapat peringatan dini."
                if id_
                else "No activity carries an early warning."
            )
        out.append(Sentence(text, src))
    return out
