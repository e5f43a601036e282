"""The key never shows: refused at construction when it cannot go in a header, and blotted out
of everything a server sends back, in every form, before anything reads it (issue 12)."""

from __future__ import annotations

import json
import logging
import socket

import httpx
import pytest

from agb import AGB, Config, Session
from agb._secrets import Redactor
from agb.exceptions import ConfigurationError
from agb.session_params import CreateSessionParams
from tests.hostile.conftest import Wire
from tests.support.asserts import Watch, assert_no_key
from tests.support.fakes import HOSTILE_KEY, SID, FakeServer, Runner, envelope, make_agb, streamed
from tests.support.raw_server import head, raw_server

DEADLINE = 5.0


def escaped(key: str) -> str:
    """The key as a JSON text may spell it: every other character as a \\uXXXX escape, / as \\/."""
    out = []
    for index, char in enumerate(key):
        if char == "/":
            out.append("\\/")
        elif index % 2:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return "".join(out)


FORMS = {
    "plain": HOSTILE_KEY,
    "json-escaped": escaped(HOSTILE_KEY),
    "percent-encoded": "".join(f"%{ord(c):02x}" for c in HOSTILE_KEY),
    "upper-case": HOSTILE_KEY.upper(),
}


@pytest.mark.parametrize("bad", ["\x0b", "\x0c", "\x01", "\x7f", "é", "\u2028", "\ud800"])
def test_a_key_that_cannot_go_in_a_header_is_refused_at_construction(
    bad: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = f"sk-{bad}secret-part-1234"
    with pytest.raises(ConfigurationError) as raised:
        AGB(key, Config("http://127.0.0.1:9"))
    error = raised.value
    assert "HTTP header" in error.message
    for text in (str(error), repr(error), error.message, caplog.text):
        assert "secret-part" not in text


def fill(template: str, said: str) -> bytes:
    """A JSON body with ``said`` (a spelling of the key, escapes kept as written) put in."""
    return template.replace("@E", f"bad key {said} here").replace("@S", said).encode()


@pytest.mark.parametrize("form", FORMS)
async def test_a_key_echoed_anywhere_in_an_answer_never_shows(
    run: Runner, watch: Watch, form: str
) -> None:
    said = FORMS[form]
    echo = f"bad key {said} here"
    failed = fill('{"success": false, "code": "@S", "requestId": "@S", "message": "@E"}', said)
    create = fill('{"success": true, "data": {"success": false, "errMsg": "@E"}}', said)
    status = fill('{"success": true, "data": {"sessionId": "s-1", "status": "@S"}}', said)
    headers = {"x-request-id": said, "content-type": "application/json"}
    fake = FakeServer.of({
        "/mcp/createSession": [(200, headers, create)],
        "/mcp/getSession": [(200, headers, status)],
        "/mcp/pauseSessionAsync": [streamed(envelope())],
        "/sdk/GetLabel": [(400, headers, failed)],
        "/internet/getLink": [(302, {"location": f"https://x.example/?k={said}"}, b"")],
        "/mcp/getMcpResource": [(500, {"x-request-id": said}, echo.encode())],
    })  # fmt: skip
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        session = Session(agb, SID)
        results = [
            await run(agb, "create", CreateSessionParams(image_id="img")),
            await run(agb, "get_session", SID),
            await run(session, "pause", timeout=3, poll_interval=1),
            await run(session, "get_link"),
            await run(session, "info"),
            await run(session, "get_labels"),
        ]
    assert results[0].success is False
    assert "bad key" in results[0].error_message
    assert results[1].success is True
    assert "redacted" in results[1].data.status
    assert watch.elapsed < DEADLINE
    assert_no_key(watch.texts(*results), HOSTILE_KEY)
    for result in results:
        assert_no_key(repr(getattr(result, "data", None)), HOSTILE_KEY)


async def test_a_key_in_a_context_task_error_never_shows(run: Runner, watch: Watch) -> None:
    rows = [{"contextId": "c", "path": "/p", "status": "Failed", "taskType": "upload",
             "errorMessage": f"denied for {HOSTILE_KEY}",
             "startTime": 1, "finishTime": 2}]  # fmt: skip
    status = json.dumps([{"type": "data", "data": json.dumps(rows)}])
    fake = FakeServer.of({
        "/sdk/SyncContext": [streamed(envelope())],
        "/sdk/GetContextInfo": [streamed(envelope({"contextStatus": status}))],
        "/mcp/releaseSessionAsync": [streamed(envelope())],
        "/mcp/getSession": [streamed(envelope({"sessionId": SID, "status": "FINISH"}))],
    })  # fmt: skip
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        result = await run(Session(agb, SID), "delete", sync_context=True, timeout=10)
    assert result.context_synced is False
    assert "denied for <redacted>" in result.context_sync_error
    assert watch.elapsed < DEADLINE
    assert_no_key(watch.texts(result, *result.context_tasks), HOSTILE_KEY)


async def test_a_key_in_raw_headers_and_reason_never_reaches_any_log(
    wire: Wire, watch: Watch
) -> None:
    """Over real sockets httpcore logs raw response headers at DEBUG, httpx the reason phrase,
    aiohttp what it logs of its own; none of it shows the key."""
    body = fill('{"success": false, "code": "Denied", "message": "@S"}', escaped(HOSTILE_KEY))

    def handler(request: bytes, conn: socket.socket) -> None:
        headers = {"content-type": "application/json", "x-request-id": HOSTILE_KEY,
                   "x-echo": f"Bearer {HOSTILE_KEY}", "content-length": str(len(body))}  # fmt: skip
        conn.sendall(head(403, headers, reason=f"Forbidden {HOSTILE_KEY}") + body)

    with (
        raw_server(handler) as server,
        wire.agb(Config(server.url, timeout_ms=5_000)) as agb,
        watch,
    ):
        result = await wire(agb, "get_session", SID)
    assert result.success is False
    assert result.http_status_code == 403
    assert "HTTP Request: POST" in watch.caplog.text  # httpx's line with the reason phrase
    if wire.transport != "aiohttp" or not wire.is_async:
        assert "httpcore" in watch.caplog.text  # the DEBUG lines that carry raw headers were there
    assert watch.elapsed < DEADLINE
    assert_no_key(watch.texts(result), HOSTILE_KEY)


def test_the_redactor_blots_every_spelling() -> None:
    redactor = Redactor(HOSTILE_KEY)
    for said in FORMS.values():
        assert HOSTILE_KEY.lower() not in redactor.text(f"a {said} b").lower()
        assert redactor.text(f"a {said} b").startswith("a <redacted>")
        assert redactor.data(f"a {said} b".encode()) == b"a <redacted> b"
    assert repr(redactor) == "Redactor(<redacted>)"


async def test_an_answer_parsed_from_escapes_holds_no_key(run: Runner) -> None:
    """After parsing, the escaped forms would be the key itself: they never get that far."""
    text = fill(
        '{"success": true, "data": {"sessionId": "s-1", "status": "@S"}}', escaped(HOSTILE_KEY)
    )
    assert json.loads(text)["data"]["status"] == HOSTILE_KEY
    fake = FakeServer.of({"*": [(200, {"content-type": "application/json"}, text)]})
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb:
        result = await run(agb, "get_session", SID)
    assert result.data.status == "<redacted>"


def test_an_endpoint_with_a_password_is_refused_without_showing_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ConfigurationError) as raised:
        AGB(HOSTILE_KEY, Config("http://user:hunter2-pw@127.0.0.1:9"))
    assert "hunter2" not in str(raised.value) + repr(raised.value) + caplog.text
    assert "user name or password" in raised.value.message


