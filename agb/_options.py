"""``AGB.with_options``: a client sharing its parent's pools with other options."""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

import attrs
import httpx

from agb._runner import Runner
from agb._sender import HTTPSender
from agb.exceptions import ClientClosedError, ConfigurationError

if TYPE_CHECKING:
    from agb._effects import Call
    from agb._envelope import Reply
    from agb.client import AGB
    from agb.config import Config

__all__ = ["OptionsSender", "WithOptions"]

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
class OptionsSender:
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

    async def warm_up_async(self) -> None:
        await self.transport.warm_up_async()

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


class WithOptions:
    """The part of :class:`~agb.AGB` that derives clients with other options."""

    config: Config
    _api_key: str
    _transport: HTTPSender
    _extra_headers: tuple[tuple[str, str], ...]
    _options: OptionsSender | None
    _runner: Runner

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
        derived = cast("AGB", object.__new__(type(self)))
        derived.config = config
        derived._api_key = self._api_key
        derived._transport = self._transport
        derived._extra_headers = tuple(headers.items())
        derived._options = OptionsSender(
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
