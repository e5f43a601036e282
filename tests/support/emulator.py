"""Real emulators on loopback for the suites that run one: an AGB talking to one over HTTP,
transports that record every exchange, a shared server emptied for each test, an emulator whose
uvicorn bookkeeping the tests can watch, and counting the process's open sockets without psutil.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import httpx
import uvicorn

from agb import AGB
from agb.config import Config
from agb.emulator import EmulatorConfig, RunningEmulator, serve
from agb.emulator._app import create_app
from agb.emulator._server import bind_socket, url_for, uvicorn_config
from agb.session_params import CreateSessionParams
from tests.support.clock import FakeClock

#: The API key of every test here. It looks like a real secret so that a leak is easy to spot.
API_KEY = "agb-sk-RELIABILITY-4f9c2a7e1b8d6053-SECRET"
#: A key the emulators refuse, as secret-looking as the right one.
WRONG_API_KEY = "agb-sk-WRONG-91d0c3b7e5a24f68-SECRET"
IMAGE = "agb-code-space-1"


def emulator_agb(
    server: RunningEmulator,
    *,
    clock: FakeClock | None = None,
    api_key: str = API_KEY,
    timeout_ms: int = 10_000,
    **kwargs: Any,
) -> AGB:
    """An AGB talking to ``server`` over real HTTP (on ``clock`` when given)."""
    extra = clock.agb_kwargs() if clock is not None else {}
    max_connections = kwargs.pop("max_connections", 100)
    config = Config(server.base_url, timeout_ms, max_connections=max_connections)
    return AGB(api_key, config, **extra, **kwargs)


@attrs.define
class Exchange:
    """One request the SDK sent and what came back."""

    method: str
    path: str
    session_id: str
    status: int | None = None
    failure: str = ""


def _session_of(request: httpx.Request) -> str:
    sid = request.url.params.get("sessionId", "")
    if not sid and request.content:
        try:
            import json

            body = json.loads(request.content)
        except ValueError:
            return ""
        if isinstance(body, dict) and isinstance(body.get("sessionId"), str):
            sid = body["sessionId"]
    return sid


class _Recorder:
    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def begin(self, request: httpx.Request) -> Exchange:
        exchange = Exchange(request.method, request.url.path, _session_of(request))
        with self._lock:
            self.exchanges.append(exchange)
        return exchange

    def count(self, path: str, session_id: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for e in self.exchanges
                if e.path == path and (session_id is None or e.session_id == session_id)
            )

    def per_session(self, path: str) -> Counter[str]:
        with self._lock:
            return Counter(e.session_id for e in self.exchanges if e.path == path)

    def last(self, path: str, session_id: str) -> Exchange:
        with self._lock:
            return next(
                e for e in reversed(self.exchanges) if e.path == path and e.session_id == session_id
            )


class RecordingTransport(httpx.BaseTransport, _Recorder):
    """A real sync transport that records every request (thread-safe)."""

    def __init__(self, **kwargs: Any) -> None:
        _Recorder.__init__(self)
        self.inner = httpx.HTTPTransport(**kwargs)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        exchange = self.begin(request)
        try:
            response = self.inner.handle_request(request)
        except Exception as error:
            exchange.failure = type(error).__name__
            raise
        exchange.status = response.status_code
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncRecordingTransport(httpx.AsyncBaseTransport, _Recorder):
    """A real async transport that records every request."""

    def __init__(self, **kwargs: Any) -> None:
        _Recorder.__init__(self)
        self.inner = httpx.AsyncHTTPTransport(**kwargs)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        exchange = self.begin(request)
        try:
            response = await self.inner.handle_async_request(request)
        except Exception as error:
            exchange.failure = type(error).__name__
            raise
        exchange.status = response.status_code
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def create_sessions(server: RunningEmulator, count: int) -> list[str]:
    """Sessions made straight in the emulator's state (no HTTP, so no fault can hit them)."""
    return [
        server.emulator.create_session(image_id=IMAGE, labels={}, persistence=[])["sessionId"]
        for _ in range(count)
    ]


def create_params() -> CreateSessionParams:
    return CreateSessionParams(image_id=IMAGE)


# --------------------------------------------------------------------------- servers


