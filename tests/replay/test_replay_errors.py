"""Failures the service (or a proxy in front of it) answers with, replayed from real traffic.

Every answer here was produced by the recording emulator: a wrong key, an unknown session, or a
scripted fault (429, 503, an nginx HTML page, garbage, cut JSON, ``data: null``, unknown statuses
and fields, a create failing inside an HTTP 200, an HTTP status Python does not know).
"""

from __future__ import annotations

import pytest

from agb import (
    APIError,
    ApiResponse,
    AuthenticationError,
    BadRequestError,
    CreateSessionParams,
    InvalidStateError,
    MalformedResponseError,
    NotFoundError,
    RateLimitError,
    ServerError,
    Session,
    SessionError,
    UnsupportedOperationError,
)
from tests.support.cassettes import WRONG_KEY, Rig

pytestmark = pytest.mark.vcr

IMAGE = "agb-code-space-1"
GET_SESSION = "/mcp/getSession"
UNKNOWN_ID = "session-does-not-exist"


async def create(rig: Rig) -> Session:
    result = await rig.call(rig.agb.create, CreateSessionParams(image_id=IMAGE))
    assert result.success, result.error_message
    assert result.session is not None
    return result.session


def assert_failed(
    result: ApiResponse, error: type[SessionError], *, code: str, http: int | None, request_id: str
) -> None:
    assert result.success is False
    assert type(result.error) is error
    assert result.code == code
    assert result.http_status_code == http
    assert result.request_id == request_id
    assert result.error_message
    err = result.error
    assert (err.code, err.http_status_code, err.request_id) == (code, http, request_id)


# --------------------------------------------------------------------------- refused


async def test_wrong_api_key(rig: Rig) -> None:
    # Recording, this client sends a key the emulator does not accept (scrubbed all the same).
    stranger = rig.make_agb(WRONG_KEY)
    result = await rig.call(stranger.get_session, UNKNOWN_ID)
    assert_failed(
        result,
        AuthenticationError,
        code="AccessDenied",
        http=403,
        request_id=rig.request_ids(GET_SESSION)[0],
    )
    listed = await rig.call(stranger.list)
    assert isinstance(listed.error, AuthenticationError)
    assert listed.session_ids == []
    assert rig.waits == []  # an auth failure is never retried
    assert rig.exchanges() == ["POST /mcp/getSession 403", "GET /sdk/ListSession 403"]


async def test_session_not_found(rig: Rig) -> None:
    result = await rig.call(rig.agb.get_session, UNKNOWN_ID)
    assert_failed(
        result,
        NotFoundError,
        code="InvalidMcpSession.NotFound",
        http=400,
        request_id=rig.request_ids(GET_SESSION)[0],
    )
    assert result.message == "Session not found"
    assert result.data is None

    found = await rig.call(rig.agb.get, UNKNOWN_ID)
    assert found.session is None
    assert isinstance(found.error, NotFoundError)
    with pytest.raises(NotFoundError):
        found.raise_for_status()

    status = await rig.call(Session(rig.agb, UNKNOWN_ID).get_status)
    assert isinstance(status.error, NotFoundError)
    assert status.status == ""
    assert rig.waits == []


async def test_rate_limited_until_retries_run_out(rig: Rig) -> None:
    rig.fault("rate_limited", path=GET_SESSION, times=3, seconds=3)
    result = await rig.call(rig.agb.get_session, UNKNOWN_ID)

    assert_failed(
        result,
        RateLimitError,
        code="Throttling",
        http=429,
        request_id=rig.request_ids(GET_SESSION)[-1],
    )
    assert isinstance(result.error, RateLimitError)
    assert result.error.retry_after == 3.0
    # Two retries, each after the Retry-After the service asked for.
    assert rig.waits == [3.0, 3.0]
    assert rig.exchanges() == ["POST /mcp/getSession 429"] * 3


