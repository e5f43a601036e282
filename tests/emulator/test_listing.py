"""ListSession: paging with opaque tokens, label filters, and thousands of sessions."""

from __future__ import annotations

from typing import Any

from agb.emulator import Emulator, EmulatorConfig, ManualClock, RunningEmulator
from tests.support.wire import TRANSITION, Wire, assert_ok


def _ids(body: dict[str, object]) -> list[str]:
    data = body["data"]
    assert isinstance(data, list)
    return [item["sessionId"] for item in data]


def _all_pages(wire: Wire, labels: object = None, page: int = 10) -> tuple[list[str], int]:
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        params = {"maxResults": str(page)}
        if token:
            params["nextToken"] = token
        body = assert_ok(wire.list(labels, **params))
        seen += _ids(body)
        pages += 1
        token = str(body["nextToken"])
        if not token:
            return seen, pages


def test_pages_follow_creation_order(server: RunningEmulator, wire: Wire) -> None:
    created = [wire.create_id() for _ in range(25)]
    first = assert_ok(wire.list(maxResults="10"))
    assert _ids(first) == created[:10]
    assert first["count"] == 25
    assert first["maxResults"] == 10
    assert first["nextToken"]
    seen, pages = _all_pages(wire)
    assert seen == created
    assert pages == 3


def test_default_and_capped_page_sizes(server: RunningEmulator, wire: Wire) -> None:
    for _ in range(105):
        server.emulator.create_session(image_id="i", labels={}, persistence=[])
    body = assert_ok(wire.list())
    assert len(body["data"]) == 10
    assert body["maxResults"] == 10
    assert body["count"] == 105
    body = assert_ok(wire.list(maxResults="500"))
    assert len(body["data"]) == 100
    assert body["maxResults"] == 100
    assert len(assert_ok(wire.list("{}", maxResults="1"))["data"]) == 1


def test_label_filters(wire: Wire) -> None:
    a_x = wire.create_id({"env": "a", "team": "x"})
    a_y = wire.create_id({"env": "a", "team": "y"})
    b = wire.create_id({"env": "b"})
    wire.create_id()
    assert _ids(assert_ok(wire.list({"env": "a"}))) == [a_x, a_y]
    assert _ids(assert_ok(wire.list({"env": "a", "team": "y"}))) == [a_y]
    assert _ids(assert_ok(wire.list({"env": "b", "team": "y"}))) == []
    assert assert_ok(wire.list({}))["count"] == 4  # {} means no filter
    empty = assert_ok(wire.list({"env": "zzz"}))
    assert empty["data"] == []
    assert empty["count"] == 0
    assert empty["nextToken"] == ""
    assert_ok(wire.set_labels(b, {"env": "a"}))  # the index follows SetLabel
    assert _ids(assert_ok(wire.list({"env": "a"}))) == [a_x, a_y, b]
    assert _ids(assert_ok(wire.list({"env": "b"}))) == []


def test_filter_and_paging_together(wire: Wire) -> None:
    wanted = []
    for i in range(30):
        sid = wire.create_id({"parity": str(i % 2)})
        if i % 2 == 0:
            wanted.append(sid)
    seen, pages = _all_pages(wire, {"parity": "0"}, page=4)
    assert seen == wanted
    assert pages == 4
    assert assert_ok(wire.list({"parity": "0"}, maxResults="4"))["count"] == 15


def test_pages_stay_consistent_when_sessions_finish_between_them(
    wire: Wire, clock: ManualClock
) -> None:
    created = [wire.create_id() for _ in range(20)]
    first = assert_ok(wire.list(maxResults="10"))
    for gone in (created[3], created[10], created[11]):
        assert_ok(wire.release(gone))
    clock.advance(TRANSITION)
    second = assert_ok(wire.list(maxResults="10", nextToken=first["nextToken"]))
    assert _ids(second) == created[12:]
    assert second["count"] == 17
    assert second["nextToken"] == ""


class _CountedReads(dict):  # type: ignore[type-arg]
    """The emulator's session table, counting the sessions read from it: a lookup reads one,
    a scan (iterating the table) reads them all. Work counted, not time: the same on any
    machine, however busy."""

    reads = 0

    def __getitem__(self, key: object) -> object:
        self.reads += 1
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.reads += 1
        return super().__contains__(key)

    def get(self, key: object, default: object = None) -> object:
        self.reads += 1
        return super().get(key, default)

    def __iter__(self) -> Any:
        self.reads += len(self)
        return super().__iter__()

    def values(self) -> Any:
        self.reads += len(self)
        return super().values()

    def items(self) -> Any:
        self.reads += len(self)
        return super().items()


def test_thousands_of_sessions_use_the_index() -> None:
    emulator = Emulator(EmulatorConfig(clock=ManualClock(), seed=1))
    table = emulator._store.sessions = _CountedReads(emulator._store.sessions)
    for i in range(5000):
        emulator.create_session(image_id="i", labels={"group": str(i % 500)}, persistence=[])
    created, table.reads = table.reads, 0
    for g in range(200):
        items, token, count = emulator.list_sessions(
            labels={"group": str(g)}, max_results=10, next_token=""
        )
        assert count == 10
        assert len(items) == 10
        assert token == ""
    filtered, table.reads = table.reads, 0
    token = ""
    pages = 0
    while True:
        items, token, count = emulator.list_sessions(labels={}, max_results=100, next_token=token)
        pages += 1
        if not token:
            break
    paged = table.reads
    assert pages == 50
    assert count == 5000
    # A few reads per session created or listed; a scan per request would read all 5,000.
    reads = (created, filtered, paged)
    assert created <= 2 * 5000, reads
    assert filtered <= 200 * 2 * 10, reads
    assert paged <= 50 * 2 * 100, reads
