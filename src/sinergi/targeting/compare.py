"""Compare two stored releases: households added, removed, moved and with a changed decile.

Households are matched by their keyed KK hash (``kk_hash``): the Kartu
Keluarga number is the family's identity across releases, while a release's
own household ids may be reissued. Both releases must have been written with
the same hash key (re-keyed releases are rewritten together, see
:mod:`sinergi.targeting.pseudonym`).

Examples
--------
>>> # compare_releases(DATA_DIR / "registry/dtsen-2025-q1", DATA_DIR / "registry/dtsen-2025-q2")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sinergi.stats._engines import Engine, get_engine

from .releases import SCORES_FILE

__all__ = ["Comparison", "HouseholdChange", "compare_releases"]


@dataclass(frozen=True)
class HouseholdChange:
    """One household that differs between the releases (``kind``: added, removed, moved,
    decile_changed; a household that moved and changed decile is listed as moved)."""

    kind: str
    kk_masked: str
    old_household_id: str | None
    new_household_id: str | None
    old_desa: str | None
    new_desa: str | None
    old_decile: int | None
    new_decile: int | None
    old_model_decile: int | None
    new_model_decile: int | None


@dataclass
class Comparison:
    """Counts over the whole (scoped) releases and the first ``limit`` changes."""

    added: int
    removed: int
    moved: int
    decile_changed: int
    kept: int
    changes: list[HouseholdChange] = field(default_factory=list)
    changes_cut: bool = False


def _source(con: Engine, path: Path, alias: str) -> str:
    households = path / "households.parquet"
    scores = path / SCORES_FILE
    name = f"sinergi_cmp_{alias}"
    if scores.exists():
        query = (
            f"SELECT h.household_id, h.kk_hash, h.kk_masked, h.desa_code, h.decile, "
            f"s.model_decile FROM read_parquet('{households}') h "
            f"LEFT JOIN read_parquet('{scores}') s USING (household_id)"
        )
    else:
        query = (
            f"SELECT household_id, kk_hash, kk_masked, desa_code, decile, model_decile "
            f"FROM read_parquet('{households}')"
        )
    con.materialize(query, name)
    return name


def compare_releases(
    old: Path,
    new: Path,
    *,
    engine: str | Engine = "duckdb",
    scope: str | None = None,
    limit: int = 1000,
) -> Comparison:
    """Compare release directories ``old`` and ``new``.

    Parameters
    ----------
    scope
        A region code (``16.07.05``): only households whose desa is inside it in
        either release count.
    limit
        How many changes to list (the counts are complete).
    """
    eng = get_engine(engine)  # type: ignore[arg-type]
    a = _source(eng, Path(old), "old")
    b = _source(eng, Path(new), "new")
    in_scope = "true"
    if scope:
        s = scope.replace("'", "''")
        in_scope = (
            f"(coalesce(o.desa_code, '') = '{s}' OR coalesce(o.desa_code, '') LIKE '{s}.%' "
            f"OR coalesce(n.desa_code, '') = '{s}' OR coalesce(n.desa_code, '') LIKE '{s}.%')"
        )
    joined = f"""
        SELECT CASE
                 WHEN o.kk_hash IS NULL THEN 'added'
                 WHEN n.kk_hash IS NULL THEN 'removed'
                 WHEN o.desa_code <> n.desa_code THEN 'moved'
                 WHEN o.decile IS DISTINCT FROM n.decile AND o.decile IS NOT NULL AND n.decile IS NOT NULL
                   THEN 'decile_changed'
                 WHEN o.model_decile <> n.model_decile THEN 'decile_changed'
                 ELSE 'kept' END AS kind,
               coalesce(n.kk_masked, o.kk_masked) AS kk_masked,
               o.household_id AS old_household_id, n.household_id AS new_household_id,
               o.desa_code AS old_desa, n.desa_code AS new_desa,
               o.decile AS old_decile, n.decile AS new_decile,
               o.model_decile AS old_model_decile, n.model_decile AS new_model_decile,
               (o.decile IS NOT NULL AND n.decile IS NOT NULL AND o.decile <> n.decile)
                 OR coalesce(o.model_decile <> n.model_decile, false) AS decile_differs
        FROM {a} o FULL OUTER JOIN {b} n ON o.kk_hash = n.kk_hash
        WHERE {in_scope}"""
    try:
        counts = eng.fetch(
            f"""SELECT count(*) FILTER (WHERE kind = 'added') AS added,
                       count(*) FILTER (WHERE kind = 'removed') AS removed,
                       count(*) FILTER (WHERE kind = 'moved') AS moved,
                       count(*) FILTER (WHERE decile_differs) AS decile_changed,
                       count(*) FILTER (WHERE kind NOT IN ('added', 'removed')) AS kept
                FROM ({joined})"""
        )[0]
        rows = eng.fetch(
            f"SELECT * EXCLUDE (decile_differs) FROM ({joined}) WHERE kind <> 'kept' "
            f"ORDER BY kind, coalesce(new_desa, old_desa), kk_masked LIMIT {int(limit) + 1}"
        )
    finally:
        eng.drop(a)
        eng.drop(b)
    changes = [HouseholdChange(**r) for r in rows[:limit]]
    return Comparison(
        added=int(counts["added"] or 0),
        removed=int(counts["removed"] or 0),
        moved=int(counts["moved"] or 0),
        decile_changed=int(counts["decile_changed"] or 0),
        kept=int(counts["kept"] or 0),
        changes=changes,
        changes_cut=len(rows) > limit,
    )
