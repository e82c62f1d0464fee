"""Matching a beneficiary list to a registry release, and keeping reviewers' decisions applied.

A run (:class:`MatchRun`) links every row of a list to the release's persons:

1. exact on the NIK hash (both sides hashed with the same key);
2. for the rows left, probabilistic (:func:`sinergi.linkage.link_records`, Splink) on
   full name, birth date, sex, address and desa code, with the run's two thresholds:
   accepted at or above ``accept_threshold``, clerical review between the two,
   no match below.

Every candidate pair the run found is kept with the run (``candidates.parquet`` beside
the list's rows: ids, hashes, the registry person's masked NIK and what agreed), so a
decision can be applied and withdrawn without running again. What convergence reads
(:class:`MatchLink`) is rebuilt from those candidates and the programme's decisions:
a "same person" decision makes that pair the row's only, accepted match (stage
``decision``); a "different person" decision removes that candidate (the row is
``unmatched`` when none is left). Every list row keeps at least one link.

A run of a few thousand rows takes seconds; the pages start it in a background thread
and poll its progress (the database is written once, in one transaction, at the end).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Count
from django.utils import timezone

from sinergi.web.audit.models import Action
from sinergi.web.audit.services import record
from sinergi.web.beneficiaries import services
from sinergi.web.beneficiaries.models import (
    BeneficiaryList,
    Decision,
    MatchDecision,
    MatchLink,
    MatchRun,
    MatchStage,
    MatchState,
    RunStatus,
)
from sinergi.web.registry.models import Release
from sinergi.web.registry.services import release_dir

log = logging.getLogger(__name__)

CANDIDATES_FILE = "candidates.parquet"
DEFAULT_ACCEPT = 0.95
DEFAULT_REVIEW = 0.50
COMPARED = ("nik", "full_name", "birth_date", "sex", "address", "region_code")
#: A run still "running" after this long was cut off (the server stopped).
STALE_AFTER_SECONDS = 3600

_people_cache: dict[str, tuple[float, Any]] = {}
_cache_lock = threading.Lock()

Progress = Callable[[str, float], None]


class RunRefused(Exception):
    """A run cannot start (list not ready, thresholds out of order)."""


def run_dir(run: MatchRun) -> Path:
    return services.list_dir(run.beneficiary_list) / "runs" / str(run.pk)


def default_thresholds(blist: BeneficiaryList) -> tuple[float, float]:
    """The programme's thresholds: those of its last run, else 0.95 / 0.50."""
    last = (
        MatchRun.objects.filter(beneficiary_list__programme_id=blist.programme_id)
        .order_by("-started_at", "-id")
        .first()
    )
    if last is None:
        return DEFAULT_ACCEPT, DEFAULT_REVIEW
    return last.accept_threshold, last.review_threshold


# --- the release's persons ----------------------------------------------------------


