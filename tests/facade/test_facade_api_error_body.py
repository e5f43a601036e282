"""Errors built from an answer carry its body (redacted, bounded) and headers (issue 14).

Needs the envelope reader to call ``APIError.with_response`` (see /tmp/h11-envelope.patch)."""

from __future__ import annotations

import json

from agb import AGB, NotFoundError, RedirectError, ServerError
from tests.support.fakes import KEY, SID, FakeServer, Runner, fail, raw


async def test_an_error_answer_carries_its_body_and_headers(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(
        "/mcp/getSession",
        fail(400, "InvalidMcpSession.NotFound", "gone", headers={"x-trace": "t-1"}),
    )

    result = await run(agb, "get_session", SID)

    error = result.error
    assert isinstance(error, NotFoundError)
    assert json.loads(error.body)["code"] == "InvalidMcpSession.NotFound"
    assert error.headers["x-trace"] == "t-1"
    assert error.headers["content-type"] == "application/json"


async def test_an_html_answer_is_kept_as_text_and_the_key_is_blotted_out(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    page = f"<html><title>502 Bad Gateway</title>echo {KEY}</html>"
    server.on("/mcp/getSession", raw(502, page, "text/html", **{"x-echo": KEY}))

    result = await run(agb, "get_session", SID)

    error = result.error
    assert isinstance(error, ServerError)
    assert error.body.startswith("<html><title>502 Bad Gateway</title>")
    assert KEY not in error.body
    assert KEY not in str(error.headers)


async def test_a_redirect_carries_its_headers(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on("/mcp/getSession", raw(302, "", location="https://elsewhere.invalid/"))

    result = await run(agb, "get_session", SID)

    assert isinstance(result.error, RedirectError)
    assert result.error.headers["location"] == "https://elsewhere.invalid/"
