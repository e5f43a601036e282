"""What :class:`~agb.AGB` does around sessions: a session for the length of a block, the
list of sessions by page or all at once, and the shortcuts that hand a :class:`~agb.Session`
its own call."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

from agb._constants import (
    DEFAULT_DELETE_POLL_INTERVAL,
    DEFAULT_DELETE_TIMEOUT,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
from agb._lazy import LazyModule
from agb.exceptions import AGBError, MalformedResponseError
from agb.model.response import (
    ApiResponse,
    DeleteResult,
    SessionListResult,
    SessionPauseResult,
    SessionResult,
    SessionResumeResult,
    SessionSummary,
)
from agb.session import Session
from agb.session_params import CreateSessionParams

if TYPE_CHECKING:
    from agb import _plans
    from agb._effects import Plan
    from agb._runner import Runner
    from agb.client import OnExit

if not TYPE_CHECKING:
    _plans = LazyModule("agb._plans")

__all__ = ["SessionBlocks"]

log = logging.getLogger("agb")

_ON_EXIT = ("delete", "pause", "keep")


class SessionBlocks:
    """The part of :class:`~agb.AGB` that works with whole sessions: blocks, lists, shortcuts."""

    _runner: Runner

    if TYPE_CHECKING:

        def create(self, params: CreateSessionParams | None = None) -> SessionResult: ...

        async def create_async(
            self, params: CreateSessionParams | None = None
        ) -> SessionResult: ...

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

    # ------------------------------------------------------------------ shortcuts

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


def _next_token(result: SessionListResult, seen: set[str]) -> str:
    """The token of the page after ``result`` (``""`` at the end); a failed page raises its
    error (an iterator has no result to carry it), and a token the service already gave is a
    :class:`MalformedResponseError` (the pages would never end)."""
    result.raise_for_status()
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
