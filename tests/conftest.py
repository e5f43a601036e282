"""Fixtures shared by the whole test suite. Keep it small: fixtures of one folder go there.

The emulator's own fixtures (``agb_emulator``, ``agb_emulator_manual``, ``agb_emulator_clock``,
``agb_emulator_config``) come from the plugin the package ships, as a user's suite gets them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.fakes import Runner

pytest_plugins = ["agb.emulator.pytest_plugin"]

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
    """``openapi.yaml`` parsed into plain Python data."""
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return spec


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest) -> Runner:
    """Runs one behaviour through the sync method and through its async twin."""
    return Runner(request.param)
