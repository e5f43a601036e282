"""Answers spelled as other service versions have spelled them, replayed from real traffic.

The recording emulator speaks each form (``EmulatorConfig.wire_form``, the ``resource_error``
fault); the SDK must read every one as it reads the spec's form (``docs/wire-forms.md``).
"""

from __future__ import annotations

import pytest

from agb import APIError, CreateSessionParams, Session
from tests.support.cassettes import Rig

pytestmark = pytest.mark.vcr

IMAGE = "agb-code-space-1"
POLL = 0.5
LABELS = {"team": "wire", "form": "other"}


async def lifecycle(rig: Rig) -> None:
    """Every operation of a session's life succeeds and reads what the service said."""
    created = await rig.call(rig.agb.create, CreateSessionParams(image_id=IMAGE, labels=LABELS))
    assert created.success, created.error_message
    assert created.request_id == rig.request_ids("/mcp/createSession")[0]
    session = created.session
    assert isinstance(session, Session)
    assert session.session_id.startswith("session-")

    labels = await rig.call(session.get_labels)
    assert labels.success, labels.error_message
    assert labels.data == LABELS
    assert labels.request_id == rig.request_ids("/sdk/GetLabel")[0]

    info = await rig.call(session.info)
    assert info.success, info.error_message
    assert info.data["session_id"] == session.session_id
    assert info.data["resource_url"].startswith("https://")

    link = await rig.call(session.get_link, port=30100)
    assert link.success, link.error_message
    assert session.session_id in link.data

    found = await rig.call(rig.agb.get_session, session.session_id)
    assert found.success, found.error_message
    assert found.data.status == "RUNNING"

    listed = await rig.call(rig.agb.list, LABELS)
    assert listed.success, listed.error_message
    assert listed.session_ids == [session.session_id]

    paused = await rig.call(session.pause, poll_interval=POLL)
    assert (paused.success, paused.status) == (True, "PAUSED"), paused.error_message
    resumed = await rig.call(session.resume, poll_interval=POLL)
    assert (resumed.success, resumed.status) == (True, "RUNNING"), resumed.error_message
    deleted = await rig.call(session.delete, poll_interval=POLL)
    assert deleted.success, deleted.error_message
    assert deleted.request_id == rig.request_ids("/mcp/releaseSessionAsync")[0]


@pytest.mark.emulator(wire_form="pascal")
async def test_lifecycle_with_pascal_case_envelopes(rig: Rig) -> None:
    await lifecycle(rig)


@pytest.mark.emulator(wire_form="body")
async def test_lifecycle_with_answers_wrapped_in_body(rig: Rig) -> None:
    await lifecycle(rig)


async def test_resource_error_inside_a_success_envelope(rig: Rig) -> None:
    created = await rig.call(rig.agb.create, CreateSessionParams(image_id=IMAGE))
    session = created.session
    assert isinstance(session, Session)
    rig.fault("resource_error", message="the resource is not ready yet")
    result = await rig.call(session.info)
    assert result.success is False
    assert type(result.error) is APIError
    assert result.error_message == "getMcpResource failed: the resource is not ready yet"
    assert result.code == ""  # the service gave none for the failure, only "ok" beside it
    assert result.http_status_code == 200
    assert result.request_id == rig.request_ids("/mcp/getMcpResource")[0]
    assert rig.waits == []
