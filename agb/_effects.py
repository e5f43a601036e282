"""Effects a plan yields, and the two drivers that carry them out (sans-I/O style).

A plan is a generator that yields effects and receives their outcomes:

* :class:`Call` -- send one request through a generated endpoint; receives a
  :class:`~agb._envelope.Reply`;
* :class:`Sleep` -- wait; receives ``None``;
* :data:`NOW` -- read the monotonic clock; receives a ``float``;
* :class:`Observed` -- something a wait saw (a status, context tasks); receives ``None``.

Its return value is the operation's result. :func:`run_sync` drives a plan with blocking
I/O; :func:`run_async` with awaitables. The async driver therefore never blocks the event loop,
and the sync one never starts a loop. Both hand each :class:`Observed` to an optional observer;
the async driver awaits what the observer returns when it is awaitable (a coroutine function's
call), so an ``on_status`` callback may be ``async def``. An exception the observer raises
propagates out of the driver and ends the plan (its ``finally`` blocks run).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Generator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypeVar

from attrs import frozen

if TYPE_CHECKING:
    from agb._envelope import Reply
    from agb.model.response import ContextTaskResult

__all__ = [
    "NOW",
    "Call",
    "Effect",
    "Observed",
    "Observer",
    "Plan",
    "Sleep",
    "run_async",
    "run_sync",
]

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
class Sleep:
    """Wait this many seconds."""

    seconds: float


@frozen(kw_only=True)
class Observed:
    """What a wait saw, as it saw it (each change once).

    Attributes:
        session_id: The session waited on.
        kind: ``"status"`` (a session status), ``"gone"`` (the session no longer exists; status
            ``FINISH``) or ``"context"`` (the states of its context tasks).
        status: The status; for ``"context"`` a summary such as ``"upload Running"``.
        elapsed: Seconds since the operation began.
        tasks: For ``"context"``: the tasks as seen.
    """

    session_id: str
    kind: Literal["status", "gone", "context"]
    status: str
    elapsed: float
    tasks: tuple[ContextTaskResult, ...] = ()


class _Now:
    def __repr__(self) -> str:
        return "NOW"


NOW: Final = _Now()

Effect: TypeAlias = Call | Sleep | _Now | Observed
Plan: TypeAlias = Generator[Effect, Any, T]
Observer: TypeAlias = Callable[[Observed], object]


def run_sync(
    plan: Plan[T],
    send: Callable[[Call], Reply],
    sleep: Callable[[float], object],
    clock: Callable[[], float],
    observer: Observer | None = None,
) -> T:
    """Run ``plan`` to its end with blocking I/O and return its result."""
    outcome: Any = None
    try:
        while True:
            effect = plan.send(outcome)
            outcome = None
            if isinstance(effect, Call):
                outcome = send(effect)
            elif isinstance(effect, Sleep):
                sleep(effect.seconds)
            elif isinstance(effect, Observed):
                if observer is not None:
                    observer(effect)
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
    observer: Observer | None = None,
) -> T:
    """Run ``plan`` to its end with non-blocking I/O and return its result.

    Cancellation (``asyncio.CancelledError``) propagates at once from the await in progress.
    """
    outcome: Any = None
    try:
        while True:
            effect = plan.send(outcome)
            outcome = None
            if isinstance(effect, Call):
                outcome = await send(effect)
            elif isinstance(effect, Sleep):
                await sleep(effect.seconds)
            elif isinstance(effect, Observed):
                if observer is not None:
                    seen = observer(effect)
                    if inspect.isawaitable(seen):
                        await seen
            else:
                outcome = clock()
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        plan.close()
