"""100 pause/resume cycles against a real emulator with 20% of requests given a random fault.

The emulator's own ``fault_rate`` (seeded, so every run is the same) picks 503, 429 with
Retry-After, HTML 500 pages, dropped connections and slow answers, on every API path: on the
status polls *and* on the pause/resume POSTs. The clock is a ManualClock moved by the SDK's
injected sleeps, so waits, backoffs and Retry-After take no real time.

How a fault on the pause/resume POST is judged: the SDK never resends a POST the server may
have received, so such a call must come back as a *failed result*, typed by what happened
(ServerError for 503/500, RateLimitError for 429, APIConnectionError for a dropped
connection), with the HTTP status, and the session must not have moved (those faults are
answered before the emulator acts). The test then calls pause/resume again, as a user would,
until it succeeds. Every call must send exactly one POST.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

import agb.emulator._app as emulator_app
from agb import Session
from agb.emulator import RANDOM_FAULT_KINDS, EmulatorConfig, RunningEmulator, serve
from agb.exceptions import APIConnectionError, RateLimitError, ServerError
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


def _check_refused(result: Any, exchange: Any, before: str, now: str | None) -> None:
    """A failed pause/resume: caused by a fault on its own POST, reported as such, not applied."""
    error = result.error
    if exchange.status == 429:
        assert isinstance(error, RateLimitError), result
        assert error.retry_after == 1
        assert result.http_status_code == 429
    elif exchange.status in (500, 503):
        assert isinstance(error, ServerError), result
        assert result.http_status_code == exchange.status
    else:
        # A dropped connection: the status line came (or not), the body was cut off.
        assert exchange.status in (200, None), (exchange, result)
        assert isinstance(error, APIConnectionError), result
        assert result.http_status_code is None
    assert result.error_message
    assert now == before, "a refused request must leave the session as it was"


def _check_done(result: Any, pause: bool, status_now: str | None) -> None:
    assert result.status == TARGET[pause], result
    assert 0 < result.elapsed <= TIMEOUT
    assert status_now == TARGET[pause]
    assert result.request_id


def _summary(server: RunningEmulator, refused: int, calls: int) -> None:
    stats = server.emulator.stats()
    injected = stats["faultsInjected"]
    share = sum(injected.values()) / stats["totalRequests"]
    # The seed makes this exact; the bounds only say the test really ran under ~20% faults.
    assert 0.12 < share < 0.28, stats
    assert set(injected) == set(RANDOM_FAULT_KINDS), injected
    assert refused > 0, "some pause/resume POSTs should have met a fault"
    pause_posts = stats["requests"]["/mcp/pauseSessionAsync"]
    resume_posts = stats["requests"]["/mcp/resumeSessionAsync"]
    assert pause_posts + resume_posts == calls


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
    calls = refused = 0
    for cycle in range(CYCLES):
        session = sessions[cycle % SESSIONS]
        for pause in (True, False):
            before = server.emulator.status_of(session.session_id)
            for _attempt in range(10):
                posts = transport.count(PATHS[pause], session.session_id)
                result = await call(session, pause)
                calls += 1
                # Exactly one POST per call, whatever happened to it: never resent.
                assert transport.count(PATHS[pause], session.session_id) == posts + 1
                now = server.emulator.status_of(session.session_id)
                if result.success:
                    _check_done(result, pause, now)
                    break
                refused += 1
                sent = transport.last(PATHS[pause], session.session_id)
                _check_refused(result, sent, before, now)
            else:
                pytest.fail(f"cycle {cycle}: {PATHS[pause]} never got through")
    await agb.aclose()
    _summary(server, refused, calls)
