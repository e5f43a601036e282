"""The one place where an HTTP answer (or its absence) becomes a :class:`Reply`.

Every answer goes through :func:`read_answer` or :func:`read_transport_failure`, which turn
(HTTP status, envelope, transport error) into either a successful reply carrying the generated
model, or a reply carrying a typed :class:`~agb.exceptions.AGBError` with the request id. Which
error a code means is :mod:`agb._error_codes`; how long an answer asks to wait,
:mod:`agb._retry_after` (both re-exported here for the readers' callers).
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import httpx
from attrs import frozen

from agb import exceptions as exc
from agb._error_codes import error_class, is_success_code
from agb._retry_after import retry_after_seconds

__all__ = [
    "MAX_ANSWER_DEPTH",
    "Reply",
    "error_class",
    "is_success_code",
    "read_answer",
    "read_too_large",
    "read_transport_failure",
    "read_unsendable",
    "retry_after_seconds",
]

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)

# How deep an answer (or a JSON text inside one, such as labels or contextStatus) may nest.
# The service's answers nest 4 levels; a deeper one is hostile, and reading it later (json,
# generated code, the operations) would hit Python's recursion limit.
MAX_ANSWER_DEPTH = 64
# Longest digit string an answer may hold: int() refuses longer ones (ValueError).
_MAX_DIGITS = sys.get_int_max_str_digits() or 4300
_SHOWN = 60


@frozen
class Reply:
    """What one HTTP exchange gave: a parsed model, or an error.

    Attributes:
        operation: The operation id, e.g. ``"getSession"``.
        request_id: The envelope's ``requestId``, else the ``x-request-id`` header, else ``""``.
        http_status: The HTTP status, or ``None`` when no answer came.
        code: The envelope's ``code`` (``""`` when absent).
        message: The envelope's ``message`` (``""`` when absent).
        model: The generated response model when the exchange succeeded, else ``None``.
        error: The typed error when it failed, else ``None``.
        sent: ``False`` only when the request certainly never reached the server.
        retry_after: Seconds a failed answer's ``Retry-After`` header asked to wait, or ``None``.
    """

    operation: str
    request_id: str = ""
    http_status: int | None = None
    code: str = ""
    message: str = ""
    model: Any = None
    error: exc.AGBError | None = None
    sent: bool = True
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        """``True`` when the service answered with a success."""
        return self.error is None


def _make_error(
    cls: type[exc.APIError],
    message: str,
    *,
    request_id: str,
    code: str,
    http_status: int | None,
    headers: httpx.Headers,
) -> exc.APIError:
    if issubclass(cls, exc.RateLimitError):
        return cls(
            message,
            request_id=request_id,
            code=code,
            http_status_code=http_status,
            retry_after=retry_after_seconds(headers),
        )
    return cls(message, request_id=request_id, code=code, http_status_code=http_status)


def _describe_body(content: bytes, content_type: str) -> str:
    """A short, safe description of a body that is not the expected JSON (no raw bytes)."""
    kind = content_type.split(";")[0].strip() or "no content type"
    text = f"{kind}, {len(content)} bytes"
    title = _TITLE.search(content[:4096])
    if title:
        words = " ".join(title.group(1).decode("utf-8", "replace").split())[:80]
        if words:
            text += f", titled {words!r}"
    return text


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _shown(value: object) -> str:
    """A short repr of a value that came from the server, for messages."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _may_be_hostile(content: bytes) -> bool:
    """Whether ``content`` could hold what :func:`_hostile` looks for; ``False`` only when it
    certainly cannot, so that a typical answer skips the walk.

    Nesting ``MAX_ANSWER_DEPTH`` deep takes that many opening brackets, and without ``\\u``
    escapes every bracket of the answer, also inside JSON text in its strings, is in the raw
    bytes; no string is longer than the answer holding it.
    """
    return (
        len(content) > _MAX_DIGITS
        or content.count(b"[") + content.count(b"{") >= MAX_ANSWER_DEPTH
        or b"\\u" in content
    )


