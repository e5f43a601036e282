"""Input checks: what the SDK refuses before sending anything, and the failed result it gives.

Each ``check_*`` returns ``None`` when its input is usable, else a message naming the argument
that is not; :func:`invalid` turns that message into a failed result with the code
``InvalidParameter`` (what the service says for the same mistake).
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from agb import exceptions as exc
from agb._constants import INVALID_PARAMETER
from agb.context_sync import ContextSync
from agb.model.response import ApiResponse
from agb.session_params import CreateSessionParams

__all__ = [
    "LINK_PORTS",
    "LINK_PROTOCOLS",
    "Unsendable",
    "check_create",
    "check_labels",
    "check_link",
    "check_list",
    "check_on_status",
    "check_session_id",
    "check_text",
    "check_wait",
    "invalid",
]

R = TypeVar("R", bound=ApiResponse)

LINK_PORTS = range(30100, 30200)
LINK_PROTOCOLS = ("http", "https", "ws", "wss")
# httpx refuses a query over 64 KiB (InvalidURL); an argument keeps room for the rest of it.
MAX_ENCODED_ARGUMENT = 60 * 1024


class Unsendable(str):
    """A check's message for an argument that cannot be put on the wire; names the argument."""

    argument: str

    def __new__(cls, message: str, argument: str) -> Unsendable:
        """The message, carrying the name of the argument it is about."""
        made = super().__new__(cls, message)
        made.argument = argument
        return made


def invalid(result: type[R], message: str, **extra: Any) -> R:
    """A failed result for input refused before any request.

    Its ``code`` is ``InvalidParameter``, the code the service gives for the same mistake, so
    callers can branch on ``code`` whoever found it; ``http_status_code`` stays ``None`` and
    ``request_id`` empty, since nothing was sent. An argument that cannot be sent at all
    (an :class:`Unsendable` message) gets an :class:`~agb.exceptions.UnsendableRequestError`
    naming it, as the transport gives for the same problem.
    """
    error: exc.BadRequestError
    if isinstance(message, Unsendable):
        error = exc.UnsendableRequestError(message, argument=message.argument)
    else:
        error = exc.BadRequestError(message, code=INVALID_PARAMETER)
    return result(
        success=False,
        error_message=str(message),
        code=INVALID_PARAMETER,
        error=error,
        **extra,
    )


def check_text(name: str, value: str, argument: str = "") -> str | None:
    """``None`` if ``value`` can be sent as ``name`` (in a query or a JSON body), else why not:
    a lone surrogate cannot be encoded, and a query has a size limit. The message is an
    :class:`Unsendable` naming ``argument`` (default: ``name``)."""
    argument = argument or name
    if argument != name:
        name = f"{argument}: {name}"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        return Unsendable(
            f"{name} cannot be sent: it holds a lone surrogate {value[error.start]!r} "
            f"at index {error.start}, which has no UTF-8 encoding",
            argument,
        )
    size = len(quote(value, safe=""))
    if size > MAX_ENCODED_ARGUMENT:
        return Unsendable(
            f"{name} is too big to send: {size} bytes once encoded, "
            f"over the {MAX_ENCODED_ARGUMENT} bytes a request allows",
            argument,
        )
    return None


def check_session_id(session_id: object) -> str | None:
    """``None`` if ``session_id`` is usable, else what is wrong with it."""
    if not isinstance(session_id, str) or not session_id.strip():
        return f"session_id must be a non-empty string, got {session_id!r}"
    return check_text("session_id", session_id)


def check_labels(labels: object, *, allow_empty: bool = False) -> str | None:
    """``None`` if ``labels`` is a usable label map, else a message naming what is wrong."""
    if not isinstance(labels, Mapping):
        return (
            f"labels must be a mapping of string keys to string values, got {type(labels).__name__}"
        )
    if not labels and not allow_empty:
        return "labels must not be empty: give at least one label"
    for key, value in labels.items():
        if not isinstance(key, str) or not key.strip():
            return f"label key {key!r} must be a non-blank string"
        if not isinstance(value, str) or not value.strip():
            return f"label value {value!r} of key {key!r} must be a non-blank string"
        problem = check_text(f"label key {key[:40]!r}", key, "labels") or check_text(
            f"label value of key {key[:40]!r}", value, "labels"
        )
        if problem:
            return problem
    return check_text("labels", json.dumps(dict(labels), ensure_ascii=False))


