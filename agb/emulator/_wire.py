"""The wire format: envelopes rendered out, requests parsed in (bodies, query values, labels)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs
import httpx
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from agb.emulator._errors import ApiError, invalid

if TYPE_CHECKING:
    from agb.emulator._faults import Fault

#: Where the middleware leaves the request's :class:`Exchange` in the ASGI scope.
EXCHANGE_KEY: Final = "agb_emulator.exchange"
MAX_BODY_BYTES: Final = 1 << 20
JSON_TYPE: Final = "application/json"
#: Idle timeouts above this (about 31,700 years) are kept as this: no session lives that long,
#: and it keeps every deadline a finite float.
MAX_TIMEOUT_SECONDS: Final = 10**12
NO_DATA: Final[Any] = object()
NO_QUERY: Final = QueryParams("")  # shared: parsing an empty query string is not free


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised by the app for a ``drop`` fault: the response is cut off and the connection closed.

    Over real HTTP the server closes the connection and the client sees its own transport error;
    through ``httpx.ASGITransport`` this exception reaches the caller, and being an
    ``httpx.RemoteProtocolError`` it is handled the same way.
    """


class Shaper(Protocol):
    """How a fault changes a normal answer (see :mod:`agb.emulator._fault_kinds`)."""

    def shape(self, fault: Fault, operation_id: str, body: dict[str, Any]) -> None:
        """Change the envelope ``body`` in place."""

    def encode(self, fault: Fault, raw: bytes) -> bytes:
        """The bytes sent for the JSON text ``raw``."""


@attrs.define
class Exchange:
    """One request as the middleware, the handlers and the faults see it.

    Attributes:
        request_id: Its request id (envelope ``requestId`` and ``x-request-id``).
        method: Its HTTP method.
        fault: The fault it takes, if any.
        shaper: That fault's way of changing the normal answer.
        status: The answer's HTTP status once started (``"dropped"``/``"disconnected"``
            when there was none), for the access log.
        wire_form: How envelopes are spelled (see :func:`spelled`).
    """

    request_id: str
    method: str = "GET"
    fault: Fault | None = None
    shaper: Shaper | None = None
    status: int | str | None = None
    wire_form: str = "camel"


