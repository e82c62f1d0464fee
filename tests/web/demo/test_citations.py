"""The demo's sources read as citations (title, outlet, place, date) in both languages."""

import csv

from django.utils import translation
from django.utils.translation import gettext

from sinergi.web.demo.citations import CITATIONS
from sinergi.web.demo.services import SEED_FIGURES
from sinergi.web.indicators.demo_survey import SOURCE as SYNTHETIC_SOURCE
from sinergi.web.programs.demo import SEED as MONEV_SOURCE


def test_every_seed_figure_cites_a_known_article():
    with SEED_FIGURES.open(encoding="utf-8") as handle:
        sources = {row["source"] for row in csv.DictReader(handle)}
    assert sources == {c.text("id") for c in CITATIONS.values()}
    assert not any(".txt" in s or "seed" in s.lower() or "[" in s for s in sources)
    assert MONEV_SOURCE in sources


def test_a_stored_citation_translates_both_ways():
    for citation in CITATIONS.values():
        stored = citation.text("id")
        with translation.override("en"):
            assert gettext(stored) == citation.text("en")
        with translation.override("id"):
            assert gettext(stored) == stored
    monev = CITATIONS["001_0cd5460b614fe378"]
    assert monev.text("id").endswith("Banyuasin, 17 Oktober 2019")
    assert monev.text("en").endswith("Banyuasin, 17 October 2019")
    untitled = CITATIONS["002_1625b9ee7aaa4cda"]
    assert untitled.text("en").startswith("Report of the DPRD plenary session")


def test_the_synthetic_source_says_so_in_both_languages():
    with translation.override("en"):
        english = gettext(SYNTHETIC_SOURCE)
    assert "bukan data BPS" in SYNTHETIC_SOURCE and "not BPS data" in english
    assert "sinergi.stats" not in SYNTHETIC_SOURCE  # no code names for readers


def test_every_seed_note_is_indonesian_with_english_in_the_catalogue():
    from sinergi.web.core.stored_text import shown
    from sinergi.web.demo.citations import NOTES

    with SEED_FIGURES.open(encoding="utf-8") as handle:
        notes = {row["note"] for row in csv.DictReader(handle)} - {""}
    assert notes == set(NOTES)
    for stored, english in NOTES.items():
        with translation.override("en"):
            assert shown(stored) == english
        with translation.override("id"):
            assert shown(stored) == stored
    # No English left in the stored (Indonesian) notes.
    for word in ("the article", "figure", "about ", "grade", "reduce"):
        assert not any(word in n for n in notes), word


def test_a_seed_note_reads_in_the_readers_language_on_the_indicator_page(client, db, settings):
    from sinergi.web.demo.services import seed_rows
    from sinergi.web.indicators.importer import import_rows

    import_rows(seed_rows())
    url = "/wilayah/16.07/indikator/stunting_prevalence/"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    assert "angka sebelumnya; berita tidak menyebut tahunnya" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "earlier figure; the article does not give its year" in english
    assert "angka sebelumnya" not in english
