"""The pytest fixtures that ship with the emulator."""

from __future__ import annotations

import httpx
from emu_helpers import Wire, assert_ok

from agb.emulator import ManualClock, RunningEmulator
from agb.emulator.pytest_plugin import agb_emulator, agb_emulator_clock, agb_emulator_config

__all__ = ["agb_emulator", "agb_emulator_clock", "agb_emulator_config"]


def test_the_fixture_serves_with_a_manual_clock(
    agb_emulator: RunningEmulator, agb_emulator_clock: ManualClock
) -> None:
    assert agb_emulator.api_key == "test-key"
    with httpx.Client(base_url=agb_emulator.base_url, headers=agb_emulator.auth_headers) as c:
        wire = Wire(c)
        sid = wire.create_id()
        assert_ok(wire.pause(sid))
        agb_emulator_clock.advance(agb_emulator.config.transition_seconds)
        assert wire.status(sid) == "PAUSED"
