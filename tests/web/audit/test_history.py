"""The generic history page: labelled fields in words, names, local time; access-checked.

Named users: ``bappeda`` (Bappeda administrator of 16.07), ``muba`` (Bappeda of another
regency), ``citizen`` (no role); for realisations the owning agency's operator, another
agency's operator and an executive viewer.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sinergi.web.audit.models import AuditEntry
from sinergi.web.indicators.models import Indicator
from sinergi.web.indicators.services import record_value
from sinergi.web.regions.models import Region


def _value(admin):  # type: ignore[no-untyped-def]
    indicator = Indicator.objects.get(code="poverty_rate")
    value, _ = record_value(
        indicator=indicator,
        region=Region.objects.get(code="16.07"),
        period="2024",
        value=Decimal("10.5"),
        user=admin,
    )
    record_value(
        indicator=indicator,
        region=value.region,
        period="2024",
        value=Decimal("1310.25"),
        user=admin,
        reason="BPS revision",
    )
    return value


def test_value_history_shows_labelled_fields_names_and_formatted_numbers(client, make_user):
    admin = make_user("bappeda", role="bappeda_admin")
    admin.first_name, admin.last_name = "Siti", "Aminah"
    admin.save()
    value = _value(admin)
    client.force_login(admin)
    page = client.get(reverse("audit-history", args=["indicators", "indicatorvalue", value.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "BPS revision" in html
    rows = page.context["views"]
    update = rows[0]
    assert update.who == "Siti Aminah" and update.action_label == "Changed"
    changes = {c.label: (c.before, c.after) for c in update.changes}
    assert changes["Value"] == ("10.5", "1,310.25")
    assert changes["Status"] == ("Final", "Revised")  # a choice label, not "revised"
    created = {c.label: c.after for c in rows[1].changes}
    assert created["Region"] == "Banyuasin" or "Banyuasin" in created["Region"]
    assert created["Indicator"] == value.indicator.name
    assert created["Year"] == "2024"  # a year, not "2,024"
    # No database dump: no raw field names, ids or bookkeeping.
    for raw in ("updated_by_id", "indicator_id", "<code>", "version"):
        assert raw not in html
    assert "Change history: " + value.indicator.name in html and "2024" in html


def test_history_times_are_local_and_in_words(client, make_user):
    admin = make_user("bappeda", role="bappeda_admin")
    value = _value(admin)
    utc_moment = dt.datetime(2026, 11, 29, 3, 5, tzinfo=dt.UTC)  # 10:05 in Jakarta
    AuditEntry.objects.filter(object_id=str(value.pk)).update(at=utc_moment)
    client.force_login(admin)
    html = client.get(
        reverse("audit-history", args=["indicators", "indicatorvalue", value.pk])
    ).content.decode()
    assert "29 November 2026 10:05" in html
    assert "2026-11-29T" not in html and "03:05" not in html


def test_history_reads_in_indonesian_by_default(client, make_user):
    admin = make_user("bappeda", role="bappeda_admin")
    value = _value(admin)
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.force_login(admin)
    html = client.get(
        reverse("audit-history", args=["indicators", "indicatorvalue", value.pk])
    ).content.decode()
    assert "Riwayat perubahan: " in html and "1.310,25" in html and "Direvisi" in html


def test_history_is_404_outside_scope_and_for_unknown_models(client, make_user):
    admin = make_user("bappeda", role="bappeda_admin")
    value = _value(admin)
    url = reverse("audit-history", args=["indicators", "indicatorvalue", value.pk])
    client.force_login(make_user("muba", role="bappeda_admin", region="16.06"))
    assert client.get(url).status_code == 404
    client.force_login(make_user("citizen"))
    assert client.get(url).status_code == 404
    assert client.get(reverse("audit-history", args=["nope", "model", 1])).status_code == 404
    assert (
        client.get(
            reverse("audit-history", args=["indicators", "indicatorvalue", "abc"])
        ).status_code
        == 404
    )
    client.logout()
    assert client.get(url).status_code == 302


def test_indicator_page_links_each_value_to_its_history(client, make_user):
    admin = make_user("bappeda", role="bappeda_admin")
    value = _value(admin)
    link = reverse("audit-history", args=["indicators", "indicatorvalue", value.pk])
    page = reverse("indicator-detail", args=["16.07", "poverty_rate"])
    client.force_login(admin)
    assert link in client.get(page).content.decode()
    client.logout()  # the public reads the value but not who changed it
    assert link not in client.get(page).content.decode()


def test_user_history_for_its_administrator(client, make_user):
    from sinergi.web.accounts.services import create_user

    admin = make_user("bappeda", role="bappeda_admin")
    created = create_user(
        username="betung", role="kecamatan_operator", region_code="16.07.05", actor=admin
    )
    client.force_login(admin)
    page = client.get(reverse("audit-history", args=["auth", "user", created.pk]))
    assert page.status_code == 200
    assert "Username" in {c.label for v in page.context["views"] for c in v.changes}
    # The profile's keys read as its fields: role label, region and agency names.
    created_row = {c.label: c.after for c in page.context["views"][-1].changes}
    assert created_row["Role"] == "Kecamatan operator"
    assert created_row["Region scope"] == Region.objects.get(code="16.07.05").name
    html = page.content.decode()
    assert "kecamatan_operator" not in html and "16.07.05<" not in html


def test_user_history_names_the_agency_and_reads_indonesian(client, make_user):
    from sinergi.web.accounts.models import Agency
    from sinergi.web.accounts.services import create_user

    admin = make_user("bappeda", role="bappeda_admin")
    agency = Agency.objects.create(region_id="16.07", code="dinkes", name="Dinas Kesehatan")
    created = create_user(
        username="dinkes1",
        role="opd_operator",
        region_code="16.07",
        agency_code="dinkes",
        actor=admin,
    )
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.force_login(admin)
    page = client.get(reverse("audit-history", args=["auth", "user", created.pk]))
    row = {c.label: c.after for c in page.context["views"][-1].changes}
    assert row["Perangkat daerah"] == agency.name
    assert row["Peran"] == "Operator dan verifikator OPD", row
    assert row["Cakupan wilayah"] == Region.objects.get(code="16.07").name


@pytest.fixture
def realisation(db, settings, tmp_path):  # type: ignore[no-untyped-def]
    """A realisation of the Banyuasin Prima demo (job fair, Q3 2019), changed once more."""
    from sinergi.web.programs import demo, services
    from sinergi.web.programs.models import Activity

    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.load()
    activity = Activity.objects.get(region_id="16.07", year=2019, code="2.07.04.2.01.0002")
    current = activity.realisations.get(quarter=3)
    if current.status == "approved":
        from django.contrib.auth.models import User

        current = services.transition(current, "return", User.objects.first(), note="cek ulang")
    current, _changed = services.save_realisation(
        activity,
        3,
        physical_pct=current.physical_pct,
        spent=current.spent,
        user=None,  # type: ignore[arg-type]
        problems="Hujan deras",
    )
    return current


def test_realisation_history_for_its_agency_and_bappeda_only(client, make_user, realisation):
    activity = realisation.activity
    url = reverse("audit-history", args=["programs", "realisation", realisation.pk])
    owner = make_user("t-owner", role="opd_operator", agency=activity.agency)
    client.force_login(owner)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["title"] == f"Realisation of {activity.name}, Quarter III 2019"
    labels = {c.label for v in page.context["views"] for c in v.changes}
    assert "Problems (kendala)" in labels and "Spent to date (Rp)" in labels
    client.force_login(make_user("t-bappeda", role="bappeda_admin"))
    assert client.get(url).status_code == 200
    from sinergi.web.accounts.models import Agency

    other = Agency.objects.filter(region_id="16.07").exclude(pk=activity.agency_id).first()
    for who in (
        make_user("t-other", role="opd_operator", agency=other),
        make_user("t-viewer", role="executive_viewer"),
    ):
        client.force_login(who)
        assert client.get(url).status_code == 404, who.username


def test_realisation_page_links_to_its_history(client, make_user, realisation):
    url = reverse("audit-history", args=["programs", "realisation", realisation.pk])
    client.force_login(make_user("t-bappeda", role="bappeda_admin"))
    page = client.get(reverse("monev-realisation", args=[realisation.activity_id, 3]))
    assert url in page.content.decode()


_ = timezone


def test_planning_histories_for_the_region_but_not_the_executive_viewer(
    client, make_user, realisation
):  # type: ignore[no-untyped-def]
    """Activities, flagships, performance indicators and their budgets: every role of the
    region reads their trail (as it reads the plans), the executive viewer and other
    regions do not."""
    from sinergi.web.programs import services
    from sinergi.web.programs.models import PerformanceIndicator

    activity = realisation.activity
    bappeda = make_user("t-bappeda", role="bappeda_admin")
    services.update(
        activity, bappeda, expected_version=activity.version, location="Pangkalan Balai"
    )
    output = PerformanceIndicator.objects.filter(activity=activity).first()
    budget = activity.budgets.first()
    objects = [("activity", activity.pk), ("performanceindicator", output.pk)]
    objects += [("budget", budget.pk)] if budget else []
    owner = make_user("t-owner", role="opd_operator", agency=activity.agency)
    for model, pk in objects:
        url = reverse("audit-history", args=["programs", model, pk])
        for who in (bappeda, owner):
            client.force_login(who)
            assert client.get(url).status_code == 200, (model, who.username)
        for who in (
            make_user(f"t-viewer-{model}", role="executive_viewer"),
            make_user(f"t-muba-{model}", role="bappeda_admin", region="16.06"),
        ):
            client.force_login(who)
            assert client.get(url).status_code == 404, (model, who.username)
    client.force_login(bappeda)
    page = client.get(reverse("audit-history", args=["programs", "activity", activity.pk]))
    assert "Pangkalan Balai" in page.content.decode()
