"""HTTP plumbing: the pooled httpx clients, the redacted bearer auth, and sending one :class:`Call`.

One sync and one async httpx client per :class:`~agb.AGB`, created on first use and shared by
every request. Both are handed to the generated client, which the facade calls through its
``sync_detailed`` / ``asyncio_detailed`` functions.
"""

from __future__ import annotations

import contextvars
import logging
import platform
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs
import httpx
from attrs import define

from agb._envelope import Reply, read_answer, read_transport_failure
from agb._plan import Call
from agb._version import __version__
from agb.exceptions import ClientClosedError
from agb_api_client import Client

if TYPE_CHECKING:
    import asyncio

__all__ = ["USER_AGENT", "BearerAuth", "Transport"]

log = logging.getLogger("agb")

USER_AGENT = (
    f"agb-sessions-python/{__version__} "
    f"(Python {platform.python_version()}; httpx {httpx.__version__})"
)

# Errors the generated client raises while reading an answer it did not expect:
# HTTPStatus(499) -> ValueError, invalid JSON -> JSONDecodeError (a ValueError),
# an object of the wrong shape -> TypeError / KeyError / AttributeError.
_PARSE_ERRORS = (ValueError, TypeError, KeyError, AttributeError)


class BearerAuth(httpx.Auth):
    """Sends ``authorization: Bearer <key>``; its repr never shows the key."""

    def __init__(self, api_key: str) -> None:
        self._value = f"Bearer {api_key}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["authorization"] = self._value
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(<redacted>)"


@define
class _Exchange:
    timeout: float | None
    request: httpx.Request | None = None
    response: httpx.Response | None = None


_EXCHANGE: contextvars.ContextVar[_Exchange | None] = contextvars.ContextVar(
    "agb_exchange", default=None
)


def _on_request(request: httpx.Request) -> None:
    exchange = _EXCHANGE.get()
    if exchange is None:
        return
    exchange.request = request
    if exchange.timeout is not None:
        request.extensions["timeout"] = httpx.Timeout(exchange.timeout).as_dict()


def _on_response(response: httpx.Response) -> None:
    exchange = _EXCHANGE.get()
    if exchange is not None:
        exchange.response = response


async def _on_request_async(request: httpx.Request) -> None:
    _on_request(request)


async def _on_response_async(response: httpx.Response) -> None:
    _on_response(response)


