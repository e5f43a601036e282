"""The progress display and the transport that feeds it the statuses the SDK's polls see."""

from __future__ import annotations

import io
import json

import httpx

from agb.cli._progress import Progress, StatusWatcher


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_progress_prints_each_new_status_once() -> None:
    out, clock = io.StringIO(), Clock()
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


def _answer(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/mcp/getSessionInfo":
        return httpx.Response(200, json={"success": True, "data": {"status": "PAUSING"}})
    if request.url.path == "/mcp/getSession":
        return httpx.Response(400, json={"success": False, "code": "InvalidMcpSession.NotFound"})
    if request.url.path == "/sdk/GetContextInfo":
        rows = json.dumps([{"taskType": "upload", "status": "Running"}])
        status = json.dumps([{"type": "data", "data": rows}])
        return httpx.Response(200, json={"success": True, "data": {"contextStatus": status}})
    return httpx.Response(200, json={"success": True, "data": {"status": "IGNORED"}})


def test_watcher_reports_statuses_and_passes_answers_through() -> None:
    seen: list[str] = []
    watcher = StatusWatcher(seen.append, httpx.MockTransport(_answer))
    with httpx.Client(transport=watcher, base_url="http://agb.test") as client:
        answer = client.post("/mcp/getSessionInfo", json={"sessionId": "s-1"})
        assert answer.json() == {"success": True, "data": {"status": "PAUSING"}}
        assert client.post("/mcp/getSession").status_code == 400
        client.get("/sdk/GetContextInfo")
        client.post("/mcp/pauseSessionAsync")
    assert seen == ["PAUSING", "gone (not found)", "context upload Running"]
