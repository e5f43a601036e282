"""The generated client speaks the AGB wire protocol (../shared/agb-wire.md) exactly.

The table below is written from the wire facts, not from the spec, so that a spec mistake shows
up here as a failing request against the real generated code.
"""

from __future__ import annotations

import json
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest

import agb_api_client.api
from agb_api_client.api.contexts import get_context_info, sync_context
from agb_api_client.api.labels import get_label, set_label
from agb_api_client.api.sessions import (
    create_session,
    get_link,
    get_mcp_resource,
    get_session,
    get_session_info,
    list_sessions,
    pause_session_async,
    refresh_session_idle_time,
    release_session_async,
    resume_session_async,
)
from agb_api_client.models import (
    CreateSessionRequest,
    CreateSessionResponse,
    EmptyRequest,
    GetContextInfoResponse,
    GetLabelResponse,
    GetLinkResponse,
    GetMcpResourceResponse,
    GetSessionInfoResponse,
    GetSessionResponse,
    ListSessionsResponse,
    OperationResponse,
    PersistenceData,
    SessionIdRequest,
)
from tests.support.fakes import Seen

LABELS = '{"project": "demo"}'
POLICY = '{"uploadPolicy": {"autoUpload": true}}'
SDK_STATS = '{"source": "sdk", "sdk_language": "python", "sdk_version": "0.1.0"}'


@dataclass(frozen=True)
class Operation:
    """One row of the wire table: how to call it, and what must go over the wire."""

    operation_id: str
    endpoint: ModuleType
    kwargs: dict[str, Any]
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None  # None: no body at all (GET)
    parsed: type = OperationResponse


def by_id(session_id: str = "s-1") -> dict[str, Any]:
    return {"body": SessionIdRequest(session_id=session_id)}


OPERATIONS = [
    Operation(
        "createSession",
        create_session,
        {
            "image_id": "agb-code-space-1",
            "sdk_stats": SDK_STATS,
            "body": CreateSessionRequest(
                labels=LABELS,
                persistence_data_list=[
                    PersistenceData(context_id="ctx-1", path="/home/user/data", policy=POLICY)
                ],
                mcp_policy_id="policy-1",
                timeout=600,
            ),
        },
        "POST",
        "/mcp/createSession",
        query={"imageId": "agb-code-space-1", "sdkStats": SDK_STATS},
        body={
            "labels": LABELS,
            "persistenceDataList": [
                {"contextId": "ctx-1", "path": "/home/user/data", "policy": POLICY}
            ],
            "mcpPolicyId": "policy-1",
            "timeout": 600,
        },
        parsed=CreateSessionResponse,
    ),
    Operation(
        "getSession",
        get_session,
        by_id(),
        "POST",
        "/mcp/getSession",
        body={"sessionId": "s-1"},
        parsed=GetSessionResponse,
    ),
    Operation(
        "getSessionInfo",
        get_session_info,
        by_id(),
        "POST",
        "/mcp/getSessionInfo",
        body={"sessionId": "s-1"},
        parsed=GetSessionInfoResponse,
    ),
    Operation(
        "listSessions",
        list_sessions,
        {"max_results": 10, "next_token": "tok", "labels": LABELS},
        "GET",
        "/sdk/ListSession",
        query={"maxResults": "10", "nextToken": "tok", "labels": LABELS},
        parsed=ListSessionsResponse,
    ),
    Operation(
        "pauseSessionAsync",
        pause_session_async,
        by_id(),
        "POST",
        "/mcp/pauseSessionAsync",
        body={"sessionId": "s-1"},
    ),
    Operation(
        "resumeSessionAsync",
        resume_session_async,
        by_id(),
        "POST",
        "/mcp/resumeSessionAsync",
        body={"sessionId": "s-1"},
    ),
    Operation(
        "releaseSessionAsync",
        release_session_async,
        by_id(),
        "POST",
        "/mcp/releaseSessionAsync",
        body={"sessionId": "s-1"},
    ),
    Operation(
        "setLabel",
        set_label,
        {"session_id": "s-1", "labels": LABELS, "body": EmptyRequest()},
        "POST",
        "/sdk/SetLabel",
        query={"sessionId": "s-1", "Labels": LABELS},
        body={},
    ),
    Operation(
        "getLabel",
        get_label,
        {"session_id": "s-1", "max_results": 10, "next_token": "tok"},
        "GET",
        "/sdk/GetLabel",
        query={"sessionId": "s-1", "maxResults": "10", "nextToken": "tok"},
        parsed=GetLabelResponse,
    ),
    Operation(
        "getMcpResource",
        get_mcp_resource,
        by_id(),
        "POST",
        "/mcp/getMcpResource",
        body={"sessionId": "s-1"},
        parsed=GetMcpResourceResponse,
    ),
    Operation(
        "getLink",
        get_link,
        {"session_id": "s-1", "protocol_type": "https", "port": 30100},
        "GET",
        "/internet/getLink",
        query={"sessionId": "s-1", "protocolType": "https", "port": "30100"},
        parsed=GetLinkResponse,
    ),
    Operation(
        "refreshSessionIdleTime",
        refresh_session_idle_time,
        {"session_id": "s-1", "body": EmptyRequest()},
        "POST",
        "/mcp/refreshSessionIdleTime",
        query={"sessionId": "s-1"},
        body={},
    ),
    Operation(
        "syncContext",
        sync_context,
        {
            "session_id": "s-1",
            "context_id": "ctx-1",
            "path": "/home/user/data",
            "mode": "upload",
            "body": EmptyRequest(),
        },
        "POST",
        "/sdk/SyncContext",
        query={
            "sessionId": "s-1",
            "contextId": "ctx-1",
            "path": "/home/user/data",
            "mode": "upload",
        },
        body={},
    ),
    Operation(
        "getContextInfo",
        get_context_info,
        {
            "session_id": "s-1",
            "context_id": "ctx-1",
            "path": "/home/user/data",
            "task_type": "upload",
        },
        "GET",
        "/sdk/GetContextInfo",
        query={
            "sessionId": "s-1",
            "contextId": "ctx-1",
            "path": "/home/user/data",
            "taskType": "upload",
        },
        parsed=GetContextInfoResponse,
    ),
]
OPERATION_IDS = [operation.operation_id for operation in OPERATIONS]


