"""Read queries on a stored registry release: search, household detail, area profiles.

Pure Python on the engine layer (DuckDB by default); never imports Django. A
release directory holds ``households.parquet`` and ``members.parquet`` and,
once scored, ``scores.parquet`` (see ``releases.py``). Nothing here sees a clear
NIK or KK: searches take the keyed hash, results carry the masked number.

Every aggregate output goes through :func:`suppress`, the one small-cell rule.

Examples
--------
>>> suppress([25, 3, 40], threshold=10)
[None, None, 40]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sinergi.stats._engines import Engine, EngineName, get_engine, temp_name
from sinergi.targeting import schema

HASH_RE = re.compile(r"^[0-9a-f]{64}$")
CODE_RE = re.compile(r"^[0-9]{2}(\.[0-9]{2}){0,2}(\.[0-9]{4})?$")
DECILES = tuple(range(1, 11))


class BrowseError(ValueError):
    """A query that cannot be answered (bad code, unknown household)."""


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _check_hash(value: str) -> str:
    value = value.strip().lower()
    if not HASH_RE.match(value):
        raise BrowseError("not a keyed hash (64 hexadecimal characters)")
    return value


def _check_code(code: str) -> str:
    if not CODE_RE.match(code):
        raise BrowseError(f"not a region code: {code!r}")
    return code


def _scope_sql(scope: str | None, column: str = "h.desa_code") -> str:
    """SQL keeping households inside region ``scope`` (None: everything)."""
    if scope is None:
        return "TRUE"
    code = _check_code(scope)
    return f"({column} = {_lit(code)} OR {column} LIKE {_lit(code + '.%')})"


# --- small cells ---------------------------------------------------------------


def suppress(cells: Sequence[int | None], threshold: int) -> list[int | None]:
    """Hide small counts: the one small-cell rule for every aggregate output.

    A count from 1 to ``threshold - 1`` becomes ``None``. If exactly one cell of
    the row would be hidden, the smallest other non-zero cell is hidden too
    (complementary suppression), so a shown total cannot give the hidden one back.
    A ``threshold`` of 0 or 1 hides nothing.

    Examples
    --------
    >>> suppress([0, 12, 4, 30], threshold=10)
    [0, None, None, 30]
    >>> suppress([11, 12], threshold=10)
    [11, 12]
    """
    out: list[int | None] = [None if c is not None and 0 < c < threshold else c for c in cells]
    hidden = [i for i, c in enumerate(cells) if c is not None and out[i] is None]
    if len(hidden) == 1:
        rest = [(c, i) for i, c in enumerate(out) if c is not None and c > 0]
        if rest:
            out[min(rest)[1]] = None
    return out


def suppressed_share(count: int, total: int, threshold: int) -> float | None:
    """``count / total`` or None when the count or its complement is a small cell
    (or the area itself has fewer than ``threshold`` units)."""
    if total <= 0 or (threshold > 1 and total < threshold):
        return None
    if suppress([count, total - count], threshold) != [count, total - count]:
        return None
    return count / total


# --- typed results ---------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdRow:
    """One household in a search result (masked)."""

    household_id: str
    kk_hash: str
    kk_masked: str
    desa_code: str
    kecamatan_code: str
    head_name: str | None
    persons: int
    decile: int | None
    model_decile: int | None
    matched_name: str | None = None


@dataclass(frozen=True)
class SearchPage:
    rows: list[HouseholdRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass(frozen=True)
class Member:
    """A household member as shown: masked NIK, its hash as the member's key."""

    nik_hash: str
    nik_masked: str
    full_name: str
    sex: str
    birth_date: date | None
    age: int | None
    relationship: str
    education: str | None
    work_sector: str | None


