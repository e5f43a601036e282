"""On the wire, every async transport behaves as httpx's own: the same request bytes, the same
httpx error for a broken or dropped answer (whether the request may have been sent decides the
retries), no redirect followed, and a pool that holds nothing after a hostile answer.

Each case runs sync, and async over each transport the SDK can end up using (``wire``).
"""

from __future__ import annotations

import asyncio
import socket
import struct
import time

import httpx
import pytest

from agb import Config, Session
from agb._effects import Call
from agb._envelope import Reply
from agb._sender import HTTPSender
from agb.exceptions import APIConnectionError, APITimeoutError, RedirectError, ResponseTooLargeError
from agb_api_client.api.sessions import create_session
from agb_api_client.models import CreateSessionRequest
from tests.hostile.conftest import Wire
from tests.support.asserts import Watch, assert_no_key
from tests.support.clock import FakeClock
from tests.support.fakes import HOSTILE_KEY, SID
from tests.support.raw_server import Handler, RawServer, head, raw_server

BODY = b'{"success": true, "code": "ok", "requestId": "r", "data": {"sessionId": "s-1", "status": "RUNNING", "labels": "{}"}}'  # noqa: E501
DEADLINE = 5.0
DEADLINE_MS = int(DEADLINE * 1000)


def good(request: bytes, conn: socket.socket) -> None:
    conn.sendall(head(200, {"content-type": "application/json", "content-length": str(len(BODY))}))
    conn.sendall(BODY)


# ------------------------------------------------------------------ what goes on the wire

#: Label keys and values with every character a query encodes one way or another.
LABELS = {"a+b c": "x%41y/z?&=#é\u2028~*'()!$,;:@[]", "p%2Fq": "%%25"}


