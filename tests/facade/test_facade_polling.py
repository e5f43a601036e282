"""pause/resume: the request, then polling to the target status against a deadline.

Every test runs for pause and resume, each through the sync method and the async twin.
"""

from __future__ import annotations

import logging
import math

import httpx
import pytest

from agb import Session
from agb._waits import MAX_RESENDS
from agb.exceptions import (
    InvalidStateError,
    NotFoundError,
    RateLimitError,
    ServerError,
    WaitTimeoutError,
)
from tests.support.clock import FakeClock
from tests.support.fakes import (
    NOT_FOUND,
    OPS,
    SID,
    FakeServer,
    Op,
    Runner,
    Seen,
    Transition,
    fail,
    ok,
    raw,
    status_answer,
)


@pytest.fixture(params=OPS, ids=lambda op: op.name)
def op(request: pytest.FixtureRequest) -> Op:
    return request.param  # type: ignore[no-any-return]


def polls(server: FakeServer) -> list[Seen]:
    return server.to("/mcp/getSession")


async def test_reaches_the_target(
    run: Runner, op: Op, session: Session, server: FakeServer, clock: FakeClock
) -> None:
    Transition(server, op, done=5.0)

    result = await run(session, op.name, timeout=60, poll_interval=2.0)

    assert isinstance(result, op.result)
    assert result.success, result.error_message
    assert result.status == op.target
    assert result.request_id == "req-start"
    assert result.elapsed == pytest.approx(6.0)
    assert result.code == "ok"
    assert result.http_status_code == 200
    # Polls at 2, 4, 6 s: none right after the request, when it could only show the old status.
    assert clock.sleeps == [2.0, 2.0, 2.0]
    assert [p.at - clock.start for p in polls(server)] == [2.0, 4.0, 6.0]


async def test_first_poll_showing_the_old_status_is_not_a_failure(
    run: Runner, op: Op, session: Session, server: FakeServer
) -> None:
    server.on(op.path, ok(request_id="req-start"))
    server.on("/mcp/getSession", status_answer(op.old), status_answer(op.old))
    server.on("/mcp/getSession", status_answer(op.target))

    result = await run(session, op.name, timeout=30, poll_interval=1.0)

    assert result.success
    assert len(polls(server)) == 3


@pytest.mark.parametrize(
    ("done", "interval"),
    [(0.0, 2.0), (1.0, 2.0), (2.0, 2.0), (5.0, 2.0), (9.5, 2.0), (10.0, 0.5), (7.0, 3.0)],
)
async def test_request_count_is_two_plus_ceil_t_over_i(
    run: Runner,
    op: Op,
    session: Session,
    server: FakeServer,
    done: float,
    interval: float,
) -> None:
    Transition(server, op, done=done, stale=0.0)

    result = await run(session, op.name, timeout=600, poll_interval=interval)

    assert result.success
    # The request, then one poll per interval until the target shows: 1 + ceil(T/I) (at least
    # one poll), within the bound of 2 + ceil(T/I) requests per wait.
    assert len(server.requests) == 1 + max(1, math.ceil(done / interval))
    assert len(server.requests) <= 2 + math.ceil(done / interval)


async def test_deadline_is_time_not_a_count_of_polls(
    run: Runner, op: Op, session: Session, server: FakeServer, clock: FakeClock
) -> None:
    """Slow status requests (3 s each) use up the deadline: no fixed number of polls."""
    server.on(op.path, ok(request_id="req-start"))

    def slow_poll(seen: Seen) -> httpx.Response:
        clock.now += 3.0
        return status_answer(op.middle)

    server.on("/mcp/getSession", slow_poll)

    result = await run(session, op.name, timeout=10, poll_interval=1.0)

    assert not result.success
    assert result.code == "WaitTimeout"
    # Polls start at 1, 5 and 9 s; one at 13 s would be past the deadline of 10 s: the wait
    # after the third poll (which ended at 12 s) is not taken.
    assert [p.at - clock.start for p in polls(server)] == [1.0, 5.0, 9.0]
    assert clock.sleeps == [1.0, 1.0, 1.0]
    assert result.elapsed == pytest.approx(12.0)


