"""The progress display, and the statuses the SDK's waits hand it."""

from __future__ import annotations

import functools
import io
import json
from typing import Any

import httpx
import pytest

from agb import AGB, Session
from agb._effects import Observed
from agb.cli import _app
from agb.cli._app import GlobalOptions
from agb.cli._progress import Progress, describe
from tests.support.clock import FakeClock
from tests.support.fakes import NOT_FOUND, FakeServer, ok


def test_plain_progress_prints_each_new_status_once() -> None:
    out, clock = io.StringIO(), FakeClock(0.0)
    progress = Progress(out, live=False, indent="  ", clock=clock)
    progress.start("pausing s-1")
    progress.status("RUNNING")
    clock.now = 0.5
    progress.status("RUNNING")
    progress.status("PAUSING")
    progress.stop()
    progress.status("PAUSED")  # after stop: nothing
    assert out.getvalue().splitlines() == [
        "  pausing s-1: RUNNING (0.0 s)",
        "  pausing s-1: PAUSING (0.5 s)",
    ]


def test_live_progress_redraws_one_line_and_clears_it() -> None:
    out = io.StringIO()
    progress = Progress(out, live=True)
    progress.start("resuming s-1")
    progress.status("RESUMING")
    progress.sleep(0.1)
    progress.stop()
    text = out.getvalue()
    assert "\n" not in text
    assert "resuming s-1: RESUMING" in text
    assert text.endswith("\r")
    assert text.count("\r") >= 3


def _deleting() -> FakeServer:
    """A service on which a deletion with context sync goes through every kind of status."""

    def context(state: str) -> httpx.Response:
        rows = json.dumps([{"taskType": "upload", "status": state}])
        return ok({"contextStatus": json.dumps([{"type": "data", "data": rows}])})

    return FakeServer.of({
        "/sdk/GetContextInfo": [context("Running"), context("Success")],
        "/mcp/getSession": [ok({"status": "DELETING"})] * 2 + [NOT_FOUND],
        "*": [ok({})],
    })  # fmt: skip


def test_progress_shows_what_the_sdks_waits_saw(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI subscribes to the runner's observations; it reads nothing off the wire itself."""
    out, clock = io.StringIO(), FakeClock(0.0)
    progress = Progress(out, live=False, clock=clock)
    options = GlobalOptions(endpoint="http://agb.test", api_key="cli-key")
    mock = httpx.MockTransport(_deleting())
    monkeypatch.setattr(_app, "AGB", functools.partial(AGB, transport=mock))
    with options.client(progress) as agb:
        assert agb.runner.observer == progress.observe
        assert agb.runner.sleep == progress.sleep
        agb.runner.sleep = clock.sleep
        agb.runner.clock = clock
        progress.start("deleting s-1")
        result = Session(agb, "s-1").delete(sync_context=True, timeout=30, poll_interval=1)
        progress.stop()
    assert result.success, result.error_message
    seen = [line.split(": ", 1)[1].rsplit(" (", 1)[0] for line in out.getvalue().splitlines()]
    assert seen == [
        "context upload Running",
        "context upload Success",
        "DELETING",
        "gone (not found)",
    ]


def test_describe_names_each_kind_of_observation() -> None:
    def seen(kind: Any, status: str) -> str:
        return describe(Observed(session_id="s-1", kind=kind, status=status, elapsed=0.0))

    assert [
        seen("status", "PAUSING"),
        seen("gone", "FINISH"),
        seen("context", "upload Running"),
    ] == [
        "PAUSING",
        "gone (not found)",
        "context upload Running",
    ]
