"""The data set designer's pages: who may use them, field-level errors, stale saves,
confirmation before removing, the live rule check, the preview and publishing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from sinergi.web.audit.models import AuditEntry
from sinergi.web.collection import designer
from sinergi.web.collection.models import DataElement, DataSet, Period, Submission, ValidationRule

from .conftest import BETUNG, RAMBUTAN, figures

CODE = "kecamatan-triwulanan"


def u(name, *args):  # type: ignore[no-untyped-def]
    return reverse(name, args=[CODE, *args] if name != "design-list" else args)


def element_post(**changes):  # type: ignore[no-untyped-def]
    data = {
        "code": "posyandu_active",
        "name": "Posyandu aktif",
        "name_en": "",
        "help_text": "",
        "value_type": "integer",
        "unit": "unit",
        "min_value": "0",
        "max_value": "500",
        "disaggregation": "",
        "required": "on",
        "indicator": "",
        "is_additive": "on",
        "sort_order": "50",
        "version": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def rule_post(dataset, **changes):  # type: ignore[no-untyped-def]
    left = DataElement.objects.get(dataset=dataset, code="children_under5_stunted")
    right = DataElement.objects.get(dataset=dataset, code="children_under5_measured")
    data = {
        "kind": "comparison",
        "left": str(left.pk),
        "operator": "le",
        "right": str(right.pk),
        "right_factor": "0,1",
        "right_constant": "0",
        "threshold_pct": "",
        "severity": "soft",
        "message": "Stunting di atas 10%",
        "version": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def bappeda_client(client, users, dataset):  # type: ignore[no-untyped-def]
    client.force_login(users["bappeda"])
    return client


# --- who may design ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["operator", "verifier", "executive", "public"])
def test_other_roles_get_403_everywhere(client, users, dataset, role):
    client.force_login(users[role])
    element = dataset.elements.first()
    for url in [
        u("design-list"),
        reverse("design-create"),
        u("design-dataset"),
        u("design-element", element.pk),
        u("design-rule-new"),
        u("design-period-new"),
        u("design-preview"),
        u("design-publish"),
        u("design-unpublish"),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(u("design-element-new"), element_post()).status_code == 403
    assert client.post(u("design-publish"), {"token": "x"}).status_code == 403
    assert not DataElement.objects.filter(code="posyandu_active").exists()


def test_bappeda_of_another_regency_does_not_find_the_data_set(client, users, dataset):
    client.force_login(users["outsider"])
    assert client.get(u("design-list")).status_code == 200
    assert CODE not in client.get(u("design-list")).content.decode()
    assert client.get(u("design-dataset")).status_code == 404
    assert client.post(u("design-element-new"), element_post()).status_code == 404


def test_anonymous_is_sent_to_login(client, dataset):
    response = client.get(u("design-dataset"))
    assert response.status_code == 302 and "/akun/login/" in response["Location"]


def test_home_links_the_designer_for_bappeda_only(client, users, dataset):
    client.force_login(users["bappeda"])
    assert 'id="designer-link"' in client.get(reverse("collection-home")).content.decode()
    client.force_login(users["verifier"])
    assert 'id="designer-link"' not in client.get(reverse("collection-home")).content.decode()


# --- the data set -----------------------------------------------------------------------


def test_create_a_data_set_with_all_kecamatan(bappeda_client, agency):
    form = {
        "code": "layanan-tahunan",
        "name": "Layanan dasar tahunan",
        "description": "",
        "period_type": "yearly",
        "owner": str(agency.pk),
        "version": "",
        "pick": "all",
    }
    picked = bappeda_client.post(reverse("design-create"), form)
    assert picked.status_code == 200 and not DataSet.objects.filter(code="layanan-tahunan")
    ticked = picked.context["form"]["reporting_regions"].value()
    assert len(ticked) == 21
    del form["pick"]
    form["reporting_regions"] = ticked
    response = bappeda_client.post(reverse("design-create"), form)
    assert response.status_code == 302
    created = DataSet.objects.get(code="layanan-tahunan")
    assert created.published_version == 0 and created.reporting_regions.count() == 21
    assert AuditEntry.objects.filter(object_id=str(created.pk), action="create").exists()


def test_data_set_bad_input_is_answered_on_each_field(bappeda_client, agency):
    response = bappeda_client.post(
        reverse("design-create"),
        {"code": "rancang", "name": "", "period_type": "weekly", "owner": "", "version": ""},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"code", "name", "period_type", "owner"}
    assert errors["code"] == ["This code is reserved; choose another."]


def test_indonesian_messages_by_default(client, users, dataset):
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.force_login(users["bappeda"])
    response = client.post(u("design-element-new"), element_post(min_value="10", max_value="5"))
    assert response.status_code == 400
    assert "Nilai maksimum tidak boleh di bawah nilai minimum." in response.content.decode()


def test_stale_data_set_save_shows_what_changed_and_keeps_the_typing(
    bappeda_client, dataset, users, agency
):
    regions = list(dataset.reporting_regions.values_list("code", flat=True))
    read_at = dataset.version
    designer.update_dataset(
        dataset,
        users["bappeda"],
        {"name": "Nama dari rekan"},
        dataset.reporting_regions.all(),
        expected_version=read_at,
    )
    response = bappeda_client.post(
        u("design-edit"),
        {
            "name": "Nama saya",
            "period_type": "quarterly",
            "description": dataset.description,
            "owner": str(agency.pk),
            "reporting_regions": regions,
            "version": str(read_at),
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Nama dari rekan" in html and 'value="Nama saya"' in html
    assert response.context["conflict"][0]["stored"] == "Nama dari rekan"
    dataset.refresh_from_db()
    assert dataset.name == "Nama dari rekan"
    # Saving again (with the version now shown) keeps the user's name knowingly.
    again = bappeda_client.post(
        u("design-edit"),
        {
            "name": "Nama saya",
            "period_type": "quarterly",
            "description": dataset.description,
            "owner": str(agency.pk),
            "reporting_regions": regions,
            "version": str(dataset.version),
        },
    )
    assert again.status_code == 302
    dataset.refresh_from_db()
    assert dataset.name == "Nama saya"


def test_period_type_is_fixed_once_periods_exist(bappeda_client, dataset, period):
    page = bappeda_client.get(u("design-edit"))
    assert page.context["form"].fields["period_type"].disabled


# --- elements ---------------------------------------------------------------------------


def test_add_an_element_to_the_draft(bappeda_client, dataset):
    response = bappeda_client.post(u("design-element-new"), element_post(max_value="1.500"))
    assert response.status_code == 302
    element = DataElement.objects.get(dataset=dataset, code="posyandu_active")
    assert element.added_in == 2 and element.max_value == Decimal(1500)
    assert AuditEntry.objects.filter(object_id=str(element.pk), action="create").exists()
    dataset.refresh_from_db()
    assert dataset.published_version == 1  # still a draft


def test_element_bad_input(bappeda_client, dataset):
    response = bappeda_client.post(
        u("design-element-new"),
        element_post(code="children_under5_measured", min_value="abc", unit=""),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["code"] == ["Another element of the form already has this code."]
    assert errors["min_value"] == ["“abc” is not a number"]
    assert "unit" in errors
    response = bappeda_client.post(
        u("design-element-new"), element_post(min_value="9", max_value="2")
    )
    assert response.context["form"].errors["max_value"] == [
        "The maximum must not be below the minimum."
    ]


def test_stale_element_save(bappeda_client, dataset, users):
    new = designer.save_element(dataset, users["bappeda"], None, {**_plain(), "code": "x1"})
    read_at = new.version
    designer.save_element(
        dataset, users["bappeda"], new, {"unit": "posyandu"}, expected_version=read_at
    )
    response = bappeda_client.post(
        u("design-element", new.pk), element_post(code="x1", unit="buah", version=str(read_at))
    )
    assert response.status_code == 409
    assert {"label": "Unit", "stored": "posyandu", "typed": "buah"} in response.context["conflict"]
    assert 'value="buah"' in response.content.decode()


def _plain():  # type: ignore[no-untyped-def]
    return {
        "name": "Posyandu",
        "unit": "unit",
        "value_type": "integer",
        "disaggregation": "",
        "required": True,
        "is_additive": True,
        "sort_order": 60,
    }


def test_retiring_an_element_with_data_asks_first_and_keeps_it(
    bappeda_client, dataset, period, make_submission
):
    make_submission(period, status="submitted")
    kur = DataElement.objects.get(dataset=dataset, code="kur_recipients_active")
    confirm = bappeda_client.get(u("design-element-remove", kur.pk))
    assert confirm.status_code == 200 and "Retire" in confirm.content.decode()
    kur.refresh_from_db()
    assert kur.retired_in is None  # a GET changes nothing
    response = bappeda_client.post(
        u("design-element-remove", kur.pk), {"confirm": "1", "version": str(kur.version)}
    )
    assert response.status_code == 302
    kur.refresh_from_db()
    assert kur.retired_in == 2 and DataElement.objects.filter(pk=kur.pk).exists()


def test_an_element_only_in_the_draft_is_deleted_with_its_rules(bappeda_client, dataset, users):
    new = designer.save_element(dataset, users["bappeda"], None, {**_plain(), "code": "x2"})
    rule = designer.save_rule(
        dataset,
        users["bappeda"],
        None,
        {"kind": "comparison", "left": new, "operator": "le", "right_constant": Decimal(5)},
    )
    page = bappeda_client.get(u("design-element-remove", new.pk)).content.decode()
    assert "These rules go with it" in page
    bappeda_client.post(
        u("design-element-remove", new.pk), {"confirm": "1", "version": str(new.version)}
    )
    assert not DataElement.objects.filter(pk=new.pk).exists()
    assert not ValidationRule.objects.filter(pk=rule.pk).exists()


# --- rules and their live check -----------------------------------------------------------


def test_rule_check_counts_the_regions_whose_last_figures_break_it(
    bappeda_client, dataset, period, make_submission
):
    make_submission(period, status="approved", values=figures(stunted=(150, 130)))  # 11 %
    make_submission(period, region=RAMBUTAN, status="submitted", values=figures(stunted=(50, 40)))
    answer = bappeda_client.post(u("design-rule-check"), rule_post(dataset)).json()
    assert answer["ready"] and answer["checked"] == 2 and answer["breaking"] == 1
    assert [b["region"] for b in answer["breaks"]] == [BETUNG]
    assert answer["without_data"] == 19 and "Betung" in answer["html"]
    # The same result without script: the "Check" button renders it and saves nothing.
    page = bappeda_client.post(u("design-rule-new"), {**rule_post(dataset), "do": "check"})
    assert page.status_code == 200 and page.context["check"].as_dict()["breaking"] == 1
    assert 'id="check-breaks"' in page.content.decode()
    assert not ValidationRule.objects.filter(message="Stunting di atas 10%").exists()


def test_rule_check_json_says_when_the_rule_is_incomplete(bappeda_client, dataset):
    answer = bappeda_client.post(u("design-rule-check"), rule_post(dataset, left="")).json()
    assert answer["ready"] is False and "left" in answer["errors"]


def test_save_a_rule_and_bad_rules(bappeda_client, dataset):
    assert bappeda_client.post(u("design-rule-new"), rule_post(dataset)).status_code == 302
    rule = ValidationRule.objects.get(message="Stunting di atas 10%")
    assert rule.added_in == 2 and rule.right_factor == Decimal("0.1")
    bad = bappeda_client.post(
        u("design-rule-new"), rule_post(dataset, kind="outlier", threshold_pct="")
    )
    assert bad.status_code == 400
    assert bad.context["form"].errors["threshold_pct"] == [
        "A change rule needs the allowed change in %."
    ]
    same = rule_post(dataset)
    same["right"] = same["left"]
    assert "right" in bappeda_client.post(u("design-rule-new"), same).context["form"].errors


def test_deleting_a_draft_rule_asks_first(bappeda_client, dataset):
    bappeda_client.post(u("design-rule-new"), rule_post(dataset))
    rule = ValidationRule.objects.get(message="Stunting di atas 10%")
    assert bappeda_client.get(u("design-rule-remove", rule.pk)).status_code == 200
    assert ValidationRule.objects.filter(pk=rule.pk).exists()
    bappeda_client.post(u("design-rule-remove", rule.pk), {"confirm": "1", "version": "1"})
    assert not ValidationRule.objects.filter(pk=rule.pk).exists()


def test_stale_rule_save(bappeda_client, dataset, users):
    bappeda_client.post(u("design-rule-new"), rule_post(dataset))
    rule = ValidationRule.objects.get(message="Stunting di atas 10%")
    designer.save_rule(
        dataset, users["bappeda"], rule, {"message": "Dari rekan"}, expected_version=1
    )
    response = bappeda_client.post(
        u("design-rule", rule.pk), rule_post(dataset, message="Dari saya", version="1")
    )
    assert response.status_code == 409 and "Dari rekan" in response.content.decode()


# --- periods ----------------------------------------------------------------------------


def test_open_a_period_with_its_code_checked(bappeda_client, dataset, period):
    page = bappeda_client.get(u("design-period-new"))
    assert page.context["form"].initial["code"] == "2025-Q3"  # the one after the last
    bad = bappeda_client.post(
        u("design-period-new"),
        {"code": "2025-07", "opens_on": "2025-07-01", "closes_on": "2025-06-01", "version": ""},
    )
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert "2026-Q3" in errors["code"][0]
    taken = bappeda_client.post(
        u("design-period-new"),
        {"code": "2025-Q2", "opens_on": "2025-07-01", "closes_on": "2025-08-01", "version": ""},
    )
    assert taken.context["form"].errors["code"] == ["This period is already open for the data set."]
    order = bappeda_client.post(
        u("design-period-new"),
        {"code": "2025Q3", "opens_on": "2025-10-15", "closes_on": "2025-10-01", "version": ""},
    )
    assert order.context["form"].errors["closes_on"] == [
        "The closing day must not be before the opening day."
    ]
    ok = bappeda_client.post(
        u("design-period-new"),
        {"code": "2025Q3", "opens_on": "01/07/2025", "closes_on": "15/10/2025", "version": ""},
    )
    assert ok.status_code == 302
    assert Period.objects.filter(dataset=dataset, code="2025-Q3").exists()


def test_stale_period_save(bappeda_client, dataset, period, users):
    designer.save_period(
        dataset,
        users["bappeda"],
        period,
        # a day earlier: a real change whatever the date (replace(day=1) was none on the 1st)
        {"closes_on": period.closes_on - dt.timedelta(days=1)},
        expected_version=1,
    )
    response = bappeda_client.post(
        u("design-period", period.pk),
        {"code": "2025-Q2", "opens_on": "2025-04-01", "closes_on": "2025-12-31", "version": "1"},
    )
    assert response.status_code == 409 and response.context["conflict"]


# --- preview and publishing -------------------------------------------------------------


def test_preview_is_the_operators_form_and_saves_nothing(bappeda_client, dataset, period):
    bappeda_client.post(u("design-element-new"), element_post())
    page = bappeda_client.get(u("design-preview"))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="preview-banner"' in html
    assert 'name="v:posyandu_active:"' in html and 'id="submit"' in html  # the draft's form
    v1 = bappeda_client.get(u("design-preview") + "?versi=1").content.decode()
    assert "posyandu_active" not in v1 and 'name="v:kur_recipients_active:"' in v1
    checked = bappeda_client.post(
        u("design-preview"), {"v:posyandu_active:": "900", "do": "submit"}
    )
    assert "above the maximum" in checked.content.decode()
    assert not Submission.objects.exists()


def test_publish_shows_the_changes_and_needs_the_reviewed_draft(bappeda_client, dataset, period):
    bappeda_client.post(u("design-element-new"), element_post())
    page = bappeda_client.get(u("design-publish"))
    assert "Posyandu aktif" in page.content.decode()
    token = page.context["changes"].token
    bappeda_client.post(u("design-element-new"), element_post(code="later", name="Later"))
    stale = bappeda_client.post(u("design-publish"), {"token": token})
    assert stale.status_code == 302
    dataset.refresh_from_db()
    assert dataset.published_version == 1  # the draft changed after review
    token = bappeda_client.get(u("design-publish")).context["changes"].token
    bappeda_client.post(u("design-publish"), {"token": token})
    dataset.refresh_from_db()
    assert dataset.published_version == 2
    assert AuditEntry.objects.filter(
        object_id=str(dataset.pk), comment__contains="version 2"
    ).exists()


def test_nothing_to_publish(bappeda_client, dataset):
    token = bappeda_client.get(u("design-publish")).context["changes"].token
    bappeda_client.post(u("design-publish"), {"token": token})
    dataset.refresh_from_db()
    assert dataset.published_version == 1


# --- lists ------------------------------------------------------------------------------


def test_lists_export_to_excel(bappeda_client, dataset, period):
    from openpyxl import load_workbook

    listed = bappeda_client.get(u("design-list"))
    assert dataset.name in listed.content.decode()
    for url in [
        u("design-list") + "?unduh=xlsx",
        *(u("design-dataset") + f"?unduh={k}" for k in ("elemen", "aturan", "periode")),
    ]:
        response = bappeda_client.get(url)
        assert response.status_code == 200, url
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row >= 2, url
    book = load_workbook(
        io.BytesIO(bappeda_client.get(u("design-dataset") + "?unduh=elemen").content)
    ).active
    assert [c.value for c in book[2]][2] == "children_under5_measured"


def test_the_list_has_a_fixed_number_of_queries(
    bappeda_client, dataset, period, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert bappeda_client.get(u("design-list")).status_code == 200


def test_the_live_check_reads_every_region_in_a_fixed_number_of_queries(
    bappeda_client, dataset, period, make_submission, django_assert_max_num_queries
):
    make_submission(period, status="approved")
    make_submission(period, region=RAMBUTAN, status="submitted")
    with django_assert_max_num_queries(14):
        answer = bappeda_client.post(u("design-rule-check"), rule_post(dataset)).json()
    assert answer["checked"] == 2


def test_withdraw_a_version_nobody_entered_asks_first(bappeda_client, dataset, period):
    bappeda_client.post(u("design-element-new"), element_post())
    token = bappeda_client.get(u("design-publish")).context["changes"].token
    bappeda_client.post(u("design-publish"), {"token": token})
    dataset.refresh_from_db()
    assert dataset.published_version == 2
    confirm = bappeda_client.get(u("design-unpublish"))
    assert confirm.status_code == 200 and "Withdraw this version" in confirm.content.decode()
    bappeda_client.post(u("design-unpublish"), {"confirm": "1", "version": str(dataset.version)})
    dataset.refresh_from_db()
    assert dataset.published_version == 1
    # The element is a draft change again, ready to publish once more.
    assert [e.code for e in designer.draft_changes(dataset).added_elements] == ["posyandu_active"]


def test_a_version_with_submissions_cannot_be_withdrawn(
    bappeda_client, dataset, period, make_submission
):
    make_submission(period)  # binds 2025-Q2 to version 1
    response = bappeda_client.post(
        u("design-unpublish"), {"confirm": "1", "version": str(dataset.version)}
    )
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.published_version == 1
    assert bappeda_client.get(u("design-unpublish")).status_code == 302  # refused, explained