@contextlib.contextmanager
def emptied(
    running: RunningEmulator,
    *,
    reset: bool = True,
    quiet: Callable[[], None] | None = None,
) -> Iterator[RunningEmulator]:
    """A shared server for one test: emptied first (``reset``; else only its faults cleared),
    its faults cleared afterwards, and no request of the test may have reached the catch-all that
    turns an unexpected exception into a 500 (``internalErrors`` stays 0). ``quiet``, when
    given, waits until the server finished every request before the counter is read."""
    if reset:
        running.emulator.reset()
    else:
        running.emulator.faults.clear()
    yield running
    running.emulator.faults.clear()
    if quiet is not None:
        quiet()
    assert running.emulator.stats()["internalErrors"] == 0


def wait_for(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Wait (from a thread that is not the server's) for an event the server reports.

    The deadline is no timing assumption: it only turns a hang into a failure naming ``what``.
    """
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.002)


@attrs.frozen
class Served:
    """A running emulator and the uvicorn server that runs it (to see its connections and the
    requests it is still working on)."""

    running: RunningEmulator
    uvicorn: uvicorn.Server

    def open_connections(self) -> int:
        """Connections the server holds open (a client's hang-up removes its connection)."""
        return len(self.uvicorn.server_state.connections)

    def running_requests(self) -> int:
        """Requests the server is still answering (each is a task until its app call returns)."""
        return len(self.uvicorn.server_state.tasks)

    def wait_until_quiet(self) -> None:
        """Until no request is being answered: nothing of a test may run on into the next."""
        wait_for(lambda: self.running_requests() == 0, "the server finished every request")


@contextlib.contextmanager
def serve_observed(config: EmulatorConfig) -> Iterator[Served]:
    """Like ``agb.emulator.serve``, and the handle also shows uvicorn's own bookkeeping."""
    app = create_app(config)
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"emulator-{port}", daemon=True
    )
    thread.start()
    try:
        wait_for(lambda: server.started or not thread.is_alive(), "the server started")
        assert server.started, "the emulator's server stopped during start-up"
        base_url = url_for("127.0.0.1", port)
        yield Served(RunningEmulator(base_url, "127.0.0.1", port, app.state.emulator, app), server)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert not thread.is_alive(), "the emulator's server did not stop"


# --------------------------------------------------------------------------- sockets


def _tcp_table() -> dict[str, tuple[int, int, str]]:
    """inode -> (local port, remote port, state) of every TCP socket of the machine."""
    table: dict[str, tuple[int, int, str]] = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(name)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            ports = (int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16))
            table[inode] = (*ports, state)
    return table


def client_sockets_to(port: int) -> set[str]:
    """Open sockets of this process connected to ``port`` (the client ends, not the server's),
    by inode."""
    table = _tcp_table()
    found: set[str] = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inode = target[8:-1]
            entry = table.get(inode)
            if entry is not None and entry[1] == port and entry[2] != "0A":  # 0A: LISTEN
                found.add(inode)
    return found


class Sockets:
    """The client sockets to one port that were opened since this was made.

    The count is this test's own: a socket another test left open (a failed test that never
    closed its client, or garbage not yet collected) is not counted, so one failure cannot
    cascade into the next test, and the result does not depend on which tests ran before.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self._before = client_sockets_to(port)

    def open(self) -> int:
        """How many sockets opened since then are still open."""
        return len(client_sockets_to(self.port) - self._before)


def pool_connections(client: httpx.Client | httpx.AsyncClient) -> list[Any]:
    """The connections an httpx client's pool holds (httpcore's pool)."""
    pool = client._transport._pool  # type: ignore[union-attr]
    return list(pool.connections)


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``check`` until it holds (for state that settles asynchronously, e.g. closing)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


INSTANT_KEY = "instant-emulator-key"


def load_script(path: Path, name: str) -> ModuleType:
    """The Python file at ``path`` imported as module ``name`` (an example, a user program)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def instant_emulator() -> Iterator[RunningEmulator]:
    """An emulator over real HTTP whose transitions and context syncs take no time, accepting
    ``INSTANT_KEY``."""
    config = EmulatorConfig(
        api_key=INSTANT_KEY, transition_seconds=0, stale_seconds=0, context_sync_seconds=0
    )
    with serve(config) as server:
        yield server
