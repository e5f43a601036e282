"""Showing a wait while it happens: a status line (or plain lines) fed by the SDK's own polls.

The SDK polls a session's status while it pauses, resumes or deletes it. The CLI does not poll a
second time to show progress: it hands the client an httpx transport that watches the answers
to the status requests the SDK already makes (:class:`StatusWatcher`), and a ``sleep`` that
animates a spinner while the SDK waits between polls (:meth:`Progress.sleep`). What the line
shows is exactly what the SDK saw.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TextIO

import httpx

__all__ = ["Progress", "StatusWatcher"]

# Status answers the SDK reads while it waits: session status, and context sync tasks.
_SESSION_STATUS_PATHS = ("/mcp/getSessionInfo", "/mcp/getSession")
_CONTEXT_STATUS_PATH = "/sdk/GetContextInfo"

_UNICODE_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_ASCII_FRAMES = "|/-\\"
_FRAME_SECONDS = 0.08


def _session_status(body: Any) -> str | None:
    data = body.get("data") if isinstance(body, dict) else None
    status = data.get("status") if isinstance(data, dict) else None
    if isinstance(status, str) and status:
        return status
    if isinstance(body, dict) and body.get("success") is False:
        code = str(body.get("code") or "")
        return "gone (not found)" if "notfound" in code.lower() else f"error {code}".strip()
    return None


def _context_status(body: Any) -> str | None:
    """A summary such as ``context sync: Running`` of a GetContextInfo answer."""
    data = body.get("data") if isinstance(body, dict) else None
    text = data.get("contextStatus") if isinstance(data, dict) else None
    if not isinstance(text, str):
        return None
    statuses: list[str] = []
    try:
        for item in json.loads(text or "[]"):
            inner = item.get("data") if isinstance(item, dict) else None
            rows = json.loads(inner) if isinstance(inner, str) else inner
            for row in rows if isinstance(rows, list) else []:
                if isinstance(row, dict) and isinstance(row.get("status"), str):
                    statuses.append(f"{row.get('taskType', 'task')} {row['status']}")
    except (ValueError, TypeError):
        return None
    return "context " + (", ".join(sorted(set(statuses))) if statuses else "no tasks")


class StatusWatcher(httpx.BaseTransport):
    """An httpx transport that reports the statuses in the SDK's status answers.

    It passes every request to ``inner`` unchanged and hands the answer back unchanged; for
    answers to the status and context-info requests it also calls ``on_status`` with the
    status they carry.

    Args:
        on_status: Called with each status seen (``"PAUSING"``, ``"context upload Running"``).
        inner: The transport that really sends (default: a new ``httpx.HTTPTransport``).
    """

    def __init__(
        self, on_status: Callable[[str], None], inner: httpx.BaseTransport | None = None
    ) -> None:
        self._on_status = on_status
        self._inner = inner if inner is not None else httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the inner transport, noting the status of its answer."""
        response = self._inner.handle_request(request)
        path = request.url.path
        if path.endswith(_SESSION_STATUS_PATHS):
            summarise = _session_status
        elif path.endswith(_CONTEXT_STATUS_PATH):
            summarise = _context_status
        else:
            return response
        try:
            raw = b"".join(response.iter_raw())
        except httpx.StreamConsumed:  # already read (e.g. a mock): look, hand it on as is
            self._note(summarise, response)
            return response
        finally:
            response.close()
        # A copy decodes the body (gzip and all) for us; the SDK gets the raw bytes.
        self._note(summarise, httpx.Response(200, headers=response.headers, content=raw))
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(raw),
            extensions=response.extensions,
            request=request,
        )

    def _note(self, summarise: Callable[[Any], str | None], response: httpx.Response) -> None:
        try:
            status = summarise(response.json())
        except ValueError:
            return
        if status:
            self._on_status(status)

    def close(self) -> None:
        """Close the inner transport."""
        self._inner.close()


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
