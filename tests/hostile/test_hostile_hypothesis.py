"""Hypothesis: whatever bytes, headers and statuses a server sends, and whatever strings a user
passes (surrogates included), only results come out, never a raw exception (issue 12)."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agb import Session
from agb._effects import Call
from agb._envelope import Reply, read_answer
from agb._sender import HTTPSender
from agb.exceptions import AGBError
from agb_api_client.api.sessions import create_session, get_session, list_sessions
from agb_api_client.models import CreateSessionRequest, SessionIdRequest
from tests.support.asserts import assert_no_key
from tests.support.fakes import HOSTILE_KEY, SID, FakeServer, make_agb

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "success": json_values,
        "code": json_values,
        "message": json_values,
        "requestId": json_values,
        "data": json_values,
        "count": json_values,
        "nextToken": json_values,
        "maxResults": json_values,
    },
)
header_names = st.sampled_from(
    ["retry-after", "retry-after-ms", "x-request-id", "content-type", "location",
     "content-encoding", "content-length", "x-other"]
)  # fmt: skip
header_values = st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")) | st.binary(
    max_size=40
)
headers = st.lists(st.tuples(header_names, header_values), max_size=5)


def bodies() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=300),
        envelopes.map(lambda e: json.dumps(e).encode()),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.integers(1, 3000).map(
            lambda n: b'{"success": true, "data": ' + b"[" * n + b"]" * n + b"}"
        ),
        st.integers(4000, 6000).map(lambda n: b'{"success": true, "count": ' + b"9" * n + b"}"),
    )


@QUICK
@given(status=st.integers(), raw=headers, content=bodies(), parsed=st.booleans())
def test_the_answer_reader_only_gives_replies(
    status: int, raw: list[tuple[str, bytes]], content: bytes, parsed: bool
) -> None:
    reply = read_answer(
        "getSession", status, httpx.Headers(raw), content, object() if parsed else None
    )
    assert isinstance(reply, Reply)
    assert reply.ok or isinstance(reply.error, AGBError)


def transport_for(answer: httpx.Response) -> HTTPSender:
    handler = lambda request: answer  # noqa: E731
    return HTTPSender(
        base_url="https://agb.test.invalid",
        api_key=HOSTILE_KEY,
        timeout=5.0,
        max_connections=2,
        transport=httpx.MockTransport(handler),
        async_transport=httpx.MockTransport(handler),
    )


@QUICK
@given(
    status=st.integers(0, 1000),
    raw=headers,
    content=bodies(),
    gzipped=st.booleans(),
    operation=st.sampled_from(["getSession", "listSessions", "createSession"]),
)
def test_sending_through_any_answer_only_gives_replies(
    status: int, raw: list[tuple[str, bytes]], content: bytes, gzipped: bool, operation: str
) -> None:
    if gzipped:
        raw = [*raw, ("content-encoding", b"gzip")]
        content = gzip.compress(content) if len(content) % 3 else content  # some corrupt
    calls = {
        "getSession": Call("getSession", get_session, {"body": SessionIdRequest(SID)}, True),
        "listSessions": Call("listSessions", list_sessions, {"labels": "{}"}, True),
        "createSession": Call(
            "createSession", create_session, {"body": CreateSessionRequest(), "image_id": "i"}
        ),
    }
    answer = httpx.Response(status, headers=raw, stream=httpx.ByteStream(content))
    transport = transport_for(answer)
    try:
        replies = [transport.send(calls[operation])]
        answer.stream = httpx.ByteStream(content)
        replies.append(asyncio.run(transport.send_async(calls[operation])))
    finally:
        transport.close()
    for reply in replies:
        assert isinstance(reply, Reply)
        assert reply.ok or isinstance(reply.error, AGBError)
        assert_no_key(repr(reply) + str(reply.error), HOSTILE_KEY)


any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30)


@settings(max_examples=100, deadline=None)
@given(
    key=any_text,
    value=any_text,
    session_id=any_text,
    huge=st.booleans(),
)
def test_input_checks_with_any_strings_give_results(
    key: str, value: str, session_id: str, huge: bool
) -> None:
    if huge:
        value = value * (70_000 // max(1, len(value))) + "x" * 70_000
    ok = b'{"success": true, "code": "ok", "data": {"labels": "{}", "sessionId": "s-1"}}'
    fake = FakeServer.of({"*": [(200, {"content-type": "application/json"}, ok)]})
    labels: Any = {key: value}
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb:
        outcomes: list[Any] = [
            agb.list(labels),
            agb.get_session(session_id),
            Session(agb, SID).set_labels(labels),
            asyncio.run(agb.list_async(labels)),
            asyncio.run(agb.get_session_async(session_id)),
        ]
    for outcome in outcomes:
        assert outcome.success in (True, False)
        if not outcome.success:
            assert isinstance(outcome.error, AGBError)
            assert outcome.error_message
