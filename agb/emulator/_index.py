"""The sessions in creation order and by label: what ListSession pages through."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping

from agb.emulator._sessions import Session


class SessionIndex:
    """Live sessions by creation order (their ``seq``) and by label. Not thread-safe."""

    def __init__(self) -> None:
        """Create an empty index."""
        self._order: list[int] = []  # seqs of live sessions, ascending (creation order)
        self._by_seq: dict[int, Session] = {}
        self._labels: dict[tuple[str, str], set[str]] = {}

    def add(self, s: Session) -> None:
        """Index a new session (its ``seq`` is larger than every indexed one)."""
        self._order.append(s.seq)
        self._by_seq[s.seq] = s
        self._index_labels(s)

    def remove(self, s: Session) -> None:
        """Forget a session."""
        del self._by_seq[s.seq]
        index = bisect_left(self._order, s.seq)
        if index < len(self._order) and self._order[index] == s.seq:
            del self._order[index]
        self._unindex_labels(s)

    def relabel(self, s: Session, labels: Mapping[str, str]) -> None:
        """Replace the labels of an indexed session."""
        self._unindex_labels(s)
        s.labels = dict(labels)
        self._index_labels(s)

    def ids(self) -> list[str]:
        """Ids of the indexed sessions, in creation order."""
        return [self._by_seq[seq].session_id for seq in self._order]

    def page(
        self, labels: Mapping[str, str], start_seq: int, size: int, sessions: Mapping[str, Session]
    ) -> tuple[list[Session], int | None, int]:
        """The sessions with every label of ``labels``, from ``start_seq`` on.

        Returns:
            Up to ``size`` sessions in creation order, the ``seq`` of the next match (``None``
            when there is none) and how many sessions match in all.
        """
        if labels:
            sets = sorted((self._labels.get(item, set()) for item in labels.items()), key=len)
            matches = set(sets[0]).intersection(*sets[1:])
            seqs = sorted(sessions[sid].seq for sid in matches)
        else:
            seqs = self._order
        start = bisect_left(seqs, start_seq)
        page = [self._by_seq[seq] for seq in seqs[start : start + size]]
        following = seqs[start + size] if start + size < len(seqs) else None
        return page, following, len(seqs)

    def _index_labels(self, s: Session) -> None:
        for item in s.labels.items():
            self._labels.setdefault(item, set()).add(s.session_id)

    def _unindex_labels(self, s: Session) -> None:
        for item in s.labels.items():
            ids = self._labels.get(item)
            if ids is not None:
                ids.discard(s.session_id)
                if not ids:
                    del self._labels[item]
