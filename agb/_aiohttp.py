"""An httpx async transport backed by aiohttp (optional: ``pip install 'agb-sessions[aiohttp]'``).

httpx's own async stack (httpcore on anyio) costs about 2 ms of CPU per request; aiohttp's C
HTTP parser and connection pool cost a fraction of that, which is what bounds a fan-out of
thousands of sessions from one process (figures: ``docs/performance.md``). The SDK keeps
speaking httpx (requests, responses, auth, hooks, timeouts); only the wire is aiohttp's.

The SDK uses it for async calls when aiohttp is installed and no ``async_transport`` is given.
Unlike ``httpx_aiohttp.AiohttpTransport``, one instance serves any number of event loops (an
aiohttp session belongs to the loop that made it: one is kept per loop), uses the process's
shared SSL context (:func:`agb._warmup.ssl_context`), streams each body to the SDK's guard
(which bounds its size) and maps aiohttp's errors onto httpx's keeping the difference that
matters to a retry: :class:`httpx.ConnectError` / :class:`httpx.ConnectTimeout` only when the
request cannot have been sent, :class:`httpx.ReadError`, :class:`httpx.ReadTimeout` or
:class:`httpx.RemoteProtocolError` when it may have reached the server.

What goes on the wire is what httpx's own transport would send: the URL as httpx encoded it
(aiohttp would decode ``%2F``, ``%3F``... in the query), the header names as httpx spelled
them, and no cookie (the SDK keeps none, see :mod:`agb._lean_client`; aiohttp's jar would
keep them raw, send them back, and log a malformed one).
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx

from agb._sharded import close_with_loop
from agb._warmup import ssl_context

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AiohttpTransport", "available"]


def available() -> bool:
    """Whether aiohttp is installed (without importing it: that takes ~100 ms).

    Returns:
        True when ``import aiohttp`` would find the package.
    """
    return importlib.util.find_spec("aiohttp") is not None


def _aiohttp() -> Any:
    """The aiohttp module, imported on first use."""
    import aiohttp

    return aiohttp


def _yarl() -> Any:
    """The yarl module (aiohttp's URLs), imported on first use."""
    import yarl

    return yarl


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends httpx requests through one aiohttp ``ClientSession`` per event loop, closed when
    the loop ends (or by :meth:`aclose`), whoever used it.

    Creating one is cheap: aiohttp is imported at the first request (or earlier, off the event
    loop, by :func:`agb._warmup.warm_up_async` given :attr:`WARM_IMPORTS`).

    Args:
        max_connections: Most open connections per event loop (aiohttp's connector limit).
        keepalive_expiry: Seconds an idle connection is kept open.

    Raises:
        ConfigurationError: If aiohttp is not installed.
    """

    serves_every_loop = True
    """One set of connections per event loop: any number of loops may use it at once."""

    WARM_IMPORTS: tuple[str, ...] = ("aiohttp",)

    def __init__(self, max_connections: int = 100, keepalive_expiry: float = 5.0) -> None:
        if not available():
            from agb.exceptions import ConfigurationError

            raise ConfigurationError(
                "AiohttpTransport needs aiohttp: pip install 'agb-sessions[aiohttp]' "
                "(or leave async_transport unset: the SDK then uses httpx)"
            )
        self._limit = max_connections
        self._keepalive = keepalive_expiry
        self._lock = threading.Lock()
        # id(loop) -> (loop, its session, what closes the session when the loop ends)
        self._sessions: dict[int, tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession, Any]] = {}

    def _session(self) -> aiohttp.ClientSession:
        aio = _aiohttp()
        loop = asyncio.get_running_loop()
        entry = self._sessions.get(id(loop))
        if entry is not None and entry[0] is loop:
            return entry[1]
        with self._lock:
            self._forget_closed_loops()
            connector = aio.TCPConnector(
                limit=self._limit,
                keepalive_timeout=self._keepalive,
                ttl_dns_cache=300,
            )
            session: aiohttp.ClientSession = aio.ClientSession(
                connector=connector,
                cookie_jar=aio.DummyCookieJar(),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
            )
            keeper = close_with_loop(lambda: self._close(loop, session))
            self._sessions[id(loop)] = (loop, session, keeper)
            return session

    def _forget_closed_loops(self) -> None:
        for key, (old, *_) in list(self._sessions.items()):
            if old.is_closed():
                del self._sessions[key]

    async def _close(self, loop: asyncio.AbstractEventLoop, session: aiohttp.ClientSession) -> None:
        """Close ``session`` (the running loop's) unless :meth:`aclose` did."""
        with self._lock:
            entry = self._sessions.get(id(loop))
            if entry is None or entry[1] is not session:
                return
            del self._sessions[id(loop)]
        await session.close()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read its whole answer.

        Args:
            request: The httpx request (its ``timeout`` extension is honoured).

        Returns:
            The answer, body read.

        Raises:
            httpx.TransportError: A subclass that says whether the request may have been sent.
        """
        aio = _aiohttp()
        session = self._session()
        timeout = request.extensions.get("timeout", {})
        url = request.url
        body = request.content or None
        try:
            answer = await session.request(
                request.method,
                _yarl().URL(str(url), encoded=True),
                headers=[
                    (name.decode("latin-1"), value.decode("latin-1"))
                    for name, value in request.headers.raw
                ],
                data=body,
                allow_redirects=False,
                compress=None,
                ssl=ssl_context(str(url)) if url.scheme == "https" else True,
                server_hostname=request.extensions.get("sni_hostname"),
                timeout=aio.ClientTimeout(
                    total=None,
                    connect=timeout.get("pool"),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            )
        except aio.ClientError as error:  # its timeouts too (ServerTimeoutError is one)
            raise _mapped(error, request) from error
        version = answer.version or aio.HttpVersion11
        extensions: dict[str, Any] = {"http_version": b"HTTP/%d.%d" % version}
        if answer.reason:  # aiohttp decodes it as UTF-8, keeping other bytes as surrogates
            extensions["reason_phrase"] = answer.reason.encode("utf-8", "surrogateescape")
        return httpx.Response(
            answer.status,
            headers=answer.raw_headers,
            stream=_Body(answer, request),
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        """Close the aiohttp session of the running loop (and forget those of closed loops);
        each loop's session is also closed when the loop ends."""
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._sessions.pop(id(loop), None)
            self._forget_closed_loops()
        if entry is not None and entry[0] is loop:
            await entry[1].close()


class _Body(httpx.AsyncByteStream):
    """An answer's body as aiohttp receives it, chunk by chunk: whoever reads it (the SDK's
    guard) decides how much to take, so an endless or huge answer never sits in memory whole."""

    CHUNK = 64 * 1024

    def __init__(self, answer: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._answer = answer
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        aio = _aiohttp()
        try:
            async for chunk in self._answer.content.iter_chunked(self.CHUNK):
                yield chunk
        except aio.ClientError as error:
            raise _mapped(error, self._request) from error

    async def aclose(self) -> None:
        # A body read to its end gives the connection back to the pool; one cut short closes
        # it (what is left of the answer would otherwise be read as the next one's).
        if self._answer.content.at_eof():
            self._answer.release()
        else:
            self._answer.close()


def _mapped(error: aiohttp.ClientError, request: httpx.Request) -> httpx.TransportError:
    """The httpx error for an aiohttp one: "not sent" kinds only when that is certain, and the
    kind httpx's own transport raises for the same fault (a cut-short or malformed answer is a
    :class:`httpx.RemoteProtocolError`, a reset connection a :class:`httpx.ReadError`)."""
    aio = _aiohttp()
    message = str(error) or type(error).__name__
    if isinstance(error, aio.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(error, aio.ClientConnectorError):
        return httpx.ConnectError(message, request=request)
    if isinstance(error, aio.ServerTimeoutError):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(error, aio.ServerDisconnectedError):
        # Its str() is the repr of whatever part of the answer had come (headers and all).
        return httpx.RemoteProtocolError(
            "Server disconnected without sending a complete response.", request=request
        )
    if isinstance(error, aio.ClientResponseError):
        # Raised for an answer that is not valid HTTP, with a made-up status 400 in its str().
        return httpx.RemoteProtocolError(
            "the answer is not valid HTTP: " + " ".join(str(error.message).split()),
            request=request,
        )
    if isinstance(error, aio.ClientPayloadError):
        return httpx.RemoteProtocolError(
            f"the answer's body is cut short or malformed: {message}", request=request
        )
    if isinstance(error, aio.InvalidURL):
        return httpx.UnsupportedProtocol(message, request=request)
    return httpx.ReadError(message, request=request)
