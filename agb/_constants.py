"""Values the facade and the CLI share: wait defaults and the code of refused arguments."""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_CREATE_TIMEOUT",
    "DEFAULT_DELETE_POLL_INTERVAL",
    "DEFAULT_DELETE_TIMEOUT",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_WAIT_TIMEOUT",
    "INVALID_PARAMETER",
]

DEFAULT_WAIT_TIMEOUT: Final = 600
"""Seconds ``pause`` and ``resume`` wait in all."""
DEFAULT_POLL_INTERVAL: Final = 2.0
"""Seconds between status polls of ``pause``, ``resume`` and ``create``'s context downloads."""
DEFAULT_CREATE_TIMEOUT: Final = 300.0
"""Seconds ``create`` waits for the downloads of its contexts."""
DEFAULT_DELETE_TIMEOUT: Final = 300.0
"""Seconds each wait of ``delete`` (context sync, deletion) may take."""
DEFAULT_DELETE_POLL_INTERVAL: Final = 1.0
"""Seconds between polls of ``delete``."""

INVALID_PARAMETER: Final = "InvalidParameter"
"""The ``code`` of a result whose argument was refused (by the SDK before sending, or by the
service: it uses the same code)."""
