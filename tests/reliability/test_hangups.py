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
import time
from collections.abc import Callable, Iterator

import attrs
import pytest
import uvicorn
from reliability_kit import API_KEY, create_sessions

from agb.emulator import EmulatorConfig, ManualClock, RunningEmulator
from agb.emulator import _app as emulator_app
from agb.emulator._app import create_app
from agb.emulator._server import bind_socket, url_for, uvicorn_config


@attrs.frozen
class Served:
    """A running emulator and the uvicorn server that runs it."""

    running: RunningEmulator
    uvicorn: uvicorn.Server

    def open_connections(self) -> int:
        return len(self.uvicorn.server_state.connections)

    def running_requests(self) -> int:
        return len(self.uvicorn.server_state.tasks)


def wait_for(check: Callable[[], bool], what: str) -> None:
    """Wait for an event the server reports (the deadline only turns a hang into a failure)."""
    deadline = time.monotonic() + 10
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.002)


@pytest.fixture
def served() -> Iterator[Served]:
    app = create_app(EmulatorConfig(api_key=API_KEY, clock=ManualClock(), seed=3))
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, "the server started")
        running = RunningEmulator(
            url_for("127.0.0.1", port), "127.0.0.1", port, app.state.emulator, app
        )
        yield Served(running, server)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert not thread.is_alive()


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
    body = json.dumps({"sessionId": session_id}).encode()
    with socket.create_connection(("127.0.0.1", served.running.port), timeout=10) as client:
        client.sendall(_request_head(served.running.port, "/mcp/getSession", len(body)) + body)
        client.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
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
    wait_for(lambda: served.running_requests() == 0, "the request finished")

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
    wait_for(lambda: served.running_requests() == 0, "the request finished")

    assert served.running.emulator.stats()["faultsInjected"] == {"slow": 1}
    _assert_server_unharmed(served, caplog)
