"""Results computed once per change, never served stale: generation tokens per scope.

A *scope* names a slice of the data a computation reads: ``ind:<region>`` holds a
region's indicator values and targets, ``monev:<region>`` its activities, budgets,
plans and realisations, ``ind:*`` and ``monev:*`` what every region shares (the
catalogue, agencies, flagship programmes). Every write to a scope replaces the
scope's token (:class:`~sinergi.web.indicators.models.Generation`) with a fresh
random one **inside the writing transaction**, and :func:`cached` keys a result on
the tokens it read from the database in the same request. So:

- a committed write is visible to the very next request in every process (the
  token is read from the database, not from the process's cache);
- a rolled-back write changes nothing (its token is never committed, and is random,
  so no later write can produce it again);
- a reader that read the old token before the write committed may store a result
  computed from newer data under the old token: only readers that still see the old
  token can find it, and they are shown data no older than their own view.

Tokens are written by signal receivers (:func:`connect`, registered in
``IndicatorsConfig.ready``) so that every path that saves a model through the ORM
— services, the API, imports, forms other modules add later — invalidates without
having to remember; code that writes with ``bulk_create`` or ``QuerySet.update``
(which send no signals) calls :func:`bump` itself. Receivers are for invalidation
only: no domain rule lives here.

The cache is Django's default cache (a per-process ``LocMemCache`` unless configured
otherwise). Its values are pickled, so a caller may change what it gets back (as
``programs.services.reveal_drafts`` does) without touching the cached copy. What
depends on the viewer (published-only values, the language) is part of the key;
what depends on who may see a draft is decided after the cache, by the caller.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import translation

from sinergi.web.regions.models import ancestor_codes

T = TypeVar("T")

ALL_INDICATORS = "ind:*"
ALL_MONEV = "monev:*"
MISSING = object()
# Entries are found only through current tokens; the timeout just returns the
# memory of entries nobody can reach any more.
TIMEOUT = 3600


def indicator_scopes(region_code: str) -> list[str]:
    """Scopes an evaluation of ``region_code`` reads: its own values and targets, the
    targets of every region above it, and the catalogue."""
    return [ALL_INDICATORS, *(f"ind:{code}" for code in ancestor_codes(region_code))]


def monev_scopes(region_code: str) -> list[str]:
    """Scopes a region's monev reads: its activities and everything shared."""
    return [ALL_MONEV, f"monev:{region_code}"]


def _enabled() -> bool:
    return bool(getattr(settings, "SINERGI_RESULT_CACHE", True))


def bump(*scopes: str) -> None:
    """Give ``scopes`` new tokens in the current transaction (one upsert).

    Call it in the same transaction as a write that sends no signal
    (``bulk_create``, ``QuerySet.update``, raw SQL).
    """
    from sinergi.web.indicators.models import Generation

    wanted = sorted(set(scopes))  # one order for every writer: no lock-order deadlock
    if not wanted:
        return
    Generation.objects.bulk_create(
        [Generation(scope=s, token=secrets.token_hex(16)) for s in wanted],
        update_conflicts=True,
        unique_fields=["scope"],
        update_fields=["token"],
    )


def tokens(scopes: Iterable[str]) -> tuple[str, ...]:
    """The current token of each scope (``"0"`` for a scope never written), one query."""
    from sinergi.web.indicators.models import Generation

    wanted = list(scopes)
    found = dict(Generation.objects.filter(scope__in=wanted).values_list("scope", "token"))
    return tuple(found.get(s, "0") for s in wanted)


def cached(name: str, args: tuple[Any, ...], scopes: Iterable[str], compute: Callable[[], T]) -> T:
    """``compute()``, or its result stored under ``(name, args, tokens of scopes,
    language)`` when one is there.

    ``args`` must hold everything the result depends on besides the scopes' data
    (region, year, viewer-dependent flags, settings); the tokens are read before
    ``compute`` reads any data.
    """
    if not _enabled():
        return compute()
    scopes = list(scopes)
    key_parts = (name, args, scopes, tokens(scopes), translation.get_language())
    key = "fresh:" + hashlib.sha256(repr(key_parts).encode()).hexdigest()
    cache = caches["default"]
    hit = cache.get(key, MISSING)
    if hit is not MISSING:
        return hit  # type: ignore[no-any-return]
    result = compute()
    cache.set(key, result, TIMEOUT)
    return result


# --- what invalidates what ---------------------------------------------------------


def _region_via(instance: Any, fk: str, model: str, path: str) -> str | None:
    """The region code reached from ``instance.<fk>`` along ``path`` (one query)."""
    pk = getattr(instance, f"{fk}_id")
    if pk is None:
        return None
    rows = apps.get_model(model).objects.filter(pk=pk).values_list(path, flat=True)
    return next(iter(rows), None)


def _value_scopes(instance: Any) -> list[str]:
    return [f"ind:{instance.region_id}"]


def _catalogue_scopes(instance: Any) -> list[str]:
    return [ALL_INDICATORS]


def _activity_scopes(instance: Any) -> list[str]:
    return [f"monev:{instance.region_id}"]


def _monev_of(region: str | None) -> list[str]:
    # A parent already deleted (cascades delete children first, so rarely): bump
    # what every region shares rather than miss the region.
    return [f"monev:{region}"] if region else [ALL_MONEV]


def _child_of_activity(instance: Any) -> list[str]:
    return _monev_of(_region_via(instance, "activity", "programs.Activity", "region_id"))


def _indicator_scopes(instance: Any) -> list[str]:
    scopes = [f"monev:{instance.region_id}"]
    if instance.activity_id is not None:
        scopes += _child_of_activity(instance)
    return scopes


def _output_scopes(instance: Any) -> list[str]:
    return _monev_of(
        _region_via(instance, "realisation", "programs.Realisation", "activity__region_id")
    )


def _shared_monev(instance: Any) -> list[str]:
    return [ALL_MONEV]


# (app label, model, scopes written). A model missing here is read by no cached result.
RECEIVERS: list[tuple[str, str, Callable[[Any], list[str]]]] = [
    ("indicators", "Indicator", _catalogue_scopes),
    ("indicators", "IndicatorValue", _value_scopes),
    ("indicators", "Target", _value_scopes),
    ("programs", "Activity", _activity_scopes),
    ("programs", "Budget", _child_of_activity),
    ("programs", "QuarterPlan", _child_of_activity),
    ("programs", "Realisation", _child_of_activity),
    ("programs", "OutputRealisation", _output_scopes),
    ("programs", "PerformanceIndicator", _indicator_scopes),
    ("programs", "MonevRound", _activity_scopes),
    ("programs", "FlagshipProgramme", _shared_monev),
    ("programs", "Nomenclature", _shared_monev),
    ("accounts", "Agency", _shared_monev),
]


def _receiver(scopes_of: Callable[[Any], list[str]]) -> Callable[..., None]:
    def receive(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        bump(*scopes_of(instance))

    return receive


_connected: list[Callable[..., None]] = []  # signals hold receivers weakly


def connect() -> None:
    """Bump the scopes of every save and delete of the models in :data:`RECEIVERS`."""
    if _connected:
        return
    for app_label, model_name, scopes_of in RECEIVERS:
        model = apps.get_model(app_label, model_name)
        receive = _receiver(scopes_of)
        _connected.append(receive)
        uid = f"freshness:{app_label}.{model_name}"
        post_save.connect(receive, sender=model, dispatch_uid=uid + ":save")
        post_delete.connect(receive, sender=model, dispatch_uid=uid + ":delete")
