"""The SLRT service catalogue as an XLSX sheet (export and import, see core/lists.py).

Rows are written through :func:`sinergi.web.social.services.save_service` (the Dinsos back
office only, validated and audited). A service has no ``version`` column, so an import
cannot detect a change made meanwhile: the file's row replaces the stored one, as the
catalogue form does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.web.accounts.models import Agency
from sinergi.web.core.lists import Column, Sheet
from sinergi.web.regions.models import Region
from sinergi.web.social import services
from sinergi.web.social.models import Category, Service


def agency_cell(agency: Agency) -> str:
    return f"{agency.region_id}/{agency.code}"


class ServiceSheet(Sheet):
    """The catalogue; ``policy`` is the user's :class:`SocialPolicy`."""

    title = gettext_lazy("SLRT service catalogue")
    model = Service

    def __init__(self, user: Any, policy: Any = None, **context: Any) -> None:
        super().__init__(user, policy, **context)
        self.columns = [  # type: ignore[misc]
            Column("code", gettext_lazy("Code"), required=True, width=24),
            Column("name", gettext_lazy("Name"), required=True, width=36),
            Column(
                "agency",
                gettext_lazy("Agency (region/code)"),
                required=True,
                get=lambda s: agency_cell(s.agency),
                parse=self.agency_by_cell,  # among the agencies of the user's regions
                width=22,
            ),
            Column("category", gettext_lazy("Category"), required=True, choices=Category.choices),
            Column("description", gettext_lazy("Description"), width=36),
            Column("eligibility", gettext_lazy("Who is eligible"), width=36),
            Column("documents_needed", gettext_lazy("Documents to bring"), width=36),
            Column(
                "sla_working_days",
                gettext_lazy("Service level (working days)"),
                kind="int",
                required=True,
            ),
            Column("active", gettext_lazy("Active"), kind="bool", required=True),
        ]

    def agency_by_cell(self, cell: Any) -> Agency:
        text = str(cell).strip()
        region_code, _sep, code = text.rpartition("/")
        regions = self.policy.base.regions(Region.objects.all()).values("code")
        found = Agency.objects.filter(region__in=regions, code=code.strip())
        if region_code:
            found = found.filter(region_id=region_code.strip())
        matches = list(found[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(
                _("More than one OPD has the code %(code)s: write region/code, e.g. %(e)s.")
                % {"code": code, "e": agency_cell(matches[0])}
            )
        raise ValueError(_("No OPD %(code)s in your region.") % {"code": text})

    def queryset(self) -> QuerySet[Service]:
        if not self.policy.can_manage_services:
            return Service.objects.none()
        return Service.objects.select_related("agency")

    def stored_for_compare(self, obj: Any, column: Column) -> Any:
        if column.name == "agency":
            return obj.agency  # compared by primary key, no query per row
        return super().stored_for_compare(obj, column)

    def can_write(self, obj: Service | None, values: dict[str, Any]) -> bool:
        return bool(self.policy.can_manage_services)

    def save(self, obj: Service | None, values: dict[str, Any], *, version: int | None) -> Any:
        service = obj if obj is not None else Service()
        for name, value in values.items():
            setattr(service, name, value)
        return services.save_service(service, user=self.user)
