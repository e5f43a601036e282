"""Fixtures of the facade tests (the helpers live in ``facade_fakes``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from facade_fakes import SID, FakeClock, FakeServer, Runner, make_agb

from agb import AGB, Session


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


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest) -> Runner:
    """Runs one behaviour through the sync method and through its async twin."""
    return Runner(request.param)
