"""The pooled httpx clients: one sync client per :class:`~agb.AGB`, one async client per event
loop that uses it, each created on first use and shared by every request.

They are handed to the generated client, which the facade calls through its ``sync_detailed`` /
``asyncio_detailed`` functions. Every transport under them is wrapped in a guard
(:mod:`agb._answer_guard`). This module also owns their lifecycle: each loop's pool closes when
its loop ends, :meth:`Pools.close` / :meth:`Pools.aclose` close them all, and a child process
after ``os.fork()`` forgets (never closes, never uses) its parent's pools.
"""

from __future__ import annotations

import contextlib
import os
import platform
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import httpx
from attrs import define
from httpx._utils import get_environment_proxies

from agb import _warmup
from agb._answer_guard import AsyncGuard, Guard, guard_mounts
from agb._exchange import ASYNC_HOOKS, SYNC_HOOKS
from agb._lean_client import LeanAsyncClient, LeanClient
from agb._secrets import BearerAuth, Redactor, redact_logs
from agb._version import __version__
from agb.config import DEFAULT_MAX_RESPONSE_BYTES
from agb.exceptions import ConfigurationError
from agb_api_client import Client

if TYPE_CHECKING:
    import asyncio

__all__ = ["DEFAULT_IN_FLIGHT", "IN_FLIGHT_OWN_ASYNC", "USER_AGENT", "Pools"]

# Requests in flight per event loop with the SDK's own async transports (aiohttp, or httpx in
# pools of 10), measured at 0/10/40/150 ms RTT on a 50-session fan-out (docs/performance.md):
# enough to hide 150 ms of latency, and neither transport's cost grows with its size.
IN_FLIGHT_OWN_ASYNC = 50
# The sync pool, and a transport the caller gave (its costs are unknown).
DEFAULT_IN_FLIGHT = 10

USER_AGENT = (
    f"agb-sessions-python/{__version__} "
    f"(Python {platform.python_version()}; httpx {httpx.__version__})"
)

# Bumped in a child process after os.fork(): pools opened before it belong to the parent.
_FORKS = [0]
# What a child dropped: kept referenced, never closed (closing would shut the parent's
# connections down, and collecting them would warn about unclosed sockets).
_ABANDONED: list[object] = []


def _after_fork_in_child() -> None:
    _FORKS[0] += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@define(eq=False)
class _LoopPool:
    """The async pool of one event loop, with what bounds its requests in flight."""

    loop: asyncio.AbstractEventLoop
    generated: Client
    httpx_client: httpx.AsyncClient
    in_flight: asyncio.Semaphore
    guard: AsyncGuard
    keeper: Any = None

    async def aclose(self) -> None:
        """Close the pool's client, and its transport even if an earlier close of the client
        was cancelled half-way (the client would then count itself closed)."""
        await self.httpx_client.aclose()
        await self.guard.aclose()


async def _keep_until_loop_ends(pool: _LoopPool, forget: Callable[[], None]) -> AsyncIterator[None]:
    """Closes ``pool`` when its loop ends.

    Advanced once inside the loop, this async generator is registered with it; the loop's
    ``shutdown_asyncgens()`` (which ``asyncio.run`` calls) closes it, which closes the pool.
    """
    try:
        yield
    finally:
        forget()
        await pool.aclose()


