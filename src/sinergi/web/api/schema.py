"""How /api/v1/ describes itself: the OpenAPI schema tells what every operation really does.

drf-spectacular documents the success response of each operation; the API also
answers 400, 401, 403, 404, 409 and 429, and integrators generate clients from
the schema, so :class:`AutoSchema` adds those responses where they can happen
and declares anonymous access (``{}`` in ``security``) exactly where the
view's own permission classes let an anonymous request through.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

ERROR = {"$ref": "#/components/schemas/Error"}
VALIDATION_ERROR = {"$ref": "#/components/schemas/ValidationError"}
CONFLICT = {"$ref": "#/components/schemas/Conflict"}
NO_NUL = "^[^\\u0000]*$"

# status -> (description, body schema); the order is the order in the document.
ERROR_RESPONSES: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("The request is invalid; the body names each field and why.", VALIDATION_ERROR),
    "401": ("Not signed in, or the token is invalid.", ERROR),
    "403": ("Signed in, but this role or region may not do this.", ERROR),
    "404": ("No such object within your scope.", ERROR),
    "409": (
        "Someone saved first (send the current ``version``), or the object's state "
        "does not allow this step.",
        CONFLICT,
    ),
    "415": ("The request body is not in a supported media type.", ERROR),
    "429": ("Too many requests; retry after the number of seconds in Retry-After.", ERROR),
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus Sinergi's error responses and per-operation security.

    A view may list further statuses its handler raises (beyond what its path,
    parameters and method imply) in ``schema_error_statuses``, e.g. ``{"404"}``
    for a view that looks a region up from a query parameter.
    """

    def get_auth(self) -> list[dict[str, Any]]:
        auths = [a for a in super().get_auth() if a]
        if self._anonymous_allowed():
            auths.append({})
        return auths

    def _anonymous_allowed(self) -> bool:
        """Ask the view's own permission classes whether an anonymous request may pass."""
        http = HttpRequest()
        http.method = self.method
        request = Request(http)
        request.user = AnonymousUser()
        try:
            return all(p.has_permission(request, self.view) for p in self.view.get_permissions())
        except Exception:  # a permission that needs more of the request: not public
            return False

    def _is_update_body(self, serializer: Any, direction: str) -> bool:
        """PUT and PATCH bodies must carry the ``version`` that was read (optimistic locking)."""
        fields = getattr(force_instance(serializer), "fields", {})
        return direction == "request" and self.method in ("PUT", "PATCH") and "version" in fields

    def get_serializer_name(self, serializer: Any, direction: str) -> str:
        name = super().get_serializer_name(serializer, direction)
        if self._is_update_body(serializer, direction):
            name = name.removesuffix("Serializer")
            name = name if name.endswith("Update") else name + "Update"
        return name

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        if self._is_update_body(serializer, direction) and "version" in schema["properties"]:
            schema["required"] = sorted({*schema.get("required", []), "version"})
        return schema

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        statuses = set(getattr(self.view, "schema_error_statuses", ()))
        parameters = operation.get("parameters", [])
        public = {} in operation.get("security", [{}])
        if "requestBody" in operation:
            statuses |= {"400", "415"}
        if any(p["in"] == "query" for p in parameters):
            statuses.add("400")
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if (
                parameter["in"] == "query"
                and schema.get("type") == "string"
                and not ({"enum", "format", "pattern"} & set(schema))
            ):
                # Django's form fields refuse NUL characters (400); say so.
                schema["pattern"] = NO_NUL
        if any(p["in"] == "path" for p in parameters):
            statuses.add("404")
        if not public or self.method not in SAFE_METHODS:
            statuses.add("403")
        if self.method not in SAFE_METHODS:
            statuses.add("409")
        statuses |= {"401", "429"}
        responses = operation.setdefault("responses", {})
        for code, (description, schema) in ERROR_RESPONSES.items():
            if code in statuses and code not in responses:
                responses[code] = {
                    "description": description,
                    "content": {"application/json": {"schema": schema}},
                }
        return operation


def error_components(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the error bodies :class:`AutoSchema` refers to."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "description": "An error, in the language of the request (Bahasa Indonesia by default).",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    schemas["ValidationError"] = {
        "type": "object",
        "description": (
            "Field name (or ``detail`` / ``non_field_errors``) -> the reasons it was refused, "
            'e.g. ``{"period": ["..."]}``; nested fields nest the same way.'
        ),
        "additionalProperties": {},
    }
    schemas["Conflict"] = {
        "type": "object",
        "description": "Why the write conflicts; ``version`` (and ``id``) of the current object when known.",
        "properties": {
            "detail": {"type": "string"},
            "version": {"type": "integer"},
            "id": {"type": "integer"},
        },
        "required": ["detail"],
    }
    return result
