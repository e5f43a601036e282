"""The error-code vocabulary: which error an envelope's ``code`` (else the HTTP status) means."""

from __future__ import annotations

import re

from agb import exceptions as exc

__all__ = ["error_class", "is_success_code"]

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
    "InvalidAction.NotFound": exc.UnsupportedOperationError,
}
_FAMILIES: tuple[tuple[re.Pattern[str], type[exc.APIError]], ...] = (
    (
        re.compile(r"^(InvalidAction|UnsupportedOperation|OperationNotSupported)", re.I),
        exc.UnsupportedOperationError,
    ),
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
