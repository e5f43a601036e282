"""The Starlette app: routes, envelopes, auth, faults and the admin API."""

from __future__ import annotations

import asyncio
import hmac
import http
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import attrs
import httpx
from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agb.emulator._config import EmulatorConfig
from agb.emulator._faults import Fault
from agb.emulator._state import ApiError, Emulator, invalid

logger = logging.getLogger("agb.emulator")
access_logger = logging.getLogger("agb.emulator.access")

CTX_KEY: Final = "agb_emulator.ctx"
MAX_BODY_BYTES: Final = 1 << 20
ADMIN_PREFIX: Final = "/_emulator"
_JSON: Final = "application/json"
_NO_DATA: Final[Any] = object()
_PROTOCOLS: Final = frozenset({"http", "https", "ws", "wss"})
_LINK_PORTS: Final = range(30100, 30200)
_sleep = asyncio.sleep  # the ``slow`` fault's real delay; a seam for tests
_NO_QUERY: Final = QueryParams("")  # shared: parsing an empty query string is not free


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised by the app for a ``drop`` fault: the response is cut off and the connection closed.

    Over real HTTP the server closes the connection and the client sees its own transport error;
    through ``httpx.ASGITransport`` this exception reaches the caller, and being an
    ``httpx.RemoteProtocolError`` it is handled the same way.
    """


class _HideDroppedConnections(logging.Filter):
    """Keep uvicorn from logging a traceback for a connection the emulator dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info
        return not (exc and isinstance(exc[1], DroppedConnection))


def _install_log_filter() -> None:
    uvicorn_logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideDroppedConnections) for f in uvicorn_logger.filters):
        uvicorn_logger.addFilter(_HideDroppedConnections())


@attrs.define
class _Ctx:
    """What the middleware learnt about one request, for the endpoint."""

    request_id: str
    method: str = "GET"
    fault: Fault | None = None
    status: int | str | None = None  # the answer's status once started (for the access log)

    def fault_param(self, kind: str, name: str) -> Any:
        if self.fault is not None and self.fault.kind == kind:
            return self.fault.params.get(name)
        return None


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _ok_body(
    ctx: _Ctx, data: Any = _NO_DATA, message: str = "", top: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "requestId": ctx.request_id,
        "success": True,
        "code": "ok",
        "message": message,
        "httpStatusCode": 200,
    }
    if data is not _NO_DATA:
        body["data"] = data
    if top:
        body.update(top)
    return body


def _error_body(ctx: _Ctx, status: int, code: str, message: str) -> dict[str, Any]:
    return {
        "requestId": ctx.request_id,
        "success": False,
        "code": code,
        "message": message,
        "httpStatusCode": status,
    }


def _add_unknown_fields(value: Any) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _add_unknown_fields(item)
        value["emulatorUnknownField"] = "added by the extra_fields fault"
        value["emulatorUnknownObject"] = {"nested": True, "items": [1, 2]}
    elif isinstance(value, list):
        for item in value:
            _add_unknown_fields(item)


