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
    # The site's 403 page (layout, reason, role), not a bare plain-text answer.
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'id="error-403"' in html and 'class="mainnav"' in html
    sub.refresh_from_db()
    assert sub.status == "submitted"


def test_approved_page_is_read_only_and_says_why(operator_client, period, make_submission):
    make_submission(period, status="approved")
    html = operator_client.get(url(period)).content.decode()
    assert 'name="v:' not in html and "locked" in html


def test_the_banner_counts_what_the_page_lists(operator_client, period):
    # One impossible figure (stunted above measured) and five cells left empty.
    partial = {("children_under5_stunted", "m"): 150}
    response = operator_client.post(url(period), post_data(partial), follow=True)
    html = response.content.decode()
    messages = [str(m) for m in response.context["messages"]]
    problems = response.context["hard"]
    assert problems == []  # nothing impossible yet: only empty cells
    assert any("5 empty cell(s)" in m for m in messages), messages
    assert 'id="missing" data-count="5"' in html
    full = post_data(figures(measured=(100, 100), stunted=(150, 110)), version=2)
    response = operator_client.post(url(period), full, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    listed = response.context["hard"]
    # Stunted above measured (per category), and the derived stunting rate above 100 %.
    assert [i.kind for i in listed] == ["rule", "derived"]
    assert any(f"{len(listed)} problem(s) must be fixed" in m for m in messages), messages
    assert response.content.decode().count('<li data-key="') == len(listed)


def test_a_decimal_in_a_whole_number_cell_repeats_what_was_typed(operator_client, period):
    data = post_data(figures())
    data["v:kur_recipients_active:"] = "12,5"
    response = operator_client.post(url(period), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "“12,5” is not a whole number" in html and "12,500000" not in html


def test_a_derived_rate_above_100_percent_blocks_submission(operator_client, period):
    # Stunted 105 of 100 measured: each figure is in range, the rate is impossible.
    bad = figures(measured=(50, 50), stunted=(55, 50))
    response = operator_client.post(url(period), post_data(bad, do="submit"), follow=True)
    sub = Submission.objects.get(period=period, region_id=BETUNG)
    assert sub.status == "draft"
    html = response.content.decode()
    assert "105.0%" in html and "outside 0–100%" in html
    assert 'data-state="bad"' in html  # the derived row itself is flagged


def test_the_operator_never_sees_the_review_panel(client, period, users, make_submission):
    make_submission(period, status="draft")
    client.force_login(users["operator"])
    html = client.get(url(period)).content.decode()
    assert 'id="review"' not in html and 'id="submit"' in html  # it submits from its form
    sub = make_submission(period, status="submitted")
    html = client.get(url(period)).content.decode()
    assert 'id="review"' not in html and 'name="comment"' not in html
    for who, steps in [("verifier", ["verify", "return"]), ("bappeda", ["return"])]:
        client.force_login(users[who])
        html = client.get(url(period)).content.decode()
        assert 'id="review"' in html, who
        assert [s for s in ("verify", "return", "approve") if f'id="do-{s}"' in html] == steps
    assert sub.status == "submitted"


def test_discarding_a_draft_asks_first_without_script(operator_client, period, make_submission):
    sub = make_submission(period, status="draft")
    discard = url(period, name="collection-discard")
    page = operator_client.get(url(period)).content.decode()
    assert f'href="{discard}"' in page  # a link to the confirmation page, not a button
    confirm = operator_client.get(discard)
    html = confirm.content.decode()
    assert confirm.status_code == 200 and 'id="confirm-discard"' in html
    assert "6 entered figures will be deleted" in html
    assert Submission.objects.filter(pk=sub.pk).exists()  # asking deletes nothing
    response = operator_client.post(discard, {"version": sub.version})
    assert response.status_code == 302 and not Submission.objects.filter(pk=sub.pk).exists()


def test_a_submitted_draft_has_no_discard_page(operator_client, period, make_submission):
    make_submission(period, status="submitted")
    assert operator_client.get(url(period, name="collection-discard")).status_code == 404


def test_pages_write_periods_and_dates_as_people_do(operator_client, period, make_submission):
    make_submission(period)
    html = operator_client.get(url(period)).content.decode()
    assert "Quarter II 2025" in html and "2025-Q2</" not in html
    closes = period.closes_on
    assert f"{closes.day} {closes:%B} {closes.year}" in html
