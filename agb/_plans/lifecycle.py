"""Plans that change a session and wait for it (``pause``, ``resume``, ``delete``), and the
plain wait ``wait_for``.

A change request whose answer is lost is reconciled, never resent blindly: see
:func:`agb._reconcile.change_status`.
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import TypeVar

from attrs import frozen

from agb._effects import NOW, Call, Plan
from agb._reading import failed, succeeded
from agb._reconcile import Changed, change_status, wait_failure
from agb._retry import RetryPolicy, request
from agb._waits import session_body, wait_context_tasks, wait_for_status
from agb.model.response import (
    ContextTaskResult,
    DeleteResult,
    SessionPauseResult,
    SessionResumeResult,
    SessionWaitResult,
)
from agb_api_client.api.contexts import sync_context as sync_context_endpoint
from agb_api_client.api.sessions import (
    pause_session_async,
    release_session_async,
    resume_session_async,
)
from agb_api_client.models import EmptyRequest

__all__ = ["delete", "pause", "resume", "wait_for"]

log = logging.getLogger("agb")

ChangeResult = TypeVar("ChangeResult", SessionPauseResult, SessionResumeResult, DeleteResult)


@frozen
class _Change:
    """A change of status: the request that starts it, and the status it ends in."""

    operation: str
    endpoint: ModuleType
    target: str


_PAUSE = _Change("pauseSessionAsync", pause_session_async, "PAUSED")
_RESUME = _Change("resumeSessionAsync", resume_session_async, "RUNNING")


def _changed_result(
    result: type[ChangeResult],
    changed: Changed,
    session_id: str,
    target: str,
    timeout: float,
    elapsed: float,
    **extra: object,
) -> ChangeResult:
    """The result of a change: its reply, how the wait ended, and whether it was reconciled."""
    waited = changed.waited
    extra.update(elapsed=elapsed, reconciled=changed.reconciled)
    if waited is None:
        return failed(result, changed.reply, **extra)
    extra.update(status=waited.status)
    if waited.reached:
        return succeeded(result, changed.reply, **extra)
    return wait_failure(result, changed.reply, waited, session_id, target, timeout, **extra)


def _change(
    policy: RetryPolicy,
    session_id: str,
    change: _Change,
    result: type[ChangeResult],
    timeout: float,
    interval: float,
) -> Plan[ChangeResult]:
    """Send the request that starts a change (reconciled if its answer is lost, never resent
    blindly), then wait until ``target``; the first poll comes one interval after it."""
    started = yield NOW
    call = Call(change.operation, change.endpoint, session_body(session_id))
    changed = yield from change_status(
        policy,
        session_id,
        call,
        target=change.target,
        started=started,
        deadline=started + timeout,
        interval=interval,
    )
    now = yield NOW
    return _changed_result(result, changed, session_id, change.target, timeout, now - started)


def pause(
    policy: RetryPolicy, session_id: str, timeout: float, interval: float
) -> Plan[SessionPauseResult]:
    """Ask for a pause, then wait until the session is ``PAUSED``."""
    return _change(policy, session_id, _PAUSE, SessionPauseResult, timeout, interval)


def resume(
    policy: RetryPolicy, session_id: str, timeout: float, interval: float
) -> Plan[SessionResumeResult]:
    """Ask for a resume, then wait until the session is ``RUNNING``."""
    return _change(policy, session_id, _RESUME, SessionResumeResult, timeout, interval)


def _sync_contexts(
    policy: RetryPolicy, session_id: str, started: float, timeout: float, interval: float
) -> Plan[tuple[bool, str, list[ContextTaskResult]]]:
    """Upload the session's contexts and wait for the tasks: (synced, why not, tasks)."""
    kwargs = {"session_id": session_id, "body": EmptyRequest()}
    call = Call("syncContext", sync_context_endpoint, kwargs)
    reply = yield from request(policy, call, started + timeout)
    if not reply.ok:
        why = f"context sync was refused: {reply.error.message if reply.error else ''}"
        return False, why, []
    outcome = yield from wait_context_tasks(
        policy,
        session_id,
        ("upload", "download"),
        started=started,
        deadline=started + timeout,
        interval=interval,
    )
    return outcome.ok, outcome.error, outcome.tasks


def delete(
    policy: RetryPolicy,
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
        synced, sync_error, tasks = yield from _sync_contexts(
            policy, session_id, started, timeout, interval
        )
        if not synced:
            log.warning("session %s: %s; deleting it anyway", session_id, sync_error)
    now = yield NOW
    call = Call("releaseSessionAsync", release_session_async, session_body(session_id))
    changed = yield from change_status(
        policy,
        session_id,
        call,
        target="FINISH",
        started=started,
        deadline=now + timeout,
        interval=interval,
        deleting=True,
    )
    end = yield NOW
    return _changed_result(
        DeleteResult,
        changed,
        session_id,
        "FINISH",
        timeout,
        end - started,
        context_synced=synced,
        context_sync_error=sync_error,
        context_tasks=tasks,
    )


def wait_for(
    policy: RetryPolicy, session_id: str, target: str, timeout: float, interval: float
) -> Plan[SessionWaitResult]:
    """Poll the session's status until ``target`` (any case), or until it cannot come.

    The first poll goes out at once (no request precedes it); ``FINISH``/``DELETED`` as the
    target wait until the session is gone (a not-found answer counts).
    """
    started = yield NOW
    waited = yield from wait_for_status(
        policy,
        session_id,
        target=target,
        started=started,
        deadline=started + timeout,
        interval=interval,
    )
    now = yield NOW
    if waited.reached:
        return succeeded(
            SessionWaitResult, waited.reply, status=waited.status, elapsed=now - started
        )
    return wait_failure(
        SessionWaitResult,
        waited.reply,
        waited,
        session_id,
        target,
        timeout,
        status=waited.status,
        elapsed=now - started,
    )
