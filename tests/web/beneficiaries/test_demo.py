"""The demo's synthetic lists: leakage, undercoverage, duplicates, strangers, NIK problems;
each stakeholder layout is read back through the ordinary import with the suggested
mapping; the demo step is skipped without its release and idempotent."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from sinergi.web.beneficiaries import demo, importer, services

pytestmark = pytest.mark.django_db


def _world(real_desa):
    households, members = [], {}
    for i in range(400):
        hid = f"H{i:04d}"
        desa = real_desa[i % len(real_desa)]
        households.append(
            {
                "household_id": hid,
                "desa_code": desa,
                "address": f"Dusun {i % 5}",
                "decile": i % 10 + 1,
            }
        )
        prefix = desa[:8].replace(".", "")
        members[hid] = [
            {
                "household_id": hid,
                "kk": f"{prefix}01019{i:05d}",
                "nik": f"{prefix}0107{80 + i % 10:02d}{i:04d}",
                "full_name": f"Muhammad Saputra {i}",
                "sex": "M",
                "birth_date": dt.date(1980 + i % 10, 7, 1),
                "relationship": "head",
            },
            {
                "household_id": hid,
                "kk": f"{prefix}01019{i:05d}",
                "nik": f"{prefix}4107{80 + i % 10:02d}{5000 + i:04d}",
                "full_name": f"Siti Aminah {i}",
                "sex": "F",
                "birth_date": dt.date(1982 + i % 10, 7, 1),
                "relationship": "spouse",
            },
        ]
    return households, members


def test_drawn_list_has_leakage_undercoverage_and_faults(real_desa):
    households, members = _world(real_desa)
    spec = next(s for s in demo.PROGRAMMES if s.code == "pkh")
    rows = demo.draw_list(spec, households, members, random.Random(1))
    by_nik = {m["nik"]: h for h in households for m in members[h["household_id"]]}
    deciles = [by_nik[r["nik"]]["decile"] for r in rows if r["nik"] in by_nik]
    eligible = sum(1 for h in households if h["decile"] <= 4)
    reached = {
        by_nik[r["nik"]]["household_id"]
        for r in rows
        if r["nik"] in by_nik and by_nik[r["nik"]]["decile"] <= 4
    }
    assert any(d >= 6 for d in deciles)  # leakage
    assert len(reached) < eligible  # undercoverage
    assert any(r["nik"] is None for r in rows)  # missing NIK
    assert any(r["nik"] and len(r["nik"]) < 16 for r in rows)  # malformed NIK
    ids = [r["source_id"] for r in rows]
    assert len(ids) == len(set(ids))
    keys = [(r["birth_date"], r["region_code"]) for r in rows]
    assert len(keys) > len(set(keys))  # someone listed twice
    variants = ("M.", "Moh.", "Moch.", "Muhamad", "H.", "Hj.", "Bpk.", "Ibu")
    assert any(r["full_name"].startswith(variants) or r["full_name"].isupper() for r in rows)


@pytest.mark.parametrize("layout", sorted(demo.LAYOUTS))
def test_each_layout_is_mapped_and_imports(data_dir, programme, tmp_path, real_desa, layout):
    households, members = _world(real_desa)
    spec = next(s for s in demo.PROGRAMMES if s.code == "pkh")
    rows = demo.draw_list(spec, households, members, random.Random(2))
    from sinergi.web.regions.models import Region

    names = dict(Region.objects.filter(code__in=real_desa).values_list("code", "name"))
    path = tmp_path / f"list.{demo.LAYOUTS[layout]['ext']}"
    demo.write_list(path, rows, demo.LAYOUTS[layout], names)
    table = importer.read_file(path)
    mapping = importer.suggest_mapping(table.headers)
    assert mapping == {k: v for k, v in demo.LAYOUTS[layout]["headers"].items()}
    outcome = services.import_list(
        programme, path, label=layout, user=None, valid_only=True, synthetic=True
    )
    assert outcome.blist is not None and outcome.blist.is_synthetic
    assert outcome.counts["nik_missing"] > 0
    assert outcome.counts["error_rows"] == 0


def test_demo_step_without_its_release_is_skipped(data_dir):
    assert demo.load().startswith("skipped")
