"""The one envelope reader: code first, HTTP status second, and what every error keeps."""

from __future__ import annotations

import email.utils
import json
import time
from typing import Any

import httpx
import pytest

from agb import AGB, Session
from agb._envelope import read_answer, read_transport_failure
from agb._error_codes import error_class
from agb.exceptions import (
    AGBError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    InvalidStateError,
    MalformedResponseError,
    NotFoundError,
    RateLimitError,
    RedirectError,
    ServerError,
    SessionError,
    WaitTimeoutError,
)
from agb.model.response import (
    DeleteResult,
    GetSessionResult,
    OperationResult,
    SessionPauseResult,
)
from tests.support.fakes import SID, FakeServer, Runner, fail, ok, raw


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        # Known codes win over the HTTP status.
        ("InvalidMcpSession.NotFound", 400, NotFoundError),
        ("SessionNotFound", 404, NotFoundError),
        ("NotFound", 500, NotFoundError),
        ("AccessDenied", 400, AuthenticationError),
        ("AccessDenied", None, AuthenticationError),
        ("Throttling", 400, RateLimitError),
        ("InvalidSessionStatus", 400, InvalidStateError),
        ("InvalidParameter", 500, BadRequestError),
        ("InternalError", 400, ServerError),
        ("ServiceUnavailable", 503, ServerError),
        # Unknown codes of a known family.
        ("InvalidImage.NotFound", 400, NotFoundError),
        ("Context.NotExist", 400, NotFoundError),
        ("Forbidden.RAM", 400, AuthenticationError),
        ("Throttling.User", 400, RateLimitError),
        ("IncorrectSessionStatus", 400, InvalidStateError),
        ("InvalidPort.Range", 400, BadRequestError),
        # Codes that say nothing: the HTTP status decides.
        ("", 400, BadRequestError),
        ("", 401, AuthenticationError),
        ("", 403, AuthenticationError),
        ("", 404, NotFoundError),
        ("", 409, InvalidStateError),
        ("", 418, BadRequestError),
        ("", 429, RateLimitError),
        ("", 499, BadRequestError),
        ("", 500, ServerError),
        ("", 502, ServerError),
        ("", 599, ServerError),
        ("ok", 404, NotFoundError),
        ("OK", 503, ServerError),
        ("EmulatedFault", 503, ServerError),
        ("SomethingNew", 400, BadRequestError),
        ("SomethingNew", None, APIError),
        ("", None, APIError),
    ],
)
def test_error_class_code_first_status_second(
    code: str, status: int | None, expected: type[APIError]
) -> None:
    assert error_class(code, status) is expected


def envelope_bytes(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


def test_read_answer_success_keeps_the_model() -> None:
    model = object()
    reply = read_answer(
        "getSession",
        200,
        httpx.Headers({"x-request-id": "hdr"}),
        envelope_bytes(requestId="env", success=True, code="ok", message="fine"),
        model,
    )
    assert reply.ok
    assert reply.model is model
    assert (reply.request_id, reply.code, reply.message, reply.http_status) == (
        "env",
        "ok",
        "fine",
        200,
    )


def test_read_answer_request_id_falls_back_on_the_header() -> None:
    reply = read_answer(
        "getSession",
        200,
        httpx.Headers({"x-request-id": "hdr-7"}),
        envelope_bytes(success=True),
        object(),
    )
    assert reply.request_id == "hdr-7"


@pytest.mark.parametrize(
    ("status", "body", "cls", "code", "request_id"),
    [
        (400, {"requestId": "r1", "success": False, "code": "AccessDenied"}, AuthenticationError,
         "AccessDenied", "r1"),
        (200, {"requestId": "r2", "success": False, "code": "Denied", "message": "no"}, APIError,
         "Denied", "r2"),
        (200, {"requestId": "r3", "success": False, "code": "InvalidMcpSession.NotFound"},
         NotFoundError, "InvalidMcpSession.NotFound", "r3"),
        (200, {"requestId": "r4"}, APIError, "", "r4"),
        (200, {"requestId": "r5", "success": "true"}, APIError, "", "r5"),
        (499, {"requestId": "r6", "success": False, "code": "ClientClosed"}, BadRequestError,
         "ClientClosed", "r6"),
        (503, {"success": False}, ServerError, "", "hdr"),
        (404, {"requestId": "r8", "success": True}, NotFoundError, "", "r8"),
    ],
)  # fmt: skip
def test_read_answer_failures(
    status: int, body: dict[str, Any], cls: type[APIError], code: str, request_id: str
) -> None:
    reply = read_answer(
        "op", status, httpx.Headers({"x-request-id": "hdr"}), json.dumps(body).encode(), object()
    )
    assert not reply.ok
    error = reply.error
    assert type(error) is cls
    assert error.request_id == request_id
    assert error.code == code
    assert error.http_status_code == status
    assert reply.http_status == status
    assert error.message.startswith("op")


@pytest.mark.parametrize(
    ("status", "content", "content_type", "cls"),
    [
        (502, b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
         "text/html", ServerError),
        (200, b'{"requestId": "r", "success": true, "data": {"sessi', "application/json",
         MalformedResponseError),
        (200, b"null", "application/json", MalformedResponseError),
        (200, b"[1, 2]", "application/json", MalformedResponseError),
        (200, b"", "application/json", MalformedResponseError),
        (200, b"OK", "text/plain", MalformedResponseError),
        (499, b"client closed request", "text/plain", BadRequestError),
        (404, b"<html><title>404 Not Found</title></html>", "text/html", NotFoundError),
        # Issue 12: a 3xx is reported as the redirect it is (and not retried).
        (302, b"<html>moved</html>", "text/html", RedirectError),
    ],
)  # fmt: skip
def test_read_answer_bodies_that_are_not_an_envelope(
    status: int, content: bytes, content_type: str, cls: type[APIError]
) -> None:
    headers = httpx.Headers({"x-request-id": "hdr-1", "content-type": content_type})
    reply = read_answer("getSession", status, headers, content, None, ValueError("bad"))
    assert type(reply.error) is cls
    assert reply.error.request_id == "hdr-1"
    assert reply.error.http_status_code == status
    assert "<html>" not in reply.error.message
    assert "nginx" not in reply.error.message


def test_read_answer_names_an_html_page_by_its_title() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    reply = read_answer("getSession", 502, httpx.Headers({"content-type": "text/html"}), page, None)
    assert "502 Bad Gateway" in reply.error.message
    assert "text/html" in reply.error.message


def test_read_answer_a_model_the_parser_refused_is_malformed() -> None:
    body = envelope_bytes(requestId="r-x", success=True, data={"sessionId": 5})
    reply = read_answer("getSession", 200, httpx.Headers(), body, None, KeyError("sessionId"))
    assert isinstance(reply.error, MalformedResponseError)
    assert reply.error.request_id == "r-x"
    assert "KeyError" in reply.error.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7.0), ("0.5", 0.5), ("-3", 0.0), ("soon", None), ("", None), ("nan", None)],
)
def test_retry_after_seconds(value: str, expected: float | None) -> None:
    headers = httpx.Headers({"retry-after": value} if value else {})
    body = envelope_bytes(requestId="r", success=False, code="Throttling")
    reply = read_answer("op", 429, headers, body, None)
    assert isinstance(reply.error, RateLimitError)
    assert reply.error.retry_after == expected


