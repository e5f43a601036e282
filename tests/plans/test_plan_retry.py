"""The retry rules of :func:`agb._retry.request`, driven with scripted replies."""

from __future__ import annotations

import pytest

from agb import exceptions as exc
from agb._effects import Call
from agb._retry import RetryPolicy, request
from agb_api_client.api.sessions import get_session, pause_session_async
from tests.support.plans import drive, failure, lost, ok, server_error

POLICY = RetryPolicy(max_retries=2, base_delay=0.5, max_delay=8.0)
READ = Call("getSession", get_session, {}, idempotent=True)
WRITE = Call("pauseSessionAsync", pause_session_async, {})


def test_a_success_is_sent_once() -> None:
    driven = drive(request(POLICY, READ), {"getSession": [ok("getSession")]})
    assert driven.result.ok
    assert driven.operations() == ["getSession"]
    assert driven.sleeps == []


def test_a_transient_failure_of_a_read_is_retried_with_doubling_backoff() -> None:
    script = {"getSession": [server_error("getSession"), lost("getSession"), ok("getSession")]}
    driven = drive(request(POLICY, READ), script)
    assert driven.result.ok
    assert len(driven.calls) == 3
    assert driven.sleeps == [0.5, 1.0]


def test_retries_stop_at_max_retries_with_the_last_failure() -> None:
    driven = drive(request(POLICY, READ), {"getSession": [server_error("getSession")]})
    assert not driven.result.ok
    assert len(driven.calls) == POLICY.max_retries + 1
    assert isinstance(driven.result.error, exc.ServerError)


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_retries=5, base_delay=1.0, max_delay=3.0)
    driven = drive(request(policy, READ), {"getSession": [server_error("getSession")]})
    assert driven.sleeps == [1.0, 2.0, 3.0, 3.0, 3.0]


def test_a_write_the_server_may_have_seen_is_never_resent() -> None:
    for reply in (server_error("pauseSessionAsync"), lost("pauseSessionAsync")):
        driven = drive(request(POLICY, WRITE), {"pauseSessionAsync": [reply]})
        assert not driven.result.ok
        assert len(driven.calls) == 1
        assert driven.sleeps == []


def test_a_write_that_never_left_is_retried() -> None:
    script = {"pauseSessionAsync": [lost("pauseSessionAsync", sent=False), ok("pauseSessionAsync")]}
    driven = drive(request(POLICY, WRITE), script)
    assert driven.result.ok
    assert len(driven.calls) == 2


@pytest.mark.parametrize(
    "error",
    [
        exc.BadRequestError("no", code="InvalidParameter", http_status_code=400),
        exc.AuthenticationError("no", code="AccessDenied", http_status_code=401),
        exc.NotFoundError("no", code="InvalidMcpSession.NotFound", http_status_code=400),
    ],
)
def test_a_failure_that_will_not_go_away_is_not_retried(error: exc.AGBError) -> None:
    driven = drive(request(POLICY, READ), {"getSession": [failure("getSession", error)]})
    assert not driven.result.ok
    assert len(driven.calls) == 1


def test_retry_after_is_the_wait_when_the_service_gives_one() -> None:
    limited = failure(
        "getSession", exc.RateLimitError("slow", http_status_code=429), retry_after=4.0
    )
    driven = drive(request(POLICY, READ), {"getSession": [limited, ok("getSession")]})
    assert driven.result.ok
    assert driven.sleeps == [4.0]


def test_a_retry_after_beyond_the_policy_ends_the_retries() -> None:
    limited = failure(
        "getSession", exc.RateLimitError("slow", http_status_code=429), retry_after=61.0
    )
    driven = drive(request(POLICY, READ), {"getSession": [limited, ok("getSession")]})
    assert not driven.result.ok
    assert len(driven.calls) == 1
    assert driven.sleeps == []