async def test_each_poll_has_a_timeout_cut_to_the_time_left(
    run: Runner, op: Op, session: Session, server: FakeServer
) -> None:
    Transition(server, op, done=100.0)

    result = await run(session, op.name, timeout=7, poll_interval=2.0)

    assert not result.success
    read_timeouts = [p.timeout["read"] for p in polls(server)]
    # Polls at 2, 4, 6 and 7 s: 5 s left, then 3, 1 and at the deadline the floor of 1 s.
    assert read_timeouts == [5.0, 3.0, 1.0, 1.0]
    assert server.requests[0].timeout["read"] == 7.0


async def test_last_wait_is_cut_to_the_time_left(
    run: Runner, op: Op, session: Session, server: FakeServer, clock: FakeClock
) -> None:
    Transition(server, op, done=100.0)

    result = await run(session, op.name, timeout=5, poll_interval=2.0)

    assert clock.sleeps == [2.0, 2.0, 1.0]
    assert [p.at - clock.start for p in polls(server)] == [2.0, 4.0, 5.0]
    assert result.elapsed == pytest.approx(5.0)
    assert len(server.requests) == 1 + math.ceil(5 / 2)


async def test_timeout_is_a_failed_result(
    run: Runner, op: Op, session: Session, server: FakeServer
) -> None:
    Transition(server, op, done=100.0)

    result = await run(session, op.name, timeout=6, poll_interval=2.0)

    assert isinstance(result, op.result)
    assert result.success is False
    assert result.code == "WaitTimeout"
    assert result.status == op.middle
    assert result.request_id == "req-start"
    assert result.http_status_code is None
    assert result.elapsed == pytest.approx(6.0)
    assert isinstance(result.error, WaitTimeoutError)
    assert result.error.status == op.middle
    assert result.error.request_id == "req-start"
    assert result.error.code == "WaitTimeout"
    assert op.target in result.error_message
    assert op.middle in result.error_message
    with pytest.raises(WaitTimeoutError) as raised:
        result.raise_for_status()
    assert raised.value is result.error


@pytest.mark.parametrize("interval", [0.5, 7.0])
async def test_poll_interval_is_honoured(
    run: Runner, op: Op, session: Session, server: FakeServer, clock: FakeClock, interval: float
) -> None:
    Transition(server, op, done=21.0)

    result = await run(session, op.name, timeout=600, poll_interval=interval)

    assert result.success
    assert set(clock.sleeps) == {interval}
    assert len(clock.sleeps) == math.ceil(21.0 / interval)


@pytest.mark.parametrize(
    ("answer", "status", "error", "code"),
    [
        (status_answer("FINISH"), "FINISH", InvalidStateError, "InvalidSessionStatus"),
        (status_answer("DELETED"), "DELETED", InvalidStateError, "InvalidSessionStatus"),
        (status_answer("DELETING"), "DELETING", InvalidStateError, "InvalidSessionStatus"),
        (NOT_FOUND, "FINISH", NotFoundError, "InvalidMcpSession.NotFound"),
        (fail(404, "SessionNotFound", "gone"), "FINISH", NotFoundError, "SessionNotFound"),
    ],
    ids=["FINISH", "DELETED", "DELETING", "not-found-400", "not-found-404"],
)
async def test_a_status_the_target_cannot_come_from_ends_the_wait_at_once(
    run: Runner,
    op: Op,
    session: Session,
    server: FakeServer,
    clock: FakeClock,
    answer: httpx.Response,
    status: str,
    error: type[Exception],
    code: str,
) -> None:
    server.on(op.path, ok(request_id="req-start"))
    server.on("/mcp/getSession", status_answer(op.old), answer)

    result = await run(session, op.name, timeout=600, poll_interval=2.0)

    assert result.success is False
    assert result.status == status
    assert result.code == code
    assert isinstance(result.error, error)
    assert result.request_id == "req-start"
    assert len(polls(server)) == 2
    assert clock.sleeps == [2.0, 2.0]
    with pytest.raises(error):
        result.raise_for_status()


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("peer closed connection"),
        fail(503, "ServiceUnavailable", "try later"),
        fail(500, "InternalError", "oops"),
        raw(502, "<html><title>502 Bad Gateway</title></html>", "text/html"),
        raw(200, '{"requestId": "r-cut", "success": tr'),
    ],
    ids=["connect", "read-timeout", "dropped", "503", "500", "html-502", "truncated"],
)
async def test_one_failed_poll_is_retried_within_the_deadline(
    run: Runner,
    op: Op,
    session: Session,
    server: FakeServer,
    clock: FakeClock,
    failure: httpx.Response | Exception,
) -> None:
    server.on(op.path, ok(request_id="req-start"))
    server.on("/mcp/getSession", status_answer(op.middle), failure, status_answer(op.target))

    result = await run(session, op.name, timeout=60, poll_interval=2.0)

    assert result.success, result.error_message
    assert result.status == op.target
    assert len(polls(server)) == 3
    assert clock.sleeps == [2.0, 2.0, 2.0]


