"""The wait engine: polling a session to a status, or its context tasks to an end.

The status vocabulary lives here too: which statuses the SDK knows, which mean the session is
gone, which task statuses are final. Waits yield an :class:`~agb._effects.Observed` for each
change they see, so progress displays show exactly what the SDK saw.
"""

from __future__ import annotations

import logging
from typing import Any, Final, TypeVar

from attrs import Factory, frozen

from agb import exceptions as exc
from agb._effects import NOW, Call, Observed, Plan, Sleep
from agb._envelope import Reply
from agb._reading import integer, loads, text
from agb._retry import RetryPolicy, reason, request, transient
from agb.model.response import ApiResponse, ContextTaskResult
from agb_api_client.api.contexts import get_context_info
from agb_api_client.api.sessions import get_session
from agb_api_client.models import ContextInfoData, SessionData, SessionIdRequest

__all__ = [
    "FINAL_TASK_STATUSES",
    "GONE_STATUSES",
    "KNOWN_STATUSES",
    "MAX_RESENDS",
    "TasksOutcome",
    "Waited",
    "cannot_come",
    "canonical",
    "check_target",
    "is_gone",
    "parse_context_status",
    "session_body",
    "status_of",
    "wait_context_tasks",
    "wait_for_status",
]

log = logging.getLogger("agb")
# A child of "agb": enabling "agb" at DEBUG shows it too, and it can be tuned alone.
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
R = TypeVar("R", bound=ApiResponse)


def check_target(status: object) -> str:
    """The status a wait may be asked for, upper case.

    Raises:
        ValueError: If ``status`` is not a string naming a known status (any case).
    """
    if not isinstance(status, str):
        raise ValueError(f"status must be a status name such as 'RUNNING', got {status!r}")
    upper = status.strip().upper()
    if upper not in KNOWN_STATUSES:
        known = ", ".join(sorted(KNOWN_STATUSES))
        raise ValueError(f"status must be one of {known} (any case), got {status!r}")
    return upper


def session_body(session_id: str) -> dict[str, Any]:
    """The keyword arguments of an endpoint whose body is just the session id."""
    return {"body": SessionIdRequest(session_id=session_id)}


def status_of(data: object) -> str:
    """The status in a session's ``data``; some service versions spell the field ``Status``."""
    status = text(getattr(data, "status", None))
    extra = getattr(data, "additional_properties", {})
    return status or text(extra.get("Status") if isinstance(extra, dict) else None)


@frozen
class Waited:
    """How a wait for a status ended.

    Attributes:
        reached: The target was reached (or, for deletion, the session is gone).
        status: The last status seen (upper case when it is a known status).
        reply: The last reply.
        timed_out: The deadline passed first.
        polls: Status requests made.
    """

    reached: bool
    status: str
    reply: Reply
    timed_out: bool = False
    polls: int = 0


def canonical(status: str) -> str:
    """``status`` as the SDK compares it: a known status in upper case (``Running`` and
    ``RUNNING`` are one status); any other value as it came."""
    upper = status.upper()
    return upper if upper in KNOWN_STATUSES else status


def is_gone(reply: Reply) -> bool:
    """Whether a failed status request says the session no longer exists.

    Decided by the error code's class (``InvalidMcpSession.NotFound``, ``SessionNotFound``, ...),
    never by the message text. A bare HTTP 404 without an envelope code (a proxy's page, a wrong
    path) is not taken as proof that the session is gone.
    """
    return isinstance(reply.error, exc.NotFoundError) and bool(reply.code)


def cannot_come(seen: str, target: str) -> bool:
    """Whether a session showing ``seen`` can no longer reach ``target`` (not a gone target)."""
    return seen in GONE_STATUSES or (seen == "DELETING" and target != "DELETING")


def wait_for_status(
    policy: RetryPolicy,
    session_id: str,
    *,
    target: str,
    started: float,
    deadline: float,
    interval: float,
    deleting: bool = False,
    first_poll: float = 0.0,
    probe: bool = False,
) -> Plan[Waited]:
    """Poll ``getSession`` until ``target`` (or, when ``deleting`` or the target is ``FINISH`` /
    ``DELETED``, until the session is gone).

    Statuses compare case-insensitively (:func:`canonical`). A status the target cannot come
    from (``FINISH``/``DELETED``, ``DELETING``, or a not-found error code, reported as status
    ``FINISH``) ends the wait at once; other statuses, including unknown ones (logged once),
    keep it going. A transient failure of one poll is retried within the deadline. Each new
    status is yielded as an :class:`~agb._effects.Observed` (``started`` is when the operation
    began).

    Args:
        first_poll: Seconds to wait before the first poll (within the deadline). After a
            request that starts a change, one interval: a poll at once would only see the old
            status. The deadline still gets its poll, so an early end is never lost.
        probe: Return after the first status read (reached or not): what reconciliation
            needs to know whether a request whose answer was lost was acted on.
    """
    target = canonical(target)
    deleting = deleting or target in GONE_STATUSES
    last = ""
    unknown: set[str] = set()
    polls = 0
    if first_poll > 0:
        now = yield NOW
        yield Sleep(max(0.0, min(first_poll, deadline - now)))
    while True:
        now = yield NOW
        per_request = policy.timeout_within(deadline - now)
        reply: Reply = yield Call(
            "getSession", get_session, session_body(session_id), True, per_request
        )
        polls += 1
        wait = interval
        if reply.ok:
            data = getattr(reply.model, "data", None)
            seen = canonical(status_of(data)) if isinstance(data, SessionData) else ""
            if seen and seen != last:
                wait_log.debug("session %s: status %s (poll %d)", session_id, seen, polls)
                now = yield NOW
                yield Observed(
                    session_id=session_id, kind="status", status=seen, elapsed=now - started
                )
            last = seen or last
            if seen == target or (deleting and seen in GONE_STATUSES):
                return Waited(True, seen, reply, polls=polls)
            if not deleting and cannot_come(seen, target):
                return Waited(False, seen, reply, polls=polls)
            if seen and seen not in KNOWN_STATUSES and seen not in unknown:
                unknown.add(seen)
                log.info(
                    "session %s reports status %r, unknown to this SDK; still waiting",
                    session_id,
                    seen,
                )
            if probe and seen:
                return Waited(False, seen, reply, polls=polls)
        elif is_gone(reply):
            now = yield NOW
            yield Observed(
                session_id=session_id, kind="gone", status="FINISH", elapsed=now - started
            )
            return Waited(deleting, "FINISH", reply, polls=polls)
        elif transient(reply.error):
            if reply.retry_after is not None:
                now = yield NOW
                if reply.retry_after > deadline - now:
                    wait_log.debug(
                        "session %s: %s; Retry-After %.2f s is past the deadline, wait ends",
                        session_id,
                        reason(reply),
                        reply.retry_after,
                    )
                    return Waited(False, last, reply, polls=polls)
                wait = max(interval, reply.retry_after)
            wait_log.debug(
                "session %s: status poll %d failed (%s); polling again in %.2f s",
                session_id,
                polls,
                reason(reply),
                wait,
            )
        else:
            return Waited(False, last, reply, polls=polls)
        now = yield NOW
        remaining = deadline - now
        if remaining <= 0:
            return Waited(False, last, reply, timed_out=True, polls=polls)
        yield Sleep(min(wait, remaining))


