"""agb._sharded: httpx's transport split into small pools, over real HTTP against the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from agb import AGB, Config, CreateSessionParams
from agb._sharded import SHARD_SIZE, ShardedTransport

emulator = pytest.importorskip("agb.emulator", reason="emulator not available")

KEY = "sk-EMU-pools-2c9d"


@pytest.fixture(scope="module")
def running() -> Iterator[Any]:
    config = emulator.EmulatorConfig(
        api_key=KEY, clock=emulator.ManualClock(), seed=6, transition_seconds=1.0
    )
    with emulator.serve(config) as server:
        yield server


@pytest.mark.parametrize(("connections", "pools"), [(1, 1), (10, 1), (11, 2), (50, 5), (95, 10)])
def test_pools_hold_at_most_ten_connections(connections: int, pools: int) -> None:
    transport = ShardedTransport("http://e", connections)
    assert transport.pool_count == pools
    assert transport._limits.max_connections is not None
    assert transport._limits.max_connections <= SHARD_SIZE
    assert transport._limits.max_connections * pools >= connections


def test_a_whole_lifecycle_in_two_event_loops(running: Any) -> None:
    transport = ShardedTransport(running.base_url, 20)
    clock = running.config.clock

    async def async_sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    async def lifecycle() -> None:
        agb = AGB(
            api_key=KEY,
            cfg=Config(running.base_url, 10_000),
            async_transport=transport,
            clock=clock,
            sleep=clock.advance,
            async_sleep=async_sleep,
        )
        created = await agb.create_async(CreateSessionParams(image_id="agb-code-space-1"))
        assert created.success, created.error_message
        session = created.session
        assert session is not None
        results = await asyncio.gather(*(session.get_labels_async() for _ in range(30)))
        assert all(r.success for r in results)
        assert (await session.pause_async(timeout=30, poll_interval=1)).success
        assert (await session.resume_async(timeout=30, poll_interval=1)).success
        entry = transport._loops[id(asyncio.get_running_loop())]
        assert entry.busy == [0, 0], "every answer's body was closed and counted back"
        await agb.aclose()

    asyncio.run(lifecycle())
    asyncio.run(lifecycle())
    assert transport._loops == {}


async def test_requests_go_to_the_least_busy_pool(running: Any) -> None:
    transport = ShardedTransport(running.base_url, 30)
    url = running.base_url + "/sdk/GetLabel?sessionId=s-none"
    headers = {"authorization": f"Bearer {KEY}"}
    held = [
        await transport.handle_async_request(httpx.Request("GET", url, headers=headers))
        for _ in range(4)
    ]
    entry = transport._loops[id(asyncio.get_running_loop())]
    assert sorted(entry.busy) == [1, 1, 2]
    for response in held:
        await response.aread()
        await response.aclose()
        await response.aclose()  # closing twice counts once
    assert entry.busy == [0, 0, 0]
    await transport.aclose()


async def test_a_failed_request_is_not_counted_as_in_flight() -> None:
    transport = ShardedTransport("http://127.0.0.1:1", 10)
    with pytest.raises(httpx.ConnectError):
        await transport.handle_async_request(httpx.Request("GET", "http://127.0.0.1:1/x"))
    assert transport._loops[id(asyncio.get_running_loop())].busy == [0]
    await transport.aclose()


def test_pools_of_closed_loops_are_forgotten(running: Any) -> None:
    transport = ShardedTransport(running.base_url, 10)

    async def touch() -> None:
        request = httpx.Request("GET", running.base_url + "/sdk/GetLabel?sessionId=x")
        response = await transport.handle_async_request(request)
        await response.aread()
        await response.aclose()
        for pool in transport._loops[id(asyncio.get_running_loop())].pools:
            await pool.aclose()  # tidy, but leave the entry behind as a program would

    asyncio.run(touch())
    asyncio.run(touch())
    assert len(transport._loops) == 1
