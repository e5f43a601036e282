"""pytest fixtures for code tested against the emulator.

Enable with ``pytest_plugins = ["agb.emulator.pytest_plugin"]`` in a root ``conftest.py`` (or
``-p agb.emulator.pytest_plugin``), then::

    from agb import AGB, Config

    def test_pause(agb_emulator, agb_emulator_clock):
        client = AGB(
            api_key=agb_emulator.api_key,
            cfg=Config(endpoint=agb_emulator.base_url, timeout_ms=10_000),
            clock=agb_emulator_clock,
            sleep=agb_emulator_clock.advance,   # waits move the emulator's time, nothing sleeps
        )
        ...

Override ``agb_emulator_config`` in a test module to change the configuration.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agb.emulator._clock import ManualClock
from agb.emulator._config import EmulatorConfig
from agb.emulator._server import RunningEmulator, serve


@pytest.fixture
def agb_emulator_clock() -> ManualClock:
    """The clock of the ``agb_emulator`` fixture's server."""
    return ManualClock()


@pytest.fixture
def agb_emulator_config(agb_emulator_clock: ManualClock) -> EmulatorConfig:
    """Key ``test-key``, seeded ids, time on ``agb_emulator_clock``, default transitions."""
    return EmulatorConfig(api_key="test-key", seed=0, clock=agb_emulator_clock)


@pytest.fixture
def agb_emulator(agb_emulator_config: EmulatorConfig) -> Iterator[RunningEmulator]:
    """An emulator on a free loopback port for the test; see :func:`agb.emulator.serve`."""
    with serve(agb_emulator_config) as server:
        yield server
