"""Deadlines of waits hold for every request inside them (issue 12), sync and async."""

from __future__ import annotations

import json

import httpx

from agb import AGB, ContextSync, CreateSessionParams, Session
from agb.exceptions import RateLimitError
from tests.support.fakes import SID, FakeServer, Runner, fail, ok, status_answer


def _context(state: str) -> httpx.Response:
    rows = json.dumps([{"contextId": "c", "path": "/d", "taskType": "upload", "status": state}])
    return ok({"contextStatus": json.dumps([{"type": "data", "data": rows}])})


async def test_every_request_of_delete_gets_at_most_the_time_left(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/sdk/SyncContext", ok())
    server.on("/sdk/GetContextInfo", _context("Running"), _context("Success"))
    server.on("/mcp/releaseSessionAsync", ok())
    server.on("/mcp/getSession", status_answer("DELETING"), status_answer("FINISH"))

    result = await run(session, "delete", sync_context=True, timeout=2, poll_interval=0.5)

    assert result.success
    assert {seen.path for seen in server.requests} >= {
        "/sdk/SyncContext",
        "/mcp/releaseSessionAsync",
    }
    for seen in server.requests:
        assert seen.timeout["read"] <= 2.0, (seen.path, seen.timeout)


async def test_a_retry_after_past_the_deadline_ends_a_pause_at_once(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/mcp/pauseSessionAsync", ok(request_id="r-pause"))
    server.on(
        "/mcp/getSession",
        status_answer("PAUSING"),
        fail(429, "Throttling", headers={"Retry-After": "20"}),
        status_answer("PAUSED"),
    )

    result = await run(session, "pause", 5, 1.0)

    assert not result.success
    assert isinstance(result.error, RateLimitError)
    assert result.request_id == "r-pause"
    assert result.elapsed == 2.0  # first poll at 1 s, the 429 at 2 s
    assert server.clock.sleeps == [1.0, 1.0]


async def test_create_does_not_wait_out_a_retry_after_longer_than_its_timeout(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on("/mcp/createSession", ok({"sessionId": SID, "success": True}, request_id="r-c"))
    server.on("/sdk/GetContextInfo", fail(429, "Throttling", headers={"Retry-After": "20"}))
    params = CreateSessionParams(image_id="img", context_syncs=[ContextSync("c", "/d")])

    result = await run(agb, "create", params, timeout=1, poll_interval=0.5)

    assert result.success
    assert server.clock.sleeps == []
    assert server.clock.elapsed == 0.0
