"""The fault table: each kind of fault, its parameters and its whole behaviour, in one class.

A kind acts at up to four points of a request, each a method with a do-nothing default:
``answer`` (before the operation: answer instead of it, or wait), ``arguments`` (what the
operation is called with), ``shape`` (the envelope of the normal answer) and ``encode`` (its
bytes). :class:`~agb.emulator._faults.FaultScript` decides which request takes which fault.
"""

from __future__ import annotations

import http
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from starlette.responses import Response

from agb.emulator._errors import ApiError
from agb.emulator._fault_base import AnswerContext, FaultKind, number, status_from, text
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


class _Refused(FaultKind):
    """An error answer instead of the operation, with ``Retry-After`` when there are
    ``seconds`` (the kind's :meth:`default_seconds` when the fault gives none)."""

    params = {"seconds": number}
    applied = False
    random_params: ClassVar[Mapping[str, Any] | None] = {}
    error: ClassVar[tuple[int, str, str]]

    def default_seconds(self, context: AnswerContext) -> float | None:
        """The ``Retry-After`` of a fault that gives no ``seconds`` (``None``: no header)."""
        return None

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        seconds = fault.params.get("seconds", self.default_seconds(context))
        headers = None if seconds is None else {"Retry-After": str(math.ceil(seconds))}
        return error_response(exchange, ApiError(*self.error), headers)


class Unavailable(_Refused):
    """503 ``ServiceUnavailable``; ``seconds`` adds ``Retry-After``."""

    name = "unavailable"
    error = (503, "ServiceUnavailable", "The service is temporarily unavailable")


class RateLimited(_Refused):
    """429 ``Throttling`` with ``Retry-After`` = ``seconds`` (default from the config)."""

    name = "rate_limited"
    error = (429, "Throttling", "Request was denied due to request throttling")

    def default_seconds(self, context: AnswerContext) -> float | None:
        return context.retry_after_seconds


class Html(FaultKind):
    """An nginx-style HTML error page with status ``status`` (200-599 but 204/205/304; 502)."""

    name = "html"
    params = {"status": status_from(200)}
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
    params = {"seconds": number}
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
    params = {"value": text}
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


class _FailedInside(FaultKind):
    """``success: true`` with a ``data`` that says the operation failed (``errMsg``: the
    fault's ``message``, else :attr:`default_message`)."""

    params = {"message": text}
    applied = False
    default_message: ClassVar[str]

    def data(self, message: str) -> dict[str, Any]:
        """The ``data`` of the answer."""
        raise NotImplementedError  # pragma: no cover - every kind of this base says its data

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        data = self.data(fault.params.get("message", self.default_message))
        return render(exchange, 200, ok_body(exchange.request_id, data))


class CreateFail(_FailedInside):
    """createSession answers ``success: true`` with ``data.success: false`` and ``errMsg``."""

    name = "create_fail"
    paths = frozenset({"/mcp/createSession"})
    default_message = "Emulated failure: no capacity to create the session"

    def data(self, message: str) -> dict[str, Any]:
        return {"sessionId": "", "success": False, "errMsg": message}


class ResourceError(_FailedInside):
    """getMcpResource answers ``success: true`` with ``data.isError: true`` and ``errMsg``, as
    some service versions report a resource that cannot be read."""

    name = "resource_error"
    paths = frozenset({"/mcp/getMcpResource"})
    default_message = "Emulated failure: the resource is not ready"

    def data(self, message: str) -> dict[str, Any]:
        return {"isError": True, "errMsg": message}


class HttpStatus(FaultKind):
    """HTTP ``status`` (200-599) with an error envelope of ``code`` and ``message``."""

    name = "http_status"
    params = {"status": status_from(200), "code": text, "message": text}
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
    params = {"message": text}
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