@dataclass(frozen=True)
class Household:
    """A household's characteristics, score, deciles and members."""

    household_id: str
    kk_hash: str
    kk_masked: str
    desa_code: str
    kecamatan_code: str
    address: str | None
    persons: int
    characteristics: dict[str, Any]
    score: float | None
    model_decile: int | None
    decile: int | None
    model_version: str | None
    members: list[Member] = field(default_factory=list)

    @property
    def deciles_disagree(self) -> bool:
        return (
            self.model_decile is not None
            and self.decile is not None
            and self.model_decile != self.decile
        )


@dataclass(frozen=True)
class HistoryEntry:
    """The same household (by KK hash) in one release."""

    release: str
    household_id: str
    desa_code: str
    persons: int
    score: float | None
    model_decile: int | None
    decile: int | None


@dataclass(frozen=True)
class Indicator:
    key: str
    households: int | None  # None: suppressed
    share: float | None


@dataclass(frozen=True)
class DecileCell:
    decile: int
    households: int | None
    persons: int | None


@dataclass(frozen=True)
class AreaProfile:
    """Households and persons per decile and housing/asset indicators of one area."""

    area_code: str
    households: int | None
    persons: int | None
    decile_source: str  # 'model' or 'release' (or 'none' when neither is known)
    deciles: list[DecileCell]
    unranked_households: int | None
    indicators: list[Indicator]
    threshold: int


# The housing and asset indicators: key -> SQL condition on a household row.
INDICATORS: dict[str, str] = {
    "earth_floor": "h.floor_material = 'earth'",
    "bamboo_wall": "h.wall_material = 'bamboo'",
    "thatch_roof": "h.roof_material = 'thatch'",
    "unsafe_water": "h.drinking_water IN ('unprotected', 'surface')",
    "no_sanitation": "h.sanitation = 'none'",
    "no_electricity": "h.electricity = 'none'",
    "wood_fuel": "h.cooking_fuel = 'wood'",
    "crowded": "h.floor_area_m2 / GREATEST(h.persons, 1) < 8",
    "no_assets": (
        "COALESCE(h.has_motorcycle, 0) + COALESCE(h.has_car, 0) + COALESCE(h.has_refrigerator, 0)"
        " + COALESCE(h.has_tv, 0) + COALESCE(h.has_smartphone, 0) = 0"
    ),
}

CHARACTERISTICS = schema.CHARACTERISTICS


# --- the release as SQL ---------------------------------------------------------------


class _Release:
    """Views ``h`` (households with the latest scores) and ``m`` (members) of a release."""

    def __init__(self, path: Path, engine: EngineName | Engine = "duckdb") -> None:
        self.path = Path(path)
        hh = self.path / "households.parquet"
        if not hh.exists():
            raise BrowseError(f"no stored release at {self.path.name}")
        self.engine = get_engine(engine)
        self.h_raw = temp_name("hh")
        self.m = temp_name("mem")
        self.engine.register(str(hh), self.h_raw)
        self.engine.register(str(self.path / "members.parquet"), self.m)
        scores = self.path / "scores.parquet"
        cols = self.engine.column_types(self.h_raw)
        base_score = "h0.score" if "score" in cols else "CAST(NULL AS DOUBLE)"
        base_dec = "h0.model_decile" if "model_decile" in cols else "CAST(NULL AS INTEGER)"
        exclude = [c for c in ("score", "model_decile") if c in cols]
        star = f"h0.* EXCLUDE ({', '.join(exclude)})" if exclude else "h0.*"
        if scores.exists():
            self.s: str | None = temp_name("sc")
            self.engine.register(str(scores), self.s)
            self.h_sql = (
                f"SELECT {star}, COALESCE(s.score, {base_score}) AS score, "
                f"COALESCE(s.model_decile, {base_dec}) AS model_decile, "
                f"s.model_version AS model_version "
                f"FROM {self.h_raw} h0 LEFT JOIN {self.s} s USING (household_id)"
            )
        else:
            self.s = None
            self.h_sql = (
                f"SELECT {star}, {base_score} AS score, {base_dec} AS model_decile, "
                f"CAST(NULL AS VARCHAR) AS model_version FROM {self.h_raw} h0"
            )
        if "decile" not in cols:
            self.h_sql = f"SELECT *, CAST(NULL AS INTEGER) AS decile FROM ({self.h_sql})"

    def close(self) -> None:
        for name in (self.h_raw, self.m, self.s):
            if name:
                self.engine.drop(name)

    def __enter__(self) -> _Release:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, query: str) -> list[dict[str, Any]]:
        return self.engine.fetch(query)


