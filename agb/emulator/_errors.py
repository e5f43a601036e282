"""The one exception the emulator raises for a request it refuses."""

from __future__ import annotations

from collections.abc import Mapping


class ApiError(Exception):
    """A request the emulator refuses: becomes an error envelope with this status and code."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        """Create the error answered with HTTP ``status``, envelope ``code`` and ``message``.

        ``headers`` are added to the answer (``Connection: close`` when the rest of the request
        is not worth reading).
        """
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def invalid(message: str) -> ApiError:
    """A 400 ``InvalidParameter`` error."""
    return ApiError(400, "InvalidParameter", message)
