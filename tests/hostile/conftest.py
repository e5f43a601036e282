"""Fixtures of the hostile-server suite (helpers live in ``tests.support``).

Tests that talk to a real server over loopback sockets take ``wire`` (sync once, async over
each async transport the SDK can end up using) or ``async_wire`` (the async transports only)
instead of ``run``: every promise must hold whichever transport carries the async calls. Tests
on ``httpx.MockTransport`` / ``FakeServer`` never touch the wire and keep ``run``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from agb import AGB, Config
from tests.support.asserts import Watch
from tests.support.fakes import HOSTILE_KEY, Runner

#: The async transports the SDK can end up using: its default when aiohttp is installed, its
#: default when it is not, and httpx's own as a caller may pass it.
ASYNC_TRANSPORTS = ("aiohttp", "sharded", "httpx")


class Wire(Runner):
    """A :class:`Runner` that also picks the async transport under the AGBs a test builds.

    ``aiohttp`` and ``sharded`` are the SDK's own defaults (``sharded`` with aiohttp made
    unavailable, as when the extra is not installed); ``httpx`` is ``httpx.AsyncHTTPTransport()``
    given by the caller.
    """

    def __init__(self, mode: str, transport: str, monkeypatch: pytest.MonkeyPatch) -> None:
        super().__init__(mode)
        self.transport = transport
        if transport == "sharded":
            from agb import _aiohttp

            monkeypatch.setattr(_aiohttp, "available", lambda: False)

    def kwargs(self) -> dict[str, Any]:
        """What to pass to ``AGB(...)`` / ``HTTPSender(...)`` for this transport."""
        if self.transport == "httpx":
            return {"async_transport": httpx.AsyncHTTPTransport()}
        return {}

    def agb(self, config: Config, **kwargs: Any) -> AGB:
        """An AGB with the hostile key and ``config`` (``kwargs``: more ``AGB(...)``
        arguments), its async calls going through this transport (checked)."""
        agb = AGB(HOSTILE_KEY, config, **self.kwargs(), **kwargs)
        self.check(agb._transport._async_transport)
        return agb

    def check(self, inner: httpx.AsyncBaseTransport) -> None:
        """Assert that ``inner`` (an AGB's async transport) is this one."""
        from agb._aiohttp import AiohttpTransport
        from agb._sharded import ShardedTransport

        expected = {
            "aiohttp": AiohttpTransport,
            "sharded": ShardedTransport,
            "httpx": httpx.AsyncHTTPTransport,
        }[self.transport]
        assert type(inner) is expected, (self.transport, inner)

    def held(self, agb: AGB) -> int:
        """Connections of ``agb``'s pool this runner uses (the sync one, or the running loop's
        async one) that are busy: a request in flight, or an answer not given back."""
        if self.mode == "sync":
            guard: Any = agb._transport.sync_client()._transport
            pools = [guard.inner]
        else:
            import asyncio

            from agb._aiohttp import AiohttpTransport
            from agb._sharded import ShardedTransport

            inner = agb._transport._async_transport
            loop = id(asyncio.get_running_loop())
            if isinstance(inner, AiohttpTransport):
                return len(inner._sessions[loop][1].connector._acquired)
            if isinstance(inner, ShardedTransport):
                entry = inner._loops[loop]
                pools = list(entry.pools)
                if any(entry.busy):
                    return sum(entry.busy)
            else:
                pools = [inner]
        return sum(not conn.is_idle() for pool in pools for conn in pool._pool.connections)

    def __repr__(self) -> str:
        return f"Wire({self.mode!r}, {self.transport!r})"


@pytest.fixture(params=["sync", *(f"async-{name}" for name in ASYNC_TRANSPORTS)])
def wire(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Wire:
    """Runs one behaviour through the sync method, and through its async twin over each
    async transport (the sync run once: the async transport does not carry it)."""
    mode, _, transport = str(request.param).partition("-")
    return Wire(mode, transport or "aiohttp", monkeypatch)


@pytest.fixture(params=ASYNC_TRANSPORTS)
def async_wire(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Wire:
    """Each async transport the SDK can end up using, for tests that drive event loops
    themselves."""
    return Wire("async", str(request.param), monkeypatch)


@pytest.fixture
def watch(caplog: pytest.LogCaptureFixture) -> Watch:
    """Times the call and collects every text it produced (logs at DEBUG included)."""
    return Watch(caplog)
