"""Matching a list to a small real release: exact NIK hash first, then probabilistic for
rows without a usable NIK; every list row keeps at least one link; counts recorded."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sinergi.web.beneficiaries import matching, services
from sinergi.web.beneficiaries.models import MatchLink, MatchState, RunStatus
from sinergi.web.beneficiaries.selectors import beneficiary_households
from tests.web.beneficiaries.conftest import list_rows_from, write_list

pytestmark = pytest.mark.django_db


def _list(programme, tmp_path, registry_people, mutate=None):
    hh, mm = registry_people
    rows = list_rows_from(mm, hh)
    if mutate:
        mutate(rows)
    path = write_list(tmp_path / "list.csv", rows)
    outcome = services.import_list(programme, path, label="L", user=None, valid_only=True)
    assert outcome.blist is not None
    return outcome.blist, rows


def _household_of(registry_people):
    _hh, mm = registry_people
    return {m["nik"]: m["household_id"] for m in mm}


def test_exact_nik_matches_every_row(data_dir, programme, tmp_path, registry_people, release):
    blist, rows = _list(programme, tmp_path, registry_people)
    run = matching.start(blist, release, user=None, background=False)
    assert run.status == RunStatus.DONE
    assert run.counts["rows"] == 8 and run.counts["exact"] == 8 and run.counts["unmatched"] == 0
    where = _household_of(registry_people)
    links = {link.list_row: link for link in MatchLink.objects.filter(run=run)}
    assert set(links) == {r[0] for r in rows}
    for r in rows:
        assert links[r[0]].household_id == where[r[1]]
        assert links[r[0]].stage == "exact_nik" and links[r[0]].state == MatchState.ACCEPTED
    table = beneficiary_households(release.pk)
    assert table.num_rows == 8 and table.column("household_id").null_count == 0


def test_rows_without_nik_and_strangers(data_dir, programme, tmp_path, registry_people, release):
    def mutate(rows):
        rows[0][1] = ""  # no NIK: matched on name, birth date, sex, desa
        rows[1][1] = rows[1][1][:10]  # malformed NIK: kept, matched without it
        rows.append(["KPM-999", "", "Orang Asing Sekali", "02-03-1955", "P", "Jalan X", rows[2][6]])

    blist, rows = _list(programme, tmp_path, registry_people, mutate)
    run = matching.start(blist, release, user=None, background=False)
    assert run.status == RunStatus.DONE, run.stats
    assert run.counts["rows"] == 9
    assert run.counts["nik_invalid"] == 1 and run.counts["nik_missing"] == 2
    assert run.counts["exact"] == 6
    where = _household_of(registry_people)
    _hh, mm = registry_people
    heads = [m for m in mm if m["relationship"] == "head"]
    for lr, head in (("KPM-001", heads[0]), ("KPM-002", heads[1])):
        links = list(MatchLink.objects.filter(run=run, list_row=lr))
        assert links, lr
        # found by the probabilistic stage: accepted, or a review candidate
        assert any(link.household_id == where[head["nik"]] for link in links), lr
        assert all(link.stage in ("probabilistic", "none") for link in links)
    stranger = list(MatchLink.objects.filter(run=run, list_row="KPM-999"))
    assert [(s.state, s.household_id) for s in stranger] == [(MatchState.UNMATCHED, "")]
    # every list row has at least one link
    assert set(MatchLink.objects.filter(run=run).values_list("list_row", flat=True)) == {
        r[0] for r in rows
    }


def test_duplicates_within_a_list_are_counted(
    data_dir, programme, tmp_path, registry_people, release
):
    def mutate(rows):
        twin = list(rows[3])
        twin[0] = "KPM-100"
        rows.append(twin)

    blist, _rows = _list(programme, tmp_path, registry_people, mutate)
    run = matching.start(blist, release, user=None, background=False)
    assert run.counts["duplicates"] == 1
    # both rows point to the same household; convergence counts it once (selector keeps rows)
    links = MatchLink.objects.filter(run=run, list_row__in=["KPM-004", "KPM-100"])
    assert len({link.household_id for link in links}) == 1


def test_thresholds_default_to_the_programmes_last_run(
    data_dir, programme, tmp_path, registry_people, release
):
    blist, _rows = _list(programme, tmp_path, registry_people)
    assert matching.default_thresholds(blist) == (0.95, 0.50)
    matching.start(blist, release, user=None, accept=0.9, review=0.4, background=False)
    assert matching.default_thresholds(blist) == (0.9, 0.4)
    with pytest.raises(matching.RunRefused):
        matching.start(blist, release, user=None, accept=0.3, review=0.6, background=False)


def test_a_run_records_its_progress_and_time(
    data_dir, programme, tmp_path, registry_people, release
):
    blist, _rows = _list(programme, tmp_path, registry_people)
    steps = []
    run = matching.MatchRun.objects.create(
        beneficiary_list=blist, release=release, status=RunStatus.RUNNING
    )
    run = matching.execute(run, progress=lambda step, f: steps.append(step))
    assert run.status == RunStatus.DONE and run.finished_at is not None
    assert run.stats["progress"]["step"] == "done" and run.stats["seconds"] >= 0
    assert steps[0] == "reading" and "saving" in steps


def test_cli_match(data_dir, programme, tmp_path, registry_people, release):
    from sinergi.cli import main

    _list(programme, tmp_path, registry_people)
    result = CliRunner().invoke(
        main, ["beneficiaries", "match", "--programme", "pkh", "--release", release.name]
    )
    assert result.exit_code == 0, result.output
    assert "8 matched on NIK" in result.output
    result = CliRunner().invoke(main, ["beneficiaries", "match", "--programme", "nope"])
    assert result.exit_code != 0
