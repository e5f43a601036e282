"""A local AGB-compatible session service: a real HTTP server speaking the AGB wire API.

Use it to run demos without credentials, record cassettes from real traffic, test agent code,
and benchmark: ``python -m agb.emulator --port 0``, :func:`serve` in a background thread,
:func:`create_app` for ``httpx.ASGITransport``, or the pytest fixtures of
``agb.emulator.pytest_plugin``. docs/emulator.md describes its options, its sessions, the
choices made where the real service is unknown, the faults it injects and its admin API.
"""

from __future__ import annotations

from agb.emulator._app import DroppedConnection, create_app
from agb.emulator._clock import ManualClock
from agb.emulator._config import EmulatorConfig
from agb.emulator._errors import ApiError
from agb.emulator._faults import FAULT_KINDS, RANDOM_FAULT_KINDS, Fault, FaultScript
from agb.emulator._server import RunningEmulator, serve
from agb.emulator._state import Emulator

__all__ = [
    "FAULT_KINDS",
    "RANDOM_FAULT_KINDS",
    "ApiError",
    "DroppedConnection",
    "Emulator",
    "EmulatorConfig",
    "Fault",
    "FaultScript",
    "ManualClock",
    "RunningEmulator",
    "create_app",
    "serve",
]
