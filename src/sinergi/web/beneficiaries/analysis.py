"""The web side of convergence: a release's households and the programmes' matched
beneficiaries handed to :mod:`sinergi.targeting.convergence`, with the small-cell rule
applied for the reader.

The computation lives in ``sinergi.targeting.convergence``; this module only builds
its inputs and keeps the results in memory:

- the registry table of a release (``household_id, persons, decile`` and the area
  codes) is read once per process: a release is immutable, and its scores file is
  part of the cache key (scoring again rewrites it);
- the beneficiaries come from :func:`selectors.beneficiary_households`, the one place
  matches are read; results are kept under a key made of the runs, their links and
  the reviewers' decisions, so a decision shows on the next page view.

Which decile: the release's own (DTSEN) decile when the release carries one, else the
decile of the welfare model (PMT) from scoring; pages say which. Households without
either are left out of the figures and counted apart, and list rows placed in them
are counted apart too (never silently dropped).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.db.models import Count, Max, Sum

from sinergi.targeting import browse
from sinergi.targeting import releases as rel
from sinergi.targeting.convergence import (
    CONVERGENCE_COLUMNS,
    add_fractions,
    convergence,
    overlap,
    unreached_eligible,
    well_off_multiple,
)
from sinergi.web.beneficiaries import selectors
from sinergi.web.beneficiaries.models import (
    MatchDecision,
    MatchRun,
    Programme,
)
from sinergi.web.registry.models import Release
from sinergi.web.registry.services import release_dir

T = TypeVar("T")

#: The area column of each region level (``Region.level``) in the registry table.
LEVEL_COLUMN = {
    "province": "province_code",
    "regency": "regency_code",
    "district": "kecamatan_code",
    "village": "desa_code",
}
AREA_COLUMNS = ("desa_code", "kecamatan_code", "regency_code", "province_code")
#: The common target group of the "coverage of decile 1-4" chart.
TARGET_GROUP_K = 4
#: Suffix of the programme codes computed for the common target group.
GROUP_SUFFIX = "@k4"
WELL_OFF_MIN_DECILE = 7
WELL_OFF_MIN_PROGRAMMES = 2


# --- a small in-process cache ----------------------------------------------------------


class _Cache:
    """A bounded least-recently-used cache, shared by the threads of one process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]  # type: ignore[no-any-return]
        value = build()  # outside the lock: two threads may build once each, both right
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_registries = _Cache(4)
_results = _Cache(64)


def clear_caches() -> None:
    """Forget every cached table (tests; a release directory replaced in place)."""
    _registries.clear()
    _results.clear()


# --- the registry table ------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryTable:
    """A release's ranked households as convergence reads them."""

    table: pa.Table  # household_id, persons, decile, desa/kecamatan/regency/province_code
    decile_source: str  # 'release' (DTSEN decile), 'model' (PMT decile) or 'none'
    unranked: pa.Array  # ids of households without a decile (left out of ``table``)
    households: int  # every household of the release, ranked or not

    @property
    def unranked_households(self) -> int:
        return len(self.unranked)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def _read_registry(path: Path) -> RegistryTable:
    households = pq.read_table(
        path / "households.parquet",
        columns=["household_id", "persons", "decile", *AREA_COLUMNS],
    )
    own = households.column("decile").cast(pa.int32())
    if pc.count(own).as_py() > 0:
        source, decile = "release", own
    else:
        scores = rel.read_scores(path)
        if scores is not None and scores.num_rows:
            joined = households.select(["household_id"]).join(
                scores.select(["household_id", "model_decile"]),
                "household_id",
                join_type="left outer",
            )
            # join() does not keep the order: bring the decile back by household id.
            index = pc.index_in(households.column("household_id"), joined.column("household_id"))
            decile = pc.take(joined.column("model_decile"), index).cast(pa.int32())
            source = "model" if pc.count(decile).as_py() > 0 else "none"
        else:
            source, decile = "none", own
    table = households.set_column(
        households.schema.get_field_index("decile"), "decile", decile
    ).set_column(
        households.schema.get_field_index("persons"),
        "persons",
        households.column("persons").cast(pa.int64()),
    )
    ranked = pc.is_valid(table.column("decile"))
    return RegistryTable(
        table=table.filter(ranked).combine_chunks(),
        decile_source=source,
        unranked=pc.filter(table.column("household_id"), pc.invert(ranked)).combine_chunks(),
        households=table.num_rows,
    )


