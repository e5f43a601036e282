"""A session on AGB cloud, and what can be done with it.

Every method has an ``_async`` twin with the same arguments and result; both run the same plan
(see :mod:`agb._plans`), one with blocking I/O and one on the event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from agb._checks import check_on_status, check_session_id, check_wait
from agb._constants import (
    DEFAULT_DELETE_POLL_INTERVAL,
    DEFAULT_DELETE_TIMEOUT,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
from agb._lazy import LazyModule
from agb._session_details import SessionDetails
from agb.context_sync import ContextSync
from agb.model.response import (
    DeleteResult,
    SessionPauseResult,
    SessionResumeResult,
    SessionWaitResult,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from agb import _plans
    from agb._effects import Plan
    from agb._plans import SessionRecord
    from agb._runner import Runner
    from agb.client import AGB
    from agb_api_client import Client

if not TYPE_CHECKING:
    _plans = LazyModule("agb._plans")

__all__ = ["Session"]

T = TypeVar("T")


class Session(SessionDetails):
    """A session: labels, details, links, status, pause/resume and deletion.

    Sessions come from :meth:`agb.AGB.create` or :meth:`agb.AGB.get`; ``Session(agb, session_id)``
    also works for an id you already have.

    Attributes:
        agb: The client the session belongs to.
        session_id: The session's id.
        resource_url: URL of the session's resource (``""`` if unknown).
        image_id: The image it was created from (``""`` if unknown).
        app_instance_id: Application instance id (``""`` if unknown).
        resource_id: Resource id (``""`` if unknown).
        link_url: Link URL the service gave (``linkUrl`` / ``LinkUrl``) on create, get or
            info (``""`` if none).
        ws_url: WebSocket URL the service gave (``wsUrl`` / ``WsUrl``), ``""`` if none.
        token: Access token the service gave (``token`` / ``Token``), ``""`` if none; never
            shown in the repr.
        network_interface_ip: The session's network interface address the service gave on
            create (``networkInterfaceIp``), ``""`` if none.
        context_syncs: The contexts mounted at creation.

    Raises:
        ValueError: If ``session_id`` is not a non-empty string.
    """

    agb: AGB
    session_id: str
    resource_url: str
    image_id: str
    app_instance_id: str
    resource_id: str
    link_url: str
    ws_url: str
    token: str
    network_interface_ip: str
    context_syncs: list[ContextSync]

    def __init__(self, agb: AGB, session_id: str) -> None:
        problem = check_session_id(session_id)
        if problem:
            raise ValueError(problem)
        self.agb = agb
        self._runner: Runner = agb.runner
        self.session_id = session_id
        self.resource_url = ""
        self.image_id = ""
        self.app_instance_id = ""
        self.resource_id = ""
        self.link_url = ""
        self.ws_url = ""
        self.token = ""
        self.network_interface_ip = ""
        self.context_syncs = []

    def __repr__(self) -> str:
        return f"Session(session_id={self.session_id!r}, image_id={self.image_id!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Session):
            return NotImplemented
        return self.session_id == other.session_id and self.agb is other.agb

    def __hash__(self) -> int:
        return hash(self.session_id)

    # Helpers the published client offers.
    def get_session_id(self) -> str:
        """The session's id."""
        return self.session_id

    def get_api_key(self) -> str:
        """The API key of the client this session belongs to."""
        return self.agb.api_key

    def get_client(self) -> Client:
        """The generated low-level client, configured (see :attr:`agb.AGB.raw`)."""
        return self.agb.raw

    # ------------------------------------------------------------------ pause / resume

    def pause(
        self,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        *,
        on_status: Callable[[str, float], object] | None = None,
    ) -> SessionPauseResult:
        """Pause the session (put it into a dormant state) and wait until it is ``PAUSED``.

        Sends the pause request, then polls the session's status every ``poll_interval``
        seconds (the first poll one interval after the request) until it is ``PAUSED``, it
        cannot become so (deleted, being deleted), or ``timeout`` seconds have passed since
        the call began. Statuses compare case-insensitively.

        If the answer to the pause request is lost (connection dropped after sending, a
        timeout, a 5xx or HTML answer from a proxy), the request is not resent blindly: the
        session's status is read within the same deadline; if the pause has started the wait
        goes on, and if the session still shows its old status the request is sent again
        (pausing a pausing session is harmless). The result then has ``reconciled=True``. A
        429, or a 503 with ``Retry-After``, says the service did not act: it is retried
        within the deadline.

        Args:
            timeout: Seconds to wait in all (default 600).
            poll_interval: Seconds between status polls (default 2.0).
            on_status: Called as ``on_status(status, elapsed)`` with each new status the wait
                sees (``FINISH`` when the session is found gone) and the seconds since the
                call began. An exception it raises propagates out of this call and ends the
                wait (the pause request, once sent, stays sent).

        Returns:
            SessionPauseResult: ``success``, ``status`` (the last status seen), ``request_id``
            of the pause request, ``elapsed``, ``reconciled``; on failure ``code``,
            ``message``, ``http_status_code``, ``error_message`` and ``error``. A timeout is a
            failed result with ``code == "WaitTimeout"``.

        Raises:
            ValueError: If ``timeout`` or ``poll_interval`` is not a number > 0, or
                ``on_status`` is not callable (or is a coroutine function).
        """
        plan = self._pause(timeout, poll_interval, on_status, is_async=False)
        return self._runner.run(plan, on_status)

    async def pause_async(
        self,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        *,
        on_status: Callable[[str, float], object] | None = None,
    ) -> SessionPauseResult:
        """Async twin of :meth:`pause`; waits with ``asyncio.sleep``, never blocking the loop.

        ``on_status`` may be a coroutine function: it is awaited.
        """
        plan = self._pause(timeout, poll_interval, on_status, is_async=True)
        return await self._runner.run_async(plan, on_status)

    def resume(
        self,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        *,
        on_status: Callable[[str, float], object] | None = None,
    ) -> SessionResumeResult:
        """Resume a paused session and wait until it is ``RUNNING``; the wait (and the
        reconciliation of a lost answer) works as :meth:`pause`'s does.

        Args:
            timeout: Seconds to wait in all (default 600).
            poll_interval: Seconds between status polls (default 2.0).
            on_status: As in :meth:`pause`.

        Returns:
            SessionResumeResult: as :meth:`pause`, with ``RUNNING`` as the target.

        Raises:
            ValueError: As :meth:`pause`.
        """
        return self._runner.run(
            self._resume(timeout, poll_interval, on_status, sync=True), on_status
        )

    async def resume_async(
        self,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        *,
        on_status: Callable[[str, float], object] | None = None,
    ) -> SessionResumeResult:
        """Async twin of :meth:`resume` (``on_status`` may be a coroutine function)."""
        return await self._runner.run_async(
            self._resume(timeout, poll_interval, on_status), on_status
        )

    def _pause(
        self, timeout: float, poll_interval: float, on_status: object, *, is_async: bool
    ) -> Plan[SessionPauseResult]:
        timeout, interval = _check_wait(timeout, poll_interval, on_status, is_async)
        return _plans.pause(self._runner.policy, self.session_id, timeout, interval)

    def _resume(
        self, timeout: float, poll_interval: float, on_status: object, *, sync: bool = False
    ) -> Plan[SessionResumeResult]:
        timeout, interval = _check_wait(timeout, poll_interval, on_status, not sync)
        return _plans.resume(self._runner.policy, self.session_id, timeout, interval)

    # ------------------------------------------------------------------ wait_for

    def wait_for(
        self,
        status: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        on_status: Callable[[str, float], object] | None = None,
    ) -> SessionWaitResult:
        """Wait until the session shows ``status``, polling it every ``poll_interval`` seconds.

        The first poll goes out at once. Statuses compare case-insensitively (``Running`` is
        ``RUNNING``); a status unknown to the SDK keeps the wait going (it is logged once). The
        wait ends early, failed, when ``status`` cannot come any more: the session is gone
        (``FINISH``/``DELETED`` or not found) or being deleted, unless that is what is waited
        for. Waiting for ``FINISH`` or ``DELETED`` succeeds once the session is gone.

        Args:
            status: The status to wait for: ``CREATING``, ``STARTING``, ``RUNNING``,
                ``PAUSING``, ``PAUSED``, ``RESUMING``, ``DELETING``, ``FINISH`` or ``DELETED``
                (any case).
            timeout: Seconds to wait in all (default 600).
            poll_interval: Seconds between status polls (default 2.0).
            on_status: As in :meth:`pause`.

        Returns:
            SessionWaitResult: ``success``, ``status`` (the last status seen, upper case),
            ``elapsed`` and the ``request_id`` of the last status request; a timeout is a
            failed result with ``code == "WaitTimeout"`` (``error`` a ``WaitTimeoutError``);
            a status that cannot come is a failed result with ``code ==
            "InvalidSessionStatus"`` (or the not-found answer as the service sent it).

        Raises:
            ValueError: If ``status`` is not a known status name, ``timeout`` or
                ``poll_interval`` is not a number > 0, or ``on_status`` is not callable (or
                is a coroutine function).
        """
        plan = self._wait_for(status, timeout, poll_interval, on_status, is_async=False)
        return self._runner.run(plan, on_status)

    async def wait_for_async(
        self,
        status: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        on_status: Callable[[str, float], object] | None = None,
    ) -> SessionWaitResult:
        """Async twin of :meth:`wait_for`; ``on_status`` may be a coroutine function."""
        plan = self._wait_for(status, timeout, poll_interval, on_status, is_async=True)
        return await self._runner.run_async(plan, on_status)

    def _wait_for(
        self,
        status: str,
        timeout: float,
        poll_interval: float,
        on_status: object,
        *,
        is_async: bool,
    ) -> Plan[SessionWaitResult]:
        from agb._waits import check_target

        target = check_target(status)
        timeout, interval = _check_wait(timeout, poll_interval, on_status, is_async)
        return _plans.wait_for(self._runner.policy, self.session_id, target, timeout, interval)

    # ------------------------------------------------------------------ delete

    def delete(
        self,
        sync_context: bool = False,
        *,
        timeout: float = DEFAULT_DELETE_TIMEOUT,
        poll_interval: float = DEFAULT_DELETE_POLL_INTERVAL,
        on_status: Callable[[str, float], object] | None = None,
    ) -> DeleteResult:
        """Delete the session and wait until it is gone.

        A lost answer to the delete request is reconciled as in :meth:`pause` (the session's
        status is read; the request is sent again only if the session is not being deleted).

        Args:
            sync_context: First upload the session's contexts and wait for the upload tasks to
                end. A failed sync is reported in ``context_synced`` / ``context_sync_error``
                and the session is deleted all the same.
            timeout: Seconds each wait (context sync, deletion) may take (default 300).
            poll_interval: Seconds between polls (default 1.0).
            on_status: As in :meth:`pause` (session statuses only, not context task states).

        Returns:
            DeleteResult: ``success`` once the session is ``FINISH`` or not found; the
            ``request_id`` of the delete request; ``reconciled``.

        Raises:
            ValueError: If ``timeout`` or ``poll_interval`` is not a number > 0, or
                ``on_status`` is not callable (or is a coroutine function).
        """
        plan = self._delete(sync_context, timeout, poll_interval, on_status, is_async=False)
        return self._runner.run(plan, on_status)

    async def delete_async(
        self,
        sync_context: bool = False,
        *,
        timeout: float = DEFAULT_DELETE_TIMEOUT,
        poll_interval: float = DEFAULT_DELETE_POLL_INTERVAL,
        on_status: Callable[[str, float], object] | None = None,
    ) -> DeleteResult:
        """Async twin of :meth:`delete`; ``on_status`` may be a coroutine function, which is
        awaited, and the waits use ``asyncio.sleep``."""
        return await self._runner.run_async(
            self._delete(sync_context, timeout, poll_interval, on_status, is_async=True), on_status
        )

    def _delete(
        self,
        sync_context: bool,
        timeout: float,
        poll_interval: float,
        on_status: object,
        *,
        is_async: bool,
    ) -> Plan[DeleteResult]:
        timeout, interval = _check_wait(timeout, poll_interval, on_status, is_async)
        return _plans.delete(
            self._runner.policy,
            self.session_id,
            sync_context=bool(sync_context),
            timeout=timeout,
            interval=interval,
        )


def _check_wait(
    timeout: object, poll_interval: object, on_status: object, is_async: bool
) -> tuple[float, float]:
    """The checked ``(timeout, poll_interval)`` of a wait, its ``on_status`` checked too."""
    checked = check_wait(timeout, poll_interval)
    check_on_status(on_status, is_async=is_async)
    return checked


def session_from_record(agb: AGB, record: SessionRecord) -> Session:
    """A :class:`Session` of ``agb`` with what a plan found out about it."""
    session = Session(agb, record.session_id)
    session.resource_url = record.resource_url
    session.image_id = record.image_id
    session.app_instance_id = record.app_instance_id
    session.resource_id = record.resource_id
    session.link_url = record.link_url
    session.ws_url = record.ws_url
    session.token = record.token
    session.network_interface_ip = record.network_interface_ip
    session.context_syncs = list(record.context_syncs)
    return session
