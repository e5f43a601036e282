"""Plans of a session's details: ``set_labels``, ``get_labels``, ``info``, ``get_link``,
``get_status`` and ``keep_alive``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from typing import Any

from agb._checks import check_labels, check_link, invalid
from agb._effects import Call, Plan
from agb._envelope import Reply
from agb._plans.sessions import CLIENT_TOKEN_LABEL, labels_json
from agb._reading import (
    data_of,
    failed,
    fetch_result,
    link_fields,
    loads,
    malformed,
    succeeded,
    text,
)
from agb._retry import RetryPolicy, request
from agb._waits import session_body, status_of
from agb.model.response import OperationResult, SessionInfo, SessionStatusResult
from agb_api_client.api.labels import get_label, set_label
from agb_api_client.api.sessions import (
    get_link as get_link_endpoint,
)
from agb_api_client.api.sessions import (
    get_mcp_resource,
    get_session_info,
    refresh_session_idle_time,
)
from agb_api_client.models import (
    DesktopInfo,
    EmptyRequest,
    LabelData,
    LinkData,
    McpResourceData,
    SessionStatusData,
)
from agb_api_client.types import UNSET

__all__ = ["get_labels", "get_link", "get_status", "info", "keep_alive", "set_labels"]


def set_labels(policy: RetryPolicy, session_id: str, labels: object) -> Plan[OperationResult[None]]:
    """Replace the session's labels."""
    problem = check_labels(labels)
    if problem:
        return invalid(OperationResult, problem)
    assert isinstance(labels, Mapping)
    kwargs = {"session_id": session_id, "labels": labels_json(labels), "body": EmptyRequest()}
    call = Call("setLabel", set_label, kwargs, idempotent=True)
    return (yield from fetch_result(policy, call, OperationResult, None, lambda _model: {}))


def _label_text(value: object) -> str:
    """A label value as text: a string as is, anything else as its JSON text."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _label_page(reply: Reply) -> tuple[dict[str, str], str] | Reply:
    """The labels of one page and the next page's token, or a failed reply."""
    data = data_of(reply, LabelData)
    if isinstance(data, Reply):
        return data
    raw = text(data.labels)
    try:
        page = loads(raw) if raw.strip() else {}
    except ValueError as error:
        return malformed(reply, f"data.labels is not valid JSON text ({error})")
    if not isinstance(page, dict):
        return malformed(reply, f"data.labels is JSON {type(page).__name__}, expected an object")
    return {str(key): _label_text(value) for key, value in page.items()}, text(data.next_token)


def get_labels(policy: RetryPolicy, session_id: str) -> Plan[OperationResult[dict[str, str]]]:
    """The session's labels as a ``dict`` in ``data``, following every page; the client token
    label each create is tagged with (``agb.client_token``) is left out.

    A value that is not a string (the service sends strings) is kept as its JSON text. A page
    token the service already gave is a failure (it would loop forever), not the end.
    """
    labels: dict[str, str] = {}
    token = ""
    tokens: set[str] = set()
    first: Reply | None = None
    while True:
        kwargs = {"session_id": session_id, "next_token": token or UNSET}
        reply = yield from request(policy, Call("getLabel", get_label, kwargs, idempotent=True))
        if not reply.ok:
            return failed(OperationResult, reply)
        first = first or reply
        page = _label_page(reply)
        if isinstance(page, Reply):
            return failed(OperationResult, page)
        labels.update(page[0])
        token = page[1]
        if not token:
            labels.pop(CLIENT_TOKEN_LABEL, None)  # the SDK's own tag of the create, not the user's
            return succeeded(OperationResult, first, data=labels)
        if token in tokens:
            why = f"the service gave the page token {token!r} twice; the labels would never end"
            return failed(OperationResult, malformed(reply, why))
        tokens.add(token)


def _details(session_id: str, data: McpResourceData) -> dict[str, Any]:
    details: SessionInfo = {
        "session_id": text(data.session_id) or session_id,
        "resource_url": text(data.resource_url),
    }
    desktop = data.desktop_info
    if isinstance(desktop, DesktopInfo):
        details["app_id"] = text(desktop.app_id)
        details["auth_code"] = text(desktop.auth_code)
        details["connection_properties"] = text(desktop.connection_properties)
        details["resource_id"] = text(desktop.resource_id)
        details["resource_type"] = text(desktop.resource_type)
        details["ticket"] = text(desktop.ticket)
    for name, value in link_fields(data).items():
        if value:
            details[name] = value  # type: ignore[literal-required]  # names of SessionInfo
    return {"data": details}


def info(policy: RetryPolicy, session_id: str) -> Plan[OperationResult[SessionInfo]]:
    """The session's resource details as a ``dict`` in ``data``."""
    call = Call("getMcpResource", get_mcp_resource, session_body(session_id), idempotent=True)
    read = partial(_details, session_id)
    return (yield from fetch_result(policy, call, OperationResult, McpResourceData, read))


def _url(data: LinkData) -> dict[str, Any] | str:
    url = text(data.url)
    return {"data": url} if url else "the answer has no url"


def get_link(
    policy: RetryPolicy, session_id: str, protocol_type: object, port: object
) -> Plan[OperationResult[str]]:
    """A URL reaching ``port`` of the session, in ``data``."""
    checked = check_link(protocol_type, port)
    if isinstance(checked, str):
        return invalid(OperationResult, checked)
    protocol, number = checked
    kwargs: dict[str, Any] = {
        "session_id": session_id,
        "protocol_type": protocol if protocol is not None else UNSET,
        "port": number if number is not None else UNSET,
    }
    call = Call("getLink", get_link_endpoint, kwargs, idempotent=True)
    return (yield from fetch_result(policy, call, OperationResult, LinkData, _url))


def _status(data: SessionStatusData) -> dict[str, Any]:
    return {"status": status_of(data)}


def get_status(policy: RetryPolicy, session_id: str) -> Plan[SessionStatusResult]:
    """The session's status, from ``getSessionInfo``."""
    call = Call("getSessionInfo", get_session_info, session_body(session_id), idempotent=True)
    return (yield from fetch_result(policy, call, SessionStatusResult, SessionStatusData, _status))


def _model_data(model: Any) -> dict[str, Any]:
    data = getattr(model, "data", None)
    return {"data": None if data is UNSET else data}


def keep_alive(policy: RetryPolicy, session_id: str) -> Plan[OperationResult[object]]:
    """Reset the session's idle timer."""
    kwargs = {"session_id": session_id, "body": EmptyRequest()}
    call = Call("refreshSessionIdleTime", refresh_session_idle_time, kwargs, idempotent=True)
    return (yield from fetch_result(policy, call, OperationResult, None, _model_data))
