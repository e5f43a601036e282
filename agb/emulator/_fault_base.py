"""What every fault kind shares: the parameter checks, the context of an early answer, and
:class:`FaultKind`, the class each kind of :mod:`agb.emulator._fault_kinds` fills in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs
from starlette.responses import Response
from starlette.types import Send

if TYPE_CHECKING:
    from agb.emulator._faults import Fault
    from agb.emulator._wire import Exchange

__all__ = [
    "MAX_FAULT_SECONDS",
    "AnswerContext",
    "Check",
    "FaultKind",
    "number",
    "status_from",
    "text",
]

Check = Callable[[str, str, Any], Any]


#: The longest delay or ``Retry-After`` a fault may ask for: more than a day is a mistake.
MAX_FAULT_SECONDS: Final = 86_400


def number(kind: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"fault {kind!r}: {name} must be a number, got {value!r}")
    # Compared before any conversion: a JSON integer may be too large for a float.
    if not 0 <= value <= MAX_FAULT_SECONDS:  # also NaN and the infinities
        raise ValueError(
            f"fault {kind!r}: {name} must be between 0 and {MAX_FAULT_SECONDS}, got {value!r}"
        )
    return float(value)


def text(kind: str, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"fault {kind!r}: {name} must be a non-empty string, got {value!r}")
    return value


#: Statuses whose answers cannot carry a body (RFC 9110): a fault that sends one with a body
#: would corrupt the connection.
_NO_BODY_STATUSES: Final = frozenset({204, 205, 304})


def status_from(low: int) -> Check:
    def check(kind: str, name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 599:
            raise ValueError(f"fault {kind!r}: {name} must be an integer {low}..599, got {value!r}")
        if value in _NO_BODY_STATUSES:
            raise ValueError(
                f"fault {kind!r}: {name} {value} cannot carry a body; "
                f"use {low}..599 except {', '.join(map(str, sorted(_NO_BODY_STATUSES)))}"
            )
        return value

    return check


@attrs.frozen
class AnswerContext:
    """What a fault may use to answer before the operation runs.

    Attributes:
        retry_after_seconds: The configuration's default ``Retry-After``.
        sleep: The emulator's asynchronous sleep.
        send: The ASGI ``send`` of the request (a ``drop`` writes part of an answer itself).
    """

    retry_after_seconds: int
    sleep: Callable[[float], Awaitable[None]]
    send: Send


class FaultKind:
    """One kind of fault. Subclasses set the class attributes and override the hooks they need.

    Attributes:
        name: The kind's name (``faults.add(name, ...)``).
        params: Parameter name -> check (returns the value to keep, raises ``ValueError``).
        required: Parameters that must be given.
        needs: What a required parameter is, for the error when it is missing.
        paths: The only paths it applies to (``None``: any); with ``path=None`` it waits for one.
        applied: Whether the operation still runs (the request changes the emulator).
        random_params: Its parameters when ``fault_rate`` draws it; ``None``: never drawn.
    """

    name: ClassVar[str]
    params: ClassVar[Mapping[str, Check]] = {}
    required: ClassVar[frozenset[str]] = frozenset()
    needs: ClassVar[str] = ""
    paths: ClassVar[frozenset[str] | None] = None
    applied: ClassVar[bool]
    random_params: ClassVar[Mapping[str, Any] | None] = None

    def check(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The checked parameters; ``ValueError`` names an unknown, bad or missing one."""
        unknown = set(params) - set(self.params)
        if unknown:
            allowed = ", ".join(sorted(self.params)) or "none"
            raise ValueError(
                f"fault {self.name!r} has no parameter {sorted(unknown)} (allowed: {allowed})"
            )
        checked = {name: self.params[name](self.name, name, v) for name, v in params.items()}
        missing = sorted(self.required - set(checked))
        if missing:
            raise ValueError(f"fault {self.name!r} needs the parameter {missing[0]} ({self.needs})")
        return checked

    async def answer(
        self, fault: Fault, exchange: Exchange, context: AnswerContext
    ) -> Response | None:
        """The answer given instead of running the operation; ``None``: run it."""
        return None

    def arguments(self, fault: Fault, operation_id: str) -> Mapping[str, Any]:
        """Extra keyword arguments of the operation's call into the emulator state."""
        return {}

    def shape(self, fault: Fault, operation_id: str, body: dict[str, Any]) -> None:
        """Change the envelope of the answer in place."""

    def encode(self, fault: Fault, raw: bytes) -> bytes:
        """The bytes sent for the answer's JSON text."""
        return raw
