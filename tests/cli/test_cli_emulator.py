"""``agb emulator`` (the emulator's own command line) and ``python -m agb``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from agb.cli import cli
from tests.support.cli import one_line_error

AGB = [sys.executable, "-m", "agb"]


def test_emulator_help_is_the_emulators() -> None:
    result = CliRunner().invoke(cli, ["emulator", "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("usage: agb emulator")
    for option in ("--port", "--transition-seconds", "--stale-seconds", "--api-key", "--seed"):
        assert option in result.stdout


def test_emulator_bad_arguments_are_one_line() -> None:
    one_line_error(CliRunner().invoke(cli, ["emulator", "--port", "abc"]), 2, "--port")
    one_line_error(CliRunner().invoke(cli, ["emulator", "--nope"]), 2, "--nope")
    args = ["emulator", "--transition-seconds", "0.1", "--stale-seconds", "0.2"]
    message = one_line_error(CliRunner().invoke(cli, args), 2, "--stale-seconds")
    assert "--transition-seconds" in message
    assert "stale_seconds" not in message


@pytest.mark.parametrize("port", ["99999", "-5", "65536", "1e3"])
def test_emulator_ports_out_of_range_are_one_line(port: str) -> None:
    one_line_error(CliRunner().invoke(cli, ["emulator", "--port", port]), 2, "--port", port)


@pytest.mark.parametrize("transition", ["0.1", "0.2", "0.05", "0"])
def test_emulator_short_transitions_need_no_stale_seconds(
    transition: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []

    def run(argv: list[str]) -> int:
        started.append(argv)
        return 0

    monkeypatch.setattr("agb.emulator.__main__.main", run)
    args = ["emulator", "--port", "0", "--transition-seconds", transition]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert started == [args[1:]]


def test_emulator_serves_until_interrupted(tmp_path: Path) -> None:
    args = ["emulator", "--port", "0", "--api-key", "k2", "--transition-seconds", "0.5"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [*AGB, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as process:
        try:
            assert process.stdout is not None
            ready = process.stdout.readline()
            assert ready.startswith("AGB emulator listening on http://127.0.0.1:"), ready
            url = ready.rsplit(" ", 1)[1].strip()
            env = {"AGB_ENDPOINT": url, "AGB_API_KEY": "k2", "AGB_TIMEOUT_MS": None}
            listed = CliRunner().invoke(cli, ["sessions", "list", "--json"], env=env)
            assert listed.exit_code == 0, listed.output
            assert json.loads(listed.stdout)["total_count"] == 0
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)
    assert process.returncode == 0


def test_python_dash_m_agb_is_the_cli() -> None:
    bad = subprocess.run([*AGB, "sessions", "get"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "agb: error: Missing argument 'ID'. (see 'agb sessions get --help')"
    ]


def test_without_click_the_command_names_the_extra() -> None:
    code = "import sys; sys.modules['click'] = None; from agb.cli import main; main(['--help'])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "agb: error: the agb command needs the 'cli' extra: pip install 'agb-sessions[cli]'"
    ]