@pytest.mark.parametrize(
    ("endpoint", "says"),
    [
        ("ftp://h", "http:// or https://"),
        ("http://", "no host"),
        ("https://", "no host"),
        ("http://h?x=1", "query or fragment"),
        ("http://h/#frag", "query or fragment"),
        ("http://[::1", "not a valid URL"),
        ("http://h:99999", "not a valid URL"),
        ("http://user@h", "user name or password"),
        ("http://h h", "spaces or control"),
        ("ws://h", "http:// or https://"),
    ],
)
def test_bad_endpoints_are_refused_at_config_and_agb(endpoint: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        Config(endpoint).validate()
    with pytest.raises(ConfigurationError, match=says):
        AGB(HOSTILE_KEY, Config(endpoint))


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        ("sdk-api.agb.cloud", "https://sdk-api.agb.cloud"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("HTTPS://h/prefix/", "https://h/prefix"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("localhost:9000", "https://localhost:9000"),
    ],
)
def test_good_endpoints_still_work(endpoint: str, url: str) -> None:
    assert Config(endpoint).base_url == url
    with AGB(HOSTILE_KEY, Config(endpoint)) as agb:
        assert agb.endpoint == url


def test_httpx_logs_never_show_the_key_at_any_level(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeServer.of(
        {"*": [(200, {"x-request-id": HOSTILE_KEY}, b"not json " + HOSTILE_KEY.encode())]}
    )
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb:
        result = agb.get_session(SID)
        logging.getLogger("httpx").debug(
            "echo %s", HOSTILE_KEY
        )  # even a line httpx itself would write
    assert result.success is False
    assert_no_key(caplog.text, HOSTILE_KEY)
    assert isinstance(agb._transport.sync_client(), httpx.Client)


@pytest.mark.parametrize("logger", ["aiohttp.client", "aiohttp.internal"])
def test_aiohttp_logs_never_show_the_key(caplog: pytest.LogCaptureFixture, logger: str) -> None:
    """aiohttp's client loggers (``aiohttp.internal`` logs a malformed cookie as it came)."""
    caplog.set_level(logging.DEBUG)
    with AGB(HOSTILE_KEY, Config("http://127.0.0.1:9")):
        logging.getLogger(logger).warning("Can not load cookies: %r", f"a b{HOSTILE_KEY}")
    assert "Can not load cookies: 'a b<redacted>'" in caplog.text
    assert_no_key(caplog.text, HOSTILE_KEY)


async def test_the_raw_client_sees_answers_already_redacted(run: Runner) -> None:
    """Redaction is at the root: even the generated client, called directly, never sees it."""
    from agb_api_client.api.sessions import get_session
    from agb_api_client.models import SessionIdRequest

    body = fill(
        '{"success": true, "data": {"sessionId": "s-1", "status": "@S"}}', escaped(HOSTILE_KEY)
    )
    headers = {"x-request-id": HOSTILE_KEY, "x-echo": FORMS["percent-encoded"]}
    fake = FakeServer.of({"*": [(200, headers, body)]})
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb:
        if run.mode == "sync":
            got = get_session.sync_detailed(client=agb.raw, body=SessionIdRequest(SID))
        else:
            got = await get_session.asyncio_detailed(client=agb.raw, body=SessionIdRequest(SID))
    assert got.headers["x-request-id"] == "<redacted>"
    assert got.headers["x-echo"] == "<redacted>"
    assert_no_key(got.content.decode() + repr(got.parsed), HOSTILE_KEY)
