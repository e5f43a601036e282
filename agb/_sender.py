"""The HTTP sender: sends one :class:`~agb._effects.Call` through the generated client over the
pooled httpx clients and reads what came back into a :class:`~agb._envelope.Reply`.

:meth:`HTTPSender.send` / :meth:`HTTPSender.send_async` are the one place that sends: they turn
everything an answer or an argument can cause into a reply (the API key blotted out, one DEBUG
log line per call) and never raise for it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from agb._answer_guard import ResponseTooLarge
from agb._effects import Call
from agb._envelope import (
    Reply,
    read_answer,
    read_too_large,
    read_transport_failure,
    read_unsendable,
)
from agb._exchange import Exchange, recording
from agb._pools import Pools
from agb._secrets import scrub_reply
from agb._turns import take_turn
from agb.exceptions import ClientClosedError

__all__ = ["HTTPSender"]

log = logging.getLogger("agb")

# Errors the generated client raises while reading an answer it did not expect:
# HTTPStatus(499) -> ValueError, invalid JSON -> JSONDecodeError (a ValueError),
# an object of the wrong shape -> TypeError / KeyError / AttributeError, an answer nested
# deeper than the stack -> RecursionError.
_PARSE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, RecursionError)


class HTTPSender(Pools):
    """Sends :class:`~agb._effects.Call` effects through the generated client, over its own
    pools (see :class:`~agb._pools.Pools` for the arguments), and reads the answers.

    Raises:
        ConfigurationError: If the API key holds a character an HTTP header cannot carry.
    """

    @contextmanager
    def _exchange(self, call: Call) -> Iterator[tuple[Exchange, Callable[[Reply], Reply]]]:
        started = time.perf_counter()
        with recording(call.timeout) as exchange:

            def logged(reply: Reply) -> Reply:
                reply = scrub_reply(reply, self._redactor)
                if log.isEnabledFor(logging.DEBUG):
                    sent = exchange.request
                    target = (
                        f"{sent.method} {sent.url.path}" if sent is not None else call.operation
                    )
                    log.debug(
                        "%s -> %s request_id=%s in %.1f ms%s",
                        target,
                        reply.http_status if reply.http_status is not None else "no answer",
                        reply.request_id or "-",
                        (time.perf_counter() - started) * 1000,
                        f" ({type(reply.error).__name__})" if reply.error else "",
                    )
                return reply

            yield exchange, logged

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError(
                "this AGB client is closed; create a new AGB to make more calls"
            )

    def send(self, call: Call) -> Reply:
        """Send ``call`` with the sync client; never raises for what the network, the server
        or an argument does.

        Returns:
            The reply: a model, or a typed error (with ``sent=False`` and an
            :class:`~agb.exceptions.UnsendableRequestError` when an argument cannot be sent).

        Raises:
            ClientClosedError: If the client was closed.
        """
        self._check_open()
        self.sync_client()
        client = self.client
        with self._exchange(call) as (exchange, logged):
            try:
                answer = call.endpoint.sync_detailed(client=client, **call.kwargs)
            except BaseException as error:
                return logged(self._failed(call, exchange, error))
            return logged(_read_parsed(call, answer))

    async def send_async(self, call: Call) -> Reply:
        """Send ``call`` with the running loop's async client; never raises for what the
        network, the server or an argument does (see :meth:`send`).

        Raises:
            ClientClosedError: If the client was closed.
        """
        self._check_open()
        client, in_flight, loop = self._loop_client()
        with self._exchange(call) as (exchange, logged):
            try:
                await take_turn(loop)
                async with in_flight:
                    answer = await call.endpoint.asyncio_detailed(client=client, **call.kwargs)
            except BaseException as error:
                return logged(self._failed(call, exchange, error))
            return logged(_read_parsed(call, answer))

    def _failed(self, call: Call, exchange: Exchange, error: BaseException) -> Reply:
        """The reply for an exception raised while sending ``call``; re-raises the ones that
        are not about the network, the answer or an argument (cancellation, bugs)."""
        if isinstance(error, ResponseTooLarge):
            return read_too_large(call.operation, error.status_code, error.headers, error.limit)
        # The request could not be built (an argument UTF-8 cannot encode, a URL past httpx's
        # limit), or h11 refused to write it: either way, nothing was sent.
        if isinstance(error, httpx.LocalProtocolError) or (
            exchange.request is None and isinstance(error, UnicodeError | httpx.InvalidURL)
        ):
            argument, why = _unsendable(call, error)
            return read_unsendable(call.operation, argument, why)
        if isinstance(error, httpx.HTTPError):
            return read_transport_failure(call.operation, error)
        if isinstance(error, _PARSE_ERRORS) and exchange.response is not None:
            return _read_unparsed(call, exchange.response, error)
        raise error


def _read_parsed(call: Call, answer: Any) -> Reply:
    headers = answer.headers  # the generated client hands on the response's own
    return read_answer(
        call.operation,
        int(answer.status_code),
        headers if isinstance(headers, httpx.Headers) else httpx.Headers(headers),
        answer.content,
        answer.parsed,
    )


def _read_unparsed(call: Call, response: httpx.Response, error: BaseException) -> Reply:
    return read_answer(
        call.operation, response.status_code, response.headers, response.content, None, error
    )


# --------------------------------------------------------------------------- unsendable


_SNAKE = re.compile(r"(?<=[a-z0-9])([A-Z])")


def _strings(value: object, where: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(place, text) of every string in an argument (generated models via ``to_dict``)."""
    if depth > 20:
        return
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            # A field of a request body is named as the caller knows it: sessionId -> session_id.
            name = _SNAKE.sub(r"_\1", str(key)).lower() if where == "body" else f"{where}.{key}"
            yield from _strings(item, name, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, where, depth + 1)
    elif hasattr(value, "to_dict"):
        try:
            as_dict = value.to_dict()
        except Exception:
            return
        yield from _strings(as_dict, where, depth + 1)


def _unsendable(call: Call, error: BaseException) -> tuple[str, str]:
    """(argument, why) for a request that could not be built or written."""
    places = [pair for name, value in call.kwargs.items() for pair in _strings(value, name)]
    for place, text in places:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as bad:
            char = text[bad.start]
            return place, (
                f"it holds a lone surrogate (U+{ord(char):04X} at index {bad.start}), which "
                "UTF-8 cannot encode"
            )
    if isinstance(error, httpx.InvalidURL):
        if places:
            place, text = max(places, key=lambda pair: len(pair[1]))
            return place, (
                f"the request URL would pass httpx's limit of 65536 characters ({place} alone "
                f"is {len(text)} characters): use fewer or shorter values"
            )
        return "", "the request URL is not valid"
    for place, text in places:
        if any(char in text for char in "\r\n\0"):
            return place, "it holds a line break or NUL character"
    return "", f"{type(error).__name__}: {str(error)[:200]}"