def check_wait(timeout: object, poll_interval: object) -> tuple[float, float]:
    """Validate ``timeout`` and ``poll_interval``.

    Returns:
        Both as floats.

    Raises:
        ValueError: Naming the argument that is not a finite number > 0.
    """
    values = []
    for name, value in (("timeout", timeout), ("poll_interval", poll_interval)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} must be a number of seconds, got {value!r}")
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")
        values.append(float(value))
    return values[0], values[1]


def check_link(protocol_type: object, port: object) -> tuple[str | None, int | None] | str:
    """``(protocol_type, port)`` ready to send, or a message naming the bad one.

    The protocol must be one the service takes (any case); the port a whole number from 30100
    to 30199, or a string of its digits (the published client sent ``str(port)``).
    """
    if protocol_type is not None and (
        not isinstance(protocol_type, str) or protocol_type.strip().lower() not in LINK_PROTOCOLS
    ):
        return (
            f"protocol_type must be one of {', '.join(LINK_PROTOCOLS)} or None, "
            f"got {protocol_type!r}"
        )
    if isinstance(port, str) and port.strip().isdecimal() and len(port) < 8:
        port = int(port)
    if port is not None and (
        isinstance(port, bool) or not isinstance(port, int) or port not in LINK_PORTS
    ):
        return f"port must be a whole number from 30100 to 30199, got {port!r}"
    return protocol_type, port


def check_create(params: object) -> str | None:
    """``None`` if ``params`` can be sent to create a session, else what is wrong."""
    if params is None:
        return "params is required: pass CreateSessionParams(image_id=...)"
    if not isinstance(params, CreateSessionParams):
        return f"params must be a CreateSessionParams, got {type(params).__name__}"
    image_id = params.image_id
    if not isinstance(image_id, str) or not image_id.strip():
        return f"image_id is required and must be a non-empty string, got {image_id!r}"
    problem = check_text("image_id", image_id) or check_text("policy_id", params.policy_id or "")
    if problem:
        return problem
    problem = check_labels(params.labels or {}, allow_empty=True)
    if problem:
        return problem
    syncs: list[object] = list(params.context_syncs or [])
    for sync in syncs:
        if not isinstance(sync, ContextSync):
            return f"context_syncs must hold ContextSync objects, got {type(sync).__name__}"
    idle = params.idle_release_timeout
    if idle is not None and (isinstance(idle, bool) or not isinstance(idle, int) or idle <= 0):
        return f"idle_release_timeout must be a whole number of seconds > 0, got {idle!r}"
    return None


def check_list(labels: object, page: object, limit: object, next_token: object) -> str | None:
    """``None`` if the arguments of ``AGB.list`` can be sent, else what is wrong."""
    problem = check_labels(labels, allow_empty=True)
    if problem:
        return problem
    for name, value in (("page", page), ("limit", limit)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            return f"{name} must be a whole number >= 1, got {value!r}"
    if next_token is not None and not isinstance(next_token, str):
        return f"next_token must be a string, got {next_token!r}"
    if next_token:
        problem = check_text("next_token", next_token)
        if problem:
            return problem
    if page is not None and next_token:
        return "give page or next_token, not both: next_token already names the page to start from"
    return None


def check_on_status(on_status: object, *, is_async: bool) -> None:
    """Check an ``on_status`` callback before anything is sent.

    Raises:
        ValueError: If it is not callable, or a coroutine function given to a sync method.
    """
    if on_status is None:
        return
    if not callable(on_status):
        raise ValueError(f"on_status must be a callable (status, elapsed), got {on_status!r}")
    if not is_async and inspect.iscoroutinefunction(on_status):
        raise ValueError(
            "on_status is a coroutine function; a sync method cannot await it "
            "(use the _async method, or a plain function)"
        )
