"""httpx's own async transport, split into pools of at most 10 connections.

httpcore's connection pool walks every connection it holds on each request and on each
response (``has_expired`` / ``is_idle`` checks, with a ``getpeername`` and a ``poll`` system
call apiece), so its cost per request grows with the pool: a 50-session fan-out through one
pool of 50 connections costs 3.8 ms of client CPU per request, through five pools of 10 about
1.1 ms (``scripts/bench_conditions.py transports``; ``docs/performance.md``). This transport
keeps many requests in flight (to hide network latency) without paying for a large pool.

Each request goes to the pool with the fewest requests in flight; a request counts until its
answer's body is closed. Connections belong to the event loop that opened them, so one set of
pools is kept per loop (as the SDK keeps one httpx client per loop), closed when that loop
ends (:func:`close_with_loop`) or by :meth:`ShardedTransport.aclose`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable

import httpx

from agb._warmup import HTTPX_ASYNC_IMPORTS, ssl_context

__all__ = ["SHARD_SIZE", "ShardedTransport", "close_with_loop"]

SHARD_SIZE = 10
"""Most connections per pool: beyond it httpcore's per-request bookkeeping dominates."""


def close_with_loop(close: Callable[[], Awaitable[object]]) -> AsyncGenerator[None, None]:
    """Has ``close`` awaited when the running event loop ends.

    The returned async generator is started here, which registers it with the loop; the
    loop's ``shutdown_asyncgens()`` (which ``asyncio.run`` calls) closes it, which awaits
    ``close``. Whoever holds what ``close`` closes must hold the generator too: the loop keeps
    only a weak reference, and one collected earlier runs ``close`` then.

    Args:
        close: Closes what belongs to the running loop.

    Returns:
        The started generator.
    """

    async def keeper() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            await close()

    started = keeper()
    with contextlib.suppress(StopIteration):  # it awaits nothing before its yield
        started.__anext__().send(None)
    return started


class _Counted(httpx.AsyncByteStream):
    """An answer's body that tells its pool once when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, done: Callable[[], None]) -> None:
        self._stream = stream
        self._done: Callable[[], None] | None = done

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            done, self._done = self._done, None
            if done is not None:
                done()


class _Pools:
    """The pools of one event loop, the requests in flight in each, and what closes them when
    the loop ends."""

    def __init__(self, loop: asyncio.AbstractEventLoop, pools: list[httpx.AsyncHTTPTransport]):
        self.loop = loop
        self.pools = pools
        self.busy = [0] * len(pools)
        self.keeper: AsyncGenerator[None, None] | None = None

    async def aclose(self) -> None:
        """Close every pool (their connections)."""
        for pool in self.pools:
            await pool.aclose()


class ShardedTransport(httpx.AsyncBaseTransport):
    """Sends requests through ``ceil(max_connections / 10)`` small httpx pools per loop, closed
    when the loop ends.

    Args:
        base_url: The service URL (its scheme picks the shared SSL context).
        max_connections: Most connections open at once per event loop, over all pools.
        keepalive_expiry: Seconds an idle connection is kept open.
    """

    serves_every_loop = True
    """One set of connections per event loop: any number of loops may use it at once."""

    WARM_IMPORTS: tuple[str, ...] = HTTPX_ASYNC_IMPORTS
    """httpcore's async pool and anyio's backend: imported off the loop by the warm-up."""

    def __init__(self, base_url: str, max_connections: int, keepalive_expiry: float = 5.0):
        self._verify = ssl_context(base_url)
        self._count = max(1, -(-max_connections // SHARD_SIZE))
        per_pool = max(1, -(-max_connections // self._count))
        self._limits = httpx.Limits(
            max_connections=per_pool,
            max_keepalive_connections=per_pool,
            keepalive_expiry=keepalive_expiry,
        )
        self._lock = threading.Lock()
        self._loops: dict[int, _Pools] = {}

    @property
    def pool_count(self) -> int:
        """How many pools each event loop gets."""
        return self._count

    def _pools(self) -> _Pools:
        loop = asyncio.get_running_loop()
        entry = self._loops.get(id(loop))
        if entry is not None and entry.loop is loop:
            return entry
        with self._lock:
            for key, old in list(self._loops.items()):
                if old.loop.is_closed():
                    del self._loops[key]
            pools = [
                httpx.AsyncHTTPTransport(verify=self._verify, limits=self._limits)
                for _ in range(self._count)
            ]
            made = _Pools(loop, pools)
            made.keeper = close_with_loop(lambda: self._close(made))
            self._loops[id(loop)] = made
            return made

    async def _close(self, entry: _Pools) -> None:
        """Close ``entry`` (the pools of the running loop) unless :meth:`aclose` did."""
        with self._lock:
            if self._loops.get(id(entry.loop)) is not entry:
                return
            del self._loops[id(entry.loop)]
        await entry.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the least busy pool of the running loop.

        Args:
            request: The httpx request.

        Returns:
            The answer; its body is still to be read (and counts until closed).

        Raises:
            httpx.TransportError: As httpx's own transport.
        """
        entry = self._pools()
        busy = entry.busy
        index = busy.index(min(busy))
        busy[index] += 1

        def done() -> None:
            busy[index] -= 1

        try:
            response = await entry.pools[index].handle_async_request(request)
        except BaseException:
            done()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Counted(response.stream, done)
        return response

    async def aclose(self) -> None:
        """Close the pools of the running loop (and forget those of closed loops); each
        loop's pools are also closed when the loop ends."""
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._loops.pop(id(loop), None)
            for key, old in list(self._loops.items()):
                if old.loop.is_closed():
                    del self._loops[key]
        if entry is not None and entry.loop is loop:
            await entry.aclose()