def registry_table(release: Release) -> RegistryTable:
    """The release's households with the decile convergence uses (cached per process)."""
    path = release_dir(release)
    key = (
        release.pk,
        str(path),
        _mtime(path / "households.parquet"),
        _mtime(path / rel.SCORES_FILE),
    )
    return _registries.get(key, lambda: _read_registry(path))


# --- programmes and their matched beneficiaries -------------------------------------------


@dataclass(frozen=True)
class ProgrammeRun:
    """A programme whose newest list has a finished run against the release."""

    programme: Programme
    run: MatchRun

    @property
    def code(self) -> str:
        return self.programme.code

    @property
    def rule(self) -> int | None:
        return self.programme.eligibility_max_decile

    @property
    def is_synthetic(self) -> bool:
        return bool(self.programme.is_synthetic or self.run.beneficiary_list.is_synthetic)


@dataclass
class Analysis:
    """Convergence of every matched programme in one release, computed on demand and
    cached; ``k`` (when given) replaces every programme's own rule."""

    release: Release
    registry: RegistryTable
    programmes: list[ProgrammeRun]
    beneficiaries: pa.Table  # household_id (null: not placed), programme, list_row, ...
    unranked_rows: dict[str, int]  # list rows placed in a household without a decile
    signature: tuple[Any, ...]
    k: int | None = None
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    @property
    def is_synthetic(self) -> bool:
        return bool(self.release.is_synthetic) or any(p.is_synthetic for p in self.programmes)

    @property
    def rules(self) -> dict[str, int | None]:
        """Each programme's K as the figures use it."""
        return {p.code: (self.k if self.k is not None else p.rule) for p in self.programmes}

    def by_code(self) -> dict[str, ProgrammeRun]:
        return {p.code: p for p in self.programmes}

    def _cached(self, what: str, params: tuple[Any, ...], build: Callable[[], T]) -> T:
        key = (what, self.signature, params)
        if key not in self._memo:
            self._memo[key] = _results.get(key, build)
        return self._memo[key]  # type: ignore[no-any-return]

    def _empty_inputs(self) -> bool:
        return not self.programmes or self.registry.table.num_rows == 0

    def _desa_table(self) -> pa.Table:
        """One engine run for every desa and programme, twice: under the rules of the page
        (``programme``) and for the common target group (``programme@k4``)."""
        rules = {
            **{code: k for code, k in self.rules.items()},
            **{code + GROUP_SUFFIX: TARGET_GROUP_K for code in self.rules},
        }

        def build() -> pa.Table:
            if self._empty_inputs():
                return _empty_convergence(AREA_COLUMNS)
            ben = self.beneficiaries.select(["household_id", "programme"])
            doubled = pa.concat_tables(
                [
                    ben,
                    ben.set_column(
                        1,
                        "programme",
                        pc.binary_join_element_wise(ben.column("programme"), GROUP_SUFFIX, ""),
                    ),
                ]
            )
            return convergence(
                self.registry.table, doubled, eligible_max_decile=rules, by=list(AREA_COLUMNS)
            )

        return self._cached("convergence", (tuple(sorted(rules.items())),), build)

    def _overlap_table(self) -> pa.Table:
        def build() -> pa.Table:
            if self._empty_inputs():
                return pa.table(
                    {
                        **{c: pa.array([], pa.string()) for c in AREA_COLUMNS},
                        "programme_a": pa.array([], pa.string()),
                        "programme_b": pa.array([], pa.string()),
                        "households": pa.array([], pa.int64()),
                    }
                )
            return overlap(self.registry.table, _placed(self.beneficiaries), by=list(AREA_COLUMNS))

        return self._cached("overlap", (), build)

    def prepare(self) -> Analysis:
        """Compute the desa table and the overlaps side by side (the engine releases the
        interpreter while it runs), so a page after a change waits for the longer of the
        two only."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            jobs = [pool.submit(self._desa_table), pool.submit(self._overlap_table)]
            for job in jobs:
                job.result()
        return self

    def area(self, code: str, *, group: bool = False) -> dict[str, dict[str, Any]]:
        """Each programme's figures in the area ``code`` (desa, kecamatan, regency or
        province): under the page's rules, or (``group``) for decile 1 to 4."""

        def build() -> dict[str, dict[str, Any]]:
            return _rolled_up(self._desa_table(), area_column(code), code)

        rows = self._cached("area", (code,), build)
        out = {}
        for name, row in rows.items():
            is_group = name.endswith(GROUP_SUFFIX)
            if is_group == group:
                out[name.removesuffix(GROUP_SUFFIX) if group else name] = row
        return out

    def desa_rows(self, programme: str, within: str) -> list[dict[str, Any]]:
        """The figures of ``programme`` in every desa inside area ``within``."""
        table = self._desa_table()
        if table.num_rows == 0:
            return []
        keep = pc.and_(
            pc.equal(table.column("programme"), programme), pc.is_valid(table.column("desa_code"))
        )
        if within.count(".") < 3:
            keep = pc.and_(keep, pc.equal(table.column(area_column(within)), within))
        else:
            keep = pc.and_(keep, pc.equal(table.column("desa_code"), within))
        return _rows_with_fractions(table.filter(keep).to_pylist())

    def overlap_pairs(self, code: str) -> dict[tuple[str, str], int]:
        """Households on both lists, for every ordered pair of programmes, in area ``code``."""

        def build() -> dict[tuple[str, str], int]:
            table = self._overlap_table()
            if table.num_rows == 0:
                return {}
            part = table.filter(pc.equal(table.column(area_column(code)), code))
            summed = part.group_by(["programme_a", "programme_b"]).aggregate(
                [("households", "sum")]
            )
            return {
                (r["programme_a"], r["programme_b"]): int(r["households_sum"] or 0)
                for r in summed.to_pylist()
            }

        return self._cached("overlap-area", (code,), build)

    def unmatched_rows(self) -> dict[str, int]:
        """List rows of each programme placed in no registry household (the engine counts
        them on rows without an area), plus those placed in a household without a decile."""
        out = dict.fromkeys((p.code for p in self.programmes), 0)
        table = self._desa_table()
        if table.num_rows:
            nowhere = table.filter(pc.is_null(table.column("desa_code")))
            for row in nowhere.select(["programme", "unmatched_rows"]).to_pylist():
                if row["programme"] in out:
                    out[row["programme"]] += int(row["unmatched_rows"] or 0)
        return out

    # --- household lists for field verification (callers check the scope first) ----------

    def _area_registry(self, area_code: str) -> pa.Table:
        column = "desa_code" if area_code.count(".") == 3 else _area_column(area_code)
        return self.registry.table.filter(pc.equal(self.registry.table.column(column), area_code))

    def unreached(
        self, area_code: str, *, programme: str | None = None, k: int | None = None
    ) -> pa.Table:
        """Eligible households of the area that no programme reaches (decile <= ``k``), or,
        with ``programme``, those eligible under its rule (or ``k``) that it does not reach."""
        reg = self._area_registry(area_code)
        ben = self.beneficiaries
        if programme is not None:
            ben = ben.filter(pc.equal(ben.column("programme"), programme))
            rule = k if k is not None else self.by_code()[programme].rule
            if rule is None:
                raise ValueError("programme without a decile rule")
        else:
            rule = k if k is not None else TARGET_GROUP_K
        if reg.num_rows == 0:
            return reg
        return unreached_eligible(reg, _placed(ben), eligible_max_decile=rule)

    def well_off(self, area_code: str) -> pa.Table:
        reg = self._area_registry(area_code)
        if reg.num_rows == 0 or not self.programmes:
            return reg.append_column("programmes", pa.array([], pa.int64())).append_column(
                "programme_list", pa.array([], pa.string())
            )
        return well_off_multiple(
            reg,
            _placed(self.beneficiaries),
            min_decile=WELL_OFF_MIN_DECILE,
            min_programmes=WELL_OFF_MIN_PROGRAMMES,
        )

    def programmes_of(self, household_ids: Sequence[str]) -> dict[str, list[str]]:
        """The programme codes reaching each of these households."""
        ben = _placed(self.beneficiaries)
        ben = ben.filter(pc.is_in(ben.column("household_id"), pa.array(household_ids, pa.string())))
        out: dict[str, set[str]] = {}
        for hid, code in zip(
            ben.column("household_id").to_pylist(), ben.column("programme").to_pylist(), strict=True
        ):
            out.setdefault(hid, set()).add(code)
        return {h: sorted(v) for h, v in out.items()}


