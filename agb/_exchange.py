"""What httpx did with the call being sent: the request it built and the answer it got.

The generated client hides both; the pooled httpx clients record them through event hooks
(:data:`SYNC_HOOKS`, :data:`ASYNC_HOOKS`) into the :class:`Exchange` that :func:`recording`
opened for the current context. The hooks also give the request the call's own timeout.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from attrs import define

__all__ = ["ASYNC_HOOKS", "SYNC_HOOKS", "Exchange", "recording"]


@define
class Exchange:
    """One call's exchange.

    Attributes:
        timeout: Seconds the call's request may take, or ``None`` for the client's.
        request: The request httpx built, once it did (``None``: nothing was sent).
        response: The answer, once it came.
    """

    timeout: float | None
    request: httpx.Request | None = None
    response: httpx.Response | None = None


_EXCHANGE: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar(
    "agb_exchange", default=None
)


@contextmanager
def recording(timeout: float | None) -> Iterator[Exchange]:
    """Record the exchange of the request sent in this context until the block ends.

    Args:
        timeout: The call's own timeout in seconds, or ``None``.

    Returns:
        The exchange, filled in as the request is sent and answered.
    """
    exchange = Exchange(timeout)
    token = _EXCHANGE.set(exchange)
    try:
        yield exchange
    finally:
        _EXCHANGE.reset(token)


def _on_request(request: httpx.Request) -> None:
    exchange = _EXCHANGE.get()
    if exchange is None:
        return
    exchange.request = request
    if exchange.timeout is not None:
        request.extensions["timeout"] = httpx.Timeout(exchange.timeout).as_dict()


def _on_response(response: httpx.Response) -> None:
    exchange = _EXCHANGE.get()
    if exchange is not None:
        exchange.response = response


async def _on_request_async(request: httpx.Request) -> None:
    _on_request(request)


async def _on_response_async(response: httpx.Response) -> None:
    _on_response(response)


SYNC_HOOKS: dict[str, list[Callable[..., Any]]] = {
    "request": [_on_request],
    "response": [_on_response],
}
ASYNC_HOOKS: dict[str, list[Callable[..., Any]]] = {
    "request": [_on_request_async],
    "response": [_on_response_async],
}
