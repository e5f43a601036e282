"""The fault table: each kind of fault, its parameters and its whole behaviour, in one class.

A kind acts at up to four points of a request, each a method with a do-nothing default:
``answer`` (before the operation: answer instead of it, or wait), ``arguments`` (what the
operation is called with), ``shape`` (the envelope of the normal answer) and ``encode`` (its
bytes). :class:`~agb.emulator._faults.FaultScript` decides which request takes which fault.
"""

from __future__ import annotations

import http
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs
from starlette.responses import Response
from starlette.types import Send

from agb.emulator._errors import ApiError
from agb.emulator._wire import (
    JSON_TYPE,
    DroppedConnection,
    Exchange,
    dumps,
    error_response,
    ok_body,
    render,
)

if TYPE_CHECKING:
    from agb.emulator._faults import Fault

_Check = Callable[[str, str, Any], Any]


#: The longest delay or ``Retry-After`` a fault may ask for: more than a day is a mistake.
MAX_FAULT_SECONDS: Final = 86_400


def _number(kind: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"fault {kind!r}: {name} must be a number, got {value!r}")
    # Compared before any conversion: a JSON integer may be too large for a float.
    if not 0 <= value <= MAX_FAULT_SECONDS:  # also NaN and the infinities
        raise ValueError(
            f"fault {kind!r}: {name} must be between 0 and {MAX_FAULT_SECONDS}, got {value!r}"
        )
    return float(value)


def _text(kind: str, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"fault {kind!r}: {name} must be a non-empty string, got {value!r}")
    return value


#: Statuses whose answers cannot carry a body (RFC 9110): a fault that sends one with a body
#: would corrupt the connection.
_NO_BODY_STATUSES: Final = frozenset({204, 205, 304})


