"""tests/typing/user_program.py (every API of issue 14, type-checked with no Any in CI) runs
against a real emulator, sync and async."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from agb import AGB, Config
from agb.emulator import RunningEmulator
from tests.support.emulator import INSTANT_KEY, instant_emulator, load_script

PROGRAM = Path(__file__).resolve().parents[1] / "typing" / "user_program.py"
KEY = INSTANT_KEY


def load() -> ModuleType:
    return load_script(PROGRAM, "user_program")


@pytest.fixture
def emu() -> Iterator[RunningEmulator]:
    with instant_emulator() as server:
        yield server


def test_the_user_program_runs_sync(emu: RunningEmulator) -> None:
    with AGB(api_key=KEY, cfg=Config(endpoint=emu.base_url)) as agb:
        seen = load().main(agb)

    assert seen[0] == "typing"
    assert seen[1] in ("http", "ws:/", "wss:")
    assert seen[2] == "info"
    assert seen[5] == "RUNNING"
    assert seen[6] == "listed 1"
    assert seen[7] == "NotFoundError"
    assert emu.emulator.stats()["sessions"] == 0  # the guard deleted its session


def test_the_user_program_runs_async(emu: RunningEmulator) -> None:
    agb = AGB(api_key=KEY, cfg=Config(endpoint=emu.base_url))
    seen = asyncio.run(load().amain(agb))
    agb.close()

    assert seen[0] == "typing"
    assert seen[1] == "https"
    assert seen[2:] == ["RUNNING"]
    assert emu.emulator.stats()["sessions"] == 0
