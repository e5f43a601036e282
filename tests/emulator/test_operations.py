"""Labels, info, links, keep-alive, context sync, ids: the wire shapes, over real HTTP."""

from __future__ import annotations

import json

import httpx
import pytest

from agb.emulator import EmulatorConfig, ManualClock, create_app
from tests.support.wire import AUTH, SYNC, Wire, assert_error, assert_ok


def test_set_label_replaces_and_get_label_returns_json_text(wire: Wire) -> None:
    sid = wire.create_id(labels={"a": "1", "b": "2"})
    data = assert_ok(wire.get_labels(sid))["data"]
    assert json.loads(data["labels"]) == {"a": "1", "b": "2"}
    assert data["count"] == 2
    assert data["nextToken"] == ""
    assert data["maxResults"] == 10
    body = assert_ok(wire.set_labels(sid, {"c": "3", "ünï": "cödé"}))
    assert "data" not in body
    data = assert_ok(wire.get_labels(sid))["data"]
    assert json.loads(data["labels"]) == {"c": "3", "ünï": "cödé"}  # replaced, not merged
    assert_ok(wire.set_labels(sid, {}))
    assert json.loads(assert_ok(wire.get_labels(sid))["data"]["labels"]) == {}


def test_get_label_pages_with_an_opaque_token(wire: Wire) -> None:
    labels = {f"k{i:02}": str(i) for i in range(25)}
    sid = wire.create_id(labels=labels)
    seen: dict[str, str] = {}
    token = ""
    pages = 0
    while True:
        data = assert_ok(wire.get_labels(sid, maxResults="10", nextToken=token))["data"]
        assert data["count"] == 25
        assert data["maxResults"] == 10
        seen.update(json.loads(data["labels"]))
        pages += 1
        token = data["nextToken"]
        if not token:
            break
    assert seen == labels
    assert pages == 3


def test_get_mcp_resource_has_desktop_info(wire: Wire) -> None:
    created = assert_ok(wire.create())["data"]
    data = assert_ok(wire.resource(created["sessionId"]))["data"]
    assert data["sessionId"] == created["sessionId"]
    assert data["resourceUrl"] == created["resourceUrl"]
    desktop = data["desktopInfo"]
    assert set(desktop) == {
        "appId", "authCode", "connectionProperties", "resourceId", "resourceType", "ticket",
    }  # fmt: skip
    assert desktop["resourceId"] == created["resourceId"]
    assert isinstance(json.loads(desktop["connectionProperties"]), dict)  # JSON text


def test_get_link(wire: Wire) -> None:
    sid = wire.create_id()
    url = assert_ok(wire.link(sid, port="30100"))["data"]["url"]
    assert url == f"https://{sid}-30100.link.agb.invalid/"
    url = assert_ok(wire.link(sid, port="30199", protocolType="wss"))["data"]["url"]
    assert url == f"wss://{sid}-30199.link.agb.invalid/"
    assert assert_ok(wire.link(sid))["data"]["url"] == f"https://{sid}.link.agb.invalid/"


@pytest.mark.parametrize("port", ["30099", "30200", "80", "0", "-1", "abc", "30100.5", ""])
def test_get_link_refuses_ports_outside_the_range(wire: Wire, port: str) -> None:
    sid = wire.create_id()
    assert_error(wire.link(sid, port=port), 400, "InvalidParameter", "port")


def test_keep_alive_answers_success(wire: Wire) -> None:
    sid = wire.create_id()
    assert assert_ok(wire.refresh(sid))["success"] is True


