"""Reading replies into results: the one way back from a :class:`Reply` to a result.

:func:`fetch_result` is the whole "send, read ``data`` of a kind, failed? else build the
result" pattern; :func:`succeeded` and :func:`failed` make results from replies; :func:`text`
and :func:`integer` read loose wire values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from agb import exceptions as exc
from agb._effects import Call, Plan
from agb._envelope import Reply
from agb._retry import RetryPolicy, request
from agb.model.response import ApiResponse
from agb_api_client.types import UNSET

__all__ = [
    "data_of",
    "failed",
    "fetch_result",
    "integer",
    "link_fields",
    "loads",
    "malformed",
    "succeeded",
    "text",
    "with_error",
]

R = TypeVar("R", bound=ApiResponse)
T = TypeVar("T")


def text(value: object) -> str:
    """``value`` as text: a string as is, a number or bool as written, anything else ``""``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return ""


def integer(value: object, default: int = 0) -> int:
    """``value`` as an int (an int, or a short string of digits), else ``default``."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal() and len(value) <= 18:
        return int(value)
    return default


_LINK_KEYS = (
    ("link_url", "linkUrl", "LinkUrl"),
    ("ws_url", "wsUrl", "WsUrl"),
    ("token", "token", "Token"),
)


def link_fields(data: object) -> dict[str, str]:
    """``link_url``, ``ws_url`` and ``token`` as the service sent them in ``data``.

    Each is read from the generated model's field when it has one, else from the keys it did
    not know, camelCase (``linkUrl``) then PascalCase (``LinkUrl``): the first non-empty text
    wins (the published 0.12.0 client takes a camelCase ``null`` over a PascalCase value; a
    ``null`` is no value here). Absent keys give ``""``.

    Args:
        data: A generated model (``SessionData``, ``McpResourceData``, ``CreateSessionData``).

    Returns:
        A dict with the three keys.
    """
    extra = getattr(data, "additional_properties", None)
    if not isinstance(extra, dict):
        extra = {}
    fields: dict[str, str] = {}
    for name, camel, pascal in _LINK_KEYS:
        fields[name] = (
            text(getattr(data, name, None)) or text(extra.get(camel)) or text(extra.get(pascal))
        )
    return fields


def loads(value: str) -> Any:
    """``json.loads`` of text a server sent: every failure is a ``ValueError``.

    Deep nesting (``RecursionError``) and numbers too long to convert are failures of the
    text, not of the SDK.
    """
    try:
        return json.loads(value)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def with_error(reply: Reply, error: exc.AGBError) -> Reply:
    """``reply`` turned into a failure carrying ``error`` (its ids and texts kept)."""
    return attrs.evolve(reply, model=None, error=error, retry_after=None)


def malformed(reply: Reply, what: str) -> Reply:
    """``reply`` turned into a failure: its answer is not what ``what`` says it should be."""
    error = exc.MalformedResponseError(
        f"{reply.operation}: {what}",
        request_id=reply.request_id,
        code=reply.code,
        http_status_code=reply.http_status,
    )
    return with_error(reply, error)


def data_of(reply: Reply, kind: type[T]) -> T | Reply:
    """The reply's ``data`` as ``kind``, or a failed reply saying what came instead."""
    data = getattr(reply.model, "data", None)
    if isinstance(data, kind):
        return data
    if data is None or data is UNSET:
        return malformed(reply, "the answer has no data")
    return malformed(reply, f"data is a {type(data).__name__}, expected an object")


def succeeded(result: type[R], reply: Reply, **extra: Any) -> R:
    """A successful result of ``reply``, with ``extra`` fields."""
    return result(
        request_id=reply.request_id,
        success=True,
        code=reply.code,
        message=reply.message,
        http_status_code=reply.http_status,
        **extra,
    )


def failed(result: type[R], reply: Reply, **extra: Any) -> R:
    """A failed result of ``reply`` (its error, ids and texts), with ``extra`` fields."""
    error = reply.error
    fields: dict[str, Any] = {
        "request_id": reply.request_id,
        "success": False,
        "error_message": error.message if error else "the operation failed",
        "code": reply.code,
        "message": reply.message,
        "http_status_code": reply.http_status,
        "error": error,
    }
    fields.update(extra)
    return result(**fields)


def fetch_result(
    policy: RetryPolicy,
    call: Call,
    result: type[R],
    kind: type[T] | None,
    read: Callable[[T], dict[str, Any] | str],
) -> Plan[R]:
    """Send ``call`` and read its answer into a ``result``.

    Args:
        policy: The retry policy.
        call: The request.
        result: The result type.
        kind: The generated model expected in ``data``; ``None`` when ``data`` is not read
            (``read`` then gets the whole generated answer).
        read: Turns the data into the result's fields, or returns a text saying what is
            missing (the answer is then malformed).

    Returns:
        A plan whose result is ``read``'s fields on a successful reply, else a failed result.
    """
    reply = yield from request(policy, call)
    if not reply.ok:
        return failed(result, reply)
    data = reply.model if kind is None else data_of(reply, kind)
    if isinstance(data, Reply):
        return failed(result, data)
    fields = read(data)
    if isinstance(fields, str):
        return failed(result, malformed(reply, fields))
    return succeeded(result, reply, **fields)
