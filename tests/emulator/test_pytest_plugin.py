"""The pytest fixtures that ship with the emulator."""

from __future__ import annotations

import textwrap

import httpx
import pytest

from agb import AGB, Config
from agb.emulator import ManualClock, RunningEmulator
from agb.emulator.pytest_plugin import (
    FAST_SECONDS,
    agb_emulator,
    agb_emulator_clock,
    agb_emulator_config,
    agb_emulator_manual,
    agb_emulator_manual_config,
    agb_emulator_network,
)
from agb.session_params import CreateSessionParams
from tests.support.wire import Wire, assert_ok

pytest_plugins = ["pytester"]
__all__ = [
    "agb_emulator",
    "agb_emulator_clock",
    "agb_emulator_config",
    "agb_emulator_manual",
    "agb_emulator_manual_config",
    "agb_emulator_network",
]


def test_the_manual_fixture_serves_with_a_manual_clock(
    agb_emulator_manual: RunningEmulator, agb_emulator_clock: ManualClock
) -> None:
    assert agb_emulator_manual.api_key == "test-key"
    assert agb_emulator_manual.config.clock is agb_emulator_clock
    base_url, headers = agb_emulator_manual.base_url, agb_emulator_manual.auth_headers
    with httpx.Client(base_url=base_url, headers=headers) as c:
        wire = Wire(c)
        sid = wire.create_id()
        assert_ok(wire.pause(sid))
        assert wire.status(sid) == "PAUSING"  # time stands still
        agb_emulator_clock.advance(agb_emulator_manual.config.transition_seconds)
        assert wire.status(sid) == "PAUSED"


def test_the_default_fixture_runs_on_real_time_with_fast_transitions(
    agb_emulator: RunningEmulator,
) -> None:
    config = agb_emulator.config
    assert not isinstance(config.clock, ManualClock)
    assert config.transition_seconds == FAST_SECONDS == config.context_sync_seconds
    assert config.stale_seconds == 0


def _client(server: RunningEmulator) -> AGB:
    # What agent code under test does: a plain AGB, real clock, real sleeps.
    return AGB(api_key=server.api_key, cfg=Config(endpoint=server.base_url, timeout_ms=5000))


def test_a_plain_agb_completes_its_waits_against_the_default_fixture(
    agb_emulator: RunningEmulator,
) -> None:
    with _client(agb_emulator) as agb:
        session = agb.create(CreateSessionParams(image_id="img")).session
        assert session is not None
        paused = session.pause(timeout=5, poll_interval=0.02)
        assert paused.success, paused.error_message
        assert paused.status == "PAUSED"
        assert session.resume(timeout=5, poll_interval=0.02).success
        assert session.delete(timeout=5, poll_interval=0.02).success


async def test_a_plain_agb_completes_its_waits_against_the_default_fixture_async(
    agb_emulator: RunningEmulator,
) -> None:
    async with _client(agb_emulator) as agb:
        session = (await agb.create_async(CreateSessionParams(image_id="img"))).session
        assert session is not None
        paused = await session.pause_async(timeout=5, poll_interval=0.02)
        assert paused.success, paused.error_message
        assert paused.status == "PAUSED"
        assert (await session.resume_async(timeout=5, poll_interval=0.02)).success
        assert (await session.delete_async(timeout=5, poll_interval=0.02)).success


def test_asking_for_the_clock_with_the_real_time_fixture_is_an_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        textwrap.dedent(
            """
            def test_trap(agb_emulator, agb_emulator_clock):
                pass
            """
        )
    )
    result = pytester.runpytest_inprocess(
        "-p",
        "agb.emulator.pytest_plugin",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*use agb_emulator_manual with agb_emulator_clock*"])


def test_a_network_profile_with_an_unknown_field_is_an_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.parametrize("agb_emulator_network", [{"latency": 40}])
            def test_typo(agb_emulator):
                pass
            """
        )
    )
    result = pytester.runpytest_inprocess(
        "-p", "agb.emulator.pytest_plugin", "-p", "no:cacheprovider", "-o", "addopts=",
        "-o", "asyncio_default_fixture_loop_scope=function",
    )  # fmt: skip
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*TypeError: agb_emulator_network has no field*'latency'*"])
