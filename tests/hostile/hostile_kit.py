"""Hostile servers for the tests of issue 12: a fake transport and raw loopback sockets.

``RawServer`` listens on 127.0.0.1 and hands each request to a script that may write anything
to the socket (half a header, a body one byte at a time, a gzip bomb, ...). ``script`` answers
from an ``httpx.MockTransport``-like callable without any network. ``Watch`` checks the promises
every case shares: the call took no longer than its deadline, and the key shows nowhere.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import attrs
import httpx

from agb import AGB, Config

KEY = "sk-HOSTILE/key+0123456789abcdef"
SID = "s-1"

Handler = Callable[[bytes, socket.socket], None]


def read_request(conn: socket.socket) -> bytes:
    """One HTTP/1.1 request (head and a Content-Length body) from ``conn``, or ``b""``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class RawServer:
    """A loopback server whose ``handler(request_bytes, socket)`` writes the raw answer.

    Each connection gets its own thread; requests on a kept-alive connection are served in
    turn until the handler returns ``False`` or the peer hangs up.
    """

    def __init__(self, handler: Callable[[bytes, socket.socket], bool | None]) -> None:
        self.handler = handler
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self.stopped = threading.Event()
        self.threads: list[threading.Thread] = []
        self.conns: list[socket.socket] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            thread = threading.Thread(target=self._connection, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _connection(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            while not self.stopped.is_set():
                request = read_request(conn)
                if not request:
                    return
                self.requests.append(request)
                if self.handler(request, conn) is False:
                    return

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()
        for thread in self.threads:
            thread.join(5)


@contextlib.contextmanager
def raw_server(handler: Callable[[bytes, socket.socket], bool | None]) -> Iterator[RawServer]:
    server = RawServer(handler)
    try:
        yield server
    finally:
        server.close()


def head(status: int = 200, headers: dict[str, str] | None = None, reason: str = "OK") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@attrs.define
class Watch:
    """Times one call and gathers every text it produced, to check the shared promises."""

    caplog: Any
    started: float = 0.0
    elapsed: float = 0.0

    def __enter__(self) -> Watch:
        self.caplog.set_level(logging.DEBUG)
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.monotonic() - self.started

    def texts(self, *objects: object) -> str:
        """Every text a user could see: results, their errors, reprs, strs, logs."""
        parts = [record.getMessage() for record in self.caplog.records]
        parts += [self.caplog.text]
        for obj in objects:
            parts += [repr(obj), str(obj)]
            error = getattr(obj, "error", None)
            parts += [repr(error), str(error)]
            if error is not None:
                parts += [repr(vars(error)), repr(getattr(error, "args", ()))]
            parts += [repr(getattr(obj, "__dict__", ""))]
        return "\n".join(parts)


def assert_no_key(text: str, key: str = KEY) -> None:
    """The key shows in ``text`` in no form (plain, any case)."""
    assert key.lower() not in text.lower(), "the API key shows"


# --------------------------------------------------------------------------- fake service


class Fake:
    """A fake transport (sync and async): ``answers[path]`` is a list of raw answers, each
    ``(status, headers, body_bytes)``; the last one repeats. Records every request."""

    def __init__(self, answers: dict[str, list[tuple[int, dict[str, str], bytes]]]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        script = self.answers.get(request.url.path) or self.answers.get("*")
        assert script, f"no answer for {request.url.path}"
        status, headers, body = script.pop(0) if len(script) > 1 else script[0]
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    def paths(self) -> list[str]:
        return [request.url.path for request in self.requests]


def envelope(data: Any = None, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"requestId": "req-1", "success": True, "code": "ok", "message": ""}
    body.update(fields)
    if data is not None:
        body["data"] = data
    return body


def answer(body: Any, status: int = 200, **headers: str) -> tuple[int, dict[str, str], bytes]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return status, {"content-type": "application/json", **headers}, raw


def fake_agb(fake: Fake, **config: Any) -> AGB:
    """An AGB on ``fake``; retries and polls sleep on a fake clock (nothing sleeps for real)."""
    clock = FakeClock()
    options: dict[str, Any] = {"timeout_ms": 5_000, **config}
    return AGB(
        KEY,
        Config("https://agb.test.invalid", **options),
        transport=httpx.MockTransport(fake),
        async_transport=httpx.MockTransport(fake),
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Runner:
    """Calls a method through its sync form or its ``_async`` twin, from an async test."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    async def __call__(self, obj: object, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.mode == "sync":
            return getattr(obj, method)(*args, **kwargs)
        call: Callable[..., Awaitable[Any]] = getattr(obj, f"{method}_async")
        return await call(*args, **kwargs)
