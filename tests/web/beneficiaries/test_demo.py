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


# --- the shipped Splink models ------------------------------------------------------


def _sample_release(tmp_path, desa):
    """A small synthetic registry over demo desa, imported as the demo imports its own."""
    from sinergi.targeting import synthetic
    from sinergi.web.registry import services as registry

    households, members = synthetic.generate_registry(
        desa, n_households=1500, seed=20250930, reference_date=dt.date(2025, 9, 30)
    )
    paths = synthetic.write_tables(
        tmp_path / "registry-input", {"households": households, "members": members}
    )
    release, report = registry.import_release(
        paths[0],
        paths[1],
        name="Sampel sintetis",
        reference_date=dt.date(2025, 9, 30),
        region_code="16.07",
        user=None,
        valid_only=True,
        synthetic=True,
    )
    assert release is not None, report.counts
    by_household: dict[str, list] = {}
    for m in members.to_pylist():
        by_household.setdefault(m["household_id"], []).append(m)
    return release, households.to_pylist(), by_household


def _accepted(run) -> dict[str, str]:
    return dict(run.links.filter(state="accepted").values_list("list_row", "person_key"))


def test_shipped_models_match_a_sample_as_a_live_training_does(
    data_dir, programme, tmp_path, real_desa
):
    from sinergi.web.beneficiaries import matching
    from sinergi.web.regions.models import Region

    release, households, members = _sample_release(tmp_path, real_desa)
    names = dict(Region.objects.filter(code__in=real_desa).values_list("code", "name"))
    rows = []
    for spec in demo.PROGRAMMES[:3]:  # two Kemensos layouts and PBI-JK, as in the demo
        rows += demo.draw_list(spec, households, members, random.Random(f"{demo.SEED}-{spec.code}"))
    for i, row in enumerate(rows):
        row["source_id"] = f"R{i:05d}"
    path = tmp_path / "list.csv"
    demo.write_list(path, rows, demo.LAYOUTS["pbi"], names)
    runs = {}
    for label, models in (("shipped", demo.packaged_models()), ("live", {})):
        blist = services.import_list(
            programme, path, label=label, user=None, valid_only=True, synthetic=True
        ).blist
        assert blist is not None
        models["training"] = demo.TRAINING
        (runs[label],) = matching.match_many(
            [(blist, 0.95, matching.DEFAULT_REVIEW)],
            release,
            user=None,
            models=models,
            kecamatan=sorted({d[:8] for d in real_desa}),
            training=demo.TRAINING,
        )
        assert runs[label].status == "done", runs[label].stats
    shipped, live = _accepted(runs["shipped"]), _accepted(runs["live"])
    assert len(rows) > 300 and len(live) > 0.8 * len(rows)
    same = sum(1 for row, person in live.items() if shipped.get(row) == person)
    # Stage 1 (equal NIK) does not use the models: compare the probabilistic links too.
    prob_live = set(
        runs["live"]
        .links.filter(state="accepted", stage="probabilistic")
        .values_list("list_row", "person_key")
    )
    prob_shipped = set(
        runs["shipped"]
        .links.filter(state="accepted", stage="probabilistic")
        .values_list("list_row", "person_key")
    )
    assert same >= 0.98 * len(live), "retrain: .venv/bin/python scripts/demo_models.py --linkage"
    assert prob_live and len(prob_live & prob_shipped) >= 0.9 * len(prob_live)
    # The dedupe model: about as many rows found listed twice (the sample lists many).
    dup_shipped, dup_live = (runs[k].counts["duplicates"] for k in ("shipped", "live"))
    assert dup_live > 20 and abs(dup_shipped - dup_live) <= 0.15 * dup_live
