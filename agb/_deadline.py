"""The whole request's deadline: one bound on waiting for a connection, connecting, sending and
reading the answer.

httpx's own timeouts bound each connect, read and write, not their sum, so a server that sends
one byte at a time would hold a call for ever. The guard (:mod:`agb._answer_guard`) sets
:data:`DEADLINE` for the request it carries; the httpcore network backends installed by
:func:`bound_network` cut each connect, read and write to the time left before it.
"""

from __future__ import annotations

import contextvars
import functools
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import httpcore

__all__ = ["DEADLINE", "bound_network", "request_deadline", "timed_out"]

# The deadline (time.monotonic) of the request being sent in this context, read by the
# network streams below to cut each connect/read/write to the time left.
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "agb_deadline", default=None
)


def request_deadline(request: httpx.Request) -> tuple[float, float]:
    """(seconds allowed, deadline) for ``request``: its longest configured timeout."""
    timeouts = request.extensions.get("timeout") or {}
    values = [value for value in timeouts.values() if isinstance(value, int | float)]
    allowed = float(max(values)) if values else 60.0
    return allowed, time.monotonic() + allowed


def timed_out(request: httpx.Request, allowed: float) -> httpx.ReadTimeout:
    """The error for ``request`` when it and its answer took longer than ``allowed`` seconds."""
    return httpx.ReadTimeout(
        f"the request and its answer took longer than its {allowed:g} s timeout",
        request=request,
    )


# httpcore network streams whose every connect, read and write is cut to the time left before
# the request's deadline (httpx's timeouts bound each one, not their sum).


def bound_network(transport: object) -> None:
    """Give the httpcore pool under ``transport`` (if any) deadline-bounded network streams."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is None or isinstance(backend, _DeadlineBackend | _AsyncDeadlineBackend):
        return
    import httpcore

    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    elif isinstance(backend, httpcore.AsyncNetworkBackend):
        pool._network_backend = _AsyncDeadlineBackend(backend)  # type: ignore[union-attr]


def _left(timeout: float | None, kind: str) -> float | None:
    """Seconds ``kind`` (a connect, read or write) may take: its own ``timeout`` cut to the
    time left before the request's deadline.

    Raises:
        httpcore.TimeoutException: The matching timeout, if the deadline has passed.
    """
    deadline = DEADLINE.get()
    left = timeout
    if deadline is not None:
        rest = deadline - time.monotonic()
        left = rest if timeout is None else min(timeout, rest)
    if left is not None and left <= 0:
        import httpcore

        error = {"connect": httpcore.ConnectTimeout, "write": httpcore.WriteTimeout}.get(
            kind, httpcore.ReadTimeout
        )
        raise error(f"the request's deadline passed before its {kind}")
    return left


@functools.cache
def _make_deadline_classes() -> tuple[type[Any], type[Any]]:
    import httpcore

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: httpcore.NetworkStream) -> None:
            self.inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            left = _left(timeout, "read")
            return self.inner.read(max_bytes, left)

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            left = _left(timeout, "write")
            self.inner.write(buffer, left)

        def close(self) -> None:
            self.inner.close()

        def start_tls(
            self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
        ) -> httpcore.NetworkStream:
            left = _left(timeout, "connect")
            return Stream(self.inner.start_tls(ssl_context, server_hostname, left))

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

    class AsyncStream(httpcore.AsyncNetworkStream):
        def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
            self.inner = inner

        async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            left = _left(timeout, "read")
            return await self.inner.read(max_bytes, left)

        async def write(self, buffer: bytes, timeout: float | None = None) -> None:
            left = _left(timeout, "write")
            await self.inner.write(buffer, left)

        async def aclose(self) -> None:
            await self.inner.aclose()

        async def start_tls(
            self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
        ) -> httpcore.AsyncNetworkStream:
            left = _left(timeout, "connect")
            return AsyncStream(await self.inner.start_tls(ssl_context, server_hostname, left))

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

    return Stream, AsyncStream


class _DeadlineBackend:
    """A sync httpcore network backend whose streams honour the request's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self.inner = inner
        self.stream, _ = _make_deadline_classes()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, **more: Any) -> Any:
        # more: local_address, socket_options (httpcore passes every argument by name)
        return self.stream(self.inner.connect_tcp(host, port, _left(timeout, "connect"), **more))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> Any:
        left = _left(timeout, "connect")
        return self.stream(self.inner.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _AsyncDeadlineBackend:
    """An async httpcore network backend whose streams honour the request's deadline."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self.inner = inner
        _, self.stream = _make_deadline_classes()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, **more: Any
    ) -> Any:
        left = _left(timeout, "connect")
        return self.stream(await self.inner.connect_tcp(host, port, left, **more))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> Any:
        left = _left(timeout, "connect")
        return self.stream(await self.inner.connect_unix_socket(path, left, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
