"""The runner: what an :class:`~agb.AGB` and its sessions need to carry out a plan."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, TypeAlias, TypeVar

from attrs import define, field

from agb._effects import Call, Observed, Observer, Plan, run_async, run_sync
from agb._retry import RetryPolicy
from agb._turns import take_turn

if TYPE_CHECKING:
    from agb._envelope import Reply

__all__ = ["OnStatus", "Runner", "Sender", "status_observer"]

T = TypeVar("T")

OnStatus: TypeAlias = Callable[[str, float], object]
"""A per-call progress callback: ``on_status(status, elapsed)``, called once for each new
session status a wait sees (``FINISH`` when the session is found gone); in async calls it may
be a coroutine function, which is awaited."""


def status_observer(first: Observer | None, on_status: OnStatus | None) -> Observer | None:
    """One observer that hands each :class:`~agb._effects.Observed` to ``first`` (the runner's
    observer), then each session status (not context task states) to ``on_status``.

    What ``on_status`` returns is returned, so that the async driver awaits a coroutine.
    """
    if on_status is None:
        return first

    def observe(observed: Observed) -> object:
        if first is not None:
            first(observed)
        if observed.kind == "context":
            return None
        return on_status(observed.status, observed.elapsed)

    return observe


class Sender(Protocol):
    """What sends a :class:`~agb._effects.Call` (``agb._sender.HTTPSender``, or a fake)."""

    def send(self, call: Call) -> Reply:
        """Send ``call`` with blocking I/O."""

    async def send_async(self, call: Call) -> Reply:
        """Send ``call`` on the running event loop."""

    async def warm_up_async(self) -> None:
        """Do the async path's one-time work (imports) without blocking the loop."""


async def _asyncio_sleep(seconds: float) -> None:
    # Imported here, not at the top, so that `import agb` does not load asyncio for sync users.
    import asyncio

    await asyncio.sleep(seconds)


@define
class Runner:
    """Carries out plans: sends their calls, sleeps their waits, reads the clock.

    One per :class:`~agb.AGB`; every :class:`~agb.Session` made from it is given the same one.

    Attributes:
        sender: Sends each request (the client's transport).
        policy: The retry policy every plan is given.
        clock: Monotonic clock used for deadlines.
        sleep: Blocking sleep of sync methods.
        async_sleep: Sleep of async methods (``None``: ``asyncio.sleep``).
        observer: Called with each :class:`~agb._effects.Observed` of a wait (progress
            displays subscribe here), or ``None``.
    """

    sender: Sender
    policy: RetryPolicy = field(factory=RetryPolicy)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], object] = time.sleep
    async_sleep: Callable[[float], Awaitable[object]] | None = None
    observer: Observer | None = None

    def run(self, plan: Plan[T], on_status: OnStatus | None = None) -> T:
        """Run ``plan`` with blocking I/O and return its result.

        ``on_status`` (if given) is called with each session status the plan's waits see,
        after :attr:`observer`; an exception it raises propagates and ends the plan.
        """
        observer = status_observer(self.observer, on_status)
        return run_sync(plan, self.sender.send, self.sleep, self.clock, observer)

    async def run_async(self, plan: Plan[T], on_status: OnStatus | None = None) -> T:
        """Run ``plan`` on the running event loop and return its result.

        ``on_status`` as in :meth:`run`; a coroutine function is awaited.
        """
        sleep = self.async_sleep or _asyncio_sleep
        observer = status_observer(self.observer, on_status)
        await self.sender.warm_up_async()  # before the plan first runs: it imports the plans
        import asyncio  # loaded: a loop is running

        await take_turn(asyncio.get_running_loop())  # thousands of calls started at once queue
        return await run_async(plan, self.sender.send_async, sleep, self.clock, observer)
