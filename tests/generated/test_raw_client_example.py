"""examples/raw_client.py (shown verbatim in the README) runs against a fake AGB server."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.support.fakes import Seen

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "raw_client.py"


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("agb_raw_client_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def happy_server(request: Seen) -> httpx.Response:
    """Just enough of AGB for the example: create, get and release one session."""
    path = request.url.path
    if path == "/mcp/createSession":
        data = {"sessionId": "s-1", "success": True, "resourceUrl": "https://r.example.invalid/"}
        return httpx.Response(200, json={"success": True, "requestId": "req-1", "data": data})
    assert json.loads(request.content) == {"sessionId": "s-1"}
    if path == "/mcp/getSession":
        data = {"sessionId": "s-1", "status": "RUNNING"}
        return httpx.Response(200, json={"success": True, "requestId": "req-2", "data": data})
    assert path == "/mcp/releaseSessionAsync"
    return httpx.Response(200, json={"success": True, "requestId": "req-3"})


def test_readme_shows_the_example_verbatim() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert EXAMPLE.read_text() in blocks


def test_example_creates_reads_and_releases(
    example: ModuleType, fake_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    server = fake_server(happy_server)
    transport = httpx.MockTransport(server)
    assert example.main("https://sdk-api.agb.cloud", "sk-example", transport) == "s-1"
    assert [(r.method, r.url.path) for r in server.requests] == [
        ("POST", "/mcp/createSession"),
        ("POST", "/mcp/getSession"),
        ("POST", "/mcp/releaseSessionAsync"),
    ]
    assert server.requests[0].url.params["imageId"] == "agb-code-space-1"
    assert {r.headers["authorization"] for r in server.requests} == {"Bearer sk-example"}
    assert capsys.readouterr().out.splitlines() == [
        "created s-1 (request req-1)",
        "status: RUNNING",
        "release accepted: True",
    ]


@pytest.mark.parametrize(
    ("status", "body", "shown"),
    [
        (403, {"success": False, "code": "AccessDenied", "message": "bad key"}, "AccessDenied"),
        (200, {"success": True, "data": {"success": False, "errMsg": "no quota"}}, "no quota"),
        (200, {"success": False, "code": "Throttling", "data": None}, "Throttling"),
    ],
    ids=["http-403", "data-success-false", "success-false"],
)
def test_example_stops_on_a_failed_create(
    example: ModuleType, fake_server: Any, status: int, body: dict[str, Any], shown: str
) -> None:
    server = fake_server(lambda _: httpx.Response(status, json=body))
    with pytest.raises(SystemExit, match=shown):
        example.main("https://sdk-api.agb.cloud", "sk-example", httpx.MockTransport(server))
    assert len(server.requests) == 1, "nothing is sent after a failed create"