def test_context_sync_tasks_run_then_succeed(wire: Wire, clock: ManualClock) -> None:
    entries = [
        {"contextId": "ctx-1", "path": "/home/a", "policy": '{"uploadPolicy": {}}'},
        {"contextId": "ctx-2", "path": "/home/b"},
    ]
    sid = wire.create_id(persistenceDataList=entries)
    downloads = wire.context_tasks(sid, taskType="download")  # made at start-up
    assert {t["contextId"] for t in downloads} == {"ctx-1", "ctx-2"}
    assert {t["status"] for t in downloads} == {"Pending"}
    clock.advance(SYNC)
    assert {t["status"] for t in wire.context_tasks(sid)} == {"Success"}

    assert_ok(wire.sync(sid))  # no contextId/path: every persistent context, mode upload
    uploads = wire.context_tasks(sid, taskType="upload")
    assert sorted(t["contextId"] for t in uploads) == ["ctx-1", "ctx-2"]
    task = uploads[0]
    assert set(task) == {
        "contextId", "path", "errorMessage", "status", "startTime", "finishTime", "taskType",
    }  # fmt: skip
    assert task["status"] == "Pending"
    assert task["finishTime"] == 0
    assert isinstance(task["startTime"], int)
    clock.advance(SYNC / 2)
    assert {t["status"] for t in wire.context_tasks(sid, taskType="upload")} == {"Running"}
    clock.advance(SYNC / 2)
    done = wire.context_tasks(sid, taskType="upload")
    assert {t["status"] for t in done} == {"Success"}
    assert all(t["finishTime"] >= t["startTime"] and t["errorMessage"] == "" for t in done)


def test_context_sync_of_one_context_and_filters(wire: Wire, clock: ManualClock) -> None:
    sid = wire.create_id(persistenceDataList=[{"contextId": "c1", "path": "/p1"}])
    clock.advance(SYNC)
    assert_ok(wire.sync(sid, contextId="c9", path="/p9", mode="download"))
    only = wire.context_tasks(sid, contextId="c9")
    assert [(t["contextId"], t["path"], t["taskType"]) for t in only] == [("c9", "/p9", "download")]
    assert [t["contextId"] for t in wire.context_tasks(sid, path="/p1")] == ["c1"]
    assert wire.context_tasks(sid, contextId="c1", taskType="upload") == []
    assert_ok(wire.sync(sid, contextId="c9", path="/p9", mode="download"))
    assert len(wire.context_tasks(sid, contextId="c9")) == 1  # a new sync replaces the old task


def test_context_info_of_a_session_without_contexts(wire: Wire) -> None:
    sid = wire.create_id()
    response = wire.client.get("/sdk/GetContextInfo", params={"sessionId": sid})
    assert json.loads(assert_ok(response)["data"]["contextStatus"]) == [
        {"type": "data", "data": "[]"}
    ]


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"contextId": "c1"}, "together"),
        ({"path": "/p"}, "together"),
        ({"mode": "sideways"}, "mode"),
    ],
)
def test_context_sync_refuses_bad_parameters(wire: Wire, params: dict[str, str], word: str) -> None:
    sid = wire.create_id()
    assert_error(wire.sync(sid, **params), 400, "InvalidParameter", word)


def test_every_response_carries_the_request_id_header(wire: Wire) -> None:
    sid = wire.create_id()
    responses = [
        wire.get(sid),
        wire.list(),
        wire.get_labels(sid),
        wire.get("nope"),
        wire.client.get("/nowhere"),
        wire.client.put("/mcp/getSession"),
        httpx.get(str(wire.client.base_url) + "/sdk/ListSession"),  # no auth
    ]
    ids = [r.headers["x-request-id"] for r in responses]
    assert [r.json()["requestId"] for r in responses] == ids
    assert len(set(ids)) == len(ids)


async def _ids_of_a_scripted_run(seed: int | None) -> list[str]:
    app = create_app(EmulatorConfig(seed=seed, clock=ManualClock()))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://e", headers=AUTH) as c:
        created = assert_ok(await c.post("/mcp/createSession", params={"imageId": "i"}, json={}))
        got = assert_ok(
            await c.post("/mcp/getSession", json={"sessionId": created["data"]["sessionId"]})
        )
    data = created["data"]
    return [
        created["requestId"], got["requestId"], data["sessionId"], data["resourceId"],
        data["appInstanceId"], data["token"], data["resourceUrl"],
    ]  # fmt: skip


async def test_a_seed_makes_ids_repeat_and_no_seed_makes_them_random() -> None:
    assert await _ids_of_a_scripted_run(42) == await _ids_of_a_scripted_run(42)
    assert await _ids_of_a_scripted_run(42) != await _ids_of_a_scripted_run(43)
    assert await _ids_of_a_scripted_run(None) != await _ids_of_a_scripted_run(None)
