"""A submission's history page reads as a record of who did what, not a database dump."""

import re

from django.urls import reverse

from .conftest import figures


def history(sub):  # type: ignore[no-untyped-def]
    return reverse("audit-history", args=["collection", "submission", sub.pk])


def test_submission_history_in_words(client, users, period, make_submission):
    verifier = users["verifier"]
    verifier.first_name, verifier.last_name = "Rina", "Verifikator"
    verifier.save()
    sub = make_submission(period, status="verified")
    client.force_login(users["bappeda"])
    page = client.get(history(sub))
    assert page.status_code == 200
    assert page.context["title"] == "Entry of Kecamatan Betung, Quarter II 2025"
    views = page.context["views"]
    verify, submit = views[0], views[1]
    assert verify.who == "Rina Verifikator" and verify.comment == ""  # no "verify" code
    assert [(c.label, c.before, c.after) for c in verify.changes] == [
        ("Status", "Submitted", "Verified")
    ]
    assert {c.label for c in submit.changes} == {"Status", "First submitted", "Submitted"}
    saved = {c.label: c.after for c in views[2].changes}
    assert saved["Children under five measured (Male)"] == "1,300"
    created = {c.label: c.after for c in views[-1].changes}
    assert created["Region"] == "Betung" and created["Period"] == "Quarter II 2025"
    html = page.content.decode()
    for raw in ("updated_by_id", "rule_comments", "value:", '">submitted<', ">2025-Q2"):
        assert raw not in html, raw
    # No UTC ISO timestamp (the CSRF token may hold any letters, so look for the shape).
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", html)


def test_a_warning_explanation_is_labelled_by_its_rule(client, users, period, make_submission):
    from sinergi.web.collection import services

    sub = make_submission(period)
    # 40 % stunting is the soft rule: its explanation is stored under the rule's key.
    values = figures(measured=(100, 100), stunted=(45, 45))
    issues = services.issues_for(sub, values)
    [warning] = [i for i in issues if not i.is_hard]
    services.save_values(
        sub,
        users["operator"],
        values,
        expected_version=sub.version,
        rule_comments={warning.key: "Posyandu baru"},
    )
    client.force_login(users["operator"])
    page = client.get(history(sub))
    changes = {c.label: c.after for c in page.context["views"][0].changes}
    label = next(k for k in changes if k.startswith("Explanation: "))
    assert "jarang terjadi" in label and changes[label] == "Posyandu baru"


def test_entry_page_links_to_the_history(client, users, period, make_submission):
    sub = make_submission(period)
    client.force_login(users["operator"])
    page = client.get(sub.get_absolute_url()).content.decode()
    assert history(sub) in page
