"""What errors keep of the service's answer (body, headers), jitter, retry-after-ms, and
AGB_LOG_LEVEL (issue 14)."""

from __future__ import annotations

import json
import logging
import random
import subprocess
import sys

import httpx
import pytest

from agb import APIError, ServerError
from agb._logging import configure_from_env, parse_level
from agb.exceptions import MAX_BODY_CHARS, redact_body, redact_headers
from tests.support.clock import FakeClock
from tests.support.fakes import SID, FakeServer, Runner, fail, make_agb, raw, status_answer

GET = "/mcp/getSession"


# --------------------------------------------------------------------------- body and headers


def test_with_response_keeps_a_redacted_body_and_headers() -> None:
    body = json.dumps(
        {
            "code": "Boom",
            "data": {"token": "FAKE-TOKEN", "desktopInfo": {"authCode": "A", "ticket": "T"}},
            "requestId": "r-1",
        }
    ).encode()
    error = APIError("x").with_response(
        body, {"X-Request-Id": "r-1", "Set-Cookie": "sid=secret", "Retry-After": "2"}
    )

    assert json.loads(error.body) == {
        "code": "Boom",
        "data": {
            "token": "<redacted>",
            "desktopInfo": {"authCode": "<redacted>", "ticket": "<redacted>"},
        },
        "requestId": "r-1",
    }
    assert error.headers == {"x-request-id": "r-1", "set-cookie": "<redacted>", "retry-after": "2"}
    assert "secret" not in repr(error)
    assert "FAKE-TOKEN" not in str(error)


def test_a_long_body_is_cut_and_says_so() -> None:
    text = redact_body(b"<html>" + b"x" * 10_000)
    assert len(text) < MAX_BODY_CHARS + 40
    assert text.endswith(f"... [{10_006 - MAX_BODY_CHARS} more characters]")


def test_a_body_that_is_not_utf8_or_json_is_kept_as_text() -> None:
    assert redact_body(b"\xff<h1>502</h1>") == "\ufffd<h1>502</h1>"
    assert redact_body(b"") == ""
    assert redact_body("{not json") == "{not json"


def test_headers_with_repeated_names_are_joined() -> None:
    assert redact_headers(httpx.Headers([("A", "1"), ("a", "2")])) == {"a": "1, 2"}
    assert redact_headers(None) == {}


def test_errors_that_never_saw_an_answer_have_no_body() -> None:
    error = ServerError("x")
    assert error.body == ""
    assert dict(error.headers) == {}


# --------------------------------------------------------------------------- retries


async def test_backoff_has_jitter_from_the_injected_source(
    run: Runner, server: FakeServer, clock: FakeClock
) -> None:
    draws = random.Random(7)
    expected_draws = random.Random(7)
    agb = make_agb(server, clock, random=draws.random)
    server.on(GET, fail(503, "ServiceUnavailable", "busy"))

    await run(agb, "get_session", SID)

    first, second = (expected_draws.random() for _ in range(2))
    assert clock.sleeps == [
        pytest.approx(0.5 * (1 - 0.25 * first)),
        pytest.approx(1.0 * (1 - 0.25 * second)),
    ]
    assert all(0.75 * d <= s <= d for s, d in zip(clock.sleeps, [0.5, 1.0], strict=True))
    agb.close()


async def test_retry_after_ms_is_waited_exactly_without_jitter(
    run: Runner, server: FakeServer, clock: FakeClock
) -> None:
    agb = make_agb(server, clock, random=lambda: 0.99)
    server.on(
        GET,
        raw(503, b"{}", **{"retry-after-ms": "1500", "retry-after": "9"}),
        status_answer("RUNNING"),
    )

    result = await run(agb, "get_session", SID)

    assert result.success
    assert clock.sleeps == [1.5]
    agb.close()


# --------------------------------------------------------------------------- AGB_LOG_LEVEL


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("debug", logging.DEBUG),
        ("DEBUG", logging.DEBUG),
        (" Warning ", logging.WARNING),
        ("warn", logging.WARNING),
        ("trace", 5),
        ("SUCCESS", 25),
        ("10", 10),
        ("40", 40),
        ("verbose", None),
        ("-1", None),
        ("1000", None),
        ("10.5", None),
    ],
)
def test_log_level_names_in_any_case_and_numbers(value: str, level: int | None) -> None:
    assert parse_level(value) == level


@pytest.fixture
def agb_logger():
    logger = logging.getLogger("agb")
    before = logger.level, list(logger.handlers)
    yield logger
    logger.setLevel(before[0])
    logger.handlers[:] = before[1]


