"""AGB.with_options: per-call timeout, retries and headers over the same pools (issue 14)."""

from __future__ import annotations

import pytest

from agb import AGB, ClientClosedError, ConfigurationError, Session
from tests.support.fakes import KEY, SID, FakeServer, Runner, fail, ok, status_answer

GET = "/mcp/getSession"


async def test_extra_headers_go_with_the_derived_client_only(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(GET, status_answer("RUNNING"))
    derived = agb.with_options(extra_headers={"X-Trace": "t-1", "X-Team": "sdk"})

    assert (await run(derived, "get_session", SID)).success
    assert (await run(agb, "get_session", SID)).success
    assert (await run(derived, "get_session", SID)).success

    first, parents, again = server.requests
    assert first.headers["x-trace"] == "t-1"
    assert first.headers["x-team"] == "sdk"
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert "x-trace" not in parents.headers
    assert again.headers["x-trace"] == "t-1"


async def test_a_client_derived_twice_adds_both_headers(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(GET, status_answer("RUNNING"))
    derived = agb.with_options(extra_headers={"X-A": "1"}).with_options(extra_headers={"X-B": "2"})

    await run(derived, "get_session", SID)

    assert server.last.headers["x-a"] == "1"
    assert server.last.headers["x-b"] == "2"


async def test_timeout_ms_is_each_requests_timeout(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(GET, status_answer("RUNNING"))

    await run(agb.with_options(timeout_ms=1_500), "get_session", SID)
    await run(agb, "get_session", SID)

    derived, parents = server.requests
    assert derived.timeout["read"] == pytest.approx(1.5)
    assert parents.timeout["read"] == pytest.approx(30.0)
    assert agb.with_options(timeout_ms=1_500).timeout_ms == 1_500
    assert agb.timeout_ms == 30_000


async def test_max_retries_zero_sends_once(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on(GET, fail(503, "ServiceUnavailable", "busy"))

    result = await run(agb.with_options(max_retries=0), "get_session", SID)
    assert not result.success
    assert len(server.requests) == 1

    await run(agb, "get_session", SID)
    assert len(server.requests) == 1 + 3  # the parent keeps its 2 retries


async def test_the_derived_client_shares_the_pools(agb: AGB) -> None:
    derived = agb.with_options(timeout_ms=2_000)
    assert derived.raw is agb.raw
    assert derived.endpoint == agb.endpoint
    assert derived.api_key == agb.api_key
    assert repr(derived) == repr(agb)


async def test_sessions_of_a_derived_client_use_its_options(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on("/mcp/getSessionInfo", ok({"status": "RUNNING"}))
    derived = agb.with_options(extra_headers={"X-Trace": "t-9"})
    session = Session(derived, SID)

    assert (await run(session, "get_status")).status == "RUNNING"

    assert server.last.path == "/mcp/getSessionInfo"
    assert server.last.headers["x-trace"] == "t-9"


async def test_closing_the_derived_client_leaves_the_parents_pools_open(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(GET, status_answer("RUNNING"))
    derived = agb.with_options(max_retries=1)
    await run(derived, "get_session", SID)

    if run.is_async:
        await derived.aclose()
    else:
        derived.close()

    with pytest.raises(ClientClosedError, match="with_options"):
        await run(derived, "get_session", SID)
    assert (await run(agb, "get_session", SID)).success


async def test_closing_the_parent_closes_its_derived_clients(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(GET, status_answer("RUNNING"))
    derived = agb.with_options(max_retries=1)
    agb.close()

    with pytest.raises(ClientClosedError):
        await run(derived, "get_session", SID)
    assert server.requests == []


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"timeout_ms": 0}, "timeout_ms"),
        ({"max_retries": -1}, "max_retries"),
        ({"extra_headers": {"Authorization": "Bearer other"}}, "cannot set"),
        ({"extra_headers": {"X-A": "a\r\nX-B: b"}}, "cannot be sent"),
        ({"extra_headers": {"X-A": 1}}, "str to str"),
    ],
)
def test_bad_options_are_refused(agb: AGB, options: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        agb.with_options(**options)  # type: ignore[arg-type]


def test_extra_headers_must_be_a_mapping(agb: AGB) -> None:
    with pytest.raises(ConfigurationError, match="mapping"):
        agb.with_options(extra_headers=[("X-A", "1")])  # type: ignore[arg-type]
