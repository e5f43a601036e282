"""Inputs meant to break the emulator: every one gets an envelope, none a 500 or a hang."""

from __future__ import annotations

import json
import math
import socket
from typing import Any

import httpx
import pytest

from agb.emulator import EmulatorConfig, FaultScript, ManualClock, RunningEmulator, serve
from agb.emulator._protocols import EnvelopeH11Protocol
from tests.support.wire import API_KEY, Wire, assert_error, assert_ok


@pytest.mark.parametrize("timeout", ["874880.0", "600", "1e300", "1" + "0" * 400, "1e400"])
def test_a_huge_or_float_written_timeout_is_an_integer_like_any_other(
    server: RunningEmulator, wire: Wire, timeout: str
) -> None:
    content = '{"timeout": %s}' % timeout  # noqa: UP031 (the number as written, unparsed)
    created = wire.client.post(
        "/mcp/createSession", params={"imageId": "i"}, content=content.encode()
    )
    if timeout == "1e400":  # JSON's largest float is ~1.8e308: Python reads it as infinity
        assert_error(created, 400, "InvalidParameter", "timeout")
        return
    sid = assert_ok(created)["data"]["sessionId"]
    assert wire.status(sid) == "RUNNING"
    assert_ok(wire.refresh(sid))
    assert_ok(wire.list())


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "-1.0", "2.5"])
def test_timeouts_that_are_no_whole_number_are_refused(wire: Wire, literal: str) -> None:
    content = ('{"timeout": %s}' % literal).encode()  # noqa: UP031
    response = wire.client.post("/mcp/createSession", params={"imageId": "i"}, content=content)
    assert_error(response, 400, "InvalidParameter", "timeout")


def test_a_float_written_timeout_still_idles_the_session_out(
    server: RunningEmulator, wire: Wire, clock: ManualClock
) -> None:
    sid = assert_ok(wire.create(timeout=30.0))["data"]["sessionId"]
    clock.advance(30 + server.config.transition_seconds)
    assert_error(wire.get(sid), 400, "InvalidMcpSession.NotFound")


# ------------------------------------------------------------------------ the manual clock


def test_a_clock_cannot_be_advanced_past_any_time() -> None:
    clock = ManualClock()
    clock.advance(1e308)
    with pytest.raises(ValueError, match="past any time"):
        clock.advance(1e308)
    assert clock() == 1e308  # unchanged by the refused move
    with pytest.raises(ValueError, match="finite"):
        ManualClock(float("inf"))


def test_the_admin_api_keeps_the_clock_finite_and_the_answers_json(
    server: RunningEmulator, wire: Wire, http: httpx.Client, clock: ManualClock
) -> None:
    sid = wire.create_id()
    assert_ok(wire.pause(sid))
    advance = "/_emulator/clock/advance"
    for seconds in (b"1e308", b"1" + b"0" * 400, b"Infinity", b"NaN"):
        response = http.post(advance, content=b'{"seconds": ' + seconds + b"}")
        assert_error(response, 400, "InvalidParameter", "seconds")
    now = assert_ok(http.post(advance, json={"seconds": 2.0**38}))["data"]["now"]
    assert now == clock()
    assert_error(
        http.post(advance, json={"seconds": 2**40}), 400, "InvalidParameter", "cannot move past"
    )
    assert clock() == now
    assert math.isfinite(clock())
    assert wire.status(sid) == "PAUSED"  # later requests still answer JSON
    assert_ok(wire.list())


@pytest.mark.parametrize("number", [b"1e308", b"1" + b"0" * 400, b"-0.5", b"86401"])
def test_fault_delays_are_bounded_numbers(http: httpx.Client, number: bytes) -> None:
    body = b'{"kind": "slow", "params": {"seconds": ' + number + b"}}"
    assert_error(http.post("/_emulator/faults", content=body), 400, "InvalidParameter", "seconds")


# ------------------------------------------------------------------------ faults


@pytest.mark.parametrize("status", [100, 101, 199, 204, 205, 304])
def test_html_faults_only_with_statuses_that_carry_a_body(status: int, http: httpx.Client) -> None:
    with pytest.raises(ValueError, match="status"):
        FaultScript().add("html", status=status)
    body = {"kind": "html", "params": {"status": status}}
    assert_error(http.post("/_emulator/faults", json=body), 400, "InvalidParameter", "status")


@pytest.mark.parametrize("status", [204, 205, 304])
def test_http_status_faults_only_with_statuses_that_carry_a_body(status: int) -> None:
    with pytest.raises(ValueError, match="cannot carry a body"):
        FaultScript().add("http_status", status=status)


# ------------------------------------------------------------------------ counters


def test_junk_paths_do_not_grow_the_request_counters(
    server: RunningEmulator, http: httpx.Client
) -> None:
    with httpx.Client(base_url=server.base_url) as anonymous:
        for i in range(100):
            http.get(f"/junk/{i}")
            anonymous.post(f"/unauthenticated/{i}")
    http.get("/sdk/ListSession")
    requests = server.emulator.stats()["requests"]
    assert requests == {"(other paths)": 200, "/sdk/ListSession": 1}


