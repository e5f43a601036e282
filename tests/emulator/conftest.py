"""Fixtures for the emulator tests: a real server on loopback (one per session) and an ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from agb.emulator import EmulatorConfig, ManualClock, RunningEmulator, create_app, serve
from tests.support.emulator import emptied
from tests.support.wire import API_KEY, AUTH, STALE, SYNC, TRANSITION, Wire


@pytest.fixture(scope="session")
def server_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="session")
def running(server_clock: ManualClock) -> Iterator[RunningEmulator]:
    config = EmulatorConfig(
        api_key=API_KEY,
        clock=server_clock,
        transition_seconds=TRANSITION,
        stale_seconds=STALE,
        context_sync_seconds=SYNC,
        retry_after_seconds=3,
    )
    with serve(config) as server:
        yield server


@pytest.fixture
def server(running: RunningEmulator) -> Iterator[RunningEmulator]:
    """The shared real server, emptied for this test (no input may crash it)."""
    with emptied(running) as emptied_server:
        yield emptied_server


@pytest.fixture
def clock(server: RunningEmulator, server_clock: ManualClock) -> ManualClock:
    return server_clock


@pytest.fixture(scope="session")
def shared_http(running: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=running.base_url, headers=AUTH, timeout=5) as client:
        yield client


@pytest.fixture
def http(server: RunningEmulator, shared_http: httpx.Client) -> httpx.Client:
    """A keep-alive client of the shared server (made once: building an httpx client is slow)."""
    return shared_http


@pytest.fixture
def wire(http: httpx.Client) -> Wire:
    return Wire(http)


@pytest.fixture
def asgi_clock() -> ManualClock:
    return ManualClock(100.0)


@pytest.fixture
def app_config(asgi_clock: ManualClock) -> EmulatorConfig:
    return EmulatorConfig(
        api_key=API_KEY,
        clock=asgi_clock,
        seed=1,
        transition_seconds=TRANSITION,
        stale_seconds=STALE,
        context_sync_seconds=SYNC,
    )


@pytest.fixture
def app(app_config: EmulatorConfig) -> Any:
    return create_app(app_config)


@pytest.fixture
async def aclient(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://emulator.test", headers=AUTH
    ) as client:
        yield client
