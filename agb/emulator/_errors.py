"""The one exception the emulator raises for a request it refuses."""

from __future__ import annotations


class ApiError(Exception):
    """A request the emulator refuses: becomes an error envelope with this status and code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        """Create the error answered with HTTP ``status``, envelope ``code`` and ``message``."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid(message: str) -> ApiError:
    """A 400 ``InvalidParameter`` error."""
    return ApiError(400, "InvalidParameter", message)
