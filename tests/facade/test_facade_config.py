"""Configuration from arguments and the environment; connection pools and their closing."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from agb import AGB, Config
from agb.config import default_config, load_config
from agb.exceptions import AGBError, ConfigurationError
from tests.support.clock import FakeClock
from tests.support.fakes import KEY, SID, FakeServer, make_agb, ok, session_data


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AGB_API_KEY", "AGB_ENDPOINT", "AGB_TIMEOUT_MS"):
        monkeypatch.delenv(name, raising=False)


def test_key_endpoint_and_timeout_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGB_API_KEY", "env-key")
    monkeypatch.setenv("AGB_ENDPOINT", "agb.example.invalid")
    monkeypatch.setenv("AGB_TIMEOUT_MS", "2500")

    agb = AGB()

    assert agb.api_key == "env-key"
    assert agb.endpoint == "https://agb.example.invalid"
    assert agb.timeout_ms == 2500
    assert agb.config.timeout_seconds == 2.5


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGB_API_KEY", "env-key")

    agb = AGB()

    assert agb.endpoint == "https://sdk-api.agb.cloud"
    assert agb.timeout_ms == 60_000
    assert default_config() == Config("sdk-api.agb.cloud", 60000)


def test_explicit_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGB_API_KEY", "env-key")
    monkeypatch.setenv("AGB_ENDPOINT", "env.invalid")
    monkeypatch.setenv("AGB_TIMEOUT_MS", "abc")  # not read when cfg is given

    agb = AGB(api_key="arg-key", cfg=Config("http://127.0.0.1:9", 1234))

    assert agb.api_key == "arg-key"
    assert agb.endpoint == "http://127.0.0.1:9"
    assert agb.timeout_ms == 1234


def test_config_is_positional_like_the_published_one() -> None:
    cfg = Config("host.invalid", 5000)
    assert (cfg.endpoint, cfg.timeout_ms) == ("host.invalid", 5000)
    assert cfg.base_url == "https://host.invalid"
    assert Config("https://h.invalid/", 1).base_url == "https://h.invalid"
    assert Config("http://h.invalid", 1).base_url == "http://h.invalid"


@pytest.mark.parametrize("key", [None, "", "   "])
def test_a_missing_key_is_an_error_at_construction(key: Any) -> None:
    with pytest.raises(ConfigurationError, match="AGB_API_KEY"):
        AGB(api_key=key)
    with pytest.raises(ValueError, match="AGB_API_KEY"):
        AGB(api_key=key)


def test_a_missing_key_is_an_agb_error() -> None:
    with pytest.raises(AGBError):
        AGB()


@pytest.mark.parametrize("value", ["abc", "1.5s", "0", "-10"])
def test_a_bad_timeout_in_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("AGB_API_KEY", "k")
    monkeypatch.setenv("AGB_TIMEOUT_MS", value)

    with pytest.raises(ConfigurationError, match="AGB_TIMEOUT_MS") as raised:
        AGB()
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("cfg", "named"),
    [
        (Config("", 1000), "endpoint"),
        (Config("h.invalid", 0), "timeout_ms"),
        (Config("h.invalid", float("inf")), "timeout_ms"),  # type: ignore[arg-type]
        (Config("h.invalid", 1000, max_retries=-1), "max_retries"),
        (Config("h.invalid", 1000, max_connections=0), "max_connections"),
    ],
)
def test_a_bad_config_names_the_field(cfg: Config, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        AGB(api_key="k", cfg=cfg)


def test_cfg_must_be_a_config() -> None:
    with pytest.raises(ConfigurationError, match="Config"):
        AGB(api_key="k", cfg={"endpoint": "x"})  # type: ignore[arg-type]


def test_load_config_reads_a_given_environment() -> None:
    cfg = load_config(environ={"AGB_ENDPOINT": "e.invalid", "AGB_TIMEOUT_MS": "10"})
    assert (cfg.base_url, cfg.timeout_ms) == ("https://e.invalid", 10)


def test_the_request_timeout_comes_from_timeout_ms(server: FakeServer, clock: FakeClock) -> None:
    server.on("/mcp/getSession", ok(session_data("RUNNING")))
    agb = make_agb(server, clock, cfg=Config("https://x.invalid", 4500))

    agb.get_session(SID)

    assert server.last.timeout == {"connect": 4.5, "read": 4.5, "write": 4.5, "pool": 4.5}


# --------------------------------------------------------------------------- pools


def test_one_sync_pool_per_agb(
    server: FakeServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[httpx.Client] = []
    original = httpx.Client.__init__

    def counting(self: httpx.Client, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(httpx.Client, "__init__", counting)
    server.on("/mcp/getSession", ok(session_data("RUNNING")))
    server.on("/mcp/getSessionInfo", ok({"status": "RUNNING"}))
    agb = make_agb(server, clock)

    for _ in range(5):
        agb.get_session(SID)
        agb.get(SID).session.get_status()

    assert len(made) == 1
    assert agb.raw.get_httpx_client() is made[0]


async def test_one_async_pool_per_agb_and_loop(
    server: FakeServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[httpx.AsyncClient] = []
    original = httpx.AsyncClient.__init__

    def counting(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(httpx.AsyncClient, "__init__", counting)
    server.on("/mcp/getSession", ok(session_data("RUNNING")))
    agb = make_agb(server, clock)

    await asyncio.gather(*(agb.get_session_async(SID) for _ in range(20)))
    await agb.get_session_async(SID)

    assert len(made) == 1
    assert agb.raw.get_async_httpx_client() is made[0]
    await agb.aclose()


def test_async_methods_work_from_one_asyncio_run_to_the_next(
    server: FakeServer, clock: FakeClock
) -> None:
    """Each asyncio.run has its own loop; a pool of a closed loop must not be reused."""
    server.on("/mcp/getSession", ok(session_data("RUNNING")))
    agb = make_agb(server, clock)
    seen: list[httpx.AsyncClient] = []

    async def one() -> bool:
        result = await agb.get_session_async(SID)
        seen.append(agb.raw.get_async_httpx_client())
        return result.success

    assert asyncio.run(one())
    assert asyncio.run(one())
    assert seen[0] is not seen[1]


def test_with_closes_the_sync_pool(server: FakeServer, clock: FakeClock) -> None:
    server.on("/mcp/getSession", ok(session_data("RUNNING")))
    with make_agb(server, clock) as agb:
        assert agb.get_session(SID).success
        pool = agb.raw.get_httpx_client()
        assert not pool.is_closed
    assert pool.is_closed


async def test_async_with_closes_both_pools(server: FakeServer, clock: FakeClock) -> None:
    server.on("/mcp/getSession", ok(session_data("RUNNING")))
    async with make_agb(server, clock) as agb:
        assert (await agb.get_session_async(SID)).success
        assert agb.get_session(SID).success
        sync_pool = agb.raw.get_httpx_client()
        async_pool = agb.raw.get_async_httpx_client()
    assert sync_pool.is_closed
    assert async_pool.is_closed


def test_close_without_use_is_harmless() -> None:
    agb = AGB(api_key=KEY)
    agb.close()
    agb.close()
    asyncio.run(agb.aclose())
