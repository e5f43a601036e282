"""What the emulator counts: requests per path, injected faults, internal errors."""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

from agb.emulator._operations import API_PATHS

#: The key that requests to paths no operation has are counted under, so that junk paths
#: (sent by anyone, even without a key) cannot grow the counters without bound.
OTHER_PATHS: Final = "(other paths)"


class Counters:
    """The counters behind ``GET /_emulator/stats``. Not thread-safe: the caller locks."""

    def __init__(self) -> None:
        """Start every counter at zero."""
        self.requests: Counter[str] = Counter()
        self.faults_injected: Counter[str] = Counter()
        self.internal_errors = 0

    def count_request(self, path: str) -> None:
        """Count one request to ``path`` (under :data:`OTHER_PATHS` unless an operation's)."""
        self.requests[path if path in API_PATHS else OTHER_PATHS] += 1

    def snapshot(self) -> dict[str, Any]:
        """The counters as the stats show them."""
        return {
            "requests": dict(self.requests),
            "totalRequests": sum(self.requests.values()),
            "faultsInjected": dict(self.faults_injected),
            "internalErrors": self.internal_errors,
        }
