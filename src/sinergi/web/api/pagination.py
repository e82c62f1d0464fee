"""Limit/offset pagination that refuses what it cannot honour, instead of guessing.

DRF's pagination silently replaces a negative or non-numeric ``limit`` with the
default page and passes any ``offset`` to the database (an offset past 2**63
is a server error on SQLite). Here both are checked and a bad value answers 400
naming the parameter, and the schema states the same bounds.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

MAX_LIMIT = 5000
MAX_OFFSET = 1_000_000_000


def _bounded_int(request: Request, name: str, low: int, high: int, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = int(raw) if re.fullmatch(r"[0-9]{1,12}", raw) else None
    if value is None or not low <= value <= high:
        raise ValidationError(
            {
                name: [
                    _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
                ]
            }
        )
    return value


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int:
        return _bounded_int(request, self.limit_query_param, 1, MAX_LIMIT, self.default_limit)

    def get_offset(self, request: Request) -> int:
        return _bounded_int(request, self.offset_query_param, 0, MAX_OFFSET, 0)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": MAX_LIMIT},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
