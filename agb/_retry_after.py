"""How long a failed answer asks the caller to wait (``Retry-After``, ``retry-after-ms``)."""

from __future__ import annotations

import email.utils
import math
import time

import httpx

__all__ = ["retry_after_seconds"]


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """Seconds the answer asks to wait: ``retry-after-ms``, else ``Retry-After`` (seconds or
    an HTTP date); ``None`` when absent or unreadable (never raises, whatever the header)."""
    try:
        millis = headers.get("retry-after-ms", "").strip()
        value = headers.get("retry-after", "").strip()
    except (UnicodeDecodeError, ValueError):
        return None
    seconds: float | None = None
    if millis:
        seconds = _number(millis)
        seconds = None if seconds is None else seconds / 1000.0
    if seconds is None and value:
        seconds = _number(value)
        if seconds is None and "," in value and len(value) < 64:
            try:
                parsed = email.utils.parsedate_to_datetime(value)
                seconds = parsed.timestamp() - time.time()
            except (ValueError, TypeError, OverflowError, IndexError, AttributeError):
                return None
    if seconds is None or not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _number(text: str) -> float | None:
    if len(text) > 32:
        return None
    try:
        return float(text)
    except ValueError:
        return None
