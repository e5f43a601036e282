"""The AGB client: creates, finds, lists and deletes sessions."""

from __future__ import annotations

import contextvars
import logging
import os
import random as _random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Literal, TypeAlias

import attrs
import httpx

from agb._checks import check_wait
from agb._constants import (
    DEFAULT_CREATE_TIMEOUT,
    DEFAULT_DELETE_POLL_INTERVAL,
    DEFAULT_DELETE_TIMEOUT,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
from agb._lazy import LazyModule
from agb._retry import JITTER, RetryPolicy
from agb._runner import Runner
from agb._sender import HTTPSender
from agb.config import Config, load_config
from agb.exceptions import (
    AGBError,
    ClientClosedError,
    ConfigurationError,
    MalformedResponseError,
)
from agb.model.response import (
    ApiResponse,
    DeleteResult,
    GetSessionResult,
    SessionListResult,
    SessionPauseResult,
    SessionResult,
    SessionResumeResult,
    SessionSummary,
)
from agb.session import Session, session_from_record
from agb.session_params import CreateSessionParams

if TYPE_CHECKING:
    from typing import Self

    from agb import _plans
    from agb._effects import Call, Plan
    from agb._envelope import Reply
    from agb._plans import Found
    from agb_api_client import Client

if not TYPE_CHECKING:
    _plans = LazyModule("agb._plans")

__all__ = ["AGB", "OnExit"]

log = logging.getLogger("agb")

OnExit: TypeAlias = Literal["delete", "pause", "keep"]
"""What :meth:`AGB.session` does with the session on leaving its block."""

_ON_EXIT: tuple[OnExit, ...] = ("delete", "pause", "keep")

# Headers a derived client (with_options) adds to the requests it sends: set around each send,
# read by a request hook installed on the shared pools. Empty for every other request.
_EXTRA_HEADERS: contextvars.ContextVar[tuple[tuple[str, str], ...]] = contextvars.ContextVar(
    "agb_extra_headers", default=()
)
# Headers extra_headers may not set: the key, and what httpx computes for each request.
_RESERVED_HEADERS = frozenset({"authorization", "host", "content-length", "transfer-encoding"})


def _add_extra_headers(request: httpx.Request) -> None:
    for name, value in _EXTRA_HEADERS.get():
        request.headers[name] = value


async def _add_extra_headers_async(request: httpx.Request) -> None:
    _add_extra_headers(request)


def _check_headers(headers: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """``headers`` as pairs, or a ConfigurationError naming the first one that cannot be sent."""
    if not isinstance(headers, Mapping):
        raise ConfigurationError(f"extra_headers must be a mapping, got {type(headers).__name__}")
    pairs = []
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ConfigurationError(f"extra_headers must map str to str, got {name!r}")
        if name.lower() in _RESERVED_HEADERS:
            raise ConfigurationError(f"extra_headers cannot set {name!r}")
        if not name or any(c in name + value for c in "\r\n\0") or not name.isascii():
            raise ConfigurationError(f"extra_headers has a header that cannot be sent: {name!r}")
        pairs.append((name, value))
    return tuple(pairs)


@attrs.define
class _OptionsSender:
    """The sender of a client made by :meth:`AGB.with_options`: the parent's transport (same
    pools), with its own default timeout and extra headers, and its own closed state."""

    transport: HTTPSender
    timeout: float
    headers: tuple[tuple[str, str], ...]
    closed: bool = False

    def _prepare(self, call: Call) -> Call:
        if self.closed:
            raise ClientClosedError(
                "this AGB client (made by with_options) is closed; use its parent or a new one"
            )
        if call.timeout is None:
            call = attrs.evolve(call, timeout=self.timeout)
        return call

    def send(self, call: Call) -> Reply:
        call = self._prepare(call)
        if not self.headers:
            return self.transport.send(call)
        hooks = self.transport.sync_client().event_hooks["request"]
        if _add_extra_headers not in hooks:
            hooks.append(_add_extra_headers)
        token = _EXTRA_HEADERS.set(self.headers)
        try:
            return self.transport.send(call)
        finally:
            _EXTRA_HEADERS.reset(token)

    async def send_async(self, call: Call) -> Reply:
        call = self._prepare(call)
        if not self.headers:
            return await self.transport.send_async(call)
        hooks = self.transport.async_client().event_hooks["request"]
        if _add_extra_headers_async not in hooks:
            hooks.append(_add_extra_headers_async)
        token = _EXTRA_HEADERS.set(self.headers)
        try:
            return await self.transport.send_async(call)
        finally:
            _EXTRA_HEADERS.reset(token)


def _raise_failed(result: ApiResponse) -> None:
    """Raise the error of a failed page (an iterator has no result to carry it)."""
    result.raise_for_status()


def _next_token(result: SessionListResult, seen: set[str]) -> str:
    """The token of the page after ``result`` (``""`` at the end); a token the service already
    gave is a :class:`MalformedResponseError` (the pages would never end)."""
    _raise_failed(result)
    token = result.next_token
    if token and token in seen:
        raise MalformedResponseError(
            f"listSessions: the service gave the page token {token!r} twice; "
            "the pages would never end",
            request_id=result.request_id,
            code=result.code,
            http_status_code=result.http_status_code,
        )
    seen.add(token)
    return token


class AGB:
    """Client of the AGB cloud: the entry point for sessions.

    One ``AGB`` keeps one pooled sync HTTP client, shared by every request, thread and session
    made from it, and one pooled async HTTP client per event loop that uses it (connections
    belong to the loop that opened them, so successive ``asyncio.run`` calls work); close it
    (``close()`` / ``await aclose()``, or use it as a context manager, ``with`` or
    ``async with``) when done. Sync methods never start an event loop; ``*_async`` methods
    never block one.

    Logging goes to the ``agb`` logger (``agb.retry``, ``agb.wait`` below it), the API key
    blotted out. ``AGB_LOG_LEVEL`` (the published client's variable: ``debug``, ``INFO``...,
    or a number) sets its level at ``import agb``, adding a redacting stderr handler when the
    program configured no logging; a value that is not a level is a warning, never an error.

    Args:
        api_key: The API key; ``AGB_API_KEY`` from the environment when empty or not given.
        cfg: Endpoint and timeout; when not given, ``AGB_ENDPOINT`` and ``AGB_TIMEOUT_MS`` from
            the environment, else the AGB cloud with a 60 s timeout.
        transport: An httpx transport for the sync client (tests, proxies, custom TLS).
        async_transport: An httpx transport for the async client.
        clock: Monotonic clock used for deadlines (tests may inject one).
        sleep: Blocking sleep used between polls by sync methods (tests may inject one).
        async_sleep: Sleep used between polls by async methods (default ``asyncio.sleep``;
            tests may inject one).
        random: Source of the retries' jitter, a function giving a float in [0, 1): each
            backoff delay is cut by up to 25% of it, at random (default ``random.random``;
            tests may inject a seeded ``random.Random(n).random``, or ``lambda: 0.0`` for the
            exact delays 0.5 s, 1 s, 2 s...). A ``Retry-After`` is waited exactly.

    Raises:
        ConfigurationError: If there is no API key, or the configuration is wrong (it is a
            ``ValueError`` too, as the published client raises).
    """

    def __init__(
        self,
        api_key: str = "",
        cfg: Config | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        async_sleep: Callable[[float], Awaitable[object]] | None = None,
        random: Callable[[], float] = _random.random,
    ) -> None:
        if api_key is None or api_key == "":
            api_key = os.environ.get("AGB_API_KEY", "")
        if not isinstance(api_key, str) or not api_key.strip():
            raise ConfigurationError(
                "API key is required: pass AGB(api_key=...) "
                "or set the AGB_API_KEY environment variable"
            )
        if any(char in api_key for char in "\r\n\0"):
            raise ConfigurationError("API key must not contain line breaks or NUL characters")
        self.config = load_config(cfg)
        self._api_key = api_key.strip()
        self._transport = HTTPSender(
            base_url=self.config.base_url,
            api_key=self._api_key,
            timeout=self.config.timeout_seconds,
            max_connections=self.config.max_connections,
            max_response_bytes=self.config.max_response_bytes,
            transport=transport,
            async_transport=async_transport,
        )
        self._extra_headers: tuple[tuple[str, str], ...] = ()
        self._options: _OptionsSender | None = None
        self._runner = Runner(
            self._transport,
            RetryPolicy(
                max_retries=self.config.max_retries,
                http_timeout=self.config.timeout_seconds,
                jitter=JITTER,
                random=random,
            ),
            clock=clock,
            sleep=sleep,
            async_sleep=async_sleep,
        )

    # ------------------------------------------------------------------ plumbing

    @property
    def api_key(self) -> str:
        """The API key in use (never shown in reprs, logs or errors)."""
        return self._api_key

    @property
    def runner(self) -> Runner:
        """What carries out this client's operations: its transport, retry policy, clock and
        sleeps. Every :class:`~agb.Session` made from this client is given the same one. Its
        ``observer`` (``None`` by default) is called with each status a wait sees; the CLI's
        progress line subscribes there. An internal seam, not yet a stable API."""
        return self._runner

    @property
    def endpoint(self) -> str:
        """The service's base URL."""
        return self.config.base_url

    @property
    def timeout_ms(self) -> int:
        """The HTTP request timeout in milliseconds."""
        return int(self.config.timeout_ms)

    @property
    def raw(self) -> Client:
        """The generated low-level client (``agb_api_client.Client``), configured with this
        client's endpoint, key, timeout and connection pools, for calling any endpoint directly::

            from agb_api_client.api.sessions import get_session
            from agb_api_client.models import SessionIdRequest
            answer = get_session.sync_detailed(client=agb.raw, body=SessionIdRequest("s-1"))
        """
        return self._transport.raw()

    def __repr__(self) -> str:
        return f"AGB(endpoint={self.endpoint!r}, api_key=<redacted>)"

    def _session_result(self, found: Found) -> SessionResult:
        """The plan's result, with a :class:`~agb.Session` made of the record it found."""
        if found.record is None:
            return found.result
        return attrs.evolve(found.result, session=session_from_record(self, found.record))

    def close(self) -> None:
        """Close the sync connection pool. Use :meth:`aclose` to close the async one too.

        Calls made after closing raise :class:`~agb.exceptions.ClientClosedError`. A client
        made by :meth:`with_options` closes only itself: its parent's pools stay open.
        """
        if self._options is not None:
            self._options.closed = True
            return
        self._transport.close()

    async def aclose(self) -> None:
        """Close the sync pool and the async pool of the running event loop (a client made
        by :meth:`with_options`: only itself, as :meth:`close`)."""
        if self._options is not None:
            self._options.closed = True
            return
        await self._transport.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ options

    def with_options(
        self,
        *,
        timeout_ms: int | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AGB:
        """A client like this one with other options, sharing its connection pools (as
        openai's ``with_options``): no new connections, and cheap enough to call per request::

            agb.with_options(timeout_ms=5_000, max_retries=0).get("s-1")

        The derived client shares this client's pools, key, endpoint, clock, sleeps and
        observer. Closing it (``close()``, ``aclose()`` or the end of its ``with`` block) only
        stops it from making calls: the pools belong to the parent and stay open. Closing the
        parent closes them for every client derived from it.

        Args:
            timeout_ms: HTTP timeout of each request in milliseconds (default: this client's).
            max_retries: Retries of a request that failed in passing (default: this client's).
            extra_headers: Headers added to every request (on top of those of this client, if
                it was derived too); they cannot set ``Authorization``, ``Host``,
                ``Content-Length`` or ``Transfer-Encoding``.

        Returns:
            AGB: The derived client.

        Raises:
            ConfigurationError: If an option is wrong (``timeout_ms`` not > 0, ``max_retries``
                not an integer >= 0, a header that cannot be sent or is reserved).
        """
        config = attrs.evolve(
            self.config,
            timeout_ms=self.config.timeout_ms if timeout_ms is None else timeout_ms,
            max_retries=self.config.max_retries if max_retries is None else max_retries,
        )
        config.validate()
        headers = dict(self._extra_headers)
        headers.update(_check_headers(extra_headers or {}))
        derived = object.__new__(AGB)
        derived.config = config
        derived._api_key = self._api_key
        derived._transport = self._transport
        derived._extra_headers = tuple(headers.items())
        derived._options = _OptionsSender(
            self._transport, config.timeout_seconds, derived._extra_headers
        )
        parent = self._runner
        derived._runner = Runner(
            derived._options,
            attrs.evolve(
                parent.policy, max_retries=config.max_retries, http_timeout=config.timeout_seconds
            ),
            clock=parent.clock,
            sleep=parent.sleep,
            async_sleep=parent.async_sleep,
            observer=parent.observer,
        )
        return derived

    # ------------------------------------------------------------------ guards

    @contextmanager
    def session(
        self, params: CreateSessionParams | None = None, *, on_exit: OnExit = "delete"
    ) -> Iterator[Session]:
        """A new session for the length of a ``with`` block::

            with agb.session(CreateSessionParams(image_id="agb-code-space-1")) as session:
                session.get_link()

        On leaving the block (normally, on an exception or on ``KeyboardInterrupt``) the
        session is deleted, paused or kept as ``on_exit`` says. A failure of that clean-up
        raises its typed error when the block ended normally; when the block raised, it is
        logged (warning on the ``agb`` logger) and the block's exception goes on.

        Args:
            params: As :meth:`create`.
            on_exit: ``"delete"`` (default), ``"pause"`` or ``"keep"``.

        Yields:
            Session: The new session.

        Raises:
            ValueError: If ``on_exit`` is not one of the three.
            SessionError: The typed error of a failed create (on entering), or of a failed
                delete or pause (on leaving, see above).
        """
        _check_on_exit(on_exit)
        session = self.create(params).unwrap()
        try:
            yield session
        except BaseException:
            try:
                left = _leave(session, on_exit)
            except Exception as error:  # the block's own exception goes on
                _cleanup_failed(session, on_exit, error)
            else:
                _cleanup_failed(session, on_exit, left)
            raise
        _leave(session, on_exit).raise_for_status()

    @asynccontextmanager
    async def session_async(
        self, params: CreateSessionParams | None = None, *, on_exit: OnExit = "delete"
    ) -> AsyncIterator[Session]:
        """Async twin of :meth:`session`: ``async with agb.session_async(params) as session``.

        The clean-up also runs when the task is cancelled; it is shielded from a second
        cancellation (the delete or pause request goes on to its end).
        """
        _check_on_exit(on_exit)
        session = (await self.create_async(params)).unwrap()
        try:
            yield session
        except BaseException:
            try:
                left = await _shielded(_leave_async(session, on_exit))
            except Exception as error:  # the block's own exception goes on
                _cleanup_failed(session, on_exit, error)
            else:
                _cleanup_failed(session, on_exit, left)
            raise
        (await _leave_async(session, on_exit)).raise_for_status()

    # ------------------------------------------------------------------ paging

    def iter_sessions(
        self, labels: Mapping[str, str] | None = None, page_size: int | None = None
    ) -> Iterator[SessionSummary]:
        """Every session matching ``labels``, across all pages, one request per page as the
        iteration reaches it::

            for summary in agb.iter_sessions({"team": "sdk"}):
                print(summary.session_id, summary.status)

        Args:
            labels: Labels every session must have (default: no filter).
            page_size: Sessions per request (default 10).

        Yields:
            SessionSummary: Each session with its status.

        Raises:
            SessionError: The typed error of a page that failed (``BadRequestError`` for bad
                arguments, on the first step); a page token given twice is a
                ``MalformedResponseError``.
        """
        seen: set[str] = set()
        token: str | None = None
        while token != "":
            result = self._runner.run(self._list(labels, None, page_size, token or None))
            token = _next_token(result, seen)
            yield from result.sessions

    async def aiter_sessions(
        self, labels: Mapping[str, str] | None = None, page_size: int | None = None
    ) -> AsyncIterator[SessionSummary]:
        """Async twin of :meth:`iter_sessions`: ``async for summary in agb.aiter_sessions()``."""
        seen: set[str] = set()
        token: str | None = None
        while token != "":
            plan = self._list(labels, None, page_size, token or None)
            result = await self._runner.run_async(plan)
            token = _next_token(result, seen)
            for summary in result.sessions:
                yield summary

    # ------------------------------------------------------------------ sessions

    def create(
        self,
        params: CreateSessionParams | None = None,
        *,
        timeout: float = DEFAULT_CREATE_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> SessionResult:
        """Create a session.

        Args:
            params: The image (required), labels, contexts to mount, policy and idle timeout.
            timeout: With ``context_syncs``: seconds to wait for their downloads to end
                (default 300). A download that fails or does not end in time is logged; the
                session is returned all the same.
            poll_interval: Seconds between polls of the downloads (default 2.0).

        Returns:
            SessionResult: ``session`` is the new :class:`~agb.Session`. A failure (including
            ``data.success: false`` inside an HTTP 200) gives ``success=False`` with the reason
            in ``error_message``.

        Raises:
            ValueError: If ``timeout`` or ``poll_interval`` is not a number > 0.
        """
        return self._session_result(self._runner.run(self._create(params, timeout, poll_interval)))

    async def create_async(
        self,
        params: CreateSessionParams | None = None,
        *,
        timeout: float = DEFAULT_CREATE_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> SessionResult:
        """Async twin of :meth:`create`."""
        plan = self._create(params, timeout, poll_interval)
        return self._session_result(await self._runner.run_async(plan))

    def _create(
        self, params: CreateSessionParams | None, timeout: float, poll_interval: float
    ) -> Plan[Found]:
        timeout, interval = check_wait(timeout, poll_interval)
        return _plans.create(self._runner.policy, params, timeout=timeout, interval=interval)

    def get(self, session_id: str) -> SessionResult:
        """Find a session by id.

        Returns:
            SessionResult: ``session`` is a :class:`~agb.Session` for it; a session that does
            not exist gives ``success=False`` with a ``NotFoundError`` in ``error``.
        """
        return self._session_result(self._runner.run(_plans.get(self._runner.policy, session_id)))

    async def get_async(self, session_id: str) -> SessionResult:
        """Async twin of :meth:`get`."""
        plan = _plans.get(self._runner.policy, session_id)
        return self._session_result(await self._runner.run_async(plan))

    def get_session(self, session_id: str) -> GetSessionResult:
        """A session's details and status.

        Returns:
            GetSessionResult: ``data`` holds ``session_id``, ``status``, ``resource_url``,
            ``app_instance_id`` and ``resource_id``.
        """
        return self._runner.run(_plans.get_session(self._runner.policy, session_id))

    async def get_session_async(self, session_id: str) -> GetSessionResult:
        """Async twin of :meth:`get_session`."""
        return await self._runner.run_async(_plans.get_session(self._runner.policy, session_id))

    def list(
        self,
        labels: Mapping[str, str] | None = None,
        page: int | None = None,
        limit: int | None = None,
        *,
        next_token: str | None = None,
    ) -> SessionListResult:
        """List sessions, optionally only those carrying all of ``labels``.

        Args:
            labels: Labels every listed session must have (default: no filter).
            page: Page number, from 1 (default 1). Reaching page N costs N requests; to walk
                all pages, pass the previous result's ``next_token`` instead.
            limit: Sessions per page (default 10).
            next_token: Start from this token (from a previous result). Give ``page`` or
                ``next_token``, not both: the pair is refused (see Returns).

        Returns:
            SessionListResult: ``session_ids``, ``sessions`` (with status), ``next_token``
            (``""`` on the last page), ``max_results`` and ``total_count``. An answer with no
            ``data`` (or ``null``) is an empty page; ``data`` that is not a list of sessions
            gives ``success=False`` with a ``MalformedResponseError``. Bad arguments (labels
            that are not a string map, ``page`` or ``limit`` < 1, both ``page`` and
            ``next_token``) give a failed result with ``code == "InvalidParameter"``, and no
            request is sent.
        """
        return self._runner.run(self._list(labels, page, limit, next_token))

    async def list_async(
        self,
        labels: Mapping[str, str] | None = None,
        page: int | None = None,
        limit: int | None = None,
        *,
        next_token: str | None = None,
    ) -> SessionListResult:
        """Async twin of :meth:`list`."""
        return await self._runner.run_async(self._list(labels, page, limit, next_token))

    def _list(
        self, labels: object, page: object, limit: object, next_token: object
    ) -> Plan[SessionListResult]:
        return _plans.list(self._runner.policy, labels, page, limit, next_token)

    def delete(
        self,
        session: Session,
        sync_context: bool = False,
        *,
        timeout: float = DEFAULT_DELETE_TIMEOUT,
        poll_interval: float = DEFAULT_DELETE_POLL_INTERVAL,
    ) -> DeleteResult:
        """Delete ``session``; same as ``session.delete(...)`` (see :meth:`agb.Session.delete`)."""
        return _session(session).delete(sync_context, timeout=timeout, poll_interval=poll_interval)

    async def delete_async(
        self,
        session: Session,
        sync_context: bool = False,
        *,
        timeout: float = DEFAULT_DELETE_TIMEOUT,
        poll_interval: float = DEFAULT_DELETE_POLL_INTERVAL,
    ) -> DeleteResult:
        """Async twin of :meth:`delete`."""
        return await _session(session).delete_async(
            sync_context, timeout=timeout, poll_interval=poll_interval
        )

    def pause(
        self,
        session: Session,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> SessionPauseResult:
        """Pause ``session``; same as ``session.pause(...)`` (see :meth:`agb.Session.pause`)."""
        return _session(session).pause(timeout, poll_interval)

    async def pause_async(
        self,
        session: Session,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> SessionPauseResult:
        """Async twin of :meth:`pause`."""
        return await _session(session).pause_async(timeout, poll_interval)

    def resume(
        self,
        session: Session,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> SessionResumeResult:
        """Resume ``session``; same as ``session.resume(...)`` (see :meth:`agb.Session.resume`)."""
        return _session(session).resume(timeout, poll_interval)

    async def resume_async(
        self,
        session: Session,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> SessionResumeResult:
        """Async twin of :meth:`resume`."""
        return await _session(session).resume_async(timeout, poll_interval)


def _check_on_exit(on_exit: object) -> None:
    if on_exit not in _ON_EXIT:
        raise ValueError(f"on_exit must be 'delete', 'pause' or 'keep', got {on_exit!r}")


def _leave(session: Session, on_exit: OnExit) -> ApiResponse:
    if on_exit == "delete":
        return session.delete()
    if on_exit == "pause":
        return session.pause()
    return ApiResponse(success=True)


async def _leave_async(session: Session, on_exit: OnExit) -> ApiResponse:
    if on_exit == "delete":
        return await session.delete_async()
    if on_exit == "pause":
        return await session.pause_async()
    return ApiResponse(success=True)


# Clean-ups still running after their block was cancelled again: asyncio keeps only weak
# references to tasks, so they are held here until they end.
_RUNNING: set[object] = set()


async def _shielded(work: Coroutine[object, object, ApiResponse]) -> ApiResponse:
    """``work`` run to its end even if the awaiting task is cancelled again meanwhile (then
    it goes on in the background, and the result says it was not awaited)."""
    import asyncio

    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        if task.done() and not task.cancelled():
            return task.result()
        _RUNNING.add(task)
        task.add_done_callback(_RUNNING.discard)
        return ApiResponse(error_message="cancelled again; the clean-up goes on in the background")


def _cleanup_failed(session: Session, on_exit: OnExit, outcome: ApiResponse | Exception) -> None:
    """Log (never raise) a failed clean-up of a block that is already raising."""
    if isinstance(outcome, ApiResponse):
        if outcome.success:
            return
        why = outcome.error_message
    elif isinstance(outcome, AGBError):
        why = f"{type(outcome).__name__}: {outcome.message}"
    else:
        why = f"{type(outcome).__name__}: {outcome}"
    log.warning("session %s: %s on leaving its block failed: %s", session.session_id, on_exit, why)


def _session(session: object) -> Session:
    if not isinstance(session, Session):
        raise TypeError(f"session must be an agb.Session, got {type(session).__name__}")
    return session
