"""Driving plans by hand: scripted replies per operation, a clock that moves only on Sleep.

No transport, no httpx, no event loop: a plan is a generator, and :func:`drive` plays the
drivers' part, recording every effect it yields so a test can check the calls, the sleeps and
the observations as well as the result.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, TypeVar

import attrs

from agb import exceptions as exc
from agb._effects import NOW, Call, Observed, Plan, Sleep
from agb._envelope import Reply
from agb_api_client.models import ContextInfoData, LabelData, SessionData

T = TypeVar("T")

Answer = Reply | Callable[[Call, float], Reply]


@attrs.define
class Driven:
    """What a plan did: its result, and every effect in order (with the clock at that time)."""

    result: Any
    calls: list[tuple[float, Call]] = attrs.Factory(list)
    sleeps: list[float] = attrs.Factory(list)
    observed: list[Observed] = attrs.Factory(list)
    end: float = 0.0

    def operations(self) -> list[str]:
        return [call.operation for _, call in self.calls]


def drive(plan: Plan[T], script: dict[str, list[Answer]], *, start: float = 100.0) -> Driven:
    """Run ``plan`` to its end; each Call takes the next answer of its operation (the last one
    repeats). An answer is a Reply, or a function of (call, now) that returns one."""
    now = start
    driven = Driven(None)
    outcome: Any = None
    queues = {name: list(answers) for name, answers in script.items()}
    while True:
        try:
            effect = plan.send(outcome)
        except StopIteration as stop:
            driven.result = stop.value
            driven.end = now
            return driven
        outcome = None
        if isinstance(effect, Call):
            driven.calls.append((now, effect))
            queue = queues[effect.operation]
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
            outcome = answer(effect, now) if callable(answer) else answer
        elif isinstance(effect, Sleep):
            assert effect.seconds >= 0, effect
            driven.sleeps.append(effect.seconds)
            now += effect.seconds
        elif isinstance(effect, Observed):
            driven.observed.append(effect)
        else:
            assert effect is NOW
            outcome = now


def ok(operation: str, data: Any = None, *, request_id: str = "r-ok") -> Reply:
    """A successful reply whose model carries ``data``."""
    return Reply(
        operation, request_id=request_id, http_status=200, model=SimpleNamespace(data=data)
    )


def status(value: str, *, request_id: str = "r-poll") -> Reply:
    """A getSession reply showing ``value``."""
    return ok("getSession", SessionData(session_id="s-1", status=value), request_id=request_id)


def failure(
    operation: str,
    error: exc.AGBError,
    *,
    sent: bool = True,
    retry_after: float | None = None,
    code: str = "",
) -> Reply:
    """A failed reply carrying ``error``."""
    return Reply(
        operation,
        request_id="r-err",
        http_status=error.http_status_code,
        code=code or error.code,
        error=error,
        sent=sent,
        retry_after=retry_after,
    )


def server_error(operation: str, **kwargs: Any) -> Reply:
    return failure(operation, exc.ServerError("busy", http_status_code=503), **kwargs)


def lost(operation: str, *, sent: bool = True) -> Reply:
    return failure(operation, exc.APIConnectionError("reset"), sent=sent)


def not_found(operation: str = "getSession") -> Reply:
    code = "InvalidMcpSession.NotFound"
    return failure(operation, exc.NotFoundError("gone", code=code, http_status_code=400))


def context(*tasks: tuple[str, str], raw: str | None = None) -> Reply:
    """A GetContextInfo reply with these (task type, status) tasks, or ``raw`` contextStatus."""
    import json

    rows = [
        {"contextId": "c-1", "path": "/data", "taskType": kind, "status": state}
        for kind, state in tasks
    ]
    text = raw if raw is not None else json.dumps([{"type": "data", "data": json.dumps(rows)}])
    return ok("getContextInfo", ContextInfoData(context_status=text))


def labels(text: str, next_token: str = "") -> Reply:
    """A getLabel reply with ``text`` as the labels JSON text."""
    return ok("getLabel", LabelData(labels=text, next_token=next_token))
