"""The follow-up matrix XLSX: a round trip changes nothing; bad rows and stale copies are refused
whole, with row, column and reason."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.utils import translation
from openpyxl import load_workbook

from sinergi.web.meetings import matrix, services
from sinergi.web.meetings.models import ActionItem
from sinergi.web.meetings.policy import MeetingPolicy

pytestmark = pytest.mark.django_db


def cells(content: bytes) -> list[list[object]]:
    ws = load_workbook(io.BytesIO(content))[matrix.SHEET]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def edited(content: bytes, changes: dict[tuple[int, int], object]) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[matrix.SHEET]
    for (row, col), value in changes.items():
        ws.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def state(meeting) -> list[tuple]:  # type: ignore[no-untyped-def]
    return list(
        ActionItem.objects.filter(recommendation__meeting=meeting)
        .order_by("pk")
        .values_list(
            "title", "owner_id", "due_date", "status", "progress", "weight", "notes", "version"
        )
    )


@pytest.mark.parametrize("language", ["id", "en"])
def test_round_trip_changes_nothing(meeting, users, language) -> None:  # type: ignore[no-untyped-def]
    with translation.override(language):
        content = matrix.export(meeting)
        before = state(meeting)
        result = matrix.import_matrix(meeting, content, users.bappeda)
        assert result.ok, [str(e) for e in result.errors]
        assert (result.rows, result.changed, result.unchanged) == (4, 0, 4)
        assert state(meeting) == before
        assert cells(matrix.export(meeting)) == cells(content)


def test_an_edited_row_is_written_and_its_version_bumped(meeting, users) -> None:  # type: ignore[no-untyped-def]
    with translation.override("id"):
        content = matrix.export(meeting)
        rows = cells(content)
        line = next(i for i, r in enumerate(rows, start=1) if r[5] == "Lelang dini")
        result = matrix.import_matrix(
            meeting,
            edited(content, {(line, 10): "75,5", (line, 12): "tinggal 1 paket"}),
            users.bappeda,
        )
    assert result.ok and result.changed == 1
    item = ActionItem.objects.get(title="Lelang dini")
    assert (item.progress, item.notes, item.version) == (D("75.50"), "tinggal 1 paket", 2)


def test_bad_rows_are_all_reported_and_nothing_is_written(meeting, users) -> None:  # type: ignore[no-untyped-def]
    before = state(meeting)
    with translation.override("id"):
        content = matrix.export(meeting)
        bad = edited(
            content,
            {
                (2, 10): "150",
                (3, 9): "Hampir",
                (4, 7): "Dinas Entah",
                (5, 8): "besok",
                (3, 10): "20",
            },
        )
        result = matrix.import_matrix(meeting, bad, users.bappeda)
        messages = [str(e) for e in result.errors]
    assert not result.ok
    assert "Baris 2, kolom Kemajuan (%): harus angka 0 sampai 100" in messages
    assert "Baris 3, kolom Status: status 'Hampir' tidak dikenal" in messages
    assert "Baris 4, kolom Penanggung jawab: instansi 'Dinas Entah' tidak dikenal" in messages
    assert any(m.startswith("Baris 5, kolom Tenggat: bukan tanggal") for m in messages)
    assert state(meeting) == before


def test_a_stale_row_is_refused_with_a_clear_message(meeting, users) -> None:  # type: ignore[no-untyped-def]
    with translation.override("id"):
        content = matrix.export(meeting)
        item = ActionItem.objects.get(title="Lelang dini")
        services.update_action(item, users.bappeda, expected_version=item.version, progress=D(60))
        rows = cells(content)
        line = next(i for i, r in enumerate(rows, start=1) if r[5] == "Lelang dini")
        other = next(i for i, r in enumerate(rows, start=1) if r[5] == "Laporan serapan")
        result = matrix.import_matrix(
            meeting, edited(content, {(line, 10): 90, (other, 12): "catatan"}), users.bappeda
        )
        messages = [str(e) for e in result.errors]
    assert messages == [
        f"Baris {line}, kolom Versi: aksi ini sudah diubah di Sinergi sejak berkas diunduh "
        "(versi berkas 1, versi tersimpan 2): unduh ulang matriksnya lalu ulangi perubahan Anda"
    ]
    assert ActionItem.objects.get(title="Lelang dini").progress == D(60)
    assert ActionItem.objects.get(title="Laporan serapan").notes == ""  # atomic: nothing written


def test_not_a_workbook_is_refused(meeting, users) -> None:  # type: ignore[no-untyped-def]
    with (
        translation.override("id"),
        pytest.raises(matrix.ImportRefused, match="bukan buku kerja Excel"),
    ):
        matrix.import_matrix(meeting, b"ID;Versi\n1;1\n", users.bappeda)


def test_an_opd_user_changes_only_progress_of_its_own_actions(meeting, users, orgs) -> None:  # type: ignore[no-untyped-def]
    policy = MeetingPolicy.for_user(users.naker)
    with translation.override("id"):
        content = matrix.export(meeting)
        rows = cells(content)
        own = next(i for i, r in enumerate(rows, start=1) if r[5] == "Lelang dini")
        other = next(i for i, r in enumerate(rows, start=1) if r[5] == "Surat ke Kemenko")
        refused = matrix.import_for(
            meeting, edited(content, {(own, 7): orgs.dinsos.name}), users.naker, policy
        )
        assert [str(e) for e in refused.errors] == [
            f"Baris {own}, kolom Penanggung jawab: hanya penyelenggara rapat yang boleh mengubah kolom ini"
        ]
        foreign = matrix.import_for(
            meeting,
            edited(content, {(other, 10): 10, (other, 9): "Dalam proses"}),
            users.naker,
            policy,
        )
        assert [str(e) for e in foreign.errors] == [
            f"Baris {other}, kolom Penanggung jawab: aksi ini milik instansi lain"
        ]
        ok = matrix.import_for(meeting, edited(content, {(own, 10): 80}), users.naker, policy)
    assert ok.ok and ok.changed == 1
    assert ActionItem.objects.get(title="Lelang dini").progress == D(80)
