"""Pause, resume and delete: the statuses polled, the waits asked for, and the failures on the way.

The recording emulator keeps PAUSING / RESUMING / DELETING for 5 s after the request and shows
the old status for the first second (see ``tests.support.cassettes``); the tests poll every 2 s.
"""

from __future__ import annotations

import logging

import pytest

from agb import (
    ContextSync,
    CreateSessionParams,
    DeleteResult,
    InvalidStateError,
    NotFoundError,
    Session,
    SessionPauseResult,
    SessionResumeResult,
    SyncPolicy,
    WaitTimeoutError,
)
from agb_api_client.api.sessions import release_session_async
from agb_api_client.models import SessionIdRequest
from tests.support.cassettes import RECORDING_KEY, Rig

pytestmark = pytest.mark.vcr

WaitResult = SessionPauseResult | SessionResumeResult | DeleteResult

IMAGE = "agb-code-space-1"
POLL = 2.0


async def create(rig: Rig, *, contexts: bool = False) -> Session:
    syncs = [ContextSync.new("ctx-data", "/home/wuying/data", SyncPolicy())] if contexts else []
    result = await rig.call(
        rig.agb.create, CreateSessionParams(image_id=IMAGE, context_syncs=syncs)
    )
    assert result.success, result.error_message
    assert result.session is not None
    rig.take_waits()
    return result.session


def assert_reached(result: WaitResult, status: str, request_id: str) -> None:
    assert result.success is True
    assert result.status == status
    assert result.request_id == request_id
    assert result.code == "ok"
    assert result.http_status_code == 200
    assert result.error is None


# --------------------------------------------------------------------------- pause / resume