async def test_requests_go_out_as_httpx_sends_them(
    async_wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    """The same calls sync (httpx's own transport) and async: the same bytes reach the server,
    none with a cookie. The answers set cookies, one with the key in a name no cookie may have:
    no jar keeps them, and no log shows the key (aiohttp's jar kept them raw, sent them back
    and logged the bad one)."""
    cookies = (
        f"Set-Cookie: a=1; Path=/\r\nSet-Cookie: bad {HOSTILE_KEY}=1\r\nSet-Cookie: k={HOSTILE_KEY}"
    )

    def answer(request: bytes, conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n%s\r\ncontent-length: %d\r\n\r\n"
            % (cookies.encode(), len(BODY))
            + BODY
        )

    caplog.set_level("DEBUG")
    with (
        raw_server(answer) as server,
        # A host name, not an address: aiohttp's jar keeps no cookie from an IP address.
        async_wire.agb(Config(server.url.replace("127.0.0.1", "localhost"))) as agb,
    ):
        session = Session(agb, "s-1 +%41/é")
        sync = [session.set_labels(LABELS), agb.list(LABELS), session.set_labels(LABELS)]
        sent_sync = list(server.requests)
        del server.requests[:]
        results = [
            await session.set_labels_async(LABELS),
            await agb.list_async(LABELS),
            await session.set_labels_async(LABELS),
        ]
        sent_async = list(server.requests)
    assert [r.success for r in results] == [r.success for r in sync]
    assert len(sent_async) == len(sent_sync) == 3
    key = HOSTILE_KEY.encode()
    for one, other in zip(sent_sync, sent_async, strict=True):
        assert one.count(key) == other.count(key) == 1  # in the authorization header
        assert one.replace(key, b"<KEY>") == other.replace(key, b"<KEY>")  # (reports no key)
    for sent in sent_sync + sent_async:  # no jar keeps a cookie (agb._lean_client.NoCookies)
        assert not [line for line in sent.split(b"\r\n") if line.lower().startswith(b"cookie:")]
    assert_no_key(caplog.text, HOSTILE_KEY)


@pytest.mark.parametrize("version", [b"HTTP/1.1", b"HTTP/1.0"])
async def test_answers_reach_the_sdk_as_httpx_reads_them(async_wire: Wire, version: bytes) -> None:
    """Status, version, reason phrase (bytes as they came), header names and values, body."""
    body = b'{"success": true, "data": {"x": "\xc3\xa9"}}'

    def answer(request: bytes, conn: socket.socket) -> bool:
        conn.sendall(
            version + b" 299 Fine \xe9t\xc3\xa9\r\nX-Odd-Case: 1\r\nx-twice: a\r\nX-Twice: b\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        )
        return False

    def seen(response: httpx.Response) -> tuple[object, ...]:
        reason, http = (response.extensions.get(name) for name in ("reason_phrase", "http_version"))
        return response.status_code, http, reason, response.headers.raw, response.content

    with raw_server(answer) as server, async_wire.agb(Config(server.url)) as agb:
        sync = agb._transport.sync_client().post("/mcp/getSession", json={})
        async_ = await agb._transport.async_client().post("/mcp/getSession", json={})
        await agb.aclose()
    assert seen(async_) == seen(sync)
    assert seen(sync)[:3] == (299, version, b"Fine \xe9t\xc3\xa9")


# ------------------------------------------------------------- broken and dropped answers


def close_unanswered(request: bytes, conn: socket.socket) -> bool:
    return False


def half_a_head(request: bytes, conn: socket.socket) -> bool:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Ty")
    return False


def body_cut_short(request: bytes, conn: socket.socket) -> bool:
    conn.sendall(head(200, {"content-length": str(len(BODY) + 50)}) + BODY)
    return False


def reset(request: bytes, conn: socket.socket) -> bool:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return False


def not_http(request: bytes, conn: socket.socket) -> bool:
    conn.sendall(b"HTTX/9 abc\r\n\r\n" + BODY)
    return False


def bad_chunk(request: bytes, conn: socket.socket) -> bool:
    conn.sendall(head(200, {"transfer-encoding": "chunked"}) + b"zz\r\nabc\r\n")
    return False


def two_lengths(request: bytes, conn: socket.socket) -> bool:
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 7\r\n\r\n" + BODY)
    return False


def nul_in_header(request: bytes, conn: socket.socket) -> bool:
    conn.sendall(b"HTTP/1.1 200 OK\r\nx-request-id: a\x00b\r\ncontent-length: 2\r\n\r\n{}")
    return False


#: A broken answer, and the httpx error httpx's own transport raises for it.
BROKEN: dict[str, tuple[Handler, str]] = {
    "closed-unanswered": (close_unanswered, "RemoteProtocolError"),
    "half-a-head": (half_a_head, "RemoteProtocolError"),
    "body-cut-short": (body_cut_short, "RemoteProtocolError"),
    "reset": (reset, "ReadError"),
    "not-http": (not_http, "RemoteProtocolError"),
    "bad-chunk": (bad_chunk, "RemoteProtocolError"),
    "two-lengths": (two_lengths, "RemoteProtocolError"),
    "nul-in-header": (nul_in_header, "RemoteProtocolError"),
}


async def send(wire: Wire, sender: HTTPSender, call: Call) -> Reply:
    return sender.send(call) if wire.mode == "sync" else await sender.send_async(call)


@pytest.mark.parametrize("broken", BROKEN)
async def test_a_broken_answer_is_the_error_httpx_gives_and_may_have_been_sent(
    wire: Wire, watch: Watch, broken: str
) -> None:
    """The request may have reached the server: a read is retried, a create is not."""
    handler, error = BROKEN[broken]
    create = Call("createSession", create_session,
                  {"body": CreateSessionRequest(), "image_id": "img"})  # fmt: skip
    with raw_server(handler) as server:
        sender = HTTPSender(
            base_url=server.url, api_key=HOSTILE_KEY, timeout=DEADLINE, max_connections=2,
            **wire.kwargs(),
        )  # fmt: skip
        wire.check(sender._async_transport)
        try:
            reply = await send(wire, sender, create)
        finally:
            sender.close()
        clock = FakeClock()
        config = Config(server.url, DEADLINE_MS, max_retries=1)
        with wire.agb(config, random=lambda: 0.0, **clock.agb_kwargs()) as agb, watch:
            result = await wire(agb, "get_session", SID)
        requests = len(server.requests)
    assert reply.sent is True
    assert isinstance(reply.error, APIConnectionError)
    assert reply.error.message.startswith(f"createSession: {error}: ")
    assert "RawResponseMessage" not in reply.error.message
    assert isinstance(result.error, APIConnectionError)
    assert f": {error}: " in result.error_message
    assert requests == 3  # the create once, the read and its retry
    assert clock.sleeps == [0.5]
    assert_no_key(watch.texts(result, reply), HOSTILE_KEY)


async def test_a_refused_connection_was_never_sent(wire: Wire, watch: Watch) -> None:
    """Nothing listens: even a create is retried, as it certainly never reached the server."""
    create = Call("createSession", create_session,
                  {"body": CreateSessionRequest(), "image_id": "img"})  # fmt: skip
    sender = HTTPSender(
        base_url="http://127.0.0.1:1", api_key=HOSTILE_KEY, timeout=DEADLINE, max_connections=2,
        **wire.kwargs(),
    )  # fmt: skip
    try:
        with watch:
            reply = await send(wire, sender, create)
    finally:
        sender.close()
    assert reply.sent is False
    assert reply.error.message.startswith("createSession: ConnectError: ")
    assert watch.elapsed < DEADLINE
    assert_no_key(watch.texts(reply), HOSTILE_KEY)


async def test_a_redirect_on_the_wire_is_not_followed(wire: Wire, watch: Watch) -> None:
    def handler(request: bytes, conn: socket.socket) -> None:
        if request.startswith(b"POST /mcp/getSession "):
            conn.sendall(head(302, {"location": "/elsewhere", "content-length": "0"}))
        else:
            good(request, conn)

    with (
        raw_server(handler) as server,
        wire.agb(Config(server.url, DEADLINE_MS)) as agb,
        watch,
    ):
        result = await wire(agb, "get_session", SID)
        requests = len(server.requests)
    assert isinstance(result.error, RedirectError)
    assert result.error.location == "/elsewhere"
    assert requests == 1
    assert_no_key(watch.texts(result), HOSTILE_KEY)


# ------------------------------------------------------------------ the pool afterwards

DRIP_TIMEOUT_MS = 300  # the dripping answer's call; the others get DEADLINE_MS, not to race it


def dripping(server: list[RawServer]) -> Handler:
    def handler(request: bytes, conn: socket.socket) -> bool:
        conn.sendall(head(200, {"content-length": str(len(BODY))}))
        for byte in BODY:
            if server[0].stopped.is_set():
                break
            conn.sendall(bytes([byte]))
            time.sleep(0.05)
        return False

    return handler


def endless(server: list[RawServer]) -> Handler:
    def handler(request: bytes, conn: socket.socket) -> bool:
        conn.sendall(head(200, {"transfer-encoding": "chunked"}))
        while not server[0].stopped.is_set():
            conn.sendall(b"%x\r\n%s\r\n" % (65536, b"7" * 65536))
        return False

    return handler


HOSTILE = {
    "dripping": (dripping, APITimeoutError, DRIP_TIMEOUT_MS),
    "endless": (endless, ResponseTooLargeError, DEADLINE_MS),
    "cut-short": (lambda server: body_cut_short, APIConnectionError, DEADLINE_MS),
    "not-http": (lambda server: not_http, APIConnectionError, DEADLINE_MS),
}


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_after_a_hostile_answer_the_pool_holds_nothing_and_works(
    wire: Wire, hostile: str
) -> None:
    """The connection of a hostile answer is closed, not given back half-read nor left busy;
    the next call on the same pool goes through."""
    make, error, timeout_ms = HOSTILE[hostile]
    box: list[RawServer] = []
    bad = make(box)

    def handler(request: bytes, conn: socket.socket) -> bool | None:
        if b"hostile" in request:
            return bad(request, conn)
        good(request, conn)
        return None

    with raw_server(handler) as server:
        box.append(server)
        config = Config(server.url, timeout_ms, max_retries=0, max_response_bytes=1 << 20)
        with wire.agb(config) as agb:
            failed = await wire(agb, "get_session", "hostile")
            assert isinstance(failed.error, error), failed.error
            assert wire.held(agb) == 0
            # (in a thread: an event loop closes a socket on its next turn)
            await asyncio.to_thread(server.threads[0].join, DEADLINE)
            assert not server.threads[0].is_alive(), "the hostile connection was left open"
            results = [await wire(agb, "get_session", SID) for _ in range(3)]
            assert [r.success for r in results] == [True] * 3
            assert wire.held(agb) == 0
            if wire.is_async:
                await agb.aclose()
