"""Fixtures shared by the whole test suite. Keep it small: fixtures of one folder go there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
    """``openapi.yaml`` parsed into plain Python data."""
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return spec
