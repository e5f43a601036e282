"""The last line of redaction: texts httpx or the SDK wrote themselves (not the server's answer,
which is redacted as it arrives) lose the key too, and a log record that cannot be formatted
is left to logging rather than breaking the program."""

from __future__ import annotations

import logging

import pytest

from agb import exceptions as exc
from agb._envelope import Reply
from agb._secrets import Redactor, redact_logs, scrub_reply

KEY = "sk-scrub-0123456789abcdef"


def test_a_reply_whose_texts_hold_the_key_has_it_blotted_out_everywhere() -> None:
    error = exc.APIConnectionError(f"getSession: ConnectError: Bearer {KEY} refused")
    error.code = f"X-{KEY.upper()}"
    reply = Reply(
        "getSession", request_id=f"id-{KEY}", code=KEY, message=f"echo {KEY}", error=error
    )
    clean = scrub_reply(reply, Redactor(KEY))
    texts = [clean.request_id, clean.code, clean.message, str(clean.error), repr(clean.error)]
    texts += [str(arg) for arg in error.args] + [error.message, error.code]
    for text in texts:
        assert KEY.lower() not in text.lower()
    assert "<redacted>" in clean.message
    assert clean.error is error  # the same error, its texts cleaned in place


def test_a_clean_reply_is_returned_as_it_is() -> None:
    reply = Reply("getSession", message="nothing secret here")
    assert scrub_reply(reply, Redactor(KEY)) is reply
    assert scrub_reply(reply, Redactor("")) is reply


def test_log_lines_lose_the_key_and_a_broken_record_is_passed_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redactor = Redactor(KEY)  # held: the filter keeps only weak references
    redact_logs(redactor)
    log = logging.getLogger("agb")
    with caplog.at_level(logging.DEBUG, logger="agb"):
        log.debug("sent with %s", KEY)
    assert KEY not in caplog.text
    assert "sent with <redacted>" in caplog.text

    broken = logging.LogRecord("agb", logging.DEBUG, __file__, 1, "%s %s", ("one",), None)
    for log_filter in log.filters:
        assert log_filter.filter(broken) is True  # passed on: logging reports it its own way
    assert (broken.msg, broken.args) == ("%s %s", ("one",))
