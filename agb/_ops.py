"""Every operation of the facade, written once as a plan (see :mod:`agb._plan`).

Plans validate their input, yield :class:`~agb._plan.Call` / :class:`~agb._plan.Sleep` /
``NOW`` effects, and return an immutable result. They hold no I/O, so the sync and async
methods of :class:`~agb.AGB` and :class:`~agb.Session` share them, and tests can drive them
with any clock.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from attrs import Factory, frozen

from agb import exceptions as exc
from agb._constants import INVALID_PARAMETER
from agb._envelope import Reply, is_success_code
from agb._plan import NOW, Call, Plan, Settings, Sleep
from agb._version import __version__
from agb.context_sync import ContextSync, SyncPolicy
from agb.model.response import (
    ApiResponse,
    ContextTaskResult,
    DeleteResult,
    GetSessionData,
    GetSessionResult,
    OperationResult,
    SessionListResult,
    SessionPauseResult,
    SessionResult,
    SessionResumeResult,
    SessionStatusResult,
    SessionSummary,
)
from agb.session_params import CreateSessionParams
from agb_api_client.api.contexts import get_context_info
from agb_api_client.api.contexts import sync_context as sync_context_endpoint
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
    ContextInfoData,
    CreateSessionData,
    CreateSessionRequest,
    DesktopInfo,
    EmptyRequest,
    LabelData,
    LinkData,
    McpResourceData,
    PersistenceData,
    SessionData,
    SessionIdRequest,
    SessionStatusData,
)
from agb_api_client.models import SessionSummary as WireSessionSummary
from agb_api_client.types import UNSET

log = logging.getLogger("agb")
# Children of "agb": enabling "agb" at DEBUG shows them too, and each can be tuned alone.
retry_log = logging.getLogger("agb.retry")
wait_log = logging.getLogger("agb.wait")

KNOWN_STATUSES = frozenset(
    {
        "CREATING",
        "STARTING",
        "RUNNING",
        "PAUSING",
        "PAUSED",
        "RESUMING",
        "DELETING",
        "FINISH",
        "DELETED",
    }
)
GONE_STATUSES = frozenset({"FINISH", "DELETED"})
FINAL_TASK_STATUSES = frozenset({"Success", "Failed"})
MIN_POLL_REQUEST_TIMEOUT = 1.0
MAX_RETRY_AFTER = 60.0
LABEL_PAGES_LIMIT = 100

R = TypeVar("R", bound=ApiResponse)
T = TypeVar("T")


# --------------------------------------------------------------------------- sending


def _transient(error: exc.AGBError | None) -> bool:
    """Whether an error may go away by itself (worth another try of a read)."""
    return isinstance(
        error,
        exc.APIConnectionError | exc.ServerError | exc.RateLimitError | exc.MalformedResponseError,
    )


def send(settings: Settings, call: Call) -> Plan[Reply]:
    """Send ``call``, retrying with capped exponential backoff while that is safe.

    Any request is retried when it certainly never reached the server. An idempotent one is
    also retried after a transient failure (connection lost, timeout, 429, 5xx, unreadable
    answer), waiting ``Retry-After`` when the service gives one.
    """
    attempt = 0
    while True:
        reply: Reply = yield call
        if reply.ok or attempt >= settings.max_retries:
            return reply
        if reply.sent and not (call.idempotent and _transient(reply.error)):
            return reply
        delay = min(settings.max_delay, settings.base_delay * 2**attempt)
        if reply.retry_after is not None:
            if reply.retry_after > MAX_RETRY_AFTER:
                retry_log.debug(
                    "%s: %s; not retried: Retry-After %.0f s is over %.0f s",
                    call.operation,
                    _reason(reply),
                    reply.retry_after,
                    MAX_RETRY_AFTER,
                )
                return reply
            delay = reply.retry_after
        attempt += 1
        retry_log.debug(
            "%s: %s; retry %d of %d in %.2f s",
            call.operation,
            _reason(reply),
            attempt,
            settings.max_retries,
            delay,
        )
        yield Sleep(delay)


def _reason(reply: Reply) -> str:
    """Why ``reply`` failed, in a few words (its error type and message, key already redacted)."""
    error = reply.error
    if error is None:
        return "no error"
    return f"{type(error).__name__}: {error.message}"


# --------------------------------------------------------------------------- reading


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return ""


def _int(value: object, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return default


def _malformed(reply: Reply, what: str) -> Reply:
    error = exc.MalformedResponseError(
        f"{reply.operation}: {what}",
        request_id=reply.request_id,
        code=reply.code,
        http_status_code=reply.http_status,
    )
    return Reply(
        reply.operation,
        request_id=reply.request_id,
        http_status=reply.http_status,
        code=reply.code,
        message=reply.message,
        error=error,
    )


def _data(reply: Reply, kind: type[T]) -> T | Reply:
    """The reply's ``data`` as ``kind``, or a failed reply saying what came instead."""
    data = getattr(reply.model, "data", None)
    if isinstance(data, kind):
        return data
    if data is None or data is UNSET:
        return _malformed(reply, "the answer has no data")
    return _malformed(reply, f"data is a {type(data).__name__}, expected an object")


