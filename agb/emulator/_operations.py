"""The operations of the AGB wire API: operation id, HTTP method and path, as in openapi.yaml."""

from __future__ import annotations

from typing import Final

import attrs


@attrs.frozen
class Operation:
    """One operation of the wire API.

    Attributes:
        operation_id: Its ``operationId`` in ``openapi.yaml`` (e.g. ``"getSession"``).
        method: ``"GET"`` or ``"POST"``.
        path: Its path (e.g. ``"/mcp/getSession"``).
    """

    operation_id: str
    method: str
    path: str


#: Every operation of ``openapi.yaml``, in the order the spec lists them.
OPERATIONS: Final[tuple[Operation, ...]] = (
    Operation("createSession", "POST", "/mcp/createSession"),
    Operation("getSession", "POST", "/mcp/getSession"),
    Operation("getSessionInfo", "POST", "/mcp/getSessionInfo"),
    Operation("listSessions", "GET", "/sdk/ListSession"),
    Operation("pauseSessionAsync", "POST", "/mcp/pauseSessionAsync"),
    Operation("resumeSessionAsync", "POST", "/mcp/resumeSessionAsync"),
    Operation("releaseSessionAsync", "POST", "/mcp/releaseSessionAsync"),
    Operation("setLabel", "POST", "/sdk/SetLabel"),
    Operation("getLabel", "GET", "/sdk/GetLabel"),
    Operation("getMcpResource", "POST", "/mcp/getMcpResource"),
    Operation("getLink", "GET", "/internet/getLink"),
    Operation("refreshSessionIdleTime", "POST", "/mcp/refreshSessionIdleTime"),
    Operation("syncContext", "POST", "/sdk/SyncContext"),
    Operation("getContextInfo", "GET", "/sdk/GetContextInfo"),
)

#: Operation id -> operation.
BY_ID: Final[dict[str, Operation]] = {op.operation_id: op for op in OPERATIONS}

#: The paths of the wire API (the only paths a fault can be scripted for).
API_PATHS: Final[frozenset[str]] = frozenset(op.path for op in OPERATIONS)
