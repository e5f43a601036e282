"""What the CLI tests share: the test key, wait options, a runner of ``agb``, an error check, and
the CLI's sleeps moving a manual clock."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from click.testing import CliRunner, Result

from agb.cli import cli
from agb.emulator import ManualClock

API_KEY = "cli-test-key"
# Fast, but with the same shape as the real service: a stale status, then the transition.
FAST = {"transition_seconds": 0.2, "stale_seconds": 0.05, "context_sync_seconds": 0.0}
WAIT = ["--poll-interval", "0.02", "--timeout", "10"]


class Agb:
    """Runs ``agb ...`` in-process with click's runner, against a given endpoint."""

    def __init__(self, env: dict[str, str | None]) -> None:
        self.env = env

    def __call__(self, *args: str, env: dict[str, str | None] | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, list(args), env={**self.env, **(env or {})})

    def json(self, *args: str) -> Any:
        """Run with ``--json``, expect success, and return the parsed output."""
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def create(self, *labels: str) -> str:
        """Create a session through the CLI and return its id."""
        args: list[str] = ["sessions", "create", "--image", "agb-code-space-1"]
        for label in labels:
            args += ["--label", label]
        return str(self.json(*args)["session"]["session_id"])


def one_line_error(result: Result, exit_code: int, *needles: str) -> str:
    """Check that ``result`` failed with ``exit_code`` and said why in one line on stderr.

    The reason is the last line of stderr and the only error line; before it there may only be
    progress lines of a wait (``pausing s-1: RUNNING (0.0 s)``).
    """
    assert result.exit_code == exit_code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    *before, last = result.stderr.strip().splitlines() or [""]
    assert last.startswith("agb: error: "), result.stderr
    for line in before:
        assert not line.startswith("agb:"), result.stderr
        assert line.endswith(" s)"), f"not a progress line: {line!r}"
    for needle in needles:
        assert needle in last, last
    return last


def sleeps_move(clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's sleeps between polls move ``clock`` instead of passing real time."""
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        clock.advance(max(0.0, seconds))
        real_sleep(0)

    monkeypatch.setattr(time, "sleep", sleep)
