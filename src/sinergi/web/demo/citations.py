"""The news articles the demo's real figures come from, cited as a reader cites them.

Each figure of ``data/seed_figures.csv`` names its article by the citation
text in its ``source`` column: title as published (Indonesian, never
translated), outlet, place and date. The stored text is the Indonesian
citation; the English one is in the ``en`` message catalogue, so a page that
translates the stored source (``{% translate value.source %}``, or
``gettext(value.source)``) shows it in the reader's language, and any source a
user typed stays as typed. ``tests/web/demo/test_citations.py`` checks the
catalogue against :data:`CITATIONS`.

Where the copy of an article names no outlet, the citation says "online
news" rather than guess one; article 002's copy has no headline, so it is
described. The article texts themselves are not part of the repository
(see ``data/README.md``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import translation

from sinergi.web.core.formatting import long_date


@dataclass(frozen=True)
class Citation:
    """One article: what a reader needs to find it."""

    key: str  # the article's id in the seed collection it was taken from
    title: str  # headline as published; empty when the copy has none
    description: dict[str, str]  # {lang: words} for an untitled article
    outlet: dict[str, str]  # {lang: outlet}, or a description when unnamed
    place: str  # dateline
    date: dt.date  # date of the event reported (the article's own dateline)

    def text(self, language: str = "id") -> str:
        """The citation in ``language`` ("id" or "en")."""
        with translation.override(language):
            day = long_date(self.date)
        head = f"“{self.title}”" if self.title else self.description[language]
        return f"{head}, {self.outlet[language]}, {self.place}, {day}"


ONLINE_NEWS = {"id": "berita daring", "en": "online news"}

CITATIONS: dict[str, Citation] = {
    c.key: c
    for c in (
        Citation(
            key="000_7409e4fdadb58a26",
            title=(
                "Sinergikan Program Pemkab Banyuasin Dengan Pemerintahan Pusat Untuk Dukung "
                "Target Nasional"
            ),
            description={},
            outlet=ONLINE_NEWS,
            place="Palembang",
            date=dt.date(2025, 7, 31),
        ),
        Citation(
            key="001_0cd5460b614fe378",
            title="Wujudkan Banyuasin Prima, Kepala OPD Diharapkan Selalu Berinovasi",
            description={},
            outlet={"id": "berita daring SP", "en": "SP online news"},
            place="Banyuasin",
            date=dt.date(2019, 10, 17),
        ),
        Citation(
            key="002_1625b9ee7aaa4cda",
            title="",
            description={
                "id": "Berita Rapat Paripurna Istimewa HUT ke-22 Kabupaten Banyuasin "
                "(pidato Pj. Bupati)",
                "en": "Report of the DPRD plenary session on Banyuasin's 22nd anniversary "
                "(the acting Regent's speech)",
            },
            outlet=ONLINE_NEWS,
            place="Pangkalan Balai",
            date=dt.date(2024, 4, 22),
        ),
    )
}


# The notes of data/seed_figures.csv: stored in Indonesian as the articles say it, the
# English in the ``en`` message catalogue, like the citations (pages show a value's note
# through sinergi.web.core.stored_text.shown, which translates it).
NOTES: dict[str, str] = {
    "sekitar 22.000 jiwa (angka bulat dalam berita)": (
        "about 22,000 persons (a round figure in the article)"
    ),
    "tahun disimpulkan dari berita (bertanggal 31 Juli 2025: turun empat tahun terakhir)": (
        "year implied by the article (dated 31 July 2025: falling over the last four years)"
    ),
    "angka sebelumnya; berita tidak menyebut tahunnya": (
        "earlier figure; the article does not give its year"
    ),
    "angka terakhir per 31 Juli 2025; berita tidak menyebut tahunnya": (
        "latest figure as of 31 July 2025; the article does not give its year"
    ),
    "predikat BB": "grade BB",
    "predikat CC": "grade CC",
    "skor Monitoring Center for Prevention (MCP) KPK": (
        "KPK Monitoring Centre for Prevention (MCP) score"
    ),
    "satu kali job fair (program Banyuasin Prima; Disnakertrans)": (
        "one job fair (Banyuasin Prima programme; Disnakertrans)"
    ),
    "pelanggaran perda ketertiban umum dibanding triwulan sebelumnya (Satpol PP)": (
        "public order bylaw violations compared with the previous quarter (Satpol PP)"
    ),
    "sekitar 250 perusahaan, termasuk perusahaan nasional": (
        "about 250 companies, national ones included"
    ),
    "target pertumbuhan nasional yang harus didukung program daerah (Asta Cita)": (
        "national growth target that regional programmes must support (Asta Cita)"
    ),
    "harapan: satu digit": "hope: single digit",
    "menurunkan jumlah pengangguran lebih dari 50% dalam sekitar 3 tahun sejak 2019": (
        "reduce the number of unemployed by more than 50% in about 3 years from 2019"
    ),
    "job fair dua kali setahun mulai 2020 (sekitar 2.000 lowongan setahun)": (
        "job fairs twice a year from 2020 (about 2,000 vacancies a year)"
    ),
}


def cite(key: str) -> str:
    """The stored (Indonesian) citation of article ``key``."""
    return CITATIONS[key].text("id")
