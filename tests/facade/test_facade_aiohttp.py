"""agb._aiohttp: the aiohttp-backed httpx transport, over real HTTP against the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from agb import AGB, Config, CreateSessionParams
from agb._aiohttp import AiohttpTransport, _mapped, available

aiohttp = pytest.importorskip("aiohttp")
emulator = pytest.importorskip("agb.emulator", reason="emulator not available")

KEY = "sk-EMU-aiohttp-7f31"


@pytest.fixture(scope="module")
def running() -> Iterator[Any]:
    config = emulator.EmulatorConfig(
        api_key=KEY, clock=emulator.ManualClock(), seed=5, transition_seconds=1.0
    )
    with emulator.serve(config) as server:
        yield server


def make_agb(base_url: str, transport: AiohttpTransport, clock: Any) -> AGB:
    async def async_sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    return AGB(
        api_key=KEY,
        cfg=Config(base_url, 10_000),
        async_transport=transport,
        clock=clock,
        sleep=clock.advance,
        async_sleep=async_sleep,
    )


def test_available_without_importing() -> None:
    assert available()


def test_a_whole_lifecycle_through_aiohttp_in_two_event_loops(running: Any) -> None:
    transport = AiohttpTransport(max_connections=4)
    before = running.emulator.stats()["requests"]

    async def lifecycle() -> None:
        agb = make_agb(running.base_url, transport, running.config.clock)
        created = await agb.create_async(CreateSessionParams(image_id="agb-code-space-1"))
        assert created.success, created.error_message
        session = created.session
        assert session is not None
        assert (await session.set_labels_async({"k": "v"})).success
        labels = await session.get_labels_async()
        assert (labels.success, labels.data) == (True, {"k": "v"})
        paused = await session.pause_async(timeout=30, poll_interval=1)
        assert paused.success, paused.error_message
        resumed = await session.resume_async(timeout=30, poll_interval=1)
        assert resumed.success, resumed.error_message
        deleted = await session.delete_async()
        assert deleted.success, deleted.error_message
        await agb.aclose()

    # An aiohttp session belongs to one loop: a second asyncio.run gets its own (the same
    # transport serves both AGBs).
    asyncio.run(lifecycle())
    asyncio.run(lifecycle())
    assert transport._sessions == {}, "aclose closed and forgot each loop's session"
    after = running.emulator.stats()["requests"]
    assert after["/mcp/pauseSessionAsync"] - before.get("/mcp/pauseSessionAsync", 0) == 2


def run_by_hand(coro: Any) -> Any:
    """Run ``coro`` on a new loop closed without ``shutdown_asyncgens()`` (as a program that
    drives its loop by hand may): nothing of the loop's then runs at its end."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def test_each_loops_session_is_closed_when_the_loop_ends(running: Any) -> None:
    """Whoever used it (here no AGB, which closes its own pools at loop end too)."""
    transport = AiohttpTransport()
    sessions: list[Any] = []

    async def one_request() -> Any:
        request = httpx.Request(
            "POST",
            running.base_url + "/mcp/getSession",
            headers={"authorization": f"Bearer {KEY}", "content-type": "application/json"},
            content=b'{"sessionId": "s-none"}',
        )
        answer = await transport.handle_async_request(request)
        await answer.aread()
        sessions.append(transport._sessions[id(asyncio.get_running_loop())][1])
        return answer

    first = asyncio.run(one_request())
    second = asyncio.run(one_request())
    assert transport._sessions == {}
    assert sessions[0] is not sessions[1]
    assert [session.closed for session in sessions] == [True, True]
    for answer in (first, second):
        assert answer.status_code == 400  # an unknown session id, its envelope read whole
        assert answer.json()["success"] is False
        assert answer.extensions["reason_phrase"] == b"Bad Request"
        assert answer.headers["content-type"].startswith("application/json")


