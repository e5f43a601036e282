"""Fixtures of the facade tests (the helpers live in ``tests.support.fakes``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agb import AGB, Session
from tests.support.clock import FakeClock
from tests.support.fakes import SID, FakeServer, make_agb


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> FakeServer:
    return FakeServer(clock)


@pytest.fixture
def agb(server: FakeServer, clock: FakeClock) -> Iterator[AGB]:
    client = make_agb(server, clock)
    yield client
    client.close()


@pytest.fixture
def session(agb: AGB) -> Session:
    return Session(agb, SID)
