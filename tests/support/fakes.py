"""The one fake AGB service (an ``httpx.MockTransport`` handler), its answers, and a sync/async
runner.

Every facade test runs the same script twice: once through the sync method and once through its
``_async`` twin (the ``run`` fixture). Nothing sleeps for real: the AGB under test gets the fake
clock's ``sleep`` / ``async_sleep`` (:class:`tests.support.clock.FakeClock`), which record the
wait asked for and move the clock.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import httpx

from agb import AGB, Config
from agb_api_client import AuthenticatedClient
from tests.support.clock import FakeClock

KEY = "sk-TEST-secret-4f9c2a7b1e"
#: A key with the characters URL and header encodings change (``/``, ``+``): a leak in any
#: encoding of it is still found.
HOSTILE_KEY = "sk-HOSTILE/key+0123456789abcdef"
BASE_URL = "https://agb.test.invalid"
SID = "s-1"

_MISSING: Any = object()


@attrs.frozen
class Seen:
    """One request, as the fake service received it (``method``, ``url``, ``headers`` and
    ``content`` read as on the ``httpx.Request``; ``body`` is the content parsed as JSON)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: httpx.Headers
    at: float
    timeout: dict[str, Any]
    url: httpx.URL
    content: bytes

    @property
    def target(self) -> str:
        return f"{self.method} {self.path}"


#: A raw answer: status, headers and body bytes, streamed exactly as given (no header added).
RawAnswer = tuple[int, dict[str, str], bytes]
Answer = httpx.Response | BaseException | RawAnswer | Callable[[Seen], Any]


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


def raw(
    status: int, content: bytes | str, content_type: str = "application/json", **headers: str
) -> httpx.Response:
    """An answer with exactly this body."""
    data = content.encode() if isinstance(content, str) else content
    return httpx.Response(status, content=data, headers={"content-type": content_type, **headers})


def streamed(body: Any, status: int = 200, **headers: str) -> RawAnswer:
    """A raw answer streamed as given: ``body`` as JSON (bytes as they are), a JSON content-type
    and ``headers``, nothing else (no content-length)."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return status, {"content-type": "application/json", **headers}, content


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

    ``on(path, *answers)`` queues answers for a path (``"*"``: any path without a script of its
    own); each request takes the first, and the last one repeats. An answer is an
    ``httpx.Response``, a :data:`RawAnswer` tuple (streamed as given), an exception to raise (a
    transport error), or a callable given the :class:`Seen` request that returns one of those.
    A request to a path without a script gets a 404 error envelope.
    """

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock if clock is not None else FakeClock()
        self.scripts: dict[str, list[Answer]] = {}
        self.requests: list[Seen] = []

    @classmethod
    def of(cls, scripts: dict[str, list[Answer]], clock: FakeClock | None = None) -> FakeServer:
        """A server with these scripts (``{path: [answer, ...]}``)."""
        server = cls(clock)
        for path, answers in scripts.items():
            server.on(path, *answers)
        return server

    def on(self, path: str, *answers: Answer) -> FakeServer:
        assert answers
        self.scripts.setdefault(path, []).extend(answers)
        return self

    def replace(self, path: str, *answers: Answer) -> FakeServer:
        self.scripts[path] = list(answers)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        try:
            body = json.loads(content) if content else None
        except ValueError:
            body = content
        seen = Seen(
            method=request.method,
            path=request.url.path,
            query=dict(request.url.params),
            body=body,
            headers=request.headers,
            at=self.clock.now,
            timeout=dict(request.extensions.get("timeout", {})),
            url=request.url,
            content=content,
        )
        self.requests.append(seen)
        script = self.scripts.get(seen.path) or self.scripts.get("*")
        if not script:
            return fail(404, "NotFound", f"no script for {seen.path}")
        answer = script.pop(0) if len(script) > 1 else script[0]
        if callable(answer) and not isinstance(answer, httpx.Response | BaseException):
            answer = answer(seen)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, tuple):
            status, headers, raw_body = answer
            return httpx.Response(status, headers=headers, stream=httpx.ByteStream(raw_body))
        assert isinstance(answer, httpx.Response)
        # A fresh copy, so that a repeated answer can be read again.
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    @staticmethod
    def answer(status: int = 200, body: Any = None, request_id: str = "req-1") -> httpx.Response:
        """Any JSON body, with the ``x-request-id`` header the service sends."""
        return httpx.Response(status, json=body, headers={"x-request-id": request_id})

    def client(
        self, api_key: str = "sk-test-0123", base_url: str = "https://sdk-api.agb.cloud"
    ) -> AuthenticatedClient:
        """A generated client configured as the SDK configures it, talking to this server."""
        return AuthenticatedClient(
            base_url=base_url,
            token=api_key,
            auth_header_name="authorization",
            prefix="Bearer",
            timeout=httpx.Timeout(5),
            # Not set_httpx_client(): that would drop the auth header.
            httpx_args={"transport": httpx.MockTransport(self)},
        )

    def to(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    @property
    def paths(self) -> list[str]:
        return [seen.path for seen in self.requests]

    @property
    def last(self) -> Seen:
        assert self.requests, "no request was sent"
        return self.requests[-1]


def make_agb(
    server: FakeServer,
    fake_clock: FakeClock | None = None,
    *,
    api_key: str = KEY,
    timeout_ms: int = 30_000,
    **overrides: Any,
) -> AGB:
    """An AGB talking to ``server`` with ``fake_clock`` (the server's clock when not given);
    nothing sleeps for real. ``overrides`` replace any of the ``AGB(...)`` arguments."""
    clock = fake_clock if fake_clock is not None else server.clock
    kwargs: dict[str, Any] = {
        "api_key": api_key,
        "cfg": Config(endpoint=BASE_URL, timeout_ms=timeout_ms),
        "transport": httpx.MockTransport(server),
        "async_transport": httpx.MockTransport(server),
        **clock.agb_kwargs(),
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
