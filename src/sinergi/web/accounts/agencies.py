"""Domain actions on agencies (OPD) and their heads.

The set-up pages and their XLSX import call these; each write checks
:meth:`Policy.can_manage_agencies`, runs in a transaction, is audited, and honours
optimistic locking on ``Agency.version`` (:class:`ConflictError`, the exception
every versioned object raises).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.web.accounts.models import Agency
from sinergi.web.accounts.policy import Policy
from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.indicators.services import ConflictError
from sinergi.web.regions.models import Level, Region

Actor = AbstractBaseUser | AnonymousUser | None
FIELDS = ("code", "name", "short_name", "head_name", "head_title")
# The levels an agency belongs to: OPD operators are scoped to a province or a regency.
AGENCY_LEVELS = (Level.PROVINCE, Level.REGENCY)


def _check(actor: Actor, region_code: str) -> None:
    if actor is not None and not Policy.for_user(actor).can_manage_agencies(region_code):  # type: ignore[arg-type]
        raise PermissionDenied(_("Only the Bappeda administrator of the region manages its OPD."))


def _validate(agency: Agency) -> None:
    """Model validation, with the duplicate code named on its field (not the whole form)."""
    errors: dict[str, list[str]] = {}
    clash = Agency.objects.filter(region_id=agency.region_id, code=agency.code)
    if agency.pk is not None:
        clash = clash.exclude(pk=agency.pk)
    if agency.code and clash.exists():
        errors["code"] = [
            _("The code %(code)s is already used by another OPD of this region.")
            % {"code": agency.code}
        ]
    try:
        agency.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for name, texts in exc.message_dict.items():
            errors.setdefault(name, []).extend(texts)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_agency(actor: Actor, *, region: Region, **values: Any) -> Agency:
    """Create an agency of ``region`` (``ValidationError`` per field, ``PermissionDenied``)."""
    _check(actor, region.code)
    if region.level not in AGENCY_LEVELS:
        raise ValidationError(
            {"region": [_("An OPD belongs to a province or a regency/city, not a lower region.")]}
        )
    agency = Agency(region=region, **{k: v for k, v in values.items() if k in FIELDS})
    _validate(agency)
    agency.save()
    audit.record(agency, Action.CREATE, actor)
    return agency


@transaction.atomic
def update_agency(
    agency: Agency, actor: Actor, *, expected_version: int | None, **changes: Any
) -> tuple[Agency, bool]:
    """Change an agency's code, names or head; ``ConflictError`` when ``expected_version``
    is not the stored one. The region is fixed: its users are scoped through it."""
    current = Agency.objects.select_for_update().get(pk=agency.pk)
    _check(actor, current.region_id)
    if expected_version is not None and expected_version != current.version:
        raise ConflictError(current, expected_version)
    region = changes.pop("region", None)
    if region is not None and getattr(region, "pk", region) != current.region_id:
        raise ValidationError(
            {"region": [_("An OPD's region cannot be changed; add a new OPD instead.")]}
        )
    changes = {k: v for k, v in changes.items() if k in FIELDS}
    if all(getattr(current, name) == value for name, value in changes.items()):
        return current, False
    before = audit.snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    _validate(current)
    current.version += 1
    current.save()
    audit.record(current, Action.UPDATE, actor, before=before)
    return current, True
