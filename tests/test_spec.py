"""openapi.yaml is a valid OpenAPI 3.1 document, documented well enough to generate from."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(``METHOD /path``, operation object) for every operation of the spec."""
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` such as ``#/components/responses/ClientError``."""
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def examples_of(spec: dict[str, Any], operation: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(where, example, schema) for every request and response body example of an operation."""
    found = []
    bodies = [("request", operation.get("requestBody", {}))]
    bodies += [(f"response {code}", r) for code, r in operation.get("responses", {}).items()]
    for where, body in bodies:
        for media in resolve(spec, body).get("content", {}).values():
            if "example" in media:
                found.append((where, media["example"], media.get("schema", {})))
            found += [
                (where, e["value"], media.get("schema", {}))
                for e in media.get("examples", {}).values()
            ]
    return found


def test_spec_is_valid_openapi_3_1(openapi_spec: dict[str, Any]) -> None:
    assert openapi_spec["openapi"].startswith("3.1.")
    validate(openapi_spec)


def test_every_operation_has_operation_id_summary_and_example(
    openapi_spec: dict[str, Any],
) -> None:
    missing = []
    for name, operation in operations(openapi_spec):
        missing += [
            f"{name}: no {key}" for key in ("operationId", "summary") if not operation.get(key)
        ]
        if not examples_of(openapi_spec, operation):
            missing.append(f"{name}: no request or response example")
    assert missing == []


def test_operation_ids_are_unique(openapi_spec: dict[str, Any]) -> None:
    ids = Counter(operation.get("operationId") for _, operation in operations(openapi_spec))
    assert [name for name, count in ids.items() if count > 1] == []
    assert len(ids) == len(operations(openapi_spec))


def test_every_operation_documents_its_error_envelope(openapi_spec: dict[str, Any]) -> None:
    """Error answers are declared, so the generated client parses them instead of dropping them."""
    error = {"$ref": "#/components/schemas/ErrorResponse"}
    for name, operation in operations(openapi_spec):
        for code in ("4XX", "5XX"):
            response = resolve(openapi_spec, operation["responses"].get(code, {}))
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            assert schema == error, f"{name} {code}"


def test_every_example_matches_its_schema(openapi_spec: dict[str, Any]) -> None:
    components = openapi_spec["components"]
    checked = 0
    for name, operation in operations(openapi_spec):
        for where, example, schema in examples_of(openapi_spec, operation):
            # The schema's local $refs resolve against this wrapper, which carries components.
            validator = OAS31Validator({**schema, "components": components})
            errors = [e.message for e in validator.iter_errors(example)]
            assert errors == [], f"{name} {where} example"
            checked += 1
        for parameter in operation.get("parameters", []):
            if "example" in parameter:
                validator = OAS31Validator(parameter["schema"])
                assert validator.is_valid(parameter["example"]), f"{name} {parameter['name']}"
    assert checked >= len(operations(openapi_spec))  # at least one example each


@pytest.mark.parametrize("status", ["HIBERNATING", "RUNNING"])
def test_session_status_is_an_open_set(openapi_spec: dict[str, Any], status: str) -> None:
    schema = openapi_spec["components"]["schemas"]["SessionStatus"]
    assert "enum" not in schema
    assert OAS31Validator(schema).is_valid(status)
