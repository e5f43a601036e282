"""Showing a wait while it happens: a status line (or plain lines) fed by the SDK's own waits.

The SDK polls a session's status while it pauses, resumes or deletes it, and its waits report
each change they see to the client's runner (:attr:`agb.AGB.runner`). The CLI does not poll
a second time, nor read the wire itself: :meth:`Progress.observe` is that observer, and
:meth:`Progress.sleep` animates a spinner while the SDK waits between polls. What the line
shows is exactly what the SDK saw.

:meth:`Progress.on_status` has the shape of the public ``on_status(status, elapsed)`` callback
of ``pause``, ``resume``, ``delete`` and ``wait_for``, and :meth:`Progress.observe` hands every
session status to it: the CLI's line is fed exactly as a user's callback is, through the same
:class:`~agb._effects.Observed` path of the drivers (it also shows context task states, which
``on_status`` does not carry).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from agb._effects import Observed

__all__ = ["Progress", "describe"]

_UNICODE_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_ASCII_FRAMES = "|/-\\"
_FRAME_SECONDS = 0.08


def describe(observed: Observed) -> str:
    """What a progress line shows for ``observed``: ``PAUSING``, ``gone (not found)``,
    ``context upload Running``."""
    if observed.kind == "gone":
        return "gone (not found)"
    if observed.kind == "context":
        return f"context {observed.status}"
    return observed.status


class Progress:
    """A live status line on a terminal, or one plain line per status change elsewhere.

    Args:
        stream: Where to write (stdout for the demo, stderr for the session commands).
        live: Redraw one line with a spinner (for a terminal); otherwise print plain lines.
        indent: Prefix of every line.
        clock: Monotonic clock (tests may inject one).
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        live: bool,
        indent: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.live = live
        self.indent = indent
        self._clock = clock
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        self._frames = _UNICODE_FRAMES if encoding == "utf8" else _ASCII_FRAMES
        self._frame = 0
        self._label = ""
        self._status = ""
        self._started = 0.0
        self._active = False
        self._drawn = 0

    @classmethod
    def for_stream(cls, stream: TextIO, *, indent: str = "") -> Progress:
        """A progress display that is live when ``stream`` is a terminal."""
        try:
            live = stream.isatty()
        except (AttributeError, ValueError):  # no isatty, or a closed stream
            live = False
        return cls(stream, live=live, indent=indent)

    def start(self, label: str) -> None:
        """Begin showing a wait called ``label`` (e.g. ``"pausing s-1"``)."""
        self._label = label
        self._status = ""
        self._started = self._clock()
        self._active = True
        self._draw()

    def status(self, status: str) -> None:
        """Note the latest status seen; a plain display prints it when it changed."""
        if not self._active or status == self._status:
            return
        self._status = status
        if self.live:
            self._draw()
        else:
            elapsed = self._clock() - self._started
            self._write(f"{self.indent}{self._label}: {status} ({elapsed:.1f} s)\n")

    def on_status(self, status: str, elapsed: float) -> None:
        """Show a session status a wait saw: usable as the ``on_status`` callback of
        ``Session.pause``, ``resume``, ``delete`` and ``wait_for``. ``elapsed`` is the SDK's
        (seconds since the call began); the line shows its own clock's, which starts with
        :meth:`start`."""
        self.status(status)

    def observe(self, observed: Observed) -> None:
        """Show what a wait of the SDK saw (the runner's observer): session statuses through
        :meth:`on_status`, as a user's callback gets them; context task states as such."""
        if observed.kind == "context":
            self.status(describe(observed))
        else:
            self.on_status(describe(observed), observed.elapsed)

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` (the SDK's wait between polls), animating the line meanwhile."""
        if not (self._active and self.live):
            time.sleep(max(0.0, seconds))
            return
        end = self._clock() + max(0.0, seconds)
        while (left := end - self._clock()) > 0:
            time.sleep(min(_FRAME_SECONDS, left))
            self._frame += 1
            self._draw()

    def stop(self) -> None:
        """Stop showing the wait and clear the live line."""
        if self.live and self._drawn:
            self._write("\r" + " " * self._drawn + "\r")
        self._drawn = 0
        self._active = False

    def _draw(self) -> None:
        if not (self._active and self.live):
            return
        elapsed = self._clock() - self._started
        frame = self._frames[self._frame % len(self._frames)]
        status = self._status or "waiting"
        text = f"{self.indent}{frame} {self._label}: {status} ({elapsed:.1f} s)"
        self._write("\r" + text.ljust(self._drawn))
        self._drawn = len(text)

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