def test_configure_sets_the_agb_loggers_level(agb_logger: logging.Logger) -> None:
    assert configure_from_env({"AGB_LOG_LEVEL": "error"}) == logging.ERROR
    assert agb_logger.level == logging.ERROR
    assert configure_from_env({}) is None
    assert agb_logger.level == logging.ERROR  # unset: nothing changes


def test_a_bad_level_is_a_warning(
    agb_logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    agb_logger.setLevel(logging.INFO)
    with caplog.at_level(logging.WARNING, logger="agb"):
        assert configure_from_env({"AGB_LOG_LEVEL": "verbose"}) is None
    assert agb_logger.level == logging.INFO
    assert "AGB_LOG_LEVEL='verbose' is not a log level" in caplog.text


def test_import_agb_with_a_bad_level_warns_and_with_debug_logs_redacted() -> None:
    program = (
        "import logging, agb; log = logging.getLogger('agb');"
        "print(log.level); log.debug('Authorization: Bearer sk-live-123 nextToken=abc')"
    )
    bad = subprocess.run(
        [sys.executable, "-c", program],
        env={"AGB_LOG_LEVEL": "verbose", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 0, bad.stderr
    assert bad.stdout.strip() == "0"
    assert "AGB_LOG_LEVEL='verbose' is not a log level" in bad.stderr

    debug = subprocess.run(
        [sys.executable, "-c", program],
        env={"AGB_LOG_LEVEL": "Debug", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert debug.returncode == 0, debug.stderr
    assert debug.stdout.strip() == "10"
    assert "DEBUG agb: Authorization: Bearer <redacted> nextToken=<redacted>" in debug.stderr
    assert "sk-live-123" not in debug.stderr


def test_the_handler_is_added_once_and_redacts(
    agb_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    agb_logger.handlers[:] = []

    assert configure_from_env({"AGB_LOG_LEVEL": "info"}) == logging.INFO
    assert configure_from_env({"AGB_LOG_LEVEL": "debug"}) == logging.DEBUG
    assert [h.get_name() for h in agb_logger.handlers] == ["agb-log-level"]
    agb_logger.handlers[0].stream = sys.stderr  # the stderr capsys watches
    agb_logger.debug("sent %s", "api_key=sk-123 Authorization: Bearer abc")
    agb_logger.debug("broken %s %s", "one")  # a bad record is logging's business

    err = capsys.readouterr().err
    assert "DEBUG agb: sent api_key=<redacted> Authorization: Bearer <redacted>" in err
    assert "sk-123" not in err


def test_no_handler_is_added_when_the_program_configured_logging(
    agb_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logging.getLogger(), "handlers", [logging.NullHandler()])
    agb_logger.handlers[:] = []

    assert configure_from_env({"AGB_LOG_LEVEL": "10"}) == 10
    assert agb_logger.handlers == []


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        (
            '{"data": {"token": "FAKE-T", "n": 1, "ticket": "cut-sh',
            '{"data": {"token": <redacted>, "n": 1, "ticket": <redacted>',
        ),
        (
            '<html>{"apiKey": "K1", "password":12345}</html>',
            '<html>{"apiKey": <redacted>, "password":<redacted>}</html>',
        ),
        (
            '{"a": "b\\"", "secret": "s\\"q"} trailing',
            '{"a": "b\\"", "secret": <redacted>} trailing',
        ),
    ],
)
def test_secrets_are_blotted_out_of_bodies_that_are_not_whole_json(body: str, kept: str) -> None:
    assert redact_body(body) == kept


def test_a_body_too_big_to_parse_is_still_redacted_by_pattern() -> None:
    big = '{"token": "FAKE-T", "pad": "' + "x" * (1 << 20) + '"}'
    text = redact_body(big)
    assert text.startswith('{"token": <redacted>, "pad": "xxx')
    assert "FAKE-T" not in text


def test_a_deeply_nested_body_is_redacted_without_recursing() -> None:
    deep = '{"a":' * 500 + '{"token":"FAKE-T"}' + "}" * 500
    text = redact_body(deep)
    assert "FAKE-T" not in text
    assert '"token":<redacted>' in text
    assert redact_body("[" * 5000 + "]" * 5000).startswith("[[[")


def test_secrets_inside_lists_are_redacted() -> None:
    assert json.loads(redact_body('[{"token": "T"}, 1, ["x"]]')) == [
        {"token": "<redacted>"},
        1,
        ["x"],
    ]