def dumps(value: Any) -> bytes:
    """Compact JSON text, non-ASCII kept as is."""
    # allow_nan=False: a NaN or an infinity would make text no JSON parser accepts; better an
    # internal error (counted, and tests expect none) than an answer that is not JSON.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def ok_body(
    request_id: str, data: Any = NO_DATA, message: str = "", top: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A success envelope; ``top`` adds fields beside ``data`` (ListSession's paging)."""
    body: dict[str, Any] = {
        "requestId": request_id,
        "success": True,
        "code": "ok",
        "message": message,
        "httpStatusCode": 200,
    }
    if data is not NO_DATA:
        body["data"] = data
    if top:
        body.update(top)
    return body


def error_body(request_id: str, err: ApiError) -> dict[str, Any]:
    """The error envelope of ``err``."""
    return {
        "requestId": request_id,
        "success": False,
        "code": err.code,
        "message": err.message,
        "httpStatusCode": err.status,
    }


def render(
    exchange: Exchange,
    status: int,
    body: dict[str, Any],
    headers: Mapping[str, str] | None = None,
    *,
    operation_id: str = "",
) -> Response:
    """The JSON answer, spelled in the exchange's wire form, changed by the request's fault if
    it shapes answers."""
    body = spelled(body, exchange.wire_form)
    shaper, fault = exchange.shaper, exchange.fault
    if shaper is None or fault is None:
        return Response(dumps(body), status, headers, media_type=JSON_TYPE)
    shaper.shape(fault, operation_id, body)
    return Response(shaper.encode(fault, dumps(body)), status, headers, media_type=JSON_TYPE)


WIRE_FORMS: Final = ("camel", "pascal", "body")
_PASCAL_ENVELOPE: Final = {
    "requestId": "RequestId",
    "success": "Success",
    "code": "Code",
    "message": "Message",
    "httpStatusCode": "HttpStatusCode",
}
_PASCAL_DATA: Final = {
    "linkUrl": "LinkUrl",
    "wsUrl": "WsUrl",
    "token": "Token",
    "toolList": "ToolList",
}


def spelled(body: dict[str, Any], wire_form: str) -> dict[str, Any]:
    """``body`` as a service of another version spells it (``docs/wire-forms.md``).

    ``camel``: as the spec has it. ``pascal``: the envelope keys, and ``linkUrl``, ``wsUrl``,
    ``token`` and ``toolList`` in ``data``, in PascalCase. ``body``: the whole envelope
    wrapped in ``{"body": ...}``.
    """
    if wire_form == "body":
        return {"body": body}
    if wire_form != "pascal":
        return body
    out = {_PASCAL_ENVELOPE.get(key, key): value for key, value in body.items()}
    data = out.get("data")
    if isinstance(data, dict):
        out["data"] = {_PASCAL_DATA.get(key, key): value for key, value in data.items()}
    return out


def error_response(
    exchange: Exchange, err: ApiError, headers: Mapping[str, str] | None = None
) -> Response:
    """The error envelope of ``err`` as an answer, with ``err.headers`` and ``headers``."""
    all_headers = {**err.headers, **(headers or {})}
    return render(exchange, err.status, error_body(exchange.request_id, err), all_headers or None)


# --------------------------------------------------------------------------- parsing


def _has_lone_surrogate(value: Any) -> bool:
    """Whether decoded JSON holds text that UTF-8 cannot encode (``"\\udc80"`` escapes).

    Iterative, so that JSON nested as deep as the decoder allows cannot exhaust the stack.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def loads(raw: str | bytes, what: str) -> Any:
    """Decoded JSON that can be sent back: no lone surrogates (``ApiError`` 400 naming ``what``).

    Raises:
        ValueError: ``raw`` is not JSON (also for JSON nested too deep).
        ApiError: It holds a lone surrogate.
    """
    try:
        value = json.loads(raw)
    except RecursionError:
        raise ValueError("nested too deep") from None
    if _has_lone_surrogate(value):
        raise invalid(f"{what} has text that is not valid Unicode (a lone surrogate)")
    return value


def short(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, for messages."""
    return text if len(text) <= limit else text[:limit] + "..."


async def read_json_object(request: Request, *, required: bool, deadline: float) -> dict[str, Any]:
    """The request body as a JSON object (``{}`` for an empty body unless ``required``).

    Args:
        request: The request.
        required: Whether an empty body is refused.
        deadline: Seconds the whole body may take to arrive.

    Raises:
        ApiError: 413 over :data:`MAX_BODY_BYTES` (announced or sent); 408 when the body is
            not in by ``deadline``; 400 when it is not a JSON object. The 413 and 408 answers
            close the connection, so the rest of the body is never read.
    """
    close = {"Connection": "close"}
    too_large = ApiError(
        413, "RequestTooLarge", f"The request body exceeds {MAX_BODY_BYTES} bytes", close
    )
    announced = request.headers.get("content-length", "")
    if (
        announced.isascii()
        and announced.isdigit()
        and (len(announced) > 18 or int(announced) > MAX_BODY_BYTES)
    ):
        raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(deadline):
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise too_large
                chunks.append(chunk)
    except TimeoutError:
        raise ApiError(
            408, "RequestTimeout", f"The request body did not arrive within {deadline:g} s", close
        ) from None
    raw = b"".join(chunks)
    if not raw.strip():
        if not required:
            return {}
        raise invalid(
            "A JSON object request body is required (send {} when there is nothing in it)"
        )
    try:
        value = loads(raw, "The request body")
    except ValueError:
        raise invalid("The request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise invalid("The request body must be a JSON object")
    return value


def body_session_id(body: Mapping[str, Any]) -> str:
    """The non-empty ``sessionId`` string of a JSON body."""
    value = body.get("sessionId")
    if value is None:
        raise invalid("sessionId is required in the request body")
    if not isinstance(value, str):
        raise invalid("sessionId must be a string")
    if not value.strip():
        raise invalid("sessionId must not be empty")
    return value


def query_required(query: QueryParams, name: str) -> str:
    """A query value that must be there and not blank."""
    value = query.get(name)
    if value is None or not value.strip():
        raise invalid(f"{name} is required in the query string")
    return value


def query_optional(query: QueryParams, name: str) -> str | None:
    """A query value, ``None`` when missing or empty."""
    value = query.get(name)
    return value if value else None


def query_int(query: QueryParams, name: str, *, default: int, cap: int) -> int:
    """A positive integer sent as text; values above ``cap`` are capped."""
    text = query.get(name)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()):
        raise invalid(f"{name} must be a positive integer, got {short(text)!r}")
    value = int(text) if len(text) <= 18 else cap
    if value < 1:
        raise invalid(f"{name} must be at least 1")
    return min(value, cap)


def whole_seconds(value: Any, name: str) -> int:
    """A JSON integer >= 0 (``600`` or ``600.0``, as JSON Schema counts integers), capped."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(f"{name} must be a non-negative integer (seconds)")
    if isinstance(value, float) and not value.is_integer():  # also NaN and the infinities
        raise invalid(f"{name} must be a non-negative integer (seconds)")
    if value < 0:
        raise invalid(f"{name} must be a non-negative integer (seconds)")
    return int(min(value, MAX_TIMEOUT_SECONDS))


def parse_label_map(text: str, name: str) -> dict[str, str]:
    """JSON text of an object of non-empty string keys to string values."""
    problem = f"{name} must be JSON text of an object of string keys to string values"
    try:
        value = loads(text, name)
    except ValueError:
        raise invalid(f"{problem}; it is not valid JSON") from None
    if not isinstance(value, dict):
        raise invalid(f"{problem}; got {type(value).__name__}")
    for key, item in value.items():
        if not key.strip():
            raise invalid(f"{name}: label keys must not be empty")
        if not isinstance(item, str):
            raise invalid(f"{name}: the value of label {short(key, 40)!r} must be a string")
    return value


def parse_persistence(value: Any) -> list[tuple[str, str]]:
    """createSession's ``persistenceDataList`` as (context id, path) pairs."""
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
