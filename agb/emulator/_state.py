"""The emulator's sessions: a state machine computed from the clock, under one lock."""

from __future__ import annotations

import json
import random
import string
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any, Final

from agb.emulator._clock import ManualClock
from agb.emulator._config import EmulatorConfig
from agb.emulator._counters import Counters
from agb.emulator._errors import ApiError, invalid
from agb.emulator._faults import FaultScript
from agb.emulator._network import NetworkProfile
from agb.emulator._sessions import (
    PAUSED,
    PAUSING,
    RESUMING,
    RUNNING,
    Session,
    Task,
    created_data,
    decode_token,
    encode_token,
    resource_data,
    session_data,
    task_status,
    task_view,
)
from agb.emulator._store import SessionStore

#: The furthest a manual clock may be moved through the emulator (2**40 s, ~35,000 years):
#: float readings up to this still tell apart times a millisecond apart.
MAX_CLOCK_SECONDS: Final = float(2**40)
_SEEDED_EPOCH: Final = 1_700_000_000.0
_ID_ALPHABET: Final = string.ascii_lowercase + string.digits

# How a missing session is reported, per family of operations.
_GONE_MCP: Final = (400, "InvalidMcpSession.NotFound", "Session not found")
_GONE_ASYNC: Final = (404, "SessionNotFound", "Session not found")
_GONE_OTHER: Final = (404, "NotFound", "Session not found")


