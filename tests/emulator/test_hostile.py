"""Inputs meant to break the emulator: every one gets an envelope, none a 500 or a hang."""

from __future__ import annotations

import pytest
from emu_helpers import Wire, assert_error, assert_ok

from agb.emulator import ManualClock, RunningEmulator


@pytest.mark.parametrize("timeout", ["874880.0", "600", "1e300", "1" + "0" * 400, "1e400"])
def test_a_huge_or_float_written_timeout_is_an_integer_like_any_other(
    server: RunningEmulator, wire: Wire, timeout: str
) -> None:
    content = '{"timeout": %s}' % timeout  # noqa: UP031 (the number as written, unparsed)
    created = wire.client.post(
        "/mcp/createSession", params={"imageId": "i"}, content=content.encode()
    )
    if timeout == "1e400":  # JSON's largest float is ~1.8e308: Python reads it as infinity
        assert_error(created, 400, "InvalidParameter", "timeout")
        return
    sid = assert_ok(created)["data"]["sessionId"]
    assert wire.status(sid) == "RUNNING"
    assert_ok(wire.refresh(sid))
    assert_ok(wire.list())


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "-1.0", "2.5"])
def test_timeouts_that_are_no_whole_number_are_refused(wire: Wire, literal: str) -> None:
    content = ('{"timeout": %s}' % literal).encode()  # noqa: UP031
    response = wire.client.post("/mcp/createSession", params={"imageId": "i"}, content=content)
    assert_error(response, 400, "InvalidParameter", "timeout")


def test_a_float_written_timeout_still_idles_the_session_out(
    server: RunningEmulator, wire: Wire, clock: ManualClock
) -> None:
    sid = assert_ok(wire.create(timeout=30.0))["data"]["sessionId"]
    clock.advance(30 + server.config.transition_seconds)
    assert_error(wire.get(sid), 400, "InvalidMcpSession.NotFound")
