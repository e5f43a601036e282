"""Reconciling a change whose answer was lost, and the timing of the first poll, driven with
scripted replies (no I/O, a clock that moves only on Sleep)."""

from __future__ import annotations

import logging
import math
from typing import Any

import pytest

from agb import exceptions as exc
from agb._effects import NOW, Call
from agb._envelope import Reply
from agb._plans import delete, pause, resume, wait_for
from agb._retry import RetryPolicy, ambiguous, did_not_act
from agb._waits import MAX_RESENDS
from agb_api_client.models import SessionData
from tests.support.plans import drive, failure, lost, not_found, ok, server_error, status

POLICY = RetryPolicy(max_retries=2, http_timeout=60.0)
START = 100.0
INTERVAL = 1.0

# (plan, operation, old status, status while moving, target)
CHANGES = [
    (pause, "pauseSessionAsync", "RUNNING", "PAUSING", "PAUSED"),
    (resume, "resumeSessionAsync", "PAUSED", "RESUMING", "RUNNING"),
    (delete, "releaseSessionAsync", "RUNNING", "DELETING", "FINISH"),
]
IDS = ["pause", "resume", "delete"]


def run_change(plan: Any, timeout: float = 30.0) -> Any:
    if plan is delete:
        return delete(POLICY, "s-1", sync_context=False, timeout=timeout, interval=INTERVAL)
    return plan(POLICY, "s-1", timeout, INTERVAL)


def html_500(operation: str) -> Reply:
    error = exc.MalformedResponseError("<html> 500", http_status_code=500)
    return failure(operation, error)


def truncated(operation: str) -> Reply:
    return failure(operation, exc.MalformedResponseError("cut short", http_status_code=200))


def timed_out(operation: str) -> Reply:
    return failure(operation, exc.APITimeoutError("read timed out"))


AMBIGUOUS = {
    "dropped": lambda op: lost(op),
    "timeout": timed_out,
    "503-no-retry-after": lambda op: server_error(op),
    "html-500": html_500,
    "truncated": truncated,
}


def test_ambiguous_and_did_not_act_are_told_apart() -> None:
    for make in AMBIGUOUS.values():
        reply = make("pauseSessionAsync")
        assert ambiguous(reply), reply
        assert not did_not_act(reply), reply
    throttled = failure(
        "pauseSessionAsync",
        exc.RateLimitError("slow", http_status_code=429),
        retry_after=1.0,
        code="Throttling",
    )
    busy = failure(
        "pauseSessionAsync",
        exc.ServerError("busy", http_status_code=503, code="ServiceUnavailable"),
        retry_after=2.0,
    )
    for reply in (throttled, busy):
        assert did_not_act(reply), reply
        assert not ambiguous(reply), reply
    never_sent = lost("pauseSessionAsync", sent=False)
    assert not ambiguous(never_sent)


@pytest.mark.parametrize("kind", sorted(AMBIGUOUS))
@pytest.mark.parametrize(("plan", "operation", "old", "moving", "target"), CHANGES, ids=IDS)
def test_a_lost_answer_then_the_change_under_way_continues_the_wait_without_resending(
    plan: Any, operation: str, old: str, moving: str, target: str, kind: str
) -> None:
    script = {
        operation: [AMBIGUOUS[kind](operation)],
        "getSession": [status(moving), status(moving), status(target, request_id="r-done")],
    }
    driven = drive(run_change(plan), script, start=START)
    result = driven.result
    assert result.success, result.error_message
    assert result.reconciled
    assert result.status == target
    assert driven.operations() == [operation, "getSession", "getSession", "getSession"]
    # The status is read one interval after the lost answer (time to settle), then each interval.
    assert [at - START for at, _ in driven.calls[1:]] == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(("plan", "operation", "old", "moving", "target"), CHANGES, ids=IDS)
