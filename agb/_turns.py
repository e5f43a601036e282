"""Turns on the event loop: the SDK's own work never holds a loop for long at a stretch.

When many calls are in flight, their answers tend to arrive together (they were sent together,
and the network delays them alike), and each answer costs the SDK a few tenths of a millisecond
of CPU to read, check and turn into the next request. Run back to back, 50 answers hold the
loop 15-25 ms, during which nothing else in the program runs: the event-loop stall the
heartbeat benchmark measures (``scripts/bench_conditions.py stall``).

:meth:`Turns.take` is called before each such piece of work. Within a short budget of loop
time per burst it returns at once (no await, no cost); past it, the call queues and the loop
runs everything else that is ready (timers, other tasks, I/O) before the queue moves on, a few
calls per loop iteration, first come first served. Total work is unchanged; it is spread out.
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

__all__ = ["BUDGET_SECONDS", "Turns", "turns_for"]

BUDGET_SECONDS = 0.001
"""Loop time the SDK's calls may use back to back before they let the rest of the loop run."""

_FIRST_ESTIMATE = 0.0005  # seconds of one call's piece of work, until measured


class Turns:
    """Hands out turns on one event loop (see the module's docstring).

    Args:
        loop: The event loop.
        budget: Seconds of back-to-back work before others get the loop.
        clock: Where time is read from (seconds; injectable for tests).
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        budget: float = BUDGET_SECONDS,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._loop = loop
        self._budget = budget
        self._clock = clock
        self._since: float | None = None  # when the current burst began
        self._granted = 0  # turns given in the current burst
        self._estimate = _FIRST_ESTIMATE
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._scheduled = False

    @property
    def waiting(self) -> int:
        """How many calls wait for a turn."""
        return len(self._waiting)

    def take(self) -> asyncio.Future[None] | None:
        """A turn for one piece of work.

        Returns:
            ``None`` when the work may run now; else a future to await first (its result comes
            after the loop has run what else was ready).
        """
        if not self._waiting:
            now = self._clock()
            if self._since is None:
                self._since = now
                self._granted = 1
                self._schedule()
                return None
            if now - self._since < self._budget:
                self._granted += 1
                return None
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._waiting.append(waiter)
        self._schedule()
        return waiter

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._next)

    def _next(self) -> None:
        """Runs once the loop has had an iteration: the burst is over; let a few waiters go."""
        self._scheduled = False
        now = self._clock()
        if self._since is not None and self._granted:
            # What a turn costs, from the last burst (an over-estimate: it includes whatever
            # else ran meanwhile, which only makes the next batch smaller).
            spent = (now - self._since) / self._granted
            self._estimate = 0.8 * self._estimate + 0.2 * spent
        self._since = None
        self._granted = 0
        batch = max(1, int(self._budget / max(self._estimate, 1e-6)))
        woken = 0
        while self._waiting and woken < batch:
            waiter = self._waiting.popleft()
            if waiter.done():  # its call was cancelled
                continue
            waiter.set_result(None)
            woken += 1
        if woken:
            # The woken run in the next iteration, before this is called again: their burst.
            self._since = now
            self._granted = woken
            self._schedule()
        elif self._waiting:
            self._schedule()


_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Turns] = weakref.WeakKeyDictionary()


def turns_for(loop: asyncio.AbstractEventLoop) -> Turns:
    """The turns of ``loop`` (created on first use, forgotten with the loop).

    Args:
        loop: A running event loop.

    Returns:
        Its :class:`Turns`.
    """
    turns = _TURNS.get(loop)
    if turns is None:
        turns = _TURNS[loop] = Turns(loop)
    return turns


async def take_turn(loop: asyncio.AbstractEventLoop) -> None:
    """Wait for a turn on ``loop`` if the SDK has used its budget (see :class:`Turns`).

    Args:
        loop: The running event loop.
    """
    waiter = turns_for(loop).take()
    if waiter is not None:
        await waiter