async def test_pause_through_pausing(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(session.pause, poll_interval=POLL)

    assert isinstance(result, SessionPauseResult)
    assert_reached(result, "PAUSED", rig.request_ids("/mcp/pauseSessionAsync")[0])
    # The first poll comes one interval after the pause request (a poll at once could only
    # show RUNNING): 2 + ceil(T/I) requests at most.
    assert rig.statuses() == ["PAUSING", "PAUSING", "PAUSED"]
    assert rig.waits == [POLL, POLL, POLL]
    assert result.elapsed == 6.0
    assert rig.exchanges()[:2] == ["POST /mcp/createSession 200", "POST /mcp/pauseSessionAsync 200"]


async def test_resume_through_resuming(rig: Rig) -> None:
    session = await create(rig)
    paused = await rig.call(session.pause, poll_interval=POLL)
    assert paused.success
    rig.take_waits()

    result = await rig.call(session.resume, poll_interval=POLL)
    assert isinstance(result, SessionResumeResult)
    assert_reached(result, "RUNNING", rig.request_ids("/mcp/resumeSessionAsync")[0])
    # The first poll comes one interval after the resume request.
    assert rig.statuses()[3:] == ["RESUMING", "RESUMING", "RUNNING"]
    assert rig.waits == [POLL, POLL, POLL]
    assert result.elapsed == 6.0


async def test_pause_times_out(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(session.pause, timeout=3, poll_interval=POLL)

    assert isinstance(result, SessionPauseResult)
    assert result.success is False
    assert result.code == "WaitTimeout"
    assert result.status == "PAUSING"  # the last status seen
    assert result.http_status_code is None
    assert result.request_id == rig.request_ids("/mcp/pauseSessionAsync")[0]
    assert isinstance(result.error, WaitTimeoutError)
    assert result.error.status == "PAUSING"
    assert "within 3 s" in result.error_message
    # Polls at 2 s, then the last wait cut to the time left: 1 s, to the deadline.
    assert rig.waits == [POLL, 1.0]
    assert rig.statuses() == ["PAUSING", "PAUSING"]
    assert result.elapsed == 3.0


async def test_pause_polling_survives_503(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("unavailable", path="/mcp/getSession", skip=1)
    result = await rig.call(session.pause, poll_interval=POLL)

    assert_reached(result, "PAUSED", rig.request_ids("/mcp/pauseSessionAsync")[0])
    assert rig.statuses() == ["PAUSING", "HTTP 503", "PAUSED"]
    assert rig.waits == [POLL, POLL, POLL]


async def test_pause_polling_honours_retry_after(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("rate_limited", path="/mcp/getSession", skip=1, seconds=5)
    result = await rig.call(session.pause, poll_interval=POLL)

    assert_reached(result, "PAUSED", rig.request_ids("/mcp/pauseSessionAsync")[0])
    assert rig.statuses() == ["PAUSING", "HTTP 429", "PAUSED"]
    # After the 429 the poller waits the 5 s of Retry-After, not its 2 s interval.
    assert rig.waits == [POLL, POLL, 5.0]


async def test_pause_polling_survives_dropped_connection(rig: Rig) -> None:
    session = await create(rig)
    rig.drop("/mcp/getSession", skip=1)
    result = await rig.call(session.pause, poll_interval=POLL)

    assert_reached(result, "PAUSED", rig.request_ids("/mcp/pauseSessionAsync")[0])
    # The dropped poll left no answer to record: two answered polls, three waits' worth.
    assert rig.statuses() == ["PAUSING", "PAUSED"]
    assert rig.waits == [POLL, POLL, POLL]


async def test_pause_polling_keeps_going_through_unknown_status(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    session = await create(rig)
    rig.fault("status", path="/mcp/getSession", skip=1, times=2, value="HIBERNATING")
    with caplog.at_level(logging.INFO, logger="agb"):
        result = await rig.call(session.pause, poll_interval=POLL)

    assert_reached(result, "PAUSED", rig.request_ids("/mcp/pauseSessionAsync")[0])
    assert rig.statuses() == ["PAUSING", "HIBERNATING", "HIBERNATING", "PAUSED"]
    assert rig.waits == [POLL, POLL, POLL, POLL]
    unknown = [r for r in caplog.records if "HIBERNATING" in r.getMessage()]
    assert len(unknown) == 1  # logged once, not on every poll


async def test_pause_of_deleted_session(rig: Rig) -> None:
    session = await create(rig)
    deleted = await rig.call(session.delete, poll_interval=POLL)
    assert deleted.success
    rig.take_waits()

    result = await rig.call(session.pause, poll_interval=POLL)
    assert isinstance(result, SessionPauseResult)
    assert result.success is False
    assert isinstance(result.error, NotFoundError)
    assert result.code == "SessionNotFound"
    assert result.http_status_code == 404
    assert result.request_id == rig.request_ids("/mcp/pauseSessionAsync")[0]
    assert result.status == ""
    assert rig.waits == []
    assert rig.exchanges()[-1] == "POST /mcp/pauseSessionAsync 404"


async def test_resume_of_running_session(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(session.resume, poll_interval=POLL)

    assert_reached(result, "RUNNING", rig.request_ids("/mcp/resumeSessionAsync")[0])
    assert "already" in result.message.lower()
    assert rig.statuses() == ["RUNNING"]
    assert rig.waits == [POLL]  # the one poll, an interval after the request


# --------------------------------------------------------------------------- delete


async def test_delete(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(session.delete, poll_interval=POLL)

    assert isinstance(result, DeleteResult)
    assert_reached(result, "FINISH", rig.request_ids("/mcp/releaseSessionAsync")[0])
    assert result.context_synced is None
    assert rig.statuses() == ["DELETING", "DELETING", "HTTP 400"]
    assert rig.waits == [POLL, POLL, POLL]
    gone = await rig.call(rig.agb.get_session, session.session_id)
    assert isinstance(gone.error, NotFoundError)


async def test_delete_through_agb(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(rig.agb.delete, session, poll_interval=POLL)
    assert_reached(result, "FINISH", rig.request_ids("/mcp/releaseSessionAsync")[0])
    assert rig.waits == [POLL, POLL, POLL]


async def test_delete_with_context_sync(rig: Rig) -> None:
    session = await create(rig, contexts=True)
    result = await rig.call(session.delete, True, poll_interval=POLL)

    assert_reached(result, "FINISH", rig.request_ids("/mcp/releaseSessionAsync")[0])
    assert result.context_synced is True
    assert result.context_sync_error == ""
    uploads = [t for t in result.context_tasks if t.task_type == "upload"]
    assert [(t.context_id, t.path, t.status) for t in uploads] == [
        ("ctx-data", "/home/wuying/data", "Success")
    ]
    # Upload polled at 0, 2, 4 s (it takes 3 s); then DELETING for 5 s, polled every 2 s
    # from one interval after the release request.
    assert rig.waits == [POLL, POLL, POLL, POLL, POLL]
    assert rig.exchanges()[4:] == [
        "POST /sdk/SyncContext 200",
        "GET /sdk/GetContextInfo 200",
        "GET /sdk/GetContextInfo 200",
        "GET /sdk/GetContextInfo 200",
        "POST /mcp/releaseSessionAsync 200",
        "POST /mcp/getSession 200",
        "POST /mcp/getSession 200",
        "POST /mcp/getSession 400",
    ]


async def test_delete_with_failed_context_sync_still_deletes(rig: Rig) -> None:
    session = await create(rig, contexts=True)
    rig.fault("context_sync_fail", message="disk quota exceeded")
    result = await rig.call(session.delete, True, poll_interval=POLL)

    assert_reached(result, "FINISH", rig.request_ids("/mcp/releaseSessionAsync")[0])
    assert result.context_synced is False
    assert "disk quota exceeded" in result.context_sync_error
    failed = [t for t in result.context_tasks if t.status == "Failed"]
    assert [(t.context_id, t.error_message) for t in failed] == [
        ("ctx-data", "disk quota exceeded")
    ]
    assert "POST /mcp/releaseSessionAsync 200" in rig.exchanges()


# --------------------------------------------------------------------------- more lifecycles


async def test_pause_and_resume_through_agb(rig: Rig) -> None:
    session = await create(rig)
    paused = await rig.call(rig.agb.pause, session, poll_interval=POLL)
    assert_reached(paused, "PAUSED", rig.request_ids("/mcp/pauseSessionAsync")[0])
    resumed = await rig.call(rig.agb.resume, session, poll_interval=POLL)
    assert_reached(resumed, "RUNNING", rig.request_ids("/mcp/resumeSessionAsync")[0])
    assert rig.waits == [POLL] * 6


async def test_pause_again_after_a_timeout_keeps_waiting(rig: Rig) -> None:
    session = await create(rig)
    first = await rig.call(session.pause, timeout=3, poll_interval=POLL)
    assert first.code == "WaitTimeout"
    rig.take_waits()

    # Still PAUSING: the service accepts the second pause as a no-op, and the wait goes on.
    again = await rig.call(session.pause, poll_interval=POLL)
    assert_reached(again, "PAUSED", rig.request_ids("/mcp/pauseSessionAsync")[1])
    assert "already paused" in again.message
    assert rig.statuses()[2:] == ["PAUSED"]
    assert rig.waits == [POLL]


async def test_resume_while_pausing_is_refused(rig: Rig) -> None:
    session = await create(rig)
    first = await rig.call(session.pause, timeout=3, poll_interval=POLL)
    assert first.status == "PAUSING"
    rig.take_waits()

    result = await rig.call(session.resume, poll_interval=POLL)
    assert isinstance(result, SessionResumeResult)
    assert result.success is False
    assert isinstance(result.error, InvalidStateError)
    assert result.code == "InvalidSessionStatus"
    assert result.http_status_code == 400
    assert result.request_id == rig.request_ids("/mcp/resumeSessionAsync")[0]
    assert "PAUSING" in result.error_message
    assert rig.waits == []


async def test_pause_ends_when_the_session_is_deleted_meanwhile(rig: Rig) -> None:
    session = await create(rig)
    other = rig.make_agb(RECORDING_KEY)  # another client deletes it during the first wait
    rig.during_next_wait(
        lambda: release_session_async.sync_detailed(
            client=other.raw, body=SessionIdRequest(session.session_id)
        )
    )
    result = await rig.call(session.pause, poll_interval=POLL)

    # DELETING cannot become PAUSED: the wait ends at once, the last status in the result.
    assert isinstance(result, SessionPauseResult)
    assert result.success is False
    assert result.status == "DELETING"
    assert result.code == "InvalidSessionStatus"
    assert isinstance(result.error, InvalidStateError)
    assert result.request_id == rig.request_ids("/mcp/pauseSessionAsync")[0]
    assert rig.waits == [POLL]
    # The other client deletes it during the wait before the first poll.
    assert rig.exchanges()[1:] == [
        "POST /mcp/pauseSessionAsync 200",
        "POST /mcp/releaseSessionAsync 200",
        "POST /mcp/getSession 200",
    ]


async def test_delete_times_out(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(session.delete, timeout=3, poll_interval=POLL)

    assert isinstance(result, DeleteResult)
    assert result.success is False
    assert result.code == "WaitTimeout"
    assert result.status == "DELETING"
    assert isinstance(result.error, WaitTimeoutError)
    assert result.request_id == rig.request_ids("/mcp/releaseSessionAsync")[0]
    assert rig.waits == [POLL, 1.0]
    assert result.elapsed == 3.0


async def test_delete_of_a_deleted_session(rig: Rig) -> None:
    session = await create(rig)
    first = await rig.call(session.delete, poll_interval=POLL)
    assert first.success
    rig.take_waits()

    again = await rig.call(session.delete, poll_interval=POLL)
    assert isinstance(again, DeleteResult)
    assert again.success is False
    assert isinstance(again.error, NotFoundError)
    assert again.code == "SessionNotFound"
    assert again.http_status_code == 404
    assert rig.waits == []


async def test_dropped_pause_request_is_reconciled_not_resent_blindly(rig: Rig) -> None:
    session = await create(rig)
    rig.drop("/mcp/pauseSessionAsync")
    result = await rig.call(session.pause, poll_interval=POLL)

    # The server may have acted on it: the status is read first (one interval later); it
    # still shows RUNNING (the drop came before the emulator acted), so the pause is sent
    # again, once, and the wait goes on.
    assert isinstance(result, SessionPauseResult)
    assert result.success is True
    assert result.reconciled is True
    assert result.status == "PAUSED"
    assert result.request_id == rig.request_ids("/mcp/pauseSessionAsync")[0]
    assert rig.exchanges()[1:3] == ["POST /mcp/getSession 200", "POST /mcp/pauseSessionAsync 200"]
    assert rig.statuses()[0] == "RUNNING"
    assert rig.statuses()[-1] == "PAUSED"


# --------------------------------------------------------------------------- context status


async def test_create_succeeds_when_context_status_cannot_be_read(rig: Rig) -> None:
    rig.fault("http_status", path="/sdk/GetContextInfo", status=400, code="InvalidParameter")
    syncs = [ContextSync.new("ctx-data", "/home/wuying/data", SyncPolicy())]
    params = CreateSessionParams(image_id=IMAGE, context_syncs=syncs)
    result = await rig.call(rig.agb.create, params)

    # The session exists: the download is the service's business; a warning, not a failure.
    assert result.success is True
    assert result.session is not None
    assert rig.exchanges() == ["POST /mcp/createSession 200", "GET /sdk/GetContextInfo 400"]
    assert rig.waits == []


async def test_delete_when_context_sync_is_refused(rig: Rig) -> None:
    session = await create(rig, contexts=True)
    rig.fault("html", path="/sdk/SyncContext", status=502)
    result = await rig.call(session.delete, True, poll_interval=POLL)

    assert_reached(result, "FINISH", rig.request_ids("/mcp/releaseSessionAsync")[0])
    assert result.context_synced is False
    assert result.context_sync_error.startswith("context sync was refused")
    assert rig.exchanges()[4:6] == [
        "POST /sdk/SyncContext 502",
        "POST /mcp/releaseSessionAsync 200",
    ]
    assert rig.waits == [POLL, POLL, POLL]


async def test_delete_when_context_status_has_no_data(rig: Rig) -> None:
    session = await create(rig, contexts=True)
    rig.fault("null_data", path="/sdk/GetContextInfo")
    result = await rig.call(session.delete, True, poll_interval=POLL)

    assert_reached(result, "FINISH", rig.request_ids("/mcp/releaseSessionAsync")[0])
    assert result.context_synced is False
    assert "no data" in result.context_sync_error
    assert rig.waits == [POLL, POLL, POLL]