def _status_from(low: int) -> _Check:
    def check(kind: str, name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 599:
            raise ValueError(f"fault {kind!r}: {name} must be an integer {low}..599, got {value!r}")
        if value in _NO_BODY_STATUSES:
            raise ValueError(
                f"fault {kind!r}: {name} {value} cannot carry a body; "
                f"use {low}..599 except {', '.join(map(str, sorted(_NO_BODY_STATUSES)))}"
            )
        return value

    return check


@attrs.frozen
class AnswerContext:
    """What a fault may use to answer before the operation runs.

    Attributes:
        retry_after_seconds: The configuration's default ``Retry-After``.
        sleep: The emulator's asynchronous sleep.
        send: The ASGI ``send`` of the request (a ``drop`` writes part of an answer itself).
    """

    retry_after_seconds: int
    sleep: Callable[[float], Awaitable[None]]
    send: Send


class FaultKind:
    """One kind of fault. Subclasses set the class attributes and override the hooks they need.

    Attributes:
        name: The kind's name (``faults.add(name, ...)``).
        params: Parameter name -> check (returns the value to keep, raises ``ValueError``).
        required: Parameters that must be given.
        needs: What a required parameter is, for the error when it is missing.
        paths: The only paths it applies to (``None``: any); with ``path=None`` it waits for one.
        applied: Whether the operation still runs (the request changes the emulator).
        random_params: Its parameters when ``fault_rate`` draws it; ``None``: never drawn.
    """

    name: ClassVar[str]
    params: ClassVar[Mapping[str, _Check]] = {}
    required: ClassVar[frozenset[str]] = frozenset()
    needs: ClassVar[str] = ""
    paths: ClassVar[frozenset[str] | None] = None
    applied: ClassVar[bool]
    random_params: ClassVar[Mapping[str, Any] | None] = None

    def check(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The checked parameters; ``ValueError`` names an unknown, bad or missing one."""
        unknown = set(params) - set(self.params)
        if unknown:
            allowed = ", ".join(sorted(self.params)) or "none"
            raise ValueError(
                f"fault {self.name!r} has no parameter {sorted(unknown)} (allowed: {allowed})"
            )
        checked = {name: self.params[name](self.name, name, v) for name, v in params.items()}
        missing = sorted(self.required - set(checked))
        if missing:
            raise ValueError(f"fault {self.name!r} needs the parameter {missing[0]} ({self.needs})")
        return checked

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        """The answer given instead of running the operation; ``None``: run it."""
        return None

    def arguments(self, fault: Fault, operation_id: str) -> Mapping[str, Any]:
        """Extra keyword arguments of the operation's call into the emulator state."""
        return {}

    def shape(self, fault: Fault, operation_id: str, body: dict[str, Any]) -> None:
        """Change the envelope of the answer in place."""

    def encode(self, fault: Fault, raw: bytes) -> bytes:
        """The bytes sent for the answer's JSON text."""
        return raw


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


def _add_unknown_fields(value: Any) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _add_unknown_fields(item)
        value["emulatorUnknownField"] = "added by the extra_fields fault"
        value["emulatorUnknownObject"] = {"nested": True, "items": [1, 2]}
    elif isinstance(value, list):
        for item in value:
            _add_unknown_fields(item)


class Unavailable(FaultKind):
    """503 ``ServiceUnavailable``; ``seconds`` adds ``Retry-After``."""

    name = "unavailable"
    params = {"seconds": _number}
    applied = False
    random_params: ClassVar[Mapping[str, Any] | None] = {}

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        err = ApiError(503, "ServiceUnavailable", "The service is temporarily unavailable")
        seconds = fault.params.get("seconds")
        headers = None if seconds is None else {"Retry-After": str(math.ceil(seconds))}
        return error_response(exchange, err, headers)


class RateLimited(FaultKind):
    """429 ``Throttling`` with ``Retry-After`` = ``seconds`` (default from the config)."""

    name = "rate_limited"
    params = {"seconds": _number}
    applied = False
    random_params: ClassVar[Mapping[str, Any] | None] = {}

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        seconds = fault.params.get("seconds", context.retry_after_seconds)
        err = ApiError(429, "Throttling", "Request was denied due to request throttling")
        return error_response(exchange, err, {"Retry-After": str(math.ceil(seconds))})


class Html(FaultKind):
    """An nginx-style HTML error page with status ``status`` (200-599 but 204/205/304; 502)."""

    name = "html"
    params = {"status": _status_from(200)}
    applied = False
    random_params: ClassVar[Mapping[str, Any] | None] = {"status": 500}

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        status = fault.params.get("status", 502)
        return Response(_html_page(status), status, media_type="text/html")


class Drop(FaultKind):
    """Part of an answer, then the connection is closed."""

    name = "drop"
    applied = False
    random_params: ClassVar[Mapping[str, Any] | None] = {}

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        partial = dumps(ok_body(exchange.request_id, {"cut": "off"}))
        await context.send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", JSON_TYPE.encode()),
                    (b"content-length", str(len(partial)).encode()),
                ],
            }
        )
        await context.send({"type": "http.response.body", "body": partial[:10], "more_body": True})
        raise DroppedConnection("connection dropped by the emulator's drop fault")


class Slow(FaultKind):
    """Waits ``seconds`` (default 0.2) of real time, then answers normally."""

    name = "slow"
    params = {"seconds": _number}
    applied = True
    random_params: ClassVar[Mapping[str, Any] | None] = {"seconds": 0.2}

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        await context.sleep(fault.params.get("seconds", 0.2))
        return None


