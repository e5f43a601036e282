"""The sender's own guard against arguments that cannot go on the wire.

The facade's input checks refuse such arguments before a plan yields its Call; the sender is
the one place every request passes, so it must hold the same line for a Call that reaches it
anyway (a future plan, a check that misses a case): a failed reply naming the argument,
nothing sent, never a raw UnicodeEncodeError or httpx.InvalidURL.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from agb._effects import Call
from agb._envelope import Reply
from agb._sender import HTTPSender
from agb.exceptions import UnsendableRequestError
from agb_api_client.api.labels import set_label
from agb_api_client.api.sessions import get_session
from agb_api_client.models import EmptyRequest, SessionIdRequest

KEY = "sk-unsendable-0123456789"
SURROGATE = "s-\ud800"


def sender(seen: list[httpx.Request]) -> HTTPSender:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"success": True, "data": {}})

    return HTTPSender(
        base_url="http://127.0.0.1:9",
        api_key=KEY,
        timeout=5.0,
        max_connections=2,
        transport=httpx.MockTransport(handler),
        async_transport=httpx.MockTransport(handler),
    )


CALLS = {
    "surrogate-in-body": (
        Call("getSession", get_session, {"body": SessionIdRequest(session_id=SURROGATE)}, True),
        "session_id",
        "lone surrogate (U+D800 at index 2)",
    ),
    "surrogate-in-query": (
        Call(
            "setLabel",
            set_label,
            {"session_id": "s-1", "labels": '{"k": "v\udfff"}', "body": EmptyRequest()},
        ),
        "labels",
        "lone surrogate (U+DFFF",
    ),
    "query-past-64KiB": (
        Call(
            "setLabel",
            set_label,
            {
                "session_id": "s-1",
                "labels": '{"k": "' + "v" * 70_000 + '"}',
                "body": EmptyRequest(),
            },
        ),
        "labels",
        "65536 characters",
    ),
}


def check(reply: Reply, argument: str, why: str, seen: list[Any]) -> None:
    assert reply.ok is False
    assert reply.sent is False
    assert isinstance(reply.error, UnsendableRequestError)
    assert reply.error.argument == argument
    assert reply.error.code == "InvalidParameter"
    assert why in reply.error.message
    assert argument in reply.error.message
    assert KEY not in reply.error.message
    assert seen == []


@pytest.mark.parametrize("name", CALLS)
def test_sync(name: str) -> None:
    call, argument, why = CALLS[name]
    seen: list[httpx.Request] = []
    with_sender = sender(seen)
    try:
        check(with_sender.send(call), argument, why, seen)
    finally:
        with_sender.close()


@pytest.mark.parametrize("name", CALLS)
async def test_async(name: str) -> None:
    call, argument, why = CALLS[name]
    seen: list[httpx.Request] = []
    with_sender = sender(seen)
    try:
        check(await with_sender.send_async(call), argument, why, seen)
    finally:
        await with_sender.aclose()


def test_a_line_break_in_a_query_value_is_encoded_not_injected() -> None:
    seen: list[httpx.Request] = []
    with_sender = sender(seen)
    call = Call(
        "setLabel",
        set_label,
        {"session_id": "s-1\r\nX-Evil: 1", "labels": "{}", "body": EmptyRequest()},
    )
    try:
        reply = with_sender.send(call)
    finally:
        with_sender.close()
    assert reply.ok
    assert len(seen) == 1
    assert "x-evil" not in seen[0].headers
    assert b"s-1%0D%0AX-Evil" in seen[0].url.raw_path
