"""The guard: the one place an answer enters the SDK.

Every httpx transport under the pooled clients is wrapped in a guard (:class:`Guard`,
:class:`AsyncGuard`) that

* bounds the whole request (waiting for a connection, connecting, sending, the headers and the
  body) by the request's timeout (see :mod:`agb._deadline`);
* reads the body itself, decompressing it chunk by chunk and counting the bytes after
  decompression, so an answer larger than ``max_response_bytes`` (a gzip bomb, an endless
  chunked body) is refused with memory bounded (:class:`ResponseTooLarge`);
* blots the API key out of the body, the header values and the reason phrase as they arrive
  (also its JSON-escaped and percent-encoded forms), so nothing downstream can see it.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import httpx
from httpx._decoders import SUPPORTED_DECODERS

from agb._deadline import DEADLINE, bound_network, request_deadline, timed_out
from agb._secrets import Redactor
from agb._turns import take_turn
from agb._wire_forms import normalize

__all__ = ["AsyncGuard", "Body", "Guard", "ResponseTooLarge", "guard_mounts"]

# Decompressed bytes produced per step: bounds the memory a compressed chunk can take at once.
_INFLATE_STEP = 64 * 1024


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


class Body:
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
            and declared.isascii()
            and declared.isdigit()
            and len(declared) < 20
            and int(declared) > limit
        ):
            self._too_large()

    def _too_large(self) -> None:
        headers = httpx.Headers(self._headers())
        raise ResponseTooLarge(self.limit, self.response.status_code, headers)

    def _headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (name, self.redactor.data(value))
            for name, value in self.response.headers.raw
            if name.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding")
        ]

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
            raise timed_out(self.request, self.allowed)
        self._through(0, (chunk,))

    def finish(self) -> httpx.Response:
        """The answer as a response whose body is read, decompressed, redacted and in the
        spec's form (:func:`agb._wire_forms.normalize`)."""
        for level, inflater in enumerate(self.inflaters):
            self._through(level + 1, (inflater.end(),))
        body = normalize(self.redactor.data(b"".join(self.parts)))
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


class Guard(httpx.BaseTransport):
    """Wraps a sync transport: the whole request within its timeout, a bounded and redacted body."""

    def __init__(self, inner: httpx.BaseTransport, limit: int, redactor: Redactor) -> None:
        self.inner = inner
        self.limit = limit
        self.redactor = redactor
        bound_network(inner)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        allowed, deadline = request_deadline(request)
        token = DEADLINE.set(deadline)
        try:
            return self._read(request, allowed, deadline)
        except httpx.TimeoutException:
            if time.monotonic() >= deadline:  # cut short by the whole request's deadline
                raise timed_out(request, allowed) from None
            raise
        finally:
            DEADLINE.reset(token)

    def _read(self, request: httpx.Request, allowed: float, deadline: float) -> httpx.Response:
        response = self.inner.handle_request(request)
        try:
            body = _body(self, response, request, allowed, deadline)
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


class AsyncGuard(httpx.AsyncBaseTransport):
    """The async twin of :class:`Guard`; under asyncio the whole request also runs under
    ``asyncio.timeout``, which bounds transports that use no httpcore network stream."""

    def __init__(self, inner: httpx.AsyncBaseTransport, limit: int, redactor: Redactor) -> None:
        self.inner = inner
        self.limit = limit
        self.redactor = redactor
        self._asyncio = True
        bound_network(inner)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        allowed, deadline = request_deadline(request)
        token = DEADLINE.set(deadline)
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
                raise timed_out(request, allowed) from None
        finally:
            DEADLINE.reset(token)

    async def _read(
        self, request: httpx.Request, allowed: float, deadline: float
    ) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        try:
            if self._asyncio:  # the answer's reading waits its turn (agb._turns)
                import asyncio

                await take_turn(asyncio.get_running_loop())
            body = _body(self, response, request, allowed, deadline)
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


def _body(
    guard: Guard | AsyncGuard,
    response: httpx.Response,
    request: httpx.Request,
    allowed: float,
    deadline: float,
) -> Body:
    """A :class:`Body` collecting ``response`` under ``guard``'s limit and redactor."""
    return Body(
        response,
        request,
        limit=guard.limit,
        deadline=deadline,
        allowed=allowed,
        redactor=guard.redactor,
    )


_SLICE = 512  # compressed bytes fed at once in async code (at most ~0.5 MiB inflated)
_YIELD_EVERY = 1 << 18  # inflated bytes after which async code lets the loop run


async def _yield_to_loop() -> None:
    import asyncio

    await asyncio.sleep(0)


async def _chunks(stream: httpx.AsyncByteStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


def guard_mounts(client: httpx.Client | httpx.AsyncClient, limit: int, redactor: Redactor) -> None:
    """Wrap in a guard the transports ``client`` mounted for proxies from the environment.

    Args:
        client: A pooled httpx client.
        limit: The largest answer read, after decompression.
        redactor: Blots the API key out of answers.
    """
    mounts = getattr(client, "_mounts", None)
    if not isinstance(mounts, dict):
        return
    for pattern, mounted in list(mounts.items()):
        if isinstance(mounted, httpx.BaseTransport) and not isinstance(mounted, Guard):
            mounts[pattern] = Guard(mounted, limit, redactor)
        elif isinstance(mounted, httpx.AsyncBaseTransport) and not isinstance(mounted, AsyncGuard):
            mounts[pattern] = AsyncGuard(mounted, limit, redactor)