class TruncatedJson(FaultKind):
    """The normal answer, its JSON text cut in the middle."""

    name = "truncated_json"
    applied = True

    def encode(self, fault: Fault, raw: bytes) -> bytes:
        return raw[: len(raw) // 2]


class NotJson(FaultKind):
    """200 ``text/plain`` garbage."""

    name = "not_json"
    applied = False

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        return Response(b"emulated garbage: this is not JSON <", 200, media_type="text/plain")


class NullData(FaultKind):
    """The normal answer, a success envelope with ``data: null``."""

    name = "null_data"
    applied = True

    def shape(self, fault: Fault, operation_id: str, body: dict[str, Any]) -> None:
        if body.get("success") is True:
            body["data"] = None


class Status(FaultKind):
    """getSession, getSessionInfo and ListSession report ``value`` as the status."""

    name = "status"
    params = {"value": _text}
    required = frozenset({"value"})
    needs = "the status to report"
    paths = frozenset({"/mcp/getSession", "/mcp/getSessionInfo", "/sdk/ListSession"})
    applied = True

    def shape(self, fault: Fault, operation_id: str, body: dict[str, Any]) -> None:
        if body.get("success") is not True:
            return
        value = fault.params["value"]
        if operation_id in ("getSession", "getSessionInfo"):
            body["data"]["status"] = value
        elif operation_id == "listSessions":
            for item in body["data"]:
                item["sessionStatus"] = value


class ExtraFields(FaultKind):
    """Every JSON object of the answer gains unknown fields."""

    name = "extra_fields"
    applied = True

    def shape(self, fault: Fault, operation_id: str, body: dict[str, Any]) -> None:
        _add_unknown_fields(body)


class CreateFail(FaultKind):
    """createSession answers ``success: true`` with ``data.success: false`` and ``errMsg``."""

    name = "create_fail"
    params = {"message": _text}
    paths = frozenset({"/mcp/createSession"})
    applied = False

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        message = fault.params.get("message", "Emulated failure: no capacity to create the session")
        data = {"sessionId": "", "success": False, "errMsg": message}
        return render(exchange, 200, ok_body(exchange.request_id, data))


class ResourceError(FaultKind):
    """getMcpResource answers ``success: true`` with ``data.isError: true`` and ``errMsg``, as
    some service versions report a resource that cannot be read."""

    name = "resource_error"
    params = {"message": _text}
    paths = frozenset({"/mcp/getMcpResource"})
    applied = False

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        message = fault.params.get("message", "Emulated failure: the resource is not ready")
        data = {"isError": True, "errMsg": message}
        return render(exchange, 200, ok_body(exchange.request_id, data))


class HttpStatus(FaultKind):
    """HTTP ``status`` (200-599) with an error envelope of ``code`` and ``message``."""

    name = "http_status"
    params = {"status": _status_from(200), "code": _text, "message": _text}
    required = frozenset({"status"})
    needs = "an HTTP status"
    applied = False

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        status = fault.params["status"]
        code = fault.params.get("code", "EmulatedFault")
        message = fault.params.get("message", f"Emulated HTTP {status} answer")
        return error_response(exchange, ApiError(status, code, message))


class ContextSyncFail(FaultKind):
    """The SyncContext's tasks end ``Failed`` with ``errorMessage`` ``message``."""

    name = "context_sync_fail"
    params = {"message": _text}
    paths = frozenset({"/sdk/SyncContext"})
    applied = True

    def arguments(self, fault: Fault, operation_id: str) -> Mapping[str, Any]:
        return {"fail_message": fault.params.get("message", "Emulated context sync failure")}


#: Every kind by name, in the order of the documentation (``fault_rate`` draws in this order).
KINDS: Final[Mapping[str, FaultKind]] = {
    kind.name: kind
    for kind in (
        Unavailable(),
        RateLimited(),
        Html(),
        Drop(),
        Slow(),
        TruncatedJson(),
        NotJson(),
        NullData(),
        Status(),
        ExtraFields(),
        CreateFail(),
        ResourceError(),
        HttpStatus(),
        ContextSyncFail(),
    )
}

#: All fault kind names.
FAULT_KINDS: Final[frozenset[str]] = frozenset(KINDS)

#: The kinds that ``fault_rate`` draws from.
RANDOM_FAULT_KINDS: Final[tuple[str, ...]] = tuple(
    name for name, kind in KINDS.items() if kind.random_params is not None
)
