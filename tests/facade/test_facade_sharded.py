"""agb._sharded: httpx's transport split into small pools, over real HTTP against the emulator;
the SDK's async default when aiohttp is not installed."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from agb import AGB, Config, CreateSessionParams, _warmup
from agb._aiohttp import available
from agb._sharded import SHARD_SIZE, ShardedTransport
from tests.support.clock import FakeClock
from tests.support.fakes import Runner

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


def run_by_hand(coro: Any) -> Any:
    """Run ``coro`` on a new loop closed without ``shutdown_asyncgens()`` (as a program that
    drives its loop by hand may): nothing of the loop's then runs at its end."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def test_each_loops_pools_are_closed_when_the_loop_ends(running: Any) -> None:
    """Whoever used them (here no AGB, which closes its own pools at loop end too)."""
    transport = ShardedTransport(running.base_url, 10)
    pools: list[Any] = []

    async def touch() -> None:
        request = httpx.Request("GET", running.base_url + "/sdk/GetLabel?sessionId=x")
        response = await transport.handle_async_request(request)
        await response.aread()
        await response.aclose()
        pools.extend(transport._loops[id(asyncio.get_running_loop())].pools)

    asyncio.run(touch())
    asyncio.run(touch())
    assert transport._loops == {}
    assert len(pools) == 2
    assert pools[0] is not pools[1]
    assert [pool._pool.connections for pool in pools] == [[], []]


def test_pools_of_loops_closed_by_hand_are_forgotten(running: Any) -> None:
    transport = ShardedTransport(running.base_url, 10)

    async def touch() -> None:
        request = httpx.Request("GET", running.base_url + "/sdk/GetLabel?sessionId=x")
        response = await transport.handle_async_request(request)
        await response.aread()
        await response.aclose()
        for pool in transport._loops[id(asyncio.get_running_loop())].pools:
            await pool.aclose()  # tidy, but leave the entry behind as a program would

    run_by_hand(touch())
    run_by_hand(touch())
    assert len(transport._loops) == 1
    asyncio.run(transport.aclose())  # a loop with no pools of its own: forgets the rest
    assert transport._loops == {}


# --------------------------------------------------------------- the default without aiohttp


@pytest.fixture
def agb_emulator_clock() -> FakeClock:
    """The emulator's time, moved by the AGB's sleeps (nothing waits for real)."""
    return FakeClock()


@pytest.fixture
def without_aiohttp(monkeypatch: pytest.MonkeyPatch) -> None:
    """aiohttp cannot be imported, as when the ``aiohttp`` extra is not installed."""
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    assert not available()
    with pytest.raises(ImportError):
        import aiohttp  # noqa: F401


@pytest.mark.usefixtures("without_aiohttp")
async def test_without_aiohttp_a_new_agb_goes_through_pools_of_httpx(
    run: Runner, agb_emulator_manual: Any, agb_emulator_clock: FakeClock
) -> None:
    """A whole lifecycle, sync and async, against the emulator: the async calls go through
    :class:`ShardedTransport` (50 in flight, five pools of 10), nothing imports aiohttp."""
    server, clock = agb_emulator_manual, agb_emulator_clock
    with AGB("test-key", Config(server.base_url, 10_000), **clock.agb_kwargs()) as agb:
        inner = agb._transport._async_transport
        assert isinstance(inner, ShardedTransport)
        assert (inner.pool_count, agb._transport._max_in_flight) == (5, 50)
        assert agb._transport.warm_imports == _warmup.HTTPX_ASYNC_IMPORTS
        created = await run(agb, "create", CreateSessionParams(image_id="agb-code-space-1"))
        assert created.success, created.error_message
        session = created.session
        assert session is not None
        assert (await run(session, "set_labels", {"k": "v"})).success
        labels = await run(session, "get_labels")
        assert (labels.success, labels.data) == (True, {"k": "v"})
        paused = await run(session, "pause", timeout=30, poll_interval=1)
        assert paused.success, paused.error_message
        resumed = await run(session, "resume", timeout=30, poll_interval=1)
        assert resumed.success, resumed.error_message
        deleted = await run(session, "delete")
        assert deleted.success, deleted.error_message
        if run.is_async:
            entry = inner._loops[id(asyncio.get_running_loop())]
            assert entry.busy == [0] * 5, "every answer was read and counted back"
            used = [pool for pool in entry.pools if pool._pool.connections]
            assert used, "the calls went through the pools"
            await agb.aclose()
            assert inner._loops == {}
        else:
            assert inner._loops == {}, "the sync calls never touch the async pools"
    requests = server.emulator.stats()["requests"]
    assert requests["/mcp/pauseSessionAsync"] == requests["/mcp/resumeSessionAsync"] == 1
