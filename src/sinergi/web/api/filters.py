"""Query filters of /api/v1/ that mean what the schema says.

django-filter's defaults disagree with the schema they produce: an integer
field gets a decimal filter (``?year=2025.5`` passes), and a foreign key gets a
model choice that answers 400 for an id that does not exist, although the
schema only promises an integer. Here an integer is an integer (within the
database's range), and filtering by an unknown id or code finds nothing.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework
from drf_spectacular.utils import extend_schema_field

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


@extend_schema_field({"type": "integer", "minimum": INT_MIN, "maximum": INT_MAX})
class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", INT_MIN)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``); anything else is an error, not "no filter"."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def clean(self, value: Any) -> bool | None:
        if value is None:
            return None
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(_("Enter true or false.")) from None


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class StrictChoiceField(forms.ChoiceField):
    """A choice, where an empty value is refused instead of read as "no filter"."""

    def clean(self, value: Any) -> Any:
        if value is None:
            return ""
        if value == "":
            raise forms.ValidationError(_("Choose one of the listed values."))
        return super().clean(value)


class ChoiceFilter(django_filters.ChoiceFilter):
    field_class = StrictChoiceField


class FilterSet(rest_framework.FilterSet):
    """Base of every API filter set (and of the ones built from ``filterset_fields``)."""

    @classmethod
    def filter_for_field(
        cls, field: models.Field[Any, Any], field_name: str, lookup_expr: str | None = None
    ) -> django_filters.Filter:
        label = field.verbose_name
        if lookup_expr in (None, "exact") and field.choices:
            return ChoiceFilter(field_name=field_name, choices=field.choices, label=label)
        if lookup_expr in (None, "exact") and isinstance(field, models.BooleanField):
            return BooleanFilter(field_name=field_name, label=label)
        if lookup_expr in (None, "exact"):
            target = field.target_field if field.is_relation and field.many_to_one else field
            if isinstance(target, models.IntegerField | models.AutoField):
                return IntegerFilter(field_name=field_name, label=label)
            if field.is_relation:
                return django_filters.CharFilter(field_name=field_name, label=label)
        return super().filter_for_field(field, field_name, lookup_expr)


class FilterBackend(rest_framework.DjangoFilterBackend):
    filterset_base = FilterSet
