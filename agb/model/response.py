"""Results of the SDK's operations: immutable, typed, and able to raise their error.

Every result has ``success``, ``request_id``, ``error_message``, and what the service said:
``code``, ``message`` and ``http_status_code``. A failed result keeps the typed error in
``error``; :meth:`ApiResponse.raise_for_status` raises it, so code can choose between checking
``success`` (as with the published client) and exceptions::

    result = session.pause()
    if not result.success:
        print(result.code, result.error_message)
    session.resume().raise_for_status()   # raises a SessionError subclass on failure
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar, cast

from attrs import field, frozen

from agb.exceptions import AGBError, SessionError

if TYPE_CHECKING:
    from agb.session import Session

__all__ = [
    "ApiResponse",
    "ContextTaskResult",
    "DeleteResult",
    "GetSessionData",
    "GetSessionResult",
    "OperationResult",
    "SessionInfo",
    "SessionListResult",
    "SessionPauseResult",
    "SessionResult",
    "SessionResumeResult",
    "SessionStatusResult",
    "SessionSummary",
    "SessionWaitResult",
]

if TYPE_CHECKING:
    # For type checkers only (typing_extensions comes with them): a bare ``OperationResult``,
    # as code written for the published client spells it, means ``OperationResult[Any]``.
    from typing_extensions import TypeVar as _TypeVar

    T = _TypeVar("T", default=Any)
else:
    T = TypeVar("T")

V = TypeVar("V")


@frozen(kw_only=True)
class ApiResponse:
    """Fields every result has.

    Attributes:
        request_id: The server's request id of the call the result is about (``""`` if none).
        success: ``True`` when the operation did what was asked.
        error_message: Why it failed (``""`` on success).
        code: The service's code (e.g. ``"InvalidMcpSession.NotFound"``), ``""`` if none.
        message: The service's message, ``""`` if none.
        http_status_code: The HTTP status of the answer, ``None`` when there was none.
        error: The typed error of a failed result, ``None`` on success.
    """

    request_id: str = ""
    success: bool = False
    error_message: str = ""
    code: str = ""
    message: str = ""
    http_status_code: int | None = None
    error: AGBError | None = field(default=None, repr=False, eq=False)

    def get_request_id(self) -> str:
        """The server's request id (as the published client's ``get_request_id``)."""
        return self.request_id

    def raise_for_status(self) -> None:
        """Raise the result's error if it failed; do nothing on success.

        Raises:
            SessionError: The typed error (a subclass such as ``NotFoundError``) of a failure.
        """
        if self.success:
            return
        if self.error is not None:
            raise self.error
        raise SessionError(
            self.error_message or "the operation failed",
            request_id=self.request_id,
            code=self.code,
            http_status_code=self.http_status_code,
        )

    def _held(self, value: V | None, what: str) -> V:
        """``value`` (the ``what`` of this result) once :meth:`raise_for_status` let it by."""
        self.raise_for_status()
        if value is None:  # pragma: no cover - a success always carries what it holds
            raise SessionError(f"the result holds no {what}", request_id=self.request_id)
        return value


@frozen(kw_only=True)
class OperationResult(ApiResponse, Generic[T]):
    """Result of an operation that may return data, generic in that data.

    ``get_labels`` gives an ``OperationResult[dict[str, str]]``, ``info`` an
    ``OperationResult[SessionInfo]``, ``get_link`` an ``OperationResult[str]``, ``set_labels``
    an ``OperationResult[None]``; :meth:`unwrap` gives the data typed, without ``None``.

    Attributes:
        data: What the operation returns (``None`` on failure).
    """

    data: T | None = None

    def unwrap(self) -> T:
        """The data of a successful result.

        Returns:
            The data, typed (for ``OperationResult[None]``, ``None``).

        Raises:
            SessionError: The typed error of a failed result (as :meth:`raise_for_status`).
        """
        self.raise_for_status()
        return cast(T, self.data)  # a success carries its data (None for OperationResult[None])


class SessionInfo(TypedDict, total=False):
    """The ``data`` of ``Session.info``: the session's resource details.

    ``session_id`` and ``resource_url`` are always there; the desktop keys (``app_id``,
    ``auth_code``, ``connection_properties``, ``resource_id``, ``resource_type``, ``ticket``)
    when the session has a desktop; ``link_url``, ``ws_url`` and ``token`` when the service
    sends them.
    """

    session_id: str
    resource_url: str
    app_id: str
    auth_code: str
    connection_properties: str
    resource_id: str
    resource_type: str
    ticket: str
    link_url: str
    ws_url: str
    token: str


@frozen(kw_only=True)
class SessionResult(ApiResponse):
    """Result of creating or finding a session.

    Attributes:
        session: The session, or ``None`` on failure.
        reconciled: The answer to the create was lost (connection dropped after sending, a
            timeout, a 5xx or unreadable answer), and the SDK looked for the session by its
            client token label (``agb.client_token``) before sending it again, if at all.
    """

    session: Session | None = None
    reconciled: bool = False

    def unwrap(self) -> Session:
        """The session of a successful result, so that ``agb.create(p).unwrap().pause()``
        needs no ``None`` check.

        Returns:
            Session: The session.

        Raises:
            SessionError: The typed error of a failed result (as :meth:`raise_for_status`).
        """
        return self._held(self.session, "session")


@frozen(kw_only=True)
class GetSessionData:
    """A session as ``get_session`` reports it.

    Attributes:
        session_id: The session's id.
        status: Its status (``RUNNING``, ``PAUSED``, ...; other values are passed through).
        app_instance_id: Application instance id.
        resource_id: Resource id.
        resource_url: URL of the session's resource.
        success: ``True`` (kept for compatibility with the published client).
        link_url: Link URL, when the service sends one (``linkUrl`` or ``LinkUrl``), else ``""``.
        ws_url: WebSocket URL, when sent (``wsUrl`` or ``WsUrl``), else ``""``.
        token: Access token, when sent (``token`` or ``Token``), else ``""``; not in the repr.
        extra: Fields the service sent that this SDK does not know yet.
    """

    session_id: str = ""
    status: str = ""
    app_instance_id: str = ""
    resource_id: str = ""
    resource_url: str = ""
    success: bool = True
    link_url: str = ""
    ws_url: str = ""
    token: str = field(default="", repr=False)
    extra: dict[str, Any] = field(factory=dict, repr=False)


@frozen(kw_only=True)
class GetSessionResult(ApiResponse):
    """Result of ``AGB.get_session``.

    Attributes:
        data: The session's details, ``None`` on failure.
    """

    data: GetSessionData | None = None

    def unwrap(self) -> GetSessionData:
        """The session's details of a successful result.

        Returns:
            GetSessionData: The details.

        Raises:
            SessionError: As :meth:`raise_for_status` does, the typed error of a failed result.
        """
        return self._held(self.data, "data")


@frozen(kw_only=True)
class SessionStatusResult(ApiResponse):
    """Result of ``Session.get_status``.

    Attributes:
        status: The session's status, ``""`` on failure.
    """

    status: str = ""


@frozen(kw_only=True)
class SessionSummary:
    """One entry of a session list: its id and status."""

    session_id: str
    status: str = ""


@frozen(kw_only=True)
class SessionListResult(ApiResponse):
    """One page of ``AGB.list``.

    Attributes:
        session_ids: Ids of the sessions on this page.
        sessions: The same sessions with their status.
        next_token: Token of the next page (``""`` on the last page).
        max_results: Page size.
        total_count: How many sessions match the filter in all.
    """

    session_ids: list[str] = field(factory=list)
    sessions: list[SessionSummary] = field(factory=list)
    next_token: str = ""
    max_results: int = 0
    total_count: int = 0


@frozen(kw_only=True)
class _WaitResult(ApiResponse):
    """Fields of operations that wait for a status.

    Attributes:
        status: The last status seen (``""`` if none was seen; a known status in upper case).
        elapsed: Seconds from the start of the operation to its result.
        reconciled: The answer to the request that starts the change was lost or unreadable
            (connection dropped after sending, a timeout, a 5xx or HTML answer), and the SDK
            read the session's status to find out what happened, sending the request again
            only if the status showed it had not been acted on (always ``False`` for
            :meth:`~agb.Session.wait_for`, which sends no such request).
    """

    status: str = ""
    elapsed: float = 0.0
    reconciled: bool = False


@frozen(kw_only=True)
class SessionPauseResult(_WaitResult):
    """Result of ``pause`` / ``pause_async``: ``success`` when the session reached ``PAUSED``.

    ``request_id`` is that of the pause request; on a timeout ``code`` is ``"WaitTimeout"``,
    ``error`` a :class:`~agb.exceptions.WaitTimeoutError` and ``status`` the last status seen.
    """


@frozen(kw_only=True)
class SessionResumeResult(_WaitResult):
    """Result of ``resume`` / ``resume_async``: ``success`` when the session reached ``RUNNING``.

    The fields mean what they mean in :class:`SessionPauseResult`, for the resume request.
    """


@frozen(kw_only=True)
class SessionWaitResult(_WaitResult):
    """Result of ``Session.wait_for`` / ``wait_for_async``: ``success`` when the session
    showed the status waited for.

    ``request_id`` is that of the last status request; on a timeout ``code`` is
    ``"WaitTimeout"`` and ``error`` a :class:`~agb.exceptions.WaitTimeoutError`; when the
    status cannot come any more (the session is gone or being deleted) ``code`` is
    ``"InvalidSessionStatus"`` (a not-found answer is reported as the service sent it).
    """


@frozen(kw_only=True)
class DeleteResult(_WaitResult):
    """Result of ``delete``: ``success`` when the session is gone (``FINISH`` or not found).

    Attributes:
        context_synced: With ``sync_context=True``, whether every context task ended with
            ``Success`` (``None`` when no sync was asked for). A failed sync does not stop the
            deletion; it is reported here and in ``context_sync_error``.
        context_sync_error: Why the context sync failed, ``""`` otherwise.
        context_tasks: The context tasks as last seen.
    """

    context_synced: bool | None = None
    context_sync_error: str = ""
    context_tasks: list[ContextTaskResult] = field(factory=list)


@frozen(kw_only=True)
class ContextTaskResult:
    """One context synchronisation task, as the service reports it.

    Attributes:
        context_id: The context's id.
        path: Where the context is mounted in the session.
        status: The task's status (``Running``, ``Success``, ``Failed``, ...).
        task_type: ``upload`` or ``download``.
        error_message: Why the task failed (``""`` if it did not).
        start_time: When it started (Unix time; 0 if unknown).
        finish_time: When it ended (Unix time; 0 if it has not).
    """

    context_id: str = ""
    path: str = ""
    status: str = ""
    task_type: str = ""
    error_message: str = ""
    start_time: int = 0
    finish_time: int = 0
