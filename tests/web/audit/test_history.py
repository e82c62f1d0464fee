"""The generic history page: entries with their field changes, access-checked."""

from decimal import Decimal

from django.urls import reverse

from sinergi.web.indicators.models import Indicator
from sinergi.web.indicators.services import record_value
from sinergi.web.regions.models import Region


def test_value_history_lists_each_change_with_before_and_after(client, make_user):
    admin = make_user("bappeda", role="bappeda_admin")
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
        value=Decimal("10.2"),
        user=admin,
        reason="BPS revision",
    )
    client.force_login(admin)
    page = client.get(reverse("audit-history", args=["indicators", "indicatorvalue", value.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "BPS revision" in html
    assert "10.5" in html and "10.2" in html and "<code>value</code>" in html


def test_history_is_404_outside_scope_and_for_unknown_models(client, make_user):
    admin = make_user("bappeda", role="bappeda_admin")
    indicator = Indicator.objects.get(code="poverty_rate")
    value, _ = record_value(
        indicator=indicator,
        region=Region.objects.get(code="16.07"),
        period="2024",
        value=Decimal("10.5"),
        user=admin,
    )
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


def test_user_history_for_its_administrator(client, make_user):
    from sinergi.web.accounts.services import create_user

    admin = make_user("bappeda", role="bappeda_admin")
    created = create_user(
        username="betung", role="kecamatan_operator", region_code="16.07.05", actor=admin
    )
    client.force_login(admin)
    page = client.get(reverse("audit-history", args=["auth", "user", created.pk]))
    assert page.status_code == 200 and "kecamatan_operator" in page.content.decode()