def test_a_lost_answer_then_the_target_already_shown_succeeds_at_once(
    plan: Any, operation: str, old: str, moving: str, target: str
) -> None:
    script = {operation: [lost(operation)], "getSession": [status(target, request_id="r-seen")]}
    driven = drive(run_change(plan), script, start=START)
    assert driven.result.success
    assert driven.result.reconciled
    assert driven.result.request_id == "r-seen"  # the status read that showed it
    assert driven.operations() == [operation, "getSession"]


@pytest.mark.parametrize(("plan", "operation", "old", "moving", "target"), CHANGES, ids=IDS)
def test_a_lost_answer_then_the_old_status_sends_the_request_again_once(
    plan: Any, operation: str, old: str, moving: str, target: str
) -> None:
    script = {
        operation: [html_500(operation), ok(operation, request_id="r-again")],
        "getSession": [status(old), status(moving), status(target)],
    }
    driven = drive(run_change(plan), script, start=START)
    result = driven.result
    assert result.success, result.error_message
    assert result.reconciled
    assert result.request_id == "r-again"
    assert driven.operations() == [operation, "getSession", operation, "getSession", "getSession"]


@pytest.mark.parametrize(("plan", "operation", "old", "moving", "target"), CHANGES, ids=IDS)
def test_resends_stop_after_max_resends_with_the_last_answer(
    plan: Any, operation: str, old: str, moving: str, target: str
) -> None:
    script = {operation: [server_error(operation)], "getSession": [status(old)]}
    driven = drive(run_change(plan), script, start=START)
    result = driven.result
    assert not result.success
    assert result.reconciled
    assert isinstance(result.error, exc.ServerError)
    assert driven.operations() == [operation, "getSession"] * (1 + MAX_RESENDS)


def test_a_lost_pause_answer_then_a_deleted_session_ends_the_wait_without_resending() -> None:
    script = {"pauseSessionAsync": [lost("pauseSessionAsync")], "getSession": [not_found()]}
    driven = drive(pause(POLICY, "s-1", 30.0, INTERVAL), script, start=START)
    assert not driven.result.success
    assert driven.result.reconciled
    assert isinstance(driven.result.error, exc.NotFoundError)
    assert driven.operations() == ["pauseSessionAsync", "getSession"]


def test_a_lost_delete_answer_then_not_found_is_a_deleted_session() -> None:
    script = {"releaseSessionAsync": [lost("releaseSessionAsync")], "getSession": [not_found()]}
    plan = delete(POLICY, "s-1", sync_context=False, timeout=30.0, interval=INTERVAL)
    driven = drive(plan, script, start=START)
    assert driven.result.success
    assert driven.result.reconciled
    assert driven.result.status == "FINISH"


def test_a_lost_answer_then_an_unknown_status_keeps_waiting_without_resending() -> None:
    script = {
        "pauseSessionAsync": [lost("pauseSessionAsync")],
        "getSession": [status("HIBERNATING"), status("PAUSED")],
    }
    driven = drive(pause(POLICY, "s-1", 30.0, INTERVAL), script, start=START)
    assert driven.result.success
    assert driven.operations() == ["pauseSessionAsync", "getSession", "getSession"]


def test_the_reconciliation_stays_within_the_deadline() -> None:
    script = {
        "pauseSessionAsync": [lost("pauseSessionAsync")],
        "getSession": [server_error("getSession")],
    }
    driven = drive(pause(POLICY, "s-1", 5.0, INTERVAL), script, start=START)
    assert not driven.result.success
    # The status could not be read in time: the result is the lost answer's failure.
    assert isinstance(driven.result.error, exc.APIConnectionError)
    assert driven.result.reconciled
    assert driven.end - START <= 5.0
    assert driven.operations().count("pauseSessionAsync") == 1


def test_the_reconciliation_is_logged_at_info(caplog: pytest.LogCaptureFixture) -> None:
    script = {
        "pauseSessionAsync": [lost("pauseSessionAsync"), ok("pauseSessionAsync")],
        "getSession": [status("RUNNING"), status("PAUSED")],
    }
    with caplog.at_level(logging.INFO, logger="agb"):
        drive(pause(POLICY, "s-1", 30.0, INTERVAL), script, start=START)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("s-1" in line and "sending it again" in line for line in lines), lines


