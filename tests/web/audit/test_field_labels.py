"""Every field a history page can show has a label translated into Indonesian.

A field without ``verbose_name`` gets one made from its name ("reviewed by"),
which no catalogue translates, so the Indonesian history page would show English.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

from sinergi.web.audit.presentation import HIDDEN, _fields

# Apps whose objects are written through the audit trail (services call audit.record).
AUDITED_APPS = ("indicators", "programs", "collection")
# Labels that are the same word in Indonesian.
SAME_IN_INDONESIAN = {"status", "minimum", "operator", "sub-kegiatan", "email", "token"}


def _audited_models() -> list[type[models.Model]]:
    found = [m for label in AUDITED_APPS for m in apps.get_app_config(label).get_models()]
    return [*found, get_user_model()]


def _shown_fields() -> list[tuple[str, str, models.Field]]:
    return [
        (model.__name__, key, field)
        for model in _audited_models()
        for key, field in _fields(model).items()
        if key not in HIDDEN and field.name not in HIDDEN
    ]


def test_the_walk_covers_the_audited_models() -> None:
    names = {(m, k) for m, k, _f in _shown_fields()}
    # Fields seen on history pages, including the user's profile keys.
    for expected in [
        ("Realisation", "reviewed_by_id"),
        ("IndicatorValue", "value"),
        ("Submission", "status"),
        ("User", "role"),
        ("User", "agency"),
    ]:
        assert expected in names


@pytest.mark.parametrize(("model", "key", "field"), _shown_fields(), ids=lambda v: str(v))
def test_field_label_is_translated(model: str, key: str, field: models.Field) -> None:
    label = field.verbose_name
    assert isinstance(label, Promise), f"{model}.{field.name} has no translatable verbose_name"
    with translation.override("en"):
        english = str(label)
    with translation.override("id"):
        indonesian = str(label)
    assert indonesian != english or english.lower() in SAME_IN_INDONESIAN, (
        f"{model}.{field.name}: {english!r} has no Indonesian translation"
    )
