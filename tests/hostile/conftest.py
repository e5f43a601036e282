"""Fixtures of the hostile-server suite (helpers live in ``tests.support``)."""

from __future__ import annotations

import pytest

from tests.support.asserts import Watch
from tests.support.fakes import Runner


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest) -> Runner:
    """Runs one behaviour through the sync method and through its async twin."""
    return Runner(request.param)


@pytest.fixture
def watch(caplog: pytest.LogCaptureFixture) -> Watch:
    """Times the call and collects every text it produced (logs at DEBUG included)."""
    return Watch(caplog)