# ------------------------------------------------------------------------ raw HTTP


def _exchange(server: RunningEmulator, raw: bytes, timeout: float = 5.0) -> bytes:
    """Send ``raw`` and read until the server closes the connection."""
    with socket.create_connection((server.host, server.port), timeout=timeout) as sock:
        sock.sendall(raw)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def _envelope(received: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    pairs = (line.split(": ", 1) for line in lines[1:])
    headers = {name.lower(): value for name, value in pairs}
    return status, headers, json.loads(body)


AUTH_LINE = b"authorization: Bearer " + API_KEY.encode() + b"\r\n"
LONG_URL = b"GET /sdk/ListSession?labels=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: e\r\n"
NOT_HTTP = b"THIS IS NOT HTTP\x00\r\n"


@pytest.mark.parametrize(
    ("protocol", "request_head"),
    [("httptools", LONG_URL), ("httptools", NOT_HTTP), ("h11", NOT_HTTP)],
)
def test_a_request_the_server_cannot_parse_gets_an_error_envelope(
    protocol: str, request_head: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    if protocol == "h11":  # the protocol uvicorn uses when httptools is not installed
        monkeypatch.setattr("agb.emulator._server.HTTP_PROTOCOL", EnvelopeH11Protocol)
    with serve(EmulatorConfig(api_key=API_KEY)) as server:
        status, headers, body = _envelope(_exchange(server, request_head + AUTH_LINE + b"\r\n"))
        assert status == 400
        assert headers["content-type"] == "application/json"
        assert headers["connection"] == "close"
        assert body["success"] is False
        assert body["code"] == "BadRequest"
        assert body["httpStatusCode"] == 400
        assert body["requestId"] == headers["x-request-id"]
        assert server.emulator.stats()["internalErrors"] == 0


def test_a_body_that_never_arrives_is_cut_off_at_the_deadline() -> None:
    config = EmulatorConfig(api_key=API_KEY, read_timeout_seconds=0.05)
    with serve(config) as server:
        head = (
            b"POST /mcp/getSession HTTP/1.1\r\nHost: e\r\nContent-Type: application/json\r\n"
            b"authorization: Bearer " + API_KEY.encode() + b"\r\nContent-Length: 1000\r\n\r\n"
        )
        status, headers, body = _envelope(_exchange(server, head + b'{"sessionId"'))
        assert status == 408
        assert headers["connection"] == "close"
        assert body["code"] == "RequestTimeout"
        assert server.emulator.stats()["internalErrors"] == 0


@pytest.mark.parametrize("protocol", ["httptools", "h11"])
def test_a_request_head_that_never_ends_is_cut_off_at_the_deadline(
    protocol: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if protocol == "h11":
        monkeypatch.setattr("agb.emulator._server.HTTP_PROTOCOL", EnvelopeH11Protocol)
    with serve(EmulatorConfig(api_key=API_KEY, read_timeout_seconds=0.05)) as server:
        # A whole request first, then on the same connection a head that never ends.
        whole = b"GET /sdk/ListSession HTTP/1.1\r\nHost: e\r\n" + AUTH_LINE + b"\r\n"
        with socket.create_connection((server.host, server.port), timeout=5) as sock:
            sock.sendall(whole)
            assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
            sock.sendall(b"GET /sdk/ListSession HTTP/1.1\r\nHost: e\r\n")  # never ends
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        status, headers, body = _envelope(received)
        assert status == 408
        assert headers["connection"] == "close"
        assert body["code"] == "RequestTimeout"
        assert "head" in body["message"]
        assert server.emulator.stats()["internalErrors"] == 0


@pytest.mark.parametrize("length", [str(1 << 30), str(10**15), str((1 << 20) + 1)])
def test_an_announced_huge_body_is_refused_before_it_is_read(
    server: RunningEmulator, length: str
) -> None:
    head = (
        b"POST /mcp/getSession HTTP/1.1\r\nHost: e\r\nauthorization: Bearer "
        + API_KEY.encode()
        + b"\r\nContent-Length: "
        + length.encode()
        + b"\r\n\r\n"
    )
    status, headers, body = _envelope(_exchange(server, head))  # no body is ever sent
    assert status == 413
    assert headers["connection"] == "close"
    assert body["code"] == "RequestTooLarge"


# ------------------------------------------------------------------------ the key


@pytest.mark.parametrize("key", ["clé", "k\x0b", " k", "k\n", "日本"])
def test_a_key_that_no_http_header_can_carry_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="api_key must be printable ASCII") as refused:
        EmulatorConfig(api_key=key)
    assert key not in str(refused.value)


def test_the_key_is_compared_as_the_bytes_of_the_header(server: RunningEmulator) -> None:
    raw = b"GET /sdk/ListSession HTTP/1.1\r\nHost: e\r\nConnection: close\r\n"
    for header_key, status in ((API_KEY.encode(), 200), (API_KEY.encode() + b"\xe9", 403)):
        received = _exchange(server, raw + b"authorization: Bearer " + header_key + b"\r\n\r\n")
        assert received.startswith(f"HTTP/1.1 {status} ".encode())
