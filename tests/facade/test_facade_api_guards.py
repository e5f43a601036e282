"""agb.session(...) / agb.session_async(...): a session for the length of a block (issue 14)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from agb import AGB, AuthenticationError, CreateSessionParams, NotFoundError, OnExit, Session
from tests.support.fakes import NOT_FOUND, FakeServer, Runner, fail, ok, status_answer

PARAMS = CreateSessionParams(image_id="agb-code-space-1")
CREATE = "/mcp/createSession"
RELEASE = "/mcp/releaseSessionAsync"
PAUSE = "/mcp/pauseSessionAsync"
GET = "/mcp/getSession"


class Boom(Exception):
    pass


def script_create(server: FakeServer) -> None:
    server.on(CREATE, ok({"sessionId": "s-g", "resourceUrl": "https://r.invalid/"}))


def script_delete(server: FakeServer) -> None:
    server.on(RELEASE, ok(request_id="r-release"))
    server.on(GET, NOT_FOUND)


async def guarded(
    run: Runner,
    agb: AGB,
    on_exit: OnExit | None = None,
    body: Callable[[Session], object] = lambda session: None,
) -> Session:
    """Enter agb.session (sync) or agb.session_async (async), run ``body``, return the session."""
    kwargs = {} if on_exit is None else {"on_exit": on_exit}
    if run.is_async:
        async with agb.session_async(PARAMS, **kwargs) as session:
            body(session)
    else:
        with agb.session(PARAMS, **kwargs) as session:
            body(session)
    return session


async def test_the_session_is_deleted_on_leaving_by_default(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    script_create(server)
    script_delete(server)
    inside: list[str] = []

    session = await guarded(run, agb, body=lambda s: inside.append(s.session_id))

    assert inside == ["s-g"]
    assert session.session_id == "s-g"
    assert server.paths[:2] == [CREATE, RELEASE]
    assert server.to(RELEASE)[0].body == {"sessionId": "s-g"}


async def test_the_session_is_deleted_when_the_block_raises(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    script_create(server)
    script_delete(server)

    def body(session: Session) -> None:
        raise Boom("inside")

    with pytest.raises(Boom, match="inside"):
        await guarded(run, agb, "delete", body)

    assert server.paths[:2] == [CREATE, RELEASE]


async def test_pause_on_exit_pauses(run: Runner, agb: AGB, server: FakeServer) -> None:
    script_create(server)
    server.on(PAUSE, ok(request_id="r-pause"))
    server.on(GET, status_answer("PAUSED"))

    await guarded(run, agb, "pause")

    assert server.paths[:2] == [CREATE, PAUSE]
    assert RELEASE not in server.paths


async def test_keep_on_exit_sends_nothing_more(run: Runner, agb: AGB, server: FakeServer) -> None:
    script_create(server)

    with pytest.raises(Boom):
        await guarded(run, agb, "keep", lambda s: (_ for _ in ()).throw(Boom()))

    assert server.paths == [CREATE]


async def test_a_failed_create_raises_on_entering(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(CREATE, fail(403, "AccessDenied", "wrong key", request_id="r-denied"))
    entered: list[Session] = []

    with pytest.raises(AuthenticationError) as caught:
        await guarded(run, agb, body=entered.append)

    assert entered == []
    assert caught.value.request_id == "r-denied"
    assert server.paths == [CREATE]


async def test_a_failed_delete_after_a_normal_block_raises(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    script_create(server)
    server.on(RELEASE, fail(400, "InvalidMcpSession.NotFound", "gone", request_id="r-gone"))

    with pytest.raises(NotFoundError):
        await guarded(run, agb)


async def test_a_failed_delete_while_the_block_raises_is_logged_not_raised(
    run: Runner, agb: AGB, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    script_create(server)
    server.on(RELEASE, fail(403, "AccessDenied", "not yours", request_id="r-denied"))

    def body(session: Session) -> None:
        raise Boom("the block's own error")

    with caplog.at_level(logging.WARNING, logger="agb"), pytest.raises(Boom, match="own error"):
        await guarded(run, agb, "delete", body)

    [record] = [r for r in caplog.records if "on leaving its block" in r.getMessage()]
    assert "s-g" in record.getMessage()
    assert "not yours" in record.getMessage()


async def test_a_bad_on_exit_is_refused_before_creating(agb: AGB, server: FakeServer) -> None:
    with (
        pytest.raises(ValueError, match="on_exit"),
        agb.session(PARAMS, on_exit="destroy"),  # type: ignore[arg-type]
    ):
        pass
    with pytest.raises(ValueError, match="on_exit"):
        async with agb.session_async(PARAMS, on_exit="stop"):  # type: ignore[arg-type]
            pass
    assert server.requests == []


async def test_a_cancelled_task_still_deletes_its_session(agb: AGB, server: FakeServer) -> None:
    script_create(server)
    script_delete(server)
    entered = asyncio.Event()

    async def work() -> None:
        async with agb.session_async(PARAMS):
            entered.set()
            await asyncio.Event().wait()  # until cancelled

    task = asyncio.create_task(work())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert server.paths[:2] == [CREATE, RELEASE]
    assert server.paths[-1] == GET  # the delete waited until the session was gone


async def test_a_delete_cancelled_again_goes_on_to_its_end(agb: AGB, server: FakeServer) -> None:
    script_create(server)
    server.on(RELEASE, ok(request_id="r-release"))
    release_seen = asyncio.Event()
    polls: list[float] = []

    def poll(seen: object) -> object:
        polls.append(1.0)
        release_seen.set()
        return status_answer("DELETING") if len(polls) < 3 else NOT_FOUND

    server.on(GET, poll)
    entered = asyncio.Event()

    async def work() -> None:
        async with agb.session_async(PARAMS):
            entered.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(work())
    await entered.wait()
    task.cancel()
    await release_seen.wait()
    task.cancel()  # a second cancellation, in the middle of the clean-up
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(50):  # the shielded delete finishes on its own
        if len(polls) >= 3:
            break
        await asyncio.sleep(0)

    assert len(polls) == 3
    assert server.paths.count(RELEASE) == 1


async def test_a_clean_up_that_raises_while_the_block_raises_is_logged(
    run: Runner, agb: AGB, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    script_create(server)

    def body(session: Session) -> None:
        agb.close()  # the delete on leaving cannot be sent
        raise Boom("the block's own error")

    with caplog.at_level(logging.WARNING, logger="agb"), pytest.raises(Boom, match="own error"):
        await guarded(run, agb, "delete", body)

    assert "ClientClosedError" in caplog.text
    assert server.paths == [CREATE]
