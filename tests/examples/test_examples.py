"""Every example in examples/ runs: its main() against a fast emulator, and as a script."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from agb import AGB, Config
from agb.emulator import EmulatorConfig, RunningEmulator, serve

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
KEY = "examples-key"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    config = EmulatorConfig(
        api_key=KEY, transition_seconds=0.2, stale_seconds=0.05, context_sync_seconds=0
    )
    with serve(config) as server:
        yield server


def client(emu: RunningEmulator) -> AGB:
    return AGB(api_key=KEY, cfg=Config(endpoint=emu.base_url))


def test_sync_lifecycle(emu: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    emu.emulator.reset()  # the count below is this test's: no session another test left behind
    with client(emu) as agb:
        assert load("sync_lifecycle").main(agb, poll_interval=0.02) == "FINISH"
    out = capsys.readouterr().out
    assert "'stage': 'labelled'" in out
    assert "PAUSED after" in out
    assert "RUNNING after" in out
    assert "deleted: True, context synced: True" in out
    assert emu.emulator.stats()["sessions"] == 0


async def test_async_fanout(emu: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    counts = await load("async_fanout").main(client(emu), count=4, poll_interval=0.02)
    assert counts == {"created": 4, "paused": 4, "resumed": 4, "deleted": 4}
    assert "paused 4 of 4 in" in capsys.readouterr().out


def test_raw_client(emu: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    session_id = load("raw_client").main(emu.base_url, KEY)
    assert session_id.startswith("session-")
    out = capsys.readouterr().out
    assert "status: RUNNING" in out
    assert "release accepted: True" in out


def test_connect_uses_the_environment_when_a_key_is_set(
    emu: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGB_API_KEY", KEY)
    monkeypatch.setenv("AGB_ENDPOINT", emu.base_url)
    with load("sync_lifecycle").connect() as (agb, interval):
        assert (agb.endpoint, interval) == (emu.base_url, 2.0)
    with load("async_fanout").connect() as (agb, interval):
        assert (agb.endpoint, interval) == (emu.base_url, 2.0)
        agb.close()


def test_every_example_runs_as_a_script(emu: RunningEmulator) -> None:
    """All at once, as a user would run them: two with their own emulator, one against ours."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AGB_")}
    runs = {
        "sync_lifecycle.py": ([], clean),
        "async_fanout.py": (["3"], clean),
        "guarded_sessions.py": ([], clean),
        "raw_client.py": ([], {**clean, "AGB_ENDPOINT": emu.base_url, "AGB_API_KEY": KEY}),
    }
    assert sorted(runs) == sorted(p.name for p in EXAMPLES.glob("*.py"))
    processes = {
        name: subprocess.Popen(
            [sys.executable, str(EXAMPLES / name), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (args, env) in runs.items()
    }
    outputs = {name: process.communicate(timeout=60) for name, process in processes.items()}
    for name, process in processes.items():
        assert process.returncode == 0, (name, outputs[name])
    assert "deleted: True" in outputs["sync_lifecycle.py"][0]
    assert "resumed 3 of 3" in outputs["async_fanout.py"][0]
    assert "release accepted: True" in outputs["raw_client.py"][0]
    assert "after the block: PAUSED" in outputs["guarded_sessions.py"][0]