def spec_operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (METHOD, path, operation object) for every operation of the spec."""
    found = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            found[operation["operationId"]] = (method.upper(), path, operation)
    return found


def example_200(spec: dict[str, Any], operation_id: str) -> dict[str, Any]:
    operation = spec_operations(spec)[operation_id][2]
    example: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"][
        "example"
    ]
    return example


def check_request(server_requests: list[Seen], operation: Operation) -> None:
    assert len(server_requests) == 1, "exactly one request per call"
    request = server_requests[0]
    assert request.method == operation.method
    assert request.url.path == operation.path
    assert request.url.host == "sdk-api.agb.cloud"
    query = request.url.params.multi_items()
    assert dict(query) == operation.query
    assert len(query) == len(operation.query), f"a query name is repeated: {query}"
    assert request.headers.get_list("authorization") == ["Bearer sk-test-0123"]
    if operation.body is None:
        assert request.content == b""
    else:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == operation.body


def check_response(response: Any, operation: Operation, example: dict[str, Any]) -> None:
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-wire"
    assert isinstance(response.parsed, operation.parsed)
    assert response.parsed.to_dict() == example


def test_the_table_covers_every_operation_of_the_spec(openapi_spec: dict[str, Any]) -> None:
    in_spec = spec_operations(openapi_spec)
    assert sorted(in_spec) == sorted(OPERATION_IDS)
    assert len(OPERATIONS) == len(in_spec)  # one row each, no more
    for operation in OPERATIONS:
        assert in_spec[operation.operation_id][:2] == (operation.method, operation.path)


def test_the_table_covers_every_generated_endpoint() -> None:
    generated = {
        f"{group.name}.{module.name}"
        for group in pkgutil.iter_modules(agb_api_client.api.__path__)
        for module in pkgutil.iter_modules(
            [f"{agb_api_client.api.__path__[0]}/{group.name}"],
        )
    }
    tested = {operation.endpoint.__name__.split(".", 2)[2] for operation in OPERATIONS}
    assert tested == generated


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
def test_sync_call_sends_the_wire_request(
    operation: Operation, fake_server: Any, openapi_spec: dict[str, Any]
) -> None:
    example = example_200(openapi_spec, operation.operation_id)
    server = fake_server(lambda _: server.answer(200, example, request_id="req-wire"))
    with server.client() as client:
        response = operation.endpoint.sync_detailed(client=client, **operation.kwargs)
    check_request(server.requests, operation)
    check_response(response, operation, example)


@pytest.mark.parametrize("operation", OPERATIONS, ids=OPERATION_IDS)
async def test_async_call_sends_the_wire_request(
    operation: Operation, fake_server: Any, openapi_spec: dict[str, Any]
) -> None:
    example = example_200(openapi_spec, operation.operation_id)
    server = fake_server(lambda _: server.answer(200, example, request_id="req-wire"))
    async with server.client() as client:
        response = await operation.endpoint.asyncio_detailed(client=client, **operation.kwargs)
    check_request(server.requests, operation)
    check_response(response, operation, example)


def test_auth_header_is_lowercase_authorization_bearer(fake_server: Any) -> None:
    server = fake_server(lambda _: server.answer(200, {"success": True}))
    with server.client() as client:
        pause_session_async.sync_detailed(client=client, body=SessionIdRequest(session_id="s-1"))
    raw = server.last.headers.raw
    assert [(k, v) for k, v in raw if k.lower() == b"authorization"] == [
        (b"authorization", b"Bearer sk-test-0123")
    ]