class Emulator:
    """The state of one emulator: sessions, labels index, context tasks, faults and counters.

    Every status is computed from the configured clock when it is read; nothing runs in the
    background. All methods are thread-safe (one lock), so the same object can serve uvicorn's
    event loop and a test thread at once. Methods named like operations raise :class:`ApiError`
    for requests the service would refuse.
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        """Create an empty emulator."""
        self.config = config if config is not None else EmulatorConfig()
        self.clock = self.config.clock
        #: The scripted and random faults; see :meth:`FaultScript.add`.
        self.faults = FaultScript(fault_rate=self.config.fault_rate, seed=self.config.seed)
        #: The delays of the network profile (``latency_ms``, ...).
        self.network = NetworkProfile(self.config)
        self._lock = threading.Lock()
        seed = self.config.seed
        self._rng = random.Random(None if seed is None else f"agb-emulator:{seed}:ids")
        self._seeded = seed is not None
        self._clock0 = self.clock()
        if self.config.epoch is not None:
            self._epoch0 = self.config.epoch
        else:
            self._epoch0 = _SEEDED_EPOCH if self._seeded else time.time()
        self._reset_state()

    # ----------------------------------------------------------------- bookkeeping

    def _reset_state(self) -> None:
        self._store = SessionStore(self.config)
        self._counters = Counters()

    def reset(self) -> None:
        """Forget every session, queued fault and counter (ids keep their sequence)."""
        self.faults.clear()
        with self._lock:
            self._reset_state()

    def begin_request(self, path: str, *, count: bool) -> str:
        """Issue the request id of a new request (and count it under ``path``)."""
        with self._lock:
            if count:
                self._counters.count_request(path)
            if self._seeded:
                return str(uuid.UUID(int=self._rng.getrandbits(128), version=4)).upper()
        return str(uuid.uuid4()).upper()

    def note_fault(self, kind: str) -> None:
        """Count one injected fault."""
        with self._lock:
            self._counters.faults_injected[kind] += 1

    def note_internal_error(self) -> None:
        """Count one request that failed inside the emulator (a bug: tests expect zero)."""
        with self._lock:
            self._counters.internal_errors += 1

    def stats(self) -> dict[str, Any]:
        """Counters: requests per path, injected faults per kind, internal errors, sessions."""
        with self._lock:
            now = self.clock()
            self._store.reap(now)
            return {**self._counters.snapshot(), "sessions": len(self._store.sessions)}

    def advance_clock(self, seconds: float) -> float:
        """Move a :class:`ManualClock` forward and return the new reading.

        Raises:
            ApiError: 400 ``ClockNotManual`` for another kind of clock; 400
                ``InvalidParameter`` past :data:`MAX_CLOCK_SECONDS`.
        """
        if not isinstance(self.clock, ManualClock):
            raise ApiError(400, "ClockNotManual", "the emulator runs on a real clock")
        if self.clock() + seconds > MAX_CLOCK_SECONDS:
            # Beyond this, adding a transition time to a reading no longer changes it.
            raise invalid(f"the clock cannot move past {MAX_CLOCK_SECONDS:.0f} s")
        return self.clock.advance(seconds)

    def wall_time(self, at: float) -> int:
        """Unix time in whole seconds of clock reading ``at``."""
        return int(self._epoch0 + (at - self._clock0))

    def _random_id(self, length: int) -> str:
        # Ids and the fake secrets need not be unguessable: a generator seeded from the OS
        # (or from ``seed``) is enough, and far cheaper than one system call per character.
        return "".join(self._rng.choices(_ID_ALPHABET, k=length))

    def _begin(self) -> float:
        now = self.clock()
        self._store.reap(now)
        return now

    @property
    def _idle(self) -> list[tuple[float, int, str]]:
        """The store's idle heap (tests check that it stays small)."""
        return self._store.idle

    # ----------------------------------------------------------------- operations

    def create_session(
        self,
        *,
        image_id: str,
        labels: Mapping[str, str],
        persistence: list[tuple[str, str]],
        mcp_policy_id: str = "",
        timeout: int = 0,
    ) -> dict[str, Any]:
        """Create a RUNNING session; return createSession's ``data``."""
        with self._lock:
            now = self._begin()
            session_id = "session-" + self._random_id(20)
            while session_id in self._store.sessions:
                session_id = "session-" + self._random_id(20)
            s = Session(
                session_id=session_id,
                seq=self._store.next_seq(),
                image_id=image_id,
                created_at=now,
                labels=dict(labels),
                persistence=list(persistence),
                mcp_policy_id=mcp_policy_id,
                timeout=timeout,
                app_instance_id="ai-" + self._random_id(16),
                resource_id="p-" + self._random_id(12),
                auth_code="FAKE-" + self._random_id(24),
                ticket="FAKE-" + self._random_id(24),
                token="FAKE-" + self._random_id(32),
                last_refresh=now,
            )
            self._store.add(s)
            for context_id, path in s.persistence:  # contexts are downloaded at start-up
                s.tasks[(context_id, path, "download")] = Task(
                    context_id, path, "download", now, None
                )
            return created_data(s)

    def get_session(self, session_id: str) -> dict[str, Any]:
        """getSession's ``data``."""
        with self._lock:
            now = self._begin()
            s = self._store.find(session_id, now, _GONE_MCP)
            return session_data(s, self._store.shown(s, now))

    def session_status(self, session_id: str) -> str:
        """The status getSessionInfo reports."""
        with self._lock:
            now = self._begin()
            return self._store.shown(self._store.find(session_id, now, _GONE_MCP), now)

    def list_sessions(
        self, *, labels: Mapping[str, str], max_results: int, next_token: str
    ) -> tuple[list[dict[str, str]], str, int]:
        """One page of sessions with all ``labels``: (items, next token or "", total matches)."""
        start_seq = decode_token("s", next_token)
        with self._lock:
            now = self._begin()
            page, following, count = self._store.page(labels, start_seq, max_results)
            items = []
            for s in page:
                self._store.settle(s, now)
                status = self._store.shown(s, now)
                items.append({"sessionId": s.session_id, "sessionStatus": status})
            token = "" if following is None else encode_token("s", following)
            return items, token, count

    def pause(self, session_id: str) -> str:
        """Start pausing; idempotent on a PAUSING/PAUSED session. Returns the message."""
        return self._start(session_id, "pause", RUNNING, (PAUSING, PAUSED), "paused")

    def resume(self, session_id: str) -> str:
        """Start resuming; idempotent on a RESUMING/RUNNING session. Returns the message."""
        return self._start(session_id, "resume", PAUSED, (RESUMING, RUNNING), "running")

    def _start(
        self, session_id: str, op: str, start: str, already: tuple[str, str], word: str
    ) -> str:
        """Start ``op`` on a session in status ``start``; in a status of ``already``, it is
        ``word`` already (no change); in any other, a 400 ``InvalidSessionStatus``."""
        with self._lock:
            now = self._begin()
            s = self._store.find(session_id, now, _GONE_ASYNC)
            phase = self._store.phase(s, now)
            if phase == start:
                s.op, s.op_at = op, now
                if op == "resume":
                    self._store.schedule_idle(s)
                return f"Session {op} initiated successfully"
            if phase in already:
                return f"Session is already {word} ({phase})"
            raise ApiError(
                400,
                "InvalidSessionStatus",
                f"Cannot {op} a session in status {phase}; it must be {start}",
            )

    def release(self, session_id: str) -> str:
        """Start deleting a session. Returns the message."""
        with self._lock:
            now = self._begin()
            s = self._store.find_usable(session_id, now, _GONE_ASYNC)
            self._store.start_release(s, now)
            return "Session release initiated successfully"

    def set_labels(self, session_id: str, labels: Mapping[str, str]) -> None:
        """Replace the labels of a session."""
        with self._lock:
            now = self._begin()
            s = self._store.find_usable(session_id, now, _GONE_OTHER)
            self._store.index.relabel(s, labels)

    def get_labels(self, session_id: str, *, max_results: int, next_token: str) -> dict[str, Any]:
        """GetLabel's ``data``: one page of the label map (in the order they were set)."""
        start = decode_token("l", next_token)
        with self._lock:
            now = self._begin()
            s = self._store.find_usable(session_id, now, _GONE_OTHER)
            items = list(s.labels.items())
        page = dict(items[start : start + max_results])
        more = start + max_results < len(items)
        return {
            "labels": json.dumps(page, ensure_ascii=False),
            "count": len(items),
            "nextToken": encode_token("l", start + max_results) if more else "",
            "maxResults": max_results,
        }

    def mcp_resource(self, session_id: str) -> dict[str, Any]:
        """getMcpResource's ``data``."""
        with self._lock:
            now = self._begin()
            s = self._store.find_usable(session_id, now, _GONE_MCP)
            return resource_data(s)

    def link(self, session_id: str, *, protocol: str, port: int | None) -> str:
        """getLink's URL."""
        with self._lock:
            now = self._begin()
            s = self._store.find_usable(session_id, now, _GONE_OTHER)
        host = s.session_id if port is None else f"{s.session_id}-{port}"
        return f"{protocol}://{host}.link.agb.invalid/"

    def refresh_idle_time(self, session_id: str) -> None:
        """Reset the idle timer of a session."""
        with self._lock:
            now = self._begin()
            s = self._store.find_usable(session_id, now, _GONE_OTHER)
            s.last_refresh = now
            self._store.schedule_idle(s)

    def sync_context(
        self,
        session_id: str,
        *,
        context_id: str | None,
        path: str | None,
        mode: str,
        fail_message: str | None = None,
    ) -> int:
        """Start sync tasks (one context, or every persistent context); return how many."""
        with self._lock:
            now = self._begin()
            s = self._store.find_usable(session_id, now, _GONE_OTHER)
            targets = [(context_id, path)] if context_id and path else list(s.persistence)
            for cid, cpath in targets:
                s.tasks[(cid, cpath, mode)] = Task(cid, cpath, mode, now, fail_message)
            return len(targets)

    def context_info(
        self,
        session_id: str,
        *,
        context_id: str | None,
        path: str | None,
        task_type: str | None,
    ) -> str:
        """GetContextInfo's ``contextStatus``: JSON text of ``[{type, data}]``."""
        with self._lock:
            now = self._begin()
            s = self._store.find_usable(session_id, now, _GONE_OTHER)
            tasks = [
                self._task_view(task, now)
                for task in s.tasks.values()
                if (not context_id or task.context_id == context_id)
                and (not path or task.path == path)
                and (not task_type or task.task_type == task_type)
            ]
        inner = json.dumps(tasks, ensure_ascii=False)
        return json.dumps([{"type": "data", "data": inner}], ensure_ascii=False)

    def _task_view(self, task: Task, now: float) -> dict[str, Any]:
        status, ended = task_status(task, now, self.config)
        finish = 0 if ended is None else self.wall_time(ended)
        return task_view(task, status, self.wall_time(task.started), finish)

    # ----------------------------------------------------------------- inspection

    def session_ids(self) -> list[str]:
        """Ids of the sessions that are not finished, in creation order."""
        with self._lock:
            self._begin()
            return self._store.index.ids()

    def status_of(self, session_id: str) -> str | None:
        """The status get session would report now, or ``None`` once the session is gone."""
        try:
            return self.session_status(session_id)
        except ApiError:
            return None

    def labels_of(self, session_id: str) -> dict[str, str] | None:
        """The labels of a session, or ``None`` once it is gone."""
        with self._lock:
            self._begin()
            s = self._store.sessions.get(session_id)
            return None if s is None else dict(s.labels)
