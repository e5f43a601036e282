"""uvicorn's HTTP protocols, with the emulator's rules for connections.

* A request uvicorn cannot parse (a URL over about 64 KiB, a malformed request line or
  header) gets an error envelope, not uvicorn's plain-text ``400 Invalid HTTP request
  received.``; still 400, and the connection is closed.
* A request head (request line and headers) that has not arrived in full within the
  configuration's ``read_timeout_seconds`` gets 408 ``RequestTimeout`` and the connection is
  closed: a client sending its headers a byte at a time holds nothing for long. (The body has
  the same deadline, enforced by the app.)
* A new connection's first request is read only after the network profile's connect latency.

Timers of the event loop do all the waiting: no thread, no sleeping task.
"""

from __future__ import annotations

import asyncio
import http
import uuid
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from agb.emulator._errors import ApiError
from agb.emulator._wire import JSON_TYPE, dumps, error_body

try:  # uvicorn's fast parser, used when httptools is installed (the emulator extra has it)
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover (httptools is a dependency of the extra)
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

_BAD_REQUEST = ApiError(
    400,
    "BadRequest",
    "The request is not valid HTTP/1.1 or is too large to parse (for example a URL over 64 KiB)",
)


def _closing_answer(err: ApiError) -> bytes:
    """The raw HTTP answer with the envelope of ``err`` that closes the connection."""
    request_id = str(uuid.uuid4()).upper()
    body = dumps(error_body(request_id, err))
    head = (
        f"HTTP/1.1 {err.status} {http.HTTPStatus(err.status).phrase}\r\n"
        f"content-type: {JSON_TYPE}\r\ncontent-length: {len(body)}\r\n"
        f"x-request-id: {request_id}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class _EmulatorConnection:
    """What both protocol classes add to uvicorn's (a mixin; see the module docstring)."""

    # Set by uvicorn's protocol classes.
    config: Any
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    cycle: Any

    _head_timer: asyncio.TimerHandle | None = None
    _head_cycle: Any = None

    def _emulator(self) -> Any:
        return getattr(getattr(self.config.app, "state", None), "emulator", None)

    def _close_with(self, err: ApiError) -> None:
        if not self.transport.is_closing():
            self.transport.write(_closing_answer(err))
            self.transport.close()

    def _delay_first_read(self) -> None:
        emulator = self._emulator()
        delay = 0.0 if emulator is None else emulator.network.connect_delay()
        if delay > 0:
            self.transport.pause_reading()
            self.loop.call_later(delay, self._resume_reading)

    def _resume_reading(self) -> None:
        if not self.transport.is_closing():
            self.transport.resume_reading()

    def _watch_head(self) -> None:
        """Before reading data: if it starts a request head, give the head a deadline."""
        between_requests = self.cycle is None or self.cycle.response_complete
        emulator = self._emulator()
        if self._head_timer is None and between_requests and emulator is not None:
            self._head_cycle = self.cycle
            deadline = emulator.config.read_timeout_seconds
            self._head_timer = self.loop.call_later(deadline, self._head_expired, deadline)

    def _head_read(self) -> None:
        """After reading data: a new request has begun, so its head is in."""
        if self._head_timer is not None and self.cycle is not self._head_cycle:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_expired(self, deadline: float) -> None:
        self._head_timer = None
        if self.cycle is self._head_cycle:  # no request began: the head is still not in
            message = f"The request head did not arrive within {deadline:g} s"
            self._close_with(ApiError(408, "RequestTimeout", message))

    def _stop_watching(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    # uvicorn's protocol methods, extended (the protocol class comes next in the MRO)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Start the connection, then hold back its first read by the connect latency."""
        super().connection_made(transport)  # type: ignore[misc]
        self._delay_first_read()

    def data_received(self, data: bytes) -> None:
        """Read request data under the head deadline."""
        self._watch_head()
        super().data_received(data)  # type: ignore[misc]
        self._head_read()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection and its timers."""
        self._stop_watching()
        super().connection_lost(exc)  # type: ignore[misc]

    def send_400_response(self, msg: str) -> None:
        """Answer 400 with an error envelope and close the connection (not uvicorn's text)."""
        self._close_with(_BAD_REQUEST)


class EnvelopeH11Protocol(_EmulatorConnection, H11Protocol):
    """uvicorn's h11 protocol with the emulator's rules for connections."""


if HttpToolsProtocol is not None:

    class EnvelopeHttpToolsProtocol(_EmulatorConnection, HttpToolsProtocol):
        """uvicorn's httptools protocol with the emulator's rules for connections."""

    HTTP_PROTOCOL: type[H11Protocol] | type[HttpToolsProtocol] = EnvelopeHttpToolsProtocol
else:  # pragma: no cover
    HTTP_PROTOCOL = EnvelopeH11Protocol
