"""The generated models read what the service really answers, including what it adds later."""

from __future__ import annotations

from typing import Any

import pytest

from agb_api_client.api.labels import get_label
from agb_api_client.api.sessions import (
    create_session,
    get_session,
    get_session_info,
    list_sessions,
    pause_session_async,
)
from agb_api_client.models import (
    CreateSessionData,
    CreateSessionRequest,
    CreateSessionResponse,
    ErrorResponse,
    GetLabelResponse,
    GetSessionInfoResponse,
    GetSessionResponse,
    LabelData,
    ListSessionsResponse,
    SessionData,
    SessionIdRequest,
    SessionStatusData,
    SessionSummary,
)
from agb_api_client.types import UNSET


def call(fake_server: Any, status: int, answer: Any, endpoint: Any, /, **kwargs: Any) -> Any:
    """Call ``endpoint`` with ``kwargs`` against a server that answers ``status``, ``answer``."""
    server = fake_server(lambda _: server.answer(status, answer, request_id="req-x"))
    with server.client() as client:
        return endpoint.sync_detailed(client=client, **kwargs)


def by_id() -> dict[str, Any]:
    return {"body": SessionIdRequest(session_id="s-1")}


def test_unknown_status_and_extra_fields_parse_in_get_session(fake_server: Any) -> None:
    body = {
        "success": True,
        "code": "ok",
        "requestId": "req-1",
        "httpStatusCode": 200,
        "newTopLevelField": {"nested": [1, 2]},
        "data": {
            "sessionId": "s-1",
            "resourceUrl": "https://resource.example.invalid/",
            "status": "HIBERNATING",
            "zoneHint": "cn-hangzhou-b",
        },
    }
    response = call(fake_server, 200, body, get_session, **by_id())
    parsed = response.parsed
    assert isinstance(parsed, GetSessionResponse)
    assert isinstance(parsed.data, SessionData)
    assert parsed.data.status == "HIBERNATING"
    assert parsed.data.additional_properties == {"zoneHint": "cn-hangzhou-b"}
    assert parsed.additional_properties == {"newTopLevelField": {"nested": [1, 2]}}
    assert parsed.to_dict() == body, "extra fields survive a round trip"


def test_unknown_status_parses_in_get_session_info(fake_server: Any) -> None:
    body = {"success": True, "data": {"status": "HIBERNATING", "since": 1700000000}}
    parsed = call(fake_server, 200, body, get_session_info, **by_id()).parsed
    assert isinstance(parsed, GetSessionInfoResponse)
    assert isinstance(parsed.data, SessionStatusData)
    assert parsed.data.status == "HIBERNATING"
    assert parsed.data.additional_properties == {"since": 1700000000}


def test_list_sessions_paging_is_at_the_top_level(fake_server: Any) -> None:
    body = {
        "success": True,
        "requestId": "req-4",
        "data": [
            {"sessionId": "s-1", "sessionStatus": "RUNNING"},
            {"sessionId": "s-2", "sessionStatus": "HIBERNATING", "imageId": "img"},
        ],
        "nextToken": "tok",
        "maxResults": 2,
        "count": 5,
    }
    parsed = call(fake_server, 200, body, list_sessions, max_results=2).parsed
    assert isinstance(parsed, ListSessionsResponse)
    assert (parsed.next_token, parsed.max_results, parsed.count) == ("tok", 2, 5)
    assert parsed.additional_properties == {}
    assert isinstance(parsed.data, list)
    assert all(isinstance(item, SessionSummary) for item in parsed.data)
    assert [item.session_status for item in parsed.data] == ["RUNNING", "HIBERNATING"]
    assert parsed.data[1].additional_properties == {"imageId": "img"}


def test_list_sessions_last_page_has_no_token(fake_server: Any) -> None:
    body = {"success": True, "data": [], "count": 0}
    parsed = call(fake_server, 200, body, list_sessions).parsed
    assert isinstance(parsed, ListSessionsResponse)
    assert parsed.data == []
    assert parsed.next_token is UNSET


