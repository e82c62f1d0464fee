"""A kecamatan that has not reported: a page that says so, not a 404."""

import datetime as dt

from django.urls import reverse

from .conftest import BETUNG


def entry(period, region=BETUNG):  # type: ignore[no-untyped-def]
    return reverse(
        "collection-entry",
        kwargs={"code": period.dataset.code, "period": period.code, "region": region},
    )


def test_bappeda_opening_a_kecamatan_that_has_not_reported_reads_why(client, users, period):
    client.force_login(users["bappeda"])
    response = client.get(entry(period))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="not-started"' in html
    assert "Kecamatan Betung has not started Quarter II 2025 yet" in html
    assert reverse("collection-completeness", args=[period.dataset.code, period.code]) in html
    assert 'name="v:' not in html  # nothing to type for a reviewer


def test_the_verifier_sees_a_missing_report_after_the_deadline(client, users, period):
    period.closes_on = dt.date(2025, 7, 15)
    period.save()
    client.force_login(users["verifier"])
    html = client.get(entry(period)).content.decode()
    assert "The period closed on 15 July 2025" in html and "missing" in html


def test_the_completeness_table_links_every_region(client, users, period):
    client.force_login(users["bappeda"])
    html = client.get(
        reverse("collection-completeness", args=[period.dataset.code, period.code])
    ).content.decode()
    assert f'href="{entry(period)}"' in html


def test_outside_scope_it_stays_404(client, users, period):
    for who in ("outsider", "other_opd", "public", "other_operator"):
        client.force_login(users[who])
        assert client.get(entry(period)).status_code == 404, who


def test_the_operator_of_the_kecamatan_gets_the_empty_form(client, users, period):
    client.force_login(users["operator"])
    html = client.get(entry(period)).content.decode()
    assert 'name="v:children_under5_measured:m"' in html and 'id="not-started"' not in html
