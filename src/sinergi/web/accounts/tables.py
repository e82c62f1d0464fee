"""The agency (OPD) list: its table, its filter and its XLSX sheet (see core/lists.py)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.web.accounts import agencies
from sinergi.web.accounts.models import Agency, Role
from sinergi.web.accounts.policy import Policy
from sinergi.web.core.lists import Column, SearchFilterSet, Sheet, SinergiTable
from sinergi.web.regions.models import Region


class AgencyTable(SinergiTable):
    code = tables.Column(verbose_name=gettext_lazy("Code"))
    name = tables.LinkColumn(
        "accounts-agency-edit", args=[tables.A("pk")], verbose_name=gettext_lazy("Name")
    )
    short_name = tables.Column(verbose_name=gettext_lazy("Short name"))
    region = tables.Column(
        accessor="region__name", verbose_name=gettext_lazy("Region"), order_by=("region_id",)
    )
    head_name = tables.Column(verbose_name=gettext_lazy("Head"))
    head_title = tables.Column(verbose_name=gettext_lazy("Head's title"))

    class Meta(SinergiTable.Meta):
        model = Agency
        fields = ("code", "name", "short_name", "region", "head_name", "head_title")
        order_by = ("name",)
        attrs = {"class": "grid", "id": "agencies"}


class AgencyFilter(SearchFilterSet):
    search_fields = ("code", "name", "short_name", "head_name")

    class Meta:
        model = Agency
        fields = ["q"]


def region_by_code(cell: Any) -> Region:
    code = str(cell).strip()
    region = Region.objects.filter(code=code, active=True).first()
    if region is None:
        raise ValueError(_("Unknown region code %(code)s.") % {"code": code})
    return region


class AgencySheet(Sheet):
    """Agencies of the user's region subtree; written through :mod:`accounts.agencies`."""

    title = gettext_lazy("Agencies (OPD)")
    model = Agency
    columns = [
        Column(
            "region",
            gettext_lazy("Region code"),
            required=True,
            get=lambda a: a.region_id,
            parse=region_by_code,
            width=12,
        ),
        Column("code", gettext_lazy("Code"), required=True, width=16),
        Column("name", gettext_lazy("Name"), required=True, width=40),
        Column("short_name", gettext_lazy("Short name")),
        Column("head_name", gettext_lazy("Head"), width=30),
        Column("head_title", gettext_lazy("Head's title"), width=30),
    ]

    def queryset(self) -> QuerySet[Agency]:
        policy: Policy = self.policy
        return policy.agencies(Agency.objects.all()).order_by("region_id", "name")

    def stored_for_compare(self, obj: Any, column: Column) -> Any:
        if column.name == "region":
            return obj.region_id  # compared by primary key, no query per row
        return super().stored_for_compare(obj, column)

    def can_write(self, obj: Agency | None, values: dict[str, Any]) -> bool:
        region = values.get("region")
        code = obj.region_id if obj is not None else getattr(region, "code", "")
        return bool(code) and self.policy.can_manage_agencies(code)

    def save(self, obj: Agency | None, values: dict[str, Any], *, version: int | None) -> Any:
        if obj is None:
            return agencies.create_agency(self.user, **values)
        if values.get("region") is None:
            raise ValidationError({"region": [_("This column is required.")]})
        return agencies.update_agency(obj, self.user, expected_version=version, **values)[0]


class UserSheet(Sheet):
    """Users of the administrator's subtree, for reading only (an export: no passwords,
    no tokens; accounts are created on the users page, one by one)."""

    title = gettext_lazy("Users")
    model = User
    columns = [
        Column("username", gettext_lazy("Username"), readonly=True, width=20),
        Column("email", gettext_lazy("Email"), readonly=True, width=28),
        Column(
            "role",
            gettext_lazy("Role"),
            readonly=True,
            get=lambda u: u.profile.role,
            choices=Role.choices,
            width=26,
        ),
        Column(
            "region", gettext_lazy("Region scope"), readonly=True, get=lambda u: u.profile.region_id
        ),
        Column(
            "region_name",
            gettext_lazy("Region name"),
            readonly=True,
            get=lambda u: u.profile.region.name,
            width=26,
        ),
        Column(
            "agency",
            gettext_lazy("Agency"),
            readonly=True,
            get=lambda u: u.profile.agency.code if u.profile.agency_id else "",
        ),
        Column("is_active", gettext_lazy("Active"), kind="bool", readonly=True),
        Column(
            "last_login",
            gettext_lazy("Last log-in"),
            kind="date",
            readonly=True,
            get=lambda u: timezone.localdate(u.last_login) if u.last_login else None,
        ),
    ]
