"""Cancelling a wait over real HTTP: it ends at once, sends nothing more, and the pool stays usable.

The emulator's clock stands still, so a pause never completes by itself: the SDK keeps polling
(real ``asyncio.sleep`` of 20 ms) until the test cancels it.
"""

from __future__ import annotations

import asyncio

import pytest
from reliability_kit import client_sockets_to, create_sessions, eventually, make_agb, manual_sleeps

from agb import Session
from agb.emulator import ManualClock, RunningEmulator

INTERVAL = 0.02


def _polls(server: RunningEmulator) -> int:
    return int(server.emulator.stats()["requests"].get("/mcp/getSession", 0))


async def _cancel_when(server: RunningEmulator, task: asyncio.Task[object], polls: int) -> None:
    assert await eventually(lambda: _polls(server) >= polls), "the wait never started polling"
    assert not task.done()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    assert task in done
    assert task.cancelled()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _pool_still_works(server: RunningEmulator, session: Session) -> None:
    results = await asyncio.gather(*(session.get_status_async() for _ in range(20)))
    assert all(r.success for r in results), results
    assert {r.status for r in results} <= {"RUNNING", "PAUSING"}  # the clock stands still
    pool = session.agb._transport.async_client()._transport._pool  # type: ignore[attr-defined]
    assert all(c.is_idle() for c in pool.connections)
    assert client_sockets_to(server.port) <= len(pool.connections)


async def test_cancel_between_polls(server: RunningEmulator) -> None:
    agb = make_agb(server)
    session = Session(agb, create_sessions(server, 1)[0])
    task = asyncio.ensure_future(session.pause_async(timeout=60, poll_interval=INTERVAL))

    await _cancel_when(server, task, polls=3)

    polls = _polls(server)
    await asyncio.sleep(5 * INTERVAL)
    assert _polls(server) == polls, "a cancelled wait sends nothing more"
    assert server.emulator.stats()["requests"]["/mcp/pauseSessionAsync"] == 1
    await _pool_still_works(server, session)
    await agb.aclose()
    assert await eventually(lambda: client_sockets_to(server.port) == 0)


async def test_cancel_during_a_status_request(server: RunningEmulator) -> None:
    """Cancelled while a poll waits for its (slow) answer: the connection is given up, not kept
    half-read in the pool."""
    agb = make_agb(server)
    session = Session(agb, create_sessions(server, 1)[0])
    server.emulator.faults.add("slow", path="/mcp/getSession", skip=2, seconds=1.0)
    task = asyncio.ensure_future(session.pause_async(timeout=60, poll_interval=INTERVAL))

    await _cancel_when(server, task, polls=3)  # the third poll is the slow one

    await _pool_still_works(server, session)
    await agb.aclose()
    assert await eventually(lambda: client_sockets_to(server.port) == 0)


def test_keyboard_interrupt_in_a_sync_wait_propagates(
    server: RunningEmulator, clock: ManualClock
) -> None:
    """The sync twin: an interrupt during the wait's sleep escapes, and the client still works."""
    sleeps = manual_sleeps(clock)
    naps = 0

    def sleep(seconds: float) -> None:
        nonlocal naps
        naps += 1
        if naps == 2:
            raise KeyboardInterrupt
        sleeps["sleep"](seconds)

    agb = make_agb(server, clock=None, sleep=sleep)
    session = Session(agb, create_sessions(server, 1)[0])
    with pytest.raises(KeyboardInterrupt):
        session.pause(timeout=60, poll_interval=0.5)
    assert server.emulator.stats()["requests"]["/mcp/pauseSessionAsync"] == 1
    assert session.get_status().success
    agb.close()
    assert client_sockets_to(server.port) == 0
