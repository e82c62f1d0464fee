"""Text stored on values reads in the reader's language through one function,
sinergi.web.core.stored_text.shown, on indicator pages and history pages alike."""

from __future__ import annotations

import pytest
from django.utils import translation

from sinergi.web.core.stored_text import SYSTEM_TEXTS, SystemText, citation, shown

PARAMS = {"region": "16.07.05", "n": "20", "total": "21", "comment": "cek ulang", "name": "Gizi"}


@pytest.mark.parametrize("system", SYSTEM_TEXTS, ids=lambda s: s.stored)
def test_every_system_text_round_trips_into_indonesian(system: SystemText) -> None:
    params = {k: v for k, v in PARAMS.items() if f"%({k})s" in system.stored}
    stored = system.compose(**params)
    with translation.override("id"):
        indonesian = shown(stored, {"16.07.05": "Betung"})
    with translation.override("en"):
        english = shown(stored, {"16.07.05": "Betung"})
    assert indonesian != english, stored  # translated, not shown as stored
    assert "%(" not in indonesian and "16.07.05" not in indonesian
    for key, value in params.items():
        expected = "Betung" if key == "region" else value
        assert expected in indonesian


def test_a_person_s_note_is_shown_as_typed_and_empty_stays_empty() -> None:
    with translation.override("id"):
        assert shown("angka dari rapat koordinasi") == "angka dari rapat koordinasi"
        assert shown("") == "" and shown(None) == ""
        assert citation("Rapat [002_1625b9ee7aaa4cda.txt]") == "Rapat"


def test_the_sum_note_in_indonesian() -> None:
    with translation.override("id"):
        assert shown("sum of 20 of 21 reporting regions (approved)") == (
            "jumlah 20 dari 21 wilayah pelapor (laporan yang disetujui)"
        )
