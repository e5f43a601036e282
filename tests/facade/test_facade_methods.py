"""Every public method of AGB and Session, sync and async: the wire request and the result."""

from __future__ import annotations

import json

import pytest

from agb import (
    AGB,
    ContextSync,
    CreateSessionParams,
    DeleteResult,
    GetSessionResult,
    OperationResult,
    Session,
    SessionListResult,
    SessionPauseResult,
    SessionResult,
    SessionResumeResult,
    SessionStatusResult,
    SyncPolicy,
    __version__,
)
from tests.support.clock import FakeClock
from tests.support.fakes import (
    KEY,
    NOT_FOUND,
    SID,
    FakeServer,
    Runner,
    Seen,
    ok,
    session_data,
    status_answer,
)


def assert_wire(seen: Seen, method: str, path: str) -> None:
    """Method, path and the headers every request carries."""
    assert seen.target == f"{method} {path}"
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    user_agent = seen.headers["user-agent"]
    assert user_agent.startswith(f"agb-sessions-python/{__version__} ")
    assert seen.headers["content-type"] == "application/json"


CREATED = {
    "sessionId": "s-new",
    "resourceUrl": "https://resource.example.invalid/?r=1",
    "appInstanceId": "ai-9",
    "resourceId": "r-9",
    "success": True,
    "errMsg": "",
    "linkUrl": "https://link.example.invalid/",
    "wsUrl": "wss://ws.example.invalid/",
    "token": "tok-1",
}


def context_status(*tasks: tuple[str, str, str]) -> dict[str, str]:
    """``data`` of GetContextInfo: JSON text in JSON text, as the service sends it."""
    rows = [
        {
            "contextId": context_id,
            "path": "/data",
            "errorMessage": "disk full" if status == "Failed" else "",
            "status": status,
            "startTime": 1700000000,
            "finishTime": 1700000001,
            "taskType": task_type,
        }
        for context_id, task_type, status in tasks
    ]
    return {"contextStatus": json.dumps([{"type": "data", "data": json.dumps(rows)}])}


# --------------------------------------------------------------------------- AGB


