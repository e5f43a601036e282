"""A fake AGB server on ``httpx.MockTransport`` for tests of the generated client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from agb_api_client import AuthenticatedClient

Handler = Callable[[httpx.Request], httpx.Response]


class FakeServer:
    """Answers every request with ``handler`` and remembers the requests, oldest first."""

    api_key = "sk-test-0123"
    base_url = "https://sdk-api.agb.cloud"

    @staticmethod
    def answer(status: int = 200, body: Any = None, request_id: str = "req-1") -> httpx.Response:
        """An answer with a JSON body and an ``x-request-id`` header, as the service sends."""
        return httpx.Response(status, json=body, headers={"x-request-id": request_id})

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.handler(request)

    @property
    def last(self) -> httpx.Request:
        assert self.requests, "the client sent no request"
        return self.requests[-1]

    def client(self) -> AuthenticatedClient:
        """A generated client configured as the SDK configures it, talking to this server."""
        return AuthenticatedClient(
            base_url=self.base_url,
            token=self.api_key,
            auth_header_name="authorization",
            prefix="Bearer",
            timeout=httpx.Timeout(5),
            # Not set_httpx_client(): that would drop the auth header.
            httpx_args={"transport": httpx.MockTransport(self)},
        )


@pytest.fixture
def fake_server() -> Callable[[Handler], FakeServer]:
    """``fake_server(handler)`` gives a ``FakeServer`` answering with ``handler``."""
    return FakeServer
