"""The OpenAPI schema generates without a warning and says who may call what."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Generate it as CI does; ``--fail-on-warn`` turns any warning or error into a failure."""
    out = tmp_path_factory.mktemp("schema") / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def _operation(schema: dict, path: str, method: str) -> dict:
    return schema["paths"][path][method]


def test_schema_generates_with_no_warning_and_validates(schema: dict) -> None:
    assert schema["openapi"].startswith("3.")
    assert len([op for item in schema["paths"].values() for op in item]) >= 60


def test_components_are_unique_per_serializer(schema: dict) -> None:
    components = schema["components"]["schemas"]
    # The two ValueSerializers (indicator values, form cells) used to collide as "ValueRequest".
    assert {"ValueRequest", "DataValueRequest"} <= set(components)
    assert "Completeness" in components  # CompletenessView had no serializer at all


@pytest.mark.parametrize(
    ("path", "method", "public"),
    [
        ("/api/v1/regions/", "get", True),
        ("/api/v1/values/", "get", True),
        ("/api/v1/monev/summary/", "get", True),
        ("/api/v1/values/", "post", False),
        ("/api/v1/monev/activities/", "get", False),
        ("/api/v1/collection/submissions/", "get", False),
    ],
)
def test_security_is_declared_per_operation(
    schema: dict, path: str, method: str, public: bool
) -> None:
    security = _operation(schema, path, method)["security"]
    assert ({} in security) is public
    assert {"tokenAuth": []} in security and {"cookieAuth": []} in security


def test_error_responses_are_documented(schema: dict) -> None:
    update = _operation(schema, "/api/v1/values/{id}/", "patch")
    assert {"200", "400", "401", "403", "404", "409", "429"} <= set(update["responses"])
    assert update["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Conflict"
    }
    read = _operation(schema, "/api/v1/regions/", "get")
    assert "403" not in read["responses"] and "400" in read["responses"]


def test_updates_must_send_their_version(schema: dict) -> None:
    components = schema["components"]["schemas"]
    assert "version" in components["PatchedValueUpdateRequest"]["required"]
    assert "version" in components["TargetUpdateRequest"]["required"]
    assert "version" not in components["ValueRequest"].get("required", [])


def test_pagination_bounds_are_in_the_schema(schema: dict) -> None:
    parameters = {p["name"]: p for p in _operation(schema, "/api/v1/regions/", "get")["parameters"]}
    assert parameters["limit"]["schema"]["minimum"] == 1
    assert parameters["offset"]["schema"]["minimum"] == 0
