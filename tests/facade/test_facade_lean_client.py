"""agb._lean_client: the async client builds the generated client's requests itself, and the
requests it builds are the ones httpx would have built; anything else takes httpx's own path.
No cookie is kept or sent, by either client."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from agb import Session
from agb._exchange import ASYNC_HOOKS, SYNC_HOOKS
from agb._lean_client import LeanAsyncClient, LeanClient
from agb._secrets import BearerAuth
from tests.support.fakes import KEY, SID, FakeServer, Runner, make_agb, ok, session_data

BASE = "https://agb.test.invalid/prefix"

# What the generated client passes to request(): each shape the API's operations use.
CALLS: list[dict[str, Any]] = [
    {"method": "post", "url": "/mcp/getSession", "json": {"sessionId": "s-1"},
     "headers": {"Content-Type": "application/json"}},
    {"method": "post", "url": "/mcp/createSession", "json": {"labels": "{\"a\": \"\u00e9\"}"},
     "headers": {"Content-Type": "application/json"}},
    {"method": "post", "url": "/mcp/listSession", "json": {},
     "headers": {"content-type": "application/json", "X-Extra": "1"}},
    {"method": "post", "url": "/mcp/releaseSessionAsync", "json": None, "headers": {}},
    {"method": "get", "url": "/sdk/GetContextInfo", "params": {"contextId": "c", "path": "/d"}},
]  # fmt: skip


def _settings(seen: list[httpx.Request], hooks: dict[str, Any]) -> dict[str, Any]:
    """A client's settings as the SDK's pools give them, over a transport recording requests."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"success": True})

    return {
        "base_url": BASE,
        "headers": {"User-Agent": "agb-test", "Content-Type": "application/json"},
        "timeout": httpx.Timeout(7.0),
        "auth": BearerAuth(KEY),
        "follow_redirects": False,
        "event_hooks": hooks,
        "transport": httpx.MockTransport(handler),
    }


def _clients(seen: list[httpx.Request]) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    settings = _settings(seen, ASYNC_HOOKS)
    return LeanAsyncClient(**settings, auth_header=f"Bearer {KEY}"), httpx.AsyncClient(**settings)


def _shape(request: httpx.Request) -> tuple[Any, ...]:
    headers = sorted((name.lower(), value) for name, value in request.headers.multi_items())
    return (
        request.method,
        str(request.url),
        headers,
        request.content,
        request.extensions.get("timeout"),
    )


@pytest.mark.parametrize("call", CALLS, ids=[c["url"] for c in CALLS])
async def test_a_lean_request_is_the_request_httpx_builds(call: dict[str, Any]) -> None:
    seen: list[httpx.Request] = []
    lean, plain = _clients(seen)
    async with lean, plain:
        answers = [await lean.request(**call), await plain.request(**call)]
    assert _shape(seen[0]) == _shape(seen[1])
    for answer in answers:
        assert answer.json() == {"success": True}
        assert answer.is_closed


@pytest.mark.parametrize("call", CALLS, ids=[c["url"] for c in CALLS])
def test_a_lean_sync_request_is_the_request_httpx_builds(call: dict[str, Any]) -> None:
    seen: list[httpx.Request] = []
    common = _settings(seen, SYNC_HOOKS)
    with LeanClient(**common, auth_header=f"Bearer {KEY}") as lean, httpx.Client(**common) as plain:
        answers = [lean.request(**call), plain.request(**call)]
    assert _shape(seen[0]) == _shape(seen[1])
    assert [answer.json() for answer in answers] == [{"success": True}] * 2


async def test_requests_httpx_must_build_take_its_path(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[httpx.Request] = []
    lean, _ = _clients(seen)
    lean_sends: list[str] = []
    build = lean._lean.build

    def spy(method: str, path: str, json: Any, headers: Any) -> httpx.Request:
        lean_sends.append(path)
        return build(method, path, json, headers)

    monkeypatch.setattr(lean._lean, "build", spy)
    async with lean:
        await lean.request("post", "/mcp/getSession", json={"sessionId": "s"})
        await lean.request("get", "/sdk/x", params={"a": "b"})
        await lean.request("post", "/mcp/x", content=b"{}")
        await lean.request("post", "/mcp/x", json={}, timeout=3.0)
        await lean.request("post", "https://elsewhere.invalid/x", json={})
    assert lean_sends == ["/mcp/getSession"]
    assert len(seen) == 5
    assert seen[3].extensions["timeout"]["read"] == 3.0
    with pytest.raises(RuntimeError, match="closed"):
        await lean.request("post", "/mcp/getSession", json={})


async def test_a_client_with_proxy_mounts_lets_httpx_pick_the_transport() -> None:
    used: list[str] = []

    def via(name: str) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            used.append(name)
            return httpx.Response(200, json={})

        return httpx.MockTransport(handler)

    client = LeanAsyncClient(
        base_url=BASE,
        auth_header="Bearer k",
        transport=via("direct"),
        mounts={"https://": via("proxy")},
    )
    async with client:
        await client.request("post", "/mcp/getSession", json={})
    assert used == ["proxy"]


async def test_no_cookie_is_kept_or_sent(run: Runner) -> None:
    server = FakeServer()
    answer = ok(session_data("RUNNING"))
    answer.headers["set-cookie"] = "AWSALB=sticky; Path=/"
    server.on("/mcp/getSessionInfo", answer)
    agb = make_agb(server)
    session = Session(agb, SID)
    for _ in range(2):
        assert (await run(session, "get_status")).success
    assert [seen.headers.get("cookie") for seen in server.requests] == [None, None]
