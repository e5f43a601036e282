"""delete(): optional context sync (bounded), release, then wait until the session is gone."""

from __future__ import annotations

import json

import httpx
import pytest

from agb import AGB, Session
from agb.exceptions import BadRequestError, NotFoundError, WaitTimeoutError
from tests.support.clock import FakeClock
from tests.support.fakes import NOT_FOUND, SID, FakeServer, Runner, fail, ok, raw, status_answer


def context_info(*tasks: tuple[str, str], task_type: str = "upload") -> httpx.Response:
    """A GetContextInfo answer with ``(context_id, status)`` tasks (JSON text in JSON text)."""
    rows = [
        {
            "contextId": context_id,
            "path": f"/data/{context_id}",
            "errorMessage": "disk full" if status == "Failed" else "",
            "status": status,
            "startTime": 1700000000,
            "finishTime": 1700000009 if status in ("Success", "Failed") else 0,
            "taskType": task_type,
        }
        for context_id, status in tasks
    ]
    text = json.dumps([{"type": "data", "data": json.dumps(rows)}])
    return ok({"contextStatus": text}, request_id="r-ctx")


def script_release(server: FakeServer, *polls: httpx.Response) -> None:
    server.on("/mcp/releaseSessionAsync", ok(request_id="r-release", message="release initiated"))
    server.on("/mcp/getSession", *(polls or (status_answer("DELETING"), NOT_FOUND)))


async def test_sync_context_then_release_then_wait_until_gone(
    run: Runner, session: Session, server: FakeServer, clock: FakeClock
) -> None:
    server.on("/sdk/SyncContext", ok(request_id="r-sync"))
    server.on(
        "/sdk/GetContextInfo",
        context_info(("ctx-1", "Pending"), ("ctx-2", "Running")),
        context_info(("ctx-1", "Success"), ("ctx-2", "Running")),
        context_info(("ctx-1", "Success"), ("ctx-2", "Success")),
    )
    script_release(server, status_answer("DELETING"), status_answer("DELETING"), NOT_FOUND)

    result = await run(session, "delete", sync_context=True)

    assert result.success, result.error_message
    assert result.request_id == "r-release"
    assert result.status == "FINISH"
    assert result.context_synced is True
    assert result.context_sync_error == ""
    assert [(t.context_id, t.status) for t in result.context_tasks] == [
        ("ctx-1", "Success"),
        ("ctx-2", "Success"),
    ]
    assert [s.target for s in server.requests] == [
        "POST /sdk/SyncContext",
        "GET /sdk/GetContextInfo",
        "GET /sdk/GetContextInfo",
        "GET /sdk/GetContextInfo",
        "POST /mcp/releaseSessionAsync",
        "POST /mcp/getSession",
        "POST /mcp/getSession",
        "POST /mcp/getSession",
    ]
    sync = server.requests[0]
    assert sync.query == {"sessionId": SID}
    assert sync.body == {}
    assert server.requests[1].query == {"sessionId": SID}
    assert server.requests[4].body == {"sessionId": SID}
    # Context polls at 0, 1, 2 s; release, then status polls at 3, 4, 5 s.
    assert clock.sleeps == [1.0, 1.0, 1.0, 1.0, 1.0]
    assert result.elapsed == pytest.approx(5.0)


