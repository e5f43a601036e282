"""N ``asyncio.run`` calls with one AGB, then close it (see test_hostile_pools).

Run as ``python -m tests.hostile.loops_script N [TRANSPORT [HOW]]`` from the repository root;
TRANSPORT is ``aiohttp`` (the default when it is installed), ``sharded`` (the default when it is
not: aiohttp is made unavailable) or ``httpx`` (``httpx.AsyncHTTPTransport()`` given); HOW is
``calls`` (the AGB's async methods) or ``raw`` (the generated client, read from ``agb.raw``
outside any loop, as a script may keep it at module level).

Started with ``python -W error::ResourceWarning``; prints ``clean`` at the end. Any unclosed
socket or transport shows on stderr.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from typing import Any

import httpx

from agb import AGB, Config
from agb_api_client.api.sessions import get_session
from agb_api_client.models import SessionIdRequest
from tests.support.fakes import HOSTILE_KEY, SID
from tests.support.raw_server import head, raw_server

BODY = b'{"success": true, "code": "ok", "requestId": "r", "data": {"sessionId": "s-1"}}'


def answer(request: bytes, conn: object) -> None:
    headers = {"content-type": "application/json", "content-length": str(len(BODY))}
    conn.sendall(head(200, headers) + BODY)  # type: ignore[attr-defined]


def main(loops: int, transport: str = "aiohttp", how: str = "calls") -> None:
    kwargs: dict[str, Any] = {}
    if transport == "sharded":
        from agb import _aiohttp

        _aiohttp.available = lambda: False  # as when the extra is not installed
    elif transport == "httpx":
        kwargs["async_transport"] = httpx.AsyncHTTPTransport()
    with raw_server(answer) as server:
        agb = AGB(HOSTILE_KEY, Config(server.url), **kwargs)
        via = type(agb._transport._async_transport).__name__
        raw = agb.raw
        for _ in range(loops):
            if how == "raw":
                call = get_session.asyncio_detailed(client=raw, body=SessionIdRequest(SID))
                got = asyncio.run(call)
                assert got.status_code == 200, got
            else:
                result = asyncio.run(agb.get_session_async(SID))
                assert result.success, result
        assert agb.get_session(SID).success
        left = len(agb._transport._loops)
        agb.close()
        del agb, raw
        gc.collect()
    print(f"clean, {left} pools left, async calls through {via}")


if __name__ == "__main__":
    main(int(sys.argv[1]), *sys.argv[2:4])