def test_get_label_paging_is_inside_data(fake_server: Any) -> None:
    body = {
        "success": True,
        "requestId": "req-5",
        "data": {"labels": '{"env": "test"}', "count": 1, "nextToken": "n2", "maxResults": 10},
    }
    parsed = call(fake_server, 200, body, get_label, session_id="s-1").parsed
    assert isinstance(parsed, GetLabelResponse)
    assert isinstance(parsed.data, LabelData)
    assert parsed.data.labels == '{"env": "test"}', "JSON text, decoded by the facade"
    assert (parsed.data.count, parsed.data.next_token, parsed.data.max_results) == (1, "n2", 10)
    assert parsed.additional_properties == {}


def test_create_with_data_success_false_parses(fake_server: Any) -> None:
    body = {
        "success": True,
        "code": "ok",
        "httpStatusCode": 200,
        "requestId": "req-c",
        "data": {"success": False, "errMsg": "image not found: nope"},
    }
    parsed = call(
        fake_server, 200, body, create_session, image_id="nope", body=CreateSessionRequest()
    ).parsed
    assert isinstance(parsed, CreateSessionResponse)
    assert parsed.success is True
    assert isinstance(parsed.data, CreateSessionData)
    assert parsed.data.success is False
    assert parsed.data.err_msg == "image not found: nope"
    assert parsed.data.session_id is UNSET


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (400, "InvalidMcpSession.NotFound", "Session not found"),
        (401, "AccessDenied", "bad key"),
        (403, "AccessDenied", "bad key"),
        (404, "SessionNotFound", "Session s-1 not found"),
        (429, "Throttling", "slow down"),
        (500, "InternalError", "oops"),
        (503, "ServiceUnavailable", "The service is temporarily unavailable"),
    ],
)
@pytest.mark.parametrize(
    ("endpoint", "kwargs"),
    [
        (get_session, by_id()),
        (pause_session_async, by_id()),
        (list_sessions, {}),
        (get_label, {"session_id": "s-1"}),
    ],
    ids=["getSession", "pauseSessionAsync", "listSessions", "getLabel"],
)
def test_error_envelope_with_null_data_parses(
    fake_server: Any, status: int, code: str, message: str, endpoint: Any, kwargs: dict[str, Any]
) -> None:
    body = {
        "success": False,
        "code": code,
        "message": message,
        "httpStatusCode": status,
        "requestId": "req-2",
        "data": None,
    }
    response = call(fake_server, status, body, endpoint, **kwargs)
    assert response.status_code == status
    parsed = response.parsed
    assert isinstance(parsed, ErrorResponse)
    assert (parsed.success, parsed.code, parsed.message) == (False, code, message)
    assert (parsed.http_status_code, parsed.request_id) == (status, "req-2")
    assert parsed.data is None


def test_error_envelope_without_data_or_request_id_parses(fake_server: Any) -> None:
    body = {"success": False, "code": "NotFound", "accessDeniedDetail": {"x": 1}, "extra": 1}
    response = call(fake_server, 404, body, get_session, **by_id())
    parsed = response.parsed
    assert isinstance(parsed, ErrorResponse)
    assert parsed.data is UNSET
    assert parsed.request_id is UNSET
    assert response.headers["x-request-id"] == "req-x", "the fallback for the request id"
    assert parsed.access_denied_detail == {"x": 1}
    assert parsed.additional_properties == {"extra": 1}


@pytest.mark.parametrize(
    ("endpoint", "model"),
    [(get_session, GetSessionResponse), (get_session_info, GetSessionInfoResponse)],
    ids=["getSession", "getSessionInfo"],
)
def test_ok_with_success_false_and_null_data_parses(
    fake_server: Any, endpoint: Any, model: type
) -> None:
    body = {"success": False, "code": "InvalidMcpSession.NotFound", "data": None}
    parsed = call(fake_server, 200, body, endpoint, **by_id()).parsed
    assert isinstance(parsed, model)
    assert parsed.success is False
    assert parsed.data is None
