"""Fixtures of the tests of the generated client: the one fake service, answering with a handler."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.fakes import Answer, FakeServer


@pytest.fixture
def fake_server() -> Callable[[Answer], FakeServer]:
    """``fake_server(handler)`` gives a ``FakeServer`` answering every request with ``handler``
    (given the :class:`~tests.support.fakes.Seen` request); ``server.client()`` is a generated
    client talking to it."""
    return lambda handler: FakeServer().on("*", handler)