#: Counts of the engine's output that add up over desa (a household lives in one desa).
ADDITIVE = (
    "households",
    "persons",
    "eligible_households",
    "eligible_persons",
    "beneficiary_households",
    "beneficiary_persons",
    "eligible_beneficiary_households",
    "eligible_beneficiary_persons",
)


def _rows_with_fractions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of counts (a desa's, or summed over a larger area) with their fractions,
    computed by :func:`sinergi.targeting.convergence.add_fractions`, the one definition."""
    if not rows:
        return []
    counts = pa.Table.from_pylist(
        [{c: r[c] for c in FRACTION_INPUTS} for r in rows],
        schema=pa.schema([(c, pa.int64()) for c in FRACTION_INPUTS]),
    )
    fractions = add_fractions(counts).select(list(FRACTIONS)).to_pylist()
    return [{**row, **extra} for row, extra in zip(rows, fractions, strict=True)]


FRACTION_INPUTS = (
    "households",
    "beneficiary_households",
    "eligible_households",
    "eligible_beneficiary_households",
    "eligible_persons",
    "eligible_beneficiary_persons",
)
FRACTIONS = ("inclusion_error", "exclusion_error", "coverage", "cgh")


def _rolled_up(table: pa.Table, column: str, code: str) -> dict[str, dict[str, Any]]:
    """Every programme's counts summed over the desa of one area, with their fractions."""
    if table.num_rows == 0:
        return {}
    part = table.filter(pc.equal(table.column(column), code))
    summed = part.group_by(["programme", "eligible_max_decile"], use_threads=False).aggregate(
        [(c, "sum") for c in ADDITIVE]
    )
    rows = []
    for r in summed.to_pylist():
        row = {c: (None if r[c + "_sum"] is None else int(r[c + "_sum"])) for c in ADDITIVE}
        row.update(programme=r["programme"], eligible_max_decile=r["eligible_max_decile"])
        rows.append(row)
    return {row["programme"]: row for row in _rows_with_fractions(rows)}


def _area_column(area_code: str) -> str:
    return {1: "province_code", 2: "regency_code", 3: "kecamatan_code"}.get(
        area_code.count(".") + 1, "desa_code"
    )


def area_column(area_code: str) -> str:
    """The registry column holding codes of the level of ``area_code``."""
    return _area_column(area_code)


def _placed(ben: pa.Table) -> pa.Table:
    hid = ben.column("household_id")
    return ben.filter(pc.and_(pc.is_valid(hid), pc.not_equal(hid, "")))


def _empty_convergence(by: Sequence[str]) -> pa.Table:
    fields = [pa.field(b, pa.string()) for b in by] + [
        pa.field(c, t) for c, t in CONVERGENCE_COLUMNS
    ]
    return pa.schema(fields).empty_table()


def _signature(release: Release, runs: list[MatchRun], registry_key: Hashable) -> tuple[Any, ...]:
    """What the figures depend on: the runs, the programmes' rules and the reviewers'
    decisions. The links of a finished run change only when a decision is made, changed
    or withdrawn (the matching services apply it into them), and a new run has a new
    id, so the links themselves need not be read."""
    programme_ids = [r.beneficiary_list.programme_id for r in runs]
    decisions = MatchDecision.objects.filter(programme_id__in=programme_ids).aggregate(
        n=Count("id"), last=Max("decided_at"), top=Max("id"), versions=Sum("version")
    )
    return (
        release.pk,
        registry_key,
        tuple(
            (
                r.pk,
                r.status,
                str(r.finished_at),
                r.beneficiary_list.programme.code,
                r.beneficiary_list.programme.eligibility_max_decile,
            )
            for r in runs
        ),
        tuple(decisions.values()),
    )


def analysis(release: Release, *, k: int | None = None) -> Analysis:
    """Everything the convergence pages and exports of ``release`` read."""
    registry = registry_table(release)
    runs = selectors.latest_runs(release.pk)
    runs.sort(key=lambda r: (r.beneficiary_list.programme.name, r.beneficiary_list.programme.code))
    signature = _signature(release, runs, (registry.households, registry.decile_source))

    def build() -> tuple[pa.Table, dict[str, int]]:
        ben = selectors.beneficiary_households(
            release.pk, [r.beneficiary_list.programme for r in runs]
        )
        # Rows placed in a household without a decile would read as "not in the registry":
        # count them apart and leave them out of the figures.
        unranked_mask = pc.is_in(ben.column("household_id"), registry.unranked)
        unranked_mask = pc.fill_null(unranked_mask, False)
        counts: dict[str, int] = {}
        for code in pc.filter(ben.column("programme"), unranked_mask).to_pylist():
            counts[code] = counts.get(code, 0) + 1
        kept = ben.filter(pc.invert(unranked_mask))
        # A row placed nowhere goes to the engine with an empty household id: "empty or
        # not in the registry" is what it counts as unmatched.
        index = kept.schema.get_field_index("household_id")
        kept = kept.set_column(index, "household_id", pc.fill_null(kept.column("household_id"), ""))
        return kept, counts

    ben, unranked_rows = _results.get(("beneficiaries", signature), build)
    return Analysis(
        release=release,
        registry=registry,
        programmes=[ProgrammeRun(r.beneficiary_list.programme, r) for r in runs],
        beneficiaries=ben,
        unranked_rows=unranked_rows,
        signature=signature,
        k=k,
    )


# --- the figures as the reader may see them -------------------------------------------------


def pct(fraction: float | None) -> Decimal | None:
    """A fraction as a percentage, exactly (0.6665 -> 66.65): page and XLSX round it alike."""
    return None if fraction is None else Decimal(str(fraction)) * 100


def shown_count(count: int | None, threshold: int) -> int | None:
    return None if count is None else browse.suppress([int(count)], threshold)[0]


def shown_share(
    value: float | None, count: int | None, total: int | None, threshold: int
) -> float | None:
    """``value`` (the engine's fraction count/total) unless the small-cell rule hides it."""
    if value is None or count is None or total is None:
        return None
    if browse.suppressed_share(int(count), int(total), threshold) is None:
        return None
    return value


@dataclass(frozen=True)
class Metrics:
    """One (area, programme) row of convergence, small cells hidden (``None``)."""

    programme: str
    rule: int | None
    households: int | None
    persons: int | None
    eligible_households: int | None
    eligible_persons: int | None
    beneficiary_households: int | None
    beneficiary_persons: int | None
    reached_eligible: int | None
    inclusion_error: Decimal | None  # percent
    exclusion_error: Decimal | None  # percent
    coverage: Decimal | None  # percent
    cgh: float | None
    hidden: bool  # something of the row is hidden by the small-cell rule


def metrics(row: dict[str, Any], threshold: int) -> Metrics:
    """The row of :func:`convergence` as shown to a reader whose small-cell threshold is
    ``threshold`` (1: nothing hidden)."""
    bh = row["beneficiary_households"]
    eh = row["eligible_households"]
    ebh = row["eligible_beneficiary_households"]
    t = threshold
    inc = shown_share(row["inclusion_error"], None if ebh is None else bh - ebh, bh, t)
    exc = shown_share(row["exclusion_error"], None if ebh is None else eh - ebh, eh, t)
    cov = shown_share(row["coverage"], ebh, eh, t)
    cgh = row["cgh"]
    if cgh is not None and (
        shown_share(1.0, ebh, bh, t) is None or shown_share(1.0, eh, row["households"], t) is None
    ):
        cgh = None
    households = shown_count(row["households"], t)
    eligible = shown_count(eh, t)
    beneficiaries = shown_count(bh, t)

    def persons(count: int | None, shown_households: int | None) -> int | None:
        # Persons of a hidden household count are hidden with it.
        return None if shown_households is None else shown_count(count, t)

    out = Metrics(
        programme=row["programme"],
        rule=row["eligible_max_decile"],
        households=households,
        persons=persons(row["persons"], households),
        eligible_households=eligible,
        eligible_persons=persons(row["eligible_persons"], eligible),
        beneficiary_households=beneficiaries,
        beneficiary_persons=persons(row["beneficiary_persons"], beneficiaries),
        reached_eligible=shown_count(ebh, t),
        inclusion_error=pct(inc),
        exclusion_error=pct(exc),
        coverage=pct(cov),
        cgh=cgh,
        hidden=False,
    )
    hidden = any(
        shown is None and raw is not None
        for shown, raw in (
            (out.households, row["households"]),
            (out.eligible_households, eh),
            (out.beneficiary_households, bh),
            (out.reached_eligible, ebh),
            (inc, row["inclusion_error"]),
            (exc, row["exclusion_error"]),
            (cov, row["coverage"]),
            (cgh, row["cgh"]),
        )
    )
    return Metrics(**{**out.__dict__, "hidden": hidden})
