"""uvicorn's HTTP protocols, with an error envelope for unparsable requests and connect latency.

uvicorn answers a request it cannot parse (a URL over about 64 KiB, a malformed request line
or header) with a plain-text ``400 Invalid HTTP request received.``; a client of the AGB API
expects an envelope everywhere. The answer is still 400 and still closes the connection.

A new connection's first request is read only after the network profile's connect latency:
reading is paused and resumed by a timer of the event loop (no thread, no sleeping task).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from agb.emulator._errors import ApiError
from agb.emulator._wire import JSON_TYPE, dumps, error_body

try:  # uvicorn's fast parser, used when httptools is installed (the emulator extra has it)
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
except ImportError:  # pragma: no cover (httptools is a dependency of the extra)
    HttpToolsProtocol = None  # type: ignore[assignment,misc]


def _bad_request() -> tuple[str, bytes]:
    """A new request id and the envelope of a request that is not valid HTTP."""
    request_id = str(uuid.uuid4()).upper()
    err = ApiError(
        400,
        "BadRequest",
        "The request is not valid HTTP/1.1 or is too large to parse "
        "(for example a URL over 64 KiB)",
    )
    return request_id, dumps(error_body(request_id, err))


def _headers(request_id: str, body: bytes) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", JSON_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode()),
        (b"connection", b"close"),
    ]


def _delay_first_read(protocol: Any, transport: asyncio.BaseTransport) -> None:
    """Hold back reading a new connection by the emulator's connect latency, if it has one."""
    emulator = getattr(getattr(protocol.config.app, "state", None), "emulator", None)
    delay = 0.0 if emulator is None else emulator.network.connect_delay()
    if delay > 0 and isinstance(transport, asyncio.ReadTransport):
        transport.pause_reading()

        def resume() -> None:
            if not transport.is_closing():
                transport.resume_reading()

        protocol.loop.call_later(delay, resume)


class EnvelopeH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with an envelope for unparsable requests and connect latency."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the connection, then hold back its first read by the connect latency."""
        super().connection_made(transport)
        _delay_first_read(self, transport)

    def send_400_response(self, msg: str) -> None:
        """Answer 400 with an error envelope and close the connection."""
        request_id, body = _bad_request()
        event = h11.Response(
            status_code=400, headers=_headers(request_id, body), reason=b"Bad Request"
        )
        for part in (event, h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(part) or b"")
        self.transport.close()


if HttpToolsProtocol is not None:

    class EnvelopeHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol with an envelope for unparsable requests and connect
        latency."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            """Start the connection, then hold back its first read by the connect latency."""
            super().connection_made(transport)
            _delay_first_read(self, transport)

        def send_400_response(self, msg: str) -> None:
            """Answer 400 with an error envelope and close the connection."""
            request_id, body = _bad_request()
            content = [STATUS_LINE[400]]
            for name, value in [*self.server_state.default_headers, *_headers(request_id, body)]:
                content.extend([name, b": ", value, b"\r\n"])
            content.extend([b"\r\n", body])
            self.transport.write(b"".join(content))
            self.transport.close()

    HTTP_PROTOCOL: type[H11Protocol] | type[HttpToolsProtocol] = EnvelopeHttpToolsProtocol
else:  # pragma: no cover
    HTTP_PROTOCOL = EnvelopeH11Protocol
