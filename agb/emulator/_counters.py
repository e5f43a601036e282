"""What the emulator counts: requests per path, injected faults, internal errors."""

from __future__ import annotations

from collections import Counter
from typing import Any


class Counters:
    """The counters behind ``GET /_emulator/stats``. Not thread-safe: the caller locks."""

    def __init__(self) -> None:
        """Start every counter at zero."""
        self.requests: Counter[str] = Counter()
        self.faults_injected: Counter[str] = Counter()
        self.internal_errors = 0

    def count_request(self, path: str) -> None:
        """Count one request to ``path``."""
        self.requests[path] += 1

    def snapshot(self) -> dict[str, Any]:
        """The counters as the stats show them."""
        return {
            "requests": dict(self.requests),
            "totalRequests": sum(self.requests.values()),
            "faultsInjected": dict(self.faults_injected),
            "internalErrors": self.internal_errors,
        }
