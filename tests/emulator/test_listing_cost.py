"""ListSession's index: a page costs the same rows at 100 sessions as at 100,000.

The cost is counted (``SessionIndex.rows_visited``), not timed, so the test is exact on any
machine. The answers are checked against a plain scan.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping

import pytest

from agb.emulator._index import SessionIndex
from agb.emulator._sessions import Session

PAGE = 10


def _session(seq: int, labels: Mapping[str, str]) -> Session:
    return Session(
        session_id=f"s-{seq}", seq=seq, image_id="i", created_at=0.0, labels=dict(labels),
        persistence=[], mcp_policy_id="", timeout=0, app_instance_id="", resource_id="",
        auth_code="", ticket="", token="",
    )  # fmt: skip


@functools.cache  # read only by the tests that share it
def _index(n: int) -> SessionIndex:
    index = SessionIndex()
    for seq in range(1, n + 1):
        index.add(_session(seq, {"team": "a", "parity": str(seq % 2), "all": "yes"}))
    return index


def _cost(index: SessionIndex, labels: Mapping[str, str], start: int = 0) -> int:
    before = index.rows_visited
    page, _, _ = index.page(labels, start, PAGE)
    assert len(page) == PAGE
    return index.rows_visited - before


@pytest.mark.parametrize(
    "labels", [{}, {"team": "a"}, {"team": "a", "parity": "1"}, {"all": "yes", "team": "a"}]
)
def test_a_page_costs_the_same_at_100_and_100k_sessions(labels: dict[str, str]) -> None:
    small, large = _index(100), _index(100_000)
    assert _cost(small, labels) == _cost(large, labels) <= 2 * (PAGE + 1)
    # a page deep into the listing too
    assert _cost(large, labels, start=99_000) == _cost(small, labels, start=50)


def _scan(sessions: dict[int, Session], labels: Mapping[str, str]) -> list[int]:
    return sorted(
        seq for seq, s in sessions.items() if all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_pages_and_counts_match_a_scan_through_adds_relabels_and_removes() -> None:
    index = SessionIndex()
    sessions: dict[int, Session] = {}
    values = itertools.cycle(["x", "y", "z"])
    for seq in range(1, 301):
        s = _session(seq, {"a": next(values), "b": str(seq % 4)})
        index.add(s)
        sessions[seq] = s
    filters = [{}, {"a": "x"}, {"a": "x", "b": "1"}, {"b": "2", "a": "y"}, {"a": "nope"}]

    def check() -> None:
        for labels in filters:
            expected = _scan(sessions, labels)
            seen: list[int] = []
            start = 0
            while True:
                page, following, count = index.page(labels, start, 7)
                assert count == len(expected)
                seen += [s.seq for s in page]
                if following is None:
                    break
                start = following
            assert seen == expected, labels

    check()
    for seq in range(1, 301, 5):  # relabel some, remove others, and look again each time
        index.relabel(sessions[seq], {"a": "x", "b": "1"})
        check()
        victim = sessions.pop(seq + 1)
        index.remove(victim)
        check()
