"""The retry policy, and the one plan that sends a request under it (:func:`request`)."""

from __future__ import annotations

import logging

from attrs import frozen

from agb import exceptions as exc
from agb._effects import Call, Plan, Sleep
from agb._envelope import Reply

__all__ = ["RetryPolicy", "reason", "request", "transient"]

# A child of "agb": enabling "agb" at DEBUG shows it too, and it can be tuned alone.
log = logging.getLogger("agb.retry")


@frozen
class RetryPolicy:
    """When and how long to wait before trying a request again.

    Attributes:
        max_retries: Retries of a request that failed in passing.
        http_timeout: The client's HTTP timeout in seconds (waits cut it to the time left).
        base_delay: First backoff delay in seconds; doubles on each retry.
        max_delay: Longest backoff delay in seconds.
        max_retry_after: Longest ``Retry-After`` waited for; a longer one ends the retries.
    """

    max_retries: int = 2
    http_timeout: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt + 1`` when the service said nothing."""
        return float(min(self.max_delay, self.base_delay * 2**attempt))


def transient(error: exc.AGBError | None) -> bool:
    """Whether an error may go away by itself (worth another try of a read)."""
    return isinstance(
        error,
        exc.APIConnectionError | exc.ServerError | exc.RateLimitError | exc.MalformedResponseError,
    )


def reason(reply: Reply) -> str:
    """Why ``reply`` failed, in a few words (its error type and message, key already redacted)."""
    error = reply.error
    if error is None:
        return "no error"
    return f"{type(error).__name__}: {error.message}"


def request(policy: RetryPolicy, call: Call) -> Plan[Reply]:
    """Send ``call``, retrying with capped exponential backoff while that is safe.

    Any request is retried when it certainly never reached the server. An idempotent one is
    also retried after a transient failure (connection lost, timeout, 429, 5xx, unreadable
    answer), waiting ``Retry-After`` when the service gives one. Each retry is logged at DEBUG
    on ``agb.retry`` with its reason and wait.

    Returns:
        The last reply: a success, or the failure that ended the retries.
    """
    attempt = 0
    while True:
        reply: Reply = yield call
        if reply.ok or attempt >= policy.max_retries:
            return reply
        if reply.sent and not (call.idempotent and transient(reply.error)):
            return reply
        delay = policy.backoff(attempt)
        if reply.retry_after is not None:
            if reply.retry_after > policy.max_retry_after:
                log.debug(
                    "%s: %s; not retried: Retry-After %.0f s is over %.0f s",
                    call.operation,
                    reason(reply),
                    reply.retry_after,
                    policy.max_retry_after,
                )
                return reply
            delay = reply.retry_after
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
