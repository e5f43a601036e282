"""Every session state transition, over real HTTP, with time driven by a ManualClock."""

from __future__ import annotations

import httpx
import pytest

from agb.emulator import ManualClock, RunningEmulator
from tests.support.wire import STALE, TRANSITION, Wire, assert_error, assert_ok

EPS = 0.05


def test_create_answers_running_with_the_wire_fields(wire: Wire) -> None:
    body = assert_ok(wire.create(labels='{"a": "b"}', timeout=600, mcpPolicyId="p-1"))
    data = body["data"]
    assert set(data) >= {
        "sessionId", "resourceUrl", "appInstanceId", "resourceId", "success", "errMsg",
        "taskId", "linkUrl", "wsUrl", "token", "toolList",
    }  # fmt: skip
    assert data["success"] is True
    assert data["errMsg"] == ""
    assert isinstance(data["toolList"], str)
    assert "shell" in data["toolList"]
    got = assert_ok(wire.get(data["sessionId"]))["data"]
    assert got == {
        "sessionId": data["sessionId"],
        "appInstanceId": data["appInstanceId"],
        "resourceId": data["resourceId"],
        "resourceUrl": data["resourceUrl"],
        "status": "RUNNING",
    }
    assert assert_ok(wire.info_status(data["sessionId"]))["data"] == {"status": "RUNNING"}


def test_pause_shows_running_then_pausing_then_paused(wire: Wire, clock: ManualClock) -> None:
    sid = wire.create_id()
    body = assert_ok(wire.pause(sid))
    assert body["message"] == "Session pause initiated successfully"
    assert "data" not in body
    assert wire.status(sid) == "RUNNING"  # stale: the service has not caught up yet
    clock.advance(STALE - EPS)
    assert wire.status(sid) == "RUNNING"
    clock.advance(2 * EPS)
    assert wire.status(sid) == "PAUSING"
    assert assert_ok(wire.info_status(sid))["data"]["status"] == "PAUSING"
    clock.advance(TRANSITION - STALE - 2 * EPS)
    assert wire.status(sid) == "PAUSING"
    clock.advance(2 * EPS)
    assert wire.status(sid) == "PAUSED"
    clock.advance(1000)
    assert wire.status(sid) == "PAUSED"


def test_resume_shows_paused_then_resuming_then_running(wire: Wire, clock: ManualClock) -> None:
    sid = wire.create_id()
    assert_ok(wire.pause(sid))
    clock.advance(TRANSITION)
    assert wire.status(sid) == "PAUSED"
    body = assert_ok(wire.resume(sid))
    assert body["message"] == "Session resume initiated successfully"
    assert wire.status(sid) == "PAUSED"
    clock.advance(STALE + EPS)
    assert wire.status(sid) == "RESUMING"
    clock.advance(TRANSITION - STALE - 2 * EPS)
    assert wire.status(sid) == "RESUMING"
    clock.advance(2 * EPS)
    assert wire.status(sid) == "RUNNING"


def test_release_deletes_then_finishes_then_not_found(wire: Wire, clock: ManualClock) -> None:
    sid = wire.create_id(labels={"gone": "soon"})
    body = assert_ok(wire.release(sid))
    assert body["message"] == "Session release initiated successfully"
    assert wire.status(sid) == "DELETING"
    listed = assert_ok(wire.list())
    assert listed["data"] == [{"sessionId": sid, "sessionStatus": "DELETING"}]
    clock.advance(TRANSITION - EPS)
    assert wire.status(sid) == "DELETING"
    clock.advance(2 * EPS)
    body = assert_error(wire.get(sid), 400, "InvalidMcpSession.NotFound")
    assert body["message"] == "Session not found"
    assert_error(wire.info_status(sid), 400, "InvalidMcpSession.NotFound")
    listed = assert_ok(wire.list())
    assert listed["data"] == []
    assert listed["count"] == 0
    assert assert_ok(wire.list({"gone": "soon"}))["count"] == 0


