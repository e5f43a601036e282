"""HTTP plumbing: the pooled httpx clients, the redacted bearer auth, and sending one :class:`Call`.

One sync httpx client per :class:`~agb.AGB`, and one async httpx client per event loop that
uses it, each created on first use and shared by every request. They are handed to the
generated client, which the facade calls through its ``sync_detailed`` / ``asyncio_detailed``
functions.

Every transport under those clients is wrapped in a guard (:class:`_Guard`,
:class:`_AsyncGuard`) that is the one place an answer enters the SDK. It

* bounds the whole request (waiting for a connection, connecting, sending, the headers and
  the body) by the request's timeout: httpx's own timeout bounds each read, so a server that
  sends one byte at a time would otherwise hold a call for ever;
* reads the body itself, decompressing it chunk by chunk and counting the bytes after
  decompression, so an answer larger than ``max_response_bytes`` (a gzip bomb, an endless
  chunked body) is refused with memory bounded;
* blots the API key out of the body, the header values and the reason phrase as they arrive
  (also its JSON-escaped and percent-encoded forms), so nothing downstream can see it.

The one place that sends (:meth:`Transport.send` / :meth:`Transport.send_async`) turns
everything an answer or an argument can cause into a :class:`Reply`; it never raises for them.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
import platform
import re
import ssl
import threading
import time
import weakref
import zlib
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs
import httpx
from attrs import define
from httpx._decoders import SUPPORTED_DECODERS

from agb._envelope import (
    Reply,
    read_answer,
    read_too_large,
    read_transport_failure,
    read_unsendable,
)
from agb._plan import Call
from agb._version import __version__
from agb.config import DEFAULT_MAX_RESPONSE_BYTES
from agb.exceptions import ClientClosedError, ConfigurationError
from agb_api_client import Client

if TYPE_CHECKING:
    import asyncio

    import httpcore

__all__ = ["REDACTED", "USER_AGENT", "BearerAuth", "Redactor", "ResponseTooLarge", "Transport"]

log = logging.getLogger("agb")

USER_AGENT = (
    f"agb-sessions-python/{__version__} "
    f"(Python {platform.python_version()}; httpx {httpx.__version__})"
)
REDACTED = "<redacted>"

# Errors the generated client raises while reading an answer it did not expect:
# HTTPStatus(499) -> ValueError, invalid JSON -> JSONDecodeError (a ValueError),
# an object of the wrong shape -> TypeError / KeyError / AttributeError, an answer nested
# deeper than the stack -> RecursionError.
_PARSE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, RecursionError)

# Decompressed bytes produced per step: bounds the memory a compressed chunk can take at once.
_INFLATE_STEP = 64 * 1024


# --------------------------------------------------------------------------- secrets


def check_api_key(api_key: str) -> None:
    """Check that ``api_key`` can go in an HTTP header.

    Raises:
        ConfigurationError: If it holds a character an HTTP header cannot carry (a control
            character such as a vertical tab or form feed, DEL, or a non-ASCII character). The
            message names the kind of character and its position, never the key.
    """
    for position, char in enumerate(api_key, 1):
        if char == "\t" or " " <= char <= "~":
            continue
        kind = "a non-ASCII character" if ord(char) > 0x7F else "a control character"
        raise ConfigurationError(
            f"API key must be printable ASCII: character {position} is {kind} "
            f"(U+{ord(char):04X}), which cannot be sent in an HTTP header"
        )


class Redactor:
    """Blots one secret out of texts and bytes, in plain, JSON-escaped and URL-encoded forms.

    Each character of the secret may appear as itself, as a JSON ``\\uXXXX`` escape (or ``\\/``,
    ``\\"``, ``\\\\``), or percent-encoded; matching ignores case, so variants are blotted too.
    """

    def __init__(self, secret: str) -> None:
        self.secret = secret
        forms = [_char_forms(char) for char in secret]
        text = "".join(f"(?:{'|'.join(group)})" for group in forms)
        self._text = re.compile(text, re.IGNORECASE) if secret else None
        self._bytes = re.compile(text.encode("ascii"), re.IGNORECASE) if secret else None
        escaped = secret.encode("unicode_escape").decode("ascii")
        self._repr_form = escaped if escaped != secret else ""

    def text(self, value: str) -> str:
        """``value`` with every form of the secret replaced by ``<redacted>``."""
        if self._text is None or not value:
            return value
        value = self._text.sub(REDACTED, value)
        if self._repr_form and self._repr_form in value:
            value = value.replace(self._repr_form, REDACTED)
        return value

    def data(self, value: bytes) -> bytes:
        """``value`` (a body, a header value) with every form of the secret replaced."""
        if self._bytes is None or not value:
            return value
        return self._bytes.sub(REDACTED.encode("ascii"), value)

    def __repr__(self) -> str:
        return "Redactor(<redacted>)"


def _char_forms(char: str) -> list[str]:
    code = ord(char)
    forms = [re.escape(char), rf"\\u{code:04x}", f"%{code:02x}"]
    if char in '/"\\':
        forms.append(re.escape("\\" + char))
    return forms


class _RedactingFilter(logging.Filter):
    """Blots the key of every live client out of log records of the SDK and of httpx/httpcore
    (httpcore logs raw response headers at DEBUG, httpx the reason phrase at INFO)."""

    def __init__(self) -> None:
        super().__init__()
        self.redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        redactors = list(self.redactors)
        if not redactors:
            return True
        try:
            text = record.getMessage()
        except Exception:  # a broken record is logging's business, not ours
            return True
        clean = text
        for redactor in redactors:
            clean = redactor.text(clean)
        if clean != text:
            record.msg, record.args = clean, None
        return True


_LOG_FILTER = _RedactingFilter()
_FILTERED_LOGGERS = (
    "agb",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
for _name in _FILTERED_LOGGERS:
    logging.getLogger(_name).addFilter(_LOG_FILTER)


class BearerAuth(httpx.Auth):
    """Sends ``authorization: Bearer <key>``; its repr never shows the key.

    Raises:
        ConfigurationError: If the key cannot go in an HTTP header (see :func:`check_api_key`).
    """

    def __init__(self, api_key: str) -> None:
        check_api_key(api_key)
        self._value = f"Bearer {api_key}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["authorization"] = self._value
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(<redacted>)"


# --------------------------------------------------------------------------- the guards


class ResponseTooLarge(httpx.TransportError):
    """An answer was larger than the limit (after decompression); the rest was not read.

    Attributes:
        limit: The limit in bytes.
        status_code: The answer's HTTP status.
        headers: The answer's headers (redacted).
    """

    def __init__(self, limit: int, status_code: int, headers: httpx.Headers) -> None:
        super().__init__(f"the answer (HTTP {status_code}) is larger than the {limit}-byte limit")
        self.limit = limit
        self.status_code = status_code
        self.headers = headers


# The deadline (time.monotonic) of the request being sent in this context, read by the
# network streams below to cut each connect/read/write to the time left.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "agb_deadline", default=None
)


def _request_deadline(request: httpx.Request) -> tuple[float, float]:
    """(seconds allowed, deadline) for ``request``: its longest configured timeout."""
    timeouts = request.extensions.get("timeout") or {}
    values = [value for value in timeouts.values() if isinstance(value, int | float)]
    allowed = float(max(values)) if values else 60.0
    return allowed, time.monotonic() + allowed


def _time_left(deadline: float | None, timeout: float | None) -> float | None:
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    return left if timeout is None else min(timeout, left)


def _timed_out(request: httpx.Request, allowed: float) -> httpx.ReadTimeout:
    return httpx.ReadTimeout(
        f"the request and its answer took longer than its {allowed:g} s timeout",
        request=request,
    )


class _Inflater:
    """Incremental decompression of one content coding, in bounded steps."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        if coding in ("gzip", "x-gzip"):
            self._zlib: Any = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            self._zlib = zlib.decompressobj()
            self._first = True
        else:
            self._zlib = None
            self._other = SUPPORTED_DECODERS[coding]()

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decompressed pieces of ``data``, each at most ``_INFLATE_STEP`` bytes (zlib)."""
        if self._zlib is None:
            yield self._other.decode(data)
            return
        try:
            if self.coding == "deflate" and self._first:
                self._first = False
                try:
                    first = self._zlib.decompress(data, _INFLATE_STEP)
                except zlib.error:  # raw deflate, without the zlib header
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    first = self._zlib.decompress(data, _INFLATE_STEP)
                yield first
            else:
                yield self._zlib.decompress(data, _INFLATE_STEP)
            while self._zlib.unconsumed_tail:
                yield self._zlib.decompress(self._zlib.unconsumed_tail, _INFLATE_STEP)
        except zlib.error as error:
            raise httpx.DecodingError(
                f"the answer's {self.coding} body is corrupt: {error}"
            ) from None

    def end(self) -> bytes:
        if self._zlib is None:
            return bytes(self._other.flush())
        try:
            return bytes(self._zlib.flush())
        except zlib.error as error:
            raise httpx.DecodingError(
                f"the answer's {self.coding} body is corrupt: {error}"
            ) from None


class _Body:
    """Collects one answer's body: decompresses, counts against the limit, checks the deadline."""

    def __init__(
        self,
        response: httpx.Response,
        request: httpx.Request,
        *,
        limit: int,
        deadline: float,
        allowed: float,
        redactor: Redactor,
    ) -> None:
        self.response = response
        self.request = request
        self.limit = limit
        self.deadline = deadline
        self.allowed = allowed
        self.redactor = redactor
        self.parts: list[bytes] = []
        self.size = 0
        codings = [
            value.strip().lower()
            for value in response.headers.get_list("content-encoding", split_commas=True)
        ]
        known = SUPPORTED_DECODERS
        self.inflaters = [
            _Inflater(coding) for coding in reversed(codings) if coding in known and coding
        ]
        self.inflaters = [inflater for inflater in self.inflaters if inflater.coding != "identity"]
        declared = response.headers.get("content-length", "")
        if (
            not self.inflaters
            and declared.isdigit()
            and len(declared) < 20
            and int(declared) > limit
        ):
            self._too_large()

    def _too_large(self) -> None:
        raise ResponseTooLarge(self.limit, self.response.status_code, self._headers())

    def _headers(self) -> httpx.Headers:
        return httpx.Headers(
            [
                (name, self.redactor.data(value))
                for name, value in self.response.headers.raw
                if name.lower()
                not in (b"content-encoding", b"content-length", b"transfer-encoding")
            ]
        )

    def _keep(self, piece: bytes) -> None:
        if not piece:
            return
        self.size += len(piece)
        if self.size > self.limit:
            self._too_large()
        self.parts.append(piece)

    def _through(self, level: int, pieces: Iterable[bytes]) -> None:
        if level == len(self.inflaters):
            for piece in pieces:
                self._keep(piece)
            return
        inflater = self.inflaters[level]
        for piece in pieces:
            if piece:
                self._through(level + 1, inflater.feed(piece))

    def feed(self, chunk: bytes) -> None:
        """Take one raw chunk of the body."""
        if time.monotonic() > self.deadline:
            raise _timed_out(self.request, self.allowed)
        self._through(0, (chunk,))

    def finish(self) -> httpx.Response:
        """The answer as a response whose body is read, decompressed and redacted."""
        for level, inflater in enumerate(self.inflaters):
            self._through(level + 1, (inflater.end(),))
        body = self.redactor.data(b"".join(self.parts))
        extensions: dict[str, Any] = {}
        for name in ("http_version", "reason_phrase"):
            value = self.response.extensions.get(name)
            if isinstance(value, bytes):
                extensions[name] = self.redactor.data(value) if name == "reason_phrase" else value
        return httpx.Response(
            self.response.status_code,
            headers=self._headers(),
            content=body,
            extensions=extensions,
            request=self.request,
        )


class _Guard(httpx.BaseTransport):
    """Wraps a sync transport: the whole request within its timeout, a bounded and redacted body."""

    def __init__(self, inner: httpx.BaseTransport, limit: int, redactor: Redactor) -> None:
        self.inner = inner
        self.limit = limit
        self.redactor = redactor
        _bound_network(inner)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        allowed, deadline = _request_deadline(request)
        token = _DEADLINE.set(deadline)
        try:
            return self._read(request, allowed, deadline)
        except httpx.TimeoutException:
            if time.monotonic() >= deadline:  # cut short by the whole request's deadline
                raise _timed_out(request, allowed) from None
            raise
        finally:
            _DEADLINE.reset(token)

    def _read(self, request: httpx.Request, allowed: float, deadline: float) -> httpx.Response:
        response = self.inner.handle_request(request)
        try:
            body = _Body(
                response,
                request,
                limit=self.limit,
                deadline=deadline,
                allowed=allowed,
                redactor=self.redactor,
            )
            stream = response.stream
            if not isinstance(stream, Iterable):
                raise httpx.StreamError("the transport gave an answer with no sync body")
            for chunk in stream:
                body.feed(chunk)
            return body.finish()
        finally:
            response.close()

    def close(self) -> None:
        self.inner.close()

    @property
    def _pool(self) -> Any:
        """The httpcore pool of the wrapped transport (for diagnostics and tests)."""
        return getattr(self.inner, "_pool", None)


class _AsyncGuard(httpx.AsyncBaseTransport):
    """The async twin of :class:`_Guard`; under asyncio the whole request also runs under
    ``asyncio.timeout``, which bounds transports that use no httpcore network stream."""

    def __init__(self, inner: httpx.AsyncBaseTransport, limit: int, redactor: Redactor) -> None:
        self.inner = inner
        self.limit = limit
        self.redactor = redactor
        self._asyncio = True
        _bound_network(inner)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        allowed, deadline = _request_deadline(request)
        token = _DEADLINE.set(deadline)
        try:
            try:
                asyncio.current_task()
            except RuntimeError:  # not asyncio (trio through the raw client): no outer bound
                self._asyncio = False
                return await self._read(request, allowed, deadline)
            self._asyncio = True
            try:
                async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                    return await self._read(request, allowed, deadline)
            except TimeoutError:
                raise _timed_out(request, allowed) from None
        finally:
            _DEADLINE.reset(token)

    async def _read(
        self, request: httpx.Request, allowed: float, deadline: float
    ) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        try:
            body = _Body(
                response,
                request,
                limit=self.limit,
                deadline=deadline,
                allowed=allowed,
                redactor=self.redactor,
            )
            stream = response.stream
            if not isinstance(stream, httpx.AsyncByteStream):
                raise httpx.StreamError("the transport gave an answer with no async body")
            async for chunk in _chunks(stream):
                if not body.inflaters:
                    body.feed(chunk)
                    continue
                # A compressed chunk can inflate a thousandfold: feed it in slices and let the
                # loop run after each quarter MiB inflated, so decoding never stalls it long.
                for start in range(0, len(chunk), _SLICE):
                    before = body.size
                    body.feed(chunk[start : start + _SLICE])
                    if body.size - before > _YIELD_EVERY and self._asyncio:
                        await _yield_to_loop()
            return body.finish()
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        await self.inner.aclose()

    @property
    def _pool(self) -> Any:
        """The httpcore pool of the wrapped transport (for diagnostics and tests)."""
        return getattr(self.inner, "_pool", None)


_SLICE = 512  # compressed bytes fed at once in async code (at most ~0.5 MiB inflated)
_YIELD_EVERY = 1 << 18  # inflated bytes after which async code lets the loop run


async def _yield_to_loop() -> None:
    import asyncio

    await asyncio.sleep(0)


async def _chunks(stream: httpx.AsyncByteStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


# httpcore network streams whose every connect, read and write is cut to the time left before
# the request's deadline (httpx's timeouts bound each one, not their sum).


def _bound_network(transport: object) -> None:
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


def _check_left(left: float | None, kind: str) -> None:
    if left is not None and left <= 0:
        import httpcore

        error = {"connect": httpcore.ConnectTimeout, "write": httpcore.WriteTimeout}.get(
            kind, httpcore.ReadTimeout
        )
        raise error(f"the request's deadline passed before its {kind}")


@functools.cache
def _make_deadline_classes() -> tuple[type[Any], type[Any]]:
    import httpcore

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: httpcore.NetworkStream) -> None:
            self.inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            left = _time_left(_DEADLINE.get(), timeout)
            _check_left(left, "read")
            return self.inner.read(max_bytes, left)

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            left = _time_left(_DEADLINE.get(), timeout)
            _check_left(left, "write")
            self.inner.write(buffer, left)

        def close(self) -> None:
            self.inner.close()

        def start_tls(
            self,
            ssl_context: Any,
            server_hostname: str | None = None,
            timeout: float | None = None,
        ) -> httpcore.NetworkStream:
            left = _time_left(_DEADLINE.get(), timeout)
            _check_left(left, "connect")
            return Stream(self.inner.start_tls(ssl_context, server_hostname, left))

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

    class AsyncStream(httpcore.AsyncNetworkStream):
        def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
            self.inner = inner

        async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            left = _time_left(_DEADLINE.get(), timeout)
            _check_left(left, "read")
            return await self.inner.read(max_bytes, left)

        async def write(self, buffer: bytes, timeout: float | None = None) -> None:
            left = _time_left(_DEADLINE.get(), timeout)
            _check_left(left, "write")
            await self.inner.write(buffer, left)

        async def aclose(self) -> None:
            await self.inner.aclose()

        async def start_tls(
            self,
            ssl_context: Any,
            server_hostname: str | None = None,
            timeout: float | None = None,
        ) -> httpcore.AsyncNetworkStream:
            left = _time_left(_DEADLINE.get(), timeout)
            _check_left(left, "connect")
            return AsyncStream(await self.inner.start_tls(ssl_context, server_hostname, left))

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

    return Stream, AsyncStream


class _DeadlineBackend:
    """A sync httpcore network backend whose streams honour the request's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self.inner = inner
        self.stream, _ = _make_deadline_classes()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> Any:
        left = _time_left(_DEADLINE.get(), timeout)
        _check_left(left, "connect")
        return self.stream(self.inner.connect_tcp(host, port, left, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> Any:
        left = _time_left(_DEADLINE.get(), timeout)
        _check_left(left, "connect")
        return self.stream(self.inner.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _AsyncDeadlineBackend:
    """An async httpcore network backend whose streams honour the request's deadline."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self.inner = inner
        _, self.stream = _make_deadline_classes()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> Any:
        left = _time_left(_DEADLINE.get(), timeout)
        _check_left(left, "connect")
        return self.stream(
            await self.inner.connect_tcp(host, port, left, local_address, socket_options)
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> Any:
        left = _time_left(_DEADLINE.get(), timeout)
        _check_left(left, "connect")
        return self.stream(await self.inner.connect_unix_socket(path, left, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


# --------------------------------------------------------------------------- exchanges


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


# --------------------------------------------------------------------------- forks

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
    guard: _AsyncGuard
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


class Transport:
    """Sends :class:`Call` effects through the generated client and reads the answers.

    Args:
        base_url: The service's base URL.
        api_key: The API key (checked: it must fit in an HTTP header).
        timeout: Seconds a whole request may take (connect, send, headers and body), unless
            the call gives its own.
        max_connections: Size of each pool, and the most requests in flight per event loop.
        transport: An httpx transport for the sync client (default: httpx's, on httpcore).
        async_transport: An httpx transport for the async clients.
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
        max_connections: int,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._auth = BearerAuth(api_key)
        self._base_url = base_url
        self._redactor = Redactor(api_key)
        _LOG_FILTER.redactors.add(self._redactor)
        self._timeout = httpx.Timeout(timeout)
        self._limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._max_response_bytes = max_response_bytes
        self._transport = transport
        self._async_transport = async_transport
        self._headers = {
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            "Accept-Encoding": "gzip, deflate",
        }
        # One async pool per event loop: an httpx.AsyncClient's connections belong to the loop
        # that opened them, and using them from another loop (a second asyncio.run, a test's
        # own loop) fails with "Event loop is closed". Each pool is closed when its loop ends.
        # Each also holds a semaphore that keeps in-flight requests within the pool's size:
        # httpcore's bookkeeping of queued requests grows with queue x connections, so a
        # fan-out of hundreds of calls is much faster waiting here than in its queue.
        self._max_in_flight = max_connections
        self._closed = False
        self._reset_pools()

    def _reset_pools(self) -> None:
        self._fork = _FORKS[0]
        self._lock = threading.Lock()
        self.client = self._generated()
        self._sync: httpx.Client | None = None
        self._loops: dict[int, _LoopPool] = {}
        self._unbound: httpx.AsyncClient | None = None

    def _check_fork(self) -> None:
        """After os.fork(), forget (never close, never use) the parent's pools."""
        if self._fork != _FORKS[0]:
            _ABANDONED.append((self.client, self._sync, self._loops, self._unbound))
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
        }

    def _guard_mounts(self, client: httpx.Client | httpx.AsyncClient) -> None:
        # Proxies from the environment get transports of their own: guard them too.
        mounts = getattr(client, "_mounts", None)
        if not isinstance(mounts, dict):
            return
        for pattern, mounted in list(mounts.items()):
            if isinstance(mounted, httpx.BaseTransport) and not isinstance(mounted, _Guard):
                mounts[pattern] = _Guard(mounted, self._max_response_bytes, self._redactor)
            elif isinstance(mounted, httpx.AsyncBaseTransport) and not isinstance(
                mounted, _AsyncGuard
            ):
                mounts[pattern] = _AsyncGuard(mounted, self._max_response_bytes, self._redactor)

    def sync_client(self) -> httpx.Client:
        """The pooled sync httpx client, created on first use and shared by every thread."""
        sync = self._sync
        if sync is not None and self._fork == _FORKS[0]:
            return sync
        self._check_fork()
        with self._lock:
            if self._sync is None:
                inner = self._transport or httpx.HTTPTransport(
                    verify=_ssl_context(), limits=self._limits
                )
                self._sync = httpx.Client(
                    **self._common(),
                    transport=_Guard(inner, self._max_response_bytes, self._redactor),
                    event_hooks={"request": [_on_request], "response": [_on_response]},
                )
                self._guard_mounts(self._sync)
                self.client.set_httpx_client(self._sync)
            return self._sync

    def _new_async_client(self) -> httpx.AsyncClient:
        return self._new_async_pool()[0]

    def _new_async_pool(self) -> tuple[httpx.AsyncClient, _AsyncGuard]:
        inner = self._async_transport or httpx.AsyncHTTPTransport(
            verify=_ssl_context(), limits=self._limits
        )
        guard = _AsyncGuard(inner, self._max_response_bytes, self._redactor)
        client = httpx.AsyncClient(
            **self._common(),
            transport=guard,
            event_hooks={"request": [_on_request_async], "response": [_on_response_async]},
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

    def _loop_client(self) -> tuple[Client, asyncio.Semaphore]:
        """The generated client whose async pool belongs to the running event loop, and the
        semaphore bounding that loop's requests in flight."""
        pool = self._loop_pool()
        return pool.generated, pool.in_flight

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
        """Close every pool this transport opened; no call may follow.

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
        """Close every pool this transport opened: the sync one and the running loop's at
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

    @contextmanager
    def _exchange(self, call: Call) -> Iterator[tuple[_Exchange, Callable[[Reply], Reply]]]:
        exchange = _Exchange(call.timeout)
        token = _EXCHANGE.set(exchange)
        started = time.perf_counter()

        def logged(reply: Reply) -> Reply:
            reply = _scrub(reply, self._redactor)
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
        """Send ``call`` with the sync client; never raises for what the network, the server
        or an argument does.

        Returns:
            The reply: a model, or a typed error (with ``sent=False`` and an
            :class:`~agb.exceptions.UnsendableRequestError` when an argument cannot be sent).

        Raises:
            ClientClosedError: If the client was closed.
        """
        self._check_open()
        self.sync_client()
        client = self.client
        with self._exchange(call) as (exchange, logged):
            try:
                answer = call.endpoint.sync_detailed(client=client, **call.kwargs)
            except BaseException as error:
                return logged(self._failed(call, exchange, error))
            return logged(_read_parsed(call, answer))

    async def send_async(self, call: Call) -> Reply:
        """Send ``call`` with the running loop's async client; never raises for what the
        network, the server or an argument does (see :meth:`send`).

        Raises:
            ClientClosedError: If the client was closed.
        """
        self._check_open()
        client, in_flight = self._loop_client()
        with self._exchange(call) as (exchange, logged):
            try:
                async with in_flight:
                    answer = await call.endpoint.asyncio_detailed(client=client, **call.kwargs)
            except BaseException as error:
                return logged(self._failed(call, exchange, error))
            return logged(_read_parsed(call, answer))

    def _failed(self, call: Call, exchange: _Exchange, error: BaseException) -> Reply:
        """The reply for an exception raised while sending ``call``; re-raises the ones that
        are not about the network, the answer or an argument (cancellation, bugs)."""
        if isinstance(error, ResponseTooLarge):
            return read_too_large(call.operation, error.status_code, error.headers, error.limit)
        # The request could not be built (an argument UTF-8 cannot encode, a URL past httpx's
        # limit), or h11 refused to write it: either way, nothing was sent.
        if isinstance(error, httpx.LocalProtocolError) or (
            exchange.request is None and isinstance(error, UnicodeError | httpx.InvalidURL)
        ):
            argument, why = _unsendable(call, error)
            return read_unsendable(call.operation, argument, why)
        if isinstance(error, httpx.HTTPError):
            return read_transport_failure(call.operation, error)
        if isinstance(error, _PARSE_ERRORS) and exchange.response is not None:
            return _read_unparsed(call, exchange.response, error)
        raise error


# Tasks closing a pool on its loop: the loop keeps only weak references to its tasks, and a
# task nobody references can be collected half-way, leaving its sockets unclosed.
_CLOSING: set[Any] = set()


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One SSL context per process, built on first use: building one loads the certificate
    bundle (40-60 ms on the loop's thread), which each new pool (one per event loop) would
    otherwise repeat."""
    return httpx.create_ssl_context()


def _close_soon(pool: _LoopPool) -> None:
    """Close ``pool`` on its own loop (from any thread); nothing if that loop has closed."""

    def start() -> None:
        task = pool.loop.create_task(pool.aclose())
        _CLOSING.add(task)
        task.add_done_callback(_CLOSING.discard)

    with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
        pool.loop.call_soon_threadsafe(start)


def _forgetter(transport: Transport, key: int, pool: _LoopPool) -> Callable[[], None]:
    ref = weakref.ref(transport)

    def forget() -> None:
        owner = ref()
        if owner is not None and owner._loops.get(key) is pool:
            del owner._loops[key]

    return forget


def _scrub(reply: Reply, redactor: Redactor) -> Reply:
    """``reply`` with the API key blotted out of every text (a proxy or service may echo it;
    bodies and headers are redacted as they arrive, this catches what httpx itself wrote)."""
    secret = redactor.secret
    error = reply.error
    texts = [reply.message, reply.code, reply.request_id]
    if error is not None:
        texts += [error.message, error.code, error.request_id, *map(str, error.args)]
        texts += [value for value in vars(error).values() if isinstance(value, str)]
    if not secret or not any(secret.lower() in text.lower() for text in texts):
        return reply
    if error is not None:
        for name, value in list(vars(error).items()):
            if isinstance(value, str):
                setattr(error, name, redactor.text(value))
        error.args = tuple(redactor.text(str(arg)) for arg in error.args)
    return attrs.evolve(
        reply,
        message=redactor.text(reply.message),
        code=redactor.text(reply.code),
        request_id=redactor.text(reply.request_id),
    )


def _read_parsed(call: Call, answer: Any) -> Reply:
    return read_answer(
        call.operation,
        int(answer.status_code),
        httpx.Headers(answer.headers),
        answer.content,
        answer.parsed,
    )


def _read_unparsed(call: Call, response: httpx.Response, error: BaseException) -> Reply:
    return read_answer(
        call.operation, response.status_code, response.headers, response.content, None, error
    )


# --------------------------------------------------------------------------- unsendable


_SNAKE = re.compile(r"(?<=[a-z0-9])([A-Z])")


def _strings(value: object, where: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(place, text) of every string in an argument (generated models via ``to_dict``)."""
    if depth > 20:
        return
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            # A field of a request body is named as the caller knows it: sessionId -> session_id.
            name = _SNAKE.sub(r"_\1", str(key)).lower() if where == "body" else f"{where}.{key}"
            yield from _strings(item, name, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, where, depth + 1)
    elif hasattr(value, "to_dict"):
        try:
            as_dict = value.to_dict()
        except Exception:
            return
        yield from _strings(as_dict, where, depth + 1)


def _unsendable(call: Call, error: BaseException) -> tuple[str, str]:
    """(argument, why) for a request that could not be built or written."""
    places = [pair for name, value in call.kwargs.items() for pair in _strings(value, name)]
    for place, text in places:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as bad:
            char = text[bad.start]
            return place, (
                f"it holds a lone surrogate (U+{ord(char):04X} at index {bad.start}), which "
                "UTF-8 cannot encode"
            )
    if isinstance(error, httpx.InvalidURL):
        if places:
            place, text = max(places, key=lambda pair: len(pair[1]))
            return place, (
                f"the request URL would pass httpx's limit of 65536 characters ({place} alone "
                f"is {len(text)} characters): use fewer or shorter values"
            )
        return "", "the request URL is not valid"
    for place, text in places:
        if any(char in text for char in "\r\n\0"):
            return place, "it holds a line break or NUL character"
    return "", f"{type(error).__name__}: {str(error)[:200]}"