def registry_people(release: Release) -> Any:
    """One row per registry person: ``id`` (the NIK hash, the person's key across releases),
    ``household_id``, ``full_name``, ``birth_date``, ``sex``, ``address`` and
    ``region_code`` (the household's desa), ``nik_masked``. Cached per release file."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = release_dir(release)
    members_file = path / "members.parquet"
    stamp = members_file.stat().st_mtime
    key = str(path)
    with _cache_lock:
        hit = _people_cache.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
    members = pq.read_table(
        members_file,
        columns=["household_id", "nik_hash", "nik_masked", "full_name", "sex", "birth_date"],
    )
    households = pq.read_table(
        path / "households.parquet", columns=["household_id", "desa_code", "address"]
    )
    joined = members.filter(pc.is_valid(members.column("nik_hash"))).join(
        households, "household_id", join_type="left outer"
    )
    people = pa.table(
        {
            "id": joined.column("nik_hash"),
            "household_id": joined.column("household_id"),
            "full_name": joined.column("full_name"),
            "birth_date": joined.column("birth_date"),
            "sex": joined.column("sex"),
            "address": joined.column("address"),
            "region_code": joined.column("desa_code"),
            "nik_masked": joined.column("nik_masked"),
        }
    )
    with _cache_lock:
        _people_cache.clear()  # one release at a time: a regency slice is ~1M persons
        _people_cache[key] = (stamp, people)
    return people


# --- the matching itself ------------------------------------------------------------

CANDIDATE_COLUMNS = (
    "list_row",
    "person_key",
    "household_id",
    "probability",
    "stage",
    "state",
    *(f"cmp_{c}" for c in COMPARED),
    "r_full_name",
    "r_birth_date",
    "r_sex",
    "r_address",
    "r_desa_code",
    "r_nik_masked",
)


def _linkage() -> Any:
    try:
        import sinergi.linkage as linkage

        linkage.link_records  # noqa: B018 - the module may still be landing
        return linkage
    except (ImportError, AttributeError):
        return None


def _list_records(rows: Any) -> Any:
    import pyarrow as pa

    return pa.table(
        {
            "id": rows.column("source_id"),
            "nik_hash": rows.column("nik_hash"),
            "full_name": rows.column("full_name"),
            "birth_date": rows.column("birth_date"),
            "sex": rows.column("sex"),
            "address": rows.column("address"),
            "region_code": rows.column("region_code"),
        }
    )


def find_candidates(
    rows: Any,
    people: Any,
    *,
    accept: float,
    review: float,
    progress: Progress | None = None,
    models: dict[str, Any] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Candidate pairs of a list (its stored rows) against a release's persons.

    Returns ``(candidates, stats)``: candidates has :data:`CANDIDATE_COLUMNS`
    (``state`` ``accepted`` or ``review``; rows with no candidate are absent).
    ``models``, when given, holds a trained model (key ``link``) to apply instead of
    training one, and receives the model trained here (the demo matches several lists
    against one release and trains once).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    say = progress or (lambda _step, _f: None)
    records = _list_records(rows)
    stats: dict[str, Any] = {"engine": "duckdb"}
    # 1. exact on the NIK hash
    say("exact", 0.1)
    with_nik = records.filter(pc.is_valid(records.column("nik_hash")))
    exact = with_nik.select(["id", "nik_hash"]).join(
        people.select(["id"]).rename_columns(["nik_hash"]),
        "nik_hash",
        join_type="inner",
    )
    exact_rows = set(exact.column("id").to_pylist())
    pairs: list[dict[str, Any]] = [
        {
            "list_row": lr,
            "person_key": pk,
            "probability": 1.0,
            "stage": MatchStage.EXACT_NIK.value,
            "state": MatchState.ACCEPTED.value,
            "cmp_nik": "exact",
        }
        for lr, pk in zip(
            exact.column("id").to_pylist(), exact.column("nik_hash").to_pylist(), strict=True
        )
    ]
    # 2. probabilistic on the rows left
    rest = records.filter(pc.invert(pc.is_in(records.column("id"), pa.array(list(exact_rows)))))
    stats["exact_rows"] = len(exact_rows)
    stats["probabilistic_input"] = rest.num_rows
    linkage = _linkage()
    if rest.num_rows and linkage is not None:
        say("probabilistic", 0.3)
        started = time.perf_counter()
        trained = (models or {}).get("link")
        config = linkage.LinkConfig(accept=accept, review=review, seed=42, model=trained)
        result = linkage.link_records(
            rest,
            _probabilistic_right(people, rest),
            id_column="id",
            config=config,
            engine="duckdb",
            best_only=True,
        )
        stats["probabilistic_seconds"] = round(time.perf_counter() - started, 2)
        stats["model_reused"] = trained is not None
        if models is not None and trained is None and getattr(result, "model", None):
            models["link"] = result.model
        stats["linkage"] = _plain_stats(getattr(result, "stats", {}) or {})
        for row in result.accepted.to_pylist():
            pairs.append(
                {
                    "list_row": row["left_id"],
                    "person_key": row["right_id"],
                    "probability": float(row["match_probability"]),
                    "stage": MatchStage.PROBABILISTIC.value,
                    "state": MatchState.ACCEPTED.value,
                    **{f"cmp_{c}": row.get(f"cmp_{c}") for c in COMPARED},
                }
            )
        accepted_rows = {p["list_row"] for p in pairs}
        for row in result.review.to_pylist():
            if row["left_id"] in accepted_rows:
                continue
            pairs.append(
                {
                    "list_row": row["left_id"],
                    "person_key": row["right_id"],
                    "probability": float(row["match_probability"]),
                    "stage": MatchStage.PROBABILISTIC.value,
                    "state": MatchState.REVIEW.value,
                    **{f"cmp_{c}": row.get(f"cmp_{c}") for c in COMPARED},
                }
            )
    elif rest.num_rows:
        stats["probabilistic"] = "unavailable"
    say("details", 0.8)
    return _with_person_details(pairs, people), stats


def _probabilistic_right(people: Any, left: Any) -> Any:
    """The registry persons the probabilistic stage compares with: those of the desa and
    kecamatan the list rows name (all persons when a row names no place)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = [c for c in left.column("region_code").to_pylist() if c]
    if len(codes) < left.num_rows:
        return people.select([c for c in people.column_names if c != "nik_masked"])
    kecamatan = sorted({".".join(c.split(".")[:3]) for c in codes})
    region = people.column("region_code")
    prefix = pc.utf8_slice_codeunits(region, 0, 8)
    mask = pc.is_in(prefix, pa.array(kecamatan))
    return people.filter(mask).select([c for c in people.column_names if c != "nik_masked"])


