"""The audit trail in words: labelled fields, choice labels, names and local times.

An entry stores snapshots of raw values (``status: "verified"``, ``updated_by_id:
4``, ISO timestamps in UTC offsets). :func:`describe` turns them into what a
person reads: the field's ``verbose_name``, the choice label, the related
object's name, numbers and dates as :mod:`sinergi.web.core.formatting` writes
them, in local time.

A model may add two optional hooks (the audit app imports no domain app):

- ``history_title(self) -> str``: the object in words ("Pengisian Kecamatan
  Betung, Triwulan III 2026"); the page title says "Change history: <title>".
- ``history_labels(self) -> dict[str, str]``: labels of snapshot keys that are
  not model fields (a submission's ``value:<element>:<category>``, or the items
  of a dict-valued key such as ``outputs:<id>``).

A model the project does not own (Django's ``User``) cannot have hooks; the app
that audits it registers with :func:`borrow_fields` the snapshot keys that are
fields of another model (a user's role, region and agency live on its profile),
so they read as that field would: choice label, region name, agency name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from sinergi.web.audit.models import Action, AuditEntry
from sinergi.web.core import stored_text
from sinergi.web.core.formatting import long_date, number, quarter_label

# Bookkeeping a person does not need: who saved is the "who" column already.
HIDDEN = {"id", "version", "updated_by", "updated_by_id", "updated_at", "created_at"}
EMPTY = (None, "", {}, [])
# Fields whose text Sinergi may have written itself (data collection notes, sources):
# shown through core.stored_text, as the indicator pages show them.
STORED_TEXT = {"note", "reason", "source"}
# A transition's comment starts with the step's code ("verify: ok"); the status
# change already says what happened.
_STEP_PREFIX = re.compile(r"^[a-z_]+(?::\s*|$)")
# The period code values and submissions share ("2026-Q3"), written as people do.
_QUARTER = re.compile(r"(?P<y>\d{4})-Q(?P<q>[1-4])")


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EntryView:
    entry: AuditEntry
    changes: list[FieldChange]
    comment: str

    @property
    def action_label(self) -> str:
        return str(Action(self.entry.action).label) if self.entry.action in Action.values else ""

    @property
    def who(self) -> str:
        return person(self.entry.actor)

    @property
    def when(self) -> str:
        return long_date(self.entry.at)


def person(user: Any) -> str:
    """A user as people name them: the full name, else the user name ('–' for nobody)."""
    if user is None:
        return "–"
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


def title(obj: models.Model) -> str:
    """The object in words (its ``history_title`` hook, else its kind and name)."""
    hook = getattr(obj, "history_title", None)
    if callable(hook):
        return str(hook())
    return f"{capfirst(str(obj._meta.verbose_name))} {obj}"


# Snapshot keys of a model that are fields of another model, by audited model.
_BORROWED: dict[type[models.Model], dict[str, models.Field]] = {}


def borrow_fields(model: type[models.Model], source: type[models.Model], *names: str) -> None:
    """Read snapshot keys ``names`` of ``model``'s entries as the fields of ``source``.

    >>> borrow_fields(User, Profile, "role", "region", "agency")  # doctest: +SKIP
    """
    borrowed = _BORROWED.setdefault(model, {})
    for name in names:
        borrowed[name] = source._meta.get_field(name)  # type: ignore[assignment]


def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    """Snapshot keys (``attname``) to their fields, borrowed keys last."""
    own: dict[str, models.Field] = {f.attname: f for f in model._meta.concrete_fields}  # type: ignore[misc]
    return own | _BORROWED.get(model, {})


def _flatten(state: dict[str, Any] | None) -> dict[str, Any]:
    """Dict-valued keys (``rule_comments``, ``outputs``) become one key per item."""
    flat: dict[str, Any] = {}
    for key, value in (state or {}).items():
        if isinstance(value, dict):
            for sub, item in value.items():
                flat[f"{key}:{sub}"] = item
            flat.setdefault(key, None)
        else:
            flat[key] = value
    return flat


def _decimal_text(raw: Any) -> str:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return str(raw)
    exponent = value.normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return number(value, min(decimals, 6))


def _when(raw: Any, field: models.Field | None) -> str:
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(raw))
        return long_date(moment) if moment else str(raw)
    day = parse_date(str(raw))
    return long_date(day) if day else str(raw)


class _Names:
    """Names of related objects, fetched once per model for all the entries of a page."""

    def __init__(self, fields: dict[str, models.Field], states: Iterable[dict[str, Any]]) -> None:
        wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        for state in states:
            for key, value in state.items():
                field = fields.get(key)
                if value not in EMPTY and isinstance(field, models.ForeignKey):
                    wanted[field.related_model].add(value)  # type: ignore[index]
        self.names: dict[tuple[type[models.Model], str], str] = {}
        self.regions: dict[str, str] = {}
        user_model = get_user_model()
        for model, pks in wanted.items():
            for obj in model._default_manager.filter(pk__in=pks):
                if model is user_model:
                    name = person(obj)
                else:
                    name = str(getattr(obj, "label", "") or getattr(obj, "name", "") or obj)
                self.names[(model, str(obj.pk))] = name

    def get(self, model: type[models.Model], pk: Any) -> str:
        return self.names.get((model, str(pk)), str(pk))


def _text(raw: Any, field: models.Field | None, names: _Names) -> str:
    if raw in EMPTY:
        return "–"
    if field is not None and field.name in STORED_TEXT and isinstance(raw, str):
        if field.name == "source":
            return stored_text.citation(raw) or "–"
        return stored_text.shown(raw, names.regions) or "–"
    if field is None:
        if isinstance(raw, int | float | Decimal) or re.fullmatch(r"-?\d+(\.\d+)?", str(raw)):
            return _decimal_text(raw)
        return str(raw)
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if isinstance(field, models.ForeignKey):
        return names.get(field.related_model, raw)  # type: ignore[arg-type]
    if isinstance(field, models.BooleanField):
        return _("Yes") if raw else _("No")
    if isinstance(field, models.DateField):  # DateTimeField too
        return _when(raw, field)
    if isinstance(field, models.SmallIntegerField | models.PositiveSmallIntegerField):
        return str(raw)  # years, quarters, orders: codes, never "2.026"
    if isinstance(field, models.DecimalField | models.FloatField | models.IntegerField):
        return _decimal_text(raw)
    if isinstance(raw, str) and (quarter := _QUARTER.fullmatch(raw)):
        return quarter_label(int(quarter["y"]), int(quarter["q"]))
    return str(raw)


def _label(key: str, field: models.Field | None, extra: dict[str, str]) -> str:
    if key in extra:
        return extra[key]
    if field is not None:
        return capfirst(str(field.verbose_name))
    base, _sep, item = key.partition(":")
    parent = extra.get(base)
    return f"{parent} ({item})" if parent and item else key


def describe(obj: models.Model, entries: Sequence[AuditEntry]) -> list[EntryView]:
    """Each entry of ``obj`` with the fields it changed, labelled and in words."""
    model = type(obj)
    fields = _fields(model)
    hook = getattr(obj, "history_labels", None)
    extra: dict[str, str] = dict(hook()) if callable(hook) else {}
    extra_order = {key: i for i, key in enumerate(extra)}
    for attname, field in fields.items():
        extra.setdefault(field.name, capfirst(str(field.verbose_name)))
        if attname != field.name:
            extra.setdefault(attname, capfirst(str(field.verbose_name)))
    flat = [(_flatten(e.before), _flatten(e.after)) for e in entries]
    names = _Names(fields, [s for pair in flat for s in pair])
    names.regions = stored_text.region_names(
        [e.comment for e in entries]
        + [v for pair in flat for state in pair for k, v in state.items() if k in STORED_TEXT]
    )
    order = {key: i for i, key in enumerate(fields)}
    views = []
    for entry, (before, after) in zip(entries, flat, strict=True):
        changes = []
        keys = [k for k in dict.fromkeys([*before, *after]) if k not in HIDDEN]
        keys.sort(
            key=lambda k: (order.get(k.partition(":")[0], len(order)), extra_order.get(k, 0), k)
        )
        for key in keys:
            old, new = before.get(key), after.get(key)
            if (old in EMPTY and new in EMPTY) or old == new:
                continue
            field = fields.get(key)
            changes.append(
                FieldChange(
                    _label(key, field, extra), _text(old, field, names), _text(new, field, names)
                )
            )
        comment = entry.comment or ""
        if entry.action == Action.TRANSITION:
            comment = _STEP_PREFIX.sub("", comment, count=1)
        comment = stored_text.shown(comment, names.regions)
        views.append(EntryView(entry, changes, comment))
    return views


__all__ = ["EntryView", "FieldChange", "borrow_fields", "describe", "person", "title"]
