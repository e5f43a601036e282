"""The API key never shows: reprs, error messages, results and DEBUG logs of a whole lifecycle."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from agb import AGB, CreateSessionParams, Session
from tests.support.asserts import assert_no_key
from tests.support.clock import FakeClock
from tests.support.fakes import (
    KEY,
    NOT_FOUND,
    SID,
    FakeServer,
    Runner,
    Seen,
    fail,
    ok,
    raw,
    session_data,
    status_answer,
)

LOG_LINE = re.compile(
    r"^(GET|POST) (/[\w/]+) -> (\d{3}|no answer) request_id=(\S+) in \d+\.\d ms( \(\w+\))?$"
)


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{record.name} {record.levelname} {record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
    )


def script_lifecycle(server: FakeServer) -> None:
    server.on("/mcp/createSession", ok({"sessionId": SID, "success": True}, request_id="r-c"))
    server.on("/sdk/SetLabel", ok(request_id="r-sl"))
    server.on("/sdk/GetLabel", ok({"labels": '{"a": "b"}'}, request_id="r-gl"))
    server.on("/mcp/getMcpResource", ok({"sessionId": SID, "resourceUrl": "u"}, request_id="r-i"))
    server.on("/internet/getLink", ok({"url": "https://l.invalid/"}, request_id="r-lk"))
    server.on("/mcp/getSessionInfo", ok({"status": "RUNNING"}, request_id="r-st"))
    server.on("/mcp/refreshSessionIdleTime", ok(request_id="r-ka"))
    server.on("/mcp/pauseSessionAsync", ok(request_id="r-p"))
    server.on("/mcp/resumeSessionAsync", ok(request_id="r-r"))
    server.on("/sdk/ListSession", ok([{"sessionId": SID}], request_id="r-ls", nextToken=""))
    server.on("/sdk/SyncContext", fail(500, "InternalError", "sync broke"))
    server.on("/mcp/releaseSessionAsync", ok(request_id="r-d"))
    server.on(
        "/mcp/getSession",
        status_answer("PAUSED"),  # pause
        status_answer("RUNNING"),  # resume
        ok(session_data("RUNNING"), request_id="r-g"),  # get
        NOT_FOUND,  # delete
    )


async def test_a_whole_lifecycle_logs_no_key_and_logs_every_exchange(
    run: Runner, agb: AGB, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    script_lifecycle(server)

    with caplog.at_level(logging.DEBUG):
        session = (await run(agb, "create", CreateSessionParams(image_id="img"))).session
        results = [
            await run(session, "set_labels", {"a": "b"}),
            await run(session, "get_labels"),
            await run(session, "info"),
            await run(session, "get_link"),
            await run(session, "get_status"),
            await run(session, "keep_alive"),
            await run(session, "pause", 10, 1.0),
            await run(session, "resume", 10, 1.0),
            await run(agb, "list"),
            await run(agb, "get", SID),
            await run(session, "delete", sync_context=True),
        ]

    assert all(result.success for result in results), [r.error_message for r in results]
    text = everything_logged(caplog)
    assert_no_key(text, KEY)
    lines = [r.getMessage() for r in caplog.records if r.name == "agb" and r.levelname == "DEBUG"]
    assert len(lines) == len(server.requests)
    for line, seen in zip(lines, server.requests, strict=True):
        match = LOG_LINE.match(line)
        assert match, line
        assert (match.group(1), match.group(2)) == (seen.method, seen.path)
    assert "POST /mcp/createSession -> 200 request_id=r-c" in lines[0]
    assert any(line.startswith("POST /sdk/SyncContext -> 500 request_id=req-err") for line in lines)
    assert any("(ServerError)" in line for line in lines)


async def test_a_lost_connection_is_logged_with_method_and_path(
    run: Runner, agb: AGB, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.on("/mcp/getSession", httpx.ConnectError("refused"))

    with caplog.at_level(logging.DEBUG, logger="agb"):
        await run(agb, "get_session", SID)

    lines = [r.getMessage() for r in caplog.records if r.name == "agb"]
    assert lines
    assert lines[0].startswith("POST /mcp/getSession -> no answer request_id=- in ")
    assert lines[0].endswith("(APIConnectionError)")


def test_reprs_never_show_the_key(agb: AGB) -> None:
    raw_client = agb.raw
    texts = [
        repr(agb),
        str(agb),
        repr(raw_client),
        repr(raw_client.get_httpx_client()),
        repr(raw_client.get_async_httpx_client()),
        repr(raw_client.get_httpx_client().auth),
        repr(agb.config),
        repr(Session(agb, SID)),
    ]
    for text in texts:
        assert_no_key(text, KEY)
    assert "redacted" in repr(agb)


async def test_the_raw_client_still_authenticates(agb: AGB, server: FakeServer) -> None:
    from agb_api_client.api.sessions import get_session
    from agb_api_client.models import SessionIdRequest

    server.on("/mcp/getSession", ok(session_data("RUNNING")))

    answer = get_session.sync_detailed(client=agb.raw, body=SessionIdRequest(session_id=SID))
    answer_async = await get_session.asyncio_detailed(
        client=agb.raw, body=SessionIdRequest(session_id=SID)
    )

    assert answer.status_code == answer_async.status_code == 200
    for seen in server.requests:
        assert seen.headers["authorization"] == f"Bearer {KEY}"


def _echo_key(seen: Seen) -> httpx.Response:
    header = seen.headers["authorization"]
    return fail(403, "AccessDenied", f"key {header} is not allowed", request_id="r-echo")


@pytest.mark.parametrize(
    "answer",
    [
        _echo_key,
        lambda seen: raw(401, f"<html><title>{seen.headers['authorization']}</title></html>"),
        lambda seen: raw(200, f"bad {seen.headers['authorization']}", "text/plain"),
    ],
    ids=["envelope-message", "html-title", "text"],
)
async def test_a_key_echoed_by_the_server_is_blotted_out(
    run: Runner,
    agb: AGB,
    server: FakeServer,
    caplog: pytest.LogCaptureFixture,
    answer: object,
) -> None:
    server.on("/mcp/getSession", answer)  # type: ignore[arg-type]

    with caplog.at_level(logging.DEBUG):
        result = await run(agb, "get_session", SID)

    assert not result.success
    for text in (result.error_message, result.message, str(result.error), repr(result.error)):
        assert_no_key(text, KEY)
    assert_no_key(repr(result), KEY)
    assert_no_key(everything_logged(caplog), KEY)


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), fail(403, "AccessDenied", "no")],
)
async def test_error_messages_never_contain_the_key(
    run: Runner, session: Session, server: FakeServer, failure: object
) -> None:
    server.on("/mcp/pauseSessionAsync", failure)  # type: ignore[arg-type]

    result = await run(session, "pause", 10, 1.0)

    assert not result.success
    assert_no_key(str(result.error), KEY)
    assert_no_key(result.error_message, KEY)


def test_configuration_errors_never_contain_the_key(clock: FakeClock) -> None:
    from agb import Config
    from agb.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError) as raised:
        AGB(api_key=f"{KEY}\n", cfg=Config("https://x.invalid", 1000))
    assert_no_key(str(raised.value), KEY)
