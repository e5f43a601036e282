"""Property-based: whatever goes into the facade, and whatever comes back from the wire, the
caller gets a result or the documented error, never another exception.

Documented outcomes:
* ``Session(agb, bad_id)`` raises ``ValueError``; every other bad argument gives a failed result
  (``error`` a typed ``AGBError``), except ``timeout``/``poll_interval`` of the waits, which raise
  ``ValueError`` before any request;
* ``set_labels``, ``get_labels`` and ``get_link`` may raise ``SessionError`` (a
  ``MalformedResponseError``) when the answer cannot be read; nothing else raises.

The input properties run against a real emulator over HTTP (waits against a fake transport,
since an arbitrary poll interval against a real transition could take forever). The answer
properties use ``httpx.MockTransport`` with arbitrary statuses, headers and bodies. Every
property runs 500 derandomized examples.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agb import AGB, Session
from agb.config import Config
from agb.emulator import RunningEmulator
from agb.exceptions import AGBError, SessionError
from agb.model.response import ApiResponse
from agb.session_params import CreateSessionParams
from tests.support.clock import FakeClock
from tests.support.emulator import API_KEY, create_sessions, emulator_agb

EXAMPLES = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MAY_RAISE_SESSION_ERROR = frozenset({"set_labels", "get_labels", "get_link"})
PROTOCOLS = ("http", "https", "ws", "wss")

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=2),
)
label_text = st.text(max_size=12)
label_maps = st.one_of(
    st.dictionaries(label_text, label_text, max_size=6),
    st.dictionaries(label_text, anything, max_size=3),
    st.dictionaries(anything.filter(lambda v: v.__hash__ is not None), label_text, max_size=3),
    anything,
)


def _check_result(result: object, op: str) -> None:
    assert isinstance(result, ApiResponse), (op, result)
    assert isinstance(result.success, bool)
    if not result.success:
        assert isinstance(result.error, AGBError), (op, result)
        assert isinstance(result.error_message, str), (op, result)
        assert result.error_message, (op, result)


def _call(op: str, call: Any) -> Any:
    """Run ``call``; only a documented SessionError may escape (and only from some methods)."""
    try:
        result = call()
    except SessionError:
        assert op in MAY_RAISE_SESSION_ERROR, op
        return None
    _check_result(result, op)
    return result


@pytest.fixture(scope="module")
def live(running: RunningEmulator) -> Iterator[tuple[AGB, Session]]:
    running.emulator.reset()
    agb = emulator_agb(running)
    yield agb, Session(agb, create_sessions(running, 1)[0])
    agb.close()
    assert running.emulator.stats()["internalErrors"] == 0


# --------------------------------------------------------------------------- inputs


@EXAMPLES
@given(labels=label_maps)
def test_any_label_map(live: tuple[AGB, Session], labels: Any) -> None:
    _agb, session = live
    result = _call("set_labels", lambda: session.set_labels(labels))
    if result is not None and result.success:
        got = _call("get_labels", session.get_labels)
        assert got is not None
        assert got.success
        assert got.data == labels, "what was set is what is read back"


@EXAMPLES
@given(session_id=st.one_of(st.text(max_size=30), anything))
def test_any_session_id(live: tuple[AGB, Session], session_id: Any) -> None:
    agb, _session = live
    got = _call("get_session", lambda: agb.get_session(session_id))
    assert not got.success, "no such session"
    try:
        session = Session(agb, session_id)
    except ValueError:
        assert not (isinstance(session_id, str) and session_id.strip())
        return
    status = _call("get_status", session.get_status)
    assert not status.success
    _call("get_labels", session.get_labels)


@EXAMPLES
@given(
    protocol=st.one_of(st.sampled_from(PROTOCOLS), st.none(), st.text(max_size=8), anything),
    port=st.one_of(
        st.integers(30090, 30210),
        st.none(),
        st.integers(),
        st.integers(30090, 30210).map(str),
        anything,
    ),
)
def test_any_port_and_protocol(live: tuple[AGB, Session], protocol: Any, port: Any) -> None:
    _agb, session = live
    result = _call("get_link", lambda: session.get_link(protocol, port))
    good_port = port is None or (type(port) is int and 30100 <= port <= 30199)
    bad_port = type(port) is not str and not good_port
    if (protocol is None or protocol in PROTOCOLS) and good_port:
        assert result is not None
        assert result.success, result
        assert isinstance(result.data, str)
        assert result.data.startswith(f"{protocol or 'https'}://")
    elif bad_port:
        assert result is not None
        assert not result.success


def test_get_link_with_a_superscript_digit_port_is_a_failed_result(
    live: tuple[AGB, Session],
) -> None:
    _agb, session = live
    result = session.get_link("https", "\u00b2")
    assert not result.success
    assert isinstance(result.error, AGBError)


class _Instant:
    """A fake service whose sessions reach any status at once (for arbitrary waits)."""

    def __init__(self) -> None:
        self.requests = 0
        self.status = "RUNNING"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        path = request.url.path
        if path == "/mcp/pauseSessionAsync":
            self.status = "PAUSED"
        elif path == "/mcp/resumeSessionAsync":
            self.status = "RUNNING"
        elif path == "/mcp/releaseSessionAsync":
            self.status = "FINISH"
        data = {"sessionId": "s-1", "status": self.status}
        body = {"success": True, "code": "ok", "requestId": f"r-{self.requests}", "data": data}
        return httpx.Response(200, json=body)


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


@EXAMPLES
@given(
    op=st.sampled_from(["pause", "resume", "delete"]),
    timeout=st.one_of(st.floats(), st.integers(), anything),
    interval=st.one_of(st.floats(), st.integers(), anything),
)
def test_any_timeout_and_poll_interval(op: str, timeout: Any, interval: Any) -> None:
    service, clock = _Instant(), FakeClock(0.0)
    agb = AGB(
        API_KEY,
        Config("http://agb.invalid", 10_000),
        transport=httpx.MockTransport(service),
        clock=clock,
        sleep=clock.sleep,
    )
    session = Session(agb, "s-1")
    valid = all(type(v) in (int, float) and _finite(v) and v > 0 for v in (timeout, interval))
    try:
        if op == "delete":
            result = session.delete(timeout=timeout, poll_interval=interval)
        else:
            result = getattr(session, op)(timeout, interval)
    except ValueError:
        refused = True
    else:
        refused = False
    if refused:
        assert not valid, (timeout, interval)
        assert service.requests == 0, "a bad argument is refused before any request"
        return
    assert valid
    _check_result(result, op)
    assert result.success, result


# --------------------------------------------------------------------------- answers

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
FIELDS = (
    "sessionId",
    "status",
    "sessionStatus",
    "labels",
    "url",
    "resourceUrl",
    "appInstanceId",
    "resourceId",
    "desktopInfo",
    "contextStatus",
    "nextToken",
    "count",
    "maxResults",
    "success",
    "errMsg",
)
payloads = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), json_values | st.text(max_size=12), max_size=6),
    st.lists(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=3), max_size=2),
    json_values,
)
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "requestId": st.one_of(st.text(max_size=8), json_values),
        "success": st.one_of(st.booleans(), json_values),
        "code": st.one_of(
            st.sampled_from(["ok", "", "InvalidMcpSession.NotFound", "Throttling", "X.Y"]),
            json_values,
        ),
        "message": json_values,
        "httpStatusCode": json_values,
        "data": payloads,
        "nextToken": json_values,
        "count": json_values,
        "maxResults": json_values,
    },
)
bodies = st.one_of(
    envelopes.map(lambda value: json.dumps(value).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=40),
    st.text(max_size=40).map(str.encode),
    st.just(b"<html><title>502 Bad Gateway</title></html>"),
)
answers = st.fixed_dictionaries(
    {
        "status": st.one_of(
            st.sampled_from([200, 400, 404, 429, 499, 500, 503]), st.integers(100, 599)
        ),
        "body": bodies,
        "content_type": st.sampled_from(["application/json", "text/html", "text/plain", ""]),
        "retry_after": st.one_of(st.none(), st.sampled_from(["0", "1", "2.5", "-3", "soon"])),
    }
)
OPERATIONS = (
    "create",
    "get",
    "get_session",
    "list",
    "set_labels",
    "get_labels",
    "info",
    "get_link",
    "get_status",
    "keep_alive",
    "pause",
    "resume",
    "delete",
)


class _Scripted:
    """Answers every request with the example's answer."""

    answer: dict[str, Any]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        headers = {}
        if self.answer["content_type"]:
            headers["content-type"] = self.answer["content_type"]
        if self.answer["retry_after"] is not None:
            headers["retry-after"] = self.answer["retry_after"]
        return httpx.Response(self.answer["status"], headers=headers, content=self.answer["body"])


