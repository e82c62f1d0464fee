"""The DOCX (read back with python-docx) and the PDF (read back with pdftotext) say the same
thing, and what they say is the database's figures of the seed articles."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal

import pytest
from django.utils import translation

from sinergi.web.briefings import services
from sinergi.web.core.formatting import number
from sinergi.web.indicators import services as indicator_services
from sinergi.web.indicators.models import Indicator, IndicatorValue
from sinergi.web.programs import services as monev_services
from sinergi.web.regions.models import Region

pytestmark = pytest.mark.django_db


def docx_text(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return " ".join(" ".join(parts).split())


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "briefing.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def both(region, kind, year, tmp_path, **kw) -> tuple[str, str, services.Document]:
    d = services.render(region, kind, year, "docx", **kw)
    p = services.render(region, kind, year, "pdf", **kw)
    assert d.content.startswith(b"PK") and p.content.startswith(b"%PDF-")
    return docx_text(d.content), pdf_text(p.content, tmp_path), d.document


def squash(text: str) -> str:
    return " ".join(text.split())


def stored(code: str, year: int | None) -> IndicatorValue:
    return IndicatorValue.objects.get(indicator__code=code, region_id="16.07", year=year)


def test_achievements_state_the_seed_figures_in_both_files(seeded, banyuasin, tmp_path):
    docx, pdf, document = both(banyuasin, "achievements", 2023, tmp_path)
    with translation.override("id"):
        for code, earlier in [
            ("poverty_rate", 2022),
            ("extreme_poverty_rate", 2022),
            ("open_unemployment_rate", 2022),
            ("gini_ratio", 2018),
            ("bureaucracy_reform_index", 2022),
            ("kpk_mcp_score", 2022),
        ]:
            ind = Indicator.objects.get(code=code)
            before, after = stored(code, earlier), stored(code, 2023)
            unit = " persen" if ind.unit == "%" else ""
            was = number(before.value, ind.decimals) + unit
            now = number(after.value, ind.decimals) + unit
            for text in (docx, pdf):
                assert f"dari {was} ({earlier}" in text, (code, was)
                assert f"menjadi {now} (2023" in text, (code, now)
    # The speech's figures, as the issue lists them.
    for phrase in (
        "turun dari 10,00 persen (2022) menjadi 9,58 persen (2023), atau 0,42 poin persen",
        "turun dari 3,07 persen (2022) menjadi 0,56 persen (2023), atau 2,51 poin persen",
        "Rasio gini turun dari 0,340 (2018) menjadi 0,265 (2023), atau 0,075 poin",
        "naik dari 57,19 (2022, predikat CC) menjadi 70,23 (2023, predikat BB), atau 13,04 poin",
        "Nilai MCP KPK naik dari 66,29 (2022) menjadi 76,85 (2023)",
    ):
        assert phrase in docx and phrase in pdf
    # Every paragraph of the model is in both files, with its source mark.
    for section in document.sections:
        for block in section.blocks:
            if hasattr(block, "style"):
                line = squash(block.text + document.mark(block.sources))
                assert line in docx and line in pdf
    # Every source is cited, the speech among them, without its file name.
    speech = "Berita Rapat Paripurna Istimewa HUT ke-22 Kabupaten Banyuasin (pidato Pj. Bupati)"
    assert speech in docx and speech in pdf
    assert ".txt]" not in docx and ".txt]" not in pdf
    for i, source in enumerate(document.citations(), start=1):
        assert squash(f"[{i}] {source}") in docx and squash(f"[{i}] {source}") in pdf
    # Stunting has figures without a year: listed as left out, never in a sentence.
    assert "Prevalensi stunting balita: angka tanpa tahun" in docx
    assert "Prevalensi stunting balita: angka tanpa tahun" in pdf
    assert "stunting balita turun" not in docx


def test_english_writes_points_and_percentage_points(seeded, banyuasin, tmp_path):
    docx, pdf, _doc = both(banyuasin, "achievements", 2023, tmp_path, language="en")
    phrase = "Poverty rate (P0) fell from 10.00 percent (2022) to 9.58 percent (2023), down 0.42 percentage points"
    assert phrase in docx and phrase in pdf
    assert "Gini ratio fell from 0.340 (2018) to 0.265 (2023), down 0.075 points" in pdf


def test_an_unreliable_estimate_is_left_out_and_a_peer_figure_is_compared(
    seeded, banyuasin, tmp_path
):
    gap = Indicator.objects.get(code="poverty_gap")
    for year, value, flag in [(2022, "1.90", "publish"), (2023, "1.50", "unreliable")]:
        indicator_services.record_value(
            indicator=gap,
            region=banyuasin,
            period=str(year),
            value=value,
            source="Uji: perkiraan survei",
            quality_flag=flag,
            rse=60.0 if flag != "publish" else 10.0,
        )
    indicator_services.record_value(  # a test figure for the province, same year
        indicator=Indicator.objects.get(code="poverty_rate"),
        region=Region.objects.get(code="16"),
        period="2023",
        value="11.78",
        source="Uji: angka provinsi",
    )
    docx, pdf, document = both(banyuasin, "achievements", 2023, tmp_path)
    for text in (docx, pdf):
        assert "Indeks kedalaman kemiskinan (P1): perkiraan tidak andal" in text
        assert "1,50" not in text  # neither in a sentence nor in the table
        assert "Pada 2023 angka ini lebih rendah daripada" in text and "(11,78 persen)" in text
    assert "Uji: angka provinsi" in document.citations()


def test_rakor_states_targets_status_and_projection_from_the_indicator_rules(
    seeded, banyuasin, tmp_path
):
    docx, pdf, _doc = both(banyuasin, "rakor", 2025, tmp_path)
    growth = next(
        r
        for r in indicator_services.achievement_rows(banyuasin, 2025)
        if r["indicator"] == "economic_growth"
    )
    assert growth["status"] == "at_risk"
    with translation.override("id"):
        projection = number(growth["projection"], 2)
        low, high = number(growth["projection_low"], 2), number(growth["projection_high"], 2)
    for text in (docx, pdf):
        assert (
            "Target RPJMN 2025-2029 (Asta Cita) untuk 2029 sebesar 8,00 persen berisiko tidak tercapai"
            in text
        )
        assert f"proyeksi tren 2029 {projection} persen" in text
        assert f"{low}–{high}" in text or f"{low}-{high}" in text
        assert "Pertumbuhan ekonomi (Berisiko)" in text
        assert "Prevalensi stunting balita: angka tanpa tahun" in text


def test_monev_summary_states_the_quarter_totals_and_late_activities(prima, banyuasin, tmp_path):
    docx, pdf, document = both(banyuasin, "monev", 2019, tmp_path, quarter=3)
    report = monev_services.monev_data(banyuasin, 2019, 3)
    with translation.override("id"):
        fin = number(report.totals.financial_pct, 1)
        phys = number(report.totals.physical_pct, 1)
        budget = number(report.totals.public_budget, 0)
        reasons = [w.message for row in report.late for w in row.warnings]
    assert report.late
    for text in (docx, pdf):
        assert f"Realisasi keuangan {fin} persen dari pagu" in text
        assert f"realisasi fisik {phys} persen" in text
        assert f"Rp {budget}" in text
        assert f"{len(report.late)} dari {report.totals.activities} kegiatan" in text
        assert "DATA ILUSTRASI" in text
        for row in report.late:
            assert row.activity.code in text
            if row.realisation and row.realisation.problems:
                # A PDF table cell wraps, and pdftotext interleaves the columns' lines:
                # the whole text is checked in the DOCX, its opening words in the PDF.
                problems = squash(row.realisation.problems)
                assert (problems if text is docx else " ".join(problems.split()[:2])) in text
    for reason in reasons:
        assert squash(reason) in docx
    assert document.citations()[0].startswith("Monev Sinergi: realisasi")


def test_a_quarter_is_required_for_monev_and_the_format_must_be_known(banyuasin):
    with pytest.raises(services.BriefingError, match="quarter"):
        services.render(banyuasin, "monev", 2019, "pdf")
    with pytest.raises(services.BriefingError, match="format"):
        services.render(banyuasin, "achievements", 2023, "odt")
    with pytest.raises(services.BriefingError, match="unknown briefing kind"):
        services.build(banyuasin, "nonsense", 2023)


def test_the_chart_is_one_png_shared_by_both_files(seeded, banyuasin):
    import docx

    d = services.render(banyuasin, "achievements", 2023, "docx")
    charts = [b for s in d.document.sections for b in s.blocks if hasattr(b, "png")]
    assert len(charts) == 1 and charts[0].png.startswith(b"\x89PNG")
    images = [
        part.blob
        for part in docx.Document(io.BytesIO(d.content)).part.package.parts
        if part.content_type == "image/png"
    ]
    assert images == [charts[0].png]
    assert re.search(r"10,00 → 9,58", charts[0].alt)
    assert Decimal("9.58") == stored("poverty_rate", 2023).value
