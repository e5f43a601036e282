"""The admin API under ``/_emulator/``: faults, the manual clock, stats and reset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from agb.emulator._errors import invalid
from agb.emulator._handlers import Call, Handler, Reply
from agb.emulator._state import MAX_CLOCK_SECONDS

#: Every admin path starts with this; requests to it are not counted and take no fault.
ADMIN_PREFIX: Final = "/_emulator"


def is_admin(path: str) -> bool:
    """Whether ``path`` belongs to the admin API."""
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def faults(call: Call) -> Reply:
    """``POST`` adds a fault, ``DELETE`` clears them all, ``GET`` lists the pending ones."""
    script = call.em.faults
    method = call.exchange.method
    if method == "DELETE":
        return Reply({"cleared": script.clear()})
    if method != "POST":
        return Reply([fault.to_dict() for fault in script.pending()])
    body = call.body
    kind = body.get("kind")
    if not isinstance(kind, str):
        raise invalid("kind is required and must be a string")
    params = body.get("params")
    params = {} if params is None else params
    if not isinstance(params, dict):
        raise invalid("params must be an object")
    try:
        fault = script.add(
            kind,
            path=body.get("path"),
            times=body.get("times", 1),
            skip=body.get("skip", 0),
            **params,
        )
    except (TypeError, ValueError) as err:
        raise invalid(str(err)) from None
    return Reply(fault.to_dict())


def advance(call: Call) -> Reply:
    """Move a manual clock forward by ``{"seconds": n}``."""
    seconds = call.body.get("seconds")
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        # compared before any conversion: a JSON integer may be too large for a float
        or not 0 <= seconds <= MAX_CLOCK_SECONDS  # also NaN and the infinities
    ):
        raise invalid(
            f"seconds is required and must be a number >= 0 (at most {MAX_CLOCK_SECONDS:.0f})"
        )
    return Reply({"now": call.em.advance_clock(seconds)})


def stats(call: Call) -> Reply:
    """The counters."""
    return Reply(call.em.stats())


def reset(call: Call) -> Reply:
    """Forget every session, fault and counter."""
    call.em.reset()
    return Reply()


#: Path -> (methods, handler) of the admin API.
ADMIN_ROUTES: Final[Mapping[str, tuple[tuple[str, ...], Handler]]] = {
    f"{ADMIN_PREFIX}/faults": (("GET", "POST", "DELETE"), faults),
    f"{ADMIN_PREFIX}/clock/advance": (("POST",), advance),
    f"{ADMIN_PREFIX}/stats": (("GET",), stats),
    f"{ADMIN_PREFIX}/reset": (("POST",), reset),
}
