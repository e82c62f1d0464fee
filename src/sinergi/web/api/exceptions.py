"""Errors of /api/v1/: one 409 for every app, and messages in the request's language.

Every error body is an object (``{"detail": ...}`` or field -> reasons), as the
schema's ``Error``, ``ValidationError`` and ``Conflict`` components say; a
conflict also carries the current ``version`` (and ``id``) when known, so a
client can reload and retry.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sinergi.web.indicators.services import ConflictError

REQUIRED = gettext_lazy("This parameter is required.")
SEND_VERSION = gettext_lazy("Send the version you edited (someone may have saved since).")


class Conflict(APIException):
    """409: someone saved first, or the object's state does not allow the write."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("Someone else saved this first; reload it and try again.")
    default_code = "conflict"

    def __init__(self, detail: Any = None, **extra: int | None) -> None:
        super().__init__(detail)
        self.extra = {name: value for name, value in extra.items() if value is not None}

    @classmethod
    def stale(cls, exc: ConflictError) -> Conflict:
        """The 409 of an optimistic-locking failure, naming the version now stored."""
        return cls(
            _(
                "Someone else saved this since you read it (it is now version %(version)s); "
                "reload it and apply your change again."
            )
            % {"version": exc.current_version},
            version=exc.current_version,
        )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Conflict):
        response.data = {"detail": response.data["detail"], **exc.extra}
    elif isinstance(response.data, list):  # ValidationError("...") raised without a field
        response.data = {"detail": response.data}
    return response
