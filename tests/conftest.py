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


@pytest.fixture(scope="session", autouse=True)
def _warm_async_path() -> None:
    """The async path's one-time imports done before any test, as a long-running program has
    them after its first call: tests that forbid threads, or run on a virtual clock, then see
    no warm-up thread (``tests/facade/test_facade_warmup.py`` tests the warm-up itself)."""
    from agb import _warmup
    from agb._aiohttp import AiohttpTransport

    aio, httpx_ = AiohttpTransport.WARM_IMPORTS, _warmup.HTTPX_ASYNC_IMPORTS
    for url in ("http://warm.invalid", "https://warm.invalid"):
        for extra in ((), aio, httpx_, aio + httpx_):
            _warmup.warm_up(url, extra)


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
    """``openapi.yaml`` parsed into plain Python data."""
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return spec


@pytest.fixture(autouse=True)
def client_tokens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each create's client token label (``agb.client_token``) made deterministic: ``token-1``,
    ``token-2``, ... in each test, so that cassettes record the same bytes on every run and the
    sync and async variants of a scenario send the same bodies. The tokens handed out so far
    are in the list."""
    import agb._plans.sessions as sessions

    given: list[str] = []

    def next_token() -> str:
        given.append(f"token-{len(given) + 1}")
        return given[-1]

    monkeypatch.setattr(sessions, "client_token", next_token)
    return given


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest) -> Runner:
    """Runs one behaviour through the sync method and through its async twin."""
    return Runner(request.param)