@pytest.mark.parametrize(("plan", "operation", "old", "moving", "target"), CHANGES, ids=IDS)
def test_a_429_or_a_503_with_retry_after_is_sent_again_without_a_status_read(
    plan: Any, operation: str, old: str, moving: str, target: str
) -> None:
    throttled = failure(
        operation, exc.RateLimitError("slow", http_status_code=429), retry_after=2.0
    )
    busy = failure(
        operation,
        exc.ServerError("busy", http_status_code=503),
        retry_after=1.0,
        code="ServiceUnavailable",
    )
    script = {
        operation: [throttled, busy, ok(operation, request_id="r-ok")],
        "getSession": [status(target)],
    }
    driven = drive(run_change(plan), script, start=START)
    assert driven.result.success
    assert not driven.result.reconciled
    assert driven.operations() == [operation, operation, operation, "getSession"]
    assert driven.sleeps == [2.0, 1.0, INTERVAL]


def test_no_status_read_once_the_deadline_has_passed() -> None:
    def slow_loss(call: Any, now: float) -> Reply:
        return lost("pauseSessionAsync")

    script = {"pauseSessionAsync": [slow_loss], "getSession": [status("PAUSED")]}
    plan = pause(POLICY, "s-1", 1.0, INTERVAL)
    # The lost answer comes at the deadline: nothing more is sent.
    driven = drive(_at_deadline(plan, 1.0), script, start=START)
    assert not driven.result.success
    assert not driven.result.reconciled
    assert isinstance(driven.result.error, exc.APIConnectionError)
    assert driven.operations() == ["pauseSessionAsync"]


def _at_deadline(plan: Any, after: float) -> Any:
    """``plan`` with the clock read after its first request moved on by ``after`` seconds."""
    calls = 0
    outcome: Any = None
    while True:
        try:
            effect = plan.send(outcome)
        except StopIteration as stop:
            return stop.value
        if calls >= 1 and effect is NOW:
            now = yield effect
            outcome = now + after
            continue
        outcome = yield effect
        if isinstance(effect, Call):
            calls += 1


def test_a_retry_after_the_deadline_cannot_fit_is_not_waited() -> None:
    throttled = failure(
        "pauseSessionAsync", exc.RateLimitError("slow", http_status_code=429), retry_after=50.0
    )
    driven = drive(pause(POLICY, "s-1", 10.0, INTERVAL), {"pauseSessionAsync": [throttled]})
    assert not driven.result.success
    assert isinstance(driven.result.error, exc.RateLimitError)
    assert driven.sleeps == []


# --------------------------------------------------------------------------- first poll


@pytest.mark.parametrize(("plan", "operation", "old", "moving", "target"), CHANGES, ids=IDS)
@pytest.mark.parametrize(("done", "interval"), [(0.0, 2.0), (3.0, 2.0), (10.0, 0.5), (7.0, 3.0)])
def test_the_first_poll_comes_one_interval_after_the_request(
    plan: Any,
    operation: str,
    old: str,
    moving: str,
    target: str,
    done: float,
    interval: float,
) -> None:
    """A transition of ``done`` seconds costs 1 + max(1, ceil(done / interval)) requests:
    within the bound of 2 + ceil(T/I), and one fewer than a poll right after the request."""

    def poll(call: Any, now: float) -> Reply:
        return status(target if now - START >= done else moving)

    if plan is delete:
        run = delete(POLICY, "s-1", sync_context=False, timeout=600.0, interval=interval)
    else:
        run = plan(POLICY, "s-1", 600.0, interval)
    driven = drive(run, {operation: [ok(operation)], "getSession": [poll]}, start=START)
    assert driven.result.success
    assert driven.calls[1][0] - START == interval
    assert len(driven.calls) == 1 + max(1, math.ceil(done / interval))
    assert len(driven.calls) <= 2 + math.ceil(done / interval)