@pytest.fixture(scope="module")
def scripted() -> Iterator[tuple[_Scripted, AGB, FakeClock, asyncio.AbstractEventLoop]]:
    handler, clock = _Scripted(), FakeClock(0.0)
    mock = httpx.MockTransport(handler)
    agb = AGB(
        API_KEY,
        Config("http://agb.invalid", 10_000),
        transport=mock,
        async_transport=mock,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.async_sleep,
    )
    loop = asyncio.new_event_loop()
    yield handler, agb, clock, loop
    agb.close()
    loop.run_until_complete(agb.aclose())
    loop.close()


def _operation(agb: AGB, op: str, is_async: bool) -> Any:
    session = Session(agb, "s-1")
    wait = {"timeout": 5.0, "poll_interval": 1.0}
    calls = {
        "create": (agb.create, (CreateSessionParams(image_id="img", labels={"a": "b"}),), {}),
        "get": (agb.get, ("s-1",), {}),
        "get_session": (agb.get_session, ("s-1",), {}),
        "list": (agb.list, ({"a": "b"}, 2, 5), {}),
        "set_labels": (session.set_labels, ({"a": "b"},), {}),
        "get_labels": (session.get_labels, (), {}),
        "info": (session.info, (), {}),
        "get_link": (session.get_link, ("https", 30100), {}),
        "get_status": (session.get_status, (), {}),
        "keep_alive": (session.keep_alive, (), {}),
        "pause": (session.pause, (), wait),
        "resume": (session.resume, (), wait),
        "delete": (session.delete, (True,), wait),
    }
    method, args, kwargs = calls[op]
    if is_async:
        method = getattr(method.__self__, method.__name__ + "_async")
    return method, args, kwargs


@EXAMPLES
@given(answer=answers, op=st.sampled_from(OPERATIONS), is_async=st.booleans())
def test_any_answer_gives_a_result_or_a_typed_error(
    scripted: tuple[_Scripted, AGB, FakeClock, asyncio.AbstractEventLoop],
    answer: dict[str, Any],
    op: str,
    is_async: bool,
) -> None:
    handler, agb, clock, loop = scripted
    handler.answer = answer
    method, args, kwargs = _operation(agb, op, is_async)
    if is_async:
        result = _call(op, lambda: loop.run_until_complete(method(*args, **kwargs)))
    else:
        result = _call(op, lambda: method(*args, **kwargs))
    if result is not None and result.success:
        assert 200 <= answer["status"] < 300, "only a 2xx answer can be a success"
    if result is not None and op in ("pause", "resume", "delete"):
        assert result.elapsed <= 5.0 + 1e-9 or not result.success
    clock.now += 1000.0  # every example starts on a fresh deadline
