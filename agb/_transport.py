"""HTTP plumbing: the pooled httpx clients, the redacted bearer auth, and sending one :class:`Call`.

One sync and one async httpx client per :class:`~agb.AGB`, created on first use and shared by
every request. Both are handed to the generated client, which the facade calls through its
``sync_detailed`` / ``asyncio_detailed`` functions.
"""

from __future__ import annotations

import contextvars
import logging
import platform
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from attrs import define

from agb._envelope import Reply, read_answer, read_transport_failure
from agb._plan import Call
from agb._version import __version__
from agb_api_client import Client

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
    response: httpx.Response | None = None


_EXCHANGE: contextvars.ContextVar[_Exchange | None] = contextvars.ContextVar(
    "agb_exchange", default=None
)


def _on_request(request: httpx.Request) -> None:
    exchange = _EXCHANGE.get()
    if exchange is not None and exchange.timeout is not None:
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
        self._auth = BearerAuth(api_key)
        self._timeout = httpx.Timeout(timeout)
        self._limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._transport = transport
        self._async_transport = async_transport
        self._headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        self.client = Client(
            base_url=base_url,
            headers=self._headers,
            timeout=self._timeout,
            raise_on_unexpected_status=False,
        )
        self._sync: httpx.Client | None = None
        self._async: httpx.AsyncClient | None = None

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
        """The pooled sync httpx client, created on first use."""
        if self._sync is None:
            self._sync = httpx.Client(
                **self._common(),
                transport=self._transport,
                event_hooks={"request": [_on_request], "response": [_on_response]},
            )
            self.client.set_httpx_client(self._sync)
        return self._sync

    def async_client(self) -> httpx.AsyncClient:
        """The pooled async httpx client, created on first use."""
        if self._async is None:
            self._async = httpx.AsyncClient(
                **self._common(),
                transport=self._async_transport,
                event_hooks={"request": [_on_request_async], "response": [_on_response_async]},
            )
            self.client.set_async_httpx_client(self._async)
        return self._async

    def raw(self) -> Client:
        """The generated client, configured with both pooled httpx clients."""
        self.sync_client()
        self.async_client()
        return self.client

    def close(self) -> None:
        """Close the sync pool (the async one needs :meth:`aclose`)."""
        if self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        """Close both pools."""
        self.close()
        if self._async is not None:
            await self._async.aclose()

    @contextmanager
    def _exchange(self, call: Call) -> Iterator[tuple[_Exchange, Callable[[Reply], Reply]]]:
        exchange = _Exchange(call.timeout)
        token = _EXCHANGE.set(exchange)
        started = time.perf_counter()

        def logged(reply: Reply) -> Reply:
            if log.isEnabledFor(logging.DEBUG):
                answered = exchange.response
                target = (
                    f"{answered.request.method} {answered.request.url.path}"
                    if answered is not None
                    else call.operation
                )
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

    def send(self, call: Call) -> Reply:
        """Send ``call`` with the sync client; never raises for network or answer problems."""
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
        """Send ``call`` with the async client; never raises for network or answer problems."""
        self.async_client()
        with self._exchange(call) as (exchange, logged):
            try:
                answer = await call.endpoint.asyncio_detailed(client=self.client, **call.kwargs)
            except httpx.HTTPError as error:
                return logged(read_transport_failure(call.operation, error))
            except _PARSE_ERRORS as error:
                return logged(_read_unparsed(call, exchange, error))
            return logged(_read_parsed(call, answer))


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
