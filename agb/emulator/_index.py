"""The sessions in creation order and by label: what ListSession pages through.

A page costs the same however many sessions there are: every label keeps its sessions'
creation numbers (``seq``) sorted, so a page of one label (or of none) is a binary search and
a slice. With several labels the page walks the smallest label's list from the page's start,
keeping the sessions that have the other labels too, until the page is full. The total count
of matches is a set intersection done in C, cached until one of those labels changes.
:attr:`SessionIndex.rows_visited` counts the sessions the walks looked at (tests use it to
prove the cost does not grow with the number of sessions).
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, insort
from collections import OrderedDict
from collections.abc import Mapping
from typing import Final

from agb.emulator._sessions import Session

_COUNT_CACHE_SIZE: Final = 256
_versions = itertools.count(1)  # shared, so that a posting made again never repeats a version


class _Posting:
    """The sessions that have one label: their ``seq`` sorted, and as a set."""

    __slots__ = ("members", "seqs", "version")

    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.members: set[int] = set()
        self.version = next(_versions)  # changes whenever the membership does

    def add(self, seq: int) -> None:
        if not self.seqs or seq > self.seqs[-1]:
            self.seqs.append(seq)  # the usual case: a new session
        else:
            insort(self.seqs, seq)
        self.members.add(seq)
        self.version = next(_versions)

    def discard(self, seq: int) -> None:
        if seq in self.members:
            self.members.discard(seq)
            del self.seqs[bisect_left(self.seqs, seq)]
            self.version = next(_versions)


class SessionIndex:
    """Live sessions by creation order (their ``seq``) and by label. Not thread-safe."""

    def __init__(self) -> None:
        """Create an empty index."""
        self._order: list[int] = []  # seqs of live sessions, ascending (creation order)
        self._by_seq: dict[int, Session] = {}
        self._labels: dict[tuple[str, str], _Posting] = {}
        self._counts: OrderedDict[tuple[tuple[str, str], ...], tuple[tuple[int, ...], int]] = (
            OrderedDict()
        )
        #: Sessions looked at by :meth:`page` so far (a measure of its cost).
        self.rows_visited = 0

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
        self, labels: Mapping[str, str], start_seq: int, size: int
    ) -> tuple[list[Session], int | None, int]:
        """The sessions with every label of ``labels``, from ``start_seq`` on.

        Returns:
            Up to ``size`` sessions in creation order, the ``seq`` of the next match (``None``
            when there is none) and how many sessions match in all.
        """
        if not labels:
            return self._slice(self._order, start_seq, size)
        postings = [self._labels.get(item) for item in labels.items()]
        if any(p is None for p in postings):
            return [], None, 0
        present = sorted((p for p in postings if p is not None), key=lambda p: len(p.seqs))
        if len(present) == 1:
            return self._slice(present[0].seqs, start_seq, size)
        smallest, others = present[0], [p.members for p in present[1:]]
        found: list[int] = []
        seqs = smallest.seqs
        for position in range(bisect_left(seqs, start_seq), len(seqs)):
            seq = seqs[position]
            self.rows_visited += 1
            if all(seq in members for members in others):
                found.append(seq)
                if len(found) > size:
                    break
        following = found[size] if len(found) > size else None
        page = [self._by_seq[seq] for seq in found[:size]]
        return page, following, self._count(labels, present)

    def _slice(
        self, seqs: list[int], start_seq: int, size: int
    ) -> tuple[list[Session], int | None, int]:
        start = bisect_left(seqs, start_seq)
        chosen = seqs[start : start + size + 1]
        self.rows_visited += len(chosen)
        following = chosen[size] if len(chosen) > size else None
        return [self._by_seq[seq] for seq in chosen[:size]], following, len(seqs)

    def _count(self, labels: Mapping[str, str], postings: list[_Posting]) -> int:
        """How many sessions have all of ``labels`` (``postings``, smallest first)."""
        key = tuple(sorted(labels.items()))
        versions = tuple(p.version for p in postings)
        cached = self._counts.get(key)
        if cached is not None and cached[0] == versions:
            self._counts.move_to_end(key)
            return cached[1]
        count = len(postings[0].members.intersection(*(p.members for p in postings[1:])))
        self._counts[key] = (versions, count)
        self._counts.move_to_end(key)
        if len(self._counts) > _COUNT_CACHE_SIZE:
            self._counts.popitem(last=False)
        return count

    def _index_labels(self, s: Session) -> None:
        for item in s.labels.items():
            posting = self._labels.get(item)
            if posting is None:
                posting = self._labels[item] = _Posting()
            posting.add(s.seq)

    def _unindex_labels(self, s: Session) -> None:
        for item in s.labels.items():
            posting = self._labels.get(item)
            if posting is not None:
                posting.discard(s.seq)
                if not posting.seqs:
                    del self._labels[item]
