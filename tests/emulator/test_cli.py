"""``python -m agb.emulator`` as a real process: the ready line, a whole lifecycle, clean stops."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from agb.emulator.__main__ import build_parser, config_from_args, main
from tests.support.wire import Wire, assert_error, assert_ok

KEY = "cli-test-key"


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "agb.emulator", "--port", "0", "--api-key", KEY, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    prefix = "AGB emulator listening on "
    if not line.startswith(prefix):
        process.kill()
        _, err = process.communicate(timeout=5)
        pytest.fail(f"unexpected first line {line!r}; stderr: {err}")
    return process, line[len(prefix) :].strip()


@pytest.fixture
def emulator_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process, url = _start(
        "--manual-clock", "--transition-seconds", "0.3", "--stale-seconds", "0.05"
    )
    try:
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=5)


def _status(wire: Wire, sid: str) -> str:
    response = wire.get(sid)
    return str(response.json()["data"]["status"]) if response.status_code == 200 else "GONE"


def _walk(client: httpx.Client, wire: Wire, sid: str, wanted: str) -> list[str]:
    """Every status ``sid`` shows, read after each 0.05 s step of the emulator's manual clock,
    until it shows ``wanted`` (each status once, in order)."""
    seen = [_status(wire, sid)]
    for _ in range(40):
        if seen[-1] == wanted:
            return seen
        assert_ok(client.post("/_emulator/clock/advance", json={"seconds": 0.05}))
        status = _status(wire, sid)
        if status != seen[-1]:
            seen.append(status)
    pytest.fail(f"{sid} never reached {wanted}; saw {seen}")


def test_a_whole_lifecycle_against_the_process(
    emulator_process: tuple[subprocess.Popen[str], str],
) -> None:
    """Every status of a lifecycle, exactly: the process runs on a manual clock that the test
    moves, so what a poll sees does not depend on how fast this machine is today."""
    process, url = emulator_process
    assert url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=url, headers={"authorization": f"Bearer {KEY}"}, timeout=5) as c:
        wire = Wire(c)
        created = assert_ok(wire.create(labels=json.dumps({"demo": "cli"})))
        sid = created["data"]["sessionId"]
        assert_ok(wire.set_labels(sid, {"demo": "cli", "stage": "labelled"}))
        labels = json.loads(assert_ok(wire.get_labels(sid))["data"]["labels"])
        assert labels == {"demo": "cli", "stage": "labelled"}
        assert assert_ok(wire.resource(sid))["data"]["desktopInfo"]["resourceId"]
        url_data = assert_ok(wire.link(sid, port="30100", protocolType="https"))["data"]
        assert url_data["url"] == f"https://{sid}-30100.link.agb.invalid/"
        assert wire.status(sid) == "RUNNING"

        assert_ok(wire.pause(sid))
        assert _walk(c, wire, sid, "PAUSED") == ["RUNNING", "PAUSING", "PAUSED"]
        assert_ok(wire.resume(sid))
        assert _walk(c, wire, sid, "RUNNING") == ["PAUSED", "RESUMING", "RUNNING"]
        assert_ok(wire.release(sid))
        assert _walk(c, wire, sid, "GONE") == ["DELETING", "GONE"]
        assert_error(wire.get(sid), 400, "InvalidMcpSession.NotFound", "Session not found")
        assert_error(
            httpx.get(url + "/sdk/ListSession", headers={"authorization": "Bearer wrong"}),
            403,
            "AccessDenied",
        )

    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert out == ""  # the ready line was the only one
    assert "Traceback" not in err
    assert KEY not in err


def test_the_real_clock_moves_sessions_by_itself() -> None:
    """Without --manual-clock a pause completes with nobody moving the clock (only its end is
    checked: which statuses a poll catches on the way depends on the machine's speed)."""
    process, url = _start("--transition-seconds", "0.3", "--stale-seconds", "0.05")
    try:
        with httpx.Client(base_url=url, headers={"authorization": f"Bearer {KEY}"}) as c:
            wire = Wire(c)
            sid = wire.create_id()
            assert_ok(wire.pause(sid))
            deadline = time.monotonic() + 30  # only turns a hang into a failure
            while (status := wire.status(sid)) != "PAUSED":
                assert status in ("RUNNING", "PAUSING"), status
                assert time.monotonic() < deadline, f"still {status}"
                time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
    finally:
        if process.poll() is None:
            process.kill()


def test_manual_clock_through_the_admin_api_then_sigint() -> None:
    # An explicit stale time (0 by default) makes the frozen time visible right after a pause.
    process, url = _start("--manual-clock", "--seed", "1", "--stale-seconds", "0.2")
    try:
        with httpx.Client(base_url=url, headers={"authorization": f"Bearer {KEY}"}) as c:
            wire = Wire(c)
            sid = wire.create_id()
            assert assert_ok(wire.list())["data"][0]["sessionId"] == sid
            assert_ok(wire.pause(sid))
            assert wire.status(sid) == "RUNNING"  # time stands still
            assert_ok(c.post("/_emulator/clock/advance", json={"seconds": 1.0}))
            assert wire.status(sid) == "PAUSED"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
        assert "Traceback" not in err
        assert "KeyboardInterrupt" not in err
    finally:
        if process.poll() is None:
            process.kill()


def test_inconsistent_options_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--port", "0", "--transition-seconds", "1", "--stale-seconds", "2"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--stale-seconds must be smaller than --transition-seconds" in err
    assert "stale_seconds" not in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--port", "99999"], "argument --port: invalid port 99999"),
        (["--port", "-5"], "argument --port: invalid port -5"),
        (["--port", "x"], "argument --port: invalid port 'x'"),
        (["--fault-rate", "2"], "--fault-rate must be between 0 and 1"),
        (["--transition-seconds", "-1"], "--transition-seconds must be"),
        (["--api-key", "clé"], "--api-key must be printable ASCII"),
    ],
)
def test_bad_options_are_usage_errors(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err


@pytest.mark.parametrize("transition", ["0.1", "0.2", "0.05", "0"])
def test_any_transition_fits_the_default_stale_time(transition: str) -> None:
    args = build_parser().parse_args(["--transition-seconds", transition])
    config = config_from_args(args)
    assert config.transition_seconds == float(transition)
    assert config.stale_seconds == 0


def test_info_logs_one_line_per_request_without_the_key() -> None:
    process, url = _start("--log-level", "info", "--seed", "1")
    try:
        with httpx.Client(base_url=url, headers={"authorization": f"Bearer {KEY}"}) as c:
            ok = c.get("/sdk/ListSession")
            missing = c.post("/mcp/getSession", json={"sessionId": "nope"})
            denied = httpx.get(url + "/sdk/ListSession", headers={"authorization": "Bearer bad"})
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    lines = [line for line in err.splitlines() if " agb.emulator.access: " in line]
    expected = [
        ("GET /sdk/ListSession 200", ok),
        ("POST /mcp/getSession 400", missing),
        ("GET /sdk/ListSession 403", denied),
    ]
    assert len(lines) == len(expected), err
    for line, (start, response) in zip(lines, expected, strict=True):
        assert " INFO " in line
        message = line.split(" agb.emulator.access: ", 1)[1]
        assert re.fullmatch(
            re.escape(start) + r" \d+\.\d ms requestId=" + response.headers["x-request-id"],
            message,
        ), message
    assert KEY not in err
    assert "Bearer" not in err


def test_a_port_in_use_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port)]) == 1
    assert "cannot listen" in capsys.readouterr().err
