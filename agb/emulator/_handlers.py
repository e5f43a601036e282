"""The operations of the wire API: one handler per operation id of ``openapi.yaml``.

A handler reads the parsed request of a :class:`Call`, calls the emulator's state and returns
a :class:`Reply`; the endpoint around it (:func:`endpoint`) parses, applies the request's fault
and renders the envelope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import attrs
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from agb.emulator._errors import ApiError, invalid
from agb.emulator._state import Emulator
from agb.emulator._wire import (
    EXCHANGE_KEY,
    NO_DATA,
    NO_QUERY,
    Exchange,
    body_session_id,
    error_response,
    ok_body,
    parse_label_map,
    parse_persistence,
    query_int,
    query_optional,
    query_required,
    read_json_object,
    render,
    short,
    whole_seconds,
)

_PROTOCOLS: Final = frozenset({"http", "https", "ws", "wss"})
# How a service without pause and resume answers them (``pause_supported=False``): the answer
# of an Alibaba Cloud API gateway for an action it does not have (docs/emulator.md says why).
_NO_SUCH_ACTION: Final = (
    404,
    "InvalidAction.NotFound",
    "Specified api is not found, please check your url and method.",
)
_LINK_PORTS: Final = range(30100, 30200)


@attrs.frozen
class Call:
    """One parsed request for a handler.

    Attributes:
        em: The emulator's state.
        exchange: The request as the middleware saw it (method, fault).
        query: The query parameters.
        body: The JSON object body (``{}`` for GET operations).
        extra: Extra keyword arguments a fault gives the operation's call into the state.
    """

    em: Emulator
    exchange: Exchange
    query: QueryParams
    body: dict[str, Any]
    extra: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Reply:
    """A success envelope's content: ``data`` (if any), ``message`` and top-level fields."""

    data: Any = NO_DATA
    message: str = ""
    top: Mapping[str, Any] | None = None


Handler = Callable[[Call], Reply]


def create_session(call: Call) -> Reply:
    """createSession."""
    query, body = call.query, call.body
    image_id = query_required(query, "imageId")
    labels_text = body.get("labels", "")
    if not isinstance(labels_text, str):
        raise invalid("labels must be a string (JSON text of an object)")
    labels = parse_label_map(labels_text, "labels") if labels_text else {}
    persistence = parse_persistence(body.get("persistenceDataList", []))
    policy_id = body.get("mcpPolicyId", "")
    if not isinstance(policy_id, str):
        raise invalid("mcpPolicyId must be a string")
    data = call.em.create_session(
        image_id=image_id,
        labels=labels,
        persistence=persistence,
        mcp_policy_id=policy_id,
        timeout=whole_seconds(body.get("timeout", 0), "timeout"),
    )
    return Reply(data)


def get_session(call: Call) -> Reply:
    """getSession."""
    return Reply(call.em.get_session(body_session_id(call.body)))


def get_session_info(call: Call) -> Reply:
    """getSessionInfo."""
    return Reply({"status": call.em.session_status(body_session_id(call.body))})


def list_sessions(call: Call) -> Reply:
    """listSessions (ListSession)."""
    query = call.query
    max_results = query_int(query, "maxResults", default=10, cap=call.em.config.max_page_size)
    labels_text = query.get("labels")
    labels = {} if labels_text is None else parse_label_map(labels_text, "labels")
    items, token, count = call.em.list_sessions(
        labels=labels, max_results=max_results, next_token=query.get("nextToken") or ""
    )
    return Reply(items, top={"nextToken": token, "maxResults": max_results, "count": count})


def _pause_offered(call: Call) -> None:
    if not call.em.config.pause_supported:
        raise ApiError(*_NO_SUCH_ACTION)


def pause(call: Call) -> Reply:
    """pauseSessionAsync."""
    _pause_offered(call)
    return Reply(message=call.em.pause(body_session_id(call.body)))


def resume(call: Call) -> Reply:
    """resumeSessionAsync."""
    _pause_offered(call)
    return Reply(message=call.em.resume(body_session_id(call.body)))


def release(call: Call) -> Reply:
    """releaseSessionAsync."""
    return Reply(message=call.em.release(body_session_id(call.body)))


def set_label(call: Call) -> Reply:
    """setLabel (the capital-L ``Labels`` query)."""
    session_id = query_required(call.query, "sessionId")
    text = call.query.get("Labels")
    if text is None:
        raise invalid("Labels (capital L) is required in the query string")
    call.em.set_labels(session_id, parse_label_map(text, "Labels"))
    return Reply()


