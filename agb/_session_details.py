"""The reading operations of a :class:`~agb.Session`: its labels and its details."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from agb._lazy import LazyModule
from agb.exceptions import MalformedResponseError
from agb.model.response import OperationResult, SessionInfo, SessionStatusResult

if TYPE_CHECKING:
    from agb import _plans
    from agb._effects import Plan
    from agb._runner import Runner

if not TYPE_CHECKING:
    _plans = LazyModule("agb._plans")

__all__ = ["SessionDetails"]

T = TypeVar("T")


def _raise_unreadable(result: OperationResult[T]) -> OperationResult[T]:
    if isinstance(result.error, MalformedResponseError):
        raise result.error
    return result


class SessionDetails:
    """The part of :class:`~agb.Session` that reads and sets labels and reads details."""

    _runner: Runner
    session_id: str
    link_url: str
    ws_url: str
    token: str

    def _run(self, plan: Plan[T]) -> T:
        return self._runner.run(plan)

    async def _run_async(self, plan: Plan[T]) -> T:
        return await self._runner.run_async(plan)

    def get_link_url(self) -> str:
        """The link URL the service gave (as the published 0.12.0 client's getter; no request).

        Returns:
            str: ``link_url``, ``""`` when the service sent none.
        """
        return self.link_url

    def get_token(self) -> str:
        """The access token the service gave (as the published 0.12.0 client's getter; no
        request).

        Returns:
            str: ``token``, ``""`` when the service sent none.
        """
        return self.token

    def _remember_links(self, result: OperationResult[SessionInfo]) -> OperationResult[SessionInfo]:
        """Keep the ``link_url``, ``ws_url`` and ``token`` an ``info`` answer carried."""
        data = result.data
        if result.success and data is not None:
            self.link_url = data.get("link_url", self.link_url)
            self.ws_url = data.get("ws_url", self.ws_url)
            self.token = data.get("token", self.token)
        return result

    # ------------------------------------------------------------------ labels

    def set_labels(self, labels: dict[str, str]) -> OperationResult[None]:
        """Replace the session's labels.

        Args:
            labels: A non-empty mapping of non-blank string keys to non-blank string values.

        Returns:
            OperationResult: ``success`` and ``request_id``. Bad labels give a failed result
            whose ``error_message`` names the bad key or value; no request is sent. An error
            the service answers (a refused request, not found, 5xx, a lost connection) is a
            failed result too, with ``code``, ``http_status_code`` and the typed ``error``.

        Raises:
            SessionError: A ``MalformedResponseError`` if the service's answer cannot be read
                (not JSON, cut short, not the expected shape), where the published client
                raises ``SessionError``; everything else is reported in the result.
        """
        return _raise_unreadable(self._run(self._set_labels(labels)))

    async def set_labels_async(self, labels: dict[str, str]) -> OperationResult[None]:
        """Async twin of :meth:`set_labels`."""
        return _raise_unreadable(await self._run_async(self._set_labels(labels)))

    def _set_labels(self, labels: dict[str, str]) -> Plan[OperationResult[None]]:
        return _plans.set_labels(self._runner.policy, self.session_id, labels)

    def get_labels(self) -> OperationResult[dict[str, str]]:
        """The session's labels.

        Returns:
            OperationResult[dict[str, str]]: ``data`` is the ``dict`` of labels (every page of
            them; ``unwrap()`` gives it without ``None``). An error
            the service answers is a failed result with ``code``, ``http_status_code`` and the
            typed ``error``.

        Raises:
            SessionError: A ``MalformedResponseError`` if the answer cannot be read (for
                example labels that are not JSON text of an object), where the published
                client raises ``SessionError``; everything else is reported in the result.
        """
        return _raise_unreadable(self._run(self._get_labels()))

    async def get_labels_async(self) -> OperationResult[dict[str, str]]:
        """Async twin of :meth:`get_labels`."""
        return _raise_unreadable(await self._run_async(self._get_labels()))

    def _get_labels(self) -> Plan[OperationResult[dict[str, str]]]:
        return _plans.get_labels(self._runner.policy, self.session_id)

    # ------------------------------------------------------------------ details

    def info(self) -> OperationResult[SessionInfo]:
        """The session's resource details.

        Returns:
            OperationResult[SessionInfo]: ``data`` is a :class:`~agb.SessionInfo` dict with
            ``session_id`` and ``resource_url``; when the session has a desktop, ``app_id``,
            ``auth_code``, ``connection_properties``, ``resource_id``, ``resource_type`` and
            ``ticket``; and ``link_url``, ``ws_url``, ``token`` when the service sends them
            (camelCase or PascalCase keys), which also update the session's attributes.
        """
        return self._remember_links(self._run(_plans.info(self._runner.policy, self.session_id)))

    async def info_async(self) -> OperationResult[SessionInfo]:
        """Async twin of :meth:`info`."""
        plan = _plans.info(self._runner.policy, self.session_id)
        return self._remember_links(await self._run_async(plan))

    def get_link(
        self, protocol_type: str | None = None, port: int | None = None
    ) -> OperationResult[str]:
        """A URL that reaches a port of the session.

        Args:
            protocol_type: Protocol of the link: ``"http"``, ``"https"``, ``"ws"`` or ``"wss"``
                (any case; the service's default, https, if None).
            port: Port inside the session, 30100 to 30199 (a string of digits is accepted too);
                the service's default if None.

        Returns:
            OperationResult[str]: ``data`` is the URL string. A bad port or protocol gives a failed
            result naming it, with ``code == "InvalidParameter"``; no request is sent. An
            error the service answers is a failed result with ``code``, ``http_status_code``
            and the typed ``error``.

        Raises:
            SessionError: A ``MalformedResponseError`` if the answer cannot be read (including
                an answer without a URL), where the published client raises ``SessionError``;
                everything else is reported in the result.
        """
        return _raise_unreadable(self._run(self._get_link(protocol_type, port)))

    async def get_link_async(
        self, protocol_type: str | None = None, port: int | None = None
    ) -> OperationResult[str]:
        """Async twin of :meth:`get_link`."""
        return _raise_unreadable(await self._run_async(self._get_link(protocol_type, port)))

    def _get_link(self, protocol_type: str | None, port: int | None) -> Plan[OperationResult[str]]:
        return _plans.get_link(self._runner.policy, self.session_id, protocol_type, port)

    def get_status(self) -> SessionStatusResult:
        """The session's current status (``RUNNING``, ``PAUSED``, ...).

        Returns:
            SessionStatusResult: ``status`` holds the status; unknown values are passed through.
        """
        return self._run(_plans.get_status(self._runner.policy, self.session_id))

    async def get_status_async(self) -> SessionStatusResult:
        """Async twin of :meth:`get_status`."""
        return await self._run_async(_plans.get_status(self._runner.policy, self.session_id))

    def keep_alive(self) -> OperationResult[object]:
        """Reset the session's idle timer, so that it is not released for idleness.

        Returns:
            OperationResult: ``success`` and ``request_id``.
        """
        return self._run(_plans.keep_alive(self._runner.policy, self.session_id))

    async def keep_alive_async(self) -> OperationResult[object]:
        """Async twin of :meth:`keep_alive`."""
        return await self._run_async(_plans.keep_alive(self._runner.policy, self.session_id))