MAX_RESENDS: Final = 3
"""How many times a change (pause, resume, delete) is sent again, each time only after the
session's status showed that the previous request, whose answer was lost, was not acted on."""


@frozen
class TasksOutcome:
    """How a wait for context tasks ended: ``ok``, or ``error`` says why not."""

    ok: bool
    error: str = ""
    tasks: list[ContextTaskResult] = Factory(list)


def _task(row: dict[str, Any]) -> ContextTaskResult:
    return ContextTaskResult(
        context_id=text(row.get("contextId")),
        path=text(row.get("path")),
        status=text(row.get("status")),
        task_type=text(row.get("taskType")),
        error_message=text(row.get("errorMessage")),
        start_time=integer(row.get("startTime")),
        finish_time=integer(row.get("finishTime")),
    )


def parse_context_status(value: object) -> list[ContextTaskResult] | str:
    """The tasks inside ``contextStatus`` (JSON text of items whose ``data`` is JSON text of
    task rows), or a text saying what is wrong with it."""
    raw = text(value)
    try:
        items = loads(raw) if raw.strip() else []
        if not isinstance(items, list):
            return f"contextStatus is JSON {type(items).__name__}, expected a list"
        tasks: list[ContextTaskResult] = []
        for item in items:
            if not isinstance(item, dict) or item.get("type") != "data":
                continue
            inner = item.get("data")
            rows = loads(inner) if isinstance(inner, str) else inner
            if not isinstance(rows, list):
                return "contextStatus data is not a list of tasks"
            tasks.extend(_task(row) for row in rows if isinstance(row, dict))
    except ValueError as error:
        return f"contextStatus is not valid JSON text ({error})"
    return tasks


def _summary(tasks: list[ContextTaskResult]) -> str:
    return ", ".join(sorted({f"{t.task_type} {t.status}" for t in tasks})) or "no tasks"


def wait_context_tasks(
    policy: RetryPolicy,
    session_id: str,
    task_types: tuple[str, ...],
    *,
    started: float,
    deadline: float,
    interval: float,
) -> Plan[TasksOutcome]:
    """Poll ``GetContextInfo`` until every task of ``task_types`` is final, or the deadline.

    Each new set of task states is yielded as an :class:`~agb._effects.Observed`.
    """
    tasks: list[ContextTaskResult] = []
    seen = ""
    while True:
        call = Call("getContextInfo", get_context_info, {"session_id": session_id}, True)
        reply = yield from request(policy, call, deadline)
        if reply.ok:
            data = getattr(reply.model, "data", None)
            if not isinstance(data, ContextInfoData):
                return TasksOutcome(False, "the context status answer has no data")
            found = parse_context_status(data.context_status)
            if isinstance(found, str):
                return TasksOutcome(False, found)
            tasks = [task for task in found if task.task_type in task_types]
            states = _summary(tasks)
            if states != seen:
                seen = states
                wait_log.debug("session %s: context %s", session_id, states)
                now = yield NOW
                yield Observed(
                    session_id=session_id,
                    kind="context",
                    status=states,
                    elapsed=now - started,
                    tasks=tuple(tasks),
                )
            if all(task.status in FINAL_TASK_STATUSES for task in tasks):
                bad = [task for task in tasks if task.status != "Success"]
                if bad:
                    why = "; ".join(
                        f"{t.context_id} {t.path}: {t.error_message or t.status}" for t in bad
                    )
                    return TasksOutcome(False, f"context sync failed: {why}", tasks)
                return TasksOutcome(True, "", tasks)
        elif not transient(reply.error):
            return TasksOutcome(False, f"context status could not be read: {_message(reply)}")
        now = yield NOW
        if reply.retry_after is not None and now + reply.retry_after >= deadline:
            why = f"Retry-After {reply.retry_after:g} s is past the deadline"
            return TasksOutcome(False, f"context status could not be read: {why}", tasks)
        if now >= deadline:
            return TasksOutcome(False, "context sync did not finish in time", tasks)
        yield Sleep(min(interval, deadline - now))


def _message(reply: Reply) -> str:
    return reply.error.message if reply.error else ""
