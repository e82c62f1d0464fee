"""Copying a year's plan: counts, what is copied (not realisations), a second run skips
everything, the page asks first and is Bappeda's, and an error rolls everything back."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from django.test import Client

from sinergi.web.audit.models import Action, AuditEntry
from sinergi.web.programs import planning
from sinergi.web.programs.models import (
    Activity,
    Budget,
    PerformanceIndicator,
    QuarterPlan,
    Realisation,
)

pytestmark = pytest.mark.django_db
PAGE = "/perencanaan/16.07/salin-tahun/"


def client_for(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def source_counts():  # type: ignore[no-untyped-def]
    year = {"activity__region_id": "16.07", "activity__year": 2019}
    return {
        "activities": Activity.objects.filter(region_id="16.07", year=2019).count(),
        "outputs": PerformanceIndicator.objects.filter(
            region_id="16.07", year=2019, level="output"
        ).count(),
        "outcomes": PerformanceIndicator.objects.filter(
            region_id="16.07", year=2019, level="outcome"
        ).count(),
        "budgets": Budget.objects.filter(**year).count(),
        "plans": QuarterPlan.objects.filter(**year).count(),
    }


def test_copy_counts_targets_and_no_realisations_then_skips(prima, users, banyuasin):
    expected = source_counts()
    assert expected["activities"] == 10 and expected["budgets"] > 0 and expected["plans"] > 0
    preview = planning.plan_copy(banyuasin, 2019, 2020)
    assert {k: preview.counts[k] for k in expected} == expected
    assert not Activity.objects.filter(year=2020).exists()  # a preview writes nothing
    audits = AuditEntry.objects.count()
    done = planning.copy_year(banyuasin, 2019, 2020, user=users.bappeda)
    assert {k: done.counts[k] for k in expected} == expected
    copies = Activity.objects.filter(region_id="16.07", year=2020)
    assert copies.count() == 10
    assert not Realisation.objects.filter(activity__year=2020).exists()
    job = copies.get(code=prima.job_fair.code)
    assert job.flagship == prima.flagship and job.nomenclature == prima.job_fair.nomenclature
    if prima.job_fair.end_date:
        assert job.end_date.year == 2020
    old_outputs = {i.code: i for i in prima.job_fair.indicators.all()}
    for new in job.indicators.all():
        old = old_outputs[new.code]
        assert new.year == 2020 and new.level == "output" and new.target == old.target
        assert new.target_q3 == old.target_q3
        if old.serves_id:
            assert new.serves.year == 2020 and new.serves.code == old.serves.code
    created = AuditEntry.objects.filter(action=Action.CREATE).count()
    assert AuditEntry.objects.count() - audits == sum(expected.values())
    assert created >= sum(expected.values())
    again = planning.copy_year(banyuasin, 2019, 2020, user=users.bappeda)
    assert again.is_empty and len(again.skipped_activities) == 10
    assert len(again.skipped_indicators) == expected["outcomes"]  # outputs go with activities
    assert Activity.objects.filter(region_id="16.07", year=2020).count() == 10


def test_copy_one_agency_only(prima, users, banyuasin):
    agency = prima.agencies["disnakertrans"]
    done = planning.copy_year(banyuasin, 2019, 2021, user=users.bappeda, agency_ids=[agency.pk])
    assert done.counts["activities"] == Activity.objects.filter(year=2019, agency=agency).count()
    assert set(Activity.objects.filter(year=2021).values_list("agency_id", flat=True)) == {
        agency.pk
    }


def test_an_error_midway_rolls_everything_back(prima, users, banyuasin, monkeypatch):
    calls = {"n": 0}
    real = planning._copy_indicator

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValidationError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(planning, "_copy_indicator", failing)
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        planning.copy_year(banyuasin, 2019, 2020, user=users.bappeda)
    assert not Activity.objects.filter(year=2020).exists()
    assert not PerformanceIndicator.objects.filter(year=2020).exists()
    assert AuditEntry.objects.count() == audits


def test_the_page_previews_then_copies_for_bappeda_only(prima, users, client):
    assert client.get(PAGE).status_code == 302
    for other in (users.viewer, users.owner, users.outsider):
        assert client_for(other).get(PAGE).status_code == 403
        assert (
            client_for(other)
            .post(PAGE, {"from_year": "2019", "to_year": "2020", "confirm": "1"})
            .status_code
            == 403
        )
    bappeda = client_for(users.bappeda)
    first = bappeda.get(PAGE).content.decode()
    assert 'value="2019"' in first and 'value="2020"' in first
    preview = bappeda.get(PAGE, {"from_year": "2019", "to_year": "2020"}).content.decode()
    assert "Salin ke 2020" in preview and 'name="confirm"' in preview
    assert not Activity.objects.filter(year=2020).exists()
    bad = bappeda.get(PAGE, {"from_year": "2019", "to_year": "2019"})
    assert bad.status_code == 400 and "Pilih tahun yang berbeda" in bad.content.decode()
    done = bappeda.post(PAGE, {"from_year": "2019", "to_year": "2020", "confirm": "1"})
    assert done.status_code == 302 and "year=2020" in done["Location"]
    assert Activity.objects.filter(year=2020).count() == 10
    skipped = bappeda.get(PAGE, {"from_year": "2019", "to_year": "2020"}).content.decode()
    assert "Tidak ada yang disalin." in skipped and "dilewati" in skipped


def test_cli_copy_year(prima, users):
    from sinergi.cli import main

    runner = CliRunner()
    dry = runner.invoke(
        main,
        ["monev", "copy-year", "--region", "16.07", "--from", "2019", "--to", "2022", "--dry-run"],
    )
    assert dry.exit_code == 0, dry.output
    assert "would copy 10 activities" in dry.output
    assert not Activity.objects.filter(year=2022).exists()
    done = runner.invoke(
        main,
        [
            "monev",
            "copy-year",
            "--region",
            "16.07",
            "--from",
            "2019",
            "--to",
            "2022",
            "--user",
            users.bappeda.username,
        ],
    )
    assert done.exit_code == 0, done.output
    assert Activity.objects.filter(year=2022).count() == 10
