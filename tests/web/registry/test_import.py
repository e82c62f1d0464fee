"""Importing a release: the service and `sinergi registry import` (SQLite)."""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from sinergi.cli import main
from sinergi.web.audit.models import AuditEntry
from sinergi.web.registry import services
from sinergi.web.registry.models import ImportReport, Release
from tests.targeting import release_inputs as ri

pytestmark = pytest.mark.django_db


def run(h, m, *, name="DTSEN 2025-Q2", user=None, **kw):
    return services.import_release(
        h, m, name=name, reference_date=date(2025, 6, 30), region_code="16.07", user=user, **kw
    )


def test_import_stores_release_report_and_audit(registry_dir, inputs, make_user):
    user = make_user("bappeda", role="bappeda_admin")
    release, report = run(*inputs(), user=user)
    assert release is not None and release.status == "ready" and report.ok
    assert (release.households, release.members) == (4, 12)
    assert report.release == release and report.counts["valid_members"] == 12
    folder = services.release_dir(release)
    assert folder == registry_dir / "dtsen-2025-q2"
    assert pq.read_table(folder / "households.parquet").num_rows == 4
    assert set(release.sha256s) == {"households.parquet", "members.parquet"}
    assert AuditEntry.objects.filter(
        object_id=str(release.pk), action="create", actor=user
    ).exists()


def _nothing_written(registry_dir):
    assert not Release.objects.exists()
    assert not registry_dir.exists() or list(registry_dir.iterdir()) == []


@pytest.mark.parametrize(
    "case", ["empty", "wrong_headers", "bad_rows", "garbage_xlsx", "too_large"]
)
def test_each_bad_file_writes_nothing(registry_dir, inputs, settings, case, real_desa):
    hh = ri.households(4, desa=real_desa)
    mm = ri.members(hh)
    if case == "bad_rows":
        mm[2]["nik"] = "1607"
    h, m = inputs(hh, mm)
    if case == "empty":
        h.write_text("")
    elif case == "wrong_headers":
        h.write_text(h.read_text().replace("floor_area_m2", "luas"))
    elif case == "garbage_xlsx":
        h = h.with_suffix(".xlsx")
        h.write_bytes(b"PK\x03\x04 not really a zip" * 50)
    elif case == "too_large":
        settings.SINERGI_REGISTRY_MAX_UPLOAD_MB = 0
    release, report = run(h, m)
    assert release is None and not report.ok and report.errors
    expected = {
        "empty": "empty_file",
        "wrong_headers": "missing_column",
        "bad_rows": "nik_invalid",
        "garbage_xlsx": "unreadable_file",
        "too_large": "file_too_large",
    }[case]
    assert expected in {e["reason"] for e in report.errors}
    assert ImportReport.objects.filter(pk=report.pk, release=None).exists()
    _nothing_written(registry_dir)


def test_valid_only_and_dry_run(registry_dir, inputs, real_desa):
    hh = ri.households(4, desa=real_desa)
    mm = ri.members(hh)
    mm[0]["sex"] = "F"
    h, m = inputs(hh, mm)
    release, report = run(h, m, dry_run=True)
    assert (
        release is None
        and report.dry_run
        and {"file": "members", "row": 2, "column": "nik", "reason": "nik_sex_mismatch"}
        in report.errors
    )
    _nothing_written(registry_dir)
    release, report = run(h, m, valid_only=True)
    assert release is not None and (release.households, release.members) == (3, 9)
    assert not report.ok and report.counts["error_count"] == 1


def test_refusals(registry_dir, inputs, settings):
    h, m = inputs()
    run(h, m)
    with pytest.raises(services.ImportRefused):
        run(h, m)  # the name is taken: releases are never replaced
    with pytest.raises(services.ImportRefused):
        services.import_release(
            h, m, name="Other", reference_date=date(2025, 6, 30), region_code="99.99", user=None
        )
    settings.SINERGI_PII_HASH_KEY = None
    with pytest.raises(services.ImportRefused, match="SINERGI_PII_HASH_KEY"):
        run(h, m, name="Third")


def test_reveal_is_audited(registry_dir, inputs, make_user, real_desa):
    from django.core.exceptions import PermissionDenied

    hh = ri.households(2, desa=real_desa)
    mm = ri.members(hh)
    release, _report = run(*inputs(hh, mm))
    admin = make_user("bappeda", role="bappeda_admin")
    operator = make_user("camat", role="kecamatan_operator", region="16.07.05")
    member_hash = services.pseudonymiser().hash(mm[1]["nik"])
    assert (
        services.reveal(release, "H1", user=admin, reason="verifikasi PKH", nik_hash=member_hash)
        == mm[1]["nik"]
    )
    assert services.reveal(release, "H1", user=admin, reason="verifikasi KK") == hh[0]["kk"]
    entries = AuditEntry.objects.filter(action="reveal", actor=admin)
    assert entries.count() == 2
    assert all(
        mm[1]["nik"] not in str(e.after) and hh[0]["kk"] not in str(e.after) for e in entries
    )
    with pytest.raises(PermissionDenied):
        services.reveal(release, "H1", user=operator, reason="ingin tahu")


def test_cli_import_prints_the_report_and_exits_1_on_errors(registry_dir, inputs, real_desa):
    hh = ri.households(3, desa=real_desa)
    mm = ri.members(hh)
    runner = CliRunner()
    h, m = inputs(hh, mm)
    ok = runner.invoke(
        main,
        [
            "registry",
            "import",
            str(h),
            str(m),
            "--release",
            "DTSEN 2025-Q1",
            "--region",
            "16.07",
            "--reference-date",
            "2025-03-31",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert (
        "Valid households" in ok.output
        and Release.objects.get(name="DTSEN 2025-Q1").households == 3
    )
    mm[0]["nik"] = "1607059999999999"
    h, m = inputs(hh, mm)
    bad = runner.invoke(main, ["registry", "import", str(h), str(m), "--release", "Bad one"])
    assert bad.exit_code == 1
    assert "NIK is not valid" in bad.output and "Nothing was written" in bad.output
    assert "1607059999999999" not in bad.output
    assert not Release.objects.filter(name="Bad one").exists()


def test_cli_help_documents_the_layout():
    result = CliRunner().invoke(main, ["registry", "import", "--help"])
    assert result.exit_code == 0
    for word in (
        "household_id",
        "floor_material",
        "nik",
        "--valid-only",
        "--dry-run",
        "--reference-date",
    ):
        assert word in result.output
