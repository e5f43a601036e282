"""The SDK's own edges (issue 10): what it refuses itself, and what it logs at DEBUG."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from agb import AGB, CreateSessionParams, Session
from agb.exceptions import BadRequestError
from tests.support.fakes import (
    KEY,
    OPS,
    SID,
    FakeServer,
    Runner,
    Transition,
    fail,
    ok,
    status_answer,
)


@pytest.mark.parametrize("protocol", ["ftp", "file", "", " ", "https://", 5])
async def test_get_link_refuses_a_protocol_the_service_refuses(
    run: Runner, session: Session, server: FakeServer, protocol: Any
) -> None:
    result = await run(session, "get_link", protocol_type=protocol, port=30100)

    assert not result.success
    assert "protocol_type" in result.error_message
    assert "https" in result.error_message
    assert server.requests == []


@pytest.mark.parametrize("protocol", ["http", "https", "ws", "wss", "HTTPS"])
async def test_get_link_sends_the_protocols_the_service_takes(
    run: Runner, session: Session, server: FakeServer, protocol: str
) -> None:
    server.on("/internet/getLink", ok({"url": "https://link.example.invalid/"}))

    result = await run(session, "get_link", protocol_type=protocol, port=30100)

    assert result.success
    assert server.last.query["protocolType"] == protocol


REFUSED = [
    ("agb", "get_session", ("",), {}),
    ("agb", "get", ("  ",), {}),
    ("agb", "create", (None,), {}),
    ("agb", "create", (CreateSessionParams(image_id=""),), {}),
    ("agb", "list", (), {"limit": 0}),
    ("agb", "list", (), {"page": 0}),
    ("agb", "list", (), {"labels": {"k": ""}}),
    ("session", "get_link", (), {"port": 99999}),
    ("session", "get_link", (), {"protocol_type": "ftp"}),
    ("session", "set_labels", ({},), {}),
]


@pytest.mark.parametrize(("target", "method", "args", "kwargs"), REFUSED)
async def test_arguments_refused_locally_have_the_code_invalid_parameter(
    run: Runner,
    agb: AGB,
    session: Session,
    server: FakeServer,
    target: str,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    result = await run(agb if target == "agb" else session, method, *args, **kwargs)

    assert not result.success
    assert result.code == "InvalidParameter"
    assert result.http_status_code is None
    assert result.request_id == ""
    assert isinstance(result.error, BadRequestError)
    assert result.error.code == "InvalidParameter"
    assert server.requests == []


async def test_list_refuses_page_and_next_token_together(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    result = await run(agb, "list", page=2, next_token="t-2")

    assert not result.success
    assert result.code == "InvalidParameter"
    assert "page" in result.error_message
    assert "next_token" in result.error_message
    assert server.requests == []


async def test_list_takes_a_token_without_a_page(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on("/sdk/ListSession", ok([], nextToken="", maxResults=10, count=0))

    result = await run(agb, "list", next_token="t-2")

    assert result.success
    assert server.last.query["nextToken"] == "t-2"


def _debug_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    lines = [r.getMessage() for r in caplog.records if r.name in ("agb.retry", "agb.wait")]
    assert not any(KEY in line for line in lines)
    return lines


async def test_debug_log_says_why_a_request_is_retried_and_how_long_it_waits(
    run: Runner, agb: AGB, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.on(
        "/mcp/getSession",
        fail(503, "ServiceUnavailable", f"busy, key {KEY}"),
        fail(429, "Throttling", headers={"Retry-After": "3"}),
        status_answer("RUNNING"),
    )

    with caplog.at_level(logging.DEBUG, logger="agb"):
        result = await run(agb, "get_session", SID)

    assert result.success
    lines = _debug_lines(caplog)
    retries = [line for line in lines if "retry" in line]
    assert len(retries) == 2, lines
    assert "getSession" in retries[0]
    assert "ServerError" in retries[0]
    assert "<redacted>" in retries[0]
    assert "retry 1 of 2 in 0.50 s" in retries[0]
    assert "RateLimitError" in retries[1]
    assert "retry 2 of 2 in 3.00 s" in retries[1]


async def test_debug_log_says_when_a_retry_after_is_too_long_to_wait(
    run: Runner, agb: AGB, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.on("/mcp/getSession", fail(429, "Throttling", headers={"Retry-After": "3600"}))

    with caplog.at_level(logging.DEBUG, logger="agb"):
        await run(agb, "get_session", SID)

    assert any("not retried" in line and "3600" in line for line in _debug_lines(caplog))


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
async def test_debug_log_shows_each_status_change_of_a_wait_once(
    run: Runner, session: Session, server: FakeServer, caplog: pytest.LogCaptureFixture, op: Any
) -> None:
    Transition(server, op, done=5.0, stale=1.0)

    with caplog.at_level(logging.DEBUG, logger="agb"):
        result = await run(session, op.name, 30, 0.5)

    assert result.success
    changes = [line for line in _debug_lines(caplog) if "status" in line and "poll" in line]
    assert len(server.to("/mcp/getSession")) > 3
    assert [line.split("status ")[1].split()[0] for line in changes] == [
        op.old,
        op.middle,
        op.target,
    ]


async def test_debug_log_shows_a_failed_poll_and_each_context_state_once(
    run: Runner, session: Session, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    def context(status: str) -> httpx.Response:
        task = {"contextId": "c", "path": "/d", "status": status, "taskType": "upload"}
        import json

        text = json.dumps([{"type": "data", "data": json.dumps([task])}])
        return ok({"contextStatus": text})

    server.on("/sdk/SyncContext", ok())
    server.on("/sdk/GetContextInfo", context("Running"), context("Running"), context("Success"))
    server.on("/mcp/releaseSessionAsync", ok())
    server.on(
        "/mcp/getSession",
        httpx.ConnectError("refused"),
        httpx.ConnectError("refused"),
        httpx.ConnectError("refused"),
        status_answer("FINISH"),
    )

    with caplog.at_level(logging.DEBUG, logger="agb"):
        result = await run(session, "delete", sync_context=True, timeout=30, poll_interval=1)

    assert result.success
    lines = _debug_lines(caplog)
    assert [line for line in lines if "context" in line and "upload" in line] == [
        f"session {SID}: context upload Running",
        f"session {SID}: context upload Success",
    ]
    assert any("status poll 1 failed" in line and "APIConnectionError" in line for line in lines)
