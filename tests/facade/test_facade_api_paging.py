"""AGB.iter_sessions / aiter_sessions: every session across pages, failures raised (issue 14)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from agb import (
    AGB,
    AuthenticationError,
    BadRequestError,
    MalformedResponseError,
    SessionSummary,
)
from tests.support.fakes import FakeServer, Runner, Seen, fail, ok

PATH = "/sdk/ListSession"


async def collect(
    run: Runner,
    agb: AGB,
    labels: Mapping[str, str] | None = None,
    page_size: int | None = None,
    into: list[SessionSummary] | None = None,
) -> list[SessionSummary]:
    """Every item iter_sessions (sync) or aiter_sessions (async) yields, kept in ``into``."""
    items = [] if into is None else into
    if run.is_async:
        async for item in agb.aiter_sessions(labels, page_size):
            items.append(item)
    else:
        for item in agb.iter_sessions(labels, page_size):
            items.append(item)
    return items


def pages(seen: Seen):
    number = {"": 1, "t2": 2, "t3": 3}[seen.query.get("nextToken", "")]
    rows = [
        {"sessionId": f"s-{number}a", "sessionStatus": "RUNNING"},
        {"sessionId": f"s-{number}b", "sessionStatus": "PAUSED"},
    ]
    following = {1: "t2", 2: "t3", 3: ""}[number]
    return ok(rows, request_id=f"r-p{number}", nextToken=following, maxResults=2, count=6)


async def test_iter_sessions_yields_every_session_of_every_page(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(PATH, pages)

    items = await collect(run, agb, {"team": "sdk"}, page_size=2)

    assert [item.session_id for item in items] == ["s-1a", "s-1b", "s-2a", "s-2b", "s-3a", "s-3b"]
    assert all(isinstance(item, SessionSummary) for item in items)
    assert [item.status for item in items][:2] == ["RUNNING", "PAUSED"]
    assert [seen.query.get("nextToken") for seen in server.requests] == [None, "t2", "t3"]
    assert {seen.query["maxResults"] for seen in server.requests} == {"2"}
    assert {seen.query["labels"] for seen in server.requests} == {'{"team": "sdk"}'}


async def test_iter_sessions_of_no_session_sends_one_request(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(PATH, ok([], nextToken="", count=0))

    assert await collect(run, agb) == []
    assert len(server.requests) == 1
    assert server.last.query == {"labels": "{}", "maxResults": "10"}


async def test_iter_sessions_is_lazy_one_page_per_step(agb: AGB, server: FakeServer) -> None:
    server.on(PATH, pages)

    iterator = agb.iter_sessions(page_size=2)
    assert server.requests == []
    assert next(iterator).session_id == "s-1a"
    assert next(iterator).session_id == "s-1b"
    assert len(server.requests) == 1
    assert next(iterator).session_id == "s-2a"
    assert len(server.requests) == 2


async def test_a_failure_mid_way_raises_the_typed_error(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    def first_then_denied(seen: Seen):
        if seen.query.get("nextToken"):
            return fail(403, "AccessDenied", "no more for you", request_id="r-denied")
        return pages(seen)

    server.on(PATH, first_then_denied)
    items: list[SessionSummary] = []

    with pytest.raises(AuthenticationError) as caught:
        await collect(run, agb, page_size=2, into=items)

    assert [item.session_id for item in items] == ["s-1a", "s-1b"]
    assert caught.value.request_id == "r-denied"
    assert caught.value.http_status_code == 403
    assert caught.value.code == "AccessDenied"


async def test_a_page_token_given_twice_raises_instead_of_looping(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(PATH, ok([{"sessionId": "s-1"}], nextToken="same", count=9))

    with pytest.raises(MalformedResponseError, match="twice"):
        await collect(run, agb)

    assert [seen.query.get("nextToken") for seen in server.requests] == [None, "same"]


@pytest.mark.parametrize("page_size", [0, -1])
async def test_a_bad_page_size_raises_before_any_request(
    run: Runner, agb: AGB, server: FakeServer, page_size: int
) -> None:
    with pytest.raises(BadRequestError) as caught:
        await collect(run, agb, page_size=page_size)

    assert caught.value.code == "InvalidParameter"
    assert server.requests == []
