"""Edges: arguments refused before any request, retries given up, odd context answers, policies."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from agb import AGB, ContextSync, CreateSessionParams, Session
from agb.context_sync import (
    BWList,
    Lifecycle,
    MappingPolicy,
    RecyclePolicy,
    SyncPolicy,
    UploadMode,
    UploadPolicy,
    WhiteList,
)
from agb.exceptions import ClientClosedError, RateLimitError
from tests.support.fakes import SID, FakeServer, Runner, fail, ok, status_answer


@pytest.mark.parametrize(
    ("params", "named"),
    [
        (CreateSessionParams(image_id="i", context_syncs=["ctx"]), "context_syncs"),  # type: ignore[list-item]
        (CreateSessionParams(image_id="i", idle_release_timeout=0), "idle_release_timeout"),
        (CreateSessionParams(image_id="i", idle_release_timeout=1.5), "idle_release_timeout"),  # type: ignore[arg-type]
    ],
)  # fmt: skip
async def test_create_refuses_bad_parameters(
    run: Runner, agb: AGB, server: FakeServer, params: CreateSessionParams, named: str
) -> None:
    result = await run(agb, "create", params)

    assert not result.success
    assert named in result.error_message
    assert server.requests == []


async def test_create_succeeds_when_the_context_download_fails(
    run: Runner, agb: AGB, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.on("/mcp/createSession", ok({"sessionId": SID, "success": True}, request_id="r-c"))
    server.on("/sdk/GetContextInfo", fail(403, "AccessDenied", "no"))

    with caplog.at_level(logging.WARNING, logger="agb"):
        result = await run(
            agb, "create", CreateSessionParams(image_id="i", context_syncs=[ContextSync("c", "/d")])
        )

    assert result.success
    assert result.request_id == "r-c"
    assert any("context download did not complete" in r.getMessage() for r in caplog.records)


async def test_a_retry_after_beyond_a_minute_is_not_waited_for(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on("/mcp/getSession", fail(429, "Throttling", headers={"Retry-After": "3600"}))

    result = await run(agb, "get_session", SID)

    assert not result.success
    assert isinstance(result.error, RateLimitError)
    assert result.error.retry_after == 3600
    assert len(server.requests) == 1
    assert server.clock.sleeps == []


@pytest.mark.parametrize(
    ("method", "kwargs", "named"),
    [
        ("list", {"next_token": 5}, "next_token"),
        ("list", {"limit": "10"}, "limit"),
    ],
)
async def test_list_refuses_bad_arguments(
    run: Runner, agb: AGB, server: FakeServer, method: str, kwargs: dict[str, Any], named: str
) -> None:
    result = await run(agb, method, **kwargs)

    assert not result.success
    assert named in result.error_message
    assert server.requests == []


@pytest.mark.parametrize("protocol", ["", "  ", 443])
async def test_get_link_refuses_a_bad_protocol(
    run: Runner, session: Session, server: FakeServer, protocol: Any
) -> None:
    result = await run(session, "get_link", protocol)

    assert not result.success
    assert "protocol_type" in result.error_message
    assert server.requests == []


async def test_a_failed_page_hop_names_the_page(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on(
        "/sdk/ListSession",
        ok([{"sessionId": "s-1"}], nextToken="t2"),
        fail(400, "InvalidParameter", "bad token", request_id="r-hop"),
    )

    result = await run(agb, "list", page=2)

    assert not result.success
    assert result.error_message.startswith("cannot reach page 2: ")
    assert result.request_id == "r-hop"


@pytest.mark.parametrize(
    ("context_status", "why"),
    [
        (json.dumps({"type": "data"}), "expected a list"),
        (json.dumps([{"type": "data", "data": json.dumps({"x": 1})}]), "not a list of tasks"),
    ],
)
async def test_context_status_of_the_wrong_shape_is_reported_by_delete(
    run: Runner, session: Session, server: FakeServer, context_status: str, why: str
) -> None:
    server.on("/sdk/SyncContext", ok())
    server.on("/sdk/GetContextInfo", ok({"contextStatus": context_status}))
    server.on("/mcp/releaseSessionAsync", ok())
    server.on("/mcp/getSession", status_answer("FINISH"))

    result = await run(session, "delete", sync_context=True)

    assert result.success
    assert result.context_synced is False
    assert why in result.context_sync_error


async def test_context_status_that_cannot_be_read_is_reported_by_delete(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/sdk/SyncContext", ok())
    server.on("/sdk/GetContextInfo", fail(403, "AccessDenied", "no context access"))
    server.on("/mcp/releaseSessionAsync", ok())
    server.on("/mcp/getSession", status_answer("FINISH"))

    result = await run(session, "delete", sync_context=True)

    assert result.success
    assert result.context_synced is False
    assert "could not be read" in result.context_sync_error
    assert "no context access" in result.context_sync_error


# --------------------------------------------------------------------------- policies


def test_policies_serialise_with_the_wire_names() -> None:
    policy = SyncPolicy(
        upload_policy=UploadPolicy(auto_upload=False, upload_mode=UploadMode.ARCHIVE),
        recycle_policy=RecyclePolicy(Lifecycle.LIFECYCLE_1DAY, ["/data"]),
        bw_list=BWList([WhiteList("/data", ["/data/tmp"])]),
        mapping_policy=MappingPolicy.default(),
    )
    wire = json.loads(policy.to_json())
    assert wire["uploadPolicy"] == {
        "autoUpload": False,
        "uploadStrategy": "UploadBeforeResourceRelease",
        "uploadMode": "Archive",
    }
    assert wire["recyclePolicy"] == {"lifecycle": "Lifecycle_1Day", "paths": ["/data"]}
    assert wire["bwList"] == {"whiteLists": [{"path": "/data", "excludePaths": ["/data/tmp"]}]}
    assert wire["mappingPolicy"] == {"path": ""}
    assert SyncPolicy.default() == SyncPolicy()


def test_policies_accept_wire_values_for_enums() -> None:
    assert UploadPolicy(upload_mode="Archive").upload_mode is UploadMode.ARCHIVE  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: UploadPolicy(upload_mode="Zip"), "Invalid upload_mode value: Zip"),
        (lambda: RecyclePolicy(paths=["/data/*"]), "Wildcard patterns are not supported"),
        (lambda: WhiteList("/a?"), "not supported in path"),
        (lambda: WhiteList("/a", ["/a/[b]"]), "not supported in exclude_paths"),
        (lambda: ContextSync("", "/d"), "context_id"),
        (lambda: ContextSync("c", " "), "path"),
    ],
)
def test_policies_refuse_bad_values(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("?", r"\?").replace("*", r"\*")):
        make()


async def test_a_closed_client_says_so(
    run: Runner, agb: AGB, server: FakeServer, session: Session
) -> None:
    server.on("/mcp/getSession", ok({"sessionId": SID, "status": "RUNNING"}))
    assert (await run(agb, "get_session", SID)).success
    if run.is_async:
        await agb.aclose()
    else:
        agb.close()

    with pytest.raises(ClientClosedError, match="closed"):
        await run(agb, "get_session", SID)
    with pytest.raises(RuntimeError):  # ClientClosedError is a RuntimeError too
        await run(session, "get_labels")
    assert server.paths == ["/mcp/getSession"]