class Transport:
    """Sends :class:`Call` effects through the generated client and reads the answers."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float,
        max_connections: int,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url
        self._secret = api_key
        self._auth = BearerAuth(api_key)
        self._timeout = httpx.Timeout(timeout)
        self._limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._transport = transport
        self._async_transport = async_transport
        self._headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        self.client = self._generated()
        self._lock = threading.Lock()
        self._sync: httpx.Client | None = None
        # One async pool per event loop: an httpx.AsyncClient's connections belong to the loop
        # that opened them, and using them from another loop (a second asyncio.run, a test's
        # own loop) fails with "Event loop is closed". Keyed by id(loop), holding the loop.
        # Each also holds a semaphore that keeps in-flight requests within the pool's size:
        # httpcore's bookkeeping of queued requests grows with queue x connections, so a
        # fan-out of hundreds of calls is much faster waiting here than in its queue.
        self._max_in_flight = max_connections
        self._loops: dict[int, tuple[asyncio.AbstractEventLoop, Client, asyncio.Semaphore]] = {}
        self._unbound: httpx.AsyncClient | None = None
        self._closed = False

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
        }

    def sync_client(self) -> httpx.Client:
        """The pooled sync httpx client, created on first use and shared by every thread."""
        with self._lock:
            if self._sync is None:
                self._sync = httpx.Client(
                    **self._common(),
                    transport=self._transport,
                    event_hooks={"request": [_on_request], "response": [_on_response]},
                )
                self.client.set_httpx_client(self._sync)
            return self._sync

    def _new_async_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            **self._common(),
            transport=self._async_transport,
            event_hooks={"request": [_on_request_async], "response": [_on_response_async]},
        )

    def _loop_client(self) -> tuple[Client, asyncio.Semaphore]:
        """The generated client whose async pool belongs to the running event loop, and the
        semaphore bounding that loop's requests in flight."""
        import asyncio  # only ever reached inside a running loop, where it is loaded already

        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._loops.get(id(loop))
            if entry is None or entry[0] is not loop:
                # Pools of loops that are closed died with them: forget them.
                for key, (old, *_) in list(self._loops.items()):
                    if old.is_closed():
                        del self._loops[key]
                generated = self._generated()
                generated.set_async_httpx_client(self._new_async_client())
                entry = (loop, generated, asyncio.Semaphore(self._max_in_flight))
                self._loops[id(loop)] = entry
            self.client.set_async_httpx_client(entry[1].get_async_httpx_client())
            return entry[1], entry[2]

    def async_client(self) -> httpx.AsyncClient:
        """The pooled async httpx client of the running event loop.

        Outside any loop: a pool that belongs to the first loop that uses it.
        """
        import asyncio  # not at the top: `import agb` need not load asyncio for sync users

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            with self._lock:
                if self._unbound is None:
                    self._unbound = self._new_async_client()
                    self.client.set_async_httpx_client(self._unbound)
                return self._unbound
        return self._loop_client()[0].get_async_httpx_client()

    def raw(self) -> Client:
        """The generated client, configured with the pooled httpx clients.

        Its async httpx client is the pool of the event loop running when ``raw`` was read
        (outside any loop: a pool that belongs to the first loop that uses it).
        """
        self.sync_client()
        self.async_client()
        return self.client

    def close(self) -> None:
        """Close the sync pool (the async ones need :meth:`aclose`); no call may follow."""
        self._closed = True
        if self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        """Close the sync pool and the async pool of the running event loop."""
        import asyncio

        self.close()
        loop = asyncio.get_running_loop()
        entry = self._loops.pop(id(loop), None)
        if entry is not None and entry[0] is loop:
            await entry[1].get_async_httpx_client().aclose()
        if self._unbound is not None:
            await self._unbound.aclose()

    @contextmanager
    def _exchange(self, call: Call) -> Iterator[tuple[_Exchange, Callable[[Reply], Reply]]]:
        exchange = _Exchange(call.timeout)
        token = _EXCHANGE.set(exchange)
        started = time.perf_counter()

        def logged(reply: Reply) -> Reply:
            reply = _scrub(reply, self._secret)
            if log.isEnabledFor(logging.DEBUG):
                sent = exchange.request
                target = f"{sent.method} {sent.url.path}" if sent is not None else call.operation
                log.debug(
                    "%s -> %s request_id=%s in %.1f ms%s",
                    target,
                    reply.http_status if reply.http_status is not None else "no answer",
                    reply.request_id or "-",
                    (time.perf_counter() - started) * 1000,
                    f" ({type(reply.error).__name__})" if reply.error else "",
                )
            return reply

        try:
            yield exchange, logged
        finally:
            _EXCHANGE.reset(token)

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError(
                "this AGB client is closed; create a new AGB to make more calls"
            )

    def send(self, call: Call) -> Reply:
        """Send ``call`` with the sync client; never raises for network or answer problems.

        Raises:
            ClientClosedError: If the client was closed.
        """
        self._check_open()
        self.sync_client()
        with self._exchange(call) as (exchange, logged):
            try:
                answer = call.endpoint.sync_detailed(client=self.client, **call.kwargs)
            except httpx.HTTPError as error:
                return logged(read_transport_failure(call.operation, error))
            except _PARSE_ERRORS as error:
                return logged(_read_unparsed(call, exchange, error))
            return logged(_read_parsed(call, answer))

    async def send_async(self, call: Call) -> Reply:
        """Send ``call`` with the async client; never raises for network or answer problems.

        Raises:
            ClientClosedError: If the client was closed.
        """
        self._check_open()
        client, in_flight = self._loop_client()
        with self._exchange(call) as (exchange, logged):
            try:
                async with in_flight:
                    answer = await call.endpoint.asyncio_detailed(client=client, **call.kwargs)
            except httpx.HTTPError as error:
                return logged(read_transport_failure(call.operation, error))
            except _PARSE_ERRORS as error:
                return logged(_read_unparsed(call, exchange, error))
            return logged(_read_parsed(call, answer))


REDACTED = "<redacted>"


def _scrub(reply: Reply, secret: str) -> Reply:
    """``reply`` with the API key blotted out of its texts (a proxy or service may echo it)."""
    error = reply.error
    if not secret or (
        secret not in reply.message and (error is None or secret not in error.message)
    ):
        return reply
    if error is not None and secret in error.message:
        error.message = error.message.replace(secret, REDACTED)
        error.args = (error.message,)
    return attrs.evolve(reply, message=reply.message.replace(secret, REDACTED))


def _read_parsed(call: Call, answer: Any) -> Reply:
    return read_answer(
        call.operation,
        int(answer.status_code),
        httpx.Headers(answer.headers),
        answer.content,
        answer.parsed,
    )


def _read_unparsed(call: Call, exchange: _Exchange, error: BaseException) -> Reply:
    response = exchange.response
    if response is None:
        # The generated code failed before any answer came: that is a bug, not a service error.
        raise error
    return read_answer(
        call.operation, response.status_code, response.headers, response.content, None, error
    )