async def test_429_retry_after_is_honoured(
    run: Runner, op: Op, session: Session, server: FakeServer, clock: FakeClock
) -> None:
    server.on(op.path, ok(request_id="req-start"))
    server.on(
        "/mcp/getSession",
        status_answer(op.middle),
        fail(429, "Throttling", "slow down", headers={"Retry-After": "7"}),
        status_answer(op.target),
    )

    result = await run(session, op.name, timeout=60, poll_interval=2.0)

    assert result.success
    assert clock.sleeps == [2.0, 2.0, 7.0]


async def test_retry_after_beyond_the_deadline_ends_the_wait_at_once(
    run: Runner, op: Op, session: Session, server: FakeServer, clock: FakeClock
) -> None:
    """Issue 12: a Retry-After longer than the time left ends the wait at once, with that
    reason (until then the sleep was cut to the deadline and one more poll was made)."""
    server.on(op.path, ok(request_id="req-start"))
    server.on(
        "/mcp/getSession",
        fail(429, "Throttling", "slow down", headers={"Retry-After": "120"}),
        status_answer(op.target),
    )

    result = await run(session, op.name, timeout=10, poll_interval=2.0)

    assert not result.success
    assert isinstance(result.error, RateLimitError)
    assert result.error.retry_after == 120
    assert result.request_id == "req-start"
    assert clock.sleeps == [2.0]  # the one wait before the first poll
    assert len(server.to("/mcp/getSession")) == 1


async def test_failed_polls_until_the_deadline_report_the_last_error(
    run: Runner, op: Op, session: Session, server: FakeServer
) -> None:
    server.on(op.path, ok(request_id="req-start"))
    server.on("/mcp/getSession", status_answer(op.middle), fail(503, "ServiceUnavailable"))

    result = await run(session, op.name, timeout=6, poll_interval=2.0)

    assert not result.success
    assert result.code == "WaitTimeout"
    assert result.status == op.middle
    assert isinstance(result.error, WaitTimeoutError)


async def test_a_poll_refused_for_good_ends_the_wait(
    run: Runner, op: Op, session: Session, server: FakeServer
) -> None:
    server.on(op.path, ok(request_id="req-start"))
    server.on("/mcp/getSession", fail(403, "AccessDenied", "key revoked", request_id="r-403"))

    result = await run(session, op.name, timeout=60, poll_interval=2.0)

    assert not result.success
    assert result.code == "AccessDenied"
    assert result.http_status_code == 403
    assert result.request_id == "req-start"
    assert result.error is not None
    assert result.error.request_id == "r-403"
    assert len(polls(server)) == 1


@pytest.mark.parametrize(
    ("answer", "code", "status"),
    [
        (fail(400, "InvalidSessionStatus", "session is RESUMING"), "InvalidSessionStatus", 400),
        (fail(404, "SessionNotFound", "Session not found"), "SessionNotFound", 404),
        (ok(success=False, code="Denied", message="no"), "Denied", 200),
    ],
    ids=["invalid-status", "not-found", "200-success-false"],
)
async def test_a_rejected_request_is_reported_and_never_resent(
    run: Runner,
    op: Op,
    session: Session,
    server: FakeServer,
    clock: FakeClock,
    answer: httpx.Response,
    code: str,
    status: int,
) -> None:
    server.on(op.path, answer)

    result = await run(session, op.name, timeout=60, poll_interval=2.0)

    assert not result.success
    assert result.code == code
    assert result.http_status_code == status
    assert result.request_id == "req-err" or status == 200
    assert result.error is not None
    assert result.error.code == code
    assert server.paths == [op.path]
    assert clock.sleeps == []


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("timed out"), httpx.RemoteProtocolError("peer closed connection")],
    ids=["read-timeout", "dropped"],
)
async def test_a_request_the_server_may_have_seen_is_never_resent_blindly(
    run: Runner, op: Op, session: Session, server: FakeServer, failure: Exception
) -> None:
    """Its fate is unknown: the status is read first; the session is gone, so no resend."""
    server.on(op.path, failure)
    server.on("/mcp/getSession", NOT_FOUND)

    result = await run(session, op.name, timeout=60, poll_interval=2.0)

    assert not result.success
    assert result.reconciled
    assert isinstance(result.error, NotFoundError)
    assert server.paths == [op.path, "/mcp/getSession"]