def test_release_of_a_paused_session(wire: Wire, clock: ManualClock) -> None:
    sid = wire.create_id()
    assert_ok(wire.pause(sid))
    clock.advance(TRANSITION)
    assert_ok(wire.release(sid))
    assert wire.status(sid) == "DELETING"
    clock.advance(TRANSITION)
    assert_error(wire.get(sid), 400, "InvalidMcpSession.NotFound")


@pytest.mark.parametrize("wait", [0.0, STALE + EPS, TRANSITION])
def test_pausing_a_pausing_or_paused_session_is_an_idempotent_success(
    wire: Wire, clock: ManualClock, wait: float
) -> None:
    sid = wire.create_id()
    assert_ok(wire.pause(sid))
    clock.advance(wait)
    body = assert_ok(wire.pause(sid))
    assert "already paused" in body["message"]
    clock.advance(TRANSITION)  # the second request did not restart the transition
    assert wire.status(sid) == "PAUSED"


@pytest.mark.parametrize("wait", [0.0, TRANSITION])
def test_resuming_a_resuming_or_running_session_is_an_idempotent_success(
    wire: Wire, clock: ManualClock, wait: float
) -> None:
    sid = wire.create_id()
    if wait:
        body = assert_ok(wire.resume(sid))  # never paused
        assert "already running" in body["message"]
    assert_ok(wire.pause(sid))
    clock.advance(TRANSITION)
    assert_ok(wire.resume(sid))
    body = assert_ok(wire.resume(sid))
    assert "already running" in body["message"]
    clock.advance(TRANSITION)
    assert wire.status(sid) == "RUNNING"


def test_pausing_while_resuming_and_resuming_while_pausing_are_refused(
    wire: Wire, clock: ManualClock
) -> None:
    sid = wire.create_id()
    assert_ok(wire.pause(sid))
    clock.advance(STALE + EPS)
    assert_error(wire.resume(sid), 400, "InvalidSessionStatus", "PAUSING", "PAUSED")
    clock.advance(TRANSITION)
    assert_ok(wire.resume(sid))
    # even while get session still shows the stale PAUSED, the session is resuming
    assert wire.status(sid) == "PAUSED"
    assert_error(wire.pause(sid), 400, "InvalidSessionStatus", "RESUMING", "RUNNING")


def test_a_deleting_session_only_answers_reads(wire: Wire, clock: ManualClock) -> None:
    sid = wire.create_id()
    assert_ok(wire.release(sid))
    assert wire.status(sid) == "DELETING"
    assert assert_ok(wire.info_status(sid))["data"]["status"] == "DELETING"
    for response in (
        wire.pause(sid),
        wire.resume(sid),
        wire.release(sid),
        wire.resource(sid),
        wire.set_labels(sid, {"a": "b"}),
        wire.get_labels(sid),
        wire.link(sid),
        wire.refresh(sid),
        wire.sync(sid),
        wire.client.get("/sdk/GetContextInfo", params={"sessionId": sid}),
    ):
        assert_error(response, 400, "InvalidSessionStatus", "DELETING")


@pytest.mark.parametrize("finished", [False, True])
def test_unknown_or_finished_sessions_get_the_documented_not_found(
    wire: Wire, clock: ManualClock, finished: bool
) -> None:
    sid = "session-does-not-exist"
    if finished:
        sid = wire.create_id()
        assert_ok(wire.release(sid))
        clock.advance(TRANSITION)
    for response in (wire.get(sid), wire.info_status(sid), wire.resource(sid)):
        assert_error(response, 400, "InvalidMcpSession.NotFound", "Session not found")
    for response in (wire.pause(sid), wire.resume(sid), wire.release(sid)):
        assert_error(response, 404, "SessionNotFound")
    for response in (
        wire.set_labels(sid, {"a": "b"}),
        wire.get_labels(sid),
        wire.link(sid),
        wire.refresh(sid),
        wire.sync(sid),
        wire.client.get("/sdk/GetContextInfo", params={"sessionId": sid}),
    ):
        assert_error(response, 404, "NotFound")


