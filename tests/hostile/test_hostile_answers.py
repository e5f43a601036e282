"""Nothing a server sends escapes as a raw exception: only failed results (issue 12).

Each case runs sync and async against a fake transport, and checks the result, that the call
ended well within its deadline (retries sleep on a fake clock), and that the key shows nowhere.
"""

from __future__ import annotations

import json

import pytest

from agb import Session
from agb.exceptions import (
    APIError,
    MalformedResponseError,
    RateLimitError,
    RedirectError,
)
from tests.support.asserts import Watch, assert_no_key
from tests.support.fakes import HOSTILE_KEY, SID, FakeServer, Runner, envelope, make_agb, streamed

DEADLINE = 5.0  # seconds of real time any of these calls may take (the HTTP timeout)


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def check(result: object, watch: Watch, cls: type[Exception]) -> None:
    assert result.success is False  # type: ignore[attr-defined]
    assert isinstance(result.error, cls), result.error  # type: ignore[attr-defined]
    assert watch.elapsed < DEADLINE
    assert_no_key(watch.texts(result), HOSTILE_KEY)


@pytest.mark.parametrize("levels", [100, 5_000, 200_000])
async def test_deeply_nested_json_is_a_malformed_answer(
    run: Runner, watch: Watch, levels: int
) -> None:
    body = b'{"success": true, "data": ' + deep(levels).encode() + b"}"
    fake = FakeServer.of({"*": [streamed(body)]})
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        result = await run(agb, "get_session", SID)
    check(result, watch, MalformedResponseError)
    assert "nest" in result.error_message


@pytest.mark.parametrize("where", ["labels", "contextStatus"])
async def test_json_text_nested_deep_inside_an_answer_is_malformed(
    run: Runner, watch: Watch, where: str
) -> None:
    """labels and contextStatus are JSON text inside JSON: read later, checked at the root."""
    nested = deep(3_000)
    if where == "labels":
        fake = FakeServer.of({"/sdk/GetLabel": [streamed(envelope({"labels": nested}))]})
        # get_labels documents that an unreadable answer raises MalformedResponseError.
        with (
            make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb,
            watch,
            pytest.raises(MalformedResponseError) as raised,
        ):
            await run(Session(agb, SID), "get_labels")
        assert "nest" in raised.value.message
        assert watch.elapsed < DEADLINE
        assert_no_key(watch.texts(raised.value), HOSTILE_KEY)
        return
    inner = json.dumps([{"type": "data", "data": nested}])
    fake = FakeServer.of({"/sdk/GetContextInfo": [streamed(envelope({"contextStatus": inner}))],
                 "/sdk/SyncContext": [streamed(envelope())],
                 "*": [streamed(envelope({"sessionId": SID, "status": "FINISH"}))]})  # fmt: skip
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        result = await run(Session(agb, SID), "delete", sync_context=True, timeout=30)
    # Unreadable context answers are retried as transient until the wait's deadline.
    assert result.context_synced is False
    assert watch.elapsed < DEADLINE
    assert_no_key(watch.texts(result), HOSTILE_KEY)
    return


async def test_json_text_doubly_nested_inside_context_status_is_checked(
    run: Runner, watch: Watch
) -> None:
    rows = deep(3_000)
    inner = json.dumps([{"type": "data", "data": rows}])  # rows: JSON text in JSON text in JSON
    fake = FakeServer.of({"/sdk/GetContextInfo": [streamed(envelope({"contextStatus": inner}))],
                 "/sdk/SyncContext": [streamed(envelope())],
                 "*": [streamed(envelope({"sessionId": SID, "status": "FINISH"}))]})  # fmt: skip
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        result = await run(Session(agb, SID), "delete", sync_context=True, timeout=30)
    assert result.context_synced is False
    assert watch.elapsed < DEADLINE


@pytest.mark.parametrize(
    "body",
    [
        b'{"success": true, "count": ' + b"7" * 5000 + b', "data": []}',
        b'{"success": true, "count": "' + b"7" * 5000 + b'", "data": []}',
        b'{"success": true, "maxResults": "' + b"7" * 100_000 + b'", "data": []}',
    ],
    ids=["number", "digit-string", "huge-digit-string"],
)
async def test_numbers_of_thousands_of_digits_are_a_malformed_answer(
    run: Runner, watch: Watch, body: bytes
) -> None:
    fake = FakeServer.of({"*": [streamed(body)]})
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        result = await run(agb, "list")
    check(result, watch, MalformedResponseError)


