"""Form versions: publishing a new version never changes submissions already made.

Story: the demo data set is version 1. Bappeda drafts version 2, which adds
"posyandu_active" (a new element, with a rule) and retires "kur_recipients_active";
Betung's 2025-Q2 submission was started under version 1 and keeps that form, its
values and its checks through to approval, while the new period 2025-Q3 uses v2.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sinergi.web.collection import designer, services, workflow
from sinergi.web.collection.models import DataElement, DataValue, Period
from sinergi.web.regions.models import Region

from .conftest import BETUNG, figures


def _element(dataset, code):  # type: ignore[no-untyped-def]
    return DataElement.objects.get(dataset=dataset, code=code, retired_in__isnull=True)


@pytest.fixture
def v2(dataset, period, users, make_submission):  # type: ignore[no-untyped-def]
    """Betung started 2025-Q2 under v1 (a draft); then v2 is published."""
    old = make_submission(period, status="draft")
    bappeda = users["bappeda"]
    designer.save_element(
        dataset,
        bappeda,
        None,
        {
            "code": "posyandu_active",
            "name": "Posyandu aktif",
            "unit": "unit",
            "value_type": "integer",
            "min_value": Decimal(0),
            "max_value": Decimal(500),
            "disaggregation": "",
            "required": True,
            "is_additive": True,
            "sort_order": 50,
        },
    )
    designer.save_rule(
        dataset,
        bappeda,
        None,
        {
            "kind": "comparison",
            "left": _element(dataset, "posyandu_active"),
            "operator": "le",
            "right": None,
            "right_factor": Decimal(1),
            "right_constant": Decimal(100),
            "severity": "hard",
            "message": "Posyandu aktif paling banyak 100",
        },
    )
    kur = _element(dataset, "kur_recipients_active")
    assert designer.remove_element(dataset, bappeda, kur, expected_version=kur.version) == (
        "retired"
    )
    changes = designer.draft_changes(dataset)
    assert designer.publish(dataset, bappeda, expected_token=changes.token) == 2
    dataset.refresh_from_db()
    new_period = Period.objects.create(
        dataset=dataset,
        code="2025-Q3",
        opens_on=dt.date(2025, 7, 1),
        closes_on=timezone.localdate() + dt.timedelta(days=30),
    )
    return {"old": old, "new_period": new_period}


def _codes(elements):  # type: ignore[no-untyped-def]
    return [e.code for e in elements]


def test_old_period_keeps_version_1_and_the_new_one_uses_version_2(dataset, period, v2):
    period.refresh_from_db()
    assert period.form_version == 1 and dataset.published_version == 2
    old_codes = _codes(services.period_definition(period)[0])
    new_codes = _codes(services.period_definition(v2["new_period"])[0])
    assert "kur_recipients_active" in old_codes and "posyandu_active" not in old_codes
    assert "posyandu_active" in new_codes and "kur_recipients_active" not in new_codes
    assert len(services.period_definition(period)[1]) == 4  # v1's rules only


def test_old_submission_shows_validates_and_approves_with_version_1(
    client, dataset, period, users, v2
):
    sub = v2["old"]
    client.force_login(users["operator"])
    page = client.get(sub.get_absolute_url()).content.decode()
    assert 'name="v:kur_recipients_active:"' in page and "posyandu_active" not in page
    assert services.issues_for(sub) == []  # v1's form is complete: no v2 element missing
    sub = workflow.perform(sub, "submit", users["operator"])
    sub = workflow.perform(sub, "verify", users["verifier"])
    sub = workflow.perform(sub, "approve", users["bappeda"])
    assert sub.status == "approved"
    # The retired element's value stays with the submission.
    assert DataValue.objects.filter(submission=sub, element__code="kur_recipients_active").exists()


def test_new_period_asks_for_version_2_and_checks_its_rule(client, dataset, users, v2):
    new_period = v2["new_period"]
    client.force_login(users["operator"])
    url = reverse(
        "collection-entry", kwargs={"code": dataset.code, "period": "2025-Q3", "region": BETUNG}
    )
    page = client.get(url).content.decode()
    assert 'name="v:posyandu_active:"' in page and "kur_recipients_active" not in page
    values = {k: v for k, v in figures().items() if k[0] != "kur_recipients_active"}
    values[("posyandu_active", "")] = Decimal(150)
    sub = services.start_submission(new_period, Region.objects.get(code=BETUNG), users["operator"])
    result = services.save_values(sub, users["operator"], values, expected_version=sub.version)
    assert [i.message for i in result.issues if i.kind == "rule"] == [
        "Posyandu aktif paling banyak 100: 150 ≤ 100 does not hold"
    ]
    new_period.refresh_from_db()
    assert new_period.form_version == 2


def test_a_version_1_cell_is_not_accepted_on_a_version_2_form(dataset, users, v2):
    sub = services.start_submission(
        v2["new_period"], Region.objects.get(code=BETUNG), users["operator"]
    )
    with pytest.raises(ValueError, match="kur_recipients_active"):
        services.save_values(
            sub,
            users["operator"],
            {("kur_recipients_active", ""): Decimal(5)},
            expected_version=sub.version,
        )


def test_the_api_shows_the_published_version_and_each_periods_version(
    api_client, dataset, period, users, v2
):
    api_client.force_authenticate(users["verifier"])
    (ds,) = api_client.get("/api/v1/collection/datasets/").json()["results"]
    assert ds["published_version"] == 2
    codes = [e["code"] for e in ds["elements"]]
    assert "posyandu_active" in codes and "kur_recipients_active" not in codes
    assert {p["code"]: p["form_version"] for p in ds["periods"]} == {
        "2025-Q1": None,
        "2025-Q2": 1,
        "2025-Q3": None,
    }
    sub = api_client.get(f"/api/v1/collection/submissions/{v2['old'].pk}/").json()
    assert sub["form_version"] == 1 and sub["issues"] == []


def test_changing_a_published_element_leaves_the_old_form_alone(dataset, period, users):
    measured = _element(dataset, "children_under5_measured")
    copy = designer.save_element(
        dataset,
        users["bappeda"],
        measured,
        {"max_value": Decimal(50)},
        expected_version=measured.version,
    )
    assert copy.pk != measured.pk and copy.added_in == 2
    measured.refresh_from_db()
    assert measured.retired_in == 2 and measured.max_value == 20000
    # Published form (v1) unchanged until publishing; the draft has the new limit.
    (v1,) = [e for e in services.definition(dataset)[0] if e.code == measured.code]
    (draft,) = [e for e in services.definition(dataset, 2)[0] if e.code == measured.code]
    assert v1.max_value == 20000 and draft.max_value == 50


def test_an_unpublished_data_set_is_seen_by_no_operator(client, api_client, users, banyuasin):
    from sinergi.web.accounts.models import Agency

    draft = designer.create_dataset(
        users["bappeda"],
        banyuasin,
        {
            "code": "draf-baru",
            "name": "Draf baru",
            "period_type": "yearly",
            "owner": Agency.objects.get(code="bappeda-litbang"),
        },
        Region.objects.filter(code=BETUNG),
    )
    period = Period.objects.create(
        dataset=draft, code="2025", opens_on=dt.date(2025, 1, 1), closes_on=dt.date(2026, 1, 1)
    )
    client.force_login(users["operator"])
    assert client.get(reverse("collection-dataset", args=["draf-baru"])).status_code == 404
    assert "Draf baru" not in client.get(reverse("collection-home")).content.decode()
    api_client.force_authenticate(users["operator"])
    assert api_client.get("/api/v1/collection/datasets/draf-baru/").status_code == 404
    with pytest.raises(workflow.WorkflowError):
        services.start_submission(period, Region.objects.get(code=BETUNG), users["operator"])