def test_sessions_of_loops_closed_by_hand_are_forgotten(running: Any) -> None:
    transport = AiohttpTransport()

    async def one_request() -> None:
        request = httpx.Request("POST", running.base_url + "/mcp/getSession", content=b"{}")
        answer = await transport.handle_async_request(request)
        await answer.aread()
        session = transport._sessions[id(asyncio.get_running_loop())][1]
        await session.close()  # as a program that never calls aclose leaves it, but tidily

    run_by_hand(one_request())
    run_by_hand(one_request())
    assert len(transport._sessions) == 1, "the first loop's session was dropped"
    asyncio.run(transport.aclose())  # a loop with no session of its own: forgets the rest
    assert transport._sessions == {}


async def test_connection_refused_is_a_connect_error_that_was_never_sent() -> None:
    transport = AiohttpTransport()
    request = httpx.Request("POST", "http://127.0.0.1:1/mcp/getSession", content=b"{}")
    try:
        with pytest.raises(httpx.ConnectError):
            await transport.handle_async_request(request)
    finally:
        await transport.aclose()


async def test_the_facade_reports_a_refused_connection() -> None:
    transport = AiohttpTransport()
    agb = AGB(KEY, Config("http://127.0.0.1:1", 5_000, max_retries=0), async_transport=transport)
    result = await agb.get_session_async("s-1")
    await agb.aclose()
    assert not result.success
    assert "ConnectError" in result.error_message


def _request_info() -> Any:
    from multidict import CIMultiDict, CIMultiDictProxy
    from yarl import URL

    url = URL("http://h:1/x")
    return aiohttp.RequestInfo(url, "POST", CIMultiDictProxy(CIMultiDict()), url)


def _connection_key() -> Any:
    return aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (lambda: aiohttp.ConnectionTimeoutError("connect"), httpx.ConnectTimeout),
        (
            lambda: aiohttp.ClientConnectorError(_connection_key(), OSError(111, "refused")),
            httpx.ConnectError,
        ),
        (lambda: aiohttp.SocketTimeoutError("read"), httpx.ReadTimeout),
        (lambda: aiohttp.ServerTimeoutError("read"), httpx.ReadTimeout),
        (lambda: aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (
            lambda: aiohttp.ClientResponseError(_request_info(), (), message="bad status line"),
            httpx.RemoteProtocolError,
        ),
        (lambda: aiohttp.InvalidURL("nope://x"), httpx.UnsupportedProtocol),
        (lambda: aiohttp.ClientOSError(104, "reset by peer"), httpx.ReadError),
        (lambda: aiohttp.ClientPayloadError("short body"), httpx.RemoteProtocolError),
    ],
)
def test_errors_say_whether_the_request_may_have_been_sent(
    error: Any, expected: type[httpx.TransportError]
) -> None:
    request = httpx.Request("POST", "http://h:1/x")
    mapped = _mapped(error(), request)
    assert type(mapped) is expected
    assert mapped.request is request
    assert str(mapped)


def test_without_aiohttp_the_transport_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from agb import _aiohttp
    from agb.exceptions import ConfigurationError

    monkeypatch.setattr(_aiohttp, "available", lambda: False)
    with pytest.raises(ConfigurationError, match=r"pip install 'agb-sessions\[aiohttp\]'"):
        AiohttpTransport()


@pytest.mark.parametrize("proxy", [None, "http://proxy.invalid:3128"])
def test_the_warm_up_imports_httpxs_async_stack_only_where_it_is_used(
    monkeypatch: pytest.MonkeyPatch, proxy: str | None
) -> None:
    """Through aiohttp, httpcore's async pool and anyio are never used (the warm-up leaves
    them out: fewer imports, fewer objects to collect), unless the environment names a proxy:
    proxied hosts go through httpx's own transport."""
    from agb import _warmup

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    if proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy)
    with AGB(KEY, Config("https://sdk.example.invalid")) as agb:
        assert isinstance(agb._transport._async_transport, AiohttpTransport)
        expected = AiohttpTransport.WARM_IMPORTS
        if proxy:
            expected += _warmup.HTTPX_ASYNC_IMPORTS
        assert agb._transport.warm_imports == expected
