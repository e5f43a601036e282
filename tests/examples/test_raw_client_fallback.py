"""examples/raw_client.py with no API key: it starts its own emulator, like the other examples."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "raw_client.py"


def test_raw_client_runs_against_its_own_emulator_without_a_key() -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AGB_")}
    process = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=clean, capture_output=True, text=True, timeout=60
    )
    assert process.returncode == 0, process.stderr
    assert "KeyError" not in process.stderr
    assert "status: RUNNING" in process.stdout
    assert "release accepted: True" in process.stdout