async def test_create(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on("/mcp/createSession", ok(CREATED, request_id="req-create"))
    params = CreateSessionParams(image_id="agb-code-space-1", labels={"team": "sdk"})

    result = await run(agb, "create", params)

    assert isinstance(result, SessionResult)
    assert result.success, result.error_message
    assert result.request_id == "req-create"
    session = result.session
    assert isinstance(session, Session)
    assert session.session_id == "s-new"
    assert session.resource_url == CREATED["resourceUrl"]
    assert session.app_instance_id == "ai-9"
    assert session.resource_id == "r-9"
    assert session.image_id == "agb-code-space-1"
    assert session.agb is agb
    [seen] = server.requests
    assert_wire(seen, "POST", "/mcp/createSession")
    assert seen.query["imageId"] == "agb-code-space-1"
    stats = json.loads(seen.query["sdkStats"])
    assert stats == {
        "source": "sdk",
        "sdk_language": "python",
        "sdk_version": __version__,
        "is_release": True,
    }
    # The user's labels, and the client token label the SDK tags each create with.
    assert json.loads(seen.body["labels"]) == {"team": "sdk", "agb.client_token": "token-1"}
    assert "persistenceDataList" not in seen.body


async def test_create_with_context_syncs_waits_for_downloads(
    run: Runner, agb: AGB, server: FakeServer, clock: FakeClock
) -> None:
    server.on("/mcp/createSession", ok(CREATED))
    server.on(
        "/sdk/GetContextInfo",
        ok(context_status(("ctx-1", "download", "Running"))),
        ok(context_status(("ctx-1", "download", "Success"))),
    )
    params = CreateSessionParams(
        image_id="img", context_syncs=[ContextSync("ctx-1", "/data", SyncPolicy())]
    )

    result = await run(agb, "create", params)

    assert result.success
    body = server.to("/mcp/createSession")[0].body
    [entry] = body["persistenceDataList"]
    assert entry["contextId"] == "ctx-1"
    assert entry["path"] == "/data"
    assert json.loads(entry["policy"]) == SyncPolicy().to_dict()
    assert server.paths.count("/sdk/GetContextInfo") == 2
    assert server.to("/sdk/GetContextInfo")[0].query == {"sessionId": "s-new"}
    assert clock.sleeps == [2.0]


async def test_create_with_policy_and_idle_timeout(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on("/mcp/createSession", ok(CREATED))
    params = CreateSessionParams(image_id="img", policy_id="pol-1", idle_release_timeout=600)

    assert (await run(agb, "create", params)).success

    body = server.last.body
    labels = '{"agb.client_token": "token-1"}'
    assert body == {"mcpPolicyId": "pol-1", "timeout": 600, "labels": labels}


async def test_get_session(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on("/mcp/getSession", ok(session_data("PAUSED", extra_field=1), request_id="r-g"))

    result = await run(agb, "get_session", SID)

    assert isinstance(result, GetSessionResult)
    assert result.success
    assert result.request_id == "r-g"
    assert result.http_status_code == 200
    assert result.data is not None
    assert result.data.status == "PAUSED"
    assert result.data.session_id == SID
    assert result.data.app_instance_id == "ai-1"
    assert result.data.resource_id == "r-1"
    assert result.data.extra == {"extra_field": 1}
    [seen] = server.requests
    assert_wire(seen, "POST", "/mcp/getSession")
    assert seen.body == {"sessionId": SID}


async def test_get(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on("/mcp/getSession", ok(session_data("RUNNING"), request_id="r-get"))

    result = await run(agb, "get", SID)

    assert isinstance(result, SessionResult)
    assert result.success
    assert result.request_id == "r-get"
    assert result.session is not None
    assert result.session.session_id == SID
    assert result.session.resource_id == "r-1"
    assert_wire(server.last, "POST", "/mcp/getSession")


async def test_get_not_found_is_a_failed_result(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on("/mcp/getSession", NOT_FOUND)

    result = await run(agb, "get", "s-unknown")

    assert not result.success
    assert result.session is None
    assert result.code == "InvalidMcpSession.NotFound"
    assert result.request_id == "req-gone"
    assert result.http_status_code == 400


async def test_list_one_page(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on(
        "/sdk/ListSession",
        ok(
            [
                {"sessionId": "s-1", "sessionStatus": "RUNNING"},
                {"sessionId": "s-2", "sessionStatus": "PAUSED"},
            ],
            request_id="r-list",
            nextToken="tok-2",
            maxResults=2,
            count=5,
        ),
    )

    result = await run(agb, "list", labels={"team": "sdk"}, limit=2)

    assert isinstance(result, SessionListResult)
    assert result.success
    assert result.session_ids == ["s-1", "s-2"]
    assert [s.status for s in result.sessions] == ["RUNNING", "PAUSED"]
    assert result.next_token == "tok-2"
    assert result.max_results == 2
    assert result.total_count == 5
    assert result.request_id == "r-list"
    [seen] = server.requests
    assert_wire(seen, "GET", "/sdk/ListSession")
    assert seen.query == {"labels": '{"team": "sdk"}', "maxResults": "2"}


async def test_list_without_filter_sends_empty_labels(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on("/sdk/ListSession", ok([], nextToken="", maxResults=10, count=0))

    result = await run(agb, "list")

    assert result.success
    assert result.session_ids == []
    assert server.last.query == {"labels": "{}", "maxResults": "10"}


async def test_list_page_walks_the_tokens(run: Runner, agb: AGB, server: FakeServer) -> None:
    def page(seen: Seen):
        token = seen.query.get("nextToken", "")
        number = {"": 1, "t2": 2, "t3": 3}[token]
        rows = [{"sessionId": f"s-{number}", "sessionStatus": "RUNNING"}]
        following = {1: "t2", 2: "t3", 3: ""}[number]
        return ok(rows, request_id=f"r-p{number}", nextToken=following, maxResults=1, count=3)

    server.on("/sdk/ListSession", page)

    result = await run(agb, "list", page=3, limit=1)

    assert result.success
    assert result.session_ids == ["s-3"]
    assert result.request_id == "r-p3"
    assert result.next_token == ""
    assert [seen.query.get("nextToken") for seen in server.requests] == [None, "t2", "t3"]


async def test_list_next_token_starts_from_it(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on("/sdk/ListSession", ok([{"sessionId": "s-9"}], nextToken="", count=9))

    result = await run(agb, "list", limit=5, next_token="t-from-before")

    assert result.session_ids == ["s-9"]
    assert server.last.query["nextToken"] == "t-from-before"


async def test_list_page_past_the_end_fails(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on("/sdk/ListSession", ok([{"sessionId": "s-1"}], nextToken="", count=1))

    result = await run(agb, "list", page=2)

    assert not result.success
    assert "page 2" in result.error_message
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("kwargs", "named"), [({"page": 0}, "page"), ({"limit": -1}, "limit"), ({"page": True}, "page")]
)
async def test_list_refuses_bad_paging(
    run: Runner, agb: AGB, server: FakeServer, kwargs: dict[str, object], named: str
) -> None:
    result = await run(agb, "list", **kwargs)

    assert not result.success
    assert named in result.error_message
    assert server.requests == []


async def test_agb_delete_delegates(
    run: Runner, agb: AGB, server: FakeServer, session: Session
) -> None:
    server.on("/mcp/releaseSessionAsync", ok(request_id="r-del"))
    server.on("/mcp/getSession", status_answer("DELETING"), NOT_FOUND)

    result = await run(agb, "delete", session)

    assert isinstance(result, DeleteResult)
    assert result.success
    assert result.request_id == "r-del"
    assert result.status == "FINISH"
    assert result.context_synced is None
    assert result.context_tasks == []
    assert server.paths == ["/mcp/releaseSessionAsync", "/mcp/getSession", "/mcp/getSession"]
    assert_wire(server.requests[0], "POST", "/mcp/releaseSessionAsync")
    assert server.requests[0].body == {"sessionId": SID}


async def test_agb_pause_and_resume_delegate(
    run: Runner, agb: AGB, server: FakeServer, session: Session
) -> None:
    server.on("/mcp/pauseSessionAsync", ok(request_id="r-pause"))
    server.on("/mcp/resumeSessionAsync", ok(request_id="r-resume"))
    server.on("/mcp/getSession", status_answer("PAUSED"), status_answer("RUNNING"))

    paused = await run(agb, "pause", session, 10, 1.0)
    resumed = await run(agb, "resume", session, timeout=10, poll_interval=1.0)

    assert isinstance(paused, SessionPauseResult)
    assert isinstance(resumed, SessionResumeResult)
    assert (paused.success, paused.status, paused.request_id) == (True, "PAUSED", "r-pause")
    assert (resumed.success, resumed.status, resumed.request_id) == (True, "RUNNING", "r-resume")
    assert [s.target for s in server.requests] == [
        "POST /mcp/pauseSessionAsync",
        "POST /mcp/getSession",
        "POST /mcp/resumeSessionAsync",
        "POST /mcp/getSession",
    ]
    assert server.requests[0].body == {"sessionId": SID}
    assert server.requests[2].body == {"sessionId": SID}


async def test_agb_delegates_refuse_what_is_not_a_session(run: Runner, agb: AGB) -> None:
    with pytest.raises(TypeError, match=r"agb\.Session"):
        await run(agb, "pause", SID)


# --------------------------------------------------------------------------- Session


async def test_set_labels(run: Runner, session: Session, server: FakeServer) -> None:
    server.on("/sdk/SetLabel", ok(request_id="r-set"))

    result = await run(session, "set_labels", {"env": "test", "owner": "me"})

    assert isinstance(result, OperationResult)
    assert (result.success, result.request_id, result.data) == (True, "r-set", None)
    [seen] = server.requests
    assert_wire(seen, "POST", "/sdk/SetLabel")
    assert seen.query["sessionId"] == SID
    assert json.loads(seen.query["Labels"]) == {"env": "test", "owner": "me"}
    assert seen.body == {}


async def test_get_labels(run: Runner, session: Session, server: FakeServer) -> None:
    server.on(
        "/sdk/GetLabel",
        ok({"labels": '{"env": "test"}', "count": 1, "nextToken": "", "maxResults": 10}),
    )

    result = await run(session, "get_labels")

    assert (result.success, result.data) == (True, {"env": "test"})
    [seen] = server.requests
    assert_wire(seen, "GET", "/sdk/GetLabel")
    assert seen.query == {"sessionId": SID}


async def test_get_labels_follows_pages(run: Runner, session: Session, server: FakeServer) -> None:
    server.on(
        "/sdk/GetLabel",
        ok({"labels": '{"a": "1"}', "nextToken": "n2"}, request_id="r-l1"),
        ok({"labels": '{"b": "2"}', "nextToken": ""}, request_id="r-l2"),
    )

    result = await run(session, "get_labels")

    assert result.data == {"a": "1", "b": "2"}
    assert result.request_id == "r-l1"
    assert [s.query.get("nextToken") for s in server.requests] == [None, "n2"]


async def test_info(run: Runner, session: Session, server: FakeServer) -> None:
    desktop = {
        "appId": "app-1",
        "authCode": "auth-1",
        "connectionProperties": "{}",
        "resourceId": "r-1",
        "resourceType": "AIAgent",
        "ticket": "t-1",
    }
    server.on(
        "/mcp/getMcpResource",
        ok({"sessionId": SID, "resourceUrl": "https://r.invalid/", "desktopInfo": desktop}),
    )

    result = await run(session, "info")

    assert result.success
    assert result.data == {
        "session_id": SID,
        "resource_url": "https://r.invalid/",
        "app_id": "app-1",
        "auth_code": "auth-1",
        "connection_properties": "{}",
        "resource_id": "r-1",
        "resource_type": "AIAgent",
        "ticket": "t-1",
    }
    [seen] = server.requests
    assert_wire(seen, "POST", "/mcp/getMcpResource")
    assert seen.body == {"sessionId": SID}


async def test_get_link(run: Runner, session: Session, server: FakeServer) -> None:
    server.on("/internet/getLink", ok({"url": "https://s-1-30100.link.invalid/"}))

    result = await run(session, "get_link", "https", 30100)

    assert (result.success, result.data) == (True, "https://s-1-30100.link.invalid/")
    [seen] = server.requests
    assert_wire(seen, "GET", "/internet/getLink")
    assert seen.query == {"sessionId": SID, "protocolType": "https", "port": "30100"}


async def test_get_link_without_arguments(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/internet/getLink", ok({"url": "https://s-1.link.invalid/"}))

    assert (await run(session, "get_link")).data == "https://s-1.link.invalid/"
    assert server.last.query == {"sessionId": SID}


async def test_get_link_accepts_a_port_as_digits(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/internet/getLink", ok({"url": "https://s-1-30150.link.invalid/"}))

    assert (await run(session, "get_link", port="30150")).success
    assert server.last.query["port"] == "30150"


@pytest.mark.parametrize("port", [80, 30200, "http", "-30100", True, 30100.0])
async def test_get_link_refuses_a_bad_port(
    run: Runner, session: Session, server: FakeServer, port: object
) -> None:
    result = await run(session, "get_link", port=port)

    assert not result.success
    assert "port" in result.error_message
    assert server.requests == []


async def test_get_status(run: Runner, session: Session, server: FakeServer) -> None:
    server.on("/mcp/getSessionInfo", ok({"status": "PAUSING"}, request_id="r-st"))

    result = await run(session, "get_status")

    assert isinstance(result, SessionStatusResult)
    assert (result.success, result.status, result.request_id) == (True, "PAUSING", "r-st")
    [seen] = server.requests
    assert_wire(seen, "POST", "/mcp/getSessionInfo")
    assert seen.body == {"sessionId": SID}


async def test_keep_alive(run: Runner, session: Session, server: FakeServer) -> None:
    server.on("/mcp/refreshSessionIdleTime", ok(request_id="r-ka"))

    result = await run(session, "keep_alive")

    assert (result.success, result.request_id) == (True, "r-ka")
    [seen] = server.requests
    assert_wire(seen, "POST", "/mcp/refreshSessionIdleTime")
    assert seen.query == {"sessionId": SID}
    assert seen.body == {}


async def test_pause(run: Runner, session: Session, server: FakeServer, clock: FakeClock) -> None:
    server.on("/mcp/pauseSessionAsync", ok(request_id="r-pause"))
    server.on(
        "/mcp/getSession",
        status_answer("RUNNING"),
        status_answer("PAUSING"),
        status_answer("PAUSED", request_id="r-last-poll"),
    )

    result = await run(session, "pause", timeout=60, poll_interval=2.0)

    assert isinstance(result, SessionPauseResult)
    assert result.success
    assert result.status == "PAUSED"
    assert result.request_id == "r-pause"
    # The first poll comes one interval after the request.
    assert result.elapsed == pytest.approx(6.0)
    assert result.error is None
    result.raise_for_status()
    assert clock.sleeps == [2.0, 2.0, 2.0]
    assert_wire(server.requests[0], "POST", "/mcp/pauseSessionAsync")
    assert server.requests[0].body == {"sessionId": SID}
    for poll in server.requests[1:]:
        assert_wire(poll, "POST", "/mcp/getSession")
        assert poll.body == {"sessionId": SID}


async def test_resume(run: Runner, session: Session, server: FakeServer, clock: FakeClock) -> None:
    server.on("/mcp/resumeSessionAsync", ok(request_id="r-resume"))
    server.on(
        "/mcp/getSession",
        status_answer("PAUSED"),
        status_answer("RESUMING"),
        status_answer("RUNNING"),
    )

    result = await run(session, "resume", timeout=60, poll_interval=3.0)

    assert isinstance(result, SessionResumeResult)
    assert (result.success, result.status, result.request_id) == (True, "RUNNING", "r-resume")
    assert clock.sleeps == [3.0, 3.0, 3.0]
    assert_wire(server.requests[0], "POST", "/mcp/resumeSessionAsync")


async def test_session_delete(
    run: Runner, session: Session, server: FakeServer, clock: FakeClock
) -> None:
    server.on("/mcp/releaseSessionAsync", ok(request_id="r-del"))
    server.on("/mcp/getSession", status_answer("DELETING"), status_answer("FINISH"))

    result = await run(session, "delete")

    assert (result.success, result.status, result.request_id) == (True, "FINISH", "r-del")
    assert clock.sleeps == [1.0, 1.0]
    assert result.context_synced is None


async def test_session_helpers(agb: AGB, session: Session) -> None:
    assert session.get_session_id() == SID
    assert session.get_api_key() == KEY
    assert session.get_client() is agb.raw
    assert session == Session(agb, SID)
    assert hash(session) == hash(Session(agb, SID))
    assert KEY not in repr(session)
    with pytest.raises(ValueError, match="session_id"):
        Session(agb, "  ")


async def test_create_waits_for_downloads_no_longer_than_its_timeout(
    run: Runner, agb: AGB, server: FakeServer, clock: FakeClock
) -> None:
    server.on("/mcp/createSession", ok(CREATED))
    server.on(
        "/sdk/GetContextInfo",
        *[ok(context_status(("ctx-1", "download", "Running"))) for _ in range(4)],
    )
    params = CreateSessionParams(image_id="img", context_syncs=[ContextSync("ctx-1", "/data")])

    result = await run(agb, "create", params, timeout=2.5, poll_interval=1.0)

    assert result.success
    assert result.session is not None
    # Polls at 0, 1, 2 and 2.5 s: the last wait is cut to the time left.
    assert clock.sleeps == [1.0, 1.0, 0.5]
    assert server.paths.count("/sdk/GetContextInfo") == 4


@pytest.mark.parametrize(
    ("timeout", "poll_interval", "named"),
    [
        (0, 2.0, "timeout"),
        (-1, 2.0, "timeout"),
        (300, 0, "poll_interval"),
        (300, True, "poll_interval"),
    ],
)
async def test_create_refuses_a_bad_wait_before_any_request(
    run: Runner, agb: AGB, server: FakeServer, timeout: float, poll_interval: float, named: str
) -> None:
    params = CreateSessionParams(image_id="img")

    with pytest.raises(ValueError, match=named):
        await run(agb, "create", params, timeout=timeout, poll_interval=poll_interval)
    assert server.requests == []
