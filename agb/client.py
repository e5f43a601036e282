"""The AGB client: creates, finds, lists and deletes sessions."""

from __future__ import annotations

import os
import random as _random
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Literal, TypeAlias

import attrs
import httpx

from agb._blocks import SessionBlocks
from agb._checks import check_wait
from agb._constants import DEFAULT_CREATE_TIMEOUT, DEFAULT_POLL_INTERVAL
from agb._lazy import LazyModule
from agb._options import OptionsSender, WithOptions
from agb._retry import JITTER, RetryPolicy
from agb._runner import Runner
from agb._sender import HTTPSender
from agb.config import Config, load_config
from agb.exceptions import ConfigurationError
from agb.model.response import GetSessionResult, SessionResult
from agb.session import session_from_record
from agb.session_params import CreateSessionParams

if TYPE_CHECKING:
    from typing import Self

    from agb import _plans
    from agb._effects import Plan
    from agb._plans import Found
    from agb_api_client import Client

if not TYPE_CHECKING:
    _plans = LazyModule("agb._plans")

__all__ = ["AGB", "OnExit"]

OnExit: TypeAlias = Literal["delete", "pause", "keep"]
"""What :meth:`AGB.session` does with the session on leaving its block."""


class AGB(WithOptions, SessionBlocks):
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
        self._options: OptionsSender | None = None
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

    def warm_up(self) -> None:
        """Do the async path's one-time work now, in the calling thread.

        The first async call of a process imports the generated client and the transport's
        modules (aiohttp when installed) and builds the SSL context: 100-270 ms of work that
        the SDK otherwise does once, in a worker thread, while the event loop keeps running
        (the GIL still takes the loop a few milliseconds at a time meanwhile). This does it
        in the calling thread, with no thread at all, and then runs one full garbage
        collection. Call it before starting the loop, e.g. at start-up; a latency-sensitive
        program may follow it with ``gc.freeze()`` (its choice: frozen objects are never
        collected). Idempotent.

        Raises:
            ImportError: If a module the async path needs cannot be imported.
        """
        self._transport.warm_up()

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
