"""The one test clock: a manual clock that moves only when something sleeps on it (or is told to).

It is the emulator's :class:`agb.emulator.ManualClock` (so an emulator can run on it) with the
``sleep`` / ``async_sleep`` an AGB takes: each records the wait asked for and moves the clock, so
the SDK's waits move the emulator's time too and nothing sleeps for real.
"""

from __future__ import annotations

import asyncio
from typing import Any

from agb.emulator import ManualClock


class FakeClock(ManualClock):
    """A :class:`ManualClock` reading ``start`` that the SDK's sleeps advance.

    Attributes:
        start: The first reading.
        sleeps: Every wait asked for through :meth:`sleep` / :meth:`async_sleep`, in order.
    """

    def __init__(self, start: float = 1000.0) -> None:
        super().__init__(start)
        self.start = start
        self.sleeps: list[float] = []

    @property
    def now(self) -> float:
        return self()

    @now.setter
    def now(self, value: float) -> None:
        self.advance(value - self())

    @property
    def elapsed(self) -> float:
        return self() - self.start

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"asked to sleep {seconds!r}"
        self.sleeps.append(seconds)
        self.advance(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)

    def agb_kwargs(self) -> dict[str, Any]:
        """``clock`` / ``sleep`` / ``async_sleep`` for an ``AGB(...)`` that waits on this clock."""
        return {"clock": self, "sleep": self.sleep, "async_sleep": self.async_sleep}