@pytest.mark.parametrize(
    "value",
    ["Mon, garbage", "Mon, 32 Jan 2026 00:00:00 GMT", "Fri, 01 Jan 10000 00:00:00 GMT",
     "Mon, 01 Foo 2026 25:61:61 GMT", "1e999", "-5", "nan", "x" * 10_000, ",", "Mon,"],
)  # fmt: skip
async def test_a_retry_after_that_is_not_a_date_is_ignored(
    run: Runner, watch: Watch, value: str
) -> None:
    throttled = streamed(envelope(success=False, code="Throttling"), 429, **{"retry-after": value})
    fake = FakeServer.of({"*": [throttled]})
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        result = await run(agb, "get_session", SID)
    check(result, watch, RateLimitError)
    assert result.error.retry_after is None or result.error.retry_after >= 0


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308, 300, 304])
async def test_a_redirect_is_reported_as_one_and_not_retried(
    run: Runner, watch: Watch, status: int
) -> None:
    location = "https://elsewhere.example/mcp/getSession"
    headers = {"location": location, "content-type": "text/html"}
    fake = FakeServer.of({"*": [(status, headers, b"<html>moved</html>")]})
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        result = await run(agb, "get_session", SID)
    check(result, watch, RedirectError)
    assert result.http_status_code == status
    assert result.error.location == location
    assert location in result.error_message
    assert "redirect" in result.error_message
    assert "expected shape" not in result.error_message
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("success", "said"),
    [
        ("true", "'true' (str)"),
        (1, "1 (int)"),
        (None, "None (NoneType)"),
        ("__absent__", "no success field"),
    ],
)
async def test_a_success_that_is_not_true_says_exactly_what_came(
    run: Runner, watch: Watch, success: object, said: str
) -> None:
    body = envelope({"sessionId": SID, "status": "RUNNING"})
    if success == "__absent__":
        del body["success"]
    else:
        body["success"] = success
    fake = FakeServer.of({"*": [streamed(body)]})
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        result = await run(agb, "get_session", SID)
    check(result, watch, APIError)
    assert said in result.error_message
    assert "success: false" not in result.error_message


async def test_an_id_the_server_hands_out_that_cannot_be_encoded_fails_at_once(
    run: Runner, watch: Watch
) -> None:
    """The create fails, naming the id, rather than handing out a Session whose every later
    call would fail; calls made with that id anyway are refused before anything is sent."""
    created = (
        b'{"success": true, "code": "ok", "data": {"sessionId": "s-\\ud800", "success": true}}'
    )
    fake = FakeServer.of({"/mcp/createSession": [streamed(created)]})
    from agb.session_params import CreateSessionParams

    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        made = await run(agb, "create", CreateSessionParams(image_id="img"))
        assert made.success is False
        assert made.session is None
        assert isinstance(made.error, MalformedResponseError)
        assert "sessionId" in made.error_message
        assert "surrogate" in made.error_message
        later = [
            await run(agb, "get_session", "s-\ud800"),
            await run(agb, "get", "s-\ud800"),
        ]
    for result in later:
        assert result.success is False
        assert result.code == "InvalidParameter"
        assert result.error.code == "InvalidParameter"
        assert result.error.argument == "session_id"
        assert "surrogate" in result.error_message
        assert "session_id" in result.error_message
    assert fake.paths == ["/mcp/createSession"]  # nothing unsendable went out
    assert watch.elapsed < DEADLINE
    assert_no_key(watch.texts(made, *later), HOSTILE_KEY)


@pytest.mark.parametrize(
    ("labels", "named"),
    [({"k": "v\ud800"}, "labels"), ({"k\udfff": "v"}, "labels"), ({"k": "v" * 70_000}, "labels")],
    ids=["surrogate-value", "surrogate-key", "query-past-64KiB"],
)
async def test_arguments_that_cannot_be_sent_give_a_failed_result_naming_them(
    run: Runner, watch: Watch, labels: dict[str, str], named: str
) -> None:
    fake = FakeServer.of({"*": [streamed(envelope({"labels": "{}"}))]})
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        session = Session(agb, SID)
        results = [await run(session, "set_labels", labels), await run(agb, "list", labels)]
    for result in results:
        assert result.success is False
        assert result.code == "InvalidParameter"
        assert result.error.argument == named
        assert named in result.error_message
    assert fake.requests == []
    assert watch.elapsed < DEADLINE
    assert_no_key(watch.texts(*results), HOSTILE_KEY)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after-ms": "soon", "retry-after": "9"}, 9.0),
        ({"retry-after": "Mon, 32 Jan 2026 00:00:00 GMT"}, None),
        ({"retry-after": "Fri, 01 Jan 10000 00:00:00 GMT"}, None),
        ({"retry-after": "Mon, garbage"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # in the past
    ],
)
def test_retry_after_is_read_or_ignored_never_raised(
    headers: dict[str, str], seconds: float | None
) -> None:
    import httpx

    from agb._retry_after import retry_after_seconds

    assert retry_after_seconds(httpx.Headers(headers)) == seconds


@pytest.mark.parametrize("declared", ["\u00b2", "\u00b9\u00b2", "1\u00b3", " 12", "-1", "1e3", ""])
async def test_a_content_length_that_is_not_ascii_digits_is_not_read_as_a_size(
    run: Runner, watch: Watch, declared: str
) -> None:
    """``str.isdigit`` takes superscripts (``'²'``) that ``int()`` refuses: the size check
    reads only ASCII digits, so such a header neither escapes as a ValueError nor stops the
    answer, which is read (and bounded) as it streams."""
    body = envelope({"sessionId": SID, "status": "RUNNING"})
    headers = {"content-type": "application/json", "content-length": declared.encode("latin-1")}
    fake = FakeServer.of({"*": [(200, headers, json.dumps(body).encode())]})
    with make_agb(fake, api_key=HOSTILE_KEY, timeout_ms=5_000) as agb, watch:
        result = await run(agb, "get_session", SID)
    assert result.success, result.error_message
    assert result.data.status == "RUNNING"
    assert watch.elapsed < DEADLINE
