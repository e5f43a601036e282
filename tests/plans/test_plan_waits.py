"""The wait rules of :mod:`agb._waits` and the waiting plans, driven with scripted replies."""

from __future__ import annotations

import logging

import pytest

from agb import exceptions as exc
from agb._plans import delete, pause, resume
from agb._retry import RetryPolicy
from agb._waits import parse_context_status, wait_context_tasks, wait_for_status
from tests.support.plans import context, drive, failure, lost, not_found, ok, server_error, status

POLICY = RetryPolicy(max_retries=2, http_timeout=60.0)
START = 100.0


def wait(target: str = "PAUSED", *, timeout: float = 30.0, deleting: bool = False, interval=1.0):
    return wait_for_status(
        POLICY,
        "s-1",
        target=target,
        started=START,
        deadline=START + timeout,
        interval=interval,
        deleting=deleting,
    )


def test_the_wait_ends_when_the_target_is_seen_and_reports_each_change_once() -> None:
    script = {
        "getSession": [status("RUNNING"), status("RUNNING"), status("PAUSING"), status("PAUSED")]
    }
    driven = drive(wait(), script, start=START)
    assert driven.result.reached
    assert driven.result.status == "PAUSED"
    assert driven.result.polls == 4
    assert [(o.kind, o.status) for o in driven.observed] == [
        ("status", "RUNNING"),
        ("status", "PAUSING"),
        ("status", "PAUSED"),
    ]
    assert [o.elapsed for o in driven.observed] == [0.0, 2.0, 3.0]
    assert driven.sleeps == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("seen", ["FINISH", "DELETED", "DELETING"])
def test_a_status_the_target_cannot_come_from_ends_the_wait_at_once(seen: str) -> None:
    driven = drive(wait(), {"getSession": [status("PAUSING"), status(seen)]}, start=START)
    assert not driven.result.reached
    assert not driven.result.timed_out
    assert driven.result.status == seen
    assert driven.result.polls == 2


def test_not_found_is_gone_the_end_of_a_deletion_and_the_failure_of_a_pause() -> None:
    deleting = drive(wait("FINISH", deleting=True), {"getSession": [not_found()]}, start=START)
    assert deleting.result.reached
    assert deleting.result.status == "FINISH"
    assert [o.kind for o in deleting.observed] == ["gone"]
    pausing = drive(wait(), {"getSession": [not_found()]}, start=START)
    assert not pausing.result.reached
    assert pausing.result.status == "FINISH"


def test_a_404_without_a_code_is_not_proof_that_the_session_is_gone() -> None:
    bare = failure("getSession", exc.NotFoundError("no such path", http_status_code=404))
    driven = drive(wait("FINISH", deleting=True), {"getSession": [bare]}, start=START)
    assert not driven.result.reached
    assert driven.result.polls == 1


def test_a_transient_poll_failure_keeps_the_wait_going() -> None:
    script = {"getSession": [lost("getSession"), server_error("getSession"), status("PAUSED")]}
    driven = drive(wait(), script, start=START)
    assert driven.result.reached
    assert driven.result.polls == 3


def test_retry_after_of_a_failed_poll_lengthens_the_pause_between_polls() -> None:
    limited = failure("getSession", exc.RateLimitError("slow"), retry_after=5.0)
    driven = drive(wait(), {"getSession": [limited, status("PAUSED")]}, start=START)
    assert driven.sleeps == [5.0]


def test_a_failure_that_will_not_go_away_ends_the_wait_with_the_last_status() -> None:
    denied = failure("getSession", exc.AuthenticationError("no", code="AccessDenied"))
    driven = drive(wait(), {"getSession": [status("PAUSING"), denied]}, start=START)
    assert not driven.result.reached
    assert driven.result.status == "PAUSING"
    assert driven.result.reply is not None
    assert isinstance(driven.result.reply.error, exc.AuthenticationError)


def test_the_deadline_ends_the_wait_and_cuts_the_last_sleep() -> None:
    driven = drive(wait(timeout=2.5), {"getSession": [status("PAUSING")]}, start=START)
    assert driven.result.timed_out
    assert driven.sleeps == [1.0, 1.0, 0.5]
    assert driven.end == START + 2.5


def test_each_poll_gets_at_most_the_time_left_but_never_less_than_a_second() -> None:
    driven = drive(wait(timeout=2.5), {"getSession": [status("PAUSING")]}, start=START)
    assert [call.timeout for _, call in driven.calls] == [2.5, 1.5, 1.0, 1.0]
    long = drive(wait(timeout=600), {"getSession": [status("PAUSED")]}, start=START)
    assert long.calls[0][1].timeout == POLICY.http_timeout


