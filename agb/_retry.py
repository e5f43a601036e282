"""The retry policy, and the one plan that sends a request under it (:func:`request`)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

import attrs
from attrs import field, frozen

from agb import exceptions as exc
from agb._effects import NOW, Call, Plan, Sleep
from agb._envelope import Reply

__all__ = [
    "JITTER",
    "MIN_REQUEST_TIMEOUT",
    "RetryPolicy",
    "ambiguous",
    "did_not_act",
    "reason",
    "request",
    "transient",
]

# A child of "agb": enabling "agb" at DEBUG shows it too, and it can be tuned alone.
log = logging.getLogger("agb.retry")

JITTER = 0.25
"""The share of a backoff delay an :class:`~agb.AGB` makes random (see ``RetryPolicy.jitter``)."""

MIN_REQUEST_TIMEOUT = 1.0
"""The shortest HTTP timeout a request inside a wait gets, so the last poll can still answer."""


@frozen
class RetryPolicy:
    """When and how long to wait before trying a request again.

    Attributes:
        max_retries: Retries of a request that failed in passing.
        http_timeout: The client's HTTP timeout in seconds (waits cut it to the time left).
        base_delay: First backoff delay in seconds; doubles on each retry.
        max_delay: Longest backoff delay in seconds.
        max_retry_after: Longest ``Retry-After`` waited for; a longer one ends the retries.
        jitter: The share of each backoff delay that is random: a delay is cut by up to this
            fraction (0.25: between 75% and 100% of it, as openai-python does), so that
            clients that failed together do not retry together. 0 (the default of a bare
            policy) turns it off; :class:`~agb.AGB` uses 0.25. A ``Retry-After`` the service
            gave is waited exactly.
        random: Where the randomness comes from: a function giving a float in [0, 1)
            (default ``random.random``; tests inject a seeded ``random.Random(n).random``).
    """

    max_retries: int = 2
    http_timeout: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.0
    random: Callable[[], float] = field(default=random.random, eq=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt + 1`` when the service said nothing:
        the capped exponential delay, less its random share (see ``jitter``)."""
        delay = float(min(self.max_delay, self.base_delay * 2**attempt))
        if self.jitter <= 0:
            return delay
        share = min(1.0, self.jitter) * min(1.0, max(0.0, self.random()))
        return delay * (1.0 - share)

    def timeout_within(self, left: float) -> float:
        """The HTTP timeout of a request with ``left`` seconds to a deadline: the time left,
        within the client's timeout, and never under :data:`MIN_REQUEST_TIMEOUT`."""
        return min(self.http_timeout, max(left, MIN_REQUEST_TIMEOUT))


def transient(error: exc.AGBError | None) -> bool:
    """Whether an error may go away by itself (worth another try of a read)."""
    return isinstance(
        error,
        exc.APIConnectionError | exc.ServerError | exc.RateLimitError | exc.MalformedResponseError,
    )


def did_not_act(reply: Reply) -> bool:
    """Whether a failed answer says the service did not act on the request: a 429 (throttled),
    or a 503 envelope (a ``code`` of the service's) with ``Retry-After``. Such a request may be
    sent again, idempotent or not."""
    error = reply.error
    if isinstance(error, exc.RateLimitError):
        return True
    return (
        isinstance(error, exc.ServerError)
        and reply.http_status == 503
        and bool(reply.code)
        and reply.retry_after is not None
    )


def ambiguous(reply: Reply) -> bool:
    """Whether the fate of a sent request is unknown: the connection was lost after sending, it
    timed out, or the answer was a 5xx or unreadable (a proxy's HTML page, JSON cut short), and
    the answer is not one that says the service did not act (:func:`did_not_act`)."""
    return reply.sent and not reply.ok and transient(reply.error) and not did_not_act(reply)


def reason(reply: Reply) -> str:
    """Why ``reply`` failed, in a few words (its error type and message, key already redacted)."""
    error = reply.error
    if error is None:
        return "no error"
    return f"{type(error).__name__}: {error.message}"


def request(policy: RetryPolicy, call: Call, deadline: float | None = None) -> Plan[Reply]:
    """Send ``call``, retrying with capped exponential backoff while that is safe.

    Any request is retried when it certainly never reached the server, or when the answer
    says the service did not act on it (a 429, or a 503 envelope with ``Retry-After``: see
    :func:`did_not_act`). An idempotent one is also retried after a transient failure
    (connection lost, timeout, 5xx, unreadable answer), waiting ``Retry-After`` when the
    service gives one. A non-idempotent request whose fate is unknown (:func:`ambiguous`) is
    returned as it failed: the caller finds out what happened (see :mod:`agb._waits`). Each
    retry is logged at DEBUG on ``agb.retry`` with its reason and wait.

    With a ``deadline`` (inside a wait), each try gets at most the time left as its HTTP
    timeout (see :meth:`RetryPolicy.timeout_within`), and no retry starts whose wait would not
    end before the deadline: a ``Retry-After`` longer than the time left ends the retries at
    once, with that answer.

    Returns:
        The last reply: a success, or the failure that ended the retries.
    """
    attempt = 0
    while True:
        if deadline is not None:
            now = yield NOW
            call = attrs.evolve(call, timeout=policy.timeout_within(deadline - now))
        reply: Reply = yield call
        if reply.ok or attempt >= policy.max_retries:
            return reply
        if (
            reply.sent
            and not (call.idempotent and transient(reply.error))
            and not did_not_act(reply)
        ):
            return reply
        if not reply.sent and not isinstance(reply.error, exc.APIConnectionError):
            return reply  # never sent because it cannot be: another try would fail the same
        delay = policy.backoff(attempt)
        if reply.retry_after is not None:
            delay = reply.retry_after
        why_not = ""
        if delay > policy.max_retry_after:
            why_not = f"Retry-After {delay:.0f} s is over {policy.max_retry_after:.0f} s"
        elif deadline is not None:
            now = yield NOW
            if now + delay >= deadline:
                why_not = f"a {delay:.2f} s wait does not fit the {deadline - now:.2f} s left"
        if why_not:
            log.debug("%s: %s; not retried: %s", call.operation, reason(reply), why_not)
            return reply
        attempt += 1
        log.debug(
            "%s: %s; retry %d of %d in %.2f s",
            call.operation,
            reason(reply),
            attempt,
            policy.max_retries,
            delay,
        )
        yield Sleep(delay)
