"""The live sessions, their indexes and the transitions that come due with time."""

from __future__ import annotations

import heapq
from collections.abc import Mapping

from agb.emulator._config import EmulatorConfig
from agb.emulator._errors import ApiError
from agb.emulator._index import SessionIndex
from agb.emulator._sessions import DELETING, FINISH, Session, idle_deadline, phase, shown


class SessionStore:
    """Sessions by id, in creation order and by label, with the idle and deleting timers.

    Nothing runs in the background: :meth:`reap` applies what came due by ``now``. Not
    thread-safe: the :class:`~agb.emulator.Emulator` calls it under its lock.
    """

    def __init__(self, config: EmulatorConfig) -> None:
        """Create an empty store whose timings come from ``config``."""
        self.config = config
        self.sessions: dict[str, Session] = {}
        self.seq = 0
        self.index = SessionIndex()
        self.deleting: list[tuple[float, int, str]] = []  # (finish time, seq, id)
        self.idle: list[tuple[float, int, str]] = []  # (possible idle-release time, seq, id)

    def add(self, s: Session) -> None:
        """Keep a new session (its ``seq`` from :meth:`next_seq`)."""
        self.sessions[s.session_id] = s
        self.index.add(s)
        self.schedule_idle(s)

    def next_seq(self) -> int:
        """The creation number of the next session."""
        self.seq += 1
        return self.seq

    def page(
        self, labels: Mapping[str, str], start_seq: int, size: int
    ) -> tuple[list[Session], int | None, int]:
        """See :meth:`SessionIndex.page`."""
        return self.index.page(labels, start_seq, size)

    def phase(self, s: Session, now: float) -> str:
        """The session's real status at ``now``."""
        return phase(s, now, self.config)

    def shown(self, s: Session, now: float) -> str:
        """The status get session reports at ``now``."""
        return shown(s, now, self.config)

    def idle_deadline(self, s: Session) -> float | None:
        """When the session idles out, if it can."""
        return idle_deadline(s, self.config)

    def schedule_idle(self, s: Session) -> None:
        """Make sure the idle heap will look at ``s`` no later than its idle deadline.

        Deadlines only move later (keep-alive, resume), so an entry already queued for an
        earlier time is enough: when it comes up and the session is not due, it is queued again.
        """
        deadline = self.idle_deadline(s)
        if deadline is not None and not s.idle_check_pending:
            s.idle_check_pending = True
            heapq.heappush(self.idle, (deadline, s.seq, s.session_id))

    def settle(self, s: Session, now: float) -> None:
        """Apply an idle release that is due (the release happened at the deadline)."""
        deadline = self.idle_deadline(s)
        if deadline is not None and now >= deadline:
            self.start_release(s, deadline)

    def start_release(self, s: Session, at: float) -> None:
        """Start deleting the session at clock reading ``at``."""
        s.op, s.op_at = "release", at
        heapq.heappush(self.deleting, (at + self.config.transition_seconds, s.seq, s.session_id))

    def reap(self, now: float) -> None:
        """Apply due idle releases and drop finished sessions from every index."""
        while self.idle and self.idle[0][0] <= now:
            _, seq, sid = heapq.heappop(self.idle)
            s = self.sessions.get(sid)
            if s is not None and s.seq == seq:
                s.idle_check_pending = False
                self.settle(s, now)
                self.schedule_idle(s)  # kept alive meanwhile: look again at the new deadline
        while self.deleting and self.deleting[0][0] <= now:
            _, seq, sid = heapq.heappop(self.deleting)
            s = self.sessions.get(sid)
            if s is not None and s.seq == seq and self.phase(s, now) == FINISH:
                self.remove(s)

    def remove(self, s: Session) -> None:
        """Forget a session everywhere."""
        del self.sessions[s.session_id]
        self.index.remove(s)

    def find(self, session_id: str, now: float, gone: tuple[int, str, str]) -> Session:
        """The live session ``session_id``; ``ApiError(*gone)`` when there is none."""
        s = self.sessions.get(session_id)
        if s is not None:
            self.settle(s, now)
            if self.phase(s, now) == FINISH:
                self.remove(s)
                s = None
        if s is None:
            raise ApiError(*gone)
        return s

    def find_usable(self, session_id: str, now: float, gone: tuple[int, str, str]) -> Session:
        """Like :meth:`find`, and 400 ``InvalidSessionStatus`` while it is being deleted."""
        s = self.find(session_id, now, gone)
        if self.phase(s, now) == DELETING:
            raise ApiError(400, "InvalidSessionStatus", "Session is DELETING; it is being released")
        return s