def test_an_unknown_status_keeps_the_wait_going_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    script = {"getSession": [status("HIBERNATING"), status("HIBERNATING"), status("PAUSED")]}
    with caplog.at_level(logging.INFO, logger="agb"):
        driven = drive(wait(), script, start=START)
    assert driven.result.reached
    assert sum("HIBERNATING" in r.getMessage() for r in caplog.records if r.name == "agb") == 1


# --------------------------------------------------------------------------- context tasks


def tasks_wait(timeout: float = 10.0):
    return wait_context_tasks(
        POLICY, "s-1", ("upload",), started=START, deadline=START + timeout, interval=1.0
    )


def test_context_tasks_are_polled_until_every_one_is_final() -> None:
    script = {
        "getContextInfo": [
            context(("upload", "Running")),
            context(("upload", "Running")),
            context(("upload", "Success"), ("download", "Running")),
        ]
    }
    driven = drive(tasks_wait(), script, start=START)
    assert driven.result.ok
    assert [o.status for o in driven.observed] == ["upload Running", "upload Success"]
    assert driven.observed[-1].tasks[0].status == "Success"


def test_a_failed_context_task_is_reported() -> None:
    driven = drive(tasks_wait(), {"getContextInfo": [context(("upload", "Failed"))]}, start=START)
    assert not driven.result.ok
    assert "context sync failed" in driven.result.error
    assert "c-1 /data" in driven.result.error


def test_context_tasks_that_do_not_end_in_time_are_reported() -> None:
    driven = drive(tasks_wait(2.5), {"getContextInfo": [context(("upload", "Running"))]})
    assert not driven.result.ok
    assert driven.result.error == "context sync did not finish in time"


def test_an_unreadable_context_status_is_an_error_not_an_exception() -> None:
    for raw in ("[", "{}", "[" * 100_000, '[{"type": "data", "data": "' + "[" * 50_000 + '"}]'):
        driven = drive(tasks_wait(), {"getContextInfo": [context(raw=raw)]}, start=START)
        assert not driven.result.ok
        assert "contextStatus" in driven.result.error


def test_parse_context_status_reads_json_in_json() -> None:
    tasks = parse_context_status(context(("upload", "Running")).model.data.context_status)
    assert isinstance(tasks, list)
    assert [(t.task_type, t.status, t.context_id) for t in tasks] == [("upload", "Running", "c-1")]
    assert parse_context_status("") == []


def test_a_refused_context_status_ends_the_wait() -> None:
    denied = failure("getContextInfo", exc.AuthenticationError("no", code="AccessDenied"))
    driven = drive(tasks_wait(), {"getContextInfo": [denied]}, start=START)
    assert not driven.result.ok
    assert "could not be read" in driven.result.error


# --------------------------------------------------------------------------- pause / resume


@pytest.mark.parametrize(
    ("plan", "operation"), [(pause, "pauseSessionAsync"), (resume, "resumeSessionAsync")]
)
def test_a_refused_change_is_reported_and_never_resent(plan, operation: str) -> None:
    refused = failure(
        operation, exc.InvalidStateError("no", code="InvalidSessionStatus", http_status_code=400)
    )
    driven = drive(plan(POLICY, "s-1", 30.0, 1.0), {operation: [refused]})
    assert not driven.result.success
    assert not driven.result.reconciled
    assert driven.operations() == [operation]


def test_a_pause_that_times_out_is_a_wait_timeout_with_the_pause_request_id() -> None:
    script = {
        "pauseSessionAsync": [ok("pauseSessionAsync", request_id="r-pause")],
        "getSession": [status("PAUSING")],
    }
    driven = drive(pause(POLICY, "s-1", 3.0, 1.0), script, start=START)
    result = driven.result
    assert not result.success
    assert result.code == "WaitTimeout"
    assert isinstance(result.error, exc.WaitTimeoutError)
    assert result.request_id == "r-pause"
    assert result.status == "PAUSING"
    assert result.elapsed == 3.0


def test_a_resume_reaching_running_succeeds_with_the_resume_request_id() -> None:
    script = {
        "resumeSessionAsync": [ok("resumeSessionAsync", request_id="r-resume")],
        "getSession": [status("PAUSED"), status("RESUMING"), status("RUNNING")],
    }
    driven = drive(resume(POLICY, "s-1", 30.0, 1.0), script, start=START)
    assert driven.result.success
    assert driven.result.request_id == "r-resume"
    assert driven.result.status == "RUNNING"


def test_a_session_being_deleted_cannot_pause() -> None:
    script = {"pauseSessionAsync": [ok("pauseSessionAsync")], "getSession": [status("DELETING")]}
    result = drive(pause(POLICY, "s-1", 30.0, 1.0), script).result
    assert not result.success
    assert result.code == "InvalidSessionStatus"


# --------------------------------------------------------------------------- delete