async def test_tasks_of_other_types_are_not_waited_for(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/sdk/SyncContext", ok())
    server.on("/sdk/GetContextInfo", context_info(("ctx-1", "Running"), task_type="extract"))
    script_release(server)

    result = await run(session, "delete", sync_context=True)

    assert result.success
    assert result.context_synced is True
    assert server.paths.count("/sdk/GetContextInfo") == 1


async def test_a_failed_context_sync_is_reported_and_the_session_still_deleted(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/sdk/SyncContext", ok())
    server.on(
        "/sdk/GetContextInfo",
        context_info(("ctx-1", "Running")),
        context_info(("ctx-1", "Failed")),
    )
    script_release(server)

    result = await run(session, "delete", sync_context=True)

    assert result.success
    assert result.status == "FINISH"
    assert result.context_synced is False
    assert "ctx-1" in result.context_sync_error
    assert "disk full" in result.context_sync_error
    assert server.paths.count("/mcp/releaseSessionAsync") == 1


@pytest.mark.parametrize(
    "refusal",
    [
        fail(500, "InternalError", "sync broke"),
        fail(400, "InvalidParameter", "no contexts"),
        httpx.ReadTimeout("timed out"),
    ],
    ids=["500", "400", "timeout"],
)
async def test_a_refused_context_sync_still_deletes(
    run: Runner, session: Session, server: FakeServer, refusal: httpx.Response | Exception
) -> None:
    server.on("/sdk/SyncContext", refusal)
    script_release(server)

    result = await run(session, "delete", sync_context=True)

    assert result.success
    assert result.context_synced is False
    assert "context sync was refused" in result.context_sync_error
    assert server.paths.count("/sdk/SyncContext") == 1  # a POST is never resent
    assert "/sdk/GetContextInfo" not in server.paths
    assert server.paths.count("/mcp/releaseSessionAsync") == 1


async def test_an_unreadable_context_status_still_deletes(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/sdk/SyncContext", ok())
    server.on("/sdk/GetContextInfo", ok({"contextStatus": "[{not json"}, request_id="r-bad"))
    script_release(server)

    result = await run(session, "delete", sync_context=True)

    assert result.success
    assert result.context_synced is False
    assert "not valid JSON" in result.context_sync_error


async def test_a_context_sync_that_never_ends_is_bounded(
    run: Runner, session: Session, server: FakeServer, clock: FakeClock
) -> None:
    server.on("/sdk/SyncContext", ok())
    server.on("/sdk/GetContextInfo", context_info(("ctx-1", "Running")))
    script_release(server)

    result = await run(session, "delete", sync_context=True, timeout=10, poll_interval=2.0)

    assert result.success
    assert result.context_synced is False
    assert "did not finish in time" in result.context_sync_error
    assert server.paths.count("/sdk/GetContextInfo") == 6  # at 0, 2, 4, 6, 8 and 10 s
    assert result.elapsed == pytest.approx(14.0)  # then status polls at 12 and 14 s


async def test_without_sync_context_no_context_request_is_sent(
    run: Runner, session: Session, server: FakeServer
) -> None:
    script_release(server)

    result = await run(session, "delete", sync_context=False)

    assert result.success
    assert result.context_synced is None
    assert server.paths == ["/mcp/releaseSessionAsync", "/mcp/getSession", "/mcp/getSession"]


async def test_finish_status_ends_the_wait(
    run: Runner, session: Session, server: FakeServer
) -> None:
    script_release(server, status_answer("DELETING"), status_answer("FINISH"))

    result = await run(session, "delete")

    assert (result.success, result.status) == (True, "FINISH")


@pytest.mark.parametrize("code", ["InvalidMcpSession.NotFound", "SessionNotFound", "NotFound"])
async def test_gone_is_matched_by_the_code_not_the_message(
    run: Runner, session: Session, server: FakeServer, code: str
) -> None:
    script_release(server, fail(400, code, "the message says nothing useful"))

    result = await run(session, "delete")

    assert result.success
    assert result.status == "FINISH"


async def test_a_message_saying_not_found_is_not_taken_for_gone(
    run: Runner, session: Session, server: FakeServer
) -> None:
    script_release(server, fail(400, "InvalidParameter", "Session not found"))

    result = await run(session, "delete")

    assert not result.success
    assert isinstance(result.error, BadRequestError)
    assert result.code == "InvalidParameter"
    assert result.request_id == "r-release"


async def test_a_bare_404_page_is_not_taken_for_gone(
    run: Runner, session: Session, server: FakeServer
) -> None:
    script_release(server, raw(404, "<html><title>404 Not Found</title></html>", "text/html"))

    result = await run(session, "delete")

    assert not result.success
    assert isinstance(result.error, NotFoundError)
    assert result.http_status_code == 404


async def test_a_refused_release_is_reported(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on(
        "/mcp/releaseSessionAsync",
        fail(400, "InvalidSessionStatus", "session is DELETING", request_id="r-no"),
    )

    result = await run(session, "delete")

    assert not result.success
    assert result.code == "InvalidSessionStatus"
    assert result.request_id == "r-no"
    assert result.http_status_code == 400
    assert server.paths == ["/mcp/releaseSessionAsync"]


async def test_a_deletion_that_never_ends_times_out(
    run: Runner, session: Session, server: FakeServer, clock: FakeClock
) -> None:
    script_release(server, status_answer("DELETING"))

    result = await run(session, "delete", timeout=5, poll_interval=2.0)

    assert not result.success
    assert result.code == "WaitTimeout"
    assert result.status == "DELETING"
    assert isinstance(result.error, WaitTimeoutError)
    assert result.request_id == "r-release"
    assert clock.sleeps == [2.0, 2.0, 1.0]


async def test_agb_delete_with_sync_context_delegates(
    run: Runner, agb: AGB, session: Session, server: FakeServer
) -> None:
    server.on("/sdk/SyncContext", ok())
    server.on("/sdk/GetContextInfo", context_info(("ctx-1", "Success")))
    script_release(server)

    result = await run(agb, "delete", session, sync_context=True)

    assert result.success
    assert result.context_synced is True
    assert server.paths[0] == "/sdk/SyncContext"