def _heads(rel: _Release) -> str:
    return (
        f"SELECT household_id, min(full_name) AS head_name FROM {rel.m} "
        "WHERE relationship = 'head' GROUP BY household_id"
    )


def _row(r: dict[str, Any]) -> HouseholdRow:
    return HouseholdRow(
        household_id=str(r["household_id"]),
        kk_hash=str(r["kk_hash"]),
        kk_masked=str(r["kk_masked"]),
        desa_code=str(r["desa_code"]),
        kecamatan_code=str(r["kecamatan_code"]),
        head_name=r.get("head_name"),
        persons=int(r["persons"] or 0),
        decile=_int(r.get("decile")),
        model_decile=_int(r.get("model_decile")),
        matched_name=r.get("matched_name"),
    )


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def search(
    release: Path,
    *,
    name: str | None = None,
    kk_hash: str | None = None,
    nik_hash: str | None = None,
    desa_code: str | None = None,
    scope: str | None = None,
    page: int = 1,
    per_page: int = 25,
    engine: EngineName | Engine = "duckdb",
) -> SearchPage:
    """Households of a release matching a member's name, a KK hash or a NIK hash.

    ``scope`` (a region code) keeps only households inside that region; ``desa_code``
    narrows to one desa. Without a criterion, every household in scope is listed.
    Results are ordered by desa and household id and paginated.
    """
    page = max(1, int(page))
    where = [_scope_sql(scope)]
    matched = "CAST(NULL AS VARCHAR)"
    with _Release(release, engine) as rel:
        if desa_code:
            where.append(f"h.desa_code = {_lit(_check_code(desa_code))}")
        if kk_hash:
            where.append(f"h.kk_hash = {_lit(_check_hash(kk_hash))}")
        if nik_hash:
            nh = _lit(_check_hash(nik_hash))
            where.append(
                f"h.household_id IN (SELECT household_id FROM {rel.m} WHERE nik_hash = {nh})"
            )
        joins = ""
        if name and name.strip():
            pattern = (
                "%"
                + name.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                + "%"
            )
            joins = (
                f" JOIN (SELECT household_id, min(full_name) AS matched_name FROM {rel.m} "
                f"WHERE full_name ILIKE {_lit(pattern)} ESCAPE '\\' GROUP BY household_id) mm "
                "USING (household_id)"
            )
            matched = "mm.matched_name"
        cond = " AND ".join(where)
        base = (
            f"FROM ({rel.h_sql}) h{joins} LEFT JOIN ({_heads(rel)}) hd USING (household_id) "
            f"WHERE {cond}"
        )
        total = int(rel.fetch(f"SELECT count(*) AS n {base}")[0]["n"])
        offset = (page - 1) * per_page
        rows = rel.fetch(
            f"SELECT h.household_id, h.kk_hash, h.kk_masked, h.desa_code, h.kecamatan_code, "
            f"h.persons, h.decile, h.model_decile, hd.head_name, {matched} AS matched_name "
            f"{base} ORDER BY h.desa_code, h.household_id LIMIT {int(per_page)} OFFSET {offset}"
        )
    return SearchPage([_row(r) for r in rows], total, page, per_page)


