"""The data entry page: fill, validation errors, drafts, submit, review, conflicts."""

import pytest
from django.urls import reverse

from sinergi.web.collection.models import Submission

from .conftest import BETUNG, figures, post_data


def url(period, region=BETUNG, name="collection-entry"):  # type: ignore[no-untyped-def]
    return reverse(
        name, kwargs={"code": period.dataset.code, "period": period.code, "region": region}
    )


@pytest.fixture
def operator_client(client, users):  # type: ignore[no-untyped-def]
    client.force_login(users["operator"])
    return client


def test_operator_sees_an_empty_form_with_progress(operator_client, period):
    page = operator_client.get(url(period))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="v:children_under5_measured:m"' in html and "0 of 6 filled" in html


def test_first_save_creates_a_draft(operator_client, period):
    data = post_data(figures())
    response = operator_client.post(url(period), data)
    assert response.status_code == 302
    sub = Submission.objects.get(period=period, region_id=BETUNG)
    assert sub.status == "draft" and sub.version == 2


def test_submit_with_a_hard_error_saves_the_draft_and_explains(operator_client, period):
    bad = figures(measured=(100, 100), stunted=(150, 10))
    response = operator_client.post(url(period), post_data(bad, do="submit"), follow=True)
    sub = Submission.objects.get(period=period, region_id=BETUNG)
    assert sub.status == "draft"
    html = response.content.decode()
    assert "150 ≤ 100" in html and 'id="errors"' in html
    fixed = figures(measured=(100, 100), stunted=(15, 10))
    response = operator_client.post(
        url(period), post_data(fixed, version=sub.version, do="submit"), follow=True
    )
    sub.refresh_from_db()
    assert sub.status == "submitted"


def test_text_in_a_number_cell_saves_nothing(operator_client, period):
    data = post_data(figures())
    data["v:kur_recipients_active:"] = "delapan ratus"
    response = operator_client.post(url(period), data)
    assert response.status_code == 400
    assert "is not a number" in response.content.decode()
    assert not Submission.objects.filter(period=period).exists()


def test_second_save_of_a_stale_form_gets_a_conflict_and_keeps_the_typing(
    operator_client, period, users, make_submission
):
    sub = make_submission(period)
    stale = sub.version
    first = post_data({**figures(), ("kur_recipients_active", ""): 801}, version=stale)
    assert operator_client.post(url(period), first).status_code == 302
    second = post_data({**figures(), ("kur_recipients_active", ""): 999}, version=stale)
    response = operator_client.post(url(period), second)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'value="999"' in html and 'id="conflict"' in html and "801" in html
    sub.refresh_from_db()
    assert sub.values.get(element__code="kur_recipients_active").value == 801


def test_verifier_returns_with_a_comment_from_the_review_page(
    client, period, users, make_submission
):
    sub = make_submission(period, status="submitted")
    client.force_login(users["verifier"])
    page = client.get(url(period))
    assert 'id="do-verify"' in page.content.decode() and 'name="v:' not in page.content.decode()
    response = client.post(
        url(period, name="collection-act"),
        {"action": "return", "comment": "KUR doubled?", "version": sub.version},
        follow=True,
    )
    sub.refresh_from_db()
    assert sub.status == "returned" and "KUR doubled?" in response.content.decode()


def test_review_without_the_role_is_forbidden(client, period, users, make_submission):
    sub = make_submission(period, status="submitted")
    client.force_login(users["executive"])
    response = client.post(
        url(period, name="collection-act"), {"action": "verify", "version": sub.version}
    )
    assert response.status_code == 404  # an executive cannot even read an unapproved submission
    client.force_login(users["operator"])
    response = client.post(
        url(period, name="collection-act"), {"action": "verify", "version": sub.version}
    )
    assert response.status_code == 403
    sub.refresh_from_db()
    assert sub.status == "submitted"


def test_approved_page_is_read_only_and_says_why(operator_client, period, make_submission):
    make_submission(period, status="approved")
    html = operator_client.get(url(period)).content.decode()
    assert 'name="v:' not in html and "locked" in html
