"""Create a session, read its status and release it with the raw generated client.

python examples/raw_client.py                     # against an emulator started here
AGB_API_KEY=... python examples/raw_client.py     # against AGB cloud (or AGB_ENDPOINT)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import httpx

from agb_api_client import AuthenticatedClient
from agb_api_client.api.sessions import create_session, get_session, release_session_async
from agb_api_client.models import (
    CreateSessionData,
    CreateSessionRequest,
    CreateSessionResponse,
    GetSessionResponse,
    SessionData,
    SessionIdRequest,
)


def main(base_url: str, api_key: str, transport: httpx.BaseTransport | None = None) -> str:
    """Create a session, print its status, release it; return the session id."""
    client = AuthenticatedClient(
        base_url=base_url,
        token=api_key,
        auth_header_name="authorization",  # the wire wants `authorization: Bearer <key>`
        prefix="Bearer",
        timeout=httpx.Timeout(60),  # the generated client has no timeout unless given one
        httpx_args={"transport": transport},  # None: the network
    )
    with client:
        created = create_session.sync_detailed(
            client=client, image_id="agb-code-space-1", body=CreateSessionRequest(timeout=600)
        ).parsed
        # The raw client only parses: a failure is an ErrorResponse (4xx/5xx), success false,
        # or data.success false inside an HTTP 200. Checking all three is the caller's job.
        data = getattr(created, "data", None)
        if (
            not isinstance(created, CreateSessionResponse)
            or created.success is not True
            or not isinstance(data, CreateSessionData)
            or data.success is False
            or not isinstance(data.session_id, str)
        ):
            code, message = getattr(created, "code", None), getattr(created, "message", None)
            raise SystemExit(f"create failed: {code} {message} {getattr(data, 'err_msg', '')}")
        session_id = data.session_id
        print(f"created {session_id} (request {created.request_id})")

        got = get_session.sync_detailed(client=client, body=SessionIdRequest(session_id)).parsed
        if isinstance(got, GetSessionResponse) and isinstance(got.data, SessionData):
            print(f"status: {got.data.status}")  # a plain string: new statuses parse too

        released = release_session_async.sync_detailed(
            client=client, body=SessionIdRequest(session_id)
        ).parsed
        print(f"release accepted: {getattr(released, 'success', None) is True}")
    return session_id


@contextlib.contextmanager
def connect() -> Iterator[tuple[str, str]]:
    """(base URL, key): AGB cloud when ``AGB_API_KEY`` is set, else an emulator started here."""
    api_key = os.environ.get("AGB_API_KEY", "")
    if api_key:
        endpoint = os.environ.get("AGB_ENDPOINT", "sdk-api.agb.cloud")
        yield (endpoint if "://" in endpoint else "https://" + endpoint), api_key
        return
    from agb.emulator import EmulatorConfig, serve

    with serve(EmulatorConfig(api_key="local")) as emulator:
        yield emulator.base_url, "local"


if __name__ == "__main__":
    with connect() as (base_url, key):
        main(base_url, key)
