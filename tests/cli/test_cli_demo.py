"""``agb demo``: the whole lifecycle, against the embedded emulator and against an endpoint."""

from __future__ import annotations

import functools
import re

import pytest
from click.testing import CliRunner

import agb.emulator
from agb.cli import cli
from agb.emulator import ManualClock, RunningEmulator
from tests.support.cli import API_KEY, Agb, one_line_error, sleeps_move

STEPS = ["create", "labels", "info", "link", "pause", "resume", "delete"]
FAST_DEMO = [
    "--transition-seconds", "0.2", "--stale-seconds", "0.05",
    "--context-sync-seconds", "0", "--poll-interval", "0.02",
]  # fmt: skip
NO_CONFIG: dict[str, str | None] = {
    "AGB_API_KEY": None,
    "AGB_ENDPOINT": None,
    "AGB_TIMEOUT_MS": None,
}


def step_lines(output: str) -> dict[str, str]:
    lines = {}
    for line in output.splitlines():
        found = re.match(r"\[(\d)/7\] (\w+) +(ok|FAILED|skipped)\b", line)
        if found:
            lines[found.group(2)] = found.group(3)
    return lines


def test_demo_runs_every_step_on_the_embedded_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    # The embedded emulator runs on a manual clock that the demo's sleeps between polls move,
    # so the statuses its polls see do not depend on how busy this machine is.
    clock = ManualClock()
    monkeypatch.setattr(
        agb.emulator, "EmulatorConfig", functools.partial(agb.emulator.EmulatorConfig, clock=clock)
    )
    sleeps_move(clock, monkeypatch)
    result = CliRunner().invoke(cli, ["demo", *FAST_DEMO], env=NO_CONFIG)
    assert result.exit_code == 0, result.output
    assert clock() >= 3 * 0.2, "the demo's waits ran on the manual clock"
    out = result.stdout
    assert "embedded emulator at http://127.0.0.1:" in out
    assert step_lines(out) == dict.fromkeys(STEPS, "ok")
    assert "All 7 steps succeeded" in out
    # Each step shows its key data and the request id of its call.
    assert out.count("request ") >= 7
    assert '{"owner": "agb-cli", "project": "agb-demo"}' in out
    assert "-30100." in out
    assert "status PAUSED" in out
    assert "status RUNNING" in out
    assert "context synced" in out
    # Not a terminal: the statuses the SDK saw while waiting are plain lines, no spinner.
    assert "pause: PAUSING" in out
    assert "\r" not in out


def test_demo_against_an_endpoint(agb: Agb, emu: RunningEmulator) -> None:
    result = agb("demo", "--poll-interval", "0.02", "--context-id", "ctx-9")
    assert result.exit_code == 0, result.output
    assert f"Target:  {emu.base_url}" in result.stdout
    assert "embedded" not in result.stdout
    assert "context ctx-9 at" in result.stdout
    assert step_lines(result.stdout) == dict.fromkeys(STEPS, "ok")
    assert API_KEY not in result.output


def test_demo_fails_when_a_step_fails_and_still_deletes(agb: Agb, emu: RunningEmulator) -> None:
    # A refusal (a 503 would leave the pause's fate unknown: the SDK would reconcile it).
    emu.emulator.faults.add(
        "http_status", path="/mcp/pauseSessionAsync", status=400, code="Busy", message="busy"
    )
    result = agb("demo", "--poll-interval", "0.02")
    assert result.exit_code == 1, result.output
    steps = step_lines(result.stdout)
    assert steps["pause"] == "FAILED"
    assert steps["delete"] == "ok"
    assert "Busy" in result.stdout
    assert "1 of 7 steps did not succeed (pause)" in result.stdout
    assert emu.emulator.stats()["sessions"] == 0


def test_demo_stops_when_create_fails(agb: Agb, emu: RunningEmulator) -> None:
    emu.emulator.faults.add("create_fail", message="no capacity")
    result = agb("demo", "--poll-interval", "0.02")
    assert result.exit_code == 1
    steps = step_lines(result.stdout)
    assert steps["create"] == "FAILED"
    assert [steps[name] for name in STEPS[1:]] == ["skipped"] * 6
    assert "no capacity" in result.stdout


def test_demo_bad_emulator_settings_are_one_line() -> None:
    args = ["demo", "--transition-seconds", "0.1", "--stale-seconds", "0.5"]
    one_line_error(CliRunner().invoke(cli, args, env=NO_CONFIG), 2, "--stale-seconds")


def test_demo_takes_a_short_transition_without_a_stale_time() -> None:
    """The default stale time fits any transition, so no user has to set it."""
    args = ["demo", "--transition-seconds", "0.05", "--context-sync-seconds", "0.05"]
    args += ["--poll-interval", "0.01"]
    result = CliRunner().invoke(cli, args, env=NO_CONFIG)
    assert result.exit_code == 0, result.output
    assert "All 7 steps succeeded" in result.output


def test_demo_with_endpoint_but_no_key_is_one_line() -> None:
    env = {**NO_CONFIG, "AGB_ENDPOINT": "http://127.0.0.1:9"}
    one_line_error(CliRunner().invoke(cli, ["demo"], env=env), 2, "AGB_API_KEY")