class Pools:
    """The pooled httpx clients of one :class:`~agb.AGB`, and the generated clients using them.

    Args:
        base_url: The service's base URL.
        api_key: The API key (checked: it must fit in an HTTP header).
        timeout: Seconds a whole request may take (connect, send, headers and body), unless
            the call gives its own.
        max_connections: Size of each pool, and the most requests in flight per event loop;
            ``None``: :data:`IN_FLIGHT_OWN_ASYNC` with the SDK's own async transport,
            :data:`DEFAULT_IN_FLIGHT` for the sync pool and a transport the caller gave.
        transport: An httpx transport for the sync client (default: httpx's, on httpcore).
        async_transport: An httpx transport for the async clients (default:
            :class:`agb._aiohttp.AiohttpTransport` when aiohttp is installed, else
            :class:`agb._sharded.ShardedTransport`; both serve every event loop).
        max_response_bytes: The largest answer read, after decompression.

    Raises:
        ConfigurationError: If the API key holds a character an HTTP header cannot carry.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float,
        max_connections: int | None,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._auth = BearerAuth(api_key)
        self._base_url = base_url
        self._redactor = Redactor(api_key)
        redact_logs(self._redactor)
        self._timeout = httpx.Timeout(timeout)
        sync_bound = max_connections or DEFAULT_IN_FLIGHT
        self._limits = httpx.Limits(
            max_connections=sync_bound, max_keepalive_connections=sync_bound
        )
        self._max_response_bytes = max_response_bytes
        self._transport = transport
        self._given_async_transport = async_transport
        self._max_connections = max_connections
        self._headers = {
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            "Accept-Encoding": "gzip, deflate",
        }
        # One async pool per event loop: an httpx.AsyncClient's connections belong to the loop
        # that opened them, and using them from another loop (a second asyncio.run, a test's
        # own loop) fails with "Event loop is closed". Each pool is closed when its loop ends.
        # Each also holds a semaphore that keeps in-flight requests within the bound: a
        # fan-out of thousands of calls waits here, cheaply, rather than in a pool's queue.
        self._closed = False
        self._reset_pools()

    def _reset_pools(self) -> None:
        self._fork = _FORKS[0]
        self._async_transport, self._max_in_flight, self.warm_imports = _async_transport(
            self._base_url, self._given_async_transport, self._max_connections
        )
        self._lock = threading.Lock()
        self.client = self._generated()
        self._sync: httpx.Client | None = None
        self._loops: dict[int, _LoopPool] = {}
        self._unbound: httpx.AsyncClient | None = None

    def warm_up(self) -> None:
        """The async path's one-time imports and SSL context, in the calling thread, then one
        full garbage collection (before any loop runs, nothing waits on it)."""
        import gc

        _warmup.warm_up(self._base_url, self.warm_imports)
        gc.collect()

    async def warm_up_async(self) -> None:
        """The imports and SSL context, once per process, in a worker thread (the loop keeps
        running meanwhile: it would stall 100-270 ms), which then ages what they made instead
        of collecting it (:func:`agb._warmup.age_objects`); afterwards a set look-up. The
        runner awaits it before it drives a plan, so nothing is imported on the loop."""
        if not _warmup.is_warm(self._base_url, self.warm_imports):
            await _warmup.warm_up_async(self._base_url, self.warm_imports)

    def _check_fork(self) -> None:
        """After os.fork(), forget (never close, never use) the parent's pools."""
        if self._fork != _FORKS[0]:
            _ABANDONED.append(
                (self.client, self._sync, self._loops, self._unbound, self._async_transport)
            )
            self._reset_pools()

    def _generated(self) -> Client:
        return Client(
            base_url=self._base_url,
            headers=self._headers,
            timeout=self._timeout,
            raise_on_unexpected_status=False,
        )

    def _common(self) -> dict[str, Any]:
        return {
            "base_url": self._base_url,
            "headers": self._headers,
            "timeout": self._timeout,
            "limits": self._limits,
            "auth": self._auth,
            "follow_redirects": False,
            # One SSL context per process (none loaded for http://): httpx would build one
            # per client, 40-60 ms on the caller's thread.
            "verify": _warmup.ssl_context(self._base_url),
        }

    def _guard_mounts(self, client: httpx.Client | httpx.AsyncClient) -> None:
        # Proxies from the environment get transports of their own: guard them too.
        guard_mounts(client, self._max_response_bytes, self._redactor)

    def sync_client(self) -> httpx.Client:
        """The pooled sync httpx client, created on first use and shared by every thread."""
        sync = self._sync
        if sync is not None and self._fork == _FORKS[0]:
            return sync
        self._check_fork()
        with self._lock:
            if self._sync is None:
                inner = self._transport or httpx.HTTPTransport(
                    verify=_warmup.ssl_context(self._base_url), limits=self._limits
                )
                self._sync = LeanClient(
                    **self._common(),
                    auth_header=self._auth.header,
                    transport=Guard(inner, self._max_response_bytes, self._redactor),
                    event_hooks=SYNC_HOOKS,
                )
                self._guard_mounts(self._sync)
                self.client.set_httpx_client(self._sync)
            return self._sync

    def _new_async_client(self) -> httpx.AsyncClient:
        return self._new_async_pool()[0]

    def _new_async_pool(self) -> tuple[httpx.AsyncClient, AsyncGuard]:
        inner = self._async_transport
        guard = AsyncGuard(inner, self._max_response_bytes, self._redactor)
        client = LeanAsyncClient(
            **self._common(),
            auth_header=self._auth.header,
            transport=guard,
            event_hooks=ASYNC_HOOKS,
        )
        self._guard_mounts(client)
        return client, guard

    def _loop_pool(self) -> _LoopPool:
        """The pool of the running event loop, opened on first use and closed when the loop
        ends."""
        import asyncio  # only ever reached inside a running loop, where it is loaded already

        loop = asyncio.get_running_loop()
        self._check_fork()
        pool = self._loops.get(id(loop))
        if pool is not None and pool.loop is loop:
            return pool
        with self._lock:
            pool = self._loops.get(id(loop))
            if pool is not None and pool.loop is loop:
                return pool
            for key, old in list(self._loops.items()):
                if old.loop.is_closed():  # ended without shutdown_asyncgens(): nothing to do
                    del self._loops[key]
            if self._loops and not _serves_every_loop(self._async_transport):
                raise ConfigurationError(
                    f"the async_transport given to AGB ({type(self._async_transport).__name__}) "
                    "is already in use by another running event loop, and its connections "
                    "belong to that loop; use one AGB per event loop, or leave async_transport "
                    "unset (the SDK's own transports serve every loop)"
                )
            client, guard = self._new_async_pool()
            generated = self._generated()
            generated.set_async_httpx_client(client)
            pool = _LoopPool(loop, generated, client, asyncio.Semaphore(self._max_in_flight), guard)
            self._loops[id(loop)] = pool
        pool.keeper = _keep_until_loop_ends(pool, _forgetter(self, id(loop), pool))
        # Run it to its yield now (it awaits nothing before): the loop registers it.
        with contextlib.suppress(StopIteration):
            pool.keeper.__anext__().send(None)
        return pool

    def _loop_client(self) -> tuple[Client, asyncio.Semaphore, asyncio.AbstractEventLoop]:
        """The generated client whose async pool belongs to the running event loop, the
        semaphore bounding that loop's requests in flight, and the loop."""
        pool = self._loop_pool()
        return pool.generated, pool.in_flight, pool.loop

    def async_client(self) -> httpx.AsyncClient:
        """The pooled async httpx client of the running event loop.

        Outside any loop: a pool that belongs to the first loop that uses it.
        """
        import asyncio  # not at the top: `import agb` need not load asyncio for sync users

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self._check_fork()
            with self._lock:
                if self._unbound is None:
                    self._unbound = self._new_async_client()
                    self.client.set_async_httpx_client(self._unbound)
                return self._unbound
        return self._loop_pool().httpx_client

    def raw(self) -> Client:
        """The generated client, configured with the pooled httpx clients.

        Read inside an event loop, it is that loop's own generated client (its async pool
        belongs to the loop, and other loops in other threads do not disturb it); outside any
        loop, one whose async pool belongs to the first loop that uses it.
        """
        import asyncio

        sync = self.sync_client()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self.async_client()
            return self.client
        pool = self._loop_pool()
        pool.generated.set_httpx_client(sync)
        return pool.generated

    def close(self) -> None:
        """Close every pool these pools opened; no call may follow.

        The sync pool closes at once; each async pool is closed on its own loop (scheduled
        there; a loop that has ended closed its pool as it ended).
        """

        self._closed = True
        if self._fork != _FORKS[0]:
            self._check_fork()
            return
        if self._sync is not None:
            self._sync.close()
        for pool in list(self._loops.values()):
            _close_soon(pool)

    async def aclose(self) -> None:
        """Close every pool these pools opened: the sync one and the running loop's at
        once, the other loops' on their loops."""
        import asyncio

        self._check_fork()
        loop = asyncio.get_running_loop()
        mine = self._loops.pop(id(loop), None)
        self.close()
        if mine is not None and mine.loop is loop:
            await mine.aclose()
        if self._unbound is not None:
            await self._unbound.aclose()

    def __del__(self) -> None:
        # Collected without close(): close the sync pool here, each async pool on its loop.
        if getattr(self, "_fork", None) != _FORKS[0] or getattr(self, "_closed", True):
            return
        with contextlib.suppress(Exception):  # interpreter shutdown: nothing more to do
            if self._sync is not None:
                self._sync.close()
            for pool in list(self._loops.values()):
                _close_soon(pool)


