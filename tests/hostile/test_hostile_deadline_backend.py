"""The network backends that cut every connect, read and write to the request's deadline.

Driven directly with a recording inner backend: what each operation is given, and the
matching httpcore timeout once the deadline has passed (whatever the operation's own timeout).
"""

from __future__ import annotations

import time
from typing import Any

import httpcore
import pytest

from agb._deadline import DEADLINE, _AsyncDeadlineBackend, _DeadlineBackend


class Recorder:
    """An inner backend and stream in one: records each call and its timeout."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float | None]] = []

    def _note(self, name: str, timeout: float | None) -> Recorder:
        self.calls.append((name, timeout))
        return self

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, **more: Any) -> Any:
        return self._note("connect_tcp", timeout)

    def connect_unix_socket(self, path: str, timeout: float | None = None, *_: Any) -> Any:
        return self._note("connect_unix_socket", timeout)

    def sleep(self, seconds: float) -> None:
        self._note("sleep", seconds)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._note("read", timeout)
        return b"x"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._note("write", timeout)

    def start_tls(self, ctx: Any, name: str | None = None, timeout: float | None = None) -> Any:
        return self._note("start_tls", timeout)

    def close(self) -> None:
        self._note("close", None)

    def get_extra_info(self, info: str) -> Any:
        return info


class AsyncRecorder(Recorder):
    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, **more: Any
    ) -> Any:  # type: ignore[override]
        return self._note("connect_tcp", timeout)

    async def connect_unix_socket(self, path: str, timeout: float | None = None, *_: Any) -> Any:  # type: ignore[override]
        return self._note("connect_unix_socket", timeout)

    async def sleep(self, seconds: float) -> None:  # type: ignore[override]
        self._note("sleep", seconds)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # type: ignore[override]
        self._note("read", timeout)
        return b"x"

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # type: ignore[override]
        self._note("write", timeout)

    async def start_tls(
        self, ctx: Any, name: str | None = None, timeout: float | None = None
    ) -> Any:  # type: ignore[override]
        return self._note("start_tls", timeout)

    async def aclose(self) -> None:
        self._note("close", None)


def test_sync_operations_get_at_most_the_time_left() -> None:
    inner = Recorder()
    backend = _DeadlineBackend(inner)  # type: ignore[arg-type]
    token = DEADLINE.set(time.monotonic() + 100)
    try:
        stream = backend.connect_tcp("h", 1, timeout=5.0, local_address=None)
        assert stream.read(10, timeout=None) == b"x"
        stream.write(b"y", timeout=3.0)
        tls = stream.start_tls(None, "h", timeout=7.0)
        assert tls.get_extra_info("peer") == "peer"
        tls.close()
        backend.connect_unix_socket("/s", timeout=None)
        backend.sleep(0.5)
    finally:
        DEADLINE.reset(token)
    timeouts = dict(inner.calls)
    assert timeouts["connect_tcp"] == 5.0
    assert timeouts["write"] == 3.0
    assert timeouts["start_tls"] == 7.0
    assert timeouts["sleep"] == 0.5
    for name in ("read", "connect_unix_socket"):  # no timeout of their own: the time left
        assert 99 < timeouts[name] <= 100  # type: ignore[operator]


@pytest.mark.parametrize(
    ("operation", "error"),
    [
        ("connect", httpcore.ConnectTimeout),
        ("read", httpcore.ReadTimeout),
        ("write", httpcore.WriteTimeout),
        ("tls", httpcore.ConnectTimeout),
        ("unix", httpcore.ConnectTimeout),
    ],
)
def test_a_passed_deadline_is_the_matching_timeout(operation: str, error: type[Exception]) -> None:
    inner = Recorder()
    backend = _DeadlineBackend(inner)  # type: ignore[arg-type]
    stream = backend.connect_tcp("h", 1, timeout=5.0)
    token = DEADLINE.set(time.monotonic() - 1)
    try:
        with pytest.raises(error, match="deadline passed"):
            {
                "connect": lambda: backend.connect_tcp("h", 1, timeout=60.0),
                "read": lambda: stream.read(10, timeout=60.0),
                "write": lambda: stream.write(b"y", timeout=60.0),
                "tls": lambda: stream.start_tls(None, "h", timeout=60.0),
                "unix": lambda: backend.connect_unix_socket("/s", timeout=60.0),
            }[operation]()
    finally:
        DEADLINE.reset(token)
    assert inner.calls == [("connect_tcp", 5.0)]  # nothing reached the inner backend after


async def test_async_operations_get_at_most_the_time_left_and_fail_after_it() -> None:
    inner = AsyncRecorder()
    backend = _AsyncDeadlineBackend(inner)  # type: ignore[arg-type]
    token = DEADLINE.set(time.monotonic() + 100)
    try:
        stream = await backend.connect_tcp("h", 1, timeout=5.0)
        assert await stream.read(10, timeout=2.0) == b"x"
        await stream.write(b"y")
        tls = await stream.start_tls(None, "h", timeout=7.0)
        assert tls.get_extra_info("peer") == "peer"
        await tls.aclose()
        await backend.connect_unix_socket("/s", timeout=4.0)
        await backend.sleep(0.5)
    finally:
        DEADLINE.reset(token)
    timeouts = dict(inner.calls)
    assert (timeouts["connect_tcp"], timeouts["read"], timeouts["start_tls"]) == (5.0, 2.0, 7.0)
    assert (timeouts["connect_unix_socket"], timeouts["sleep"]) == (4.0, 0.5)
    assert 99 < timeouts["write"] <= 100  # type: ignore[operator]

    token = DEADLINE.set(time.monotonic() - 1)
    try:
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(10, timeout=60.0)
        with pytest.raises(httpcore.ConnectTimeout):
            await backend.connect_unix_socket("/s")
    finally:
        DEADLINE.reset(token)
