"""The network profile: how long answers and new connections are held back."""

from __future__ import annotations

import random

from agb.emulator._config import EmulatorConfig


class NetworkProfile:
    """Delays drawn from an emulator's ``latency_ms``, ``connect_latency_ms`` and ``jitter_ms``.

    The jitter comes from a generator seeded by the configuration's ``seed``.
    """

    def __init__(self, config: EmulatorConfig) -> None:
        """Read the profile of ``config``."""
        self._answer = config.latency_ms / 1000
        self._connect = config.connect_latency_ms / 1000
        self._jitter = config.jitter_ms / 1000
        seed = config.seed
        self._rng = random.Random(None if seed is None else f"agb-emulator:{seed}:network")

    @property
    def delays_answers(self) -> bool:
        """Whether answers are held back at all."""
        return self._answer > 0 or self._jitter > 0

    def answer_delay(self) -> float:
        """Seconds to hold back one answer."""
        return self._answer + self._draw()

    def connect_delay(self) -> float:
        """Seconds to hold back the first request of a new connection (0: none)."""
        return self._connect + self._draw() if self._connect > 0 else 0.0

    def _draw(self) -> float:
        return self._rng.uniform(0, self._jitter) if self._jitter > 0 else 0.0
