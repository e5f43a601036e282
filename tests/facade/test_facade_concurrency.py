"""Sync methods run anywhere (a running loop, any thread) without a loop of their own; async
methods never block the loop, run concurrently, and give way to cancellation at once.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import math
import selectors
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from agb import AGB, ContextSync, CreateSessionParams, Session
from tests.support.clock import FakeClock
from tests.support.fakes import (
    NOT_FOUND,
    SID,
    FakeServer,
    Seen,
    make_agb,
    ok,
    session_data,
    status_answer,
)


def forbid(name: str) -> Callable[..., Any]:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{name} was called")

    return forbidden


def script_everything(server: FakeServer) -> None:
    """Answers for every operation; pause, resume and delete each need a wait."""
    task = json.dumps([{"taskType": "upload", "status": "Success"}])
    context = json.dumps([{"type": "data", "data": task}])
    server.on("/mcp/createSession", ok({"sessionId": SID, "success": True}))
    server.on("/sdk/GetContextInfo", ok({"contextStatus": context}))
    server.on("/sdk/SetLabel", ok())
    server.on("/sdk/GetLabel", ok({"labels": "{}"}))
    server.on("/mcp/getMcpResource", ok({"sessionId": SID}))
    server.on("/internet/getLink", ok({"url": "https://l.invalid/"}))
    server.on("/mcp/getSessionInfo", ok({"status": "RUNNING"}))
    server.on("/mcp/refreshSessionIdleTime", ok())
    server.on("/mcp/pauseSessionAsync", ok())
    server.on("/mcp/resumeSessionAsync", ok())
    server.on("/sdk/ListSession", ok([{"sessionId": SID}], nextToken=""))
    server.on("/sdk/SyncContext", ok())
    server.on("/mcp/releaseSessionAsync", ok())

    steps = {
        "/mcp/pauseSessionAsync": [status_answer("PAUSING"), status_answer("PAUSED")],
        "/mcp/resumeSessionAsync": [status_answer("RESUMING"), status_answer("RUNNING")],
        "/mcp/releaseSessionAsync": [status_answer("DELETING"), NOT_FOUND],
    }

    def poll(seen: Seen) -> httpx.Response:
        """Each wait sees the middle status once (so it sleeps), then its end."""
        since = 0
        for earlier in reversed(server.requests[:-1]):
            if earlier.path in steps:
                return steps[earlier.path][min(since, 1)]
            since += earlier.path == "/mcp/getSession"
        return status_answer("RUNNING")

    server.on("/mcp/getSession", poll)


def async_methods(cls: type) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls)
        if name.endswith("_async")
        and not name.startswith("_")
        and inspect.iscoroutinefunction(member)
    }


async def test_async_methods_never_sleep_blocking_nor_use_sync_http_threads_or_new_loops(
    server: FakeServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "sleep", forbid("time.sleep"))
    monkeypatch.setattr(httpx.Client, "send", forbid("httpx.Client.send"))
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", forbid("sync HTTP"))
    monkeypatch.setattr(threading.Thread, "start", forbid("Thread.start"))
    monkeypatch.setattr(asyncio, "run", forbid("asyncio.run"))
    monkeypatch.setattr(asyncio, "new_event_loop", forbid("asyncio.new_event_loop"))
    monkeypatch.setattr(
        asyncio.get_running_loop(), "run_in_executor", forbid("loop.run_in_executor")
    )
    script_everything(server)
    agb = make_agb(server, clock, sleep=forbid("the sync sleep"))
    called: set[str] = set()

    async def call(obj: object, name: str, *args: Any, **kwargs: Any) -> Any:
        called.add(f"{type(obj).__name__}.{name}")
        result = await getattr(obj, name)(*args, **kwargs)
        assert result.success, (name, result.error_message)
        return result

    params = CreateSessionParams(image_id="img", context_syncs=[ContextSync("c", "/d")])
    session = (await call(agb, "create_async", params)).session
    await call(agb, "get_async", SID)
    await call(agb, "get_session_async", SID)
    await call(agb, "list_async", page=1)
    await call(agb, "pause_async", session, 30, 1.0)
    await call(agb, "resume_async", session, 30, 1.0)
    await call(session, "set_labels_async", {"a": "b"})
    await call(session, "get_labels_async")
    await call(session, "info_async")
    await call(session, "get_link_async")
    await call(session, "get_status_async")
    await call(session, "keep_alive_async")
    await call(session, "wait_for_async", "running", timeout=30, poll_interval=1.0)
    await call(session, "pause_async", 30, 1.0)
    await call(session, "resume_async", 30, 1.0)
    await call(session, "delete_async", sync_context=True)
    await call(agb, "delete_async", session, sync_context=True)

    every = {f"AGB.{n}" for n in async_methods(AGB)} | {
        f"Session.{n}" for n in async_methods(Session)
    }
    assert called == every
    assert clock.sleeps, "the waits were expected to sleep on the injected async sleep"
    await agb.aclose()


def test_sync_methods_never_start_a_loop_or_a_thread(
    server: FakeServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threading.Thread, "start", forbid("Thread.start"))
    monkeypatch.setattr(asyncio, "run", forbid("asyncio.run"))
    monkeypatch.setattr(asyncio, "new_event_loop", forbid("asyncio.new_event_loop"))
    monkeypatch.setattr(asyncio, "get_event_loop", forbid("asyncio.get_event_loop"))
    script_everything(server)
    agb = make_agb(server, clock)
    session = agb.create(CreateSessionParams(image_id="img")).session

    assert session.pause(30, 1.0).success
    assert session.resume(30, 1.0).success
    assert session.delete(sync_context=True).success


async def test_sync_methods_work_inside_a_running_loop(
    server: FakeServer, clock: FakeClock
) -> None:
    asyncio.get_running_loop()  # a loop is running here
    server.on("/mcp/pauseSessionAsync", ok(request_id="r-p"))
    server.on("/mcp/getSession", status_answer("RUNNING"), status_answer("PAUSED"))
    agb = make_agb(server, clock)

    result = Session(agb, SID).pause(timeout=30, poll_interval=2.0)

    assert result.success
    assert clock.sleeps == [2.0, 2.0]


def test_sync_methods_work_from_many_threads_at_once(server: FakeServer, clock: FakeClock) -> None:
    polls: dict[str, int] = {}
    lock = threading.Lock()

    def poll(seen: Seen) -> httpx.Response:
        session_id = seen.body["sessionId"]
        with lock:
            polls[session_id] = polls.get(session_id, 0) + 1
            count = polls[session_id]
        return ok(session_data("PAUSED" if count >= 3 else "PAUSING", session_id=session_id))

    server.on("/mcp/pauseSessionAsync", ok())
    server.on("/mcp/getSession", poll)
    agb = make_agb(server, clock, sleep=lambda seconds: None)
    sessions = [Session(agb, f"s-{n}") for n in range(16)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda s: s.pause(timeout=30, poll_interval=1.0), sessions))

    assert all(result.success for result in results)
    assert all(count == 3 for count in polls.values())
    assert len(polls) == 16


# --------------------------------------------------------------------------- concurrency


class _VirtualSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """Never waits: when nothing is ready, it moves the loop's virtual clock to the next timer."""

    def __init__(self, loop: VirtualTimeLoop) -> None:
        super().__init__()
        self._virtual_loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        events = super().select(0)
        if events or timeout == 0:
            return events  # type: ignore[no-any-return]
        if timeout is None:
            return super().select(None)  # type: ignore[no-any-return]
        self._virtual_loop.now += timeout
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An asyncio loop whose time() only moves when every task waits on a timer."""

    def __init__(self) -> None:
        self.now = 0.0
        super().__init__(_VirtualSelector(self))

    def time(self) -> float:
        return self.now


def test_fifty_async_pauses_run_concurrently_in_loop_time() -> None:
    transition, interval, count = 10.0, 2.0, 50
    loop = VirtualTimeLoop()
    server = FakeServer(FakeClock(0.0))
    started: dict[str, float] = {}

    def accept(seen: Seen) -> httpx.Response:
        started[seen.body["sessionId"]] = loop.time()
        return ok()

    def poll(seen: Seen) -> httpx.Response:
        session_id = seen.body["sessionId"]
        done = loop.time() - started[session_id] >= transition
        return ok(session_data("PAUSED" if done else "PAUSING", session_id=session_id))

    server.on("/mcp/pauseSessionAsync", accept)
    server.on("/mcp/getSession", poll)
    # The real asyncio.sleep, on the loop's (virtual) clock.
    agb = make_agb(server, server.clock, clock=loop.time, async_sleep=asyncio.sleep)
    sessions = [Session(agb, f"s-{n}") for n in range(count)]

    async def main() -> tuple[float, list[Any]]:
        begin = loop.time()
        results = await asyncio.gather(
            *(s.pause_async(timeout=600, poll_interval=interval) for s in sessions)
        )
        return loop.time() - begin, results

    try:
        took, results = loop.run_until_complete(main())
    finally:
        loop.close()

    assert all(result.success for result in results)
    assert all(result.elapsed == pytest.approx(transition) for result in results)
    # All 50 waited at the same time: about one transition of loop time, not 50.
    assert transition <= took < transition + interval
    # Each pause: its request and one poll per interval (none right after the request).
    assert len(server.requests) == count * (1 + math.ceil(transition / interval))
