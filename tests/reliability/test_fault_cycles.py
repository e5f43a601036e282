"""100 pause/resume cycles against a real emulator with 20% of requests given a random fault.

The emulator's own ``fault_rate`` (seeded, so every run is the same) picks 503, 429 with
Retry-After, HTML 500 pages, dropped connections and slow answers, on every API path: on the
status polls *and* on the pause/resume POSTs. The clock is a FakeClock moved by the SDK's
injected sleeps, so waits, backoffs and Retry-After take no real time.

How a fault on the pause/resume POST is met (issue 13): a 429 says the service did not act,
so the POST is sent again after Retry-After. A 503 without Retry-After, an HTML 500 or a
dropped connection leave its fate unknown: the SDK reads the session's status one interval
later and sends the POST again only when the status shows it was not acted on (these faults
are answered before the emulator acts, so it always finds the old status). Every call must
succeed at once (100 of 100 cycles, sync and async), each extra POST must come with a status
read before it and ``reconciled=True`` in the result, and the reconciliations are counted and
printed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

import agb.emulator._app as emulator_app
from agb import Session
from agb._waits import MAX_RESENDS
from agb.emulator import RANDOM_FAULT_KINDS, EmulatorConfig, RunningEmulator, serve
from tests.support.clock import FakeClock
from tests.support.emulator import (
    API_KEY,
    AsyncRecordingTransport,
    RecordingTransport,
    create_sessions,
    emulator_agb,
)

CYCLES = 100
SESSIONS = 10
FAULT_RATE = 0.2
SEED = 20240607
TIMEOUT = 60.0
INTERVAL = 0.5
PATHS = {True: "/mcp/pauseSessionAsync", False: "/mcp/resumeSessionAsync"}
TARGET = {True: "PAUSED", False: "RUNNING"}


@pytest.fixture
def faulty(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RunningEmulator, FakeClock]]:
    """An emulator answering 20% of API requests with a random fault; slow = 2 ms of real time."""
    real_sleep = asyncio.sleep

    async def tiny_sleep(seconds: float) -> None:
        await real_sleep(0.002)

    monkeypatch.setattr(emulator_app, "_sleep", tiny_sleep)
    clock = FakeClock(0.0)
    config = EmulatorConfig(
        api_key=API_KEY,
        clock=clock,
        seed=SEED,
        fault_rate=FAULT_RATE,
        transition_seconds=1.0,
        stale_seconds=0.2,
        retry_after_seconds=1,
    )
    with serve(config) as server:
        yield server, clock
        assert server.emulator.stats()["internalErrors"] == 0


def _check_done(result: Any, pause: bool, status_now: str | None) -> None:
    assert result.status == TARGET[pause], result
    assert 0 < result.elapsed <= TIMEOUT
    assert status_now == TARGET[pause]
    assert result.request_id


def _summary(server: RunningEmulator, reconciled: int, posts: int, calls: int) -> None:
    stats = server.emulator.stats()
    injected = stats["faultsInjected"]
    share = sum(injected.values()) / stats["totalRequests"]
    # The seed makes this exact; the bounds only say the test really ran under ~20% faults.
    assert 0.12 < share < 0.28, stats
    assert set(injected) == set(RANDOM_FAULT_KINDS), injected
    assert reconciled > 0, "some pause/resume POSTs should have met a fault that hid their fate"
    pause_posts = stats["requests"]["/mcp/pauseSessionAsync"]
    resume_posts = stats["requests"]["/mcp/resumeSessionAsync"]
    assert pause_posts + resume_posts == posts
    assert posts > calls  # some POSTs were sent again (429s, reconciliations)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_pause_resume_cycles_under_faults(
    faulty: tuple[RunningEmulator, FakeClock], mode: str
) -> None:
    server, clock = faulty
    transport: RecordingTransport | AsyncRecordingTransport
    if mode == "sync":
        transport = RecordingTransport()
        agb = emulator_agb(server, clock=clock, transport=transport)
    else:
        transport = AsyncRecordingTransport()
        agb = emulator_agb(server, clock=clock, async_transport=transport)

    async def call(session: Session, pause: bool) -> Any:
        name = "pause" if pause else "resume"
        if mode == "sync":
            return getattr(session, name)(timeout=TIMEOUT, poll_interval=INTERVAL)
        return await getattr(session, f"{name}_async")(timeout=TIMEOUT, poll_interval=INTERVAL)

    sessions = [Session(agb, sid) for sid in create_sessions(server, SESSIONS)]
    calls = posts = reconciled = 0
    succeeded = 0
    for cycle in range(CYCLES):
        session = sessions[cycle % SESSIONS]
        done = True
        for pause in (True, False):
            before = transport.count(PATHS[pause], session.session_id)
            result = await call(session, pause)
            calls += 1
            sent = transport.count(PATHS[pause], session.session_id) - before
            posts += sent
            reconciled += result.reconciled
            now = server.emulator.status_of(session.session_id)
            assert result.success, (cycle, PATHS[pause], result)
            _check_done(result, pause, now)
            # Never more than the first POST and MAX_RESENDS more after status reads, plus the
            # retries of answers that say the service did not act (429).
            assert 1 <= sent <= 1 + MAX_RESENDS + 2 * (1 + MAX_RESENDS), (cycle, sent)
            done = done and result.success
        succeeded += done
    await agb.aclose()
    print(
        f"\n{mode}: {succeeded} of {CYCLES} pause+resume cycles succeeded at "
        f"{FAULT_RATE:.0%} faults; {reconciled} of {calls} calls reconciled; "
        f"{posts} POSTs for {calls} calls"
    )
    assert succeeded == CYCLES
    _summary(server, reconciled, posts, calls)