# Tasks closing a pool on its loop: the loop keeps only weak references to its tasks, and a
# task nobody references can be collected half-way, leaving its sockets unclosed.
_CLOSING: set[Any] = set()


def _serves_every_loop(transport: httpx.AsyncBaseTransport) -> bool:
    """Whether ``transport`` can serve several event loops at once: the SDK's own (one pool
    per loop), and httpx's mock (no connections); any other may hold loop-bound ones."""
    return bool(getattr(transport, "serves_every_loop", False)) or isinstance(
        transport, httpx.MockTransport
    )


def _async_transport(
    base_url: str, given: httpx.AsyncBaseTransport | None, bound: int | None
) -> tuple[httpx.AsyncBaseTransport, int, tuple[str, ...]]:
    """(async transport, requests in flight per loop, modules the warm-up imports for it).

    Without a transport from the caller: aiohttp's when installed (the ``aiohttp`` extra: a
    third of httpx's CPU per request), else httpx's split into pools of 10. Creating either
    imports nothing heavy: aiohttp is loaded by the warm-up, off the event loop.
    """
    if given is not None:
        # A transport that does not say what it needs is taken for httpx's own.
        warm = getattr(given, "WARM_IMPORTS", _warmup.HTTPX_ASYNC_IMPORTS)
        return given, bound or DEFAULT_IN_FLIGHT, tuple(warm) if isinstance(warm, tuple) else ()
    from agb import _aiohttp

    bound = bound or IN_FLIGHT_OWN_ASYNC
    if _aiohttp.available():
        warm = _aiohttp.AiohttpTransport.WARM_IMPORTS
        if get_environment_proxies():  # proxied hosts go through httpx's transport
            warm += _warmup.HTTPX_ASYNC_IMPORTS
        return _aiohttp.AiohttpTransport(max_connections=bound), bound, warm
    from agb._sharded import ShardedTransport

    return ShardedTransport(base_url, bound), bound, ShardedTransport.WARM_IMPORTS


def _close_soon(pool: _LoopPool) -> None:
    """Close ``pool`` on its own loop (from any thread); nothing if that loop has closed."""

    def start() -> None:
        task = pool.loop.create_task(pool.aclose())
        _CLOSING.add(task)
        task.add_done_callback(_CLOSING.discard)

    with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
        pool.loop.call_soon_threadsafe(start)


def _forgetter(transport: Pools, key: int, pool: _LoopPool) -> Callable[[], None]:
    ref = weakref.ref(transport)

    def forget() -> None:
        owner = ref()
        if owner is not None and owner._loops.get(key) is pool:
            del owner._loops[key]

    return forget
