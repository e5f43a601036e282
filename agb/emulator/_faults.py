"""Fault scripting: which requests get a failure instead of (or on top of) a normal answer."""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Mapping
from typing import Any, Final

import attrs

from agb.emulator._operations import API_PATHS

#: Every fault kind, with the parameters each accepts (see the package docstring).
FAULT_PARAMS: Final[Mapping[str, frozenset[str]]] = {
    "unavailable": frozenset({"seconds"}),
    "rate_limited": frozenset({"seconds"}),
    "html": frozenset({"status"}),
    "drop": frozenset(),
    "slow": frozenset({"seconds"}),
    "truncated_json": frozenset(),
    "not_json": frozenset(),
    "null_data": frozenset(),
    "status": frozenset({"value"}),
    "extra_fields": frozenset(),
    "create_fail": frozenset({"message"}),
    "http_status": frozenset({"status", "code", "message"}),
    "context_sync_fail": frozenset({"message"}),
}

#: All fault kind names.
FAULT_KINDS: Final[frozenset[str]] = frozenset(FAULT_PARAMS)

#: The kinds that ``fault_rate`` draws from.
RANDOM_FAULT_KINDS: Final[tuple[str, ...]] = ("unavailable", "rate_limited", "html", "drop", "slow")

#: Kinds that only make sense on some operations; with ``path=None`` they wait for those.
KIND_PATHS: Final[Mapping[str, frozenset[str]]] = {
    "create_fail": frozenset({"/mcp/createSession"}),
    "status": frozenset({"/mcp/getSession", "/mcp/getSessionInfo", "/sdk/ListSession"}),
    "context_sync_fail": frozenset({"/sdk/SyncContext"}),
}

#: Kinds answered before the operation runs: the request changes nothing in the emulator.
NOT_APPLIED_KINDS: Final[frozenset[str]] = frozenset(
    {"unavailable", "rate_limited", "html", "drop", "not_json", "http_status", "create_fail"}
)


def _number(kind: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"fault {kind!r}: {name} must be a number, got {value!r}")
    if value < 0:
        raise ValueError(f"fault {kind!r}: {name} must be >= 0, got {value!r}")
    return float(value)


