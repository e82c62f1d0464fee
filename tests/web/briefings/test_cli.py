"""``sinergi briefing`` end to end: the command writes the file the generator makes."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from sinergi.cli import main

pytestmark = pytest.mark.django_db


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["briefing", *args])


def test_writes_a_docx_and_a_pdf(seeded, tmp_path):
    import docx

    out = tmp_path / "capaian.docx"
    result = run(
        "--region",
        "16.07",
        "--year",
        "2023",
        "--kind",
        "achievements",
        "--format",
        "docx",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert f"{out}: achievements of Kabupaten Banyuasin 2023" in result.output
    text = " ".join(p.text for p in docx.Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert "turun dari 10,00 persen (2022) menjadi 9,58 persen (2023)" in text

    out = tmp_path / "rakor.pdf"
    result = run(
        "--region",
        "16.07",
        "--year",
        "2025",
        "--kind",
        "rakor",
        "--format",
        "pdf",
        "--language",
        "en",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_monev_needs_a_quarter_and_an_unknown_region_is_refused(prima, tmp_path):
    out = tmp_path / "monev.pdf"
    result = run("--region", "16.07", "--year", "2019", "--kind", "monev", "--out", str(out))
    assert result.exit_code != 0
    assert "--quarter: the monev briefing needs a quarter from 1 to 4" in result.output
    assert not out.exists()
    result = run(
        "--region",
        "16.07",
        "--year",
        "2019",
        "--kind",
        "monev",
        "--quarter",
        "3",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    result = run("--region", "99.99", "--year", "2019", "--kind", "rakor")
    assert result.exit_code != 0 and "unknown region code '99.99'" in result.output
    result = run("--region", "16.07", "--year", "2019", "--kind", "nonsense")
    assert result.exit_code != 0 and "nonsense" in result.output
