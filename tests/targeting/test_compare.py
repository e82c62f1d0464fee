from datetime import date

import pyarrow as pa

from sinergi.targeting.compare import compare_releases
from sinergi.targeting.pseudonym import Pseudonymiser
from sinergi.targeting.releases import write_release, write_scores
from tests.targeting import release_inputs as ri

P = Pseudonymiser(b"h" * 32, b"e" * 32)


def store(tmp, name, hh):
    d = tmp / name
    d.mkdir()
    h, m = ri.pair(d, hh, ri.members(hh))
    write_release(
        h,
        m,
        tmp / f"rel-{name}",
        name=name,
        reference_date=date(2025, 6, 30),
        pseudonymiser=P,
        desa_codes=ri.DESA,
        kecamatan_prefixes=ri.PREFIXES,
    )
    return tmp / f"rel-{name}"


def test_added_removed_moved_and_decile_changed(tmp_path):
    old = ri.households(4)
    new = [dict(r) for r in old[:3]]  # H4 removed
    new[0]["desa_code"] = "16.07.05.2002"  # H1 moved (was 2001)
    new[1]["decile"] = "9"  # H2 release decile 2 -> 9
    new.append({**old[0], "household_id": "H5", "kk": "1607050101099999"})  # added
    a, b = store(tmp_path, "old", old), store(tmp_path, "new", new)
    result = compare_releases(a, b)
    assert (result.added, result.removed, result.moved, result.decile_changed, result.kept) == (
        1,
        1,
        1,
        1,
        3,
    )
    kinds = {c.kind: c for c in result.changes}
    assert kinds["moved"].old_desa == "16.07.05.2001" and kinds["moved"].new_desa == "16.07.05.2002"
    assert kinds["decile_changed"].old_decile == 2 and kinds["decile_changed"].new_decile == 9
    assert "*" in kinds["added"].kk_masked
    scoped = compare_releases(a, b, scope="16.07.06")
    assert (scoped.added, scoped.removed, scoped.moved) == (0, 0, 0)


def test_model_decile_from_scores(tmp_path):
    hh = ri.households(2)
    a, b = store(tmp_path, "a", hh), store(tmp_path, "b", hh)
    for path, deciles in ((a, [1, 2]), (b, [1, 5])):
        write_scores(
            path,
            pa.table({"household_id": ["H1", "H2"], "score": [1.0, 2.0], "model_decile": deciles}),
            "pmt-test",
        )
    result = compare_releases(a, b, limit=0)
    assert result.decile_changed == 1 and result.changes == [] and result.changes_cut