def fetch(settings: Settings, call: Call, kind: type[T]) -> Plan[tuple[Reply, T | Reply]]:
    """Send ``call`` and read its ``data`` as ``kind``.

    Returns the reply and its data; on any failure the second item is the failed reply.
    """
    reply = yield from send(settings, call)
    if not reply.ok:
        return reply, reply
    return reply, _data(reply, kind)


def ok_fields(reply: Reply) -> dict[str, Any]:
    """Result fields of a successful reply."""
    return {
        "request_id": reply.request_id,
        "success": True,
        "code": reply.code,
        "message": reply.message,
        "http_status_code": reply.http_status,
    }


def failed_fields(reply: Reply) -> dict[str, Any]:
    """Result fields of a failed reply."""
    error = reply.error
    return {
        "request_id": reply.request_id,
        "success": False,
        "error_message": error.message if error else "the operation failed",
        "code": reply.code,
        "message": reply.message,
        "http_status_code": reply.http_status,
        "error": error,
    }


def invalid(result: type[R], message: str, **extra: Any) -> R:
    """A failed result for input refused before any request.

    Its ``code`` is ``InvalidParameter``, the code the service gives for the same mistake, so
    callers can branch on ``code`` whoever found it; ``http_status_code`` stays ``None`` and
    ``request_id`` empty, since nothing was sent.
    """
    return result(
        success=False,
        error_message=message,
        code=INVALID_PARAMETER,
        error=exc.BadRequestError(message, code=INVALID_PARAMETER),
        **extra,
    )


# --------------------------------------------------------------------------- validation


def check_session_id(session_id: object) -> str | None:
    """``None`` if ``session_id`` is usable, else what is wrong with it."""
    if not isinstance(session_id, str) or not session_id.strip():
        return f"session_id must be a non-empty string, got {session_id!r}"
    return None


def check_labels(labels: object, *, allow_empty: bool = False) -> str | None:
    """``None`` if ``labels`` is a usable label map, else a message naming what is wrong."""
    if not isinstance(labels, Mapping):
        return (
            f"labels must be a mapping of string keys to string values, got {type(labels).__name__}"
        )
    if not labels and not allow_empty:
        return "labels must not be empty: give at least one label"
    for key, value in labels.items():
        if not isinstance(key, str) or not key.strip():
            return f"label key {key!r} must be a non-blank string"
        if not isinstance(value, str) or not value.strip():
            return f"label value {value!r} of key {key!r} must be a non-blank string"
    return None


