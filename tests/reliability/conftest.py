"""Fixtures of the reliability suites: real emulators on loopback, driven over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from reliability_kit import API_KEY

from agb.emulator import EmulatorConfig, ManualClock, RunningEmulator, serve


@pytest.fixture(scope="module")
def module_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def running(module_clock: ManualClock) -> Iterator[RunningEmulator]:
    """One emulator per module, on a manual clock (1 s transitions, old status shown 0.2 s)."""
    config = EmulatorConfig(
        api_key=API_KEY, clock=module_clock, seed=7, transition_seconds=1.0, stale_seconds=0.2
    )
    with serve(config) as server:
        yield server


@pytest.fixture
def server(running: RunningEmulator) -> Iterator[RunningEmulator]:
    """The module's emulator, emptied for this test; no input may crash it."""
    running.emulator.reset()
    yield running
    running.emulator.faults.clear()
    assert running.emulator.stats()["internalErrors"] == 0


@pytest.fixture
def clock(server: RunningEmulator, module_clock: ManualClock) -> ManualClock:
    return module_clock
