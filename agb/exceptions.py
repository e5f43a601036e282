"""The SDK's errors: one root, :class:`AGBError`, and a typed tree under :class:`SessionError`.

Every error keeps what the service said: ``request_id``, ``code``, ``message`` and
``http_status_code`` (each ``None`` or empty when the service never answered). Errors raised from
an answer of the service are chosen by its error code first and its HTTP status second, so a code
the SDK does not know still gives the right family::

    AGBError
    ├── ConfigurationError            missing API key, bad endpoint or timeout (also a ValueError)
    ├── ClientClosedError             a call on a closed client (also a RuntimeError)
    └── SessionError                  any failed session operation
        ├── APIError                  the service answered with an error
        │   ├── BadRequestError           400, a parameter was refused
        │   ├── AuthenticationError       401/403, ``AccessDenied``
        │   ├── NotFoundError             the session (or what was asked for) does not exist
        │   ├── InvalidStateError         the session's status does not allow the operation
        │   ├── RateLimitError            429; ``retry_after`` in seconds when the service said
        │   ├── ServerError               5xx
        │   └── MalformedResponseError    unreadable answer (HTML, cut JSON, wrong shape)
        ├── APIConnectionError        the request or its answer was lost on the network
        │   └── APITimeoutError           the HTTP request timed out
        └── WaitTimeoutError          a wait for a target status ran out of time
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Final, TypedDict, Unpack

__all__ = [
    "AGBError",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "InvalidStateError",
    "MalformedResponseError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "SessionError",
    "WaitTimeoutError",
]


class _Answer(TypedDict, total=False):
    """What the service's answer tells of every error (see :class:`AGBError`)."""

    request_id: str
    http_status_code: int | None


class _Fields(_Answer, total=False):
    """The keyword attributes every error takes (see :class:`AGBError`)."""

    code: str


class AGBError(Exception):
    """Root of every error the SDK raises.

    Attributes:
        message: What went wrong, in words.
        request_id: The server's request id, or ``""`` when there was no answer.
        code: The service's error code (e.g. ``"InvalidMcpSession.NotFound"``), or ``""``.
        http_status_code: The HTTP status of the answer, or ``None`` when there was none.
    """

    def __init__(
        self,
        message: str = "",
        *,
        request_id: str = "",
        code: str = "",
        http_status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        self.code = code
        self.http_status_code = http_status_code

    def __str__(self) -> str:
        details = []
        if self.code:
            details.append(f"code={self.code}")
        if self.http_status_code is not None:
            details.append(f"http_status={self.http_status_code}")
        if self.request_id:
            details.append(f"request_id={self.request_id}")
        return f"{self.message} ({', '.join(details)})" if details else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, code={self.code!r}, "
            f"http_status_code={self.http_status_code!r}, request_id={self.request_id!r})"
        )


class ConfigurationError(AGBError, ValueError):
    """The client is configured wrongly: no API key, a bad endpoint or timeout."""


class ClientClosedError(AGBError, RuntimeError):
    """The :class:`~agb.AGB` was closed (``close()``, ``aclose()`` or the end of its ``with``
    block); create a new one to make more calls."""


class SessionError(AGBError):
    """A session operation failed. Catch this to handle every failure of the service."""


MAX_BODY_CHARS: Final = 4096
"""The longest body an :class:`APIError` keeps, in characters (the rest is cut, and said so)."""

REDACTED: Final = "<redacted>"

# Keys of a JSON body (any nesting) and response headers whose values are secrets: never kept.
_SECRET_KEY = re.compile(
    r"token|secret|password|passwd|authori[sz]ation|auth_?code|ticket|api_?key|access_?key|"
    r"credential|cookie|signature|private_?key",
    re.IGNORECASE,
)


# Bodies longer than this are not parsed to be redacted key by key (the pattern below does it).
_MAX_PARSED = 1 << 20
# A JSON "key": value pair whose key looks secret, as text (also when the JSON is cut short).
_SECRET_PAIR = re.compile(
    r'("[^"\\]{0,64}(?:' + _SECRET_KEY.pattern + r')[^"\\]{0,64}"\s*:\s*)'
    r'(?:"(?:[^"\\]|\\.)*"?|[^,}\]\s]+)',
    re.IGNORECASE,
)


_MAX_DEPTH = 64


class _TooDeep(Exception):
    pass


def _redact_json(value: object, depth: int = 1) -> object:
    """``value`` with secret-looking keys' values replaced; raises :class:`_TooDeep` past
    :data:`_MAX_DEPTH` levels (the caller then redacts the text by pattern)."""
    if depth > _MAX_DEPTH:
        raise _TooDeep
    if isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(key, str) and _SECRET_KEY.search(key)
            else _redact_json(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact_json(item, depth + 1) for item in value]
    return value


def redact_body(content: bytes | str, limit: int = MAX_BODY_CHARS) -> str:
    """An answer's body as text that is safe to keep on an error: bounded and redacted.

    A JSON body keeps its shape with the value of every secret-looking key (``token``,
    ``authCode``, ``ticket``, ``password``, ``apiKey``...) replaced by ``<redacted>``; any
    other body is decoded as UTF-8 (bad bytes replaced). Longer than ``limit`` characters, it
    is cut and ends with ``... [N more characters]``. The API key itself is blotted out of
    bodies by the transport as they arrive.

    Args:
        content: The body as received.
        limit: The most characters kept.

    Returns:
        The text (``""`` for an empty body).
    """
    raw = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    if not raw:
        return ""
    text = raw
    parsed: object = None
    if raw.lstrip()[:1] in ("{", "[") and len(raw) <= _MAX_PARSED:
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError):
            parsed = None
    if isinstance(parsed, dict | list):
        try:
            text = json.dumps(_redact_json(parsed), ensure_ascii=False, separators=(",", ":"))
        except _TooDeep:
            parsed = None  # nested too deeply to walk: redacted by pattern below
    if len(text) > limit:
        text = f"{text[:limit]}... [{len(text) - limit} more characters]"
    if not isinstance(parsed, dict | list):
        # Cut, huge or broken JSON (or JSON inside HTML): blot secret-looking "key": values.
        text = _SECRET_PAIR.sub(lambda match: f"{match.group(1)}{REDACTED}", text)
    return text


