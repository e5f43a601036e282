"""Deadlines and sizes hold against raw loopback servers that misbehave (issue 12).

httpx bounds each read, not the request: a server that drips its answer kept a call busy for
minutes, and a gzip bomb took gigabytes. Each case runs sync and async, and checks the result,
the elapsed time against the deadline, and that the key shows nowhere.
"""

from __future__ import annotations

import socket
import time
import tracemalloc
import zlib
from collections.abc import Callable
from functools import cache

import httpx
import pytest

from agb import AGB, Config, Session
from agb._effects import Call
from agb._sender import HTTPSender
from agb.exceptions import APITimeoutError, ResponseTooLargeError
from agb_api_client.api.sessions import get_session
from agb_api_client.models import SessionIdRequest
from tests.hostile.conftest import Wire
from tests.support.asserts import Watch, assert_no_key
from tests.support.fakes import HOSTILE_KEY, SID, Runner
from tests.support.raw_server import RawServer, head, raw_server

BODY = b'{"success": true, "code": "ok", "requestId": "r", "data": {"sessionId": "s-1", "status": "RUNNING"}}'  # noqa: E501
STEP = 0.02  # seconds between two dripped bytes
MARGIN = 0.6  # seconds a call may overrun its deadline (thread switches, a loaded machine)


def dripping(part: str) -> Callable[[bytes, socket.socket], bool]:
    """A handler that drips the headers or the body of a good answer (about 5 s of it)."""
    box: list[object] = []

    def handler(request: bytes, conn: socket.socket) -> bool:
        server = box[0]
        assert isinstance(server, RawServer)
        headers = head(
            200, {"content-type": "application/json", "content-length": str(len(BODY) * 3)}
        )
        body = BODY * 3
        if part == "headers":
            payload = headers + b"x" * 0
            for byte in payload:
                if server.stopped.is_set():
                    return False
                conn.sendall(bytes([byte]))
                time.sleep(STEP)
            conn.sendall(body)
        else:
            conn.sendall(headers)
            for byte in body:
                if server.stopped.is_set():
                    return False
                conn.sendall(bytes([byte]))
                time.sleep(STEP)
        return False

    handler.box = box  # type: ignore[attr-defined]
    return handler


def serve(handler: Callable[[bytes, socket.socket], bool]) -> RawServer:
    server = RawServer(handler)
    box = getattr(handler, "box", None)
    if box is not None:
        box.append(server)
    return server


@pytest.mark.parametrize("part", ["headers", "body"])
async def test_a_dripping_answer_ends_at_the_request_timeout(
    wire: Wire, watch: Watch, part: str
) -> None:
    server = serve(dripping(part))
    try:
        with wire.agb(Config(server.url, timeout_ms=300, max_retries=0)) as agb, watch:
            result = await wire(agb, "get_session", SID)
    finally:
        server.close()
    assert result.success is False
    assert isinstance(result.error, APITimeoutError)
    assert watch.elapsed < 0.3 + MARGIN  # before: the whole drip, 5 s here, minutes in life
    assert_no_key(watch.texts(result), HOSTILE_KEY)


async def test_a_wait_bounds_its_request_by_its_own_timeout(wire: Wire, watch: Watch) -> None:
    """pause(timeout=1) with a 60 s client timeout: the pause request ends at 1 s."""
    server = serve(dripping("body"))
    try:
        with wire.agb(Config(server.url, timeout_ms=60_000, max_retries=0)) as agb, watch:
            result = await wire(Session(agb, SID), "pause", timeout=1)
    finally:
        server.close()
    assert result.success is False
    assert isinstance(result.error, APITimeoutError)
    assert watch.elapsed < 1.0 + MARGIN
    assert_no_key(watch.texts(result), HOSTILE_KEY)


async def test_a_call_timeout_bounds_the_whole_request(wire: Wire, watch: Watch) -> None:
    """The HTTPSender: a Call's own timeout, not the client's 60 s, bounds headers and body."""
    server = serve(dripping("body"))
    transport = HTTPSender(
        base_url=server.url, api_key=HOSTILE_KEY, timeout=60.0, max_connections=2, **wire.kwargs()
    )
    wire.check(transport._async_transport)
    call = Call("getSession", get_session, {"body": SessionIdRequest(SID)}, True, 0.4)
    try:
        with watch:
            if wire.mode == "sync":
                reply = transport.send(call)
            else:
                reply = await transport.send_async(call)
    finally:
        server.close()
        transport.close()
    assert isinstance(reply.error, APITimeoutError)
    assert watch.elapsed < 0.4 + MARGIN
    assert_no_key(watch.texts(reply), HOSTILE_KEY)


