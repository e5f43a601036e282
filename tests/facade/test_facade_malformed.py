"""Every way an answer can be wrong, for every operation: a failed result or an SDK error, with
the request id where there is one; never a raw KeyError, JSONDecodeError or httpx error.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import httpx
import pytest

from agb import AGB, CreateSessionParams, Session
from agb.exceptions import (
    AGBError,
    APIError,
    BadRequestError,
    MalformedResponseError,
    ServerError,
    SessionError,
)
from tests.support.fakes import SID, FakeServer, Runner, envelope, ok, raw, status_answer

HEADER_ID = "hdr-1"
ENVELOPE_ID = "env-1"


@attrs.frozen
class Operation:
    owner: str  # "agb" or "session"
    method: str
    args: tuple[Any, ...]
    path: str
    needs_data: bool
    raises_when_unreadable: bool = False


OPERATIONS = [
    Operation("agb", "create", (CreateSessionParams(image_id="img"),), "/mcp/createSession", True),
    Operation("agb", "get_session", (SID,), "/mcp/getSession", True),
    Operation("agb", "get", (SID,), "/mcp/getSession", True),
    Operation("agb", "list", (), "/sdk/ListSession", False),
    Operation("session", "set_labels", ({"a": "b"},), "/sdk/SetLabel", False, True),
    Operation("session", "get_labels", (), "/sdk/GetLabel", True, True),
    Operation("session", "info", (), "/mcp/getMcpResource", True),
    Operation("session", "get_link", (), "/internet/getLink", True, True),
    Operation("session", "get_status", (), "/mcp/getSessionInfo", True),
    Operation("session", "keep_alive", (), "/mcp/refreshSessionIdleTime", False),
    Operation("session", "pause", (), "/mcp/pauseSessionAsync", False),
    Operation("session", "resume", (), "/mcp/resumeSessionAsync", False),
    Operation("session", "delete", (), "/mcp/releaseSessionAsync", False),
]


@attrs.frozen
class Wrong:
    name: str
    answer: httpx.Response
    error: type[AGBError]
    request_id: str
    status: int
    only_if_data: bool = False  # wrong only for operations that need data


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"x-request-id": HEADER_ID})


HTML = "<html><head><title>502 Bad Gateway</title></head><body><hr>nginx</body></html>"
WRONG = [
    Wrong("html-502", raw(502, HTML, "text/html", **{"x-request-id": HEADER_ID}), ServerError,
          HEADER_ID, 502),
    Wrong("html-200", raw(200, HTML, "text/html", **{"x-request-id": HEADER_ID}),
          MalformedResponseError, HEADER_ID, 200),
    Wrong("truncated-json",
          raw(200, '{"requestId": "env-1", "success": true, "data": {"sess',
              **{"x-request-id": HEADER_ID}),
          MalformedResponseError, HEADER_ID, 200),
    Wrong("truncated-json-500", raw(500, '{"requestId": "env-1", "succ',
                                    **{"x-request-id": HEADER_ID}),
          ServerError, HEADER_ID, 500),
    Wrong("null-body", raw(200, "null", **{"x-request-id": HEADER_ID}), MalformedResponseError,
          HEADER_ID, 200),
    Wrong("array-body", _json(200, [{"success": True}]), MalformedResponseError, HEADER_ID, 200),
    Wrong("empty-body", raw(200, b"", **{"x-request-id": HEADER_ID}), MalformedResponseError,
          HEADER_ID, 200),
    Wrong("200-success-false",
          _json(200, envelope(request_id=ENVELOPE_ID, success=False, code="Denied",
                              message="nope")),
          APIError, ENVELOPE_ID, 200),
    Wrong("200-no-success", _json(200, {"requestId": ENVELOPE_ID, "data": {}}), APIError,
          ENVELOPE_ID, 200),
    Wrong("499-envelope",
          _json(499, envelope(request_id=ENVELOPE_ID, success=False, code="ClientClosed")),
          BadRequestError, ENVELOPE_ID, 499),
    Wrong("499-text", raw(499, "client closed", "text/plain", **{"x-request-id": HEADER_ID}),
          BadRequestError, HEADER_ID, 499),
    Wrong("null-data", _json(200, envelope(None, request_id=ENVELOPE_ID)),
          MalformedResponseError, ENVELOPE_ID, 200, only_if_data=True),
    Wrong("missing-data", _json(200, envelope(request_id=ENVELOPE_ID)),
          MalformedResponseError, ENVELOPE_ID, 200, only_if_data=True),
    Wrong("string-data", _json(200, envelope("surprise", request_id=ENVELOPE_ID)),
          MalformedResponseError, ENVELOPE_ID, 200, only_if_data=True),
    Wrong("list-data", _json(200, envelope([1, 2], request_id=ENVELOPE_ID)),
          MalformedResponseError, ENVELOPE_ID, 200, only_if_data=True),
]  # fmt: skip


async def outcome(run: Runner, target: object, method: str, *args: Any) -> Any:
    """The result, or the SDK error raised instead."""
    try:
        return await run(target, method, *args)
    except AGBError as error:
        return error


def check(op: Operation, wrong: Wrong, got: Any) -> None:
    if isinstance(got, AGBError):
        assert op.raises_when_unreadable, f"raised {got!r}"
        assert isinstance(got, MalformedResponseError)
        assert isinstance(got, SessionError)
        error = got
    else:
        assert got.success is False
        assert got.request_id == wrong.request_id
        assert got.http_status_code == wrong.status
        assert got.error_message
        error = got.error
        if op.raises_when_unreadable:
            assert not isinstance(error, MalformedResponseError)
    assert isinstance(error, wrong.error), repr(error)
    assert error.request_id == wrong.request_id
    assert error.http_status_code == wrong.status
    assert "<html>" not in str(error)
    assert "nginx" not in str(error)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.method)
async def test_a_wrong_answer_is_a_failed_result_or_an_sdk_error(
    run: Runner, agb: AGB, session: Session, server: FakeServer, op: Operation
) -> None:
    """Every wrong answer in WRONG, one after the other, for this operation."""
    target = agb if op.owner == "agb" else session
    if op.method in ("pause", "resume", "delete"):
        # An answer that leaves the request's fate unknown is reconciled: the status shows the
        # session did not move, so the request is sent again (after each status read) until
        # the SDK gives up with that answer.
        old = "PAUSED" if op.method == "resume" else "RUNNING"
        server.on("/mcp/getSession", status_answer(old))
    for wrong in WRONG:
        if wrong.only_if_data and not op.needs_data:
            continue
        server.replace(op.path, wrong.answer)

        got = await outcome(run, target, op.method, *op.args)

        try:
            check(op, wrong, got)
        except AssertionError as failure:
            raise AssertionError(f"{op.method} answered {wrong.name}: {failure}") from failure


@pytest.mark.parametrize("labels", ["{not json", "[1, 2]", '"text"', "{'a': 'b'}"])
async def test_labels_text_that_is_not_a_json_object_raises_malformed(
    run: Runner, session: Session, server: FakeServer, labels: str
) -> None:
    server.on("/sdk/GetLabel", ok({"labels": labels}, request_id="r-labels"))

    with pytest.raises(MalformedResponseError) as raised:
        await run(session, "get_labels")

    assert raised.value.request_id == "r-labels"
    assert "labels" in raised.value.message


async def test_missing_labels_are_an_empty_map(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/sdk/GetLabel", ok({"count": 0}))

    result = await run(session, "get_labels")

    assert (result.success, result.data) == (True, {})


async def test_api_errors_of_label_and_link_calls_are_failed_results(
    run: Runner, session: Session, server: FakeServer
) -> None:
    from tests.support.fakes import fail

    server.on("/sdk/SetLabel", fail(400, "InvalidParameter", "bad labels", request_id="r1"))
    server.on("/sdk/GetLabel", fail(404, "NotFound", "no session", request_id="r2"))
    server.on("/internet/getLink", fail(403, "AccessDenied", "no", request_id="r3"))

    set_result = await run(session, "set_labels", {"a": "b"})
    get_result = await run(session, "get_labels")
    link_result = await run(session, "get_link")

    assert [r.success for r in (set_result, get_result, link_result)] == [False] * 3
    assert [r.request_id for r in (set_result, get_result, link_result)] == ["r1", "r2", "r3"]
    assert [r.code for r in (set_result, get_result, link_result)] == [
        "InvalidParameter",
        "NotFound",
        "AccessDenied",
    ]


async def test_a_link_answer_without_url_raises_malformed(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/internet/getLink", ok({"url": ""}, request_id="r-link"))

    with pytest.raises(MalformedResponseError) as raised:
        await run(session, "get_link")
    assert raised.value.request_id == "r-link"


async def test_create_data_success_false_is_a_failure(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(
        "/mcp/createSession",
        ok({"success": False, "errMsg": "no capacity in region"}, request_id="r-cap"),
    )

    result = await run(agb, "create", CreateSessionParams(image_id="img"))

    assert not result.success
    assert result.session is None
    assert "no capacity in region" in result.error_message
    assert result.request_id == "r-cap"
    assert isinstance(result.error, APIError)
    assert result.error.request_id == "r-cap"


async def test_create_without_session_id_is_a_failure(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on("/mcp/createSession", ok({"resourceUrl": "https://x.invalid"}, request_id="r-c"))

    result = await run(agb, "create", CreateSessionParams(image_id="img"))

    assert not result.success
    assert isinstance(result.error, MalformedResponseError)
    assert "sessionId" in result.error_message
    assert result.request_id == "r-c"


@pytest.mark.parametrize(
    "data",
    [{"sessions": []}, [1, 2], ["s-1"], "s-1"],
    ids=["object", "numbers", "strings", "string"],
)
async def test_list_data_of_the_wrong_type_is_a_failure(
    run: Runner, agb: AGB, server: FakeServer, data: Any
) -> None:
    server.on("/sdk/ListSession", ok(data, request_id="r-list", nextToken="", count=2))

    result = await run(agb, "list")

    assert not result.success
    assert isinstance(result.error, MalformedResponseError)
    assert result.request_id == "r-list"


@pytest.mark.parametrize("data", [None, "missing"])
async def test_list_without_data_is_an_empty_page(
    run: Runner, agb: AGB, server: FakeServer, data: Any
) -> None:
    body = envelope(request_id="r-list", nextToken="", count=0)
    if data is None:
        body["data"] = None
    server.on("/sdk/ListSession", httpx.Response(200, json=body))

    result = await run(agb, "list")

    assert result.success
    assert result.session_ids == []


async def test_fields_of_the_wrong_type_do_not_crash(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(
        "/mcp/getSession",
        ok({"sessionId": 17, "status": ["RUNNING"], "resourceUrl": None, "resourceId": {}}),
    )

    result = await run(agb, "get_session", SID)

    assert result.success
    assert result.data.session_id == "17"
    assert result.data.status == ""
    assert result.data.resource_url == ""
    assert result.data.resource_id == ""


async def test_unknown_fields_are_kept_not_fatal(run: Runner, agb: AGB, server: FakeServer) -> None:
    body = envelope(
        {"sessionId": SID, "status": "RUNNING", "newField": {"x": 1}},
        request_id="r-new",
        brandNewTopLevel=[1, 2],
    )
    server.on("/mcp/getSession", httpx.Response(200, json=body))

    result = await run(agb, "get_session", SID)

    assert result.success
    assert result.data.extra == {"newField": {"x": 1}}


async def test_status_with_a_capital_s_is_read(
    run: Runner, agb: AGB, session: Session, server: FakeServer
) -> None:
    server.on("/mcp/getSessionInfo", ok({"Status": "PAUSED"}))
    server.on("/mcp/getSession", ok({"sessionId": SID, "Status": "PAUSED"}))

    assert (await run(session, "get_status")).status == "PAUSED"
    assert (await run(agb, "get_session", SID)).data.status == "PAUSED"


async def test_context_status_that_is_not_json_is_reported_by_delete(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/sdk/SyncContext", ok())
    server.on("/sdk/GetContextInfo", ok({"contextStatus": json.dumps([{"type": "data"}])[:-3]}))
    server.on("/mcp/releaseSessionAsync", ok())
    server.on("/mcp/getSession", ok({"sessionId": SID, "status": "FINISH"}))

    result = await run(session, "delete", sync_context=True)

    assert result.success
    assert result.context_synced is False
    assert "contextStatus" in result.context_sync_error


async def test_create_failing_inside_a_200_does_not_report_the_success_code(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(
        "/mcp/createSession",
        ok({"success": False, "errMsg": "quota exceeded"}, request_id="r-q", code="ok"),
    )

    result = await run(agb, "create", CreateSessionParams(image_id="img"))

    assert not result.success
    assert result.code == ""
    assert result.http_status_code == 200
    assert "quota exceeded" in result.error_message
