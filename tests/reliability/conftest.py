"""Fixtures of the reliability suites: real emulators on loopback, driven over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agb.emulator import EmulatorConfig, RunningEmulator
from tests.support.clock import FakeClock
from tests.support.emulator import API_KEY, Served, Sockets, emptied, serve_observed


@pytest.fixture(scope="module")
def module_clock() -> FakeClock:
    return FakeClock(0.0)


@pytest.fixture(scope="module")
def served(module_clock: FakeClock) -> Iterator[Served]:
    """One emulator per module, on a manual clock (1 s transitions, old status shown 0.2 s)."""
    config = EmulatorConfig(
        api_key=API_KEY, clock=module_clock, seed=7, transition_seconds=1.0, stale_seconds=0.2
    )
    with serve_observed(config) as observed:
        yield observed


@pytest.fixture(scope="module")
def running(served: Served) -> RunningEmulator:
    return served.running


@pytest.fixture
def server(served: Served) -> Iterator[RunningEmulator]:
    """The module's emulator, emptied for this test; no input may crash it.

    Before its counters are read, the server has finished every request of this test (one the
    client gave up on is still answered after the test's last line), so a request can neither
    escape the check nor spill into the next test's counters.
    """
    served.wait_until_quiet()
    with emptied(served.running, quiet=served.wait_until_quiet) as server:
        yield server


@pytest.fixture
def sockets(server: RunningEmulator) -> Sockets:
    """This test's client sockets to the emulator (none that an earlier test left behind)."""
    return Sockets(server.port)


@pytest.fixture
def clock(server: RunningEmulator, module_clock: FakeClock) -> FakeClock:
    return module_clock
