"""Configuration of the emulator."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

import attrs


def _non_negative(_inst: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


def _positive(_inst: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{attribute.name} must be a finite number > 0, got {value!r}")


def _fraction(_inst: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (isinstance(value, int | float) and 0 <= value <= 1):
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


@attrs.frozen(kw_only=True)
class EmulatorConfig:
    """How an emulator behaves; every field has a default suited to interactive use.

    Attributes:
        api_key: The only bearer key accepted; ``None`` accepts any non-empty bearer key. It
            must be printable ASCII (it travels in an HTTP header) without spaces around it.
        transition_seconds: How long PAUSING, RESUMING and DELETING last, counted from the
            request that started them.
        stale_seconds: How long get session still shows the old status (RUNNING after a pause,
            PAUSED after a resume) right after the request was accepted. 0 (the default): no
            stale status, since there is no evidence that the real service shows one; set it
            to test that a wait tolerates the quirk. When set, it must be smaller than
            ``transition_seconds``; the default fits every transition, 0 included.
        context_sync_seconds: How long a context synchronisation task runs before it ends.
        fault_rate: Fraction (0..1) of API requests answered with a random fault (one of
            ``unavailable``, ``rate_limited``, ``html`` with status 500, ``drop``, ``slow`` 0.2 s).
        seed: Seed of the random generators; with a seed, ids, request ids, timestamps and
            random faults are the same on every run with the same requests.
        clock: Monotonic clock in seconds that drives every state transition; pass a
            :class:`~agb.emulator.ManualClock` to move time without sleeping.
        retry_after_seconds: ``Retry-After`` of a ``rate_limited`` fault without its own
            ``seconds``.
        epoch: Unix time that the clock's first reading maps to (task start/finish times);
            ``None`` means the real time at start-up, or 1700000000 when ``seed`` is given.
        max_page_size: Largest ``maxResults`` honoured; larger values are capped to it.
        read_timeout_seconds: How long a request's head (request line and headers), and then
            its body, may each take to arrive in full; a slower one is answered 408
            ``RequestTimeout`` and its connection closed.
        latency_ms: Milliseconds added to every answer of the API (not the admin API), as a
            network between client and service would; waited with ``sleep``, so delayed
            answers cost no thread.
        connect_latency_ms: Milliseconds before a new connection's first request is read,
            as a TCP (and TLS) handshake would cost. Only over real HTTP (:func:`serve`,
            ``python -m agb.emulator``), not through ``httpx.ASGITransport``.
        jitter_ms: Up to this many milliseconds more, drawn uniformly for each delay above
            (seeded by ``seed``).
        pause_supported: ``False`` answers pause and resume as a service that does not offer
            them: HTTP 404, code ``InvalidAction.NotFound`` (see docs/emulator.md).
        wire_form: How answers are spelled: ``"camel"`` as the spec has it, ``"pascal"`` with
            the envelope keys (and ``LinkUrl``, ``WsUrl``, ``Token``, ``ToolList``) in
            PascalCase, ``"body"`` with the envelope wrapped in ``{"body": ...}``: forms other
            service versions have sent (``docs/wire-forms.md``).
        sleep: The asynchronous sleep behind the ``slow`` fault and ``latency_ms``; ``None``
            means :func:`asyncio.sleep`. A seam for tests.
    """

    api_key: str | None = None
    transition_seconds: float = attrs.field(default=1.0, validator=_non_negative)
    stale_seconds: float = attrs.field(default=0.0, validator=_non_negative)
    context_sync_seconds: float = attrs.field(default=0.5, validator=_non_negative)
    fault_rate: float = attrs.field(default=0.0, validator=_fraction)
    seed: int | None = None
    clock: Callable[[], float] = time.monotonic
    retry_after_seconds: int = attrs.field(default=1, validator=_non_negative)
    epoch: float | None = None
    max_page_size: int = attrs.field(default=100, validator=attrs.validators.ge(1))
    read_timeout_seconds: float = attrs.field(default=10.0, validator=_positive)
    latency_ms: float = attrs.field(default=0.0, validator=_non_negative)
    connect_latency_ms: float = attrs.field(default=0.0, validator=_non_negative)
    jitter_ms: float = attrs.field(default=0.0, validator=_non_negative)
    pause_supported: bool = True
    wire_form: str = attrs.field(
        default="camel", validator=attrs.validators.in_(("camel", "pascal", "body"))
    )
    sleep: Callable[[float], Awaitable[None]] | None = None

    def __attrs_post_init__(self) -> None:
        """Check the fields that depend on each other.

        Raises:
            ValueError: ``stale_seconds`` does not fit ``transition_seconds``, or ``api_key``
                is blank. The message names the fields.
        """
        if self.stale_seconds >= self.transition_seconds and self.stale_seconds > 0:
            raise ValueError(
                "stale_seconds must be smaller than transition_seconds "
                f"(got {self.stale_seconds} >= {self.transition_seconds})"
            )
        key = self.api_key
        if key is not None and not key.strip():
            raise ValueError("api_key must not be empty (use None to accept any key)")
        if key is not None and (key != key.strip() or not all(" " <= c <= "~" for c in key)):
            # An HTTP header carries bytes; clients send a key as ASCII. A key with other
            # characters, or with spaces around it, could never match: refuse it here (the
            # message never shows the key).
            raise ValueError(
                "api_key must be printable ASCII without leading or trailing spaces "
                "(it travels in an HTTP header)"
            )
