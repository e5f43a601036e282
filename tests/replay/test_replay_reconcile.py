"""Reconciling pause, resume and delete requests whose answer was lost, from cassettes; and the
public ``wait_for``.

Recorded from a real emulator with the fault scripted on the request (see ``replay_kit``): the
sync and async variants replay the same cassette. The recording emulator keeps PAUSING /
RESUMING / DELETING for 5 s and shows the old status for the first second; the tests poll
every 2 s, so the status read one interval after a lost answer shows whether it was acted on.
"""

from __future__ import annotations

import pytest

from agb import CreateSessionParams, Session, SessionWaitResult
from tests.support.cassettes import Rig

pytestmark = pytest.mark.vcr

IMAGE = "agb-code-space-1"
POLL = 2.0
PAUSE = "/mcp/pauseSessionAsync"
RESUME = "/mcp/resumeSessionAsync"
RELEASE = "/mcp/releaseSessionAsync"


async def create(rig: Rig) -> Session:
    result = await rig.call(rig.agb.create, CreateSessionParams(image_id=IMAGE))
    assert result.success, result.error_message
    assert result.session is not None
    rig.take_waits()
    return result.session


async def test_pause_answered_503_without_retry_after_is_reconciled(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("unavailable", path=PAUSE)
    result = await rig.call(session.pause, poll_interval=POLL)

    # Its fate unknown, the status is read: still RUNNING, so the pause is sent again, once.
    assert result.success, result.error_message
    assert result.reconciled is True
    assert result.status == "PAUSED"
    assert result.request_id == rig.request_ids(PAUSE)[1]
    assert rig.exchanges()[1:4] == [
        "POST /mcp/pauseSessionAsync 503",
        "POST /mcp/getSession 200",
        "POST /mcp/pauseSessionAsync 200",
    ]
    assert rig.statuses()[0] == "RUNNING"
    assert rig.waits[0] == POLL  # the status is read one interval after the lost answer


async def test_a_dropped_resume_is_reconciled(rig: Rig) -> None:
    session = await create(rig)
    assert (await rig.call(session.pause, poll_interval=POLL)).success
    rig.take_waits()
    before = len(rig.exchanges())
    rig.drop(RESUME)
    result = await rig.call(session.resume, poll_interval=POLL)

    assert result.success, result.error_message
    assert result.reconciled is True
    assert result.status == "RUNNING"
    assert rig.exchanges()[before : before + 2] == [
        "POST /mcp/getSession 200",
        "POST /mcp/resumeSessionAsync 200",
    ]


async def test_a_dropped_delete_is_reconciled(rig: Rig) -> None:
    session = await create(rig)
    rig.drop(RELEASE)
    result = await rig.call(session.delete, poll_interval=POLL)

    assert result.success, result.error_message
    assert result.reconciled is True
    assert result.status == "FINISH"
    assert rig.exchanges()[1:3] == [
        "POST /mcp/getSession 200",
        "POST /mcp/releaseSessionAsync 200",
    ]
    assert rig.exchanges()[-1] == "POST /mcp/getSession 400"  # gone


async def test_a_cut_pause_answer_finds_the_pause_under_way_and_does_not_resend(rig: Rig) -> None:
    session = await create(rig)
    rig.fault("truncated_json", path=PAUSE)  # the emulator acted, the answer was cut short
    result = await rig.call(session.pause, poll_interval=POLL)

    assert result.success, result.error_message
    assert result.reconciled is True
    assert result.status == "PAUSED"
    assert rig.exchanges().count("POST /mcp/pauseSessionAsync 200") == 1
    assert rig.statuses()[0] == "PAUSING"


async def _not_acted_on(rig: Rig, kind: str, status: int) -> None:
    session = await create(rig)
    rig.fault(kind, path=PAUSE, seconds=1)
    result = await rig.call(session.pause, poll_interval=POLL)

    # A 429, or a 503 envelope with Retry-After: not acted on, so sent again without a read.
    assert result.success, result.error_message
    assert result.reconciled is False
    assert rig.exchanges()[1:3] == [
        f"POST /mcp/pauseSessionAsync {status}",
        "POST /mcp/pauseSessionAsync 200",
    ]
    assert rig.waits[0] == 1.0


async def test_a_throttled_pause_is_sent_again_after_retry_after(rig: Rig) -> None:
    await _not_acted_on(rig, "rate_limited", 429)


async def test_a_pause_answered_503_with_retry_after_is_sent_again(rig: Rig) -> None:
    await _not_acted_on(rig, "unavailable", 503)


async def test_wait_for_with_on_status(rig: Rig) -> None:
    session = await create(rig)
    assert (await rig.call(session.pause, poll_interval=POLL)).success
    assert (await rig.call(session.resume, timeout=1, poll_interval=POLL)).code == "WaitTimeout"
    rig.take_waits()
    seen: list[str] = []

    result = await rig.call(
        session.wait_for,
        "Running",
        poll_interval=POLL,
        on_status=lambda status, elapsed: seen.append(status),
    )

    assert isinstance(result, SessionWaitResult)
    assert result.success, result.error_message
    assert result.status == "RUNNING"
    assert result.request_id == rig.request_ids("/mcp/getSession")[-1]
    assert seen == ["RESUMING", "RUNNING"]
    assert rig.waits == [POLL, POLL]


# --------------------------------------------------------------------------- create


async def test_a_cut_create_answer_finds_the_session_by_its_client_token(rig: Rig) -> None:
    rig.fault("truncated_json", path="/mcp/createSession")  # created, the answer cut short
    result = await rig.call(rig.agb.create, CreateSessionParams(image_id=IMAGE, labels={"a": "b"}))

    assert result.success, result.error_message
    assert result.reconciled is True
    assert result.session is not None
    assert result.session.resource_url  # filled in by the getSession that follows the list
    assert rig.exchanges() == [
        "POST /mcp/createSession 200",
        "GET /sdk/ListSession 200",
        "POST /mcp/getSession 200",
    ]
    labels = await rig.call(result.session.get_labels)
    assert labels.data == {"a": "b"}  # the token label is the SDK's, not shown


async def test_a_dropped_create_is_sent_again_when_no_session_has_its_token(rig: Rig) -> None:
    rig.drop("/mcp/createSession")  # answered before the emulator acts: nothing was created
    result = await rig.call(rig.agb.create, CreateSessionParams(image_id=IMAGE))

    assert result.success, result.error_message
    assert result.reconciled is True
    assert rig.exchanges() == ["GET /sdk/ListSession 200", "POST /mcp/createSession 200"]
    listed = await rig.call(rig.agb.list)
    assert listed.session_ids == [result.session.session_id]  # one session, not two
