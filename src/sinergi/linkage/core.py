"""Linking two lists and deduplicating one: exact NIK first, then Splink (Fellegi-Sunter).

Stage 1 accepts every pair with the same valid 16-digit NIK (or the same NIK
hash) with probability 1.0 and takes those records out of stage 2, except a
pair the records contradict (names with no word in common and a different
birth date or kecamatan: a mistyped NIK that is someone else's). In a
deduplication every record stays in stage 2, so a record without a NIK joins
its group through the member it resembles most. Stage 2 is
a Fellegi-Sunter model trained without labels on the remaining records: the
u probabilities by random sampling (seeded), the m probabilities by
expectation maximisation on blocking rules, the prior from deterministic
rules; name agreement is adjusted for how common the name is. Pairs at or
above ``accept`` are accepted, pairs between ``review`` and ``accept`` go to
the review table with one ``cmp_*`` label per comparison.

Results do not depend on the order of the input rows or on the engine for a
given seed; a model trained once (``result.model``) can be applied again
through ``LinkConfig(model=...)`` (on another engine too).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .engines import Backend, EngineName
from .inputs import read_records
from .model import (
    CMP_NAMES,
    build_settings,
    comparison_labels_sql,
    deterministic_rules,
    fill,
    training_rules,
)
from .prepare import PREPARED_COLUMNS, Prepared, prepare_records

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "DedupeResult",
    "LinkConfig",
    "LinkResult",
    "Progress",
    "dedupe_records",
    "link_records",
]

Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``: called as each step of a run starts and ends."""

STAGE_EXACT = "exact_nik"
STAGE_PROBABILISTIC = "probabilistic"


@dataclass(frozen=True)
class LinkConfig:
    """Thresholds and training settings of a linkage.

    Parameters
    ----------
    accept
        Pairs with a match probability at or above this are accepted.
    review
        Pairs from this up to ``accept`` go to review.
    seed
        Seed of the random sampling that estimates the u probabilities.
    u_max_pairs
        Random pairs sampled for the u probabilities.
    em_max_pairs
        At most this many blocked pairs per EM training rule (deterministic
        sample); ``None`` uses them all.
    prior_recall
        Assumed recall of the deterministic rules that estimate the prior.
    model
        A trained model (``LinkResult.model``) to apply instead of training.
    hash_nik
        ``Pseudonymiser.hash_many``-like function: clear NIKs are also hashed,
        so a list with clear NIKs matches one that only has ``nik_hash``.
    threads
        DuckDB threads (default: all cores).
    """

    accept: float = 0.95
    review: float = 0.50
    seed: int = 42
    u_max_pairs: float = 1e6
    em_max_pairs: float | None = 1e6
    prior_recall: float = 0.8
    model: dict[str, Any] | None = None
    hash_nik: Callable[[list[str | None]], list[str | None]] | None = None
    threads: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.review <= self.accept <= 1.0:
            raise ValueError(
                f"thresholds must satisfy 0 <= review ({self.review}) <= accept ({self.accept}) <= 1"
            )


@dataclass
class LinkResult:
    """The pairs of a linkage.

    ``accepted``: ``left_id, right_id, match_probability, stage``;
    ``review``: ``left_id, right_id, match_probability`` and the ``cmp_*``
    labels; ``stats``: counts and timings; ``model``: the trained Splink
    model (a JSON-able dict; empty when stage 2 did not run).
    """

    accepted: pa.Table
    review: pa.Table
    stats: dict[str, Any]
    model: dict[str, Any] = field(default_factory=dict)


@dataclass
class DedupeResult:
    """The clusters of a deduplication (``id, cluster_id``: each input id once).

    ``cluster_id`` is the smallest id of the cluster (ids compared as text);
    ``accepted`` and ``review`` are pairs as in :class:`LinkResult` (``left_id``
    < ``right_id``); review pairs already in one cluster are left out.
    """

    clusters: pa.Table
    accepted: pa.Table
    review: pa.Table
    stats: dict[str, Any]
    model: dict[str, Any] = field(default_factory=dict)