def _hostile(payload: object) -> str | None:
    """What makes a parsed answer unsafe to read further, or ``None``.

    Checked once here so that nothing downstream (generated models, the operations' own
    ``json.loads`` of ``labels`` or ``contextStatus``, ``int()`` of counts) meets it: nesting
    deeper than :data:`MAX_ANSWER_DEPTH` (also inside JSON text held in a string), and digit
    strings too long for ``int()``. Iterative, so it cannot itself run out of stack.
    """
    stack: list[tuple[object, int, str]] = [(payload, 1, "")]
    while stack:
        value, depth, where = stack.pop()
        if depth > MAX_ANSWER_DEPTH:
            return f"nests deeper than {MAX_ANSWER_DEPTH} levels (at {where or 'the top'})"
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((item, depth + 1, f"{where}.{key}"[-_SHOWN:] if where else key))
        elif isinstance(value, list):
            stack.extend(
                (item, depth + 1, f"{where}[{i}]"[-_SHOWN:]) for i, item in enumerate(value)
            )
        elif isinstance(value, str):
            if len(value) > _MAX_DIGITS and value.strip().isdecimal():
                return f"holds a number of {len(value)} digits (at {where or 'the top'})"
            # JSON text inside a string is parsed later by the operations: check it too. With
            # fewer opening brackets than the limit it cannot nest deeper, so most strings
            # cost two counts.
            if value.count("[") + value.count("{") > MAX_ANSWER_DEPTH and value.lstrip()[:1] in (
                "[",
                "{",
            ):
                try:
                    inner = json.loads(value)
                except RecursionError:
                    return f"nests deeper than {MAX_ANSWER_DEPTH} levels (in the text at {where})"
                except ValueError:
                    continue  # not JSON: whoever reads it says so
                stack.append((inner, depth + 1, f"{where}(json)"[-_SHOWN:]))
    return None


def _success_problem(success: object) -> str:
    """What is wrong with an envelope's ``success`` that is not ``true``."""
    if success is _ABSENT:
        return "the answer has no success field"
    if success is False:
        return "the service answered success: false"
    return f"the answer's success is {_shown(success)} ({type(success).__name__}), not true"


_ABSENT: Any = object()


def read_answer(
    operation: str,
    status: int,
    headers: httpx.Headers,
    content: bytes,
    model: Any,
    parse_error: BaseException | None = None,
) -> Reply:
    """Read an HTTP answer.

    Args:
        operation: The operation id, for messages.
        status: The HTTP status code (any integer, known to Python or not).
        headers: The response headers.
        content: The response body.
        model: What the generated client parsed, or ``None`` when it could not.
        parse_error: The exception the generated client raised while parsing, if any.

    Returns:
        A successful reply only for a 2xx answer whose envelope says ``success: true`` and
        whose body the generated client parsed; otherwise a reply carrying a typed error: a
        :class:`~agb.exceptions.RedirectError` for any 3xx, a
        :class:`~agb.exceptions.MalformedResponseError` for a body that cannot be read safely
        (not JSON, nested deeper than :data:`MAX_ANSWER_DEPTH`, a number too long for
        ``int()``, ``success`` that is not a boolean). Never raises, whatever the answer.
    """
    header_id = _header(headers, "x-request-id")
    content_type = _header(headers, "content-type")

    def failure(
        cls: type[exc.APIError], text: str, request_id: str, code: str = "", message: str = ""
    ) -> Reply:
        error = _make_error(
            cls, text, request_id=request_id, code=code, http_status=status, headers=headers
        ).with_response(content, headers)
        return Reply(
            operation,
            request_id=request_id,
            http_status=status,
            code=code,
            message=message,
            error=error,
            retry_after=retry_after_seconds(headers),
        )

    if 300 <= status < 400:
        location = _header(headers, "location")
        where = f" to {_shown(location)}" if location else " with no location"
        error = exc.RedirectError(
            f"{operation} failed: the service answered HTTP {status}, a redirect{where}; "
            "redirects are not followed (check the endpoint)",
            request_id=header_id,
            http_status_code=status,
            location=location,
        )
        error.with_response(content, headers)
        return Reply(operation, request_id=header_id, http_status=status, error=error)

    payload: Any = None
    unreadable = ""
    try:
        payload = json.loads(content) if content else None
    except RecursionError:
        unreadable = f"JSON nested deeper than Python can read ({len(content)} bytes)"
    except ValueError as error:  # includes UnicodeDecodeError and too many digits
        unreadable = f"a body that is not JSON ({_describe_body(content, content_type)}"
        reason = str(error).split(":", 1)[0][:_SHOWN]
        unreadable += f": {reason})" if content and reason else ")"
    else:
        if payload is None:
            unreadable = f"a body that is not JSON ({_describe_body(content, content_type)})"
        elif isinstance(payload, dict):
            problem = _hostile(payload) if _may_be_hostile(content) else None
            if problem:
                unreadable = f"an answer that {problem}"
                header_id = _text(payload.get("requestId")) or header_id
                payload = None
        else:
            unreadable = f"a JSON {type(payload).__name__} where an object was expected"

    if unreadable:
        if status >= 400:
            return failure(
                error_class("", status),
                f"{operation} failed: HTTP {status} with {unreadable}",
                header_id,
            )
        return failure(
            exc.MalformedResponseError, f"{operation}: HTTP {status} with {unreadable}", header_id
        )

    request_id = _text(payload.get("requestId")) or header_id
    code = _text(payload.get("code"))
    message = _text(payload.get("message"))
    success = payload.get("success", _ABSENT)
    if status >= 400 or success is not True:
        cls = error_class(code, status if status >= 400 else None)
        if status < 300 and cls is exc.APIError:
            problem = _success_problem(success)
            if success is False:
                text = message or problem
            else:
                text = f"{problem}: {message}" if message else problem
        elif cls is exc.UnsupportedOperationError:
            said = f": {message}" if message else ""
            text = f"the service does not offer this operation ({code}{said})"
        else:
            text = message or f"HTTP {status}"
        return failure(cls, f"{operation} failed: {text}", request_id, code, message)
    if parse_error is not None or model is None:
        reason = ""
        if isinstance(parse_error, RecursionError):
            reason = ": it nests too deeply"
        elif parse_error is not None:
            reason = f": {type(parse_error).__name__}: {str(parse_error)[:200]}"
        return failure(
            exc.MalformedResponseError,
            f"{operation}: the answer does not have the expected shape{reason}",
            request_id,
            code,
            message,
        )
    if not 200 <= status < 300:
        return failure(
            exc.MalformedResponseError,
            f"{operation}: unexpected HTTP status {status}",
            request_id,
            code,
        )
    return Reply(operation, request_id, status, code, message, model)