def test_retry_after_as_an_http_date(monkeypatch: pytest.MonkeyPatch) -> None:
    now = 1_750_000_000.0  # the wall clock stands still: no second may pass between the lines
    monkeypatch.setattr(time, "time", lambda: now)
    when = email.utils.formatdate(now + 30, usegmt=True)
    body = envelope_bytes(requestId="r", success=False)
    reply = read_answer("op", 429, httpx.Headers({"retry-after": when}), body, None)
    assert isinstance(reply.error, RateLimitError)
    assert reply.error.retry_after == 30


@pytest.mark.parametrize(
    ("error", "cls", "sent"),
    [
        (httpx.ConnectError("refused"), APIConnectionError, False),
        (httpx.ConnectTimeout("slow"), APITimeoutError, False),
        (httpx.ReadTimeout("slow"), APITimeoutError, True),
        (httpx.RemoteProtocolError("closed"), APIConnectionError, True),
        (httpx.ReadError("reset"), APIConnectionError, True),
    ],
)
def test_transport_failures(error: httpx.HTTPError, cls: type[AGBError], sent: bool) -> None:
    reply = read_transport_failure("getSession", error)
    assert type(reply.error) is cls
    assert reply.sent is sent
    assert reply.http_status is None
    assert reply.error.http_status_code is None
    assert reply.error.request_id == ""


def test_error_tree() -> None:
    for cls in (
        APIError,
        BadRequestError,
        AuthenticationError,
        NotFoundError,
        InvalidStateError,
        RateLimitError,
        ServerError,
        MalformedResponseError,
        APIConnectionError,
        APITimeoutError,
        WaitTimeoutError,
    ):
        assert issubclass(cls, SessionError)
        assert issubclass(cls, AGBError)
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(ConfigurationError, AGBError)


def test_errors_keep_what_the_service_said() -> None:
    error = NotFoundError(
        "getSession failed: Session not found",
        request_id="r-1",
        code="InvalidMcpSession.NotFound",
        http_status_code=400,
    )
    assert error.message == "getSession failed: Session not found"
    assert (error.request_id, error.code, error.http_status_code) == (
        "r-1",
        "InvalidMcpSession.NotFound",
        400,
    )
    text = str(error)
    assert "Session not found" in text
    assert "r-1" in text
    assert "InvalidMcpSession.NotFound" in text
    assert "400" in text
    assert "r-1" in repr(error)
    assert error.status_code == 400  # the published APIError's name
    limited = RateLimitError("slow down", retry_after=3.0, http_status_code=429)
    assert limited.retry_after == 3.0
    assert WaitTimeoutError("late", status="PAUSING").status == "PAUSING"