async def test_transient_503_is_retried(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("unavailable", path=GET_SESSION)
    result = await rig.call(rig.agb.get_session, session.session_id)

    assert result.success is True
    assert result.request_id == rig.request_ids(GET_SESSION)[1]
    assert result.data is not None
    assert result.data.status == "RUNNING"
    assert rig.waits == [0.5]  # first backoff step
    assert rig.exchanges()[1:] == ["POST /mcp/getSession 503", "POST /mcp/getSession 200"]


async def test_503_retry_after_is_honoured(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("unavailable", path=GET_SESSION, seconds=4)
    result = await rig.call(rig.agb.get_session, session.session_id)

    assert result.success is True
    assert rig.exchanges()[1:] == ["POST /mcp/getSession 503", "POST /mcp/getSession 200"]
    assert rig.waits == [4.0]  # what the service asked for, not the 0.5 s first backoff


async def test_html_502_from_a_proxy(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("html", path=GET_SESSION, times=3, status=502)
    result = await rig.call(rig.agb.get_session, session.session_id)

    # No envelope: the request id comes from the x-request-id header.
    assert_failed(
        result, ServerError, code="", http=502, request_id=rig.request_ids(GET_SESSION)[-1]
    )
    assert "text/html" in result.error_message
    assert "502 Bad Gateway" in result.error_message
    assert "<html" not in result.error_message  # described, never dumped
    assert rig.waits == [0.5, 1.0]  # capped exponential backoff


async def test_html_502_on_pause_is_reconciled_not_resent_blindly(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("html", path="/mcp/pauseSessionAsync", status=502)
    result = await rig.call(session.pause, poll_interval=2.0)

    # The server may have acted on the POST: the status is read one interval later; it still
    # shows RUNNING, so the pause is sent again once, and the wait goes on to PAUSED.
    assert result.success is True
    assert result.reconciled is True
    assert result.request_id == rig.request_ids("/mcp/pauseSessionAsync")[1]
    assert rig.exchanges()[1:4] == [
        "POST /mcp/pauseSessionAsync 502",
        "POST /mcp/getSession 200",
        "POST /mcp/pauseSessionAsync 200",
    ]
    assert rig.waits[0] == 2.0


# --------------------------------------------------------------------------- unreadable


async def test_not_json_answer(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("not_json", path=GET_SESSION, times=3)
    result = await rig.call(rig.agb.get_session, session.session_id)

    assert_failed(
        result,
        MalformedResponseError,
        code="",
        http=200,
        request_id=rig.request_ids(GET_SESSION)[-1],
    )
    assert "text/plain" in result.error_message
    assert "garbage" not in result.error_message
    assert rig.waits == [0.5, 1.0]


async def test_not_json_answer_raises_from_set_labels(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("not_json", path="/sdk/SetLabel", times=3)
    with pytest.raises(MalformedResponseError) as caught:
        await rig.call(session.set_labels, {"team": "a"})
    assert caught.value.http_status_code == 200
    assert caught.value.request_id == rig.request_ids("/sdk/SetLabel")[-1]
    assert rig.waits == [0.5, 1.0]


async def test_truncated_json_is_retried(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("truncated_json", path=GET_SESSION)
    result = await rig.call(rig.agb.get_session, session.session_id)

    assert result.success is True
    assert result.request_id == rig.request_ids(GET_SESSION)[1]
    assert rig.waits == [0.5]


async def test_truncated_json_until_retries_run_out(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("truncated_json", path="/sdk/GetLabel", times=3)
    with pytest.raises(MalformedResponseError) as caught:
        await rig.call(session.get_labels)
    assert caught.value.http_status_code == 200
    assert caught.value.request_id == rig.request_ids("/sdk/GetLabel")[-1]
    assert rig.waits == [0.5, 1.0]


async def test_null_data(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("null_data", path=GET_SESSION)
    result = await rig.call(rig.agb.get_session, session.session_id)

    assert result.success is False
    assert isinstance(result.error, MalformedResponseError)
    assert result.http_status_code == 200
    assert result.request_id == rig.request_ids(GET_SESSION)[0]
    assert result.data is None

    rig.fault("null_data", path="/internet/getLink")
    with pytest.raises(MalformedResponseError):
        await rig.call(session.get_link)


async def test_null_data_while_polling(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("null_data", path=GET_SESSION, skip=1)
    result = await rig.call(session.pause, poll_interval=2.0)
    assert result.success is True
    assert result.status == "PAUSED"
    assert rig.statuses() == ["PAUSING", "HTTP 200", "PAUSED"]
    assert rig.waits == [2.0, 2.0, 2.0]


# --------------------------------------------------------------------------- grown answers


async def test_unknown_status_values(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("status", path=GET_SESSION, value="HIBERNATING")
    rig.fault("status", path="/mcp/getSessionInfo", value="HIBERNATING")
    rig.fault("status", path="/sdk/ListSession", value="HIBERNATING")

    got = await rig.call(rig.agb.get_session, session.session_id)
    assert got.success
    assert got.data is not None
    assert got.data.status == "HIBERNATING"
    status = await rig.call(session.get_status)
    assert status.success
    assert status.status == "HIBERNATING"
    listed = await rig.call(rig.agb.list)
    assert [s.status for s in listed.sessions] == ["HIBERNATING"]


async def test_unknown_fields(rig: Rig) -> None:
    rig.fault("extra_fields", path="/mcp/createSession")
    created = await rig.call(rig.agb.create, CreateSessionParams(image_id=IMAGE))
    assert created.success
    assert created.session is not None
    session = created.session

    rig.fault("extra_fields", path=GET_SESSION)
    got = await rig.call(rig.agb.get_session, session.session_id)
    assert got.success
    assert got.data is not None
    assert got.data.status == "RUNNING"
    assert got.data.extra["emulatorUnknownField"] == "added by the extra_fields fault"

    rig.fault("extra_fields", path="/sdk/ListSession")
    listed = await rig.call(rig.agb.list)
    assert listed.session_ids == [session.session_id]

    rig.fault("extra_fields", path="/mcp/getMcpResource")
    info = await rig.call(session.info)
    assert info.success
    assert info.data["session_id"] == session.session_id


async def test_create_fails_inside_a_200(rig: Rig) -> None:
    rig.fault("create_fail", message="no capacity in this region")
    result = await rig.call(rig.agb.create, CreateSessionParams(image_id=IMAGE))

    # The envelope said code "ok": a failed result does not repeat a success code.
    assert_failed(
        result,
        APIError,
        code="",
        http=200,
        request_id=rig.request_ids("/mcp/createSession")[0],
    )
    assert result.session is None
    assert "no capacity in this region" in result.error_message
    assert rig.waits == []  # a create is never resent


async def test_http_status_python_does_not_know(rig: Rig) -> None:
    rig.fault(
        "http_status",
        path=GET_SESSION,
        status=499,
        code="ClientClosedRequest",
        message="client closed request",
    )
    result = await rig.call(rig.agb.get_session, UNKNOWN_ID)
    assert_failed(
        result,
        BadRequestError,
        code="ClientClosedRequest",
        http=499,
        request_id=rig.request_ids(GET_SESSION)[0],
    )
    assert "client closed request" in result.error_message


async def test_retry_after_beyond_a_minute_is_not_waited_for(rig: Rig) -> None:
    rig.fault("rate_limited", path=GET_SESSION, seconds=120)
    result = await rig.call(rig.agb.get_session, UNKNOWN_ID)

    assert isinstance(result.error, RateLimitError)
    assert result.error.retry_after == 120.0
    assert rig.waits == []  # handed back to the caller at once
    assert rig.exchanges() == ["POST /mcp/getSession 429"]


async def test_list_fails_on_the_way_to_a_page(rig: Rig) -> None:
    for _ in range(3):
        await create(rig)
    rig.fault("http_status", path="/sdk/ListSession", skip=1, status=400, code="InvalidParameter")
    result = await rig.call(rig.agb.list, page=2, limit=2)

    assert_failed(
        result,
        BadRequestError,
        code="InvalidParameter",
        http=400,
        request_id=rig.request_ids("/sdk/ListSession")[-1],
    )
    assert result.error_message.startswith("cannot reach page 2:")
    assert result.session_ids == []


async def test_keep_alive_of_a_session_being_deleted(rig: Rig) -> None:
    session = await create(rig)
    deleted = await rig.call(session.delete, timeout=1, poll_interval=1)
    assert deleted.code == "WaitTimeout"
    assert deleted.status == "DELETING"

    result = await rig.call(session.keep_alive)
    assert_failed(
        result,
        InvalidStateError,
        code="InvalidSessionStatus",
        http=400,
        request_id=rig.request_ids("/mcp/refreshSessionIdleTime")[0],
    )


@pytest.mark.emulator(pause_supported=False)
async def test_pause_and_resume_not_offered_by_the_service(rig: Rig) -> None:
    """A service without pause/resume (``agb emulator --no-pause``): a typed error that says
    so, at once, with nothing retried or resent, and the session untouched."""
    session = await create(rig)
    paused = await rig.call(session.pause, timeout=30)
    resumed = await rig.call(session.resume, timeout=30)
    ids = rig.request_ids("/mcp/pauseSessionAsync") + rig.request_ids("/mcp/resumeSessionAsync")
    for result, request_id in zip((paused, resumed), ids, strict=True):
        assert_failed(
            result,
            UnsupportedOperationError,
            code="InvalidAction.NotFound",
            http=404,
            request_id=request_id,
        )
        assert "does not offer this operation" in result.error_message
    assert rig.waits == []
    assert rig.exchanges()[1:] == [
        "POST /mcp/pauseSessionAsync 404",
        "POST /mcp/resumeSessionAsync 404",
    ]
    status = await rig.call(session.get_status)
    assert status.status == "RUNNING"