def _render(
    ctx: _Ctx, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    """The JSON response, with the response-shaping faults applied."""
    fault = ctx.fault
    if fault is not None:
        if fault.kind == "null_data" and body.get("success") is True:
            body["data"] = None
        elif fault.kind == "extra_fields":
            _add_unknown_fields(body)
        elif fault.kind == "truncated_json":
            raw = _dumps(body)
            return Response(raw[: len(raw) // 2], status, headers, media_type=_JSON)
    return Response(_dumps(body), status, headers, media_type=_JSON)


def _error(ctx: _Ctx, err: ApiError, headers: Mapping[str, str] | None = None) -> Response:
    return _render(ctx, err.status, _error_body(ctx, err.status, err.code, err.message), headers)


# --------------------------------------------------------------------- request parsing


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


async def _read_json_object(request: Request, *, required: bool) -> dict[str, Any]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(
                413, "RequestTooLarge", f"The request body exceeds {MAX_BODY_BYTES} bytes"
            )
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        if not required:
            return {}
        raise invalid(
            "A JSON object request body is required (send {} when there is nothing in it)"
        )
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise invalid("The request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise invalid("The request body must be a JSON object")
    return value


#: Idle timeouts above this (about 31,700 years) are kept as this: no session lives that long,
#: and it keeps every deadline a finite float.
MAX_TIMEOUT_SECONDS: Final = 10**12


def _whole_seconds(value: Any, name: str) -> int:
    """A JSON integer >= 0 (``600`` or ``600.0``, as JSON Schema counts integers), capped."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(f"{name} must be a non-negative integer (seconds)")
    if isinstance(value, float) and not value.is_integer():  # also NaN and the infinities
        raise invalid(f"{name} must be a non-negative integer (seconds)")
    if value < 0:
        raise invalid(f"{name} must be a non-negative integer (seconds)")
    return int(min(value, MAX_TIMEOUT_SECONDS))


def _body_session_id(body: Mapping[str, Any]) -> str:
    value = body.get("sessionId")
    if value is None:
        raise invalid("sessionId is required in the request body")
    if not isinstance(value, str):
        raise invalid("sessionId must be a string")
    if not value.strip():
        raise invalid("sessionId must not be empty")
    return value


def _query_required(query: QueryParams, name: str) -> str:
    value = query.get(name)
    if value is None or not value.strip():
        raise invalid(f"{name} is required in the query string")
    return value


def _query_optional(query: QueryParams, name: str) -> str | None:
    value = query.get(name)
    return value if value else None


def _query_int(query: QueryParams, name: str, *, default: int, cap: int) -> int:
    """A positive integer sent as text; values above ``cap`` are capped."""
    text = query.get(name)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()):
        raise invalid(f"{name} must be a positive integer, got {_short(text)!r}")
    value = int(text) if len(text) <= 18 else cap
    if value < 1:
        raise invalid(f"{name} must be at least 1")
    return min(value, cap)


def _parse_label_map(text: str, name: str) -> dict[str, str]:
    problem = f"{name} must be JSON text of an object of string keys to string values"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise invalid(f"{problem}; it is not valid JSON") from None
    if not isinstance(value, dict):
        raise invalid(f"{problem}; got {type(value).__name__}")
    for key, item in value.items():
        if not key.strip():
            raise invalid(f"{name}: label keys must not be empty")
        if not isinstance(item, str):
            raise invalid(f"{name}: the value of label {_short(key, 40)!r} must be a string")
    return value


def _parse_persistence(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        raise invalid("persistenceDataList must be an array")
    entries = []
    for index, item in enumerate(value):
        where = f"persistenceDataList[{index}]"
        if not isinstance(item, dict):
            raise invalid(f"{where} must be an object")
        fields = []
        for field in ("contextId", "path"):
            text = item.get(field)
            if not isinstance(text, str) or not text.strip():
                raise invalid(f"{where}.{field} is required and must be a non-empty string")
            fields.append(text)
        if not isinstance(item.get("policy", ""), str):
            raise invalid(f"{where}.policy must be a string (JSON text of the policy)")
        entries.append((fields[0], fields[1]))
    return entries


# --------------------------------------------------------------------- the operations

_Handler = Callable[[_Ctx, QueryParams, dict[str, Any]], dict[str, Any]]


class _Api:
    """The operations of the wire API, each turning a parsed request into an envelope body."""

    def __init__(self, emulator: Emulator) -> None:
        self.em = emulator

    def create_session(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        image_id = _query_required(query, "imageId")
        labels_text = body.get("labels", "")
        if not isinstance(labels_text, str):
            raise invalid("labels must be a string (JSON text of an object)")
        labels = _parse_label_map(labels_text, "labels") if labels_text else {}
        persistence = _parse_persistence(body.get("persistenceDataList", []))
        policy_id = body.get("mcpPolicyId", "")
        if not isinstance(policy_id, str):
            raise invalid("mcpPolicyId must be a string")
        timeout = _whole_seconds(body.get("timeout", 0), "timeout")
        data = self.em.create_session(
            image_id=image_id,
            labels=labels,
            persistence=persistence,
            mcp_policy_id=policy_id or "",
            timeout=timeout or 0,
        )
        return _ok_body(ctx, data)

    def get_session(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        data = self.em.get_session(_body_session_id(body))
        forced = ctx.fault_param("status", "value")
        if forced is not None:
            data["status"] = forced
        return _ok_body(ctx, data)

    def get_session_info(
        self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]
    ) -> dict[str, Any]:
        status = self.em.session_status(_body_session_id(body))
        forced = ctx.fault_param("status", "value")
        return _ok_body(ctx, {"status": forced if forced is not None else status})

    def list_sessions(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        max_results = _query_int(query, "maxResults", default=10, cap=self.em.config.max_page_size)
        labels_text = query.get("labels")
        labels = {} if labels_text is None else _parse_label_map(labels_text, "labels")
        items, token, count = self.em.list_sessions(
            labels=labels, max_results=max_results, next_token=query.get("nextToken") or ""
        )
        forced = ctx.fault_param("status", "value")
        if forced is not None:
            for item in items:
                item["sessionStatus"] = forced
        top = {"nextToken": token, "maxResults": max_results, "count": count}
        return _ok_body(ctx, items, top=top)

    def pause(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        return _ok_body(ctx, message=self.em.pause(_body_session_id(body)))

    def resume(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        return _ok_body(ctx, message=self.em.resume(_body_session_id(body)))

    def release(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        return _ok_body(ctx, message=self.em.release(_body_session_id(body)))

    def set_label(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        session_id = _query_required(query, "sessionId")
        text = query.get("Labels")
        if text is None:
            raise invalid("Labels (capital L) is required in the query string")
        self.em.set_labels(session_id, _parse_label_map(text, "Labels"))
        return _ok_body(ctx)

    def get_label(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        session_id = _query_required(query, "sessionId")
        max_results = _query_int(query, "maxResults", default=10, cap=self.em.config.max_page_size)
        data = self.em.get_labels(
            session_id, max_results=max_results, next_token=query.get("nextToken") or ""
        )
        return _ok_body(ctx, data)

    def mcp_resource(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        return _ok_body(ctx, self.em.mcp_resource(_body_session_id(body)))

    def get_link(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        session_id = _query_required(query, "sessionId")
        protocol = (_query_optional(query, "protocolType") or "https").lower()
        if protocol not in _PROTOCOLS:
            raise invalid(f"protocolType must be one of {', '.join(sorted(_PROTOCOLS))}")
        port_text = query.get("port")
        port = None
        if port_text is not None:
            if not (port_text.isascii() and port_text.isdigit() and len(port_text) <= 6):
                raise invalid(
                    f"port must be an integer between 30100 and 30199, got {_short(port_text)!r}"
                )
            port = int(port_text)
            if port not in _LINK_PORTS:
                raise invalid(f"port must be between 30100 and 30199, got {port}")
        return _ok_body(ctx, {"url": self.em.link(session_id, protocol=protocol, port=port)})

    def refresh(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        self.em.refresh_idle_time(_query_required(query, "sessionId"))
        return _ok_body(ctx)

    def sync_context(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        session_id = _query_required(query, "sessionId")
        context_id = _query_optional(query, "contextId")
        path = _query_optional(query, "path")
        if (context_id is None) != (path is None):
            raise invalid("contextId and path must be given together, or both left out")
        mode = (_query_optional(query, "mode") or "upload").lower()
        if mode not in ("upload", "download"):
            raise invalid("mode must be 'upload' or 'download'")
        fail = None
        if ctx.fault is not None and ctx.fault.kind == "context_sync_fail":
            fail = ctx.fault.params.get("message", "Emulated context sync failure")
        self.em.sync_context(
            session_id, context_id=context_id, path=path, mode=mode, fail_message=fail
        )
        return _ok_body(ctx)

    def context_info(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        status = self.em.context_info(
            _query_required(query, "sessionId"),
            context_id=_query_optional(query, "contextId"),
            path=_query_optional(query, "path"),
            task_type=_query_optional(query, "taskType"),
        )
        return _ok_body(ctx, {"contextStatus": status})

    # ---------------------------------------------------------------- admin API

    def admin_faults(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        method = ctx.method
        if method == "POST":
            return self.admin_add_fault(ctx, body)
        if method == "DELETE":
            return _ok_body(ctx, {"cleared": self.em.faults.clear()})
        return _ok_body(ctx, [fault.to_dict() for fault in self.em.faults.pending()])

    def admin_add_fault(self, ctx: _Ctx, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("kind")
        if not isinstance(kind, str):
            raise invalid("kind is required and must be a string")
        params = body.get("params")
        params = {} if params is None else params
        if not isinstance(params, dict):
            raise invalid("params must be an object")
        times = body.get("times", 1)
        skip = body.get("skip", 0)
        try:
            fault = self.em.faults.add(
                kind, path=body.get("path"), times=times, skip=skip, **params
            )
        except (TypeError, ValueError) as err:
            raise invalid(str(err)) from None
        return _ok_body(ctx, fault.to_dict())

    def admin_advance(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        seconds = body.get("seconds")
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not math.isfinite(seconds)
            or seconds < 0
        ):
            raise invalid("seconds is required and must be a number >= 0")
        return _ok_body(ctx, {"now": self.em.advance_clock(seconds)})

    def admin_stats(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        return _ok_body(ctx, self.em.stats())

    def admin_reset(self, ctx: _Ctx, query: QueryParams, body: dict[str, Any]) -> dict[str, Any]:
        self.em.reset()
        return _ok_body(ctx)


def _endpoint(
    handler: _Handler, *, reads_body: bool, body_required: bool
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        ctx: _Ctx = request.scope[CTX_KEY]
        try:
            body = await _read_json_object(request, required=body_required) if reads_body else {}
            query = request.query_params if request.scope.get("query_string") else _NO_QUERY
            result = handler(ctx, query, body)
        except ApiError as err:
            return _error(ctx, err)
        return _render(ctx, 200, result)

    return endpoint


# --------------------------------------------------------------------- auth and faults


def _auth_problem(scope: Scope, api_key: str | None) -> ApiError | None:
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
    if api_key is not None and not hmac.compare_digest(
        key.encode("utf-8", "replace"), api_key.encode()
    ):
        return ApiError(403, "AccessDenied", "The API key is not valid")
    return None


def _html_page(status: int) -> bytes:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    title = f"{status} {reason}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1>"
        "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


class EmulatorMiddleware:
    """Pure ASGI middleware: request ids, auth, faults, and no unhandled exception ever.

    Every response gets an ``x-request-id`` header equal to the envelope's ``requestId``; any
    unexpected exception becomes a 500 envelope with code ``InternalError`` (and is counted in
    the stats, so tests can prove no input reaches it). Each request is logged at INFO on
    ``agb.emulator.access``: method, path, status, milliseconds and request id (never a header).
    """

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        """Wrap ``app`` (the Starlette router stack) for ``emulator``."""
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one ASGI request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        em = self.emulator
        path: str = scope["path"]
        admin = path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")
        ctx = _Ctx(em.begin_request(path, count=not admin), scope.get("method", "GET"))
        scope[CTX_KEY] = ctx
        request_id_header = (b"x-request-id", ctx.request_id.encode())
        began = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                ctx.status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                headers.append(request_id_header)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self._answer(scope, receive, send_with_id, ctx, admin)
        except DroppedConnection:
            ctx.status = "dropped"
            raise
        finally:
            if access_logger.isEnabledFor(logging.INFO):
                access_logger.info(
                    "%s %s %s %.1f ms requestId=%s",
                    ctx.method,
                    _short(path, 200),
                    "-" if ctx.status is None else ctx.status,
                    (time.perf_counter() - began) * 1000,
                    ctx.request_id,
                )

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, ctx: _Ctx, admin: bool
    ) -> None:
        em = self.emulator
        path: str = scope["path"]
        try:
            denied = _auth_problem(scope, em.config.api_key)
            if denied is not None:
                await _error(ctx, denied)(scope, receive, send)
                return
            if not admin:
                fault = em.faults.take(path)
                if fault is not None:
                    ctx.fault = fault
                    em.note_fault(fault.kind)
                    early = await self._early_answer(ctx, fault, send)
                    if early is not None:
                        await early(scope, receive, send)
                        return
            await self.app(scope, receive, send)
        except DroppedConnection:
            raise
        except ClientDisconnect:
            # The client hung up before its request was read in full: not a server fault.
            ctx.status = "disconnected"
            logger.debug("client disconnected during %s %s", scope.get("method"), _short(path, 200))
            return
        except Exception:
            em.note_internal_error()
            logger.exception(
                "internal error answering %s %s", scope.get("method"), _short(path, 200)
            )
            if ctx.status is not None:
                raise
            err = ApiError(500, "InternalError", "The emulator failed to answer this request")
            await _error(_Ctx(ctx.request_id, ctx.method), err)(scope, receive, send)

    async def _early_answer(self, ctx: _Ctx, fault: Fault, send: Send) -> Response | None:
        """The answer a fault gives instead of running the operation (None: run it)."""
        kind, params = fault.kind, fault.params
        if kind == "slow":
            await _sleep(params.get("seconds", 0.2))
            return None
        if kind == "unavailable":
            err = ApiError(503, "ServiceUnavailable", "The service is temporarily unavailable")
            seconds = params.get("seconds")
            headers = None if seconds is None else {"Retry-After": str(math.ceil(seconds))}
            return _error(ctx, err, headers)
        if kind == "rate_limited":
            seconds = params.get("seconds", self.emulator.config.retry_after_seconds)
            err = ApiError(429, "Throttling", "Request was denied due to request throttling")
            return _error(ctx, err, {"Retry-After": str(math.ceil(seconds))})
        if kind == "http_status":
            status = params["status"]
            code = params.get("code", "EmulatedFault")
            message = params.get("message", f"Emulated HTTP {status} answer")
            return _error(ctx, ApiError(status, code, message))
        if kind == "html":
            status = params.get("status", 502)
            return Response(_html_page(status), status, media_type="text/html")
        if kind == "not_json":
            return Response(b"emulated garbage: this is not JSON <", 200, media_type="text/plain")
        if kind == "create_fail":
            message = params.get("message", "Emulated failure: no capacity to create the session")
            data = {"sessionId": "", "success": False, "errMsg": message}
            return _render(ctx, 200, _ok_body(ctx, data))
        if kind == "drop":
            partial = _dumps(_ok_body(ctx, {"cut": "off"}))
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", _JSON.encode()),
                        (b"content-length", str(len(partial)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": partial[:10], "more_body": True})
            raise DroppedConnection("connection dropped by the emulator's drop fault")
        return None  # a fault that shapes the normal answer


async def _http_exception(request: Request, exc: Exception) -> Response:
    """Unknown paths (404) and wrong methods (405) as error envelopes."""
    assert isinstance(exc, HTTPException)
    ctx: _Ctx = request.scope[CTX_KEY]
    method, path = request.method, _short(request.url.path, 200)
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
    return _error(ctx, err, headers)


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """Build the emulator's ASGI app; ``app.state.emulator`` is its :class:`Emulator`."""
    emulator = Emulator(config)
    api = _Api(emulator)
    post, get = ["POST"], ["GET"]
    table: list[tuple[str, list[str], _Handler]] = [
        ("/mcp/createSession", post, api.create_session),
        ("/mcp/getSession", post, api.get_session),
        ("/mcp/getSessionInfo", post, api.get_session_info),
        ("/sdk/ListSession", get, api.list_sessions),
        ("/mcp/pauseSessionAsync", post, api.pause),
        ("/mcp/resumeSessionAsync", post, api.resume),
        ("/mcp/releaseSessionAsync", post, api.release),
        ("/sdk/SetLabel", post, api.set_label),
        ("/sdk/GetLabel", get, api.get_label),
        ("/mcp/getMcpResource", post, api.mcp_resource),
        ("/internet/getLink", get, api.get_link),
        ("/mcp/refreshSessionIdleTime", post, api.refresh),
        ("/sdk/SyncContext", post, api.sync_context),
        ("/sdk/GetContextInfo", get, api.context_info),
        (f"{ADMIN_PREFIX}/faults", ["GET", "POST", "DELETE"], api.admin_faults),
        (f"{ADMIN_PREFIX}/clock/advance", post, api.admin_advance),
        (f"{ADMIN_PREFIX}/stats", get, api.admin_stats),
        (f"{ADMIN_PREFIX}/reset", post, api.admin_reset),
    ]
    routes = [
        Route(
            path,
            # The spec requires a JSON body on every POST of the API; the admin API is lenient.
            _endpoint(
                handler,
                reads_body=methods != get,
                body_required=not path.startswith(ADMIN_PREFIX),
            ),
            methods=methods,
        )
        for path, methods, handler in table
    ]
    _install_log_filter()
    app = Starlette(
        routes=routes,
        middleware=[Middleware(EmulatorMiddleware, emulator=emulator)],
        exception_handlers={HTTPException: _http_exception},
    )
    app.state.emulator = emulator
    return app