def household(
    release: Path,
    household_id: str,
    *,
    scope: str | None = None,
    engine: EngineName | Engine = "duckdb",
) -> Household:
    """One household with its members (masked); :class:`BrowseError` if it is not in
    the release or outside ``scope``."""
    with _Release(release, engine) as rel:
        found = rel.fetch(
            f"SELECT * FROM ({rel.h_sql}) h WHERE h.household_id = {_lit(household_id)} "
            f"AND {_scope_sql(scope)}"
        )
        if not found:
            raise BrowseError("household not found")
        r = found[0]
        members = rel.fetch(
            f"SELECT nik_hash, nik_masked, full_name, sex, birth_date, age, relationship, "
            f"education, work_sector FROM {rel.m} WHERE household_id = {_lit(household_id)} "
            "ORDER BY CASE relationship WHEN 'head' THEN 0 WHEN 'spouse' THEN 1 "
            "WHEN 'child' THEN 2 WHEN 'parent' THEN 3 ELSE 4 END, birth_date, nik_hash"
        )
    return Household(
        household_id=str(r["household_id"]),
        kk_hash=str(r["kk_hash"]),
        kk_masked=str(r["kk_masked"]),
        desa_code=str(r["desa_code"]),
        kecamatan_code=str(r["kecamatan_code"]),
        address=r.get("address"),
        persons=int(r["persons"] or 0),
        characteristics={k: r.get(k) for k in CHARACTERISTICS if k in r},
        score=None if r.get("score") is None else float(r["score"]),
        model_decile=_int(r.get("model_decile")),
        decile=_int(r.get("decile")),
        model_version=r.get("model_version"),
        members=[
            Member(
                nik_hash=str(m["nik_hash"]),
                nik_masked=str(m["nik_masked"]),
                full_name=str(m["full_name"]),
                sex=str(m["sex"]),
                birth_date=m.get("birth_date"),
                age=_int(m.get("age")),
                relationship=str(m["relationship"]),
                education=m.get("education"),
                work_sector=m.get("work_sector"),
            )
            for m in members
        ],
    )


def encrypted_number(
    release: Path,
    household_id: str,
    *,
    nik_hash: str | None = None,
    scope: str | None = None,
    engine: EngineName | Engine = "duckdb",
) -> str:
    """The encrypted token of a member's NIK (``nik_hash`` given) or of the household's
    KK, for a reveal; :class:`BrowseError` if there is no such member in scope."""
    with _Release(release, engine) as rel:
        if nik_hash:
            rows = rel.fetch(
                f"SELECT m.nik_enc AS token FROM {rel.m} m JOIN ({rel.h_sql}) h "
                f"USING (household_id) WHERE m.household_id = {_lit(household_id)} "
                f"AND m.nik_hash = {_lit(_check_hash(nik_hash))} AND {_scope_sql(scope)}"
            )
        else:
            rows = rel.fetch(
                f"SELECT h.kk_enc AS token FROM ({rel.h_sql}) h "
                f"WHERE h.household_id = {_lit(household_id)} AND {_scope_sql(scope)}"
            )
    if not rows:
        raise BrowseError("member not found")
    return str(rows[0]["token"])


def history(
    releases: Sequence[tuple[str, Path]],
    kk_hash: str,
    *,
    engine: EngineName | Engine = "duckdb",
) -> list[HistoryEntry]:
    """The household with this KK hash in each of ``releases`` (label, path), in the
    order given; releases where it is absent are left out."""
    kk = _lit(_check_hash(kk_hash))
    out: list[HistoryEntry] = []
    for label, path in releases:
        try:
            rel = _Release(path, engine)
        except BrowseError:
            continue
        with rel:
            rows = rel.fetch(
                f"SELECT household_id, desa_code, persons, score, model_decile, decile "
                f"FROM ({rel.h_sql}) h WHERE h.kk_hash = {kk} LIMIT 1"
            )
        for r in rows:
            out.append(
                HistoryEntry(
                    release=label,
                    household_id=str(r["household_id"]),
                    desa_code=str(r["desa_code"]),
                    persons=int(r["persons"] or 0),
                    score=None if r["score"] is None else float(r["score"]),
                    model_decile=_int(r["model_decile"]),
                    decile=_int(r["decile"]),
                )
            )
    return out


