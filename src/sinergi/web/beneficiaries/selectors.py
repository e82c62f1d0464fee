"""What convergence reads: each programme's beneficiaries placed in registry households.

The matching services write one :class:`MatchLink` per outcome, with reviewers'
decisions already applied (a pair decided "same person" is ``accepted`` with
stage ``decision``; one decided "different person" is no longer a candidate).
This module only reads them, so the dashboard, the exports, the API and the CLI
all count the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
from django.db.models import Max

from sinergi.web.beneficiaries.models import (
    BeneficiaryList,
    ListStatus,
    MatchLink,
    MatchRun,
    MatchState,
    Programme,
    RunStatus,
)


def latest_runs(release_id: int, programmes: Iterable[Programme] | None = None) -> list[MatchRun]:
    """The run each programme's convergence reads: its newest ready list's newest finished
    run against the release (a programme with no such run is left out)."""
    lists = BeneficiaryList.objects.filter(status=ListStatus.READY)
    if programmes is not None:
        lists = lists.filter(programme__in=list(programmes))
    newest_list = lists.values("programme_id").annotate(last=Max("created_at"))
    runs: list[MatchRun] = []
    for row in newest_list:
        blist = (
            lists.filter(programme_id=row["programme_id"], created_at=row["last"])
            .order_by("-id")
            .first()
        )
        run = (
            MatchRun.objects.filter(
                beneficiary_list=blist, release_id=release_id, status=RunStatus.DONE
            )
            .select_related("beneficiary_list__programme")
            .order_by("-started_at", "-id")
            .first()
        )
        if run is not None:
            runs.append(run)
    return runs


def beneficiary_households(
    release_id: int, programmes: Iterable[Programme] | None = None
) -> pa.Table:
    """One row per list row of each programme's latest run: ``programme`` (code),
    ``list_row`` (the source's row id), ``household_id`` (null when the row matched no
    household: review still open, or no match) and ``beneficiary_list_id``."""
    programme: list[str] = []
    list_row: list[str] = []
    household: list[str | None] = []
    list_ids: list[int] = []
    for run in latest_runs(release_id, programmes):
        code = run.beneficiary_list.programme.code
        placed: dict[str, str] = {}
        seen: set[str] = set()
        links = MatchLink.objects.filter(run=run).values_list("list_row", "household_id", "state")
        for row, household_id, state in links.iterator(chunk_size=5000):
            seen.add(row)
            if state == MatchState.ACCEPTED and household_id:
                placed[row] = household_id
        for row in sorted(seen):
            programme.append(code)
            list_row.append(row)
            household.append(placed.get(row))
            list_ids.append(run.beneficiary_list_id)
    return pa.table(
        {
            "programme": pa.array(programme, pa.string()),
            "list_row": pa.array(list_row, pa.string()),
            "household_id": pa.array(household, pa.string()),
            "beneficiary_list_id": pa.array(list_ids, pa.int64()),
        }
    )
