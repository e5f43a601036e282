"""Cancelling a wait over real HTTP: it ends at once, sends nothing more, and the client stays
usable, its async pool and its sync twin (the only cancellation tests: the facade suite has none).

Each test cancels at one known point, never at whatever point a race reaches: between two polls
(the SDK's own sleep, replaced here by one that tells the test it started and then never ends),
or while a poll waits for its answer (the emulator holds that answer until the test lets it go).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from agb import Session
from agb._aiohttp import AiohttpTransport
from agb._sharded import ShardedTransport
from agb.emulator import RunningEmulator
from agb.emulator import _app as emulator_app
from tests.support.clock import FakeClock
from tests.support.emulator import Sockets, create_sessions, emulator_agb, eventually

INTERVAL = 0.02


def _polls(server: RunningEmulator) -> int:
    return int(server.emulator.stats()["requests"].get("/mcp/getSession", 0))


async def _cancel(task: asyncio.Task[object]) -> None:
    assert not task.done()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    assert task in done
    assert task.cancelled()
    with pytest.raises(asyncio.CancelledError):
        await task
    # Nothing of the wait lives on to send a request later: no task but this test's own.
    assert asyncio.all_tasks() == {asyncio.current_task()}


# Each async transport the SDK can use: its own default (aiohttp, installed with the dev
# extra), httpx split into pools (the default without aiohttp), and httpx's own.
TRANSPORTS = ["aiohttp", "sharded", "httpx"]


@pytest.fixture(params=TRANSPORTS)
def wire(request: pytest.FixtureRequest, server: RunningEmulator) -> dict[str, Any]:
    """``AGB`` arguments choosing one async transport."""
    if request.param == "aiohttp":
        return {"async_transport": AiohttpTransport(max_connections=100)}
    if request.param == "sharded":
        return {"async_transport": ShardedTransport(server.base_url, 100)}
    return {"async_transport": httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=100))}


def _connections(transport: object) -> tuple[int, int]:
    """(connections open, of which busy) in the running loop's pools of ``transport``."""
    loop = id(asyncio.get_running_loop())
    if isinstance(transport, AiohttpTransport):
        connector: Any = transport._sessions[loop][1].connector
        idle = sum(len(kept) for kept in connector._conns.values())
        busy = len(connector._acquired)
        return idle + busy, busy
    pools = transport._loops[loop].pools if isinstance(transport, ShardedTransport) else [transport]
    conns = [c for pool in pools for c in pool._pool.connections]  # type: ignore[attr-defined]
    return len(conns), sum(not c.is_idle() for c in conns)


async def _pool_still_works(sockets: Sockets, session: Session) -> None:
    results = await asyncio.gather(*(session.get_status_async() for _ in range(20)))
    assert all(r.success for r in results), results
    assert {r.status for r in results} <= {"RUNNING", "PAUSING"}  # the clock stands still
    guard = session.agb._transport.async_client()._transport  # type: ignore[attr-defined]
    open_, busy = _connections(guard.inner)
    assert busy == 0, "a connection is still held after the calls ended"
    assert 0 < sockets.open() <= open_


async def test_cancel_between_polls(
    server: RunningEmulator, sockets: Sockets, wire: dict[str, Any]
) -> None:
    napping = asyncio.Event()
    naps = 0
    polls_when_napping = -1

    async def sleep(seconds: float) -> None:
        nonlocal naps, polls_when_napping
        assert seconds == pytest.approx(INTERVAL)
        naps += 1
        if naps < 4:  # the first nap comes before the first poll
            await asyncio.sleep(0)
            return
        polls_when_napping = _polls(server)
        napping.set()
        await asyncio.Event().wait()  # until cancelled

    agb = emulator_agb(server, async_sleep=sleep, **wire)
    session = Session(agb, create_sessions(server, 1)[0])
    task = asyncio.ensure_future(session.pause_async(timeout=60, poll_interval=INTERVAL))

    await asyncio.wait_for(napping.wait(), timeout=10)
    await _cancel(task)

    assert polls_when_napping >= 3
    assert _polls(server) == polls_when_napping, "a cancelled wait sends nothing more"
    assert server.emulator.stats()["requests"]["/mcp/pauseSessionAsync"] == 1
    await _pool_still_works(sockets, session)
    assert session.get_status().success, "the sync twin works too"
    await agb.aclose()
    assert await eventually(lambda: sockets.open() == 0)


async def test_cancel_during_a_status_request(
    server: RunningEmulator, sockets: Sockets, monkeypatch: pytest.MonkeyPatch, wire: dict[str, Any]
) -> None:
    """Cancelled while a poll waits for its (held) answer: the connection is given up, not kept
    half-read in the pool."""
    held, release = threading.Event(), threading.Event()

    async def hold(seconds: float) -> None:  # the emulator's slow fault, on the server's loop
        held.set()
        await asyncio.to_thread(release.wait, 10)

    monkeypatch.setattr(emulator_app, "_sleep", hold)
    agb = emulator_agb(server, **wire)
    session = Session(agb, create_sessions(server, 1)[0])
    server.emulator.faults.add("slow", path="/mcp/getSession", skip=2, seconds=1.0)
    task = asyncio.ensure_future(session.pause_async(timeout=60, poll_interval=INTERVAL))
    try:
        assert await asyncio.to_thread(held.wait, 10), "the third poll never reached the server"
        assert _polls(server) == 3
        await _cancel(task)
    finally:
        release.set()

    assert server.emulator.stats()["faultsInjected"] == {"slow": 1}
    await _pool_still_works(sockets, session)
    assert session.get_status().success, "the sync twin works too"
    await agb.aclose()
    assert await eventually(lambda: sockets.open() == 0)


def test_keyboard_interrupt_in_a_sync_wait_propagates(
    server: RunningEmulator, clock: FakeClock, sockets: Sockets
) -> None:
    """The sync twin: an interrupt during the wait's sleep escapes, and the client still works."""
    naps = 0

    def sleep(seconds: float) -> None:
        nonlocal naps
        naps += 1
        if naps == 2:
            raise KeyboardInterrupt
        clock.sleep(seconds)

    agb = emulator_agb(server, clock=None, sleep=sleep)
    session = Session(agb, create_sessions(server, 1)[0])
    with pytest.raises(KeyboardInterrupt):
        session.pause(timeout=60, poll_interval=0.5)
    assert server.emulator.stats()["requests"]["/mcp/pauseSessionAsync"] == 1
    assert session.get_status().success
    agb.close()
    assert sockets.open() == 0