def area_profile(
    release: Path,
    area_code: str,
    *,
    threshold: int = 0,
    decile_source: str = "auto",
    engine: EngineName | Engine = "duckdb",
) -> AreaProfile:
    """Households and persons per decile and the housing and asset indicators of the
    households in region ``area_code`` (a desa, kecamatan or regency code).

    ``decile_source``: 'model' (the PMT decile), 'release' (the decile the release
    carries) or 'auto' (the model's when the release is scored, else the release's).
    Every count and share goes through :func:`suppress` with ``threshold`` (0: none).
    """
    scope = _scope_sql(area_code)
    with _Release(release, engine) as rel:
        if decile_source == "auto":
            scored = rel.fetch(
                f"SELECT count(model_decile) AS n FROM ({rel.h_sql}) h WHERE {scope}"
            )[0]["n"]
            carried = rel.fetch(f"SELECT count(decile) AS n FROM ({rel.h_sql}) h WHERE {scope}")[0][
                "n"
            ]
            decile_source = "model" if scored else ("release" if carried else "none")
        column = {"model": "model_decile", "release": "decile"}.get(decile_source)
        dec_expr = column if column else "CAST(NULL AS INTEGER)"
        totals = rel.fetch(
            "SELECT count(*) AS hh, COALESCE(sum(persons), 0) AS persons, "
            + ", ".join(f"count_if({cond}) AS {key}" for key, cond in INDICATORS.items())
            + f" FROM ({rel.h_sql}) h WHERE {scope}"
        )[0]
        by_decile = {
            int(r["d"]): r
            for r in rel.fetch(
                f"SELECT {dec_expr} AS d, count(*) AS hh, sum(persons) AS persons "
                f"FROM ({rel.h_sql}) h WHERE {scope} AND {dec_expr} IS NOT NULL GROUP BY 1"
            )
        }
    total_hh = int(totals["hh"])
    total_persons = int(totals["persons"])
    if total_hh == 0:
        raise BrowseError("no households in this area")
    hh_cells = [int(by_decile[d]["hh"]) if d in by_decile else 0 for d in DECILES]
    p_cells = [int(by_decile[d]["persons"]) if d in by_decile else 0 for d in DECILES]
    unranked = total_hh - sum(hh_cells)
    hh_shown = suppress([*hh_cells, unranked], threshold)
    p_shown = suppress(p_cells, threshold)
    # A household cell hidden hides its persons too (and the reverse), or one gives the other.
    for i in range(10):
        if hh_shown[i] is None or p_shown[i] is None:
            hh_shown[i] = p_shown[i] = None
    small_area = threshold > 1 and total_hh < threshold
    indicators = []
    for key in INDICATORS:
        count = int(totals[key])
        shown = suppress([count, total_hh - count], threshold)[0]
        share = suppressed_share(count, total_hh, threshold)
        indicators.append(Indicator(key, None if small_area else shown, share))
    return AreaProfile(
        area_code=area_code,
        households=None if small_area else total_hh,
        persons=None if threshold > 1 and total_persons < threshold else total_persons,
        decile_source=decile_source,
        deciles=[
            DecileCell(d, None if small_area else hh_shown[i], None if small_area else p_shown[i])
            for i, d in enumerate(DECILES)
        ],
        unranked_households=None if small_area else hh_shown[10],
        indicators=indicators,
        threshold=threshold,
    )


def desa_codes(
    release: Path, scope: str | None = None, *, engine: EngineName | Engine = "duckdb"
) -> list[str]:
    """The desa codes that have households in the release (inside ``scope``)."""
    with _Release(release, engine) as rel:
        rows = rel.fetch(
            f"SELECT DISTINCT desa_code FROM ({rel.h_sql}) h WHERE {_scope_sql(scope)} ORDER BY 1"
        )
    return [str(r["desa_code"]) for r in rows]
