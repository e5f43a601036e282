"""The network profile (latency, connect latency, jitter) and a service without pause/resume."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from agb.emulator import EmulatorConfig, ManualClock, RunningEmulator, create_app, serve
from agb.emulator.__main__ import build_parser, config_from_args
from agb.emulator.pytest_plugin import agb_emulator, agb_emulator_config, agb_emulator_network
from tests.support.wire import API_KEY, AUTH, Wire, assert_error, assert_ok

__all__ = ["agb_emulator", "agb_emulator_config", "agb_emulator_network"]


class RecordingSleep:
    """An injected asynchronous sleep: records each delay, optionally holds until released."""

    def __init__(self, hold: bool = False, expected: int = 0) -> None:
        self.delays: list[float] = []
        self.release = asyncio.Event()
        self.all_held = asyncio.Event()  # set when ``expected`` delays are being waited out
        self.expected = expected
        if not hold:
            self.release.set()

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if len(self.delays) == self.expected:
            self.all_held.set()
        await self.release.wait()


def _client(config: EmulatorConfig) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(config))
    return httpx.AsyncClient(transport=transport, base_url="http://emulator.test", headers=AUTH)


async def _delays(seed: int) -> list[float]:
    sleep = RecordingSleep()
    config = EmulatorConfig(api_key=API_KEY, latency_ms=40, jitter_ms=10, seed=seed, sleep=sleep)
    async with _client(config) as client:
        created = assert_ok(await client.post("/mcp/createSession?imageId=i", json={}))
        sid = created["data"]["sessionId"]
        assert_ok(await client.post("/mcp/getSession", json={"sessionId": sid}))
        assert_error(await client.get("/sdk/Nope"), 404, "NotFound")  # errors too
        assert_ok(await client.get("/_emulator/stats"))  # the admin API is not delayed
    return sleep.delays


async def test_every_answer_of_the_api_waits_the_latency_and_a_seeded_jitter() -> None:
    delays = await _delays(seed=1)
    assert len(delays) == 3
    assert all(0.040 <= d <= 0.050 for d in delays), delays
    assert len(set(delays)) == 3
    assert await _delays(seed=1) == delays  # the same seed, the same jitter
    assert await _delays(seed=2) != delays


async def test_without_jitter_the_latency_is_exact() -> None:
    sleep = RecordingSleep()
    async with _client(EmulatorConfig(api_key=API_KEY, latency_ms=25, sleep=sleep)) as client:
        for _ in range(3):
            assert_ok(await client.get("/sdk/ListSession"))
    assert sleep.delays == [0.025] * 3


async def test_no_profile_no_delay() -> None:
    sleep = RecordingSleep()
    async with _client(EmulatorConfig(api_key=API_KEY, sleep=sleep)) as client:
        assert_ok(await client.get("/sdk/ListSession"))
    assert sleep.delays == []


async def _asgi_get(app: Any, path: str) -> int:
    """One GET straight through the ASGI interface (cheaper than a client, for numbers)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"authorization", AUTH["authorization"].encode())],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def test_thousands_of_delayed_answers_in_flight_cost_no_thread() -> None:
    # 2,000 here to keep the suite quick; 10,000 behave the same (docs/emulator.md).
    sleep = RecordingSleep(hold=True, expected=2_000)
    config = EmulatorConfig(api_key=API_KEY, latency_ms=40, sleep=sleep, clock=ManualClock())
    app = create_app(config)
    threads_before = threading.active_count()
    requests = [asyncio.ensure_future(_asgi_get(app, "/sdk/ListSession")) for _ in range(2_000)]
    await asyncio.wait_for(sleep.all_held.wait(), timeout=60)  # all held in the latency at once
    assert not any(r.done() for r in requests)
    assert threading.active_count() == threads_before
    sleep.release.set()
    assert set(await asyncio.gather(*requests)) == {200}


def test_latency_over_real_http() -> None:
    config = EmulatorConfig(api_key=API_KEY, latency_ms=30)
    with serve(config) as server, httpx.Client(base_url=server.base_url, headers=AUTH) as c:
        c.get("/sdk/ListSession")  # the connection is open
        started = time.perf_counter()
        assert_ok(c.get("/sdk/ListSession"))
        assert time.perf_counter() - started >= 0.030


def test_connect_latency_holds_back_each_new_connection_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = EmulatorConfig(api_key=API_KEY, connect_latency_ms=40)
    with serve(config) as server:
        network = server.emulator.network
        drawn: list[float] = []
        real = network.connect_delay

        def recording() -> float:
            drawn.append(real())
            return drawn[-1]

        monkeypatch.setattr(network, "connect_delay", recording)
        for connection in range(2):
            with httpx.Client(base_url=server.base_url, headers=AUTH) as c:
                started = time.perf_counter()
                assert_ok(c.get("/sdk/ListSession"))
                assert time.perf_counter() - started >= 0.040
                for _ in range(3):  # the same connection: not held back again
                    assert_ok(c.get("/sdk/ListSession"))
            assert drawn == [0.040] * (connection + 1)


# --------------------------------------------------------------------- configuration


def test_the_command_line_sets_the_profile_and_names_its_options() -> None:
    args = ["--latency", "40", "--connect-latency", "60", "--jitter", "5", "--no-pause"]
    config = config_from_args(build_parser().parse_args(args))
    assert (config.latency_ms, config.connect_latency_ms, config.jitter_ms) == (40, 60, 5)
    assert config.pause_supported is False
    assert config_from_args(build_parser().parse_args([])).pause_supported is True
    for option in ("--latency", "--connect-latency", "--jitter"):
        with pytest.raises(ValueError, match=f"^{option} must be a finite number >= 0"):
            config_from_args(build_parser().parse_args([option, "-1"]))


@pytest.mark.parametrize("agb_emulator_network", [{"latency_ms": 5, "jitter_ms": 1}])
def test_the_fixtures_take_a_network_profile(
    agb_emulator: RunningEmulator, agb_emulator_network: Mapping[str, Any]
) -> None:
    assert agb_emulator.config.latency_ms == 5
    assert agb_emulator.config.jitter_ms == 1
    with httpx.Client(base_url=agb_emulator.base_url, headers=agb_emulator.auth_headers) as c:
        assert_ok(c.get("/sdk/ListSession"))


# --------------------------------------------------------------------- no pause


def test_without_pause_pause_and_resume_are_actions_the_service_does_not_have() -> None:
    config = EmulatorConfig(api_key=API_KEY, pause_supported=False, clock=ManualClock())
    with serve(config) as server, httpx.Client(base_url=server.base_url, headers=AUTH) as c:
        wire = Wire(c)
        sid = wire.create_id()
        for response in (wire.pause(sid), wire.resume(sid), wire.pause("unknown")):
            body = assert_error(response, 404, "InvalidAction.NotFound", "api is not found")
            assert body["message"] == (
                "Specified api is not found, please check your url and method."
            )
        assert wire.status(sid) == "RUNNING"  # nothing happened
        assert_ok(wire.release(sid))  # the rest of the API is there