class _Steps:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0
        self.seconds: dict[str, float] = {}
        self._start = time.perf_counter()
        self._step: str | None = None

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        if self._step is not None:
            self.seconds[self._step] = round(now - self._start, 3)
            self.done += 1
        self._step, self._start = step, now
        if self.progress is not None:
            self.progress(step, self.done, self.total)

    def finish(self) -> None:
        self("done")
        self._step = None


def _accepted_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("left_id", pa.string()),
            ("right_id", pa.string()),
            ("match_probability", pa.float64()),
            ("stage", pa.string()),
        ]
    )


def _review_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("left_id", pa.string()),
            ("right_id", pa.string()),
            ("match_probability", pa.float64()),
            *((f"cmp_{name}", pa.string()) for name in CMP_NAMES),
        ]
    )


def _exact_pairs(left: Prepared, right: Prepared, present: frozenset[str]) -> pa.Table:
    """Pairs with the same valid NIK or NIK hash (``left_id``, ``right_id``), distinct."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts: list[pa.Table] = []
    for key, sixteen in (("nik", True), ("nik_hash", False)):
        if key not in present:
            continue
        sides = []
        for prepared, role in ((left, "left_id"), (right, "right_id")):
            t = prepared.table.select(["unique_id", key])
            valid = pc.is_valid(t.column(key))
            if sixteen:
                valid = pc.and_(valid, pc.equal(pc.utf8_length(t.column(key)), 16))
            sides.append(t.filter(valid).rename_columns([role, "key"]))
        joined = sides[0].join(sides[1], keys="key", join_type="inner")
        parts.append(joined.select(["left_id", "right_id"]))
    if not parts:
        return pa.table(
            {"left_id": pa.array([], pa.string()), "right_id": pa.array([], pa.string())}
        )
    pairs = pa.concat_tables(parts).group_by(["left_id", "right_id"]).aggregate([])
    pairs = _drop_contradicted(pairs, left.table, right.table)
    return pairs.sort_by([("left_id", "ascending"), ("right_id", "ascending")])


def _drop_contradicted(pairs: pa.Table, left: pa.Table, right: pa.Table) -> pa.Table:
    """Equal-NIK pairs without those the records contradict.

    NIKs are dense (serial 0001 in most kecamatan for most birth dates), so a
    mistyped NIK is often someone else's real one. A pair whose names share
    no word (by sound) and are not alike (Jaro-Winkler < 0.8) and whose birth
    dates or kecamatan differ is such a case: it is not accepted in stage 1,
    and both records go on to stage 2.
    """
    import pyarrow as pa

    if pairs.num_rows == 0:
        return pairs

    def lookup(table: pa.Table, ids: pa.ChunkedArray) -> list[list[Any]]:
        import pyarrow.compute as pc

        index = pc.index_in(ids, table.column("unique_id"))
        return [
            table.column(c).take(index).to_pylist()
            for c in ("name_key", "birth_days", "region6", "name_sorted")
        ]

    lk, ld, lr, ls = lookup(left, pairs.column("left_id"))
    rk, rd, rr, rs = lookup(right, pairs.column("right_id"))
    similarity = _jaro_winkler(ls, rs)
    keep = []
    for a, b, da, db, ra, rb, jw in zip(lk, rk, ld, rd, lr, rr, similarity, strict=True):
        names_differ = (
            a is not None
            and b is not None
            and not set(a.split()) & set(b.split())
            and (jw is None or jw < 0.8)
        )
        dates_differ = da is not None and db is not None and da != db
        places_differ = ra is not None and rb is not None and ra != rb
        keep.append(not (names_differ and (dates_differ or places_differ)))
    return pairs.filter(pa.array(keep, pa.bool_()))


def _jaro_winkler(a: list[str | None], b: list[str | None]) -> list[float | None]:
    """Jaro-Winkler similarity of each pair of names (DuckDB's, as the comparisons use)."""
    import duckdb
    import pyarrow as pa

    names = pa.table(
        {
            "i": pa.array(range(len(a)), pa.int64()),
            "a": pa.array(a, pa.string()),
            "b": pa.array(b, pa.string()),
        }
    )
    con = duckdb.connect()
    try:
        con.register("names", names)
        out = con.sql(
            "SELECT jaro_winkler_similarity(a, b) AS s FROM names ORDER BY i"
        ).to_arrow_table()
    finally:
        con.close()
    values: list[float | None] = out.column("s").to_pylist()
    return values


def _without(prepared: Prepared, ids: pa.Array) -> pa.Table:
    import pyarrow.compute as pc

    return prepared.table.filter(pc.invert(pc.is_in(prepared.table.column("unique_id"), ids)))


def _side_columns(table: str, suffix: str) -> str:
    cols = ", ".join(f"{c} AS {c}_{suffix}" for c in PREPARED_COLUMNS)
    return f"(SELECT {cols} FROM {table})"


def _labelled(
    backend: Backend, pairs: pa.Table, left: str, right: str, present: frozenset[str]
) -> pa.Table:
    """``pairs`` (left_id, right_id, match_probability) with their ``cmp_*`` labels."""
    if pairs.num_rows == 0:
        return _review_schema().empty_table()
    backend.create("sinergi_review_pairs", pairs)
    labels = ", ".join(comparison_labels_sql(present, backend.dialect))
    sql = (
        f"SELECT p.left_id, p.right_id, p.match_probability, {labels} "
        f"FROM sinergi_review_pairs p "
        f"JOIN {_side_columns(left, 'l')} l ON p.left_id = l.unique_id_l "
        f"JOIN {_side_columns(right, 'r')} r ON p.right_id = r.unique_id_r"
    )
    out = backend.arrow(sql).cast(_review_schema())
    return _sort(out)


def _sort(table: pa.Table) -> pa.Table:
    return table.sort_by(
        [("match_probability", "descending"), ("left_id", "ascending"), ("right_id", "ascending")]
    )


def _train(
    linker: Any,
    backend: Backend,
    tables: list[str],
    present: frozenset[str],
    config: LinkConfig,
    stats: dict[str, Any],
    smaller: int,
) -> None:
    from splink.internals.exceptions import SplinkException

    notes: list[str] = []
    try:
        linker.training.estimate_probability_two_random_records_match(
            deterministic_rules(present), recall=config.prior_recall
        )
    except (SplinkException, ValueError, ZeroDivisionError) as exc:
        notes.append(f"prior: {type(exc).__name__}")
    settings = linker._settings_obj
    prior = settings._probability_two_random_records_match
    if not 0.0 < prior < 1.0:
        # No deterministic match at all (tiny or very dirty inputs): assume one
        # true pair per record of the smaller side, which EM then refines.
        settings._probability_two_random_records_match = min(0.5, 1.0 / max(1, smaller))
        notes.append("prior: no deterministic match, assumed one match per record")
    linker.training.estimate_u_using_random_sampling(max_pairs=config.u_max_pairs, seed=config.seed)
    _fix_nik_levels(linker, backend, tables, present, stats)
    trained = 0
    for rule in training_rules(present):
        if trained == 2:
            break
        # A failed EM session leaves the model without the comparisons it blocked
        # on: keep a copy to put back.
        saved = copy.deepcopy(settings.core_model_settings)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=config.em_max_pairs
            )
            trained += 1
        except (SplinkException, ValueError, ZeroDivisionError) as exc:
            settings.core_model_settings = saved
            # A rule that blocks no pair (tiny inputs) trains nothing: the other rules
            # (or Splink's starting values) stand in.
            notes.append(f"EM on {rule!r}: {type(exc).__name__}")
    _floor_m(linker)
    if notes:
        stats["training_notes"] = notes


