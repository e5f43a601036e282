"""The emulator's sessions: a state machine computed from the clock, under one lock."""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import random
import string
import threading
import time
import uuid
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from typing import Any, Final

import attrs

from agb.emulator._clock import ManualClock
from agb.emulator._config import EmulatorConfig
from agb.emulator._faults import FaultScript

RUNNING: Final = "RUNNING"
PAUSING: Final = "PAUSING"
PAUSED: Final = "PAUSED"
RESUMING: Final = "RESUMING"
DELETING: Final = "DELETING"
FINISH: Final = "FINISH"

_SEEDED_EPOCH: Final = 1_700_000_000.0
_ID_ALPHABET: Final = string.ascii_lowercase + string.digits
_TOOLS: Final = json.dumps(
    [
        {"name": "shell", "server": "mcp-server"},
        {"name": "run_code", "server": "mcp-server"},
        {"name": "read_file", "server": "filesystem"},
        {"name": "write_file", "server": "filesystem"},
    ],
    separators=(",", ":"),
)


class ApiError(Exception):
    """A request the emulator refuses: becomes an error envelope with this status and code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        """Create the error answered with HTTP ``status``, envelope ``code`` and ``message``."""
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid(message: str) -> ApiError:
    """A 400 ``InvalidParameter`` error."""
    return ApiError(400, "InvalidParameter", message)


# How a missing session is reported, per family of operations.
_GONE_MCP: Final = (400, "InvalidMcpSession.NotFound", "Session not found")
_GONE_ASYNC: Final = (404, "SessionNotFound", "Session not found")
_GONE_OTHER: Final = (404, "NotFound", "Session not found")


@attrs.define(eq=False)
class _Task:
    context_id: str
    path: str
    task_type: str
    started: float
    fail_message: str | None


@attrs.define(eq=False)
class _Session:
    session_id: str
    seq: int
    image_id: str
    created_at: float
    labels: dict[str, str]
    persistence: list[tuple[str, str]]
    mcp_policy_id: str
    timeout: int
    app_instance_id: str
    resource_id: str
    auth_code: str
    ticket: str
    token: str
    op: str | None = None  # last accepted "pause" / "resume" / "release"
    op_at: float = 0.0
    last_refresh: float = 0.0
    idle_check_pending: bool = False  # one idle-heap entry per session at most
    tasks: dict[tuple[str, str, str], _Task] = attrs.Factory(dict)


def encode_token(kind: str, position: int) -> str:
    """An opaque paging token."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_token(kind: str, token: str) -> int:
    """The position in an opaque paging token; ``ApiError`` when it is not one of ours."""
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise invalid("nextToken is not a token this service issued") from None
    prefix, _, number = raw.partition(":")
    if prefix != kind or not number.isdigit() or len(number) > 18:
        raise invalid("nextToken is not a token this service issued")
    return int(number)


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
        self._sessions: dict[str, _Session] = {}
        self._seq = 0
        self._order: list[int] = []  # seqs of live sessions, ascending (creation order)
        self._by_seq: dict[int, str] = {}
        self._label_index: dict[tuple[str, str], set[str]] = {}
        self._deleting: list[tuple[float, int, str]] = []  # (finish time, seq, id)
        self._idle: list[tuple[float, int, str]] = []  # (possible idle-release time, seq, id)
        self._requests: Counter[str] = Counter()
        self._faults_injected: Counter[str] = Counter()
        self._internal_errors = 0

    def reset(self) -> None:
        """Forget every session, queued fault and counter (ids keep their sequence)."""
        self.faults.clear()
        with self._lock:
            self._reset_state()

    def begin_request(self, path: str, *, count: bool) -> str:
        """Issue the request id of a new request (and count it under ``path``)."""
        with self._lock:
            if count:
                self._requests[path] += 1
            if self._seeded:
                return str(uuid.UUID(int=self._rng.getrandbits(128), version=4)).upper()
        return str(uuid.uuid4()).upper()

    def note_fault(self, kind: str) -> None:
        """Count one injected fault."""
        with self._lock:
            self._faults_injected[kind] += 1

    def note_internal_error(self) -> None:
        """Count one request that failed inside the emulator (a bug: tests expect zero)."""
        with self._lock:
            self._internal_errors += 1

    def stats(self) -> dict[str, Any]:
        """Counters: requests per path, injected faults per kind, internal errors, sessions."""
        with self._lock:
            now = self.clock()
            self._reap(now)
            return {
                "requests": dict(self._requests),
                "totalRequests": sum(self._requests.values()),
                "faultsInjected": dict(self._faults_injected),
                "internalErrors": self._internal_errors,
                "sessions": len(self._sessions),
            }

    def advance_clock(self, seconds: float) -> float:
        """Move a :class:`ManualClock` forward; ``ApiError`` if the clock is another kind."""
        if not isinstance(self.clock, ManualClock):
            raise ApiError(400, "ClockNotManual", "the emulator runs on a real clock")
        return self.clock.advance(seconds)

    def wall_time(self, at: float) -> int:
        """Unix time in whole seconds of clock reading ``at``."""
        return int(self._epoch0 + (at - self._clock0))

    def _random_id(self, length: int) -> str:
        # Ids and the fake secrets need not be unguessable: a generator seeded from the OS
        # (or from ``seed``) is enough, and far cheaper than one system call per character.
        return "".join(self._rng.choices(_ID_ALPHABET, k=length))

    # ----------------------------------------------------------------- state machine

    def _phase(self, s: _Session, now: float) -> str:
        if s.op is None:
            return RUNNING
        elapsed = now - s.op_at
        settled = elapsed >= self.config.transition_seconds
        if s.op == "pause":
            return PAUSED if settled else PAUSING
        if s.op == "resume":
            return RUNNING if settled else RESUMING
        return FINISH if settled else DELETING

    def _shown(self, s: _Session, now: float) -> str:
        """The status get session reports: the old one for a moment after pause/resume."""
        if s.op in ("pause", "resume") and now - s.op_at < self.config.stale_seconds:
            return RUNNING if s.op == "pause" else PAUSED
        return self._phase(s, now)

    def _idle_deadline(self, s: _Session) -> float | None:
        if s.timeout <= 0:
            return None
        if s.op is None:
            since = s.created_at
        elif s.op == "resume":
            since = s.op_at + self.config.transition_seconds
        else:
            return None  # paused, pausing or deleting sessions do not idle out
        return max(since, s.last_refresh) + s.timeout

    def _schedule_idle(self, s: _Session) -> None:
        """Make sure the idle heap will look at ``s`` no later than its idle deadline.

        Deadlines only move later (keep-alive, resume), so an entry already queued for an
        earlier time is enough: when it comes up and the session is not due, it is queued again.
        """
        deadline = self._idle_deadline(s)
        if deadline is not None and not s.idle_check_pending:
            s.idle_check_pending = True
            heapq.heappush(self._idle, (deadline, s.seq, s.session_id))

    def _settle(self, s: _Session, now: float) -> None:
        """Apply an idle release that is due (the release happened at the deadline)."""
        deadline = self._idle_deadline(s)
        if deadline is not None and now >= deadline:
            self._start_release(s, deadline)

    def _start_release(self, s: _Session, at: float) -> None:
        s.op, s.op_at = "release", at
        heapq.heappush(self._deleting, (at + self.config.transition_seconds, s.seq, s.session_id))

    def _reap(self, now: float) -> None:
        """Apply due idle releases and drop finished sessions from every index."""
        while self._idle and self._idle[0][0] <= now:
            _, seq, sid = heapq.heappop(self._idle)
            s = self._sessions.get(sid)
            if s is not None and s.seq == seq:
                s.idle_check_pending = False
                self._settle(s, now)
                self._schedule_idle(s)  # kept alive meanwhile: look again at the new deadline
        while self._deleting and self._deleting[0][0] <= now:
            _, seq, sid = heapq.heappop(self._deleting)
            s = self._sessions.get(sid)
            if s is not None and s.seq == seq and self._phase(s, now) == FINISH:
                self._remove(s)

    def _remove(self, s: _Session) -> None:
        del self._sessions[s.session_id]
        del self._by_seq[s.seq]
        index = bisect_left(self._order, s.seq)
        if index < len(self._order) and self._order[index] == s.seq:
            del self._order[index]
        self._unindex_labels(s)

    def _index_labels(self, s: _Session) -> None:
        for item in s.labels.items():
            self._label_index.setdefault(item, set()).add(s.session_id)

    def _unindex_labels(self, s: _Session) -> None:
        for item in s.labels.items():
            ids = self._label_index.get(item)
            if ids is not None:
                ids.discard(s.session_id)
                if not ids:
                    del self._label_index[item]

    def _begin(self) -> float:
        now = self.clock()
        self._reap(now)
        return now

    def _find(self, session_id: str, now: float, gone: tuple[int, str, str]) -> _Session:
        s = self._sessions.get(session_id)
        if s is not None:
            self._settle(s, now)
            if self._phase(s, now) == FINISH:
                self._remove(s)
                s = None
        if s is None:
            raise ApiError(*gone)
        return s

    def _find_usable(self, session_id: str, now: float, gone: tuple[int, str, str]) -> _Session:
        s = self._find(session_id, now, gone)
        if self._phase(s, now) == DELETING:
            raise ApiError(400, "InvalidSessionStatus", "Session is DELETING; it is being released")
        return s

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
            while session_id in self._sessions:
                session_id = "session-" + self._random_id(20)
            self._seq += 1
            s = _Session(
                session_id=session_id,
                seq=self._seq,
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
            self._sessions[session_id] = s
            self._order.append(s.seq)
            self._by_seq[s.seq] = session_id
            self._index_labels(s)
            self._schedule_idle(s)
            for context_id, path in s.persistence:  # contexts are downloaded at start-up
                s.tasks[(context_id, path, "download")] = _Task(
                    context_id, path, "download", now, None
                )
            return {
                "sessionId": session_id,
                "resourceUrl": self._resource_url(s),
                "appInstanceId": s.app_instance_id,
                "resourceId": s.resource_id,
                "success": True,
                "errMsg": "",
                "taskId": "",
                "linkUrl": f"https://{session_id}.link.agb.invalid/",
                "wsUrl": f"wss://{session_id}.ws.agb.invalid/",
                "token": s.token,
                "toolList": _TOOLS,
            }

    @staticmethod
    def _resource_url(s: _Session) -> str:
        return f"https://resource.agb.invalid/?resourceId={s.resource_id}&authcode={s.auth_code}"

    def get_session(self, session_id: str) -> dict[str, Any]:
        """getSession's ``data``."""
        with self._lock:
            now = self._begin()
            s = self._find(session_id, now, _GONE_MCP)
            return {
                "sessionId": s.session_id,
                "appInstanceId": s.app_instance_id,
                "resourceId": s.resource_id,
                "resourceUrl": self._resource_url(s),
                "status": self._shown(s, now),
            }

    def session_status(self, session_id: str) -> str:
        """The status getSessionInfo reports."""
        with self._lock:
            now = self._begin()
            return self._shown(self._find(session_id, now, _GONE_MCP), now)

    def list_sessions(
        self, *, labels: Mapping[str, str], max_results: int, next_token: str
    ) -> tuple[list[dict[str, str]], str, int]:
        """One page of sessions with all ``labels``: (items, next token or "", total matches)."""
        start_seq = decode_token("s", next_token)
        with self._lock:
            now = self._begin()
            if labels:
                sets = sorted(
                    (self._label_index.get(item, set()) for item in labels.items()), key=len
                )
                matches = set(sets[0]).intersection(*sets[1:])
                seqs = sorted(self._sessions[sid].seq for sid in matches)
            else:
                seqs = self._order
            start = bisect_left(seqs, start_seq)
            page = seqs[start : start + max_results]
            following = seqs[start + max_results] if start + max_results < len(seqs) else None
            items = []
            for seq in page:
                s = self._sessions[self._by_seq[seq]]
                self._settle(s, now)
                items.append({"sessionId": s.session_id, "sessionStatus": self._shown(s, now)})
            token = "" if following is None else encode_token("s", following)
            return items, token, len(seqs)

    def pause(self, session_id: str) -> str:
        """Start pausing; idempotent on a PAUSING/PAUSED session. Returns the message."""
        with self._lock:
            now = self._begin()
            s = self._find(session_id, now, _GONE_ASYNC)
            phase = self._phase(s, now)
            if phase == RUNNING:
                s.op, s.op_at = "pause", now
                return "Session pause initiated successfully"
            if phase in (PAUSING, PAUSED):
                return f"Session is already paused ({phase})"
            raise ApiError(
                400,
                "InvalidSessionStatus",
                f"Cannot pause a session in status {phase}; it must be RUNNING",
            )

    def resume(self, session_id: str) -> str:
        """Start resuming; idempotent on a RESUMING/RUNNING session. Returns the message."""
        with self._lock:
            now = self._begin()
            s = self._find(session_id, now, _GONE_ASYNC)
            phase = self._phase(s, now)
            if phase == PAUSED:
                s.op, s.op_at = "resume", now
                self._schedule_idle(s)
                return "Session resume initiated successfully"
            if phase in (RESUMING, RUNNING):
                return f"Session is already running ({phase})"
            raise ApiError(
                400,
                "InvalidSessionStatus",
                f"Cannot resume a session in status {phase}; it must be PAUSED",
            )

    def release(self, session_id: str) -> str:
        """Start deleting a session. Returns the message."""
        with self._lock:
            now = self._begin()
            s = self._find_usable(session_id, now, _GONE_ASYNC)
            self._start_release(s, now)
            return "Session release initiated successfully"

    def set_labels(self, session_id: str, labels: Mapping[str, str]) -> None:
        """Replace the labels of a session."""
        with self._lock:
            now = self._begin()
            s = self._find_usable(session_id, now, _GONE_OTHER)
            self._unindex_labels(s)
            s.labels = dict(labels)
            self._index_labels(s)

    def get_labels(self, session_id: str, *, max_results: int, next_token: str) -> dict[str, Any]:
        """GetLabel's ``data``: one page of the label map (in the order they were set)."""
        start = decode_token("l", next_token)
        with self._lock:
            now = self._begin()
            s = self._find_usable(session_id, now, _GONE_OTHER)
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
            s = self._find_usable(session_id, now, _GONE_MCP)
            return {
                "sessionId": s.session_id,
                "resourceUrl": self._resource_url(s),
                "desktopInfo": {
                    "appId": s.app_instance_id,
                    "authCode": s.auth_code,
                    "connectionProperties": json.dumps(
                        {"imageId": s.image_id, "region": "emulator-local-1", "protocol": "https"},
                        separators=(",", ":"),
                    ),
                    "resourceId": s.resource_id,
                    "resourceType": "AIAgent",
                    "ticket": s.ticket,
                },
            }

    def link(self, session_id: str, *, protocol: str, port: int | None) -> str:
        """getLink's URL."""
        with self._lock:
            now = self._begin()
            s = self._find_usable(session_id, now, _GONE_OTHER)
        host = s.session_id if port is None else f"{s.session_id}-{port}"
        return f"{protocol}://{host}.link.agb.invalid/"

    def refresh_idle_time(self, session_id: str) -> None:
        """Reset the idle timer of a session."""
        with self._lock:
            now = self._begin()
            s = self._find_usable(session_id, now, _GONE_OTHER)
            s.last_refresh = now
            self._schedule_idle(s)

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
            s = self._find_usable(session_id, now, _GONE_OTHER)
            targets = [(context_id, path)] if context_id and path else list(s.persistence)
            for cid, cpath in targets:
                s.tasks[(cid, cpath, mode)] = _Task(cid, cpath, mode, now, fail_message)
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
            s = self._find_usable(session_id, now, _GONE_OTHER)
            tasks = [
                self._task_view(task, now)
                for task in s.tasks.values()
                if (not context_id or task.context_id == context_id)
                and (not path or task.path == path)
                and (not task_type or task.task_type == task_type)
            ]
        inner = json.dumps(tasks, ensure_ascii=False)
        return json.dumps([{"type": "data", "data": inner}], ensure_ascii=False)

    def _task_view(self, task: _Task, now: float) -> dict[str, Any]:
        duration = self.config.context_sync_seconds
        elapsed = now - task.started
        if elapsed >= duration:
            status = "Failed" if task.fail_message else "Success"
            finish = self.wall_time(task.started + duration)
        else:
            status = "Pending" if elapsed < duration / 4 else "Running"
            finish = 0
        return {
            "contextId": task.context_id,
            "path": task.path,
            "errorMessage": (task.fail_message or "") if status == "Failed" else "",
            "status": status,
            "startTime": self.wall_time(task.started),
            "finishTime": finish,
            "taskType": task.task_type,
        }

    # ----------------------------------------------------------------- inspection

    def session_ids(self) -> list[str]:
        """Ids of the sessions that are not finished, in creation order."""
        with self._lock:
            self._begin()
            return [self._by_seq[seq] for seq in self._order]

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
            s = self._sessions.get(session_id)
            return None if s is None else dict(s.labels)