def _header(headers: httpx.Headers, name: str) -> str:
    """A header's value as text, ``""`` when absent (never raises on odd bytes)."""
    try:
        return str(headers.get(name, ""))
    except (UnicodeDecodeError, ValueError):
        return ""


def read_transport_failure(operation: str, error: httpx.HTTPError) -> Reply:
    """Turn an httpx exception (no usable answer) into a reply with a connection error."""
    sent = not isinstance(
        error,
        httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.UnsupportedProtocol,
    )
    detail = str(error)[:300] or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        err: exc.AGBError = exc.APITimeoutError(
            f"{operation}: the request timed out ({type(error).__name__}: {detail})"
        )
    else:
        err = exc.APIConnectionError(f"{operation}: {type(error).__name__}: {detail}")
    return Reply(operation, error=err, sent=sent)


def read_unsendable(operation: str, argument: str, why: str) -> Reply:
    """A reply for a request that could not be built or sent because of an argument.

    Args:
        operation: The operation id.
        argument: The name of the argument that cannot be sent (``""`` when unknown).
        why: What is wrong with it.

    Returns:
        A failed reply with ``sent=False``, code ``InvalidParameter`` and an
        :class:`~agb.exceptions.UnsendableRequestError`.
    """
    what = f"argument {argument!r}" if argument else "the request"
    error = exc.UnsendableRequestError(
        f"{operation}: {what} cannot be sent: {why}", argument=argument
    )
    return Reply(operation, code="InvalidParameter", message=error.message, error=error, sent=False)


def read_too_large(operation: str, status: int, headers: httpx.Headers, limit: int) -> Reply:
    """A reply for an answer larger than ``limit`` bytes (after decompression).

    Returns:
        A failed reply with a :class:`~agb.exceptions.ResponseTooLargeError`.
    """
    request_id = _header(headers, "x-request-id")
    error = exc.ResponseTooLargeError(
        f"{operation} failed: the answer (HTTP {status}) is larger than the {limit}-byte "
        "limit (Config.max_response_bytes, counted after decompression); it was not read",
        request_id=request_id,
        http_status_code=status,
        limit=limit,
    )
    error.with_response(None, headers)  # the body was not read: headers only
    return Reply(operation, request_id=request_id, http_status=status, error=error)
