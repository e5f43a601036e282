"""Fixtures of the hostile-server suite (helpers live in ``tests.support``)."""

from __future__ import annotations

import pytest

from tests.support.asserts import Watch


@pytest.fixture
def watch(caplog: pytest.LogCaptureFixture) -> Watch:
    """Times the call and collects every text it produced (logs at DEBUG included)."""
    return Watch(caplog)
