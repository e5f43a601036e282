"""The runner: what an :class:`~agb.AGB` and its sessions need to carry out a plan."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from attrs import define, field

from agb._effects import Call, Observer, Plan, run_async, run_sync
from agb._retry import RetryPolicy

if TYPE_CHECKING:
    from agb._envelope import Reply

__all__ = ["Runner", "Sender"]

T = TypeVar("T")


class Sender(Protocol):
    """What sends a :class:`~agb._effects.Call` (``agb._sender.HTTPSender``, or a fake)."""

    def send(self, call: Call) -> Reply:
        """Send ``call`` with blocking I/O."""

    async def send_async(self, call: Call) -> Reply:
        """Send ``call`` on the running event loop."""


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

    def run(self, plan: Plan[T]) -> T:
        """Run ``plan`` with blocking I/O and return its result."""
        return run_sync(plan, self.sender.send, self.sleep, self.clock, self.observer)

    async def run_async(self, plan: Plan[T]) -> T:
        """Run ``plan`` on the running event loop and return its result."""
        sleep = self.async_sleep or _asyncio_sleep
        return await run_async(plan, self.sender.send_async, sleep, self.clock, self.observer)