def test_delete_with_a_refused_sync_still_deletes() -> None:
    script = {
        "syncContext": [failure("syncContext", exc.BadRequestError("no", code="InvalidParameter"))],
        "releaseSessionAsync": [ok("releaseSessionAsync", request_id="r-del")],
        "getSession": [not_found()],
    }
    driven = drive(delete(POLICY, "s-1", sync_context=True, timeout=10, interval=1.0), script)
    result = driven.result
    assert result.success
    assert result.context_synced is False
    assert "refused" in result.context_sync_error
    assert result.request_id == "r-del"
    assert driven.operations() == ["syncContext", "releaseSessionAsync", "getSession"]


def test_delete_waits_for_the_upload_then_for_the_session_to_go() -> None:
    script = {
        "syncContext": [ok("syncContext")],
        "getContextInfo": [context(("upload", "Running")), context(("upload", "Success"))],
        "releaseSessionAsync": [ok("releaseSessionAsync")],
        "getSession": [status("DELETING"), status("FINISH")],
    }
    driven = drive(delete(POLICY, "s-1", sync_context=True, timeout=10, interval=1.0), script)
    assert driven.result.success
    assert driven.result.context_synced is True
    assert [o.kind for o in driven.observed] == ["context", "context", "status", "status"]


def test_delete_that_does_not_end_in_time_is_a_wait_timeout() -> None:
    script = {
        "releaseSessionAsync": [ok("releaseSessionAsync")],
        "getSession": [status("DELETING")],
    }
    driven = drive(delete(POLICY, "s-1", sync_context=False, timeout=2, interval=1.0), script)
    assert driven.result.code == "WaitTimeout"
    assert driven.result.status == "DELETING"


# --------------------------------------------------------------------------- deadlines (issue 12)


def limited(operation: str, seconds: float):
    return failure(operation, exc.RateLimitError("slow", http_status_code=429), retry_after=seconds)


def test_a_retry_after_past_the_deadline_ends_a_status_wait_at_once() -> None:
    script = {"getSession": [status("PAUSING"), limited("getSession", 20.0), status("PAUSED")]}
    driven = drive(wait(timeout=5.0), script, start=START)
    assert not driven.result.reached
    assert not driven.result.timed_out
    assert driven.result.status == "PAUSING"
    assert isinstance(driven.result.reply.error, exc.RateLimitError)
    assert driven.sleeps == [1.0]
    assert driven.end == START + 1.0


def test_every_request_of_a_delete_gets_at_most_the_time_left() -> None:
    script = {
        "syncContext": [ok("syncContext")],
        "getContextInfo": [context(("upload", "Running")), context(("upload", "Success"))],
        "releaseSessionAsync": [ok("releaseSessionAsync")],
        "getSession": [status("DELETING"), status("FINISH")],
    }
    driven = drive(delete(POLICY, "s-1", sync_context=True, timeout=2.0, interval=1.0), script)
    timeouts = {call.operation: call.timeout for _, call in driven.calls}
    assert timeouts["syncContext"] == 2.0
    assert timeouts["getContextInfo"] == 1.0
    assert timeouts["releaseSessionAsync"] == 2.0
    assert all(call.timeout is not None and call.timeout <= 2.0 for _, call in driven.calls)


def test_a_pause_request_gets_at_most_the_wait_as_its_timeout() -> None:
    script = {"pauseSessionAsync": [ok("pauseSessionAsync")], "getSession": [status("PAUSED")]}
    driven = drive(pause(POLICY, "s-1", 3.0, 1.0), script, start=START)
    assert driven.calls[0][1].timeout == 3.0


def test_no_retry_starts_that_cannot_end_before_the_deadline() -> None:
    # Release may be retried (it never left), but a 0.5 s backoff does not fit 0.2 s left.
    from agb._effects import Call
    from agb._retry import request
    from agb_api_client.api.sessions import release_session_async

    call = Call("releaseSessionAsync", release_session_async, {})
    driven = drive(
        request(POLICY, call, START + 0.2),
        {"releaseSessionAsync": [lost("releaseSessionAsync", sent=False), ok("x")]},
        start=START,
    )
    assert not driven.result.ok
    assert driven.sleeps == []
    assert len(driven.calls) == 1
    assert driven.calls[0][1].timeout == 1.0  # the floor: the time left is shorter


def test_a_context_download_wait_ends_at_a_retry_after_past_its_deadline() -> None:
    from agb import ContextSync, CreateSessionParams
    from agb._plans import create
    from agb_api_client.models import CreateSessionData

    params = CreateSessionParams(image_id="img", context_syncs=[ContextSync("c-1", "/data")])
    script = {
        "createSession": [ok("createSession", CreateSessionData(session_id="s-1"))],
        "getContextInfo": [limited("getContextInfo", 20.0)],
    }
    driven = drive(create(POLICY, params, timeout=1.0, interval=0.5), script, start=START)
    assert driven.result.result.success
    assert driven.sleeps == []
    assert driven.end == START
    assert driven.operations() == ["createSession", "getContextInfo"]
