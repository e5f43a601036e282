"""Operations written once, as plans, and the two drivers that run them (sans-I/O style).

A plan is a generator that yields effects and receives their outcomes:

* :class:`Call` -- send one request through a generated endpoint; receives a :class:`Reply`;
* :class:`Sleep` -- wait; receives ``None``;
* :data:`NOW` -- read the monotonic clock; receives a ``float``.

Its return value is the operation's result. :func:`run_sync` drives a plan with the sync httpx
client and a blocking sleep; :func:`run_async` with the async client and ``asyncio.sleep``. The
async driver therefore never blocks the event loop, and the sync one never starts a loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping
from types import ModuleType
from typing import Any, Final, TypeAlias, TypeVar

from attrs import frozen

from agb._envelope import Reply

__all__ = ["NOW", "Call", "Effect", "Plan", "Settings", "Sleep", "run_async", "run_sync"]

T = TypeVar("T")


@frozen
class Call:
    """Send one request.

    Attributes:
        operation: The operation id, for logs and messages.
        endpoint: The generated endpoint module (it has ``sync_detailed`` and ``asyncio_detailed``).
        kwargs: The keyword arguments of the endpoint function (without ``client``).
        idempotent: Whether the request may be repeated after the server may have seen it.
        timeout: The HTTP timeout in seconds for this request, or ``None`` for the client's.
    """

    operation: str
    endpoint: ModuleType
    kwargs: Mapping[str, Any]
    idempotent: bool = False
    timeout: float | None = None


@frozen
class Settings:
    """What every plan needs to know about the client.

    Attributes:
        max_retries: Retries of a request that failed in passing.
        http_timeout: The client's HTTP timeout in seconds.
        base_delay: First backoff delay in seconds; doubles on each retry.
        max_delay: Longest backoff delay in seconds.
    """

    max_retries: int = 2
    http_timeout: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 8.0


@frozen
class Sleep:
    """Wait this many seconds."""

    seconds: float


class _Now:
    def __repr__(self) -> str:
        return "NOW"


NOW: Final = _Now()

Effect: TypeAlias = Call | Sleep | _Now
Plan: TypeAlias = Generator[Effect, Any, T]


def run_sync(
    plan: Plan[T],
    send: Callable[[Call], Reply],
    sleep: Callable[[float], object],
    clock: Callable[[], float],
) -> T:
    """Run ``plan`` to its end with blocking I/O and return its result."""
    outcome: Any = None
    try:
        while True:
            effect = plan.send(outcome)
            if isinstance(effect, Call):
                outcome = send(effect)
            elif isinstance(effect, Sleep):
                sleep(effect.seconds)
                outcome = None
            else:
                outcome = clock()
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        plan.close()


async def run_async(
    plan: Plan[T],
    send: Callable[[Call], Awaitable[Reply]],
    sleep: Callable[[float], Awaitable[object]],
    clock: Callable[[], float],
) -> T:
    """Run ``plan`` to its end with non-blocking I/O and return its result.

    Cancellation (``asyncio.CancelledError``) propagates at once from the await in progress.
    """
    outcome: Any = None
    try:
        while True:
            effect = plan.send(outcome)
            if isinstance(effect, Call):
                outcome = await send(effect)
            elif isinstance(effect, Sleep):
                await sleep(effect.seconds)
                outcome = None
            else:
                outcome = clock()
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        plan.close()