@cache
def bomb(inflated: int) -> bytes:
    """A gzip body that inflates to ``inflated`` bytes of a JSON string (about 1/1000 of it)."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    parts = [squeeze.compress(b'{"success": true, "data": "')]
    parts += [squeeze.compress(block) for _ in range(inflated >> 20)]
    parts += [squeeze.compress(b'"}'), squeeze.flush()]
    return b"".join(parts)


async def test_a_gzip_bomb_is_refused_with_memory_bounded(wire: Wire, watch: Watch) -> None:
    body = bomb(256 << 20)
    assert len(body) < 300_000

    def handler(request: bytes, conn: socket.socket) -> None:
        headers = {"content-type": "application/json", "content-encoding": "gzip",
                   "content-length": str(len(body))}  # fmt: skip
        conn.sendall(head(200, headers) + body)

    with (
        raw_server(handler) as server,
        wire.agb(Config(server.url, timeout_ms=10_000)) as agb,
    ):
        tracemalloc.start()
        try:
            with watch:
                result = await wire(agb, "get_session", SID)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        requests = len(server.requests)
    assert result.success is False
    assert isinstance(result.error, ResponseTooLargeError)
    assert "10485760-byte limit" in result.error_message
    assert requests == 1  # not retried
    assert peak < 40 << 20  # before: the 256 MiB body, three times (4 GB for a 1 GiB bomb)
    assert watch.elapsed < 10
    assert_no_key(watch.texts(result), HOSTILE_KEY)


async def test_an_endless_chunked_answer_is_refused_at_the_limit(wire: Wire, watch: Watch) -> None:
    box: list[RawServer] = []

    def handler(request: bytes, conn: socket.socket) -> bool:
        conn.sendall(
            head(200, {"content-type": "application/json", "transfer-encoding": "chunked"})
        )
        chunk = b"%x\r\n%s\r\n" % (65536, b"7" * 65536)
        while not box[0].stopped.is_set():
            conn.sendall(chunk)
        return False

    with (
        raw_server(handler) as server,
        wire.agb(Config(server.url, timeout_ms=10_000)) as agb,
    ):
        box.append(server)
        with watch:
            result = await wire(agb, "get_session", SID)
        requests = len(server.requests)
    assert isinstance(result.error, ResponseTooLargeError)
    assert requests == 1
    assert watch.elapsed < 10
    assert_no_key(watch.texts(result), HOSTILE_KEY)


async def test_a_declared_length_past_the_limit_is_refused_before_reading(
    wire: Wire, watch: Watch
) -> None:
    def handler(request: bytes, conn: socket.socket) -> bool:
        conn.sendall(
            head(200, {"content-type": "application/json", "content-length": str(1 << 30)})
        )
        return False  # and never send the body

    with (
        raw_server(handler) as server,
        wire.agb(Config(server.url, timeout_ms=30_000)) as agb,
        watch,
    ):
        result = await wire(agb, "get_session", SID)
    assert isinstance(result.error, ResponseTooLargeError)
    assert watch.elapsed < MARGIN  # not the 30 s timeout
    assert_no_key(watch.texts(result), HOSTILE_KEY)


async def test_the_limit_is_a_setting(run: Runner) -> None:
    transport = HTTPSender(
        base_url="https://agb.test.invalid",
        api_key=HOSTILE_KEY,
        timeout=5.0,
        max_connections=2,
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=BODY)),
        async_transport=httpx.MockTransport(lambda request: httpx.Response(200, content=BODY)),
        max_response_bytes=len(BODY) - 1,
    )
    call = Call("getSession", get_session, {"body": SessionIdRequest(SID)}, True)
    try:
        reply = transport.send(call) if run.mode == "sync" else await transport.send_async(call)
    finally:
        transport.close()
    assert isinstance(reply.error, ResponseTooLargeError)
    assert reply.error.limit == len(BODY) - 1
    assert Config().max_response_bytes == 10 * 1024 * 1024


async def test_async_decoding_lets_the_loop_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bomb arriving as one chunk: at most ~1 MiB is inflated between two turns of the loop."""
    import asyncio

    from agb import _answer_guard

    body = bomb(64 << 20)
    ticks = 0
    inflated_at: list[tuple[int, int]] = []
    feed = _answer_guard.Body.feed

    def watched(self: _answer_guard.Body, chunk: bytes) -> None:
        try:
            feed(self, chunk)
        finally:
            inflated_at.append((ticks, self.size))

    monkeypatch.setattr(_answer_guard.Body, "feed", watched)

    def one_chunk(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/json", "content-encoding": "gzip"}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    agb = AGB(HOSTILE_KEY, Config("https://agb.test.invalid", max_retries=0),
              async_transport=httpx.MockTransport(one_chunk))  # fmt: skip
    beating = asyncio.create_task(heartbeat())
    try:
        result = await agb.get_session_async(SID)
    finally:
        beating.cancel()
        await agb.aclose()
    assert isinstance(result.error, ResponseTooLargeError)
    per_tick: dict[int, int] = {}
    for tick, size in inflated_at:
        per_tick.setdefault(tick, size)
    sizes = sorted(per_tick.values())
    steps = [later - earlier for earlier, later in zip([0, *sizes], sizes, strict=False)]
    assert max(steps) <= 1 << 20, max(steps)
