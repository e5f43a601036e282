"""Test helpers: a scripted fake AGB service, a fake clock, and a sync/async runner.

Every facade test runs the same script twice: once through the sync method and once through its
``_async`` twin (the ``run`` fixture). Nothing sleeps for real: the AGB under test gets the fake
clock's ``sleep`` / ``async_sleep``, which record the wait asked for and move the clock.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import httpx

from agb import AGB, Config

KEY = "sk-TEST-secret-4f9c2a7b1e"
BASE_URL = "https://agb.test.invalid"
SID = "s-1"

_MISSING: Any = object()


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.start = start
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    @property
    def elapsed(self) -> float:
        return self.now - self.start

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"asked to sleep {seconds!r}"
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"asked to sleep {seconds!r}"
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@attrs.frozen
class Seen:
    """One request, as the fake service received it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: httpx.Headers
    at: float
    timeout: dict[str, Any]

    @property
    def target(self) -> str:
        return f"{self.method} {self.path}"


Answer = httpx.Response | BaseException | Callable[[Seen], Any]


def envelope(
    data: Any = _MISSING,
    *,
    request_id: str = "req-1",
    success: bool = True,
    code: str = "ok",
    message: str = "",
    http_status: int = 200,
    **extra: Any,
) -> dict[str, Any]:
    """An AGB envelope as the service sends it."""
    body: dict[str, Any] = {
        "requestId": request_id,
        "success": success,
        "code": code,
        "message": message,
        "httpStatusCode": http_status,
        **extra,
    }
    if data is not _MISSING:
        body["data"] = data
    return body


def ok(data: Any = _MISSING, *, request_id: str = "req-1", **extra: Any) -> httpx.Response:
    """A successful answer."""
    return httpx.Response(200, json=envelope(data, request_id=request_id, **extra))


def fail(
    status: int,
    code: str,
    message: str = "it failed",
    *,
    request_id: str = "req-err",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """An error answer: HTTP ``status`` with an error envelope."""
    body = envelope(
        request_id=request_id, success=False, code=code, message=message, http_status=status
    )
    return httpx.Response(status, json=body, headers=headers)


def raw(status: int, content: bytes | str, content_type: str = "application/json", **headers: str):
    """An answer with exactly this body."""
    data = content.encode() if isinstance(content, str) else content
    return httpx.Response(status, content=data, headers={"content-type": content_type, **headers})


def session_data(status: str, session_id: str = SID, **extra: Any) -> dict[str, Any]:
    return {
        "sessionId": session_id,
        "appInstanceId": "ai-1",
        "resourceId": "r-1",
        "resourceUrl": "https://resource.example.invalid/?resourceId=r-1",
        "status": status,
        **extra,
    }


def status_answer(status: str, request_id: str = "req-poll") -> httpx.Response:
    return ok(session_data(status), request_id=request_id)


NOT_FOUND = fail(400, "InvalidMcpSession.NotFound", "Session not found", request_id="req-gone")


class FakeServer:
    """Answers each path from its script and remembers every request, oldest first.

    ``on(path, *answers)`` queues answers for a path; each request takes the first, and the last
    one repeats. An answer is an ``httpx.Response``, an exception to raise (a transport error),
    or a callable given the :class:`Seen` request that returns either.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.scripts: dict[str, list[Answer]] = {}
        self.requests: list[Seen] = []

    def on(self, path: str, *answers: Answer) -> FakeServer:
        assert answers
        self.scripts.setdefault(path, []).extend(answers)
        return self

    def replace(self, path: str, *answers: Answer) -> FakeServer:
        self.scripts[path] = list(answers)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        seen = Seen(
            method=request.method,
            path=request.url.path,
            query=dict(request.url.params),
            body=json.loads(content) if content else None,
            headers=request.headers,
            at=self.clock.now,
            timeout=dict(request.extensions.get("timeout", {})),
        )
        self.requests.append(seen)
        script = self.scripts.get(seen.path)
        if not script:
            return fail(404, "NotFound", f"no script for {seen.path}")
        answer = script.pop(0) if len(script) > 1 else script[0]
        if callable(answer) and not isinstance(answer, httpx.Response | BaseException):
            answer = answer(seen)
        if isinstance(answer, BaseException):
            raise answer
        assert isinstance(answer, httpx.Response)
        # A fresh copy, so that a repeated answer can be read again.
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    def to(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    @property
    def paths(self) -> list[str]:
        return [seen.path for seen in self.requests]

    @property
    def last(self) -> Seen:
        assert self.requests, "no request was sent"
        return self.requests[-1]


def make_agb(server: FakeServer, fake_clock: FakeClock, **overrides: Any) -> AGB:
    """An AGB talking to ``server`` with ``fake_clock``; nothing sleeps for real."""
    clock = fake_clock
    kwargs: dict[str, Any] = {
        "api_key": KEY,
        "cfg": Config(endpoint=BASE_URL, timeout_ms=30_000),
        "transport": httpx.MockTransport(server),
        "async_transport": httpx.MockTransport(server),
        "clock": clock,
        "sleep": clock.sleep,
        "async_sleep": clock.async_sleep,
        "random": lambda: 0.0,  # no jitter: the exact backoff delays (0.5 s, 1 s...)
    }
    kwargs.update(overrides)
    return AGB(**kwargs)


class Runner:
    """Calls a method through its sync form or its ``_async`` twin, from an async test."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    @property
    def is_async(self) -> bool:
        return self.mode == "async"

    async def __call__(self, obj: object, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.mode == "sync":
            return getattr(obj, method)(*args, **kwargs)
        call: Callable[..., Awaitable[Any]] = getattr(obj, f"{method}_async")
        return await call(*args, **kwargs)


@attrs.frozen
class Op:
    """pause or resume: the request that starts it and the statuses it goes through."""

    name: str
    path: str
    old: str
    middle: str
    target: str
    result: type


def _ops() -> list[Op]:
    from agb import SessionPauseResult, SessionResumeResult

    return [
        Op("pause", "/mcp/pauseSessionAsync", "RUNNING", "PAUSING", "PAUSED", SessionPauseResult),
        Op(
            "resume",
            "/mcp/resumeSessionAsync",
            "PAUSED",
            "RESUMING",
            "RUNNING",
            SessionResumeResult,
        ),
    ]


OPS = _ops()


class Transition:
    """A session moving after a pause/resume request, in the fake clock's time.

    The service still shows the old status for ``stale`` seconds after accepting the request,
    then the middle one, and the target from ``done`` seconds on.
    """

    def __init__(self, server: FakeServer, op: Op, done: float, stale: float = 0.5) -> None:
        self.op = op
        self.done = done
        self.stale = min(stale, done)
        self.started: float | None = None
        server.on(op.path, self.accept)
        server.on("/mcp/getSession", self.poll)

    def accept(self, seen: Seen) -> httpx.Response:
        self.started = seen.at
        return ok(request_id="req-start", message="initiated")

    def status(self, at: float) -> str:
        assert self.started is not None, "polled before the request was accepted"
        since = at - self.started
        if since >= self.done:
            return self.op.target
        return self.op.old if since < self.stale else self.op.middle

    def poll(self, seen: Seen) -> httpx.Response:
        return status_answer(self.status(seen.at))
