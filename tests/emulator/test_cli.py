"""``python -m agb.emulator`` as a real process: the ready line, a whole lifecycle, clean stops."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from emu_helpers import Wire, assert_error, assert_ok

from agb.emulator.__main__ import main

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
    process, url = _start("--manual-clock", "--seed", "1")
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
    assert "stale_seconds" in capsys.readouterr().err


def test_a_port_in_use_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port)]) == 1
    assert "cannot listen" in capsys.readouterr().err
