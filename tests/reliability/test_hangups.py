"""A client that hangs up mid-request is not a server fault: no internal error, no ERROR log.

Raw sockets against a real emulator served by uvicorn on loopback. The test owns its server, so it
can see uvicorn's own bookkeeping (open connections, running request tasks) and wait for events
(the hang-up seen, the request finished) instead of for time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from agb.emulator import EmulatorConfig, ManualClock
from agb.emulator import _app as emulator_app
from tests.support.emulator import API_KEY, Served, create_sessions, serve_observed, wait_for


@pytest.fixture
def served() -> Iterator[Served]:
    """This test's own emulator (not the module's: nothing else may touch it)."""
    with serve_observed(EmulatorConfig(api_key=API_KEY, clock=ManualClock(), seed=3)) as observed:
        yield observed


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


def _request_head(port: int, path: str, content_length: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {API_KEY}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {content_length}\r\n"
        "\r\n"
    ).encode()


def _assert_server_unharmed(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    stats = served.running.emulator.stats()
    assert (stats["internalErrors"], _errors(caplog)) == (0, [])
    # ... and it still answers.
    session_id = create_sessions(served.running, 1)[0]
    answer = httpx.post(
        served.running.base_url + "/mcp/getSession",
        json={"sessionId": session_id},
        headers={"authorization": f"Bearer {API_KEY}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["status"] == "RUNNING"
    assert served.running.emulator.stats()["internalErrors"] == 0


def test_hang_up_before_the_body_is_sent_in_full(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    port = served.running.port
    body = json.dumps({"sessionId": "s-0001"}).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        # Promise 100 bytes more than are sent, then hang up: the body can never be read in full.
        client.sendall(_request_head(port, "/mcp/getSession", len(body) + 100) + body)
        wait_for(lambda: served.running.emulator.stats()["totalRequests"] == 1, "request seen")
    wait_for(lambda: served.open_connections() == 0, "the hang-up seen")
    served.wait_until_quiet()

    _assert_server_unharmed(served, caplog)


def test_hang_up_while_waiting_for_the_answer(
    served: Served, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole request is sent; the client leaves while the server still works on it (a
    ``slow`` fault held open by the test), and the server then reads the body."""
    caplog.set_level(logging.DEBUG)
    entered, release = threading.Event(), threading.Event()

    async def held(seconds: float) -> None:
        entered.set()
        await asyncio.to_thread(release.wait, 10)

    monkeypatch.setattr(emulator_app, "_sleep", held)
    served.running.emulator.faults.add("slow", path="/mcp/getSession", seconds=1.0)
    port = served.running.port
    body = json.dumps({"sessionId": create_sessions(served.running, 1)[0]}).encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(_request_head(port, "/mcp/getSession", len(body)) + body)
            assert entered.wait(10), "the request never reached the slow fault"
        wait_for(lambda: served.open_connections() == 0, "the hang-up seen")
    finally:
        release.set()
    served.wait_until_quiet()

    assert served.running.emulator.stats()["faultsInjected"] == {"slow": 1}
    _assert_server_unharmed(served, caplog)