_M_FLOOR = 0.002


def _floor_m(linker: Any) -> None:
    """Keep every trained m probability at or above :data:`_M_FLOOR` (then rescale to 1).

    EM on a few thousand pairs drives the m of a level it never saw among the
    matches to 1e-30: one unusual address spelling would then veto a pair
    that agrees on everything else. The floor bounds any single level's veto
    at about -8 (log2 of 0.002 over a typical u).
    """
    for comparison in linker._settings_obj.comparisons:
        levels = comparison._comparison_levels_excluding_null
        values = [lv.m_probability for lv in levels]
        if any(v is None for v in values) or any(lv._fix_m_probability for lv in levels):
            continue
        floored = [max(float(v), _M_FLOOR) for v in values]
        total = sum(floored)
        for level, value in zip(levels, floored, strict=True):
            level.m_probability = value / total


_NIK_U_PAIRS = 2_000_000
# m of the NIK levels in stage 2, fixed: a true pair that reaches stage 2 with a
# NIK on both sides has a wrong NIK on one of them (equal NIKs were accepted in
# stage 1): mostly one mistyped or swapped digit, otherwise another number
# altogether (a relative's NIK, the KK number). Exact is left for malformed
# (15 or 17 digit) NIKs that are equal.
_NIK_M = {"nik": (0.02, 0.6, 0.38), "nik_hash": (0.02, 0.98)}