async def test_a_request_that_never_left_is_sent_again(
    run: Runner, op: Op, session: Session, server: FakeServer, clock: FakeClock
) -> None:
    server.on(op.path, httpx.ConnectError("connection refused"), ok(request_id="req-start"))
    server.on("/mcp/getSession", status_answer(op.target))

    result = await run(session, op.name, timeout=60, poll_interval=2.0)

    assert result.success
    assert not result.reconciled
    assert server.paths == [op.path, op.path, "/mcp/getSession"]
    assert clock.sleeps == [0.5, 2.0]


async def test_unknown_statuses_keep_the_wait_going_and_are_logged_once(
    run: Runner,
    op: Op,
    session: Session,
    server: FakeServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.on(op.path, ok(request_id="req-start"))
    server.on(
        "/mcp/getSession",
        status_answer("HIBERNATING"),
        status_answer("HIBERNATING"),
        status_answer("MIGRATING"),
        status_answer("HIBERNATING"),
        status_answer(op.target),
    )

    with caplog.at_level(logging.INFO, logger="agb"):
        result = await run(session, op.name, timeout=60, poll_interval=1.0)

    assert result.success
    assert len(polls(server)) == 5
    about = [r.getMessage() for r in caplog.records if "HIBERNATING" in r.getMessage()]
    assert len(about) == 1
    assert SID in about[0]
    assert len([r for r in caplog.records if "MIGRATING" in r.getMessage()]) == 1


async def test_a_poll_without_status_keeps_waiting(
    run: Runner, op: Op, session: Session, server: FakeServer
) -> None:
    server.on(op.path, ok(request_id="req-start"))
    server.on("/mcp/getSession", ok({"sessionId": SID}), status_answer(op.target))

    result = await run(session, op.name, timeout=60, poll_interval=1.0)

    assert result.success
    assert len(polls(server)) == 2


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": -5}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"timeout": "60"}, "timeout"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"poll_interval": -0.1}, "poll_interval"),
        ({"poll_interval": float("nan")}, "poll_interval"),
        ({"poll_interval": False}, "poll_interval"),
        ({"poll_interval": None}, "poll_interval"),
    ],
)
async def test_bad_wait_arguments_raise_value_error_naming_them(
    run: Runner, op: Op, session: Session, server: FakeServer, kwargs: dict[str, object], named: str
) -> None:
    with pytest.raises(ValueError, match=rf"^{named} must be"):
        await run(session, op.name, **kwargs)
    assert server.requests == []


async def test_bad_wait_arguments_of_delete_raise_value_error(
    run: Runner, session: Session, server: FakeServer
) -> None:
    with pytest.raises(ValueError, match=r"^timeout must be"):
        await run(session, "delete", timeout=0)
    with pytest.raises(ValueError, match=r"^poll_interval must be"):
        await run(session, "delete", poll_interval=float("nan"))
    assert server.requests == []


async def test_server_error_on_the_request_is_typed(
    run: Runner, op: Op, session: Session, server: FakeServer
) -> None:
    server.on(op.path, raw(502, "<html><title>502 Bad Gateway</title></html>", "text/html"))
    # A proxy's page: the fate is unknown; the status shows the session did not move, so the
    # request is sent again (each time after reading the status), until MAX_RESENDS.
    server.on("/mcp/getSession", status_answer(op.old))

    result = await run(session, op.name, timeout=60, poll_interval=2.0)

    assert result.reconciled
    assert server.paths == [op.path, "/mcp/getSession"] * (1 + MAX_RESENDS)
    assert isinstance(result.error, ServerError)
    assert result.http_status_code == 502
    assert "502 Bad Gateway" in result.error_message
    assert "<html>" not in result.error_message
