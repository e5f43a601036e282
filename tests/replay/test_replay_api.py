"""Issue 14's APIs replayed from real traffic: paging iterators, session guards, with_options,
typed results (sync and async, one cassette each)."""

from __future__ import annotations

import pytest

from agb import (
    AuthenticationError,
    CreateSessionParams,
    NotFoundError,
    ServerError,
    Session,
    SessionSummary,
)
from agb.client import OnExit
from tests.support.cassettes import Rig

pytestmark = pytest.mark.vcr

IMAGE = "agb-code-space-1"
LIST = "/sdk/ListSession"


async def create(rig: Rig, **labels: str) -> Session:
    result = await rig.call(rig.agb.create, CreateSessionParams(image_id=IMAGE, labels=labels))
    return result.unwrap()


async def every_session(
    rig: Rig, labels: dict[str, str] | None, page_size: int | None, into: list[SessionSummary]
) -> list[SessionSummary]:
    if rig.variant == "sync":
        into.extend(rig.agb.iter_sessions(labels, page_size))
    else:
        async for summary in rig.agb.aiter_sessions(labels, page_size):
            into.append(summary)
    return into


async def guarded(rig: Rig, on_exit: OnExit, fail_inside: bool = False) -> Session:
    params = CreateSessionParams(image_id=IMAGE, labels={"guard": on_exit})
    entered: list[Session] = []
    try:
        if rig.variant == "sync":
            with rig.agb.session(params, on_exit=on_exit) as session:
                entered.append(session)
                if fail_inside:
                    raise KeyError("inside the block")
        else:
            async with rig.agb.session_async(params, on_exit=on_exit) as session:
                entered.append(session)
                if fail_inside:
                    raise KeyError("inside the block")
    except KeyError:
        assert fail_inside
    [session] = entered
    return session


async def test_iter_sessions_across_pages(rig: Rig) -> None:
    mine = [(await create(rig, team="a")).session_id for _ in range(5)]
    await create(rig, team="b")

    seen = await every_session(rig, {"team": "a"}, 2, [])

    assert [summary.session_id for summary in seen] == mine
    assert {summary.status for summary in seen} == {"RUNNING"}
    assert rig.exchanges().count(f"GET {LIST} 200") == 3
    assert rig.waits == []


async def test_iter_sessions_raises_when_a_page_fails(rig: Rig) -> None:
    mine = [(await create(rig, team="a")).session_id for _ in range(3)]
    rig.fault("http_status", path=LIST, skip=1, status=403, code="AccessDenied")
    seen: list[SessionSummary] = []

    with pytest.raises(AuthenticationError) as caught:
        await every_session(rig, {"team": "a"}, 2, seen)

    assert [summary.session_id for summary in seen] == mine[:2]
    assert caught.value.http_status_code == 403
    assert caught.value.request_id == rig.request_ids(LIST)[1]
    assert rig.exchanges()[-2:] == [f"GET {LIST} 200", f"GET {LIST} 403"]


async def test_session_guard_deletes_on_leaving(rig: Rig) -> None:
    session = await guarded(rig, "delete")

    assert rig.exchanges()[:2] == [
        "POST /mcp/createSession 200",
        "POST /mcp/releaseSessionAsync 200",
    ]
    after = await rig.call(rig.agb.get, session.session_id)
    assert isinstance(after.error, NotFoundError)


async def test_session_guard_deletes_when_the_block_raises(rig: Rig) -> None:
    session = await guarded(rig, "delete", fail_inside=True)

    assert "POST /mcp/releaseSessionAsync 200" in rig.exchanges()
    assert isinstance((await rig.call(rig.agb.get, session.session_id)).error, NotFoundError)


async def test_session_guard_pauses_on_leaving(rig: Rig) -> None:
    session = await guarded(rig, "pause")

    assert "POST /mcp/pauseSessionAsync 200" in rig.exchanges()
    status = await rig.call(session.get_status)
    assert status.status == "PAUSED"


async def test_session_guard_keeps_on_leaving(rig: Rig) -> None:
    session = await guarded(rig, "keep", fail_inside=True)

    assert rig.exchanges() == ["POST /mcp/createSession 200"]
    assert (await rig.call(session.get_status)).status == "RUNNING"


async def test_with_options_sends_once_without_retries(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("unavailable", path="/mcp/getSession", times=2)
    quick = rig.agb.with_options(max_retries=0, timeout_ms=2_000)

    failed = await rig.call(quick.get_session, session.session_id)
    assert isinstance(failed.error, ServerError)
    assert rig.exchanges()[-1] == "POST /mcp/getSession 503"

    recovered = await rig.call(rig.agb.get_session, session.session_id)  # the parent retries
    assert recovered.unwrap().status == "RUNNING"
    assert (
        rig.exchanges()[-3:]
        == [
            "POST /mcp/getSession 503",
            "POST /mcp/getSession 503",
            "POST /mcp/getSession 200",
        ][-3:]
    )


async def test_typed_results_unwrap(rig: Rig) -> None:
    session = await create(rig, team="typed")

    labels: dict[str, str] = (await rig.call(session.get_labels)).unwrap()
    link: str = (await rig.call(session.get_link, "https", 30150)).unwrap()
    info = (await rig.call(session.info)).unwrap()

    assert labels == {"team": "typed"}
    assert link == f"https://{session.session_id}-30150.link.agb.invalid/"
    assert info["session_id"] == session.session_id
    assert info["resource_url"] == session.resource_url
