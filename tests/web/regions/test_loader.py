"""Loading the Kemendagri hierarchy from the idn-area-data package."""

import io
import tarfile
import time
from pathlib import Path

import pytest

from sinergi.web.regions.models import Region, ancestor_codes, level_of, parent_code
from sinergi.web.regions.services import RegionSourceError, load_hierarchy, read_package

pytestmark = pytest.mark.django_db


def test_codes():
    assert level_of("16") == "province" and level_of("16.07") == "regency"
    assert level_of("16.07.05") == "district" and level_of("16.07.05.2001") == "village"
    assert (
        parent_code("16.07.05") == "16.07"
        and parent_code("16") == "00"
        and parent_code("00") is None
    )
    assert ancestor_codes("16.07.05") == ["16.07.05", "16.07", "16", "00"]


def test_banyuasin_and_its_kecamatan(banyuasin):
    assert banyuasin.name == "Kabupaten Banyuasin" and banyuasin.parent.name == "Sumatera Selatan"
    kecamatan = list(banyuasin.children.values_list("code", "name"))
    assert len(kecamatan) == 21
    assert kecamatan[0] == ("16.07.01", "Banyuasin I") and kecamatan[-1] == (
        "16.07.21",
        "Selat Penuguan",
    )
    assert Region.objects.subtree("16.07").filter(level="village").count() > 250


def test_whole_hierarchy_counts(region_package):
    rows = list(read_package(region_package))
    by_level: dict[str, int] = {}
    for _code, _name, level in rows:
        by_level[level] = by_level.get(level, 0) + 1
    assert by_level == {"province": 38, "regency": 514, "district": 7285, "village": 83762}


def test_full_load_is_fast_and_reload_changes_nothing(region_package):
    before = Region.objects.count()
    started = time.perf_counter()
    report = load_hierarchy(region_package)
    elapsed = time.perf_counter() - started
    assert Region.objects.count() == 38 + 514 + 7285 + 83762 + 1  # + the country
    assert report.created == Region.objects.count() - before
    assert elapsed < 60, f"loading the hierarchy took {elapsed:.1f} s"
    again = load_hierarchy(region_package)
    assert (again.created, again.updated, again.deactivated) == (0, 0, 0)


def _package_with(tmp_path: Path, region_package: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the package with one CSV edited, as a new decree would change it."""
    out = tmp_path / "idn-area-data-9.9.9.tgz"
    with tarfile.open(region_package) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            if data is not None and member.name.endswith(".csv"):
                data = edit(member.name, data.decode()).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data) if data is not None else None)
    return out


def test_a_new_decree_renames_adds_and_deactivates(tmp_path, region_package):
    def edit(name: str, text: str) -> str:
        if name.endswith("districts.csv"):
            text = text.replace("16.07.05,16.07,Betung", "16.07.05,16.07,Betung Baru")
            text = text.replace("16.07.21,16.07,Selat Penuguan\n", "")
            text += "16.07.22,16.07,Kecamatan Pemekaran\n"
        if name.endswith("villages.csv"):
            text = "\n".join(line for line in text.split("\n") if not line.startswith("16.07.21."))
        return text

    report = load_hierarchy(_package_with(tmp_path, region_package, edit), only="16")
    assert Region.objects.get(code="16.07.05").name == "Betung Baru"
    assert Region.objects.get(code="16.07.22").source == "idn-area-data-9.9.9"
    assert not Region.objects.get(code="16.07.21").active  # kept: values may point at it
    assert report.created == 1 and report.updated >= 1 and report.deactivated >= 2


def test_a_broken_package_is_a_clear_error(tmp_path, region_package):
    bad = _package_with(
        tmp_path,
        region_package,
        lambda name, text: text.replace("16.07,16,Kabupaten Banyuasin", "16.07.9.9.9,16,Oops"),
    )
    with pytest.raises(RegionSourceError, match=r"regencies\.csv line"):
        load_hierarchy(bad, only="16")
    not_a_tarball = tmp_path / "x.tgz"
    not_a_tarball.write_text("hello")
    with pytest.raises(RegionSourceError, match="not a readable package"):
        load_hierarchy(not_a_tarball)
