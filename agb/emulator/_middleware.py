"""What every request goes through: request ids, auth, faults, the access log, no 500 escapes."""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agb.emulator._admin import is_admin
from agb.emulator._errors import ApiError
from agb.emulator._fault_base import AnswerContext
from agb.emulator._state import Emulator
from agb.emulator._wire import EXCHANGE_KEY, DroppedConnection, Exchange, error_response, short

logger = logging.getLogger("agb.emulator")
access_logger = logging.getLogger("agb.emulator.access")


class _HideDroppedConnections(logging.Filter):
    """Keep uvicorn from logging a traceback for a connection the emulator dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info
        return not (exc and isinstance(exc[1], DroppedConnection))


def install_log_filter() -> None:
    """Hide the tracebacks of dropped connections from uvicorn's error log (once)."""
    uvicorn_logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideDroppedConnections) for f in uvicorn_logger.filters):
        uvicorn_logger.addFilter(_HideDroppedConnections())


def auth_problem(scope: Scope, api_key: str | None) -> ApiError | None:
    """Why a request may not go on (401 without a key, 403 with a wrong one), or None."""
    value = next((v for k, v in scope["headers"] if k == b"authorization"), None)
    if value is None:
        return ApiError(
            401, "AccessDenied", "Missing authorization header: send 'Bearer <API key>'"
        )
    scheme, _, key = value.decode("latin-1").strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        return ApiError(403, "AccessDenied", "The authorization header must be 'Bearer <API key>'")
    # The header's bytes against the key's ASCII bytes (EmulatorConfig allows no other key).
    if api_key is not None and not hmac.compare_digest(
        key.encode("latin-1"), api_key.encode("ascii")
    ):
        return ApiError(403, "AccessDenied", "The API key is not valid")
    return None


class EmulatorMiddleware:
    """Pure ASGI middleware: request ids, auth, faults, and no unhandled exception ever.

    Every response gets an ``x-request-id`` header equal to the envelope's ``requestId``; any
    unexpected exception becomes a 500 envelope with code ``InternalError`` (and is counted in
    the stats, so tests can prove no input reaches it). Each request is logged at INFO on
    ``agb.emulator.access``: method, path, status, milliseconds and request id (never a header).
    The network profile's latency holds back every answer of the API (an asynchronous sleep).
    """

    def __init__(
        self, app: ASGIApp, emulator: Emulator, sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        """Wrap ``app`` (the Starlette router stack) for ``emulator``; ``sleep`` makes delays."""
        self.app = app
        self.emulator = emulator
        self.sleep = sleep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one ASGI request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        admin = is_admin(path)
        exchange = Exchange(
            self.emulator.begin_request(path, count=not admin),
            scope.get("method", "GET"),
            wire_form="camel" if admin else self.emulator.config.wire_form,
        )
        scope[EXCHANGE_KEY] = exchange
        request_id_header = (b"x-request-id", exchange.request_id.encode())
        began = time.perf_counter()
        network = self.emulator.network
        delayed = network.delays_answers and not admin

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                if delayed:  # the network profile's latency, before the answer leaves
                    await self.sleep(network.answer_delay())
                exchange.status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                headers.append(request_id_header)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self._answer(scope, receive, send_with_id, exchange, admin)
        except DroppedConnection:
            exchange.status = "dropped"
            raise
        finally:
            if access_logger.isEnabledFor(logging.INFO):
                access_logger.info(
                    "%s %s %s %.1f ms requestId=%s",
                    exchange.method,
                    short(path, 200),
                    "-" if exchange.status is None else exchange.status,
                    (time.perf_counter() - began) * 1000,
                    exchange.request_id,
                )

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, exchange: Exchange, admin: bool
    ) -> None:
        em = self.emulator
        path: str = scope["path"]
        try:
            denied = auth_problem(scope, em.config.api_key)
            if denied is not None:
                await error_response(exchange, denied)(scope, receive, send)
                return
            if not admin:
                fault = em.faults.take(path)
                if fault is not None:
                    behaviour = fault.behaviour
                    exchange.fault, exchange.shaper = fault, behaviour
                    em.note_fault(fault.kind)
                    context = AnswerContext(em.config.retry_after_seconds, self.sleep, send)
                    early = await behaviour.answer(fault, exchange, context)
                    if early is not None:
                        await early(scope, receive, send)
                        return
            await self.app(scope, receive, send)
        except DroppedConnection:
            raise
        except ClientDisconnect:
            # The client hung up before its request was read in full: not a server fault.
            exchange.status = "disconnected"
            logger.debug("client disconnected during %s %s", exchange.method, short(path, 200))
            return
        except Exception:
            em.note_internal_error()
            logger.exception("internal error answering %s %s", exchange.method, short(path, 200))
            if exchange.status is not None:
                raise
            err = ApiError(500, "InternalError", "The emulator failed to answer this request")
            await error_response(Exchange(exchange.request_id, exchange.method), err)(
                scope, receive, send
            )


async def http_exception(request: Request, exc: Exception) -> Response:
    """Unknown paths (404) and wrong methods (405) as error envelopes."""
    assert isinstance(exc, HTTPException)
    exchange: Exchange = request.scope[EXCHANGE_KEY]
    method, path = request.method, short(request.url.path, 200)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        err = ApiError(404, "NotFound", f"No operation at {method} {path}")
    elif exc.status_code == 405:
        allowed = headers.get("Allow", headers.get("allow", ""))
        err = ApiError(
            405, "MethodNotAllowed", f"{method} is not allowed on {path} (allowed: {allowed})"
        )
    else:
        err = ApiError(exc.status_code, "BadRequest", str(exc.detail))
    return error_response(exchange, err, headers)
