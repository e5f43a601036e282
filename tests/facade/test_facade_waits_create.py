"""A create whose answer is lost never leaves an orphan: it is found by its client token label.

Sync and async (the ``run`` fixture), against the fake server and over real HTTP against a
fresh emulator (its own, so that no other test's session carries the same test token).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from agb import AGB, Config, CreateSessionParams, Session
from agb.emulator import EmulatorConfig, ManualClock, RunningEmulator, serve
from tests.support.fakes import FakeServer, Runner, ok, raw

KEY = "sk-EMU-create-7f3a"
CREATE = "/mcp/createSession"
LIST = "/sdk/ListSession"
GET = "/mcp/getSession"


def created(session_id: str) -> httpx.Response:
    return ok({"sessionId": session_id, "resourceUrl": "https://r.invalid/"}, request_id="r-c")


async def test_a_dropped_create_found_by_its_token_is_not_created_twice(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(CREATE, httpx.RemoteProtocolError("peer closed connection"))
    server.on(LIST, ok([{"sessionId": "s-made", "sessionStatus": "RUNNING"}], request_id="r-l"))
    server.on(GET, ok({"sessionId": "s-made", "status": "RUNNING", "resourceUrl": "https://x/"}))

    result = await run(agb, "create", CreateSessionParams(image_id="img", labels={"a": "b"}))

    assert result.success, result.error_message
    assert result.reconciled
    assert isinstance(result.session, Session)
    assert result.session.session_id == "s-made"
    assert result.session.resource_url == "https://x/"
    assert result.session.image_id == "img"
    assert server.paths == [CREATE, LIST, GET]
    assert json.loads(server.requests[0].body["labels"]) == {
        "a": "b",
        "agb.client_token": "token-1",
    }
    assert json.loads(server.requests[1].query["labels"]) == {"agb.client_token": "token-1"}


async def test_a_create_answered_by_a_proxy_page_and_not_made_is_sent_again_once(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(CREATE, raw(502, "<html><title>502 Bad Gateway</title></html>", "text/html"))
    server.on(CREATE, created("s-second"))
    server.on(LIST, ok([], request_id="r-l"))

    result = await run(agb, "create", CreateSessionParams(image_id="img"))

    assert result.success, result.error_message
    assert result.reconciled
    assert result.session is not None
    assert result.session.session_id == "s-second"
    assert server.paths == [CREATE, LIST, CREATE]
    assert server.requests[0].body == server.requests[2].body  # the same token


# --------------------------------------------------------------------------- real HTTP


@pytest.fixture
def fresh() -> Iterator[RunningEmulator]:
    config = EmulatorConfig(api_key=KEY, clock=ManualClock(), seed=5, transition_seconds=1.0)
    with serve(config) as running:
        yield running
        assert running.emulator.stats()["internalErrors"] == 0


def client(emu: RunningEmulator) -> AGB:
    clock: Any = emu.config.clock

    async def async_sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    return AGB(
        api_key=KEY,
        cfg=Config(emu.base_url, 10_000),
        clock=clock,
        sleep=clock.advance,
        async_sleep=async_sleep,
    )


@pytest.mark.parametrize(("kind", "made"), [("truncated_json", True), ("drop", False)])
async def test_a_lost_create_answer_over_http_leaves_exactly_one_session(
    run: Runner, fresh: RunningEmulator, kind: str, made: bool
) -> None:
    """``truncated_json``: the emulator created it, the answer was cut; ``drop``: the connection
    closed before it acted. Either way one session exists afterwards, and it is the result's."""
    fresh.emulator.faults.add(kind, path=CREATE)
    with client(fresh) as agb:
        result = await run(agb, "create", CreateSessionParams(image_id="agb-code-space-1"))
        assert result.success, result.error_message
        assert result.reconciled
        stats = fresh.emulator.stats()
        assert stats["sessions"] == 1
        assert stats["requests"][CREATE] == (1 if made else 2)
        listed = await run(agb, "list")
        assert result.session is not None
        assert listed.session_ids == [result.session.session_id]
        labels = await run(result.session, "get_labels")
        assert labels.data == {}  # the token label is the SDK's own, not shown
