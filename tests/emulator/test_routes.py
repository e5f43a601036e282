"""The route table is keyed by the operation ids of openapi.yaml, and the app serves all of them."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from agb.emulator import EmulatorConfig, create_app
from agb.emulator._fault_kinds import KINDS
from agb.emulator._handlers import ROUTES
from agb.emulator._operations import API_PATHS, OPERATIONS


def _spec_operations(spec: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (operation["operationId"], method.upper(), path)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }


def test_operations_are_those_of_the_spec(openapi_spec: dict[str, Any]) -> None:
    ours = {(op.operation_id, op.method, op.path) for op in OPERATIONS}
    assert ours == _spec_operations(openapi_spec)
    assert set(ROUTES) == {op.operation_id for op in OPERATIONS}


def test_the_app_routes_every_operation_with_its_method() -> None:
    app = create_app(EmulatorConfig())
    served = {
        (route.path, method)
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }
    assert {(op.path, op.method) for op in OPERATIONS} <= served


def test_every_fault_kind_names_only_real_paths() -> None:
    for kind in KINDS.values():
        assert kind.paths is None or kind.paths <= API_PATHS, kind.name
