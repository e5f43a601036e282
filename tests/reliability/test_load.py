"""Load over real HTTP: 1,000 concurrent async status calls, and 20 threads sharing one sync AGB.

Every call must succeed, the pools must stay within their limit and hold only idle connections
afterwards, and closing the client must leave no socket of this process connected to the
emulator (counted from /proc, client ends only).

The 1,000 calls all run at once through the facade's own pool. The facade keeps at most
``max_connections`` of them in flight and the rest wait on a semaphore: straight into httpx's
async pool they took minutes and then failed with PoolTimeout, since that pool does work in
proportion to (queued requests x connections) on every request event and its pool timeout
counts the queueing.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import httpx

from agb import Session
from agb.emulator import RunningEmulator
from tests.support.emulator import (
    Sockets,
    create_sessions,
    emulator_agb,
    eventually,
    pool_connections,
)

CALLS = 1_000
THREADS = 20
CALLS_PER_THREAD = 25
POOL = 10


async def test_a_thousand_concurrent_status_calls(
    server: RunningEmulator, sockets: Sockets
) -> None:
    transport = _InFlight()
    agb = emulator_agb(server, max_connections=POOL, async_transport=transport)
    sessions = [Session(agb, sid) for sid in create_sessions(server, 10)]
    before = server.emulator.stats()["requests"].get("/mcp/getSessionInfo", 0)

    results = await asyncio.gather(
        *(sessions[i % len(sessions)].get_status_async() for i in range(CALLS)),
        return_exceptions=True,
    )

    failures = [r for r in results if isinstance(r, BaseException) or not r.success]
    assert not failures, failures[:3]
    assert {r.status for r in results} == {"RUNNING"}  # type: ignore[union-attr]
    served = server.emulator.stats()["requests"]["/mcp/getSessionInfo"] - before
    assert served == CALLS, "each call is one request: no retry was needed, none was lost"
    assert transport.peak <= POOL, f"{transport.peak} requests were in flight at once"
    connections = list(transport.inner._pool.connections)
    assert 0 < len(connections) <= POOL
    assert all(c.is_idle() for c in connections), "nothing may stay in flight"
    assert 0 < sockets.open() <= POOL
    # The pool is still healthy: another burst reuses it and opens nothing new.
    again = await asyncio.gather(*(s.get_status_async() for s in sessions))
    assert all(r.success for r in again)
    assert len(transport.inner._pool.connections) <= POOL

    await agb.aclose()
    assert await eventually(lambda: sockets.open() == 0)


class _InFlight(httpx.AsyncBaseTransport):
    """Records how many requests are inside the transport at once (until their body is read)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.now = self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            response = await self.inner.handle_async_request(request)
            await response.aread()
        finally:
            self.now -= 1
        return httpx.Response(
            response.status_code, headers=response.headers, content=response.content
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_in_flight_requests_are_bounded_by_max_connections(server: RunningEmulator) -> None:
    transport = _InFlight()
    agb = emulator_agb(server, max_connections=5, async_transport=transport)
    session = Session(agb, create_sessions(server, 1)[0])
    results = await asyncio.gather(*(session.get_status_async() for _ in range(50)))
    await agb.aclose()
    assert all(r.success for r in results)
    assert transport.peak <= 5, f"{transport.peak} requests were in flight at once"


def test_twenty_threads_share_one_sync_client(server: RunningEmulator, sockets: Sockets) -> None:
    agb = emulator_agb(server)
    sids = create_sessions(server, THREADS)
    outcomes: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def work(index: int) -> None:
        session = Session(agb, sids[index])
        try:
            start.wait()
            for call in range(CALLS_PER_THREAD):
                match call % 4:
                    case 0:
                        ok = session.set_labels({"thread": str(index), "call": str(call)}).success
                    case 1:
                        got = session.get_labels()
                        ok = got.success and got.data["thread"] == str(index)
                    case 2:
                        ok = agb.get_session(sids[index]).success
                    case _:
                        ok = session.get_status().status == "RUNNING"
                with lock:
                    outcomes["ok" if ok else "failed"] += 1
        except BaseException as error:
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors[:3]
    assert outcomes == {"ok": THREADS * CALLS_PER_THREAD}

    connections = pool_connections(agb._transport.sync_client())
    assert 0 < len(connections) <= THREADS, "at most one connection per thread at a time"
    assert all(c.is_idle() for c in connections)
    assert 0 < sockets.open() <= THREADS
    agb.close()
    assert sockets.open() == 0
