"""Changing a session's status: the change request, the reconciliation of a lost answer,
and the wait for the target status (see :func:`change_status`)."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Final, TypeVar

from attrs import frozen

from agb import _waits
from agb import exceptions as exc
from agb._effects import NOW, Call, Plan
from agb._envelope import Reply
from agb._reading import failed, with_error
from agb._retry import RetryPolicy, ambiguous, reason, request
from agb._waits import MAX_RESENDS, Waited, canonical, wait_for_status
from agb.model.response import ApiResponse

__all__ = ["MOVING_TO", "Changed", "change_status", "wait_failure"]

log = logging.getLogger("agb")
R = TypeVar("R", bound=ApiResponse)


@frozen
class Changed:
    """How a change of status went: sent (reconciled if need be), then waited for.

    Attributes:
        reply: The reply the result is about: the accepted request; after a reconciliation
            that found the change under way, the status read that showed it; on failure the
            failed answer.
        waited: The wait, or ``None`` when the request failed for sure (no wait was made).
        reconciled: A request's fate was unknown and the status was read to find out.
        sends: Requests that started the change (1, or more after a reconciliation).
    """

    reply: Reply
    waited: Waited | None
    reconciled: bool = False
    sends: int = 1


def change_status(
    policy: RetryPolicy,
    session_id: str,
    call: Call,
    *,
    target: str,
    started: float,
    deadline: float,
    interval: float,
    deleting: bool = False,
) -> Plan[Changed]:
    """Send ``call`` (which starts a change towards ``target``), then wait for the target.

    The request is never resent blindly. When its fate is unknown (:func:`~agb._retry.ambiguous`:
    connection lost after sending, a timeout, a 5xx or unreadable answer), the session's status
    is read within the same deadline (if any time is left), after one poll interval to let it
    settle (or at the deadline, if that comes first): if the change has started (or is done),
    or the status is one the SDK does not know, the wait goes on; if
    the session still shows a status the change has not touched, the request is sent again
    (pausing a pausing session is harmless), at most :data:`MAX_RESENDS` times in all. Either
    way ``reconciled`` is set and the outcome is logged at INFO on ``agb``.
    """
    target = canonical(target)
    wait = partial(
        wait_for_status,
        policy,
        session_id,
        target=target,
        started=started,
        deadline=deadline,
        interval=interval,
        deleting=deleting,
        first_poll=interval,
    )

    def note(outcome: str, reply: Reply) -> None:
        log.info("session %s: %s failed (%s)%s", session_id, call.operation, reason(reply), outcome)

    reply = yield from request(policy, call, deadline)
    reconciled = False
    sends = 1
    while not reply.ok:
        if not ambiguous(reply):
            return Changed(reply, None, reconciled, sends)
        now = yield NOW
        if now >= deadline:
            return Changed(reply, None, reconciled, sends)  # no time left to find out
        reconciled = True
        probe = yield from wait(probe=True)
        seen = probe.status
        if probe.reached or _waits.is_gone(probe.reply):
            note(f"; status read after it: {seen}", reply)
            return Changed(probe.reply if probe.reached else reply, probe, reconciled, sends)
        if probe.timed_out or not probe.reply.ok:
            # The status could not be read in time: the result is the lost answer's failure.
            note(f"; its status could not be read: {reason(probe.reply)}", reply)
            return Changed(reply, None, reconciled, sends)
        if seen not in _waits.KNOWN_STATUSES or seen in _moving(target, deleting):
            note(f", but the session is {seen}: the change is under way", reply)
            waited = yield from wait()
            return Changed(waited.reply if waited.reached else reply, waited, reconciled, sends)
        if not deleting and _waits.cannot_come(seen, target):
            return Changed(reply, probe, reconciled, sends)
        if sends > MAX_RESENDS:
            note(f" again and the session is still {seen}; giving up", reply)
            return Changed(reply, None, reconciled, sends)
        note(f" and the session is still {seen}: sending it again", reply)
        reply = yield from request(policy, call, deadline)
        sends += 1
    waited = yield from wait()
    return Changed(reply, waited, reconciled, sends)


def _moving(target: str, deleting: bool) -> frozenset[str]:
    """The statuses that show a change towards ``target`` has started."""
    if deleting:
        return frozenset({"DELETING"})
    return frozenset({MOVING_TO.get(target, target)})


MOVING_TO: Final = {"PAUSED": "PAUSING", "RUNNING": "RESUMING", "FINISH": "DELETING"}
"""The status a session shows while it moves to a target status."""


def wait_failure(
    result: type[R],
    started: Reply,
    waited: Waited,
    session_id: str,
    target: str,
    timeout: float,
    **extra: Any,
) -> R:
    """The failed ``result`` of a wait that did not reach its target.

    ``request_id`` is that of the request that started the wait (``started``).
    """
    if waited.timed_out:
        error: exc.AGBError = exc.WaitTimeoutError(
            f"session {session_id} did not become {target} within {timeout:g} s "
            f"(last status: {waited.status or 'unknown'})",
            request_id=started.request_id,
            code="WaitTimeout",
            status=waited.status,
        )
        return failed(
            result,
            with_error(started, error),
            code="WaitTimeout",
            http_status_code=None,
            **extra,
        )
    if waited.reply.ok:
        error = exc.InvalidStateError(
            f"session {session_id} is {waited.status}; it cannot become {target}",
            request_id=started.request_id,
            code="InvalidSessionStatus",
        )
        return failed(
            result,
            with_error(started, error),
            code="InvalidSessionStatus",
            http_status_code=None,
            **extra,
        )
    return failed(
        result,
        waited.reply,
        request_id=started.request_id or waited.reply.request_id,
        **extra,
    )