def _status(kind: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 599:
        raise ValueError(f"fault {kind!r}: status must be an integer {low}..599, got {value!r}")
    return value


def _text(kind: str, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"fault {kind!r}: {name} must be a non-empty string, got {value!r}")
    return value


def _check_params(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(params) - FAULT_PARAMS[kind]
    if unknown:
        allowed = ", ".join(sorted(FAULT_PARAMS[kind])) or "none"
        raise ValueError(f"fault {kind!r} has no parameter {sorted(unknown)} (allowed: {allowed})")
    checked: dict[str, Any] = {}
    for name, value in params.items():
        if name == "seconds":
            checked[name] = _number(kind, name, value)
        elif name == "status":
            checked[name] = _status(kind, value, 100 if kind == "html" else 200)
        else:
            checked[name] = _text(kind, name, value)
    if kind == "status" and "value" not in checked:
        raise ValueError("fault 'status' needs the parameter value (the status to report)")
    if kind == "http_status" and "status" not in checked:
        raise ValueError("fault 'http_status' needs the parameter status (an HTTP status)")
    return checked


@attrs.define(eq=False)
class Fault:
    """One scripted fault: ``kind`` with ``params`` for the next ``times`` matching requests.

    ``times`` of ``None`` means every matching request until the script is cleared.
    """

    kind: str
    path: str | None
    times: int | None
    skip: int
    params: dict[str, Any]

    def matches(self, path: str) -> bool:
        """Whether a request to ``path`` is one this fault counts."""
        if self.path is not None:
            return self.path == path
        only = KIND_PATHS.get(self.kind)
        return only is None or path in only

    def to_dict(self) -> dict[str, Any]:
        """The fault as JSON-ready data (as the admin API shows it)."""
        return {
            "kind": self.kind,
            "path": self.path,
            "times": self.times,
            "skip": self.skip,
            "params": dict(self.params),
        }


class FaultScript:
    """The queue of scripted faults of one emulator, plus its random faults.

    Every request to the API (not to ``/_emulator/``) is offered to the queued faults in the
    order they were added: each fault whose path matches and whose ``skip`` is not used up
    counts the request as skipped; the first matching fault with nothing left to skip is
    applied (one fault per request) and its ``times`` goes down by one. Thread-safe.
    """

    def __init__(self, *, fault_rate: float = 0.0, seed: int | None = None) -> None:
        """Create an empty script; ``fault_rate`` and ``seed`` drive the random faults."""
        self._lock = threading.Lock()
        self._queue: list[Fault] = []
        self._fault_rate = fault_rate
        self._rng = random.Random(None if seed is None else f"agb-emulator:{seed}:faults")

    def add(
        self,
        kind: str,
        *,
        path: str | None = None,
        times: int | None = 1,
        skip: int = 0,
        **params: Any,
    ) -> Fault:
        """Queue ``kind`` for the next ``times`` requests to ``path`` after skipping ``skip``.

        ``path`` is an API path such as ``"/mcp/getSession"``; ``None`` matches every path
        (for ``create_fail``, ``status`` and ``context_sync_fail``: every path the kind applies
        to). ``times=None`` repeats until :meth:`clear`. Raises ``ValueError`` for an unknown
        kind, a bad parameter, a path no operation has (the message lists the known paths) or
        a path the kind cannot apply to.
        """
        if kind not in FAULT_PARAMS:
            raise ValueError(
                f"unknown fault kind {kind!r}; known: {', '.join(sorted(FAULT_KINDS))}"
            )
        if path is not None:
            if not isinstance(path, str) or not path.startswith("/"):
                raise ValueError(f"path must start with '/', got {path!r}")
            if path not in API_PATHS:
                raise ValueError(
                    f"no operation has the path {path!r} (paths are case-sensitive); "
                    f"known paths: {', '.join(sorted(API_PATHS))}"
                )
            only = KIND_PATHS.get(kind)
            if only is not None and path not in only:
                raise ValueError(f"fault {kind!r} only applies to {', '.join(sorted(only))}")
        if times is not None and (
            isinstance(times, bool) or not isinstance(times, int) or times < 1
        ):
            raise ValueError(f"times must be an integer >= 1 or None, got {times!r}")
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise ValueError(f"skip must be an integer >= 0, got {skip!r}")
        fault = Fault(
            kind=kind, path=path, times=times, skip=skip, params=_check_params(kind, params)
        )
        with self._lock:
            self._queue.append(fault)
        return fault

    def clear(self) -> int:
        """Forget every queued fault; return how many there were."""
        with self._lock:
            count = len(self._queue)
            self._queue.clear()
            return count

    def pending(self) -> list[Fault]:
        """A snapshot of the queued faults, in order."""
        with self._lock:
            return [attrs.evolve(fault, params=dict(fault.params)) for fault in self._queue]

    def take(self, path: str) -> Fault | None:
        """Choose the fault for one request to ``path``: scripted first, then random."""
        chosen: Fault | None = None
        if self._queue:
            with self._lock:
                for fault in list(self._queue):
                    if not fault.matches(path):
                        continue
                    if fault.skip > 0:
                        fault.skip -= 1
                    elif chosen is None:
                        chosen = attrs.evolve(fault, params=dict(fault.params))
                        if fault.times is not None:
                            fault.times -= 1
                            if fault.times == 0:
                                self._queue.remove(fault)
        if chosen is None and self._fault_rate > 0:
            with self._lock:
                if self._rng.random() < self._fault_rate:
                    chosen = self._random_fault()
        return chosen

    def _random_fault(self) -> Fault:
        kind = self._rng.choice(RANDOM_FAULT_KINDS)
        params: dict[str, Any] = {}
        if kind == "html":
            params["status"] = 500
        elif kind == "slow":
            params["seconds"] = 0.2
        return Fault(kind=kind, path=None, times=1, skip=0, params=params)
