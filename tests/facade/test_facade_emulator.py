"""Every public method through real HTTP against the emulator, sync and async, with faults.

The emulator runs on a ManualClock; the AGB sleeps by advancing that clock, so the sessions'
transitions happen in the emulator's time and nothing waits for real.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agb import (
    AGB,
    Config,
    ContextSync,
    CreateSessionParams,
    Session,
    SyncPolicy,
)
from agb.exceptions import (
    APIError,
    BadRequestError,
    InvalidStateError,
    MalformedResponseError,
    NotFoundError,
)
from tests.support.asserts import assert_no_key
from tests.support.clock import FakeClock
from tests.support.emulator import emptied
from tests.support.fakes import Runner

emulator = pytest.importorskip("agb.emulator", reason="emulator not available")

KEY = "sk-EMU-secret-51d0c3"
TRANSITION = 1.0
STALE = 0.2
CONTEXT_SYNC = 0.5
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def running() -> Iterator[Any]:
    config = emulator.EmulatorConfig(
        api_key=KEY,
        clock=FakeClock(0.0),
        seed=11,
        transition_seconds=TRANSITION,
        stale_seconds=STALE,
        context_sync_seconds=CONTEXT_SYNC,
    )
    with emulator.serve(config) as server:
        yield server


@pytest.fixture
def emu(running: Any) -> Iterator[Any]:
    with emptied(running, reset=False) as server:
        yield server


@pytest.fixture
def emu_clock(emu: Any) -> FakeClock:
    """The emulator's clock, with only this test's sleeps."""
    clock: FakeClock = emu.config.clock
    clock.sleeps.clear()
    return clock


@pytest.fixture
def agb(emu: Any, emu_clock: FakeClock) -> Iterator[AGB]:
    client = AGB(api_key=KEY, cfg=Config(emu.base_url, 10_000), **emu_clock.agb_kwargs())
    yield client
    client.close()


def faults(emu: Any, kind: str, path: str, times: int = 1, **params: Any) -> None:
    emu.emulator.faults.add(kind, path=path, times=times, **params)


def requests_to(emu: Any, path: str) -> int:
    return int(emu.emulator.stats()["requests"].get(path, 0))


async def create(run: Runner, agb: AGB, **params: Any) -> Session:
    result = await run(agb, "create", CreateSessionParams(image_id="agb-code-space-1", **params))
    assert result.success, result.error_message
    assert isinstance(result.session, Session)
    return result.session


async def test_every_method_against_the_emulator(
    run: Runner, agb: AGB, emu: Any, emu_clock: FakeClock
) -> None:
    tag = uuid.uuid4().hex[:8]
    session = await create(
        run,
        agb,
        labels={"tag": tag},
        context_syncs=[ContextSync("ctx-1", "/home/data", SyncPolicy())],
    )
    assert session.resource_url.startswith("https://")
    assert emu_clock.sleeps, "create waits for the context download"

    labels = {"tag": tag, "stage": "labelled"}
    assert (await run(session, "set_labels", labels)).success
    got = await run(session, "get_labels")
    assert (got.success, got.data) == (True, labels)

    info = await run(session, "info")
    assert info.success
    assert info.data["session_id"] == session.session_id
    assert {"resource_url", "app_id", "auth_code", "resource_id", "ticket"} <= set(info.data)

    link = await run(session, "get_link", "https", 30123)
    assert link.success
    assert "30123" in link.data

    status = await run(session, "get_status")
    assert (status.success, status.status) == (True, "RUNNING")
    assert (await run(session, "keep_alive")).success

    found = await run(agb, "get_session", session.session_id)
    assert (found.success, found.data.status) == (True, "RUNNING")
    assert found.request_id

    emu_clock.sleeps.clear()
    paused = await run(session, "pause", timeout=30, poll_interval=0.25)
    assert (paused.success, paused.status) == (True, "PAUSED"), paused.error_message
    # Polls at 0 (still RUNNING), 0.25, 0.5, 0.75 (PAUSING) and 1.0 s (PAUSED).
    assert emu_clock.sleeps == [0.25] * 4
    assert paused.elapsed == pytest.approx(TRANSITION)
    assert (await run(session, "get_status")).status == "PAUSED"

    resumed = await run(agb, "resume", session, 30, 0.25)
    assert (resumed.success, resumed.status) == (True, "RUNNING"), resumed.error_message

    listed = await run(agb, "list", labels={"tag": tag})
    assert listed.success
    assert listed.session_ids == [session.session_id]
    assert listed.total_count == 1

    again = await run(agb, "get", session.session_id)
    assert again.success
    assert again.session == Session(agb, session.session_id)

    deleted = await run(agb, "delete", session, sync_context=True)
    assert deleted.success, deleted.error_message
    assert deleted.status == "FINISH"
    assert deleted.context_synced is True
    uploads = [task for task in deleted.context_tasks if task.task_type == "upload"]
    assert [(t.context_id, t.status) for t in uploads] == [("ctx-1", "Success")]

    gone = await run(agb, "get_session", session.session_id)
    assert not gone.success
    assert gone.code == "InvalidMcpSession.NotFound"
    assert isinstance(gone.error, NotFoundError)


async def test_list_walks_pages_against_the_emulator(run: Runner, agb: AGB) -> None:
    tag = uuid.uuid4().hex[:8]
    made = [(await create(run, agb, labels={"tag": tag})).session_id for _ in range(3)]

    pages = [await run(agb, "list", labels={"tag": tag}, page=n, limit=1) for n in (1, 2, 3)]

    assert [p.session_ids for p in pages] == [[made[0]], [made[1]], [made[2]]]
    assert [bool(p.next_token) for p in pages] == [True, True, False]
    assert all(p.total_count == 3 for p in pages)
    by_token = await run(agb, "list", labels={"tag": tag}, limit=1, next_token=pages[0].next_token)
    assert by_token.session_ids == [made[1]]
    past = await run(agb, "list", labels={"tag": tag}, page=4, limit=1)
    assert not past.success
    for session_id in made:
        assert (await run(agb, "delete", Session(agb, session_id))).success


async def test_a_refused_resume_is_reported_with_its_code(run: Runner, agb: AGB, emu: Any) -> None:
    session = await create(run, agb)
    assert (await run(session, "pause", 30, 0.5)).success
    await run(session, "resume", 0.1, 0.1)  # RESUMING now; it times out at once

    again = await run(session, "pause", 30, 0.5)

    assert not again.success
    assert again.code == "InvalidSessionStatus"
    assert again.http_status_code == 400
    assert isinstance(again.error, InvalidStateError)
    assert again.request_id


async def test_pause_of_an_unknown_session_is_not_found(run: Runner, agb: AGB) -> None:
    result = await run(Session(agb, "session-does-not-exist"), "pause", 30, 1.0)

    assert not result.success
    assert result.code == "SessionNotFound"
    assert isinstance(result.error, NotFoundError)


async def test_faults_on_polls_are_retried(
    run: Runner, agb: AGB, emu: Any, emu_clock: FakeClock
) -> None:
    session = await create(run, agb)
    faults(emu, "unavailable", "/mcp/getSession")
    faults(emu, "drop", "/mcp/getSession")
    faults(emu, "rate_limited", "/mcp/getSession", seconds=3)
    faults(emu, "html", "/mcp/getSession", status=502)
    faults(emu, "truncated_json", "/mcp/getSession")
    emu_clock.sleeps.clear()

    result = await run(session, "pause", timeout=60, poll_interval=0.5)

    assert result.success, result.error_message
    assert 3.0 in emu_clock.sleeps  # Retry-After honoured
    assert (await run(session, "delete")).success


async def test_unknown_statuses_keep_the_wait_going(
    run: Runner, agb: AGB, emu: Any, caplog: pytest.LogCaptureFixture
) -> None:
    session = await create(run, agb)
    faults(emu, "status", "/mcp/getSession", times=3, value="HIBERNATING")

    with caplog.at_level(logging.INFO, logger="agb"):
        result = await run(session, "pause", timeout=60, poll_interval=0.5)

    assert result.success
    assert len([r for r in caplog.records if "HIBERNATING" in r.getMessage()]) == 1


async def test_a_timeout_reports_the_last_status(run: Runner, agb: AGB, emu: Any) -> None:
    session = await create(run, agb)

    result = await run(session, "pause", timeout=0.5, poll_interval=0.2)

    assert not result.success
    assert result.code == "WaitTimeout"
    assert result.status == "PAUSING"
    assert result.elapsed == pytest.approx(0.5)


async def test_a_refused_pause_request_is_reported_not_resent(
    run: Runner, agb: AGB, emu: Any
) -> None:
    session = await create(run, agb)
    before = requests_to(emu, "/mcp/pauseSessionAsync")
    faults(emu, "http_status", "/mcp/pauseSessionAsync", status=499, code="ClientClosed")

    result = await run(session, "pause", 30, 0.5)

    assert not result.success
    assert not result.reconciled
    assert isinstance(result.error, BadRequestError)
    assert result.http_status_code == 499
    assert result.request_id  # the emulator sends x-request-id on every answer
    assert requests_to(emu, "/mcp/pauseSessionAsync") == before + 1


@pytest.mark.parametrize(
    ("kind", "params"),
    [("html", {"status": 502}), ("unavailable", {}), ("not_json", {})],
)
async def test_a_pause_request_with_a_lost_answer_is_reconciled_then_resent_once(
    run: Runner, agb: AGB, emu: Any, kind: str, params: dict[str, Any]
) -> None:
    """The fault is answered before the emulator acts: the status read after it still shows
    RUNNING, so the pause is sent again (once), and the wait succeeds."""
    session = await create(run, agb)
    before = requests_to(emu, "/mcp/pauseSessionAsync")
    faults(emu, kind, "/mcp/pauseSessionAsync", **params)

    result = await run(session, "pause", 30, 0.5)

    assert result.success, result.error_message
    assert result.reconciled
    assert result.status == "PAUSED"
    assert requests_to(emu, "/mcp/pauseSessionAsync") == before + 2


async def test_unreadable_answers_of_label_calls_raise(run: Runner, agb: AGB, emu: Any) -> None:
    session = await create(run, agb, labels={"a": "b"})
    faults(emu, "truncated_json", "/sdk/GetLabel", times=3)

    with pytest.raises(MalformedResponseError) as raised:
        await run(session, "get_labels")
    assert raised.value.request_id


async def test_null_data_and_create_failures(run: Runner, agb: AGB, emu: Any) -> None:
    session = await create(run, agb)
    faults(emu, "null_data", "/mcp/getSession", times=3)
    got = await run(agb, "get_session", session.session_id)
    assert not got.success
    assert isinstance(got.error, MalformedResponseError)
    assert got.request_id

    faults(emu, "create_fail", "/mcp/createSession", message="no capacity")
    created = await run(agb, "create", CreateSessionParams(image_id="img"))
    assert not created.success
    assert "no capacity" in created.error_message
    assert isinstance(created.error, APIError)


async def test_a_failed_context_sync_still_deletes(run: Runner, agb: AGB, emu: Any) -> None:
    session = await create(run, agb, context_syncs=[ContextSync("ctx-9", "/data")])
    faults(emu, "context_sync_fail", "/sdk/SyncContext", message="disk full")

    result = await run(session, "delete", sync_context=True)

    assert result.success
    assert result.context_synced is False
    assert "disk full" in result.context_sync_error
    assert (await run(agb, "get_session", session.session_id)).code == (
        "InvalidMcpSession.NotFound"
    )


async def test_a_wrong_key_is_an_authentication_failure(run: Runner, emu: Any) -> None:
    from agb.exceptions import AuthenticationError

    with AGB(api_key="wrong-key", cfg=Config(emu.base_url, 5000)) as agb:
        result = await run(agb, "get_session", "s-1")
    assert not result.success
    assert isinstance(result.error, AuthenticationError)
    assert result.http_status_code == 403
    assert "wrong-key" not in str(result.error)


async def test_debug_logs_of_a_lifecycle_never_show_the_key(
    run: Runner, agb: AGB, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        session = await create(run, agb, labels={"x": "y"})
        await run(session, "set_labels", {"x": "z"})
        await run(session, "pause", 30, 0.5)
        await run(session, "resume", 30, 0.5)
        await run(session, "delete")

    text = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert_no_key(text, KEY)
    ours = [r.getMessage() for r in caplog.records if r.name == "agb" and r.levelname == "DEBUG"]
    pattern = re.compile(r"^(GET|POST) /\S+ -> \d{3} request_id=[0-9A-F-]{36} in \d+\.\d ms")
    assert ours
    assert all(pattern.match(line) for line in ours), ours


def test_async_methods_across_successive_event_loops(agb: AGB) -> None:
    """Each asyncio.run has a new loop; real pooled connections of the old one are not reused."""

    async def once() -> bool:
        result = await agb.list_async()
        return result.success

    assert asyncio.run(once())
    assert asyncio.run(once())
    assert asyncio.run(once())


# --------------------------------------------------------------------------- published script


@pytest.fixture
def agb_emulator_config() -> Any:
    """The published script's emulator (the plugin's ``agb_emulator``): this key, no transition
    time (the script polls every 2 s of real time)."""
    return emulator.EmulatorConfig(
        api_key=KEY, transition_seconds=0.0, stale_seconds=0.0, context_sync_seconds=0.0
    )


def test_the_published_lifecycle_script_runs_unchanged(agb_emulator: Any) -> None:
    """tests/facade/published_lifecycle.py uses only the published client's names."""
    env = {
        **os.environ,
        "AGB_ENDPOINT": agb_emulator.base_url,
        "AGB_API_KEY": KEY,
        "AGB_TIMEOUT_MS": "10000",
    }
    done = subprocess.run(
        [sys.executable, str(HERE / "published_lifecycle.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "lifecycle OK" in done.stdout
    for step in ("create", "set_labels", "get_labels", "info", "get_link", "get_status"):
        assert f"[OK] {step}:" in done.stdout, output
    for step in ("pause", "resume", "list", "get", "delete(sync_context=True)"):
        assert f"[OK] {step}:" in done.stdout, output
    assert_no_key(output, KEY)