def _plain_stats(stats: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in stats.items():
        if isinstance(v, bool | int | float | str) or v is None:
            out[str(k)] = v
        elif isinstance(v, dict):
            out[str(k)] = _plain_stats(v)
        else:
            out[str(k)] = str(v)
    return out


def _with_person_details(pairs: list[dict[str, Any]], people: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = pa.schema(
        [
            ("list_row", pa.string()),
            ("person_key", pa.string()),
            ("household_id", pa.string()),
            ("probability", pa.float64()),
            ("stage", pa.string()),
            ("state", pa.string()),
            *((f"cmp_{c}", pa.string()) for c in COMPARED),
            ("r_full_name", pa.string()),
            ("r_birth_date", pa.date32()),
            ("r_sex", pa.string()),
            ("r_address", pa.string()),
            ("r_desa_code", pa.string()),
            ("r_nik_masked", pa.string()),
        ]
    )
    if not pairs:
        return schema.empty_table()
    keys = pa.array(sorted({p["person_key"] for p in pairs}), pa.string())
    found = people.filter(pc.is_in(people.column("id"), keys)).to_pylist()
    by_key = {p["id"]: p for p in found}
    rows = []
    for p in pairs:
        person = by_key.get(p["person_key"], {})
        rows.append(
            {
                **{c: p.get(c) for c in schema.names},
                "household_id": person.get("household_id"),
                "r_full_name": person.get("full_name"),
                "r_birth_date": person.get("birth_date"),
                "r_sex": person.get("sex"),
                "r_address": person.get("address"),
                "r_desa_code": person.get("region_code"),
                "r_nik_masked": person.get("nik_masked"),
            }
        )
    return pa.Table.from_pylist(rows, schema)


def list_duplicates(rows: Any, models: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """Rows that repeat an earlier row of the same list (same person listed twice):
    clusters of :func:`sinergi.linkage.dedupe_records`, or equal NIK hashes without it."""
    import pyarrow.compute as pc

    linkage = _linkage()
    if linkage is not None and hasattr(linkage, "dedupe_records") and rows.num_rows > 1:
        try:
            trained = (models or {}).get("dedupe")
            result = linkage.dedupe_records(
                _list_records(rows),
                id_column="id",
                config=linkage.LinkConfig(
                    seed=42, model=trained, **((models or {}).get("training") or {})
                ),
                engine="duckdb",
            )
            if models is not None and trained is None and getattr(result, "model", None):
                models["dedupe"] = result.model
            clusters = result.clusters
            n = clusters.num_rows - pc.count_distinct(clusters.column("cluster_id")).as_py()
            return int(n), {"dedupe": _plain_stats(getattr(result, "stats", {}) or {})}
        except Exception as exc:
            log.warning("dedupe of a beneficiary list failed: %s", type(exc).__name__)
    hashes = [h for h in rows.column("nik_hash").to_pylist() if h]
    return len(hashes) - len(set(hashes)), {"dedupe": "nik_hash"}


# --- links from candidates and decisions ---------------------------------------------


def _links_for_row(
    run: MatchRun,
    list_row: str,
    candidates: list[dict[str, Any]],
    decisions: dict[str, str],
    households: dict[str, str],
) -> list[MatchLink]:
    """The links of one list row: its candidates with the programme's decisions applied."""

    def comparison(c: dict[str, Any]) -> dict[str, Any]:
        return {k[4:]: c[k] for k in c if k.startswith("cmp_") and c.get(k)}

    same = [pk for pk, d in decisions.items() if d == Decision.MATCH]
    if same:
        pk = same[0]
        chosen = next((c for c in candidates if c["person_key"] == pk), None)
        household = chosen["household_id"] if chosen else households.get(pk)
        if household:
            return [
                MatchLink(
                    run=run,
                    list_row=list_row,
                    person_key=pk,
                    household_id=household,
                    probability=chosen["probability"] if chosen else None,
                    stage=MatchStage.DECISION,
                    state=MatchState.ACCEPTED,
                    comparison=comparison(chosen) if chosen else {},
                )
            ]
    kept = [
        c
        for c in candidates
        if decisions.get(c["person_key"]) != Decision.NON_MATCH and c.get("household_id")
    ]
    accepted = [c for c in kept if c["state"] == MatchState.ACCEPTED]
    if accepted:
        kept = accepted[:1]
    if not kept:
        return [
            MatchLink(
                run=run,
                list_row=list_row,
                person_key="",
                household_id="",
                probability=None,
                stage=MatchStage.NONE,
                state=MatchState.UNMATCHED,
            )
        ]
    return [
        MatchLink(
            run=run,
            list_row=list_row,
            person_key=c["person_key"],
            household_id=c["household_id"],
            probability=c["probability"],
            stage=c["stage"],
            state=c["state"],
            comparison=comparison(c),
        )
        for c in sorted(kept, key=lambda c: -(c["probability"] or 0))
    ]


def _decisions(programme_id: int, rows: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    qs = MatchDecision.objects.filter(programme_id=programme_id)
    if rows is not None:
        qs = qs.filter(list_row__in=list(rows))
    out: dict[str, dict[str, str]] = {}
    for lr, pk, d in qs.values_list("list_row", "person_key", "decision"):
        out.setdefault(lr, {})[pk] = d
    return out


def _read_candidates(run: MatchRun, rows: Iterable[str] | None = None) -> list[dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = run_dir(run) / CANDIDATES_FILE
    if not path.exists():
        return []
    table = pq.read_table(path)
    if rows is not None:
        table = table.filter(pc.is_in(table.column("list_row"), pa.array(list(rows), pa.string())))
    return table.to_pylist()


def candidates(run: MatchRun, list_row: str) -> list[dict[str, Any]]:
    """Every candidate pair the run found for one list row (for the review page)."""
    return _read_candidates(run, [list_row])


def _households_of(release: Release, person_keys: set[str]) -> dict[str, str]:
    """Household of each person (NIK hash) in the release (for remembered decisions)."""
    if not person_keys:
        return {}
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    members = pq.read_table(
        release_dir(release) / "members.parquet", columns=["household_id", "nik_hash"]
    )
    found = members.filter(pc.is_in(members.column("nik_hash"), pa.array(sorted(person_keys))))
    return dict(
        zip(
            found.column("nik_hash").to_pylist(),
            found.column("household_id").to_pylist(),
            strict=True,
        )
    )


def count_links(run: MatchRun) -> dict[str, int]:
    """Rows by outcome (a row in review counts once, whatever its candidates)."""
    by_state: dict[str, set[str]] = {s: set() for s in MatchState.values}
    stage_rows: dict[str, int] = {}
    for lr, state, stage in MatchLink.objects.filter(run=run).values_list(
        "list_row", "state", "stage"
    ):
        by_state[state].add(lr)
        if state == MatchState.ACCEPTED:
            stage_rows[stage] = stage_rows.get(stage, 0) + 1
    pairs = MatchLink.objects.filter(run=run, state=MatchState.REVIEW).aggregate(n=Count("id"))
    return {
        "matched": len(by_state[MatchState.ACCEPTED]),
        "exact": stage_rows.get(MatchStage.EXACT_NIK, 0),
        "probabilistic": stage_rows.get(MatchStage.PROBABILISTIC, 0),
        "decided": stage_rows.get(MatchStage.DECISION, 0),
        "review": len(by_state[MatchState.REVIEW]),
        "review_pairs": int(pairs["n"] or 0),
        "unmatched": len(by_state[MatchState.UNMATCHED]),
        "households": MatchLink.objects.filter(run=run, state=MatchState.ACCEPTED)
        .values("household_id")
        .distinct()
        .count(),
    }


@transaction.atomic
def reapply(run: MatchRun, rows: Iterable[str]) -> None:
    """Rebuild the links of some rows of a run from its candidates and the decisions."""
    rows = list(rows)
    blist = run.beneficiary_list
    cands = _read_candidates(run, rows)
    decisions = _decisions(blist.programme_id, rows)
    by_row: dict[str, list[dict[str, Any]]] = {}
    for c in cands:
        by_row.setdefault(c["list_row"], []).append(c)
    wanted = {
        pk
        for lr in rows
        for pk, d in decisions.get(lr, {}).items()
        if d == Decision.MATCH and pk not in {c["person_key"] for c in by_row.get(lr, [])}
    }
    households = _households_of(run.release, wanted)
    MatchLink.objects.filter(run=run, list_row__in=rows).delete()
    links: list[MatchLink] = []
    for lr in rows:
        links += _links_for_row(run, lr, by_row.get(lr, []), decisions.get(lr, {}), households)
    MatchLink.objects.bulk_create(links)
    counts = dict(run.counts)
    counts.update(count_links(run))
    MatchRun.objects.filter(pk=run.pk).update(counts=counts)
    run.counts = counts


# --- runs ---------------------------------------------------------------------------


def _set_progress(run_id: int, step: str, fraction: float) -> None:
    run = MatchRun.objects.filter(pk=run_id).only("stats").first()
    if run is None:
        return
    stats = dict(run.stats or {})
    stats["progress"] = {"step": step, "fraction": round(fraction, 2)}
    MatchRun.objects.filter(pk=run_id).update(stats=stats)


def execute(
    run: MatchRun,
    progress: Progress | None = None,
    models: dict[str, Any] | None = None,
    precomputed: tuple[Any, dict[str, Any]] | None = None,
) -> MatchRun:
    """Match the run's list to its release and write its links (one transaction)."""
    import pyarrow.parquet as pq

    def say(step: str, fraction: float) -> None:
        _set_progress(run.pk, step, fraction)
        if progress is not None:
            progress(step, fraction)

    started = time.perf_counter()
    blist = run.beneficiary_list
    tmp: Path | None = None
    try:
        say("reading", 0.02)
        rows = services.read_rows(blist)
        if precomputed is not None:
            cands, stats = precomputed
        else:
            cands, stats = find_candidates(
                rows,
                registry_people(run.release),
                accept=run.accept_threshold,
                review=run.review_threshold,
                progress=say,
                models=models,
            )
        say("duplicates", 0.85)
        duplicates, dedupe_stats = list_duplicates(rows, models)
        stats.update(dedupe_stats)
        dest = run_dir(run)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".run-", dir=dest.parent))
        pq.write_table(cands, tmp / CANDIDATES_FILE)
        say("saving", 0.9)
        source_ids = rows.column("source_id").to_pylist()
        decisions = _decisions(blist.programme_id)
        by_row: dict[str, list[dict[str, Any]]] = {}
        for c in cands.to_pylist():
            by_row.setdefault(c["list_row"], []).append(c)
        people_households = {}
        wanted = {
            pk
            for lr in source_ids
            for pk, d in decisions.get(lr, {}).items()
            if d == Decision.MATCH and pk not in {c["person_key"] for c in by_row.get(lr, [])}
        }
        if wanted:
            people_households = _households_of(run.release, wanted)
        status = dict(zip(source_ids, rows.column("nik_status").to_pylist(), strict=True))
        with transaction.atomic():
            if dest.exists():
                shutil.rmtree(dest)
            tmp.rename(dest)
            tmp = None
            MatchLink.objects.filter(run=run).delete()
            links: list[MatchLink] = []
            for lr in source_ids:
                links += _links_for_row(
                    run, lr, by_row.get(lr, []), decisions.get(lr, {}), people_households
                )
            MatchLink.objects.bulk_create(links, batch_size=2000)
            counts: dict[str, Any] = {
                "rows": len(source_ids),
                "nik_invalid": sum(1 for s in status.values() if s == "invalid"),
                "nik_missing": sum(1 for s in status.values() if s == "missing"),
                "duplicates": duplicates,
                "decisions_applied": sum(1 for lr in source_ids if lr in decisions),
            }
            counts.update(count_links(run))
            stats["seconds"] = round(time.perf_counter() - started, 2)
            stats["progress"] = {"step": "done", "fraction": 1.0}
            run.counts, run.stats = counts, stats
            run.status = RunStatus.DONE
            run.finished_at = timezone.now()
            run.save(update_fields=["counts", "stats", "status", "finished_at"])
            record(run, Action.CREATE, run.created_by)
    except Exception as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        log.exception("matching run %s failed", run.pk)
        MatchRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            stats={"error": type(exc).__name__, "seconds": round(time.perf_counter() - started, 2)},
        )
        run.refresh_from_db()
        return run
    log.info(
        "matching run %s (%s rows) done in %.1f s: %s",
        run.pk,
        len(source_ids),
        stats["seconds"],
        {k: v for k, v in counts.items() if isinstance(v, int)},
    )
    return run


def _in_background(run_id: int) -> None:
    try:
        close_old_connections()
        run = MatchRun.objects.select_related("beneficiary_list__programme", "release").get(
            pk=run_id
        )
        execute(run)
    finally:
        connection.close()


def start(
    blist: BeneficiaryList,
    release: Release,
    *,
    user: services.User,
    accept: float | None = None,
    review: float | None = None,
    background: bool | None = None,
    models: dict[str, Any] | None = None,
) -> MatchRun:
    """Create a run and match it, now or (``background``) in a thread after the commit
    (``models``: see :func:`find_candidates`; only for a run in the foreground)."""
    from sinergi.web.beneficiaries.models import ListStatus

    if blist.status != ListStatus.READY:
        raise RunRefused("list not ready")
    default_accept, default_review = default_thresholds(blist)
    accept = default_accept if accept is None else float(accept)
    review = default_review if review is None else float(review)
    if not (0 < review <= accept <= 1):
        raise RunRefused("thresholds out of order")
    run = MatchRun.objects.create(
        beneficiary_list=blist,
        release=release,
        accept_threshold=accept,
        review_threshold=review,
        status=RunStatus.RUNNING,
        stats={"progress": {"step": "queued", "fraction": 0.0}},
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if background is None:
        background = bool(getattr(settings, "SINERGI_BENEFICIARY_MATCH_IN_BACKGROUND", True))
    if background:
        transaction.on_commit(
            lambda: threading.Thread(
                target=_in_background, args=(run.pk,), name=f"match-run-{run.pk}", daemon=True
            ).start()
        )
        return run
    return execute(run, models=models)


def is_stale(run: MatchRun) -> bool:
    """A run still marked running long after it started (its server stopped)."""
    return (
        run.status == RunStatus.RUNNING
        and (timezone.now() - run.started_at).total_seconds() > STALE_AFTER_SECONDS
    )


def match_many(
    lists: list[tuple[BeneficiaryList, float, float]],
    release: Release,
    *,
    user: services.User,
    models: dict[str, Any] | None = None,
    kecamatan: list[str] | None = None,
    training: dict[str, float] | None = None,
) -> list[MatchRun]:
    """Match several lists (each with its accept/review thresholds) to one release with a
    single probabilistic linkage of all their rows left after the NIK stage (the release
    is prepared once), then save each list's run as :func:`execute` does.

    ``kecamatan`` limits the registry persons compared to those kecamatan (lists drawn
    there); ``training`` passes Splink sampling sizes (``u_max_pairs``,
    ``em_max_pairs``) to :class:`sinergi.linkage.LinkConfig`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    people = registry_people(release)
    runs, records, exact_pairs = [], [], []
    sep = "\x1f"
    for i, (blist, accept, review) in enumerate(lists):
        runs.append(
            MatchRun.objects.create(
                beneficiary_list=blist,
                release=release,
                accept_threshold=accept,
                review_threshold=review,
                status=RunStatus.RUNNING,
                created_by=user if user is not None and user.is_authenticated else None,
            )
        )
        rows = services.read_rows(blist)
        recs = _list_records(rows)
        with_nik = recs.filter(pc.is_valid(recs.column("nik_hash")))
        exact = with_nik.select(["id", "nik_hash"]).join(
            people.select(["id"]).rename_columns(["nik_hash"]), "nik_hash", join_type="inner"
        )
        exact_pairs.append(exact)
        done = pa.array(exact.column("id").to_pylist(), pa.string())
        rest = recs.filter(pc.invert(pc.is_in(recs.column("id"), done)))
        prefixed = pc.binary_join_element_wise(pa.scalar(str(i)), rest.column("id"), sep)
        records.append(rest.set_column(0, "id", prefixed))
    left = pa.concat_tables(records)
    linkage = _linkage()
    low_accept = min(a for _b, a, _r in lists)
    low_review = min(r for _b, _a, r in lists)
    prob: dict[int, list[dict[str, Any]]] = {i: [] for i in range(len(lists))}
    stats: dict[str, Any] = {"engine": "duckdb", "batched_lists": len(lists)}
    if left.num_rows and linkage is not None:
        started = time.perf_counter()
        trained = (models or {}).get("link")
        if kecamatan:
            prefix = pc.utf8_slice_codeunits(people.column("region_code"), 0, 8)
            right = people.filter(pc.is_in(prefix, pa.array(kecamatan, pa.string())))
            right = right.select([c for c in right.column_names if c != "nik_masked"])
        else:
            right = _probabilistic_right(people, left)
        result = linkage.link_records(
            left,
            right,
            id_column="id",
            config=linkage.LinkConfig(
                accept=low_accept, review=low_review, seed=42, model=trained, **(training or {})
            ),
            engine="duckdb",
            best_only=True,
        )
        if models is not None and trained is None and getattr(result, "model", None):
            models["link"] = result.model
        stats["probabilistic_seconds"] = round(time.perf_counter() - started, 2)
        stats["linkage"] = _plain_stats(getattr(result, "stats", {}) or {})
        for kind, table in (("accepted", result.accepted), ("review", result.review)):
            for row in table.to_pylist():
                i_text, _s, source_id = row["left_id"].partition(sep)
                prob[int(i_text)].append({**row, "left_id": source_id, "_kind": kind})
    out = []
    for i, ((_blist, accept, review), run) in enumerate(zip(lists, runs, strict=True)):
        exact = exact_pairs[i]
        pairs: list[dict[str, Any]] = [
            {
                "list_row": lr,
                "person_key": pk,
                "probability": 1.0,
                "stage": MatchStage.EXACT_NIK.value,
                "state": MatchState.ACCEPTED.value,
                "cmp_nik": "exact",
            }
            for lr, pk in zip(
                exact.column("id").to_pylist(), exact.column("nik_hash").to_pylist(), strict=True
            )
        ]
        accepted_rows: set[str] = set()
        for row in sorted(prob[i], key=lambda r: r["_kind"] != "accepted"):
            p = float(row["match_probability"])
            if p < review or row["left_id"] in accepted_rows:
                continue
            state = MatchState.ACCEPTED.value if p >= accept else MatchState.REVIEW.value
            if state == MatchState.ACCEPTED.value:
                accepted_rows.add(row["left_id"])
            pairs.append(
                {
                    "list_row": row["left_id"],
                    "person_key": row["right_id"],
                    "probability": p,
                    "stage": MatchStage.PROBABILISTIC.value,
                    "state": state,
                    **{f"cmp_{c}": row.get(f"cmp_{c}") for c in COMPARED},
                }
            )
        run_stats = {**stats, "exact_rows": exact.num_rows}
        out.append(
            execute(
                run, models=models, precomputed=(_with_person_details(pairs, people), run_stats)
            )
        )
    return out
