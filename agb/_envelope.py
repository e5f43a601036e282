"""The one place where an HTTP answer (or its absence) becomes a :class:`Reply`.

Every answer goes through :func:`read_answer` or :func:`read_transport_failure`, which turn
(HTTP status, envelope, transport error) into either a successful reply carrying the generated
model, or a reply carrying a typed :class:`~agb.exceptions.AGBError` with the request id.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from typing import Any

import httpx
from attrs import frozen

from agb import exceptions as exc

__all__ = ["Reply", "error_class", "is_success_code", "read_answer", "read_transport_failure"]

# Codes the service is known to send, mapped to the error they mean. Codes are open-ended
# text: unknown ones fall back on the family rules and then on the HTTP status.
_CODES: dict[str, type[exc.APIError]] = {
    "InvalidMcpSession.NotFound": exc.NotFoundError,
    "SessionNotFound": exc.NotFoundError,
    "NotFound": exc.NotFoundError,
    "AccessDenied": exc.AuthenticationError,
    "Unauthorized": exc.AuthenticationError,
    "Forbidden": exc.AuthenticationError,
    "InvalidApiKey": exc.AuthenticationError,
    "Throttling": exc.RateLimitError,
    "TooManyRequests": exc.RateLimitError,
    "InvalidSessionStatus": exc.InvalidStateError,
    "InvalidStatus": exc.InvalidStateError,
    "IncorrectStatus": exc.InvalidStateError,
    "InvalidParameter": exc.BadRequestError,
    "MissingParameter": exc.BadRequestError,
    "ServiceUnavailable": exc.ServerError,
    "InternalError": exc.ServerError,
}
_FAMILIES: tuple[tuple[re.Pattern[str], type[exc.APIError]], ...] = (
    (re.compile(r"NotFound$|NotExist", re.I), exc.NotFoundError),
    (
        re.compile(r"^(AccessDenied|Forbidden|Unauthori[sz]ed|InvalidApiKey)", re.I),
        exc.AuthenticationError,
    ),
    (re.compile(r"^Throttling|TooManyRequests|RateLimit", re.I), exc.RateLimitError),
    (re.compile(r"^(Invalid|Incorrect)[A-Za-z]*(Status|State)", re.I), exc.InvalidStateError),
    (re.compile(r"^(InvalidParameter|MissingParameter|Invalid)", re.I), exc.BadRequestError),
    (re.compile(r"^(InternalError|ServiceUnavailable)", re.I), exc.ServerError),
)
_SUCCESS_CODES = frozenset({"", "ok", "OK", "Ok", "success", "Success"})
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


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


def is_success_code(code: str) -> bool:
    """Whether ``code`` is one of the codes the service sends on success (``""``, ``ok``...)."""
    return code in _SUCCESS_CODES


def error_class(code: str, http_status: int | None) -> type[exc.APIError]:
    """The error type for an error ``code`` and HTTP status: code first, status second."""
    if code and code not in _SUCCESS_CODES:
        known = _CODES.get(code)
        if known is not None:
            return known
        for pattern, cls in _FAMILIES:
            if pattern.search(code):
                return cls
    if http_status is None:
        return exc.APIError
    if http_status in (401, 403):
        return exc.AuthenticationError
    if http_status == 404:
        return exc.NotFoundError
    if http_status == 409:
        return exc.InvalidStateError
    if http_status == 429:
        return exc.RateLimitError
    if http_status >= 500:
        return exc.ServerError
    if http_status >= 400:
        return exc.BadRequestError
    return exc.APIError


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if "," in value else None
        if parsed is None:
            return None
        seconds = parsed.timestamp() - time.time()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


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
            retry_after=_retry_after(headers),
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
        whose body the generated client parsed; otherwise a reply carrying a typed error.
    """
    header_id = headers.get("x-request-id", "")
    content_type = headers.get("content-type", "")
    try:
        payload: Any = json.loads(content) if content else None
    except ValueError:
        payload = None
        readable = False
    else:
        readable = payload is not None

    def failure(
        cls: type[exc.APIError], text: str, request_id: str, code: str = "", message: str = ""
    ) -> Reply:
        error = _make_error(
            cls, text, request_id=request_id, code=code, http_status=status, headers=headers
        )
        return Reply(
            operation,
            request_id=request_id,
            http_status=status,
            code=code,
            message=message,
            error=error,
            retry_after=_retry_after(headers),
        )

    if not readable or not isinstance(payload, dict):
        what = (
            f"a body that is not JSON ({_describe_body(content, content_type)})"
            if not readable
            else f"a JSON {type(payload).__name__} where an object was expected"
        )
        if status >= 400:
            return failure(
                error_class("", status), f"{operation} failed: HTTP {status} with {what}", header_id
            )
        return failure(
            exc.MalformedResponseError, f"{operation}: HTTP {status} with {what}", header_id
        )

    request_id = _text(payload.get("requestId")) or header_id
    code = _text(payload.get("code"))
    message = _text(payload.get("message"))
    if status >= 400 or payload.get("success") is not True:
        cls = error_class(code, status if status >= 400 else None)
        if status < 300 and cls is exc.APIError:
            text = message or "the service answered success: false"
        else:
            text = message or f"HTTP {status}"
        return failure(cls, f"{operation} failed: {text}", request_id, code, message)
    if parse_error is not None or model is None:
        reason = f": {type(parse_error).__name__}: {parse_error}" if parse_error else ""
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
    return Reply(
        operation,
        request_id=request_id,
        http_status=status,
        code=code,
        message=message,
        model=model,
    )


def read_transport_failure(operation: str, error: httpx.HTTPError) -> Reply:
    """Turn an httpx exception (no usable answer) into a reply with a connection error."""
    sent = not isinstance(
        error, httpx.ConnectError | httpx.ConnectTimeout | httpx.UnsupportedProtocol
    )
    detail = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        err: exc.AGBError = exc.APITimeoutError(
            f"{operation}: the request timed out ({type(error).__name__}: {detail})"
        )
    else:
        err = exc.APIConnectionError(f"{operation}: {type(error).__name__}: {detail}")
    return Reply(operation, error=err, sent=sent)
