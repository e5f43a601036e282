"""A clock that only moves when told to, so tests can drive the emulator's time."""

from __future__ import annotations

import math
import threading


class ManualClock:
    """A monotonic clock for tests: it reads ``start`` until :meth:`advance` moves it.

    Pass it as ``EmulatorConfig(clock=ManualClock())`` and call ``clock.advance(1.5)`` instead of
    sleeping; every session transition the emulator computes from the clock follows at once.
    Reading and advancing are thread-safe.
    """

    def __init__(self, start: float = 0.0) -> None:
        """Create a clock that reads ``start`` (a finite number) until it is advanced."""
        if not math.isfinite(start):
            raise ValueError(f"a clock starts at a finite reading, got {start!r}")
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        """Return the current reading, in seconds."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (>= 0) and return the new reading.

        Raises:
            ValueError: ``seconds`` is negative or NaN, or the reading would not be finite.
        """
        if not seconds >= 0:  # also rejects NaN
            raise ValueError(f"a clock only moves forward; got {seconds!r} seconds")
        with self._lock:
            now = self._now + float(seconds)
            if not math.isfinite(now):
                raise ValueError(f"advancing by {seconds!r} s would take the clock past any time")
            self._now = now
            return now

    def __repr__(self) -> str:
        return f"ManualClock(now={self():.6f})"