def test_a_timeout_shorter_than_the_interval_still_polls_at_the_deadline() -> None:
    script = {"pauseSessionAsync": [ok("pauseSessionAsync")], "getSession": [status("PAUSED")]}
    driven = drive(pause(POLICY, "s-1", 0.5, 2.0), script, start=START)
    assert driven.result.success
    assert driven.sleeps == [0.5]


def test_an_early_end_is_seen_at_the_first_poll() -> None:
    script = {"pauseSessionAsync": [ok("pauseSessionAsync")], "getSession": [status("DELETED")]}
    driven = drive(pause(POLICY, "s-1", 600.0, 2.0), script, start=START)
    assert not driven.result.success
    assert driven.result.code == "InvalidSessionStatus"
    assert driven.end - START == 2.0


# --------------------------------------------------------------------------- case, wait_for


def test_statuses_compare_case_insensitively_and_are_reported_upper_case() -> None:
    script = {
        "pauseSessionAsync": [ok("pauseSessionAsync")],
        "getSession": [status("Pausing"), status("PAUSING"), status("Paused")],
    }
    driven = drive(pause(POLICY, "s-1", 30.0, INTERVAL), script, start=START)
    assert driven.result.success
    assert driven.result.status == "PAUSED"
    assert [o.status for o in driven.observed] == ["PAUSING", "PAUSED"]


def test_a_lower_case_deleted_ends_a_pause() -> None:
    script = {"pauseSessionAsync": [ok("pauseSessionAsync")], "getSession": [status("deleted")]}
    driven = drive(pause(POLICY, "s-1", 30.0, INTERVAL), script, start=START)
    assert not driven.result.success
    assert driven.result.code == "InvalidSessionStatus"


def test_wait_for_polls_at_once_and_reports_the_last_poll() -> None:
    script = {"getSession": [status("Running", request_id="r-now")]}
    driven = drive(wait_for(POLICY, "s-1", "RUNNING", 30.0, 2.0), script, start=START)
    assert driven.result.success
    assert driven.result.status == "RUNNING"
    assert driven.result.request_id == "r-now"
    assert driven.sleeps == []
    assert not driven.result.reconciled


def test_wait_for_times_out_with_wait_timeout() -> None:
    script = {"getSession": [status("PAUSING", request_id="r-last")]}
    driven = drive(wait_for(POLICY, "s-1", "PAUSED", 5.0, 2.0), script, start=START)
    result = driven.result
    assert not result.success
    assert result.code == "WaitTimeout"
    assert isinstance(result.error, exc.WaitTimeoutError)
    assert result.status == "PAUSING"
    assert result.elapsed == 5.0
    assert result.request_id == "r-last"
    assert len(driven.calls) == 1 + math.ceil(5.0 / 2.0)


@pytest.mark.parametrize("seen", ["FINISH", "DELETING", "deleted"])
def test_wait_for_ends_early_when_the_target_cannot_come(seen: str) -> None:
    script = {"getSession": [status("RUNNING"), status(seen)]}
    driven = drive(wait_for(POLICY, "s-1", "PAUSED", 600.0, 2.0), script, start=START)
    assert not driven.result.success
    assert driven.result.code == "InvalidSessionStatus"
    assert driven.end - START == 2.0


@pytest.mark.parametrize("target", ["FINISH", "DELETED"])
def test_wait_for_a_gone_status_succeeds_on_not_found(target: str) -> None:
    script = {"getSession": [status("DELETING"), not_found()]}
    driven = drive(wait_for(POLICY, "s-1", target, 600.0, 2.0), script, start=START)
    assert driven.result.success
    assert driven.result.status == "FINISH"


def test_wait_for_deleting_is_reached_not_an_early_end() -> None:
    script = {"getSession": [status("DELETING")]}
    driven = drive(wait_for(POLICY, "s-1", "DELETING", 600.0, 2.0), script, start=START)
    assert driven.result.success


