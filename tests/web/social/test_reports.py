"""The SLRT report page and its XLSX: the figures of :func:`selectors.case_report`,
written the Indonesian way on the page and rounded the same way in the cells; no
personal data in either; scoped by role."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from sinergi.web.social import reports, selectors, services
from sinergi.web.social.models import Case

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def history(make_case, catalogue, people):
    """Three cases in 2025: one closed with a successful referral, one rejected late,
    one still running past its due date."""
    a = make_case(opened_on=D(2025, 3, 3))
    r1 = services.refer(a, catalogue["dinkes-berobat"], user=people["front"], sent_on=D(2025, 3, 3))
    services.accept(r1, user=people["dinkes"], on=D(2025, 3, 4))
    services.complete(r1, user=people["dinkes"], outcome="successful", on=D(2025, 3, 6))
    b = make_case(opened_on=D(2025, 3, 10), category="education", household="H3")
    r2 = services.refer(
        b, catalogue["disdik-beasiswa"], user=people["front"], sent_on=D(2025, 3, 10)
    )
    services.reject(r2, user=people["disdik"], reason="no_capacity", on=D(2025, 5, 2))
    c = make_case(opened_on=D(2025, 4, 1), category="employment")
    services.refer(c, catalogue["baznas-modal"], user=people["front"], sent_on=D(2025, 4, 1))
    return a, b, c


def period() -> dict[str, str]:
    return {"dari": "2025-01-01", "sampai": "2025-12-31"}


def test_report_page_shows_the_selector_figures_in_indonesian(client, people, history):
    data = selectors.case_report(
        Case.objects.all(), date_from=D(2025, 1, 1), date_to=D(2025, 12, 31)
    )
    assert data["cases"] == 3 and data["referrals_sent"] == 3
    assert data["answered"] == 2 and data["answered_on_time"] == 1
    client.force_login(people["bappeda"])
    page = client.get(reverse("slrt-report"), period()).content.decode()
    assert 'data-kpi="cases">3<' in page
    assert 'data-kpi="on_time">50,0%<' in page
    closed_loop = reports.kpi_text(data["closed_loop_rate"] * 100, "percent")
    assert closed_loop == "33,3%"
    assert f'data-kpi="closed_loop">{closed_loop}<' in page
    median = reports.kpi_text(data["median_days_to_close"], "days")
    assert f'data-kpi="median_days">{median}<' in page
    assert 'class="slrt-chart"' in page  # the charts are drawn
    assert "Orang 1" not in page  # no names in the report


def test_report_xlsx_has_the_same_figures_and_no_personal_data(client, people, history, release):
    from openpyxl import load_workbook

    client.force_login(people["executive"])
    response = client.get(reverse("slrt-report-xlsx"), period())
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('laporan-slrt-20250101-20251231.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    summary = book.worksheets[0]
    values = {row[0].value: row[1].value for row in summary.iter_rows(min_row=5)}
    assert values["Kasus terdaftar"] == 3
    assert values["Tingkat tepat waktu"] == pytest.approx(0.5)
    assert values["Tingkat tuntas (closed-loop)"] == pytest.approx(0.333)
    text = "\n".join(
        str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value
    )
    for m in release.test_members:
        assert m["full_name"] not in text and m["nik"] not in text
    assert "demam berdarah" not in text
    per_desa = book.worksheets[1]
    with translation.override("id"):
        total = gettext("Total")
    totals = [row for row in per_desa.iter_rows(values_only=True) if row and row[0] == total]
    assert totals and str(totals[0][2]).startswith("=SUM(")


def test_report_is_scoped_to_the_front_offices_kecamatan(client, people, history, make_case):
    other = make_case(household="H2", user=people["other_front"], opened_on=D(2025, 6, 2))
    client.force_login(people["front"])
    page = client.get(reverse("slrt-report"), period()).content.decode()
    assert 'data-kpi="cases">3<' in page
    assert f'data-desa="{other.desa_id}"' not in page
    client.force_login(people["bappeda"])
    page = client.get(reverse("slrt-report"), period()).content.decode()
    assert 'data-kpi="cases">4<' in page


def test_report_period_before_its_start_is_refused_with_a_message(client, people):
    client.force_login(people["bappeda"])
    response = client.get(reverse("slrt-report"), {"dari": "2025-12-31", "sampai": "2025-01-01"})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()


def test_view_model_months_cover_the_whole_period_with_zeros():
    data = {
        "by_month": {"2025-02": 4},
        "date_from": D(2025, 1, 1),
        "date_to": D(2025, 3, 31),
    }
    assert [n for _label, n in reports._months(data)] == [0, 4, 0]
