"""CONTRIBUTING.md's checklist, enforced: every operationId of openapi.yaml is wired end to end.

For each operation: a generated endpoint module, a plan that sends it, a facade method (sync and
async) named as that plan, an emulator route, a cassette that holds it, and a docs/api entry for
the method. Adding an operation to openapi.yaml fails here until every step is done; the table
below is the one place that says which facade method serves which operation.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import agb
import agb._plans
import agb_api_client.api
from agb.emulator import EmulatorConfig, RunningEmulator, serve

ROOT = Path(__file__).resolve().parents[2]
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
KEY = "checklist-key"

# operationId -> (facade class, method). The plan of the same name is in agb._plans.
SERVED_BY: dict[str, tuple[type, str]] = {
    "createSession": (agb.AGB, "create"),
    "getSession": (agb.AGB, "get_session"),
    "getSessionInfo": (agb.Session, "get_status"),
    "listSessions": (agb.AGB, "list"),
    "pauseSessionAsync": (agb.Session, "pause"),
    "resumeSessionAsync": (agb.Session, "resume"),
    "releaseSessionAsync": (agb.Session, "delete"),
    "setLabel": (agb.Session, "set_labels"),
    "getLabel": (agb.Session, "get_labels"),
    "getMcpResource": (agb.Session, "info"),
    "getLink": (agb.Session, "get_link"),
    "refreshSessionIdleTime": (agb.Session, "keep_alive"),
    "syncContext": (agb.Session, "delete"),  # delete(sync_context=True)
    "getContextInfo": (agb.Session, "delete"),  # waits for the sync tasks (create's too)
}
DOCS_PAGE = {agb.AGB: "agb.md", agb.Session: "session.md"}


def _spec_operations() -> dict[str, tuple[str, str]]:
    import yaml

    spec: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    return {
        operation["operationId"]: (method.upper(), path)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


OPERATIONS = _spec_operations()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _generated_modules() -> dict[str, Any]:
    modules = {}
    for group in pkgutil.iter_modules(agb_api_client.api.__path__):
        package = importlib.import_module(f"agb_api_client.api.{group.name}")
        for module in pkgutil.iter_modules(package.__path__):
            modules[module.name] = importlib.import_module(f"{package.__name__}.{module.name}")
    return modules


def _sources(folder: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.py")))


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with serve(EmulatorConfig(api_key=KEY)) as running:
        yield running


def test_the_table_names_every_operation_and_no_other() -> None:
    assert sorted(SERVED_BY) == sorted(OPERATIONS)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_generated_endpoint(operation_id: str) -> None:
    module = _generated_modules().get(_snake(operation_id))
    assert module is not None, f"no agb_api_client.api.*.{_snake(operation_id)}: regenerate"
    assert callable(module.sync_detailed)
    assert callable(module.asyncio_detailed)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_plan_and_sync_and_async_method(operation_id: str) -> None:
    cls, method = SERVED_BY[operation_id]
    assert callable(getattr(agb._plans, method, None)), f"no plan agb._plans.{method}"
    plans = _sources(ROOT / "agb" / "_plans") + (ROOT / "agb" / "_waits.py").read_text()
    assert f'"{operation_id}"' in plans, f"no plan sends {operation_id}"
    assert callable(getattr(cls, method, None)), f"no {cls.__name__}.{method}"
    assert callable(getattr(cls, f"{method}_async", None)), f"no {cls.__name__}.{method}_async"


def _code(answer: httpx.Response) -> object:
    try:
        body = answer.json()
    except ValueError:
        return answer.text
    return body.get("code") if isinstance(body, dict) else body


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_emulator_route(operation_id: str, emulator: RunningEmulator) -> None:
    """The emulator answers the operation's path as it does not answer a path it lacks."""
    method, path = OPERATIONS[operation_id]
    headers = {"authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=emulator.base_url, headers=headers, timeout=10) as client:
        unknown = client.request(method, "/mcp/noSuchOperationAnywhere", json={})
        known = client.request(method, path, json={})
    assert unknown.status_code >= 400
    same = known.status_code == unknown.status_code and _code(known) == _code(unknown)
    assert not same, f"the emulator has no route for {method} {path}"


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_cassette(operation_id: str) -> None:
    method, path = OPERATIONS[operation_id]
    pattern = re.compile(rf"method: {method}\n\s+uri: http://[^/\s]+{re.escape(path)}[?\s]")
    cassettes = sorted((ROOT / "tests" / "cassettes").rglob("*.yaml"))
    assert any(pattern.search(c.read_text(encoding="utf-8")) for c in cassettes), (
        f"no cassette records {method} {path}: add a scenario to tests/replay and record it"
    )


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_docs_entry(operation_id: str) -> None:
    cls, method = SERVED_BY[operation_id]
    page = (ROOT / "docs" / "api" / DOCS_PAGE[cls]).read_text(encoding="utf-8")
    heading = method.replace("_", "\\_")
    assert f"### {heading}\n" in page, f"docs/api/{DOCS_PAGE[cls]} has no {method}"
    assert f"### {heading}\\_async\n" in page, f"docs/api/{DOCS_PAGE[cls]} has no {method}_async"
