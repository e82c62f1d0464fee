import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sinergi.web.accounts.policy import Policy
from sinergi.web.collection import services
from sinergi.web.collection.models import Submission

from .conftest import RAMBUTAN


def test_on_time_late_in_progress_and_missing(period, previous_period, users, make_submission):
    make_submission(period, status="approved")
    make_submission(period, region=RAMBUTAN, status="draft")
    old = make_submission(previous_period, status="submitted")
    Submission.objects.filter(pk=old.pk).update(
        first_submitted_at=timezone.make_aware(dt.datetime(2025, 4, 20, 9))
    )
    report = services.completeness(period, Policy.for_user(users["bappeda"]))
    by_region = {r.region.code: r.timeliness for r in report.rows}
    assert by_region["16.07.05"] == "on_time" and by_region[RAMBUTAN] == "in_progress"
    assert report.counts == {"on_time": 1, "late": 0, "in_progress": 1, "missing": 19}
    assert report.completeness_pct == round(100 / 21, 1)
    late = services.completeness(previous_period, Policy.for_user(users["bappeda"]))
    assert late.counts["late"] == 1


def test_the_closing_day_still_counts_as_on_time(period, users, make_submission):
    sub = make_submission(period, status="submitted")
    Submission.objects.filter(pk=sub.pk).update(first_submitted_at=period.deadline())
    sub.refresh_from_db()
    assert services.timeliness(sub, period) == "on_time"


def test_a_kecamatan_operator_sees_only_its_own_row(period, users):
    report = services.completeness(period, Policy.for_user(users["operator"]))
    assert [r.region.code for r in report.rows] == ["16.07.05"]


def test_page_has_the_chart_and_a_bounded_number_of_queries(
    client, period, users, make_submission, django_assert_max_num_queries
):
    for region in ["16.07.05", RAMBUTAN]:
        make_submission(period, region=region, status="submitted")
    client.force_login(users["bappeda"])
    url = reverse(
        "collection-completeness", kwargs={"code": period.dataset.code, "period": period.code}
    )
    with django_assert_max_num_queries(14):
        page = client.get(url)
    html = page.content.decode()
    assert 'id="trend-chart"' in html and 'id="completeness-data"' in html
    assert html.count('data-timeliness="missing"') == 19


def test_api_reports_the_same(
    api_client, period, users, make_submission, django_assert_max_num_queries
):
    make_submission(period, status="approved")
    api_client.force_authenticate(users["executive"])
    with django_assert_max_num_queries(8):
        data = api_client.get(
            "/api/v1/collection/completeness/",
            {"dataset": period.dataset.code, "period": period.code},
        ).json()
    assert data["counts"]["on_time"] == 1 and data["expected"] == 21
    assert next(r for r in data["regions"] if r["region"] == "16.07.05")["timeliness"] == "on_time"
    series = api_client.get(
        "/api/v1/collection/completeness/", {"dataset": period.dataset.code}
    ).json()
    assert [p["period"] for p in series["periods"]] == ["2025-Q1", "2025-Q2"]
