"""Plans of :class:`~agb.AGB`: ``create``, ``get`` and ``get_session``.

Plans that find a session return a :class:`Found`: the result, and a :class:`SessionRecord`
the facade turns into a :class:`~agb.Session` (plans never build facade objects).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Final, TypedDict, Unpack

import attrs
from attrs import frozen

from agb import exceptions as exc
from agb._checks import check_create, check_session_id, check_text, invalid
from agb._effects import NOW, Call, Plan, Sleep
from agb._envelope import Reply, is_success_code
from agb._reading import (
    data_of,
    failed,
    fetch_result,
    link_fields,
    malformed,
    succeeded,
    text,
    with_error,
)
from agb._retry import RetryPolicy, ambiguous, reason, request
from agb._version import __version__
from agb._waits import MAX_RESENDS, session_body, status_of, wait_context_tasks
from agb.context_sync import ContextSync, SyncPolicy
from agb.model.response import GetSessionData, GetSessionResult, SessionResult
from agb.session_params import CreateSessionParams
from agb_api_client.api.sessions import create_session, list_sessions
from agb_api_client.api.sessions import get_session as get_session_endpoint
from agb_api_client.models import (
    CreateSessionData,
    CreateSessionRequest,
    PersistenceData,
    SessionData,
)
from agb_api_client.types import UNSET

__all__ = [
    "CLIENT_TOKEN_LABEL",
    "Found",
    "SessionRecord",
    "create",
    "get",
    "get_session",
    "labels_json",
    "new_client_token",
    "sdk_stats",
]

CLIENT_TOKEN_LABEL: Final = "agb.client_token"
"""The label each create is tagged with (a fresh random token per call, unless the caller's
labels already hold one): after a create whose answer was lost, the SDK finds the session by
it instead of failing, or creating a second one."""


def new_client_token() -> str:
    """A fresh client token (a random UUID's 32 hex digits)."""
    return uuid.uuid4().hex


client_token: Callable[[], str] = new_client_token
"""Where each create takes its token from (tests make it deterministic)."""

log = logging.getLogger("agb")


@frozen(kw_only=True)
class SessionRecord:
    """What the service told about a session, for the facade to make a Session of."""

    session_id: str
    resource_url: str = ""
    image_id: str = ""
    context_syncs: tuple[ContextSync, ...] = ()
    app_instance_id: str = ""
    resource_id: str = ""
    link_url: str = ""
    ws_url: str = ""
    token: str = ""
    network_interface_ip: str = ""


class _Links(TypedDict, total=False):
    link_url: str
    ws_url: str
    token: str


def _record(data: GetSessionData, **links: Unpack[_Links]) -> SessionRecord:
    """The record of a session ``get_session`` found (with the ``links`` it was given)."""
    return SessionRecord(
        session_id=data.session_id,
        resource_url=data.resource_url,
        app_instance_id=data.app_instance_id,
        resource_id=data.resource_id,
        **links,
    )


@frozen
class Found:
    """A result about a session, and the session's record when there is one."""

    result: SessionResult
    record: SessionRecord | None = None


def sdk_stats() -> str:
    """The JSON text the service expects in ``sdkStats``."""
    stats = {
        "source": "sdk",
        "sdk_language": "python",
        "sdk_version": __version__,
        "is_release": True,
    }
    return json.dumps(stats, separators=(",", ":"))


def labels_json(labels: Mapping[str, str]) -> str:
    """Labels as the JSON text the service takes in a query."""
    return json.dumps(dict(labels), ensure_ascii=False)


def _persistence(syncs: Sequence[ContextSync]) -> list[PersistenceData]:
    return [
        PersistenceData(
            context_id=sync.context_id,
            path=sync.path,
            policy=(sync.policy or SyncPolicy()).to_json(),
        )
        for sync in syncs
    ]


def _create_call(params: CreateSessionParams, image_id: str, token: str) -> Call:
    labels = {**(params.labels or {}), CLIENT_TOKEN_LABEL: token}
    idle = params.idle_release_timeout
    body = CreateSessionRequest(
        labels=labels_json(labels),
        persistence_data_list=_persistence(params.context_syncs) if params.context_syncs else UNSET,
        mcp_policy_id=params.policy_id if params.policy_id else UNSET,
        timeout=idle if idle is not None else UNSET,
    )
    return Call(
        "createSession",
        create_session,
        {"body": body, "image_id": image_id, "sdk_stats": sdk_stats()},
    )


def _refused(reply: Reply, data: CreateSessionData) -> SessionResult:
    """The failed result of ``data.success: false`` inside an HTTP 200."""
    why = text(data.err_msg) or "the service did not create the session"
    code = "" if is_success_code(reply.code) else reply.code
    error = exc.APIError(
        f"createSession failed: {why}",
        request_id=reply.request_id,
        code=code,
        http_status_code=reply.http_status,
    )
    return failed(SessionResult, with_error(reply, error), code=code)


def _find_created(
    policy: RetryPolicy, token: str, settle: float
) -> Plan[tuple[Reply, SessionRecord | None]]:
    """After ``settle`` seconds, the session tagged with ``token``, if the service has one:
    (the list reply, its record filled by ``getSession``, or ``None``)."""
    yield Sleep(settle)
    kwargs = {"labels": labels_json({CLIENT_TOKEN_LABEL: token}), "max_results": 10}
    listed = yield from request(policy, Call("listSessions", list_sessions, kwargs, True))
    if not listed.ok:
        return listed, None
    rows = getattr(listed.model, "data", None)
    ids = [text(getattr(row, "session_id", "")) for row in rows or [] if row is not UNSET]
    ids = [sid for sid in ids if sid and not _unusable_id(sid)]
    if not ids:
        return listed, None
    found = yield from get_session(policy, ids[0])
    data = found.data
    if not found.success or data is None:
        return listed, SessionRecord(session_id=ids[0])
    return listed, _record(data)


def _send_create(
    policy: RetryPolicy, call: Call, token: str, settle: float
) -> Plan[tuple[Reply, SessionRecord | None, bool]]:
    """Send a create, never leaving an orphan: (its reply, the record of a session found by its
    token after a lost answer, or ``None``; whether a lost answer was reconciled).

    When the answer is lost (:func:`~agb._retry.ambiguous`), the session is looked for by its
    client token label; only when no session has it is the create sent again (with the same
    token), at most :data:`~agb._waits.MAX_RESENDS` times.
    """
    reply = yield from request(policy, call)
    reconciled = False
    for _ in range(MAX_RESENDS):
        if reply.ok or not ambiguous(reply):
            break
        reconciled = True
        listed, record = yield from _find_created(policy, token, settle)
        if record is not None:
            log.info(
                "createSession failed (%s), but session %s has its client token: using it",
                reason(reply),
                record.session_id,
            )
            return listed, record, True
        if not listed.ok:
            log.warning(
                "createSession failed (%s) and the sessions could not be listed (%s); a "
                "session may exist with label %s=%s",
                reason(reply),
                reason(listed),
                CLIENT_TOKEN_LABEL,
                token,
            )
            break
        log.info(
            "createSession failed (%s) and no session has its client token: sending it again",
            reason(reply),
        )
        reply = yield from request(policy, call)
    return reply, None, reconciled


def create(policy: RetryPolicy, params: object, *, timeout: float, interval: float) -> Plan[Found]:
    """Create a session; with context syncs, wait up to ``timeout`` for their downloads.

    The create is tagged with a client token label (:data:`CLIENT_TOKEN_LABEL`), so that a
    create whose answer was lost finds its session instead of leaving an orphan (see
    :func:`_send_create`; ``interval`` is the settling time before it looks).
    """
    problem = check_create(params)
    if problem:
        return Found(invalid(SessionResult, problem))
    assert isinstance(params, CreateSessionParams)
    image_id = str(params.image_id)
    token = (params.labels or {}).get(CLIENT_TOKEN_LABEL) or client_token()
    call = _create_call(params, image_id, token)
    reply, found, reconciled = yield from _send_create(policy, call, token, interval)
    if found is not None:
        record = attrs.evolve(found, image_id=image_id, context_syncs=tuple(params.context_syncs))
        yield from _wait_downloads(policy, params, record.session_id, timeout, interval)
        return Found(succeeded(SessionResult, reply, reconciled=True), record)
    if not reply.ok:
        return Found(failed(SessionResult, reply, reconciled=reconciled))
    data = data_of(reply, CreateSessionData)
    if isinstance(data, Reply):
        return Found(failed(SessionResult, data))
    if data.success is False:
        return Found(_refused(reply, data))
    session_id = text(data.session_id)
    problem = _unusable_id(session_id)
    if problem:
        return Found(failed(SessionResult, malformed(reply, problem)))
    record = SessionRecord(
        session_id=session_id,
        resource_url=text(data.resource_url),
        app_instance_id=text(data.app_instance_id),
        resource_id=text(data.resource_id),
        image_id=image_id,
        **link_fields(data),
        network_interface_ip=text(data.network_interface_ip),
        context_syncs=tuple(params.context_syncs),
    )
    yield from _wait_downloads(policy, params, session_id, timeout, interval)
    return Found(succeeded(SessionResult, reply, reconciled=reconciled), record)


def _wait_downloads(
    policy: RetryPolicy,
    params: CreateSessionParams,
    session_id: str,
    timeout: float,
    interval: float,
) -> Plan[None]:
    """With context syncs, wait (bounded) for their downloads; a failure is only logged."""
    if not params.context_syncs:
        return
    now = yield NOW
    outcome = yield from wait_context_tasks(
        policy,
        session_id,
        ("download",),
        started=now,
        deadline=now + timeout,
        interval=interval,
    )
    if not outcome.ok:
        log.warning("session %s: context download did not complete: %s", session_id, outcome.error)


def _unusable_id(session_id: str) -> str | None:
    """Why a session id the service gave cannot be used in later calls, or ``None``."""
    if not session_id:
        return "the answer has no sessionId"
    problem = check_text("the sessionId the service gave", session_id)
    return f"{problem}; the session cannot be used" if problem else None


def _session_data(session_id: str, data: SessionData) -> dict[str, Any] | str:
    given = text(data.session_id) or session_id
    problem = _unusable_id(given)
    if problem:
        return problem
    links = link_fields(data)
    return {
        "data": GetSessionData(
            session_id=given,
            status=status_of(data),
            app_instance_id=text(data.app_instance_id),
            resource_id=text(data.resource_id),
            resource_url=text(data.resource_url),
            link_url=links["link_url"],
            ws_url=links["ws_url"],
            token=links["token"],
            extra=dict(data.additional_properties),
        )
    }


def get_session(policy: RetryPolicy, session_id: str) -> Plan[GetSessionResult]:
    """Find a session and its status."""
    problem = check_session_id(session_id)
    if problem:
        return invalid(GetSessionResult, problem)
    call = Call("getSession", get_session_endpoint, session_body(session_id), idempotent=True)
    read = partial(_session_data, session_id)
    return (yield from fetch_result(policy, call, GetSessionResult, SessionData, read))


def get(policy: RetryPolicy, session_id: str) -> Plan[Found]:
    """Find a session; its record is what the facade makes a :class:`~agb.Session` of."""
    found = yield from get_session(policy, session_id)
    fields = {name: getattr(found, name) for name in ("request_id", "code", "message")}
    fields["http_status_code"] = found.http_status_code
    if not found.success or found.data is None:
        result = SessionResult(
            success=False, error_message=found.error_message, error=found.error, **fields
        )
        return Found(result)
    data = found.data
    links = _Links(link_url=data.link_url, ws_url=data.ws_url, token=data.token)
    return Found(SessionResult(success=True, **fields), _record(data, **links))