def redact_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Response headers as a plain dict with lower-case names, secret ones (cookies,
    authorization, tokens) replaced by ``<redacted>``; values longer than
    :data:`MAX_BODY_CHARS` are cut."""
    kept: dict[str, str] = {}
    for name, value in (headers or {}).items():
        key = str(name).lower()
        text = REDACTED if _SECRET_KEY.search(key) else str(value)[:MAX_BODY_CHARS]
        kept[key] = f"{kept[key]}, {text}" if key in kept else text
    return kept


class APIError(SessionError):
    """The service answered, and the answer is an error (or cannot be read).

    Attributes:
        body: What the service sent, as text, bounded to :data:`MAX_BODY_CHARS` and redacted
            (see :func:`redact_body`); ``""`` when unknown.
        headers: The answer's headers (lower-case names, secret ones redacted); empty when
            unknown.
    """

    body: str = ""
    headers: Mapping[str, str] = {}

    @property
    def status_code(self) -> int | None:
        """The HTTP status (the published client's name for ``http_status_code``)."""
        return self.http_status_code

    def with_response(
        self, body: bytes | str | None, headers: Mapping[str, str] | None
    ) -> APIError:
        """Keep what the service answered on this error (redacted and bounded).

        Args:
            body: The body as received (``None``: unknown).
            headers: The response headers (``None``: unknown).

        Returns:
            This error.
        """
        self.body = redact_body(body) if body is not None else ""
        self.headers = redact_headers(headers)
        return self


class BadRequestError(APIError):
    """The service refused a parameter of the request (HTTP 400, ``InvalidParameter``)."""


class AuthenticationError(APIError):
    """The API key is missing, wrong or not allowed to do this (HTTP 401/403, ``AccessDenied``)."""


class NotFoundError(APIError):
    """The session, or what the request names, does not exist (or no longer exists)."""


class InvalidStateError(APIError):
    """The session's current status does not allow the operation (e.g. resuming while pausing)."""


class RateLimitError(APIError):
    """Too many requests (HTTP 429).

    Attributes:
        retry_after: Seconds the service asked to wait before trying again, or ``None``.
    """

    def __init__(
        self, message: str = "", *, retry_after: float | None = None, **fields: Unpack[_Fields]
    ) -> None:
        super().__init__(message, **fields)
        self.retry_after = retry_after


class ServerError(APIError):
    """The service, or a proxy in front of it, failed (HTTP 5xx)."""


class MalformedResponseError(APIError):
    """The answer could not be read: not JSON, cut short, or not the expected shape."""


class APIConnectionError(SessionError):
    """The request could not be sent, or its answer was lost (connection refused, reset, closed)."""


class APITimeoutError(APIConnectionError):
    """The HTTP request took longer than its timeout."""


class WaitTimeoutError(SessionError):
    """A wait for a session to reach a status (pause, resume, delete) ran out of time.

    Attributes:
        status: The last status seen before the time ran out, or ``""``.
    """

    def __init__(self, message: str = "", *, status: str = "", **fields: Unpack[_Fields]) -> None:
        super().__init__(message, **fields)
        self.status = status


class RedirectError(APIError):
    """The service (or a proxy in front of it) answered with a redirect (HTTP 3xx).

    Redirects are never followed: the API key would go along to wherever they point.

    Attributes:
        location: The ``Location`` the answer pointed to (``""`` when it gave none).
    """

    def __init__(self, message: str = "", *, location: str = "", **fields: Unpack[_Fields]) -> None:
        super().__init__(message, **fields)
        self.location = location


class ResponseTooLargeError(APIError):
    """The answer was larger than ``Config.max_response_bytes`` (counted after decompression).

    The rest of it was not read, and the request is not tried again.

    Attributes:
        limit: The limit in bytes.
    """

    def __init__(self, message: str = "", *, limit: int = 0, **fields: Unpack[_Fields]) -> None:
        super().__init__(message, **fields)
        self.limit = limit


class UnsendableRequestError(BadRequestError):
    """An argument cannot be put on the wire (a lone surrogate, a query past 64 KiB...).

    The request was never sent; ``code`` is ``"InvalidParameter"``.

    Attributes:
        argument: The name of the argument that could not be sent (``""`` when unknown).
    """

    def __init__(
        self,
        message: str = "",
        *,
        argument: str = "",
        code: str = "InvalidParameter",
        **fields: Unpack[_Answer],
    ) -> None:
        super().__init__(message, code=code, **fields)
        self.argument = argument


__all__ += [
    "MAX_BODY_CHARS",
    "RedirectError",
    "ResponseTooLargeError",
    "UnsendableRequestError",
    "UnsupportedOperationError",
    "redact_body",
    "redact_headers",
]


class UnsupportedOperationError(APIError):
    """The service does not offer this operation (code ``InvalidAction.NotFound``).

    Pause and resume shipped only in agbcloud-sdk 0.7.0; a service that does not offer them
    answers like this. Nothing happened to the session, and the request is not tried again.
    Branch on this class (or on ``code``), not on HTTP 404, which also means an unknown
    session.
    """
