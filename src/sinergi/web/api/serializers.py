"""Serializer parts shared by the apps' APIs: text and boolean fields that take only that.

DRF's CharField turns a JSON number into a string (``{"note": 0}`` is saved as
``"0"``) and its BooleanField reads ``0`` or ``"yes"``, although the schema says
string and boolean; its number fields read ``true`` as 1. Sinergi's API (JSON)
refuses them with 400 naming the field. Numeric strings (``"9.60"``) stay accepted:
clients send decimals as text to keep their precision.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    default_error_messages = {"not_text": _("Enter text, not a number or a list.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class StrictSlugField(serializers.SlugField):
    default_error_messages = StrictCharField.default_error_messages

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class _NotBoolean:
    """Numbers that refuse ``true``/``false`` (Python reads them as 1 and 0)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictIntegerField(_NotBoolean, serializers.IntegerField):
    pass


class StrictFloatField(_NotBoolean, serializers.FloatField):
    pass


class StrictDecimalField(_NotBoolean, serializers.DecimalField):
    pass


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true``/``false`` only: DRF would also read ``0``, ``"yes"`` or ``"on"``."""

    default_error_messages = {"not_boolean": _("Enter true or false.")}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("not_boolean")
        return data


class ModelSerializer(serializers.ModelSerializer[Any]):
    """ModelSerializer whose text, boolean and number fields take only that JSON type
    (numbers may also come as numeric strings, e.g. ``"9.60"``)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanField,
        models.SlugField: StrictSlugField,
        models.IntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.PositiveBigIntegerField: StrictIntegerField,
        models.FloatField: StrictFloatField,
        models.DecimalField: StrictDecimalField,
    }