def _fix_nik_levels(
    linker: Any, backend: Backend, tables: list[str], present: frozenset[str], stats: dict[str, Any]
) -> None:
    """Fix the m and u probabilities of the NIK levels; EM does not train them.

    A NIK holds the birth date, and neighbours in a kecamatan born the same day
    have serials 0001, 0002, ...: two different persons with the same birth
    date often have NIKs one digit apart. Random pairs (which almost never
    share a birth date) would make "one digit apart" look like strong evidence
    and count the birth date twice, and EM would take "one digit apart" for
    the definition of a match. So the u of "one digit apart" is the share of
    pairs born the same day (a deterministic sample of about two million
    pairs, nearly all different persons) that are one digit apart, and the m
    values are fixed (:data:`_NIK_M`).
    """
    comparison = next(
        (c for c in linker._settings_obj.comparisons if c.output_column_name == "nik"), None
    )
    if comparison is None:
        return
    levels = comparison._comparison_levels_excluding_null
    clear = len(levels) == 3
    for level, m in zip(levels, _NIK_M["nik" if clear else "nik_hash"], strict=True):
        level.m_probability = m
        level._fix_m_probability = True
    if clear and "birth_date" in present:
        close = _same_day_close_share(backend, tables)
        if close is not None:
            exact_u = levels[0].u_probability or 1e-9
            levels[1].u_probability = close
            levels[2].u_probability = max(1e-9, 1.0 - close - exact_u)
            stats["nik_close_u"] = round(close, 6)
    for level in levels:
        level._fix_u_probability = True