# --------------------------------------------------------------------------- create


def _created(session_id: str = "s-new") -> Reply:
    from agb_api_client.models import CreateSessionData

    return ok("createSession", CreateSessionData(session_id=session_id), request_id="r-create")


def _listed(*session_ids: str) -> Reply:
    from agb_api_client.models import SessionSummary

    rows = [SessionSummary(session_id=sid, session_status="RUNNING") for sid in session_ids]
    return ok("listSessions", rows, request_id="r-list")


def _create(labels: dict[str, str] | None = None) -> Any:
    from agb import CreateSessionParams
    from agb._plans import create

    params = CreateSessionParams(image_id="img", labels=labels or {})
    return create(POLICY, params, timeout=30.0, interval=INTERVAL)


def _sent_labels(call: Call) -> dict[str, str]:
    import json

    labels: dict[str, str] = json.loads(call.kwargs["body"].labels)
    return labels


def test_each_create_is_tagged_with_a_client_token_beside_the_user_labels(
    client_tokens: list[str],
) -> None:
    driven = drive(_create({"team": "sdk"}), {"createSession": [_created()]}, start=START)
    assert driven.result.result.success
    assert not driven.result.result.reconciled
    assert _sent_labels(driven.calls[0][1]) == {"team": "sdk", "agb.client_token": "token-1"}


def test_a_user_given_client_token_is_kept() -> None:
    driven = drive(
        _create({"agb.client_token": "mine"}), {"createSession": [_created()]}, start=START
    )
    assert _sent_labels(driven.calls[0][1]) == {"agb.client_token": "mine"}


@pytest.mark.parametrize("kind", sorted(AMBIGUOUS))
def test_a_lost_create_answer_finds_the_session_by_its_token(kind: str) -> None:
    script = {
        "createSession": [AMBIGUOUS[kind]("createSession")],
        "listSessions": [_listed("s-found")],
        "getSession": [ok("getSession", SessionData(session_id="s-found", status="RUNNING"))],
    }
    driven = drive(_create(), script, start=START)
    found = driven.result
    assert found.result.success
    assert found.result.reconciled
    assert found.record.session_id == "s-found"
    assert driven.operations() == ["createSession", "listSessions", "getSession"]
    import json

    listed = driven.calls[1][1]
    assert json.loads(listed.kwargs["labels"]) == {"agb.client_token": "token-1"}
    assert driven.calls[1][0] - START == INTERVAL  # looked for after a settling time


def test_a_lost_create_answer_with_no_session_sends_the_same_create_again() -> None:
    script = {
        "createSession": [lost("createSession"), _created("s-second")],
        "listSessions": [_listed()],
    }
    driven = drive(_create(), script, start=START)
    assert driven.result.result.success
    assert driven.result.result.reconciled
    assert driven.result.record.session_id == "s-second"
    assert driven.operations() == ["createSession", "listSessions", "createSession"]
    first, again = driven.calls[0][1], driven.calls[2][1]
    assert _sent_labels(first) == _sent_labels(again)  # the same token


def test_a_lost_create_answer_and_no_list_is_a_failure_naming_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    denied = failure("listSessions", exc.AuthenticationError("no", code="AccessDenied"))
    script = {"createSession": [lost("createSession")], "listSessions": [denied]}
    with caplog.at_level(logging.WARNING, logger="agb"):
        driven = drive(_create(), script, start=START)
    assert not driven.result.result.success
    assert isinstance(driven.result.result.error, exc.APIConnectionError)
    assert driven.operations() == ["createSession", "listSessions"]
    assert any("agb.client_token=token-1" in r.getMessage() for r in caplog.records)


def test_a_refused_create_is_not_looked_for() -> None:
    refused = failure("createSession", exc.BadRequestError("bad image", http_status_code=400))
    driven = drive(_create(), {"createSession": [refused]}, start=START)
    assert not driven.result.result.success
    assert not driven.result.result.reconciled
    assert driven.operations() == ["createSession"]