def check_wait(timeout: object, poll_interval: object) -> tuple[float, float]:
    """Validate ``timeout`` and ``poll_interval``.

    Raises:
        ValueError: Naming the argument that is not a finite number > 0.
    """
    values = []
    for name, value in (("timeout", timeout), ("poll_interval", poll_interval)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number of seconds, got {value!r}")
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")
        values.append(float(value))
    return values[0], values[1]


def _labels_json(labels: Mapping[str, str]) -> str:
    return json.dumps(dict(labels), ensure_ascii=False)


def _session_body(session_id: str) -> dict[str, Any]:
    return {"body": SessionIdRequest(session_id=session_id)}


# --------------------------------------------------------------------------- create / get


def sdk_stats() -> str:
    """The JSON text the service expects in ``sdkStats``."""
    stats = {
        "source": "sdk",
        "sdk_language": "python",
        "sdk_version": __version__,
        "is_release": True,
    }
    return json.dumps(stats, separators=(",", ":"))


def _persistence(syncs: list[ContextSync]) -> list[PersistenceData]:
    return [
        PersistenceData(
            context_id=sync.context_id,
            path=sync.path,
            policy=(sync.policy or SyncPolicy()).to_json(),
        )
        for sync in syncs
    ]


SessionFactory = Callable[..., Any]


def create(
    settings: Settings,
    params: object,
    make_session: SessionFactory,
    *,
    timeout: float,
    interval: float,
) -> Plan[SessionResult]:
    """Create a session; with context syncs, wait up to ``timeout`` for their downloads."""
    if params is None:
        return invalid(SessionResult, "params is required: pass CreateSessionParams(image_id=...)")
    if not isinstance(params, CreateSessionParams):
        return invalid(
            SessionResult, f"params must be a CreateSessionParams, got {type(params).__name__}"
        )
    image_id = params.image_id
    if not isinstance(image_id, str) or not image_id.strip():
        return invalid(
            SessionResult, f"image_id is required and must be a non-empty string, got {image_id!r}"
        )
    labels = params.labels or {}
    problem = check_labels(labels, allow_empty=True)
    if problem:
        return invalid(SessionResult, problem)
    syncs: list[object] = list(params.context_syncs or [])
    for sync in syncs:
        if not isinstance(sync, ContextSync):
            return invalid(
                SessionResult,
                f"context_syncs must hold ContextSync objects, got {type(sync).__name__}",
            )
    idle = params.idle_release_timeout
    if idle is not None and (isinstance(idle, bool) or not isinstance(idle, int) or idle <= 0):
        return invalid(
            SessionResult,
            f"idle_release_timeout must be a whole number of seconds > 0, got {idle!r}",
        )
    body = CreateSessionRequest(
        labels=_labels_json(labels) if labels else UNSET,
        persistence_data_list=_persistence(params.context_syncs) if syncs else UNSET,
        mcp_policy_id=params.policy_id if params.policy_id else UNSET,
        timeout=idle if idle is not None else UNSET,
    )
    call = Call(
        "createSession",
        create_session,
        {"body": body, "image_id": image_id, "sdk_stats": sdk_stats()},
    )
    reply, data = yield from fetch(settings, call, CreateSessionData)
    if isinstance(data, Reply):
        return SessionResult(**failed_fields(data))
    if data.success is False:
        why = _text(data.err_msg) or "the service did not create the session"
        code = "" if is_success_code(reply.code) else reply.code
        error = exc.APIError(
            f"createSession failed: {why}",
            request_id=reply.request_id,
            code=code,
            http_status_code=reply.http_status,
        )
        return SessionResult(**{**failed_fields(_with_error(reply, error)), "code": code})
    session_id = _text(data.session_id)
    if not session_id:
        return SessionResult(**failed_fields(_malformed(reply, "the answer has no sessionId")))
    session = make_session(
        session_id=session_id,
        resource_url=_text(data.resource_url),
        app_instance_id=_text(data.app_instance_id),
        resource_id=_text(data.resource_id),
        image_id=image_id,
        link_url=_text(data.link_url),
        ws_url=_text(data.ws_url),
        token=_text(data.token),
        context_syncs=list(params.context_syncs),
    )
    if syncs:
        now = yield NOW
        outcome = yield from wait_context_tasks(
            settings, session_id, ("download",), now + timeout, interval
        )
        if not outcome.ok:
            log.warning(
                "session %s: context download did not complete: %s", session_id, outcome.error
            )
    return SessionResult(**ok_fields(reply), session=session)


def _with_error(reply: Reply, error: exc.AGBError) -> Reply:
    return Reply(
        reply.operation,
        request_id=reply.request_id,
        http_status=reply.http_status,
        code=reply.code,
        message=reply.message,
        error=error,
    )


def _status(data: SessionData | SessionStatusData) -> str:
    """The status in ``data``; some service versions spell the field ``Status``."""
    return _text(data.status) or _text(data.additional_properties.get("Status"))


def get_session_data(settings: Settings, session_id: str) -> Plan[GetSessionResult]:
    """Find a session and its status."""
    problem = check_session_id(session_id)
    if problem:
        return invalid(GetSessionResult, problem)
    reply, data = yield from fetch(
        settings,
        Call("getSession", get_session, _session_body(session_id), idempotent=True),
        SessionData,
    )
    if isinstance(data, Reply):
        return GetSessionResult(**failed_fields(data))
    return GetSessionResult(
        **ok_fields(reply),
        data=GetSessionData(
            session_id=_text(data.session_id) or session_id,
            status=_status(data),
            app_instance_id=_text(data.app_instance_id),
            resource_id=_text(data.resource_id),
            resource_url=_text(data.resource_url),
            extra=dict(data.additional_properties),
        ),
    )


def get(settings: Settings, session_id: str, make_session: SessionFactory) -> Plan[SessionResult]:
    """Find a session and return a :class:`~agb.Session` for it."""
    found = yield from get_session_data(settings, session_id)
    if not found.success or found.data is None:
        fields = {
            name: getattr(found, name)
            for name in (
                "request_id",
                "error_message",
                "code",
                "message",
                "http_status_code",
                "error",
            )
        }
        return SessionResult(success=False, **fields)
    data = found.data
    session = make_session(
        session_id=data.session_id,
        resource_url=data.resource_url,
        app_instance_id=data.app_instance_id,
        resource_id=data.resource_id,
    )
    return SessionResult(
        request_id=found.request_id,
        success=True,
        code=found.code,
        message=found.message,
        http_status_code=found.http_status_code,
        session=session,
    )


def list_page(
    settings: Settings,
    labels: object,
    page: object,
    limit: object,
    next_token: object,
) -> Plan[SessionListResult]:
    """One page of sessions matching ``labels``; ``page`` is 1-based and walks the tokens."""
    labels = {} if labels is None else labels
    problem = check_labels(labels, allow_empty=True)
    if problem:
        return invalid(SessionListResult, problem)
    for name, value in (("page", page), ("limit", limit)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            return invalid(SessionListResult, f"{name} must be a whole number >= 1, got {value!r}")
    if next_token is not None and not isinstance(next_token, str):
        return invalid(SessionListResult, f"next_token must be a string, got {next_token!r}")
    if page is not None and next_token:
        return invalid(
            SessionListResult,
            "give page or next_token, not both: next_token already names the page to start from",
        )
    assert isinstance(labels, Mapping)
    size = limit if isinstance(limit, int) else 10
    token = next_token if isinstance(next_token, str) else ""
    wanted = page if isinstance(page, int) else 1
    for _ in range(wanted):
        call = Call(
            "listSessions",
            list_sessions,
            {"labels": _labels_json(labels), "max_results": size, "next_token": token or UNSET},
            idempotent=True,
        )
        reply = yield from send(settings, call)
        if not reply.ok:
            fields = failed_fields(reply)
            if wanted > 1:
                fields["error_message"] = f"cannot reach page {wanted}: {fields['error_message']}"
            return SessionListResult(**fields, max_results=size)
        model = reply.model
        token = _text(model.next_token)
        if _ == wanted - 1:
            break
        if not token:
            message = f"cannot reach page {wanted}: there are only {_ + 1} pages"
            return invalid(
                SessionListResult,
                message,
                request_id=reply.request_id,
                max_results=size,
                total_count=_int(model.count),
            )
    rows = model.data
    if rows is None or rows is UNSET:
        rows = []  # an empty page may come without data
    if not isinstance(rows, list) or not all(isinstance(r, WireSessionSummary) for r in rows):
        bad = _malformed(reply, "data is not a list of sessions")
        return SessionListResult(**failed_fields(bad), max_results=size)
    sessions = [
        SessionSummary(session_id=_text(row.session_id), status=_text(row.session_status))
        for row in rows
        if _text(row.session_id)
    ]
    return SessionListResult(
        **ok_fields(reply),
        session_ids=[item.session_id for item in sessions],
        sessions=sessions,
        next_token=token,
        max_results=_int(model.max_results, size),
        total_count=_int(model.count),
    )


# --------------------------------------------------------------------------- session operations


def set_labels(settings: Settings, session_id: str, labels: object) -> Plan[OperationResult]:
    """Replace the session's labels."""
    problem = check_labels(labels)
    if problem:
        return invalid(OperationResult, problem)
    assert isinstance(labels, Mapping)
    call = Call(
        "setLabel",
        set_label,
        {"session_id": session_id, "labels": _labels_json(labels), "body": EmptyRequest()},
        idempotent=True,
    )
    reply = yield from send(settings, call)
    if not reply.ok:
        return OperationResult(**failed_fields(reply))
    return OperationResult(**ok_fields(reply))


def get_labels(settings: Settings, session_id: str) -> Plan[OperationResult]:
    """The session's labels as a ``dict`` in ``data`` (following every page)."""
    labels: dict[str, Any] = {}
    token = ""
    first: Reply | None = None
    for _ in range(LABEL_PAGES_LIMIT):
        call = Call(
            "getLabel",
            get_label,
            {"session_id": session_id, "next_token": token or UNSET},
            idempotent=True,
        )
        reply = yield from send(settings, call)
        if not reply.ok:
            return OperationResult(**failed_fields(reply))
        first = first or reply
        data = _data(reply, LabelData)
        if isinstance(data, Reply):
            return OperationResult(**failed_fields(data))
        text = _text(data.labels)
        try:
            page = json.loads(text) if text.strip() else {}
        except ValueError as error:
            bad = _malformed(reply, f"data.labels is not valid JSON text ({error})")
            return OperationResult(**failed_fields(bad))
        if not isinstance(page, dict):
            bad = _malformed(
                reply, f"data.labels is JSON {type(page).__name__}, expected an object"
            )
            return OperationResult(**failed_fields(bad))
        labels.update(page)
        token = _text(data.next_token)
        if not token:
            break
    assert first is not None
    return OperationResult(**ok_fields(first), data=labels)


def info(settings: Settings, session_id: str) -> Plan[OperationResult]:
    """The session's resource details as a ``dict`` in ``data``."""
    reply, data = yield from fetch(
        settings,
        Call("getMcpResource", get_mcp_resource, _session_body(session_id), idempotent=True),
        McpResourceData,
    )
    if isinstance(data, Reply):
        return OperationResult(**failed_fields(data))
    details: dict[str, Any] = {
        "session_id": _text(data.session_id) or session_id,
        "resource_url": _text(data.resource_url),
    }
    desktop = data.desktop_info
    if isinstance(desktop, DesktopInfo):
        details.update(
            app_id=_text(desktop.app_id),
            auth_code=_text(desktop.auth_code),
            connection_properties=_text(desktop.connection_properties),
            resource_id=_text(desktop.resource_id),
            resource_type=_text(desktop.resource_type),
            ticket=_text(desktop.ticket),
        )
    return OperationResult(**ok_fields(reply), data=details)


LINK_PORTS = range(30100, 30200)
LINK_PROTOCOLS = ("http", "https", "ws", "wss")


def link(
    settings: Settings, session_id: str, protocol_type: object, port: object
) -> Plan[OperationResult]:
    """A URL reaching ``port`` of the session, in ``data``."""
    if protocol_type is not None and (
        not isinstance(protocol_type, str) or protocol_type.strip().lower() not in LINK_PROTOCOLS
    ):
        return invalid(
            OperationResult,
            f"protocol_type must be one of {', '.join(LINK_PROTOCOLS)} or None, "
            f"got {protocol_type!r}",
        )
    if isinstance(port, str) and port.strip().isdecimal():
        port = int(port)  # the published client sends str(port), so "30100" worked there
    if port is not None and (
        isinstance(port, bool) or not isinstance(port, int) or port not in LINK_PORTS
    ):
        return invalid(
            OperationResult, f"port must be a whole number from 30100 to 30199, got {port!r}"
        )
    kwargs: dict[str, Any] = {
        "session_id": session_id,
        "protocol_type": protocol_type if protocol_type is not None else UNSET,
        "port": port if port is not None else UNSET,
    }
    reply, data = yield from fetch(
        settings, Call("getLink", get_link, kwargs, idempotent=True), LinkData
    )
    if isinstance(data, Reply):
        return OperationResult(**failed_fields(data))
    url = _text(data.url)
    if not url:
        return OperationResult(**failed_fields(_malformed(reply, "the answer has no url")))
    return OperationResult(**ok_fields(reply), data=url)


def status(settings: Settings, session_id: str) -> Plan[SessionStatusResult]:
    """The session's status, from ``getSessionInfo``."""
    reply, data = yield from fetch(
        settings,
        Call("getSessionInfo", get_session_info, _session_body(session_id), idempotent=True),
        SessionStatusData,
    )
    if isinstance(data, Reply):
        return SessionStatusResult(**failed_fields(data))
    return SessionStatusResult(**ok_fields(reply), status=_status(data))


def keep_alive(settings: Settings, session_id: str) -> Plan[OperationResult]:
    """Reset the session's idle timer."""
    call = Call(
        "refreshSessionIdleTime",
        refresh_session_idle_time,
        {"session_id": session_id, "body": EmptyRequest()},
        idempotent=True,
    )
    reply = yield from send(settings, call)
    if not reply.ok:
        return OperationResult(**failed_fields(reply))
    data = getattr(reply.model, "data", None)
    return OperationResult(**ok_fields(reply), data=None if data is UNSET else data)


# --------------------------------------------------------------------------- waiting


@frozen
class Waited:
    """How a wait for a status ended.

    Attributes:
        reached: The target was reached (or, for deletion, the session is gone).
        status: The last status seen.
        reply: The last reply.
        timed_out: The deadline passed first.
        polls: Status requests made.
    """

    reached: bool
    status: str
    reply: Reply
    timed_out: bool = False
    polls: int = 0


def _gone(reply: Reply) -> bool:
    """Whether a failed status request says the session no longer exists.

    Decided by the error code's class (``InvalidMcpSession.NotFound``, ``SessionNotFound``, ...),
    never by the message text. A bare HTTP 404 without an envelope code (a proxy's page, a wrong
    path) is not taken as proof that the session is gone.
    """
    return isinstance(reply.error, exc.NotFoundError) and bool(reply.code)


def wait_for_status(
    settings: Settings,
    session_id: str,
    *,
    target: str,
    deadline: float,
    interval: float,
    deleting: bool = False,
) -> Plan[Waited]:
    """Poll ``getSession`` until ``target`` (or, when ``deleting``, until the session is gone).

    A status the target cannot come from (``FINISH``/``DELETED``, ``DELETING``, or a not-found
    error code, reported as status ``FINISH``) ends the wait at once; other statuses, including
    unknown ones and the old status shown right after the request, keep it going. A transient
    failure of one poll is retried within the deadline.
    """
    last = ""
    unknown: set[str] = set()
    polls = 0
    while True:
        now = yield NOW
        per_request = min(settings.http_timeout, max(deadline - now, MIN_POLL_REQUEST_TIMEOUT))
        reply: Reply = yield Call(
            "getSession", get_session, _session_body(session_id), True, per_request
        )
        polls += 1
        wait = interval
        if reply.ok:
            data = getattr(reply.model, "data", None)
            seen = _status(data) if isinstance(data, SessionData) else ""
            if seen and seen != last:
                wait_log.debug("session %s: status %s (poll %d)", session_id, seen, polls)
            last = seen or last
            if seen == target or (deleting and seen in GONE_STATUSES):
                return Waited(True, seen, reply, polls=polls)
            if not deleting and (seen in GONE_STATUSES or seen == "DELETING"):
                return Waited(False, seen, reply, polls=polls)
            if seen and seen not in KNOWN_STATUSES and seen not in unknown:
                unknown.add(seen)
                log.info(
                    "session %s reports status %r, unknown to this SDK; still waiting",
                    session_id,
                    seen,
                )
        elif _gone(reply):
            return Waited(deleting, "FINISH", reply, polls=polls)
        elif _transient(reply.error):
            if reply.retry_after is not None:
                wait = max(interval, reply.retry_after)
            wait_log.debug(
                "session %s: status poll %d failed (%s); polling again in %.2f s",
                session_id,
                polls,
                _reason(reply),
                wait,
            )
        else:
            return Waited(False, last, reply, polls=polls)
        now = yield NOW
        remaining = deadline - now
        if remaining <= 0:
            return Waited(False, last, reply, timed_out=True, polls=polls)
        yield Sleep(min(wait, remaining))


WaitResult = TypeVar("WaitResult", SessionPauseResult, SessionResumeResult)


def pause_or_resume(
    settings: Settings,
    session_id: str,
    *,
    pause: bool,
    timeout: float,
    interval: float,
    result: type[WaitResult],
) -> Plan[WaitResult]:
    """Ask for a pause (or resume), then wait until ``PAUSED`` (or ``RUNNING``)."""
    target = "PAUSED" if pause else "RUNNING"
    endpoint = pause_session_async if pause else resume_session_async
    operation = "pauseSessionAsync" if pause else "resumeSessionAsync"
    started = yield NOW
    deadline = started + timeout
    request_timeout = min(settings.http_timeout, max(timeout, MIN_POLL_REQUEST_TIMEOUT))
    reply = yield from send(
        settings, Call(operation, endpoint, _session_body(session_id), False, request_timeout)
    )
    if not reply.ok:
        now = yield NOW
        return result(**failed_fields(reply), elapsed=now - started)
    waited = yield from wait_for_status(
        settings, session_id, target=target, deadline=deadline, interval=interval
    )
    now = yield NOW
    elapsed = now - started
    if waited.reached:
        return result(**ok_fields(reply), status=waited.status, elapsed=elapsed)
    return result(
        **_wait_failure(reply, waited, session_id, target, timeout),
        status=waited.status,
        elapsed=elapsed,
    )


def _wait_failure(
    started: Reply, waited: Waited, session_id: str, target: str, timeout: float
) -> dict[str, Any]:
    """Result fields for a wait that did not reach its target."""
    if waited.timed_out:
        error: exc.AGBError = exc.WaitTimeoutError(
            f"session {session_id} did not become {target} within {timeout:g} s "
            f"(last status: {waited.status or 'unknown'})",
            request_id=started.request_id,
            code="WaitTimeout",
            status=waited.status,
        )
        fields = failed_fields(_with_error(started, error))
        fields.update(code="WaitTimeout", http_status_code=None)
        return fields
    if waited.reply.ok:
        error = exc.InvalidStateError(
            f"session {session_id} is {waited.status}; it cannot become {target}",
            request_id=started.request_id,
            code="InvalidSessionStatus",
        )
        fields = failed_fields(_with_error(started, error))
        fields.update(code="InvalidSessionStatus", http_status_code=None)
        return fields
    fields = failed_fields(waited.reply)
    fields["request_id"] = started.request_id or waited.reply.request_id
    return fields


@frozen
class TasksOutcome:
    """How a wait for context tasks ended: ``ok``, or ``error`` says why not."""

    ok: bool
    error: str = ""
    tasks: list[ContextTaskResult] = Factory(list)


def _context_tasks(reply: Reply) -> list[ContextTaskResult] | str:
    """The tasks inside ``data.contextStatus`` (JSON text in JSON text), or what is wrong."""
    data = getattr(reply.model, "data", None)
    if not isinstance(data, ContextInfoData):
        return "the context status answer has no data"
    text = _text(data.context_status)
    try:
        items = json.loads(text) if text.strip() else []
        if not isinstance(items, list):
            return f"contextStatus is JSON {type(items).__name__}, expected a list"
        tasks: list[ContextTaskResult] = []
        for item in items:
            if not isinstance(item, dict) or item.get("type") != "data":
                continue
            inner = item.get("data")
            rows = json.loads(inner) if isinstance(inner, str) else inner
            if not isinstance(rows, list):
                return "contextStatus data is not a list of tasks"
            tasks.extend(
                ContextTaskResult(
                    context_id=_text(row.get("contextId")),
                    path=_text(row.get("path")),
                    status=_text(row.get("status")),
                    task_type=_text(row.get("taskType")),
                    error_message=_text(row.get("errorMessage")),
                    start_time=_int(row.get("startTime")),
                    finish_time=_int(row.get("finishTime")),
                )
                for row in rows
                if isinstance(row, dict)
            )
    except ValueError as error:
        return f"contextStatus is not valid JSON text ({error})"
    return tasks


def wait_context_tasks(
    settings: Settings,
    session_id: str,
    task_types: tuple[str, ...],
    deadline: float,
    interval: float,
) -> Plan[TasksOutcome]:
    """Poll ``GetContextInfo`` until every task of ``task_types`` is final, or the deadline."""
    tasks: list[ContextTaskResult] = []
    seen = ""
    while True:
        reply = yield from send(
            settings,
            Call("getContextInfo", get_context_info, {"session_id": session_id}, idempotent=True),
        )
        if reply.ok:
            found = _context_tasks(reply)
            if isinstance(found, str):
                return TasksOutcome(False, found)
            tasks = [task for task in found if task.task_type in task_types]
            states = ", ".join(sorted({f"{t.task_type} {t.status}" for t in tasks})) or "no tasks"
            if states != seen:
                wait_log.debug("session %s: context %s", session_id, states)
                seen = states
            if all(task.status in FINAL_TASK_STATUSES for task in tasks):
                failed = [task for task in tasks if task.status != "Success"]
                if failed:
                    why = "; ".join(
                        f"{t.context_id} {t.path}: {t.error_message or t.status}" for t in failed
                    )
                    return TasksOutcome(False, f"context sync failed: {why}", tasks)
                return TasksOutcome(True, "", tasks)
        elif not _transient(reply.error):
            return TasksOutcome(
                False,
                f"context status could not be read: {reply.error.message if reply.error else ''}",
            )
        now = yield NOW
        if now >= deadline:
            return TasksOutcome(False, "context sync did not finish in time", tasks)
        yield Sleep(min(interval, deadline - now))


def delete(
    settings: Settings,
    session_id: str,
    *,
    sync_context: bool,
    timeout: float,
    interval: float,
) -> Plan[DeleteResult]:
    """Optionally sync contexts (bounded), then delete and wait until the session is gone."""
    started = yield NOW
    synced: bool | None = None
    sync_error = ""
    tasks: list[ContextTaskResult] = []
    if sync_context:
        call = Call(
            "syncContext", sync_context_endpoint, {"session_id": session_id, "body": EmptyRequest()}
        )
        reply = yield from send(settings, call)
        if reply.ok:
            outcome = yield from wait_context_tasks(
                settings, session_id, ("upload", "download"), started + timeout, interval
            )
            synced, sync_error, tasks = outcome.ok, outcome.error, outcome.tasks
        else:
            synced = False
            sync_error = f"context sync was refused: {reply.error.message if reply.error else ''}"
        if not synced:
            log.warning("session %s: %s; deleting it anyway", session_id, sync_error)
    now = yield NOW
    deadline = now + timeout
    reply = yield from send(
        settings, Call("releaseSessionAsync", release_session_async, _session_body(session_id))
    )
    if not reply.ok:
        now = yield NOW
        return DeleteResult(
            **failed_fields(reply),
            elapsed=now - started,
            context_synced=synced,
            context_sync_error=sync_error,
            context_tasks=tasks,
        )
    waited = yield from wait_for_status(
        settings, session_id, target="FINISH", deadline=deadline, interval=interval, deleting=True
    )
    now = yield NOW
    if waited.reached:
        return DeleteResult(
            **ok_fields(reply),
            status=waited.status,
            elapsed=now - started,
            context_synced=synced,
            context_sync_error=sync_error,
            context_tasks=tasks,
        )
    fields = _wait_failure(reply, waited, session_id, "FINISH", timeout)
    return DeleteResult(
        **fields,
        status=waited.status,
        elapsed=now - started,
        context_synced=synced,
        context_sync_error=sync_error,
        context_tasks=tasks,
    )
