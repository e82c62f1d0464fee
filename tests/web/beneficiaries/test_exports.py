"""Field-verification lists and the convergence table as XLSX: scoped, masked, and the
same figures as the page. Real release files, real workbooks read back with openpyxl."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.urls import reverse

from sinergi.rounding import rounded
from sinergi.web.beneficiaries import exports
from tests.web.beneficiaries import _fixtures_convergence as fx

data_dir = fx.data_dir
users = fx.users
release = fx.release

SIXTEEN_DIGITS = re.compile(r"\d{16}")


def download(client, user, name: str, release, status: int = 200, **query: Any):  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(reverse(name, args=[release.slug]), query)
    assert response.status_code == status, response.content[:300]
    return response


def workbook(response) -> tuple[list[str], list[list[Any]], list[Any]]:  # type: ignore[no-untyped-def]
    """(header, data rows, every cell) of the downloaded sheet."""
    import openpyxl

    assert response["Content-Type"] == exports.XLSX_MIME
    assert "no-store" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] in ("No.", "Program", "Programme"))
    cells = [c for r in rows for c in r if c is not None]
    return [str(c) for c in rows[start]], [r for r in rows[start + 1 :] if any(r)], cells


def no_clear_number(cells: list[Any]) -> None:
    clear = {h.kk for h in fx.households()}
    for cell in cells:
        text = str(cell)
        assert not SIXTEEN_DIGITS.search(text), f"a 16-digit number in the export: {text}"
        assert text not in clear


def column(header: list[str], rows: list[list[Any]], name: str) -> list[Any]:
    return [r[header.index(name)] for r in rows]


def test_unreached_eligible_of_a_kecamatan(client, users, release) -> None:  # type: ignore[no-untyped-def]
    response = download(
        client, users["bappeda"], "convergence-export-unreached", release, wilayah=fx.BETUNG
    )
    assert "belum-terjangkau" in response["Content-Disposition"]
    header, rows, cells = workbook(response)
    assert "Nomor KK (disamarkan)" in header and "Kepala keluarga" in header
    ids = set(column(header, rows, "ID rumah tangga (registri)"))
    # Decile 4 in Betung's second desa: on no list (PKH takes decile <= 3 there).
    assert ids == fx.unreached(fx.BETUNG) == {"H14", "H24"}
    deciles = column(header, rows, "Desil")
    assert all(d <= 4 for d in deciles)
    heads = column(header, rows, "Kepala keluarga")
    assert all(h.startswith("Kepala Keluarga ") for h in heads)
    masked = column(header, rows, "Nomor KK (disamarkan)")
    assert all("*" in m for m in masked)
    no_clear_number(cells)
    assert any("Data sintetis" in str(c) for c in cells)


def test_unreached_with_a_chosen_k_and_for_one_programme(client, users, release) -> None:  # type: ignore[no-untyped-def]
    header, rows, _cells = workbook(
        download(
            client, users["dinsos"], "convergence-export-unreached", release, wilayah=fx.DESA_A, k=6
        )
    )
    assert set(column(header, rows, "ID rumah tangga (registri)")) == fx.unreached(fx.DESA_A, k=6)
    header, rows, _cells = workbook(
        download(
            client,
            users["bappeda"],
            "convergence-export-unreached",
            release,
            wilayah=fx.BETUNG,
            program="bpnt",
        )
    )
    want = {
        h.id
        for h in fx.households()
        if fx.in_area(h, fx.BETUNG) and h.decile <= 4 and h.id not in fx.placed("bpnt")
    }
    assert set(column(header, rows, "ID rumah tangga (registri)")) == want
    # The last column names the other programmes they receive (PKH for most).
    received = dict(zip(column(header, rows, "ID rumah tangga (registri)"), rows, strict=True))
    assert received["H13"][-1] == "Program Keluarga Harapan"


def test_well_off_households_on_several_lists(client, users, release) -> None:  # type: ignore[no-untyped-def]
    header, rows, cells = workbook(
        download(client, users["betung"], "convergence-export-well-off", release, wilayah=fx.BETUNG)
    )
    assert (
        set(column(header, rows, "ID rumah tangga (registri)")) == fx.well_off(fx.BETUNG) == {"H08"}
    )
    assert column(header, rows, "Jumlah program") == [2]
    assert column(header, rows, "Program yang diterima") == [
        "Bantuan Pangan Non-Tunai, Program Keluarga Harapan"
    ]
    no_clear_number(cells)


def test_kecamatan_operator_gets_only_its_kecamatan(client, users, release) -> None:  # type: ignore[no-untyped-def]
    download(client, users["betung"], "convergence-export-unreached", release, wilayah=fx.DESA_B)
    download(
        client, users["betung"], "convergence-export-unreached", release, 403, wilayah=fx.RAMBUTAN
    )
    download(
        client, users["betung"], "convergence-export-well-off", release, 403, wilayah=fx.DESA_C
    )


@pytest.mark.parametrize("role", ["executive", "opd"])
def test_aggregate_only_roles_get_403(client, users, release, role: str) -> None:  # type: ignore[no-untyped-def]
    for name in ("convergence-export-unreached", "convergence-export-well-off"):
        download(client, users[role], name, release, 403, wilayah=fx.BETUNG)


def test_public_is_sent_to_login_and_a_regency_is_refused(client, users, release) -> None:  # type: ignore[no-untyped-def]
    url = reverse("convergence-export-unreached", args=[release.slug])
    response = client.get(url, {"wilayah": fx.BETUNG})
    assert response.status_code == 302 and "/akun/login/" in response["Location"]
    # A whole regency is not a field list: a desa or a kecamatan.
    download(
        client, users["bappeda"], "convergence-export-unreached", release, 404, wilayah="16.07"
    )
    download(client, users["bappeda"], "convergence-export-unreached", release, 404, wilayah="x")


@pytest.mark.parametrize("role", ["bappeda", "executive"])
def test_convergence_table_equals_the_page(client, users, release, role: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(users[role])
    page = client.get(reverse("convergence-area", args=[release.slug, fx.BETUNG]))
    table = page.context["table"]
    response = client.get(reverse("convergence-export-table-area", args=[release.slug, fx.BETUNG]))
    assert response.status_code == 200
    header, rows, cells = workbook(response)
    assert header[0] == "Program" and "Kesalahan eksklusi (%)" in header
    assert [r[0] for r in rows] == [r["name"] for r in table]
    for row, shown in zip(rows, table, strict=True):
        m = shown["m"]
        pairs = {
            "Rumah tangga layak": (m.eligible_households, 0),
            "Rumah tangga penerima": (m.beneficiary_households, 0),
            "Kesalahan inklusi (%)": (m.inclusion_error, 1),
            "Kesalahan eksklusi (%)": (m.exclusion_error, 1),
            "Cakupan (%)": (m.coverage, 1),
            "Indikator CGH": (m.cgh, 2),
        }
        for name, (value, decimals) in pairs.items():
            cell = row[header.index(name)]
            if value is None:
                assert cell == "–", (name, cell)
            else:
                assert cell == pytest.approx(float(rounded(value, decimals))), name
        # And the page prints the same rounded percentage.
        if m.exclusion_error is not None:
            text = f"{rounded(m.exclusion_error, 1)}".replace(".", ",") + "%"
            assert text in page.content.decode()
    if role == "executive":
        assert any("disembunyikan" in str(c) for c in cells)
