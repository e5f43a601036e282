"""``Session.wait_for`` and the ``on_status`` callbacks of pause, resume, delete and wait_for.

Each behaviour runs through the sync method and its ``_async`` twin (the ``run`` fixture); in
async a coroutine function given as ``on_status`` is awaited.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import pytest

from agb import Session, SessionWaitResult
from agb.exceptions import InvalidStateError, WaitTimeoutError
from tests.support.clock import FakeClock
from tests.support.fakes import NOT_FOUND, SID, FakeServer, Runner, make_agb, ok, status_answer

GET = "/mcp/getSession"


class Recorder:
    """An ``on_status`` callback: a plain function in sync, a coroutine function in async."""

    def __init__(self, run: Runner) -> None:
        self.seen: list[tuple[str, float]] = []
        self.callback: Any
        if run.is_async:

            async def callback(status: str, elapsed: float) -> None:
                self.seen.append((status, elapsed))

            self.callback = callback
        else:
            self.callback = lambda status, elapsed: self.seen.append((status, elapsed))


async def test_wait_for_polls_at_once_until_the_status(
    run: Runner, session: Session, server: FakeServer, clock: FakeClock
) -> None:
    server.on(GET, status_answer("PAUSING"), status_answer("Paused", request_id="r-last"))
    recorder = Recorder(run)

    result = await run(
        session, "wait_for", "paused", timeout=30, poll_interval=2.0, on_status=recorder.callback
    )

    assert isinstance(result, SessionWaitResult)
    assert result.success, result.error_message
    assert result.status == "PAUSED"
    assert result.request_id == "r-last"
    assert result.elapsed == pytest.approx(2.0)
    assert result.reconciled is False
    assert [seen.at - clock.start for seen in server.to(GET)] == [0.0, 2.0]
    assert recorder.seen == [("PAUSING", 0.0), ("PAUSED", 2.0)]


async def test_wait_for_times_out_with_wait_timeout(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on(GET, status_answer("RUNNING"))

    result = await run(session, "wait_for", "PAUSED", timeout=5, poll_interval=2.0)

    assert not result.success
    assert result.code == "WaitTimeout"
    assert isinstance(result.error, WaitTimeoutError)
    assert result.status == "RUNNING"
    assert result.elapsed == pytest.approx(5.0)
    assert len(server.to(GET)) <= 2 + math.ceil(5 / 2.0)
    with pytest.raises(WaitTimeoutError):
        result.raise_for_status()


@pytest.mark.parametrize("gone", ["FINISH", "deleted", "Deleting"])
async def test_wait_for_ends_early_when_the_status_cannot_come(
    run: Runner, session: Session, server: FakeServer, gone: str
) -> None:
    server.on(GET, status_answer("RUNNING"), status_answer(gone))

    result = await run(session, "wait_for", "PAUSED", timeout=600, poll_interval=2.0)

    assert not result.success
    assert result.code == "InvalidSessionStatus"
    assert isinstance(result.error, InvalidStateError)
    assert result.status == gone.upper()
    assert len(server.to(GET)) == 2


async def test_wait_for_finish_succeeds_when_the_session_is_not_found(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on(GET, status_answer("DELETING"), NOT_FOUND)
    recorder = Recorder(run)

    result = await run(
        session, "wait_for", "FINISH", poll_interval=1.0, on_status=recorder.callback
    )

    assert result.success
    assert result.status == "FINISH"
    assert [status for status, _ in recorder.seen] == ["DELETING", "FINISH"]


async def test_an_unknown_status_keeps_wait_for_going_and_is_logged_once(
    run: Runner, session: Session, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.on(GET, status_answer("MIGRATING"), status_answer("MIGRATING"))
    server.on(GET, status_answer("RUNNING"))

    with caplog.at_level(logging.INFO, logger="agb"):
        result = await run(session, "wait_for", "running", poll_interval=1.0)

    assert result.success
    assert len([r for r in caplog.records if "MIGRATING" in r.getMessage()]) == 1


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("SLEEPING",), {}, r"^status must be one of"),
        ((None,), {}, r"^status must be a status name"),
        ((3,), {}, r"^status must be a status name"),
        (("",), {}, r"^status must be one of"),
        (("RUNNING",), {"timeout": 0}, r"^timeout must be"),
        (("RUNNING",), {"timeout": float("nan")}, r"^timeout must be"),
        (("RUNNING",), {"poll_interval": -1}, r"^poll_interval must be"),
        (("RUNNING",), {"poll_interval": "2"}, r"^poll_interval must be"),
        (("RUNNING",), {"on_status": "print"}, r"^on_status must be a callable"),
    ],
)
async def test_bad_wait_for_arguments_raise_value_error_naming_them(
    run: Runner,
    session: Session,
    server: FakeServer,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    match: str,
) -> None:
    with pytest.raises(ValueError, match=match):
        await run(session, "wait_for", *args, **kwargs)
    assert server.requests == []


def test_a_coroutine_function_is_refused_by_the_sync_methods(
    session: Session, server: FakeServer
) -> None:
    async def callback(status: str, elapsed: float) -> None:
        return None

    for method, args in (("pause", ()), ("resume", ()), ("delete", ()), ("wait_for", ("PAUSED",))):
        with pytest.raises(ValueError, match="coroutine function"):
            getattr(session, method)(*args, on_status=callback)
    assert server.requests == []


# -------------------------------------------------------------------- pause / resume / delete


@pytest.mark.parametrize(
    ("method", "path", "statuses", "target"),
    [
        ("pause", "/mcp/pauseSessionAsync", ["pausing", "Paused"], "PAUSED"),
        ("resume", "/mcp/resumeSessionAsync", ["RESUMING", "running"], "RUNNING"),
        ("delete", "/mcp/releaseSessionAsync", ["Deleting", "FINISH"], "FINISH"),
    ],
)
async def test_on_status_of_pause_resume_and_delete(
    run: Runner,
    session: Session,
    server: FakeServer,
    method: str,
    path: str,
    statuses: list[str],
    target: str,
) -> None:
    server.on(path, ok(request_id="r-start"))
    server.on(GET, *(status_answer(s) for s in statuses))
    recorder = Recorder(run)

    result = await run(session, method, poll_interval=1.0, on_status=recorder.callback)

    assert result.success, result.error_message
    assert result.status == target
    assert recorder.seen == [(statuses[0].upper(), 1.0), (target, 2.0)]


async def test_on_status_reports_a_gone_session_as_finish(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/mcp/releaseSessionAsync", ok())
    server.on(GET, status_answer("DELETING"), NOT_FOUND)
    recorder = Recorder(run)

    result = await run(session, "delete", poll_interval=1.0, on_status=recorder.callback)

    assert result.success
    assert recorder.seen == [("DELETING", 1.0), ("FINISH", 2.0)]


class Boom(Exception):
    pass


async def test_a_callback_that_raises_propagates_and_ends_the_wait(
    run: Runner, session: Session, server: FakeServer
) -> None:
    """Documented choice: the exception propagates out of the call; nothing more is polled."""
    server.on("/mcp/pauseSessionAsync", ok())
    server.on(GET, status_answer("PAUSING"), status_answer("PAUSED"))
    calls: list[str] = []

    if run.is_async:

        async def callback(status: str, elapsed: float) -> None:
            calls.append(status)
            raise Boom(status)

    else:

        def callback(status: str, elapsed: float) -> None:
            calls.append(status)
            raise Boom(status)

    with pytest.raises(Boom, match="PAUSING"):
        await run(session, "pause", poll_interval=1.0, on_status=callback)

    assert calls == ["PAUSING"]
    assert server.paths == ["/mcp/pauseSessionAsync", GET]
    # The client stays usable.
    server.replace(GET, status_answer("PAUSED"))
    assert (await run(session, "wait_for", "PAUSED")).success


async def test_on_status_and_the_runner_observer_both_see_each_status(
    run: Runner, server: FakeServer, clock: FakeClock
) -> None:
    seen_by_observer: list[str] = []
    agb = make_agb(server, clock)
    agb.runner.observer = lambda observed: seen_by_observer.append(observed.status)
    server.on("/mcp/pauseSessionAsync", ok())
    server.on(GET, status_answer("PAUSING"), status_answer("PAUSED"))
    recorder = Recorder(run)

    result = await run(Session(agb, SID), "pause", poll_interval=1.0, on_status=recorder.callback)

    assert result.success
    assert seen_by_observer == ["PAUSING", "PAUSED"]
    assert [s for s, _ in recorder.seen] == ["PAUSING", "PAUSED"]
    agb.close()


async def test_on_status_is_not_given_context_task_states(
    run: Runner, session: Session, server: FakeServer
) -> None:
    import json

    rows = [{"contextId": "c", "path": "/d", "taskType": "upload", "status": "Success"}]
    server.on("/sdk/SyncContext", ok())
    server.on(
        "/sdk/GetContextInfo",
        ok({"contextStatus": json.dumps([{"type": "data", "data": json.dumps(rows)}])}),
    )
    server.on("/mcp/releaseSessionAsync", ok())
    server.on(GET, NOT_FOUND)
    recorder = Recorder(run)

    result = await run(
        session, "delete", sync_context=True, poll_interval=1.0, on_status=recorder.callback
    )

    assert result.success
    assert [s for s, _ in recorder.seen] == ["FINISH"]


async def test_the_cli_progress_line_is_an_on_status_callback(
    run: Runner, session: Session, server: FakeServer
) -> None:
    import io

    from agb.cli._progress import Progress

    server.on("/mcp/pauseSessionAsync", ok())
    server.on(GET, status_answer("PAUSING"), status_answer("PAUSED"))
    stream = io.StringIO()
    progress = Progress(stream, live=False, clock=lambda: 0.0)
    progress.start("pausing s-1")

    result = await run(session, "pause", poll_interval=1.0, on_status=progress.on_status)

    assert result.success
    assert stream.getvalue().splitlines() == [
        "pausing s-1: PAUSING (0.0 s)",
        "pausing s-1: PAUSED (0.0 s)",
    ]