def test_idle_timeout_releases_a_running_session(wire: Wire, clock: ManualClock) -> None:
    sid = wire.create_id(timeout=60)
    clock.advance(50)
    assert_ok(wire.refresh(sid))  # keep alive: the idle timer starts again
    clock.advance(50)
    assert wire.status(sid) == "RUNNING"
    clock.advance(10 + EPS)
    assert wire.status(sid) == "DELETING"
    assert assert_ok(wire.list())["data"][0]["sessionStatus"] == "DELETING"
    clock.advance(TRANSITION)
    assert_error(wire.get(sid), 400, "InvalidMcpSession.NotFound")


def test_idle_release_is_seen_by_list_without_touching_the_session(
    wire: Wire, clock: ManualClock
) -> None:
    sid = wire.create_id(timeout=5)
    keep = wire.create_id()
    clock.advance(5 + TRANSITION + EPS)
    listed = assert_ok(wire.list())
    assert [item["sessionId"] for item in listed["data"]] == [keep]
    assert listed["count"] == 1
    assert_error(wire.get(sid), 400, "InvalidMcpSession.NotFound")


def test_a_paused_session_does_not_idle_out(wire: Wire, clock: ManualClock) -> None:
    sid = wire.create_id(timeout=10)
    assert_ok(wire.pause(sid))
    clock.advance(100)
    assert wire.status(sid) == "PAUSED"
    assert_ok(wire.resume(sid))
    clock.advance(TRANSITION + 9)
    assert wire.status(sid) == "RUNNING"  # the timer restarted when it was running again
    clock.advance(1 + EPS)
    assert wire.status(sid) == "DELETING"


async def test_the_whole_lifecycle_through_asgi_transport(
    aclient: httpx.AsyncClient, asgi_clock: ManualClock
) -> None:
    created = await aclient.post("/mcp/createSession", params={"imageId": "img"}, json={})
    sid = assert_ok(created)["data"]["sessionId"]

    async def status() -> str:
        response = await aclient.post("/mcp/getSession", json={"sessionId": sid})
        value: str = assert_ok(response)["data"]["status"]
        return value

    assert_ok(await aclient.post("/mcp/pauseSessionAsync", json={"sessionId": sid}))
    assert await status() == "RUNNING"
    asgi_clock.advance(STALE + EPS)
    assert await status() == "PAUSING"
    asgi_clock.advance(TRANSITION)
    assert await status() == "PAUSED"
    assert_ok(await aclient.post("/mcp/resumeSessionAsync", json={"sessionId": sid}))
    assert await status() == "PAUSED"
    asgi_clock.advance(STALE + EPS)
    assert await status() == "RESUMING"
    asgi_clock.advance(TRANSITION)
    assert await status() == "RUNNING"
    assert_ok(await aclient.post("/mcp/releaseSessionAsync", json={"sessionId": sid}))
    assert await status() == "DELETING"
    asgi_clock.advance(TRANSITION)
    response = await aclient.post("/mcp/getSession", json={"sessionId": sid})
    assert_error(response, 400, "InvalidMcpSession.NotFound")


def test_state_is_reachable_from_python(server: RunningEmulator, wire: Wire) -> None:
    sid = wire.create_id(labels={"k": "v"})
    assert server.emulator.session_ids() == [sid]
    assert server.emulator.status_of(sid) == "RUNNING"
    assert server.emulator.labels_of(sid) == {"k": "v"}
    assert server.emulator.status_of("nope") is None


def test_keep_alive_does_not_grow_the_idle_queue(server: RunningEmulator, wire: Wire) -> None:
    sid = wire.create_id(timeout=3600)
    for _ in range(50):
        assert_ok(wire.refresh(sid))
    assert len(server.emulator._idle) == 1  # one pending idle check per session, not per call