def _same_day_close_share(backend: Backend, tables: list[str]) -> float | None:
    """Share of pairs born the same day whose (different) NIKs are one digit apart."""
    left, right = tables[0], tables[-1]
    dedupe = len(tables) == 1
    n_left = int(backend.scalar(f"SELECT count(*) FROM {left} WHERE nik IS NOT NULL") or 0)
    sizes = backend.arrow(
        f"SELECT count(*) AS n, count(DISTINCT birth_date) AS d FROM {right} "
        "WHERE nik IS NOT NULL AND birth_date IS NOT NULL"
    ).to_pylist()[0]
    if not n_left or not sizes["d"]:
        return None
    per_left = sizes["n"] / sizes["d"]
    modulus = max(1, int(n_left * per_left // _NIK_U_PAIRS) + 1)
    dl = fill("{dl:l.nik, r.nik}", backend.dialect)
    bucket = fill(f"{{bucket:l.unique_id, {modulus}}}", backend.dialect)
    row = backend.arrow(
        "SELECT count(*) AS n, "
        f"sum(CASE WHEN {dl} <= 1 THEN 1 ELSE 0 END) AS close "
        f"FROM {left} l JOIN {right} r ON l.birth_date = r.birth_date "
        f"WHERE l.nik IS NOT NULL AND r.nik IS NOT NULL AND l.nik <> r.nik AND {bucket} = 0"
        + (" AND l.unique_id < r.unique_id" if dedupe else "")
    ).to_pylist()[0]
    n = int(row["n"] or 0)
    if n < 50:
        return None
    return float(min(max(int(row["close"] or 0), 1) / n, 0.9))


def _predict(
    backend: Backend,
    tables: list[str],
    present: frozenset[str],
    config: LinkConfig,
    link_type: str,
    steps: _Steps,
    stats: dict[str, Any],
    smaller: int,
) -> tuple[pa.Table, dict[str, Any]]:
    """Train (or load) the model and return the pairs at or above ``review``."""
    from splink import Linker

    settings = build_settings(
        present, link_type=link_type, dialect=backend.dialect, trained=config.model
    )
    names = ["lhs", "rhs"][: len(tables)]
    inputs = [
        backend.api.register(t, dataset_display_name=n) for t, n in zip(tables, names, strict=True)
    ]
    linker = Linker(inputs if len(inputs) > 1 else inputs[0], settings, log_level=None)
    if config.model is None:
        steps("train")
        _train(linker, backend, tables, present, config, stats, smaller)
    model = linker.misc.save_model_to_json()
    steps("predict")
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    stats["pairs_compared"] = int(
        backend.scalar(f"SELECT count(*) FROM {blocked.physical_name}") or 0
    )
    predictions = linker.inference.predict(
        threshold_match_probability=config.review, warning_mode="never"
    )
    text = "VARCHAR" if backend.dialect == "duckdb" else "STRING"
    source = "source_dataset_l" if link_type == "link_only" else "'lhs'"
    pairs = backend.arrow(
        f"SELECT CAST(unique_id_l AS {text}) AS id_l, CAST(unique_id_r AS {text}) AS id_r, "
        f"{source} AS source_l, CAST(match_probability AS DOUBLE) AS match_probability "
        f"FROM {predictions.physical_name}"
    )
    stats["prior"] = model.get("probability_two_random_records_match")
    return pairs, model


def _oriented(pairs: pa.Table) -> pa.Table:
    """``left_id``/``right_id`` whichever side Splink put each record on."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from_left = pc.equal(pairs.column("source_l"), "lhs")
    return pa.table(
        {
            "left_id": pc.if_else(from_left, pairs.column("id_l"), pairs.column("id_r")),
            "right_id": pc.if_else(from_left, pairs.column("id_r"), pairs.column("id_l")),
            "match_probability": pairs.column("match_probability"),
        }
    )


def _best_per_left(table: pa.Table) -> pa.Table:
    """The most probable pair of each left id (ties: the smallest right id)."""
    import numpy as np
    import pyarrow as pa

    if table.num_rows == 0:
        return table
    ordered = table.sort_by(
        [("left_id", "ascending"), ("match_probability", "descending"), ("right_id", "ascending")]
    )
    left = ordered.column("left_id").to_numpy(zero_copy_only=False)
    first = np.ones(len(left), dtype=bool)
    first[1:] = left[1:] != left[:-1]
    return ordered.filter(pa.array(first))


def link_records(
    left: Any,
    right: Any,
    *,
    id_column: str = "id",
    config: LinkConfig | None = None,
    engine: EngineName = "duckdb",
    best_only: bool = True,
    progress: Progress | None = None,
    session: Any = None,
) -> LinkResult:
    """Link the records of ``left`` (a list) to those of ``right`` (a registry).

    Parameters
    ----------
    left, right
        ``pyarrow.Table`` or a CSV / Parquet / XLSX path; both with the id
        column and any of ``nik`` or ``nik_hash``, ``full_name``,
        ``birth_date``, ``sex``, ``address``, ``region_code``.
    id_column
        The id column of both inputs (ids are compared as text).
    config
        Thresholds and training (:class:`LinkConfig`).
    engine
        ``"duckdb"`` or ``"spark"``.
    best_only
        At most one accepted right record per left id (the most probable);
        review pairs of a left id that has an accepted pair are dropped.
    progress
        ``progress(step, done, total)``, for progress bars.
    session
        A Spark session (default: the active one, or a new local one).

    Returns
    -------
    LinkResult

    Examples
    --------
    >>> import pyarrow as pa
    >>> left = pa.table({"id": ["a"], "nik": ["1607054107900001"], "full_name": ["Siti"]})
    >>> right = pa.table({"id": ["x", "y"], "nik": ["1607054107900001", "1607051204900003"],
    ...                   "full_name": ["Hj. Siti", "Budi"]})
    >>> res = link_records(left, right)
    >>> res.accepted.to_pylist()
    [{'left_id': 'a', 'right_id': 'x', 'match_probability': 1.0, 'stage': 'exact_nik'}]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    config = config or LinkConfig()
    steps = _Steps(progress, 6)
    started = time.perf_counter()
    steps("read")
    left_table = read_records(left, label=_label(left, "left"))
    right_table = read_records(right, label=_label(right, "right"))
    steps("prepare")
    lp = prepare_records(
        left_table, id_column, label=_label(left, "left"), hash_nik=config.hash_nik
    )
    rp = prepare_records(
        right_table, id_column, label=_label(right, "right"), hash_nik=config.hash_nik
    )
    present = lp.present & rp.present
    stats: dict[str, Any] = {
        "records_left": lp.rows,
        "records_right": rp.rows,
        "engine": engine,
        "comparisons": [c for c in CMP_NAMES if _has(present, c)],
        "pairs_compared": 0,
    }
    steps("exact_nik")
    exact = _exact_pairs(lp, rp, present)
    stats["exact_nik_pairs"] = exact.num_rows
    accepted_parts = [
        exact.append_column(
            "match_probability", pa.array([1.0] * exact.num_rows, pa.float64())
        ).append_column("stage", pa.array([STAGE_EXACT] * exact.num_rows, pa.string()))
    ]
    review = _review_schema().empty_table()
    model: dict[str, Any] = {}
    left_rest = _without(
        lp,
        exact.column("left_id").combine_chunks() if exact.num_rows else pa.array([], pa.string()),
    )
    right_rest = _without(
        rp,
        exact.column("right_id").combine_chunks() if exact.num_rows else pa.array([], pa.string()),
    )
    stats["records_probabilistic_left"] = left_rest.num_rows
    stats["records_probabilistic_right"] = right_rest.num_rows
    if left_rest.num_rows and right_rest.num_rows and present - {"nik_hash"}:
        backend = Backend(engine, session=session, threads=config.threads)
        try:
            backend.create("sinergi_lhs", left_rest)
            backend.create("sinergi_rhs", right_rest)
            pairs, model = _predict(
                backend,
                ["sinergi_lhs", "sinergi_rhs"],
                present,
                config,
                "link_only",
                steps,
                stats,
                min(left_rest.num_rows, right_rest.num_rows),
            )
            pairs = _oriented(pairs)
            steps("review")
            is_accepted = pc.greater_equal(pairs.column("match_probability"), config.accept)
            probable = pairs.filter(is_accepted)
            probable = probable.append_column(
                "stage", pa.array([STAGE_PROBABILISTIC] * probable.num_rows, pa.string())
            )
            accepted_parts.append(probable.cast(_accepted_schema()))
            doubtful = pairs.filter(pc.invert(is_accepted))
            if best_only and doubtful.num_rows:
                matched = pa.concat_tables(accepted_parts).column("left_id")
                doubtful = doubtful.filter(pc.invert(pc.is_in(doubtful.column("left_id"), matched)))
            review = _labelled(backend, doubtful, "sinergi_lhs", "sinergi_rhs", present)
        finally:
            backend.close()
    accepted = pa.concat_tables([t.cast(_accepted_schema()) for t in accepted_parts])
    if best_only:
        accepted = _best_per_left(accepted)
    accepted = accepted.sort_by([("left_id", "ascending"), ("right_id", "ascending")])
    steps.finish()
    seconds = time.perf_counter() - started
    stats.update(
        accepted=accepted.num_rows,
        review=review.num_rows,
        seconds=round(seconds, 3),
        pairs_per_second=round(stats["pairs_compared"] / seconds, 1) if seconds > 0 else 0.0,
        step_seconds=steps.seconds,
    )
    return LinkResult(accepted=accepted, review=review, stats=stats, model=model)


def _has(present: frozenset[str], name: str) -> bool:
    return bool(present & {"nik", "nik_hash"}) if name == "nik" else name in present


def _label(source: Any, default: str) -> str:
    from os import PathLike
    from pathlib import Path

    if isinstance(source, (str, PathLike)):
        return Path(source).name
    return default


class _Components:
    """Union-find over record ids (path halving; the smaller id becomes the root)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        root = parent.setdefault(x, x)
        while root != parent[root]:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def _outside_groups(pairs: pa.Table, edges: pa.Table) -> pa.Table:
    """``pairs`` without those inside one group of ``edges`` (already accepted)."""
    import pyarrow as pa

    groups = _Components()
    for a, b in zip(
        edges.column("left_id").to_pylist(), edges.column("right_id").to_pylist(), strict=True
    ):
        groups.union(a, b)
    members = groups.parent
    keep = [
        not (a in members and b in members and groups.find(a) == groups.find(b))
        for a, b in zip(
            pairs.column("left_id").to_pylist(), pairs.column("right_id").to_pylist(), strict=True
        )
    ]
    return pairs.filter(pa.array(keep, pa.bool_()))


def _exact_groups(prepared: Prepared, present: frozenset[str]) -> tuple[pa.Table, pa.Array]:
    """Records with the same NIK or NIK hash: edges and the records that stand for them.

    Returns the edges (``left_id`` < ``right_id``) from each group's
    representative to its other members, and the ids of those other members
    (left out of stage 2). The representative is the group's most complete
    record (ties: the smallest id), so stage 2 compares the best data.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    table = prepared.table
    completeness = None
    for name in ("name_norm", "birth_date", "sex", "address_norm", "region", "nik"):
        flag = pc.cast(pc.is_valid(table.column(name)), pa.int8())
        completeness = flag if completeness is None else pc.add(completeness, flag)
    lefts: list[str] = []
    rights: list[str] = []
    members: set[str] = set()
    for key, sixteen in (("nik", True), ("nik_hash", False)):
        if key not in present:
            continue
        t = pa.table(
            {
                "unique_id": table.column("unique_id"),
                "key": table.column(key),
                "score": completeness,
            }
        )
        valid = pc.is_valid(t.column("key"))
        if sixteen:
            valid = pc.and_(valid, pc.equal(pc.utf8_length(t.column("key")), 16))
        t = t.filter(valid)
        counts = t.group_by("key").aggregate([("unique_id", "count")])
        repeated = counts.filter(pc.greater(counts.column("unique_id_count"), 1)).column("key")
        t = t.filter(pc.is_in(t.column("key"), repeated))
        if t.num_rows == 0:
            continue
        t = t.sort_by([("key", "ascending"), ("score", "descending"), ("unique_id", "ascending")])
        keys = np.array(t.column("key").to_pylist(), dtype=object)
        ids = t.column("unique_id").to_pylist()
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        rep = ""
        candidates: list[tuple[str, str]] = []
        for i, is_first in enumerate(first):
            if is_first:
                rep = ids[i]
                continue
            candidates.append((rep, ids[i]))
        checked = _drop_contradicted(
            pa.table(
                {
                    "left_id": pa.array([a for a, _ in candidates], pa.string()),
                    "right_id": pa.array([b for _, b in candidates], pa.string()),
                }
            ),
            table,
            table,
        )
        for rep_id, member in zip(
            checked.column("left_id").to_pylist(),
            checked.column("right_id").to_pylist(),
            strict=True,
        ):
            a, b = sorted((rep_id, member))
            lefts.append(a)
            rights.append(b)
            members.add(member)
    edges = pa.table(
        {"left_id": pa.array(lefts, pa.string()), "right_id": pa.array(rights, pa.string())}
    )
    if edges.num_rows:
        edges = edges.group_by(["left_id", "right_id"]).aggregate([])
        edges = edges.sort_by([("left_id", "ascending"), ("right_id", "ascending")])
    return edges, pa.array(sorted(members), pa.string())


def dedupe_records(
    table: Any,
    *,
    id_column: str = "id",
    config: LinkConfig | None = None,
    engine: EngineName = "duckdb",
    progress: Progress | None = None,
    session: Any = None,
) -> DedupeResult:
    """Group the records of ``table`` that are the same person.

    Records with the same valid NIK (or NIK hash) are one cluster at once
    (probability 1.0). The probabilistic stage then compares every record,
    so a record without a NIK joins a group through whichever member it
    resembles most (pairs inside a group are not accepted twice), and
    clusters are the connected components of all accepted pairs.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"id": ["1", "2", "3"],
    ...               "nik": ["1607054107900001", "1607054107900001", None],
    ...               "full_name": ["Siti", "Siti Aminah", "Budi"]})
    >>> dedupe_records(t).clusters.to_pylist()
    [{'id': '1', 'cluster_id': '1'}, {'id': '2', 'cluster_id': '1'}, {'id': '3', 'cluster_id': '3'}]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    config = config or LinkConfig()
    steps = _Steps(progress, 7)
    started = time.perf_counter()
    steps("read")
    raw = read_records(table, label=_label(table, "input"))
    steps("prepare")
    prepared = prepare_records(
        raw, id_column, label=_label(table, "input"), hash_nik=config.hash_nik
    )
    present = prepared.present
    stats: dict[str, Any] = {
        "records": prepared.rows,
        "records_left": prepared.rows,
        "records_right": prepared.rows,
        "engine": engine,
        "comparisons": [c for c in CMP_NAMES if _has(present, c)],
        "pairs_compared": 0,
    }
    steps("exact_nik")
    exact, members = _exact_groups(prepared, present)
    stats["exact_nik_pairs"] = exact.num_rows
    accepted_parts = [
        exact.append_column("match_probability", pa.array([1.0] * exact.num_rows, pa.float64()))
        .append_column("stage", pa.array([STAGE_EXACT] * exact.num_rows, pa.string()))
        .cast(_accepted_schema())
    ]
    review = _review_schema().empty_table()
    model: dict[str, Any] = {}
    # Every record takes part in stage 2, so a record without a NIK can join a
    # NIK group through whichever member it resembles most; pairs inside a
    # group are already accepted and are not repeated.
    del members
    rest = prepared.table
    stats["records_probabilistic"] = rest.num_rows
    components = _Components()
    if rest.num_rows > 1 and present - {"nik_hash"}:
        backend = Backend(engine, session=session, threads=config.threads)
        try:
            backend.create("sinergi_records", rest)
            pairs, model = _predict(
                backend,
                ["sinergi_records"],
                present,
                config,
                "dedupe_only",
                steps,
                stats,
                rest.num_rows,
            )
            pairs = pa.table(
                {
                    "left_id": pc.if_else(
                        pc.less(pairs.column("id_l"), pairs.column("id_r")),
                        pairs.column("id_l"),
                        pairs.column("id_r"),
                    ),
                    "right_id": pc.if_else(
                        pc.less(pairs.column("id_l"), pairs.column("id_r")),
                        pairs.column("id_r"),
                        pairs.column("id_l"),
                    ),
                    "match_probability": pairs.column("match_probability"),
                }
            )
            is_accepted = pc.greater_equal(pairs.column("match_probability"), config.accept)
            probable = pairs.filter(is_accepted)
            if exact.num_rows and probable.num_rows:
                probable = _outside_groups(probable, exact)
            accepted_parts.append(
                probable.append_column(
                    "stage", pa.array([STAGE_PROBABILISTIC] * probable.num_rows, pa.string())
                ).cast(_accepted_schema())
            )
            steps("cluster")
            accepted = pa.concat_tables(accepted_parts)
            for a, b in zip(
                accepted.column("left_id").to_pylist(),
                accepted.column("right_id").to_pylist(),
                strict=True,
            ):
                components.union(a, b)
            steps("review")
            doubtful = pairs.filter(pc.invert(is_accepted))
            if doubtful.num_rows:
                keep = [
                    components.find(a) != components.find(b)
                    for a, b in zip(
                        doubtful.column("left_id").to_pylist(),
                        doubtful.column("right_id").to_pylist(),
                        strict=True,
                    )
                ]
                doubtful = doubtful.filter(pa.array(keep, pa.bool_()))
            review = _labelled(backend, doubtful, "sinergi_records", "sinergi_records", present)
        finally:
            backend.close()
    accepted = pa.concat_tables(accepted_parts)
    if not components.parent:
        for a, b in zip(
            accepted.column("left_id").to_pylist(),
            accepted.column("right_id").to_pylist(),
            strict=True,
        ):
            components.union(a, b)
    ids = prepared.table.column("unique_id").to_pylist()
    clusters = pa.table(
        {
            "id": pa.array(ids, pa.string()),
            "cluster_id": pa.array([components.find(i) for i in ids], pa.string()),
        }
    )
    accepted = accepted.sort_by([("left_id", "ascending"), ("right_id", "ascending")])
    steps.finish()
    seconds = time.perf_counter() - started
    stats.update(
        accepted=accepted.num_rows,
        review=review.num_rows,
        clusters=len(set(clusters.column("cluster_id").to_pylist())),
        seconds=round(seconds, 3),
        pairs_per_second=round(stats["pairs_compared"] / seconds, 1) if seconds > 0 else 0.0,
        step_seconds=steps.seconds,
    )
    return DedupeResult(
        clusters=clusters, accepted=accepted, review=review, stats=stats, model=model
    )
