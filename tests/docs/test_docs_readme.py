"""README.md: its set-up commands, its Python examples (run against an emulator), and its CLI
lines (every command and option it shows exists)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from agb.cli import cli
from agb.emulator import EmulatorConfig, RunningEmulator, serve

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
RAW_EXAMPLE = (ROOT / "examples" / "raw_client.py").read_text(encoding="utf-8")
DEMO_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e '.[demo]' && .venv/bin/agb demo"
PYTHON_BLOCKS = [
    block
    for block in re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
    if block != RAW_EXAMPLE
]


def ci_test_command() -> str:
    found = re.search(r'^readme_test_command="(.*)"$', (ROOT / ".ci/run").read_text(), re.M)
    assert found, ".ci/run no longer names the README's test command"
    return found.group(1)


def test_set_up_commands_come_first() -> None:
    lines = README.splitlines()
    assert DEMO_COMMAND in lines
    assert ci_test_command() in lines
    first_code = [line for line in lines if line.startswith("python3 -m venv")]
    assert first_code[:2] == [DEMO_COMMAND, ci_test_command()]


@pytest.fixture(scope="module")
def instant() -> Iterator[RunningEmulator]:
    """An emulator whose transitions take no time, so the README's default waits are quick."""
    config = EmulatorConfig(transition_seconds=0, stale_seconds=0, context_sync_seconds=0)
    with serve(config) as server:
        yield server


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda b: b.strip().splitlines()[-1][:40])
def test_python_example_runs(
    block: str, instant: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGB_API_KEY", "readme")
    monkeypatch.setenv("AGB_ENDPOINT", instant.base_url)
    monkeypatch.delenv("AGB_TIMEOUT_MS", raising=False)
    exec(compile(block, "README.md", "exec"), {"__name__": "readme_example"})


def test_python_examples_are_all_there() -> None:
    assert len(PYTHON_BLOCKS) >= 5
    assert RAW_EXAMPLE in README


def _command(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = cli
    rest = list(words)
    while isinstance(command, click.Group) and rest and rest[0] in command.commands:
        command = command.commands[rest.pop(0)]
    return command, rest


@pytest.mark.parametrize(
    "line",
    [line for line in README.splitlines() if line.startswith("agb ")],
)
def test_cli_lines_name_real_commands_and_options(line: str) -> None:
    words = shlex.split(line.split("#", 1)[0].replace("[", " ").replace("]", " "))
    command, rest = _command(words[1:])
    assert command.name != "agb", line
    if command.name == "emulator":
        return  # its options are the emulator's own (tests/cli checks them)
    options = {opt for param in command.params for opt in param.opts}
    for word in rest:
        if word.startswith("--"):
            assert word in options, f"{line!r}: {word} is not an option of {command.name}"
