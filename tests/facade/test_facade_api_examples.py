"""examples/guarded_sessions.py runs against an emulator, sync and async."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from agb import AGB, Config
from agb.emulator import RunningEmulator
from tests.support.emulator import INSTANT_KEY, instant_emulator, load_script

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "guarded_sessions.py"
KEY = INSTANT_KEY


def load() -> ModuleType:
    return load_script(EXAMPLE, "example_guarded_sessions")


@pytest.fixture
def emu() -> Iterator[RunningEmulator]:
    with instant_emulator() as server:
        yield server


def test_guarded_sessions_sync(emu: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    with AGB(api_key=KEY, cfg=Config(endpoint=emu.base_url)) as agb:
        listed = load().main(agb, count=3)

    assert len(listed) == 3
    out = capsys.readouterr().out
    assert "opened 3, listed 3 over pages of 2" in out
    assert "labels of the first: {'example': 'guarded'}" in out
    assert "after the block: NotFoundError" in out
    assert emu.emulator.stats()["sessions"] == 0


def test_guarded_sessions_async(emu: RunningEmulator) -> None:
    agb = AGB(api_key=KEY, cfg=Config(endpoint=emu.base_url))
    assert asyncio.run(load().amain(agb)) == "PAUSED"
    agb.close()
    assert emu.emulator.stats()["sessions"] == 0
