"""Thread- and task-safety: many clients creating and labelling sessions at once."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from agb.emulator import EmulatorConfig, ManualClock, RunningEmulator, create_app
from tests.support.wire import AUTH, Wire, assert_ok

THREADS = 20
PER_THREAD = 5


def test_twenty_threads_create_and_label_over_http(server: RunningEmulator, wire: Wire) -> None:
    barrier = threading.Barrier(THREADS)

    def work(n: int) -> list[str]:
        with httpx.Client(base_url=server.base_url, headers=AUTH, timeout=10) as client:
            mine = Wire(client)
            barrier.wait()
            ids = []
            for j in range(PER_THREAD):
                sid = mine.create_id({"thread": str(n)})
                assert_ok(mine.set_labels(sid, {"thread": str(n), "n": str(j)}))
                labels = json.loads(assert_ok(mine.get_labels(sid))["data"]["labels"])
                assert labels == {"thread": str(n), "n": str(j)}
                ids.append(sid)
            return ids

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))

    all_ids = [sid for ids in results for sid in ids]
    assert len(set(all_ids)) == THREADS * PER_THREAD
    assert assert_ok(wire.list())["count"] == THREADS * PER_THREAD
    for n, ids in enumerate(results):
        body = assert_ok(wire.list({"thread": str(n)}, maxResults="100"))
        assert sorted(item["sessionId"] for item in body["data"]) == sorted(ids)
        assert assert_ok(wire.list({"thread": str(n), "n": "0"}))["count"] == 1
    stats = server.emulator.stats()
    assert stats["requests"]["/mcp/createSession"] == THREADS * PER_THREAD


def test_python_api_and_http_at_the_same_time(server: RunningEmulator, wire: Wire) -> None:
    """Tests may poke the state from their own thread while the server thread serves."""
    sids = [wire.create_id({"k": "v"}) for _ in range(10)]
    stop = threading.Event()

    def poke() -> None:
        while not stop.is_set():
            for sid in sids:
                server.emulator.status_of(sid)
                server.emulator.labels_of(sid)
            server.emulator.stats()

    pokers = [threading.Thread(target=poke) for _ in range(3)]
    for thread in pokers:
        thread.start()
    try:
        for sid in sids:
            assert_ok(wire.pause(sid))
            assert_ok(wire.set_labels(sid, {"k": "w"}))
        assert assert_ok(wire.list({"k": "w"}))["count"] == 10
    finally:
        stop.set()
        for thread in pokers:
            thread.join()


async def test_concurrent_tasks_through_asgi() -> None:
    app = create_app(EmulatorConfig(clock=ManualClock()))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://e", headers=AUTH) as c:

        async def one(n: int) -> str:
            body = {"labels": json.dumps({"batch": str(n % 5)})}
            response = await c.post("/mcp/createSession", params={"imageId": "i"}, json=body)
            sid: str = assert_ok(response)["data"]["sessionId"]
            assert_ok(await c.post("/mcp/pauseSessionAsync", json={"sessionId": sid}))
            return sid

        sids = await asyncio.gather(*(one(n) for n in range(100)))
        assert len(set(sids)) == 100
        listed = assert_ok(await c.get("/sdk/ListSession", params={"labels": '{"batch": "3"}'}))
        assert listed["count"] == 20
