"""Every public method's success, replayed from real traffic (sync and async, one cassette each)."""

from __future__ import annotations

import pytest

from agb import (
    ApiResponse,
    ContextSync,
    CreateSessionParams,
    GetSessionResult,
    OperationResult,
    Session,
    SessionListResult,
    SessionResult,
    SessionStatusResult,
    SyncPolicy,
)
from tests.support.cassettes import Rig

pytestmark = pytest.mark.vcr

IMAGE = "agb-code-space-1"


async def create(rig: Rig, **labels: str) -> Session:
    result = await rig.call(rig.agb.create, CreateSessionParams(image_id=IMAGE, labels=labels))
    assert result.success, result.error_message
    assert result.session is not None
    return result.session


def assert_ok(result: ApiResponse, request_id: str) -> None:
    assert result.success is True
    assert result.request_id == request_id
    assert result.http_status_code == 200
    assert result.code == "ok"
    assert result.error is None
    assert result.error_message == ""


async def test_create_with_labels_and_context_sync(rig: Rig) -> None:
    params = CreateSessionParams(
        image_id=IMAGE,
        labels={"team": "sdk", "env": "test"},
        context_syncs=[ContextSync.new("ctx-data", "/home/wuying/data", SyncPolicy())],
        idle_release_timeout=600,
    )
    result = await rig.call(rig.agb.create, params)

    assert isinstance(result, SessionResult)
    assert_ok(result, rig.request_ids("/mcp/createSession")[0])
    session = result.session
    assert session is not None
    assert session.session_id.startswith("session-")
    assert session.image_id == IMAGE
    assert session.resource_url.startswith("https://")
    assert session.app_instance_id
    assert session.resource_id
    assert [c.context_id for c in session.context_syncs] == ["ctx-data"]
    # The download of the mounted context takes 3 s: polled at 0, 2 and 4 s.
    assert rig.waits == [2.0, 2.0]
    assert rig.exchanges() == [
        "POST /mcp/createSession 200",
        "GET /sdk/GetContextInfo 200",
        "GET /sdk/GetContextInfo 200",
        "GET /sdk/GetContextInfo 200",
    ]
    labels = await rig.call(session.get_labels)
    assert labels.data == {"team": "sdk", "env": "test"}


async def test_get(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(rig.agb.get, session.session_id)

    assert isinstance(result, SessionResult)
    assert_ok(result, rig.request_ids("/mcp/getSession")[0])
    assert result.session is not None
    assert result.session.session_id == session.session_id
    assert result.session.resource_url == session.resource_url
    assert result.session.resource_id == session.resource_id
    assert result.session.app_instance_id == session.app_instance_id
    assert rig.waits == []


async def test_get_session(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(rig.agb.get_session, session.session_id)

    assert isinstance(result, GetSessionResult)
    assert_ok(result, rig.request_ids("/mcp/getSession")[0])
    assert result.data is not None
    assert result.data.session_id == session.session_id
    assert result.data.status == "RUNNING"
    assert result.data.resource_url == session.resource_url
    assert result.data.extra == {}


async def test_list_with_label_filter_and_paging(rig: Rig) -> None:
    mine = [(await create(rig, team="a", run="r1")).session_id for _ in range(3)]
    await create(rig, team="b")
    wanted = {"team": "a"}

    first = await rig.call(rig.agb.list, wanted, limit=2)
    assert isinstance(first, SessionListResult)
    assert_ok(first, rig.request_ids("/sdk/ListSession")[0])
    assert first.session_ids == mine[:2]
    assert [s.status for s in first.sessions] == ["RUNNING", "RUNNING"]
    assert first.total_count == 3
    assert first.max_results == 2
    assert first.next_token

    follow = await rig.call(rig.agb.list, wanted, limit=2, next_token=first.next_token)
    assert follow.session_ids == mine[2:]
    assert follow.next_token == ""

    # page=2 walks from the first page: two requests, same answer as following the token.
    second = await rig.call(rig.agb.list, wanted, page=2, limit=2)
    assert second.session_ids == mine[2:]
    assert second.next_token == ""
    assert second.request_id == rig.request_ids("/sdk/ListSession")[3]

    everything = await rig.call(rig.agb.list)
    assert everything.total_count == 4
    assert rig.waits == []


async def test_set_and_get_labels(rig: Rig) -> None:
    session = await create(rig, team="a")
    result = await rig.call(session.set_labels, {"team": "b", "owner": "replay"})
    assert isinstance(result, OperationResult)
    assert_ok(result, rig.request_ids("/sdk/SetLabel")[0])

    labels = await rig.call(session.get_labels)
    assert_ok(labels, rig.request_ids("/sdk/GetLabel")[0])
    assert labels.data == {"team": "b", "owner": "replay"}


async def test_info(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(session.info)
    assert_ok(result, rig.request_ids("/mcp/getMcpResource")[0])
    assert result.data["session_id"] == session.session_id
    assert result.data["resource_url"] == session.resource_url
    assert result.data["resource_id"] == session.resource_id
    assert result.data["app_id"]
    assert result.data["auth_code"]
    assert result.data["ticket"]


async def test_get_link(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(session.get_link, "https", 30150)
    assert_ok(result, rig.request_ids("/internet/getLink")[0])
    assert result.data == f"https://{session.session_id}-30150.link.agb.invalid/"

    default = await rig.call(session.get_link)
    assert default.success
    assert default.data.startswith(f"https://{session.session_id}")


async def test_get_status(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(session.get_status)
    assert isinstance(result, SessionStatusResult)
    assert_ok(result, rig.request_ids("/mcp/getSessionInfo")[0])
    assert result.status == "RUNNING"


async def test_keep_alive(rig: Rig) -> None:
    session = await create(rig)
    result = await rig.call(session.keep_alive)
    assert_ok(result, rig.request_ids("/mcp/refreshSessionIdleTime")[0])
    assert rig.exchanges() == [
        "POST /mcp/createSession 200",
        "POST /mcp/refreshSessionIdleTime 200",
    ]


async def test_get_labels_follows_every_page(rig: Rig) -> None:
    session = await create(rig)
    many = {f"key{n:02}": f"value{n}" for n in range(12)}  # the service pages 10 at a time
    assert (await rig.call(session.set_labels, many)).success

    labels = await rig.call(session.get_labels)
    assert labels.data == many
    assert labels.request_id == rig.request_ids("/sdk/GetLabel")[0]
    assert rig.exchanges()[-2:] == ["GET /sdk/GetLabel 200", "GET /sdk/GetLabel 200"]


async def test_list_page_past_the_end(rig: Rig) -> None:
    for _ in range(3):
        await create(rig, team="a")
    result = await rig.call(rig.agb.list, {"team": "a"}, page=3, limit=2)

    assert result.success is False
    assert "only 2 pages" in result.error_message
    assert result.total_count == 3
    assert result.request_id == rig.request_ids("/sdk/ListSession")[-1]
    assert rig.exchanges()[3:] == ["GET /sdk/ListSession 200", "GET /sdk/ListSession 200"]


async def test_labels_with_unicode_and_reserved_characters(rig: Rig) -> None:
    odd = {"名前": "値", "a&b": "c=d", "with space": "50% off", 'quote"d': "{json}"}
    session = await create(rig, **odd)
    assert (await rig.call(session.get_labels)).data == odd

    found = await rig.call(rig.agb.list, {"a&b": "c=d", "名前": "値"})
    assert found.session_ids == [session.session_id]
