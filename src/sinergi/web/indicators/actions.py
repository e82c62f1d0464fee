"""Set-up actions the management pages need beyond :mod:`.services`: saving a catalogue
entry and removing a target. Like the services they validate, write in a transaction
and record the audit entry; the pages, the XLSX imports and the tests call them.

A catalogue entry has no ``version`` column, so its optimistic lock is a fingerprint of
its stored fields (:func:`fingerprint`): a form carries the fingerprint it was shown,
and a save whose fingerprint no longer matches raises :class:`ConflictError`.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.indicators.models import Indicator, Target
from sinergi.web.indicators.services import ConflictError

MAX_DECIMALS = 6
_BAND_RE = re.compile(r"^(?P<grade>[^<>]+?)\s*(?:>\s*(?P<bound>-?[\d.,]+))?$")


# --- grades as text ------------------------------------------------------------------------


def grades_text(grades: list[list[Any]] | None, separator: str = "\n") -> str:
    """``[[90, "AA"], [80, "A"], [None, "D"]]`` as ``"AA > 90\\nA > 80\\nD"``."""
    lines = []
    for bound, grade in grades or []:
        if bound is None:
            lines.append(str(grade))
        else:
            shown = format(Decimal(str(bound)).normalize(), "f").replace(".", ",")
            lines.append(f"{grade} > {shown}")
    return separator.join(lines)


def parse_grades(text: str) -> list[list[Any]]:
    """The inverse of :func:`grades_text`; one band per line (or ``;``), from the top.

    ``ValueError`` with the reason when a band is not ``GRADE > NUMBER``, the bounds do
    not fall, or a band without a bound is not the last.
    """
    bands: list[list[Any]] = []
    parts = [p.strip() for p in re.split(r"[\n;]", text or "") if p.strip()]
    for number, part in enumerate(parts, start=1):
        match = _BAND_RE.match(part)
        if not match:
            raise ValueError(
                _('Band %(n)s ("%(text)s"): write GRADE > NUMBER, e.g. "AA > 90".')
                % {"n": number, "text": part}
            )
        grade = match["grade"].strip()
        bound: int | float | None = None
        if match["bound"] is not None:
            try:
                exact = Decimal(match["bound"].replace(",", "."))
            except InvalidOperation:
                raise ValueError(
                    _('Band %(n)s ("%(text)s"): the bound is not a number.')
                    % {"n": number, "text": part}
                ) from None
            bound = int(exact) if exact == exact.to_integral_value() else float(exact)
        if bands and bands[-1][0] is None:
            raise ValueError(
                _("Only the last band may have no lower bound (band %(n)s follows it).")
                % {"n": number}
            )
        if bound is not None and bands and bands[-1][0] is not None and bound >= bands[-1][0]:
            raise ValueError(
                _("Band %(n)s: bounds must fall from the top band down.") % {"n": number}
            )
        bands.append([bound, grade])
    return bands


# --- the catalogue ---------------------------------------------------------------------------


FIELDS = [
    "code",
    "name_id",
    "name_en",
    "unit",
    "decimals",
    "polarity",
    "source_agency",
    "frequency",
    "definition_id",
    "definition_en",
    "grades",
    "is_additive",
    "is_headline",
    "sort_order",
]


class CatalogueConflict(ConflictError):
    """A catalogue entry changed since the user read it; ``current_version`` is its
    fingerprint now."""

    def __init__(self, indicator: Indicator) -> None:
        Exception.__init__(
            self, _("%(obj)s was changed by someone else meanwhile.") % {"obj": indicator}
        )
        self.current_version = fingerprint(indicator)


def fingerprint(indicator: Indicator) -> str:
    """A short digest of the entry's stored fields: its version for optimistic locking."""
    snap = audit.snapshot(indicator)
    text = json.dumps(snap, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _validate(indicator: Indicator) -> None:
    errors: dict[str, list[str]] = {}
    if indicator.decimals is not None and not 0 <= indicator.decimals <= MAX_DECIMALS:
        errors["decimals"] = [_("Decimals must be between 0 and %(max)s.") % {"max": MAX_DECIMALS}]
    try:
        parse_grades(grades_text(indicator.grades))
    except (ValueError, TypeError):
        errors["grades"] = [_("The grades are not a list of bands.")]
    try:
        indicator.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_indicator(
    indicator: Indicator | None,
    user: AbstractBaseUser | AnonymousUser | None,
    *,
    expected: str | None = None,
    **values: Any,
) -> tuple[Indicator, bool]:
    """Create a catalogue entry (``indicator`` is None) or change one.

    ``expected`` is the :func:`fingerprint` the user edited; a different stored one
    raises :class:`ConflictError`. Returns ``(indicator, changed)``.
    """
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    if indicator is None:
        obj = Indicator(**values)
        _validate(obj)
        obj.save()
        audit.record(obj, Action.CREATE, user)
        return obj, True
    current = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if expected is not None and expected != fingerprint(current):
        raise CatalogueConflict(current)
    if all(getattr(current, name) == value for name, value in values.items()):
        return current, False
    before = audit.snapshot(current)
    for name, value in values.items():
        setattr(current, name, value)
    _validate(current)
    current.save()
    audit.record(current, Action.UPDATE, user, before=before)
    return current, True


# --- targets ---------------------------------------------------------------------------------


@transaction.atomic
def delete_target(
    target: Target,
    user: AbstractBaseUser | AnonymousUser | None,
    *,
    expected_version: int | None = None,
    comment: str = "",
) -> None:
    """Remove a target (the audit entry keeps what it was); stale version: ConflictError."""
    current = Target.objects.select_for_update().get(pk=target.pk)
    if expected_version is not None and expected_version != current.version:
        raise ConflictError(current, expected_version)
    audit.record(current, Action.DELETE, user, before=audit.snapshot(current), comment=comment)
    current.delete()
