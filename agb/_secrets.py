"""Keeping the API key secret: the key check, the redactor, the log filter and the bearer auth.

The key goes out in one place (:class:`BearerAuth`) and is blotted out everywhere it could come
back: answers (by the guard, with a :class:`Redactor`), log records of the SDK, httpx and httpcore
and aiohttp (:func:`redact_logs`), and the texts of a reply (:func:`scrub_reply`).
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Generator
from typing import TYPE_CHECKING

import attrs
import httpx

from agb.exceptions import ConfigurationError

if TYPE_CHECKING:
    from agb._envelope import Reply

__all__ = ["REDACTED", "BearerAuth", "Redactor", "check_api_key", "redact_logs", "scrub_reply"]

REDACTED = "<redacted>"


def check_api_key(api_key: str) -> None:
    """Check that ``api_key`` can go in an HTTP header.

    Raises:
        ConfigurationError: If it holds a character an HTTP header cannot carry (a control
            character such as a vertical tab or form feed, DEL, or a non-ASCII character). The
            message names the kind of character and its position, never the key.
    """
    for position, char in enumerate(api_key, 1):
        if char == "\t" or " " <= char <= "~":
            continue
        kind = "a non-ASCII character" if ord(char) > 0x7F else "a control character"
        raise ConfigurationError(
            f"API key must be printable ASCII: character {position} is {kind} "
            f"(U+{ord(char):04X}), which cannot be sent in an HTTP header"
        )


class Redactor:
    """Blots one secret out of texts and bytes, in plain, JSON-escaped and URL-encoded forms.

    Each character of the secret may appear as itself, as a JSON ``\\uXXXX`` escape (or ``\\/``,
    ``\\"``, ``\\\\``), or percent-encoded; matching ignores case, so variants are blotted too.
    """

    def __init__(self, secret: str) -> None:
        self.secret = secret
        forms = [_char_forms(char) for char in secret]
        text = "".join(f"(?:{'|'.join(group)})" for group in forms)
        self._text = re.compile(text, re.IGNORECASE) if secret else None
        self._bytes = re.compile(text.encode("ascii"), re.IGNORECASE) if secret else None
        self._repr_form = ""
        if any(char == "\\" or not " " <= char <= "~" for char in secret):  # else: as it is
            self._repr_form = secret.encode("unicode_escape").decode("ascii")

    def text(self, value: str) -> str:
        """``value`` with every form of the secret replaced by ``<redacted>``."""
        if self._text is None or not value:
            return value
        value = self._text.sub(REDACTED, value)
        if self._repr_form and self._repr_form in value:
            value = value.replace(self._repr_form, REDACTED)
        return value

    def data(self, value: bytes) -> bytes:
        """``value`` (a body, a header value) with every form of the secret replaced."""
        if self._bytes is None or not value:
            return value
        return self._bytes.sub(REDACTED.encode("ascii"), value)

    def __repr__(self) -> str:
        return "Redactor(<redacted>)"


def _char_forms(char: str) -> list[str]:
    code = ord(char)
    forms = [re.escape(char), rf"\\u{code:04x}", f"%{code:02x}"]
    if char in '/"\\':
        forms.append(re.escape("\\" + char))
    return forms


class _RedactingFilter(logging.Filter):
    """Blots the key of every live client out of log records of the SDK, of httpx/httpcore
    (httpcore logs raw response headers at DEBUG, httpx the reason phrase at INFO) and of the
    aiohttp client (its transport's loggers: ``aiohttp.client``, ``aiohttp.internal``, which
    logs malformed cookies as they came)."""

    def __init__(self) -> None:
        super().__init__()
        self.redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        redactors = list(self.redactors)
        if not redactors:
            return True
        try:
            text = record.getMessage()
        except Exception:  # a broken record is logging's business, not ours
            return True
        clean = text
        for redactor in redactors:
            clean = redactor.text(clean)
        if clean != text:
            record.msg, record.args = clean, None
        return True


_LOG_FILTER = _RedactingFilter()
_FILTERED_LOGGERS = (
    "agb",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "aiohttp.client",
    "aiohttp.internal",
)
for _name in _FILTERED_LOGGERS:
    logging.getLogger(_name).addFilter(_LOG_FILTER)


def redact_logs(redactor: Redactor) -> None:
    """Blot ``redactor``'s secret out of the log records of the SDK, httpx, httpcore and the
    aiohttp client, for as long as ``redactor`` lives."""
    _LOG_FILTER.redactors.add(redactor)


class BearerAuth(httpx.Auth):
    """Sends ``authorization: Bearer <key>``; its repr never shows the key.

    Raises:
        ConfigurationError: If the key cannot go in an HTTP header (see :func:`check_api_key`).
    """

    def __init__(self, api_key: str) -> None:
        check_api_key(api_key)
        self._value = f"Bearer {api_key}"

    @property
    def header(self) -> str:
        """The ``Authorization`` header's value (for clients that add it themselves)."""
        return self._value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["authorization"] = self._value
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(<redacted>)"


def scrub_reply(reply: Reply, redactor: Redactor) -> Reply:
    """``reply`` with the API key blotted out of every text (a proxy or service may echo it;
    bodies and headers are redacted as they arrive, this catches what httpx itself wrote)."""
    secret = redactor.secret
    error = reply.error
    texts = [reply.message, reply.code, reply.request_id]
    if error is not None:
        texts += [error.message, error.code, error.request_id, *map(str, error.args)]
        texts += [value for value in vars(error).values() if isinstance(value, str)]
    if not secret or not any(secret.lower() in text.lower() for text in texts):
        return reply
    if error is not None:
        for name, value in list(vars(error).items()):
            if isinstance(value, str):
                setattr(error, name, redactor.text(value))
        error.args = tuple(redactor.text(str(arg)) for arg in error.args)
    return attrs.evolve(
        reply,
        message=redactor.text(reply.message),
        code=redactor.text(reply.code),
        request_id=redactor.text(reply.request_id),
    )
