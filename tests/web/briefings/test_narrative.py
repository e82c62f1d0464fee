"""The narrative rules as properties: direction word, decimal comma, percent vs points,
no sentence for a figure the rules forbid, significance."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.web.briefings import narrative as n

LANG = st.sampled_from(["id", "en"])
DECIMALS = st.integers(min_value=0, max_value=3)
VALUES = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False)
YEARS = st.integers(min_value=2000, max_value=2029)
UNITS = st.sampled_from(["%", "index", "ratio", "persons"])
DIRECTION_WORDS = {"id": ("naik", "turun", "tetap"), "en": ("rose", "fell", "unchanged")}


def fig(value: Decimal, year: int | None, **kw: object) -> n.Figure:
    return n.Figure(value, year, kw.pop("source", "BPS, 2024"), **kw)  # type: ignore[arg-type]


@settings(max_examples=300)
@given(VALUES, VALUES, DECIMALS, UNITS, LANG, YEARS)
def test_the_direction_word_matches_the_sign_of_the_written_change(a, b, d, unit, lang, y):
    said = n.change(n.Measure("X", unit, d), fig(a, y), fig(b, y + 1), lang)
    assert isinstance(said, n.Sentence)
    delta = n.rounded(b, d) - n.rounded(a, d)  # type: ignore[operator]
    up, down, same = DIRECTION_WORDS[lang]
    words = set(re.findall(r"[a-z]+", said.text))
    expected = up if delta > 0 else down if delta < 0 else same
    assert expected in words
    assert not ({up, down, same} - {expected}) & words
    if delta != 0:  # the stated size is the difference of the two figures as written
        assert n.number(abs(delta), d, lang) in said.text


@settings(max_examples=200)
@given(VALUES, DECIMALS)
def test_indonesian_writes_a_decimal_comma_and_english_a_point(value, d):
    ind, eng = n.number(value, d, "id"), n.number(value, d, "en")
    if d:
        assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*,\d{" + str(d) + "}", ind)
        assert re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d{" + str(d) + "}", eng)
        assert ind.replace(".", "").replace(",", ".") == eng.replace(",", "")
    else:
        assert "," not in ind and "." not in eng


@settings(max_examples=100)
@given(VALUES, DECIMALS, LANG)
def test_the_number_is_the_one_the_pages_write(value, d, lang):
    from django.utils import translation

    from sinergi.web.core import formatting

    with translation.override(lang):
        assert n.number(value, d, lang) == formatting.number(value, d)


@settings(max_examples=200)
@given(VALUES, VALUES, LANG)
def test_percent_for_levels_percentage_points_for_changes_of_rates(a, b, lang):
    said = n.change(n.Measure("TPT", "%", 2), fig(a, 2022), fig(b, 2023), lang)
    assert isinstance(said, n.Sentence)
    level, points = ("persen", "poin persen") if lang == "id" else ("percent", "percentage points")
    assert f"{n.number(a, 2, lang)} {level}" in said.text
    if n.written_change(a, b, 2) != 0:
        assert said.text.rstrip(".").endswith(points)


@given(VALUES, VALUES, LANG, st.sampled_from(["index", "ratio"]))
def test_an_index_changes_by_points_and_its_level_has_no_percent(a, b, lang, unit):
    said = n.change(n.Measure("IRB", unit, 2), fig(a, 2022), fig(b, 2023), lang)
    assert isinstance(said, n.Sentence)
    assert "persen" not in said.text and "percent" not in said.text
    if n.written_change(a, b, 2) != 0:
        assert said.text.rstrip(".").endswith("poin" if lang == "id" else "points")


FORBIDDEN = [
    ("no year", {"year": None}),
    ("unreliable", {"reliable": False}),
    ("synthetic", {"synthetic": True}),
    ("no source", {"source": " "}),
]


@pytest.mark.parametrize(("case", "change"), FORBIDDEN, ids=[c for c, _ in FORBIDDEN])
@given(value=VALUES, other=VALUES, lang=LANG)
def test_no_sentence_states_a_forbidden_figure(case, change, value, other, lang):
    kw = dict(change)
    year = kw.pop("year", 2023)
    bad = fig(value, year, **kw)  # type: ignore[arg-type]
    good = fig(other, 2020)
    m = n.Measure("P0", "%", 2)
    check = n.TargetCheck("achieved", 10, 2024, "RPJMD", "RPJMD 2019-2024")
    results = [
        n.level(m, bad, lang),
        n.change(m, good, bad, lang),
        n.change(m, bad, fig(other, 2030), lang),
        n.target(m, bad, check, lang),
        n.comparison(m, bad, [("Indonesia", fig(other, year))], lang),
    ]
    assert all(isinstance(r, n.Omission) for r in results), results
    assert all(r.reason == n.why_not(bad, lang) for r in results)


def test_a_peer_figure_the_rules_forbid_or_of_another_year_is_not_compared():
    m = n.Measure("P0", "%", 2)
    mine = fig(Decimal("9.58"), 2023)
    said = n.comparison(
        m,
        mine,
        [
            ("Sumatera Selatan", fig(Decimal("11.78"), 2023, reliable=False)),
            ("Indonesia", fig(Decimal("9.36"), 2024)),
        ],
        "id",
    )
    assert isinstance(said, n.Omission)


@given(st.floats(min_value=0.01, max_value=2), LANG)
def test_a_change_within_its_confidence_interval_is_not_called_a_change(se, lang):
    before = fig(Decimal("10.00"), 2022, se=se)
    after = fig(Decimal("10.00") - Decimal(str(round(se, 4))), 2023, se=se)  # 1 SE apart
    said = n.change(n.Measure("P0", "%", 2), before, after, lang)
    assert isinstance(said, n.Sentence)
    if n.written_change(before.value, after.value, 2) != 0:
        phrase = "tidak berubah secara bermakna" if lang == "id" else "did not change significantly"
        assert phrase in said.text
        assert not set(DIRECTION_WORDS[lang][:2]) & set(re.findall(r"[a-z]+", said.text))


def test_a_change_outside_its_interval_keeps_its_direction():
    before = fig(Decimal("12.00"), 2022, ci_low=11.5, ci_high=12.5)
    after = fig(Decimal("9.58"), 2023, ci_low=9.1, ci_high=10.0)
    said = n.change(n.Measure("P0", "%", 2), before, after, "id")
    assert isinstance(said, n.Sentence) and " turun dari 12,00 persen" in said.text


@pytest.mark.parametrize(
    ("status", "id_words", "en_words"),
    [
        ("achieved", "tercapai:", "is met"),
        ("not_achieved", "belum tercapai", "is not met"),
        ("on_track", "diperkirakan tercapai", "on track"),
        ("at_risk", "berisiko tidak tercapai", "at risk"),
        ("off_track", "diperkirakan tidak tercapai", "off track"),
    ],
)
def test_the_target_sentence_says_the_verdict_the_rules_gave(status, id_words, en_words):
    m = n.Measure("Pertumbuhan ekonomi", "%", 2)
    check = n.TargetCheck(
        status,
        8,
        2029,
        "RPJMN 2025-2029",
        "RPJMN",
        projection=7.89,
        projection_low=3.5,
        projection_high=12.28,
    )
    figure = fig(Decimal("5.14"), 2024, source="Berita 31 Juli 2025")
    said_id, said_en = n.target(m, figure, check, "id"), n.target(m, figure, check, "en")
    assert isinstance(said_id, n.Sentence) and isinstance(said_en, n.Sentence)
    assert id_words in said_id.text and en_words in said_en.text
    assert "8,00 persen" in said_id.text and "5,14 persen (2024)" in said_id.text
    assert said_id.sources == ("Berita 31 Juli 2025", "RPJMN")
    if status == "not_achieved":
        assert "selisih 2,86 poin persen" in said_id.text


def test_a_status_the_rules_could_not_judge_gives_no_target_sentence():
    m = n.Measure("Jumlah pengangguran", "persons", 0)
    check = n.TargetCheck("no_baseline", -50, 2022, "aspirasi", "Berita 2019")
    assert isinstance(n.target(m, fig(Decimal(22000), 2017), check, "id"), n.Omission)


def test_every_sentence_cites_the_sources_of_its_figures():
    m = n.Measure("Rasio gini", "ratio", 3)
    said = n.change(
        m, fig(Decimal("0.340"), 2018, source="A"), fig(Decimal("0.265"), 2023, source="B"), "id"
    )
    assert isinstance(said, n.Sentence) and said.sources == ("A", "B")
    said = n.change(
        m, fig(Decimal("0.340"), 2018, source="A"), fig(Decimal("0.265"), 2023, source="A"), "id"
    )
    assert isinstance(said, n.Sentence) and said.sources == ("A",)
