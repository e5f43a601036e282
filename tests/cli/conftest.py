"""Fixtures of the CLI tests: one fast emulator on loopback, and a runner pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agb.emulator import EmulatorConfig, RunningEmulator, serve
from tests.support.cli import API_KEY, FAST, Agb
from tests.support.emulator import emptied


@pytest.fixture(scope="session")
def running() -> Iterator[RunningEmulator]:
    with serve(EmulatorConfig(api_key=API_KEY, **FAST)) as server:
        yield server


@pytest.fixture
def emu(running: RunningEmulator) -> Iterator[RunningEmulator]:
    """The shared emulator, emptied for this test."""
    with emptied(running) as server:
        yield server


@pytest.fixture
def agb(emu: RunningEmulator) -> Agb:
    """``agb`` pointed at the emulator through the environment, as a user would set it."""
    return Agb({"AGB_ENDPOINT": emu.base_url, "AGB_API_KEY": API_KEY, "AGB_TIMEOUT_MS": None})