def get_label(call: Call) -> Reply:
    """getLabel."""
    query = call.query
    session_id = query_required(query, "sessionId")
    max_results = query_int(query, "maxResults", default=10, cap=call.em.config.max_page_size)
    data = call.em.get_labels(
        session_id, max_results=max_results, next_token=query.get("nextToken") or ""
    )
    return Reply(data)


def mcp_resource(call: Call) -> Reply:
    """getMcpResource."""
    return Reply(call.em.mcp_resource(body_session_id(call.body)))


def get_link(call: Call) -> Reply:
    """getLink."""
    query = call.query
    session_id = query_required(query, "sessionId")
    protocol = (query_optional(query, "protocolType") or "https").lower()
    if protocol not in _PROTOCOLS:
        raise invalid(f"protocolType must be one of {', '.join(sorted(_PROTOCOLS))}")
    port_text = query.get("port")
    port = None
    if port_text is not None:
        if not (port_text.isascii() and port_text.isdigit() and len(port_text) <= 6):
            raise invalid(
                f"port must be an integer between 30100 and 30199, got {short(port_text)!r}"
            )
        port = int(port_text)
        if port not in _LINK_PORTS:
            raise invalid(f"port must be between 30100 and 30199, got {port}")
    return Reply({"url": call.em.link(session_id, protocol=protocol, port=port)})


def refresh(call: Call) -> Reply:
    """refreshSessionIdleTime."""
    call.em.refresh_idle_time(query_required(call.query, "sessionId"))
    return Reply()


def sync_context(call: Call) -> Reply:
    """syncContext."""
    query = call.query
    session_id = query_required(query, "sessionId")
    context_id = query_optional(query, "contextId")
    path = query_optional(query, "path")
    if (context_id is None) != (path is None):
        raise invalid("contextId and path must be given together, or both left out")
    mode = (query_optional(query, "mode") or "upload").lower()
    if mode not in ("upload", "download"):
        raise invalid("mode must be 'upload' or 'download'")
    call.em.sync_context(session_id, context_id=context_id, path=path, mode=mode, **call.extra)
    return Reply()


def context_info(call: Call) -> Reply:
    """getContextInfo."""
    query = call.query
    status = call.em.context_info(
        query_required(query, "sessionId"),
        context_id=query_optional(query, "contextId"),
        path=query_optional(query, "path"),
        task_type=query_optional(query, "taskType"),
    )
    return Reply({"contextStatus": status})


#: The handler of every operation, by its ``operationId`` in ``openapi.yaml``.
ROUTES: Final[Mapping[str, Handler]] = {
    "createSession": create_session,
    "getSession": get_session,
    "getSessionInfo": get_session_info,
    "listSessions": list_sessions,
    "pauseSessionAsync": pause,
    "resumeSessionAsync": resume,
    "releaseSessionAsync": release,
    "setLabel": set_label,
    "getLabel": get_label,
    "getMcpResource": mcp_resource,
    "getLink": get_link,
    "refreshSessionIdleTime": refresh,
    "syncContext": sync_context,
    "getContextInfo": context_info,
}


def endpoint(
    em: Emulator, handler: Handler, *, operation_id: str, reads_body: bool, body_required: bool
) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint running ``handler``: parse, apply the fault, render.

    Args:
        em: The emulator's state.
        handler: The operation's handler.
        operation_id: Its operation id (``""`` for the admin API), given to fault hooks.
        reads_body: Whether it has a JSON body to read (POST).
        body_required: Whether an empty body is refused (the spec's operations) or ``{}``.
    """

    async def run(request: Request) -> Response:
        exchange: Exchange = request.scope[EXCHANGE_KEY]
        fault = exchange.fault
        try:
            body = (
                await read_json_object(
                    request, required=body_required, deadline=em.config.read_timeout_seconds
                )
                if reads_body
                else {}
            )
            query = request.query_params if request.scope.get("query_string") else NO_QUERY
            extra = {} if fault is None else fault.behaviour.arguments(fault, operation_id)
            reply = handler(Call(em, exchange, query, body, extra))
        except ApiError as err:
            return error_response(exchange, err)
        envelope = ok_body(exchange.request_id, reply.data, reply.message, reply.top)
        return render(exchange, 200, envelope, operation_id=operation_id)

    return run
