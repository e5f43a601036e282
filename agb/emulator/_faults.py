"""Fault scripting: which requests get a failure instead of (or on top of) a normal answer."""

from __future__ import annotations

import random
import threading
from typing import Any

import attrs

from agb.emulator._fault_base import FaultKind
from agb.emulator._fault_kinds import FAULT_KINDS, KINDS, RANDOM_FAULT_KINDS
from agb.emulator._operations import API_PATHS

__all__ = ["FAULT_KINDS", "RANDOM_FAULT_KINDS", "Fault", "FaultScript"]


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
        only = KINDS[self.kind].paths
        return only is None or path in only

    @property
    def behaviour(self) -> FaultKind:
        """What its kind does (see :mod:`agb.emulator._fault_kinds`)."""
        return KINDS[self.kind]

    def to_dict(self) -> dict[str, Any]:
        """The fault as JSON-ready data (as the admin API shows it)."""
        return {**attrs.asdict(self, recurse=False), "params": dict(self.params)}


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
        behaviour = KINDS.get(kind) if isinstance(kind, str) else None
        if behaviour is None:
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
            only = behaviour.paths
            if only is not None and path not in only:
                raise ValueError(f"fault {kind!r} only applies to {', '.join(sorted(only))}")
        if times is not None and (
            isinstance(times, bool) or not isinstance(times, int) or times < 1
        ):
            raise ValueError(f"times must be an integer >= 1 or None, got {times!r}")
        if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
            raise ValueError(f"skip must be an integer >= 0, got {skip!r}")
        fault = Fault(kind=kind, path=path, times=times, skip=skip, params=behaviour.check(params))
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
        params = dict(KINDS[kind].random_params or {})
        return Fault(kind=kind, path=None, times=1, skip=0, params=params)