def test_errors_work_with_a_message_only() -> None:
    error = SessionError("Session error")
    assert str(error) == "Session error"
    assert error.request_id == ""
    assert error.http_status_code is None


# --------------------------------------------------------------------------- through the facade


async def test_every_failed_result_keeps_request_id_code_message_status(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(
        "/mcp/getSession",
        fail(400, "InvalidMcpSession.NotFound", "Session not found", request_id="r-nf"),
    )

    result = await run(agb, "get_session", SID)

    assert isinstance(result, GetSessionResult)
    assert not result.success
    assert result.data is None
    assert (result.request_id, result.code, result.message, result.http_status_code) == (
        "r-nf",
        "InvalidMcpSession.NotFound",
        "Session not found",
        400,
    )
    assert "Session not found" in result.error_message
    assert isinstance(result.error, NotFoundError)
    assert result.error.request_id == "r-nf"
    with pytest.raises(NotFoundError) as raised:
        result.raise_for_status()
    assert raised.value is result.error


async def test_rate_limited_results_carry_retry_after(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on("/mcp/createSession", fail(429, "Throttling", headers={"Retry-After": "12"}))
    from agb import CreateSessionParams

    result = await run(agb, "create", CreateSessionParams(image_id="img"))

    assert not result.success
    assert isinstance(result.error, RateLimitError)
    assert result.error.retry_after == 12.0
    # A 429 says the service did not act: even a POST is sent again, after Retry-After, up to
    # max_retries (2) times.
    assert len(server.requests) == 3
    assert server.clock.sleeps == [12.0, 12.0]


async def test_idempotent_reads_are_retried_with_backoff(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(
        "/mcp/getSession",
        fail(503, "ServiceUnavailable"),
        fail(429, "Throttling", headers={"Retry-After": "3"}),
        ok({"sessionId": SID, "status": "RUNNING"}),
    )

    result = await run(agb, "get_session", SID)

    assert result.success
    assert server.clock.sleeps == [0.5, 3.0]


async def test_retries_stop_after_max_retries(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on("/mcp/getSession", fail(503, "ServiceUnavailable", request_id="r-503"))

    result = await run(agb, "get_session", SID)

    assert not result.success
    assert isinstance(result.error, ServerError)
    assert result.request_id == "r-503"
    assert len(server.requests) == 3
    assert server.clock.sleeps == [0.5, 1.0]


def test_raise_for_status_on_success_does_nothing() -> None:
    OperationResult(success=True).raise_for_status()
    DeleteResult(success=True, status="FINISH").raise_for_status()


def test_raise_for_status_without_a_typed_error_raises_session_error() -> None:
    result = SessionPauseResult(success=False, error_message="it failed", request_id="r")
    with pytest.raises(SessionError, match="it failed"):
        result.raise_for_status()


def test_results_are_immutable() -> None:
    result = OperationResult(success=True, data={"a": "b"})
    with pytest.raises(AttributeError):
        result.success = False  # type: ignore[misc]


# --------------------------------------------------------------------------- programming errors


async def test_a_bug_in_a_plan_is_raised_not_turned_into_a_result(
    run: Runner, agb: AGB, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.on("/mcp/getSession", ok({"sessionId": SID, "status": "RUNNING"}))

    def broken(**fields: Any) -> Any:
        raise TypeError("bug in the SDK")

    monkeypatch.setattr("agb._plans.sessions.GetSessionData", broken)

    with pytest.raises(TypeError, match="bug in the SDK"):
        await run(agb, "get_session", SID)


async def test_a_bug_before_any_answer_is_raised(
    run: Runner, session: Session, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ValueError from building the request is a bug: it is not read as a bad answer."""
    from agb_api_client.api.labels import set_label

    def broken(**kwargs: Any) -> Any:
        raise ValueError("bad request building")

    monkeypatch.setattr(set_label, "_get_kwargs", broken)

    with pytest.raises(ValueError, match="bad request building"):
        await run(session, "set_labels", {"a": "b"})
    assert server.requests == []


async def test_an_unexpected_exception_while_parsing_is_raised(
    run: Runner, session: Session, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agb_api_client.api.sessions import get_session_info

    server.on("/mcp/getSessionInfo", ok({"status": "RUNNING"}))

    def broken(**kwargs: Any) -> Any:
        raise ZeroDivisionError("parser bug")

    monkeypatch.setattr(get_session_info, "_parse_response", broken)

    with pytest.raises(ZeroDivisionError):
        await run(session, "get_status")


async def test_the_wrong_argument_types_are_refused_clearly(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    result = await run(agb, "get_session", 42)
    assert not result.success
    assert "session_id" in result.error_message
    result = await run(agb, "create", {"image_id": "img"})
    assert not result.success
    assert "CreateSessionParams" in result.error_message
    result = await run(agb, "create", None)
    assert not result.success
    assert "params is required" in result.error_message
    assert server.requests == []


async def test_unknown_path_answer_with_html_is_an_error(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/mcp/getMcpResource", raw(200, "<html>login page</html>", "text/html"))

    result = await run(session, "info")

    assert not result.success
    assert isinstance(result.error, MalformedResponseError)
