"""The API key never shows: not in DEBUG logs (ours, httpx's, httpcore's, the emulator's), not in
any repr or str, not in exception text or tracebacks (the cassettes are checked with the other
checks of the cassettes, in tests/replay/test_replay_cassettes.py).

A full lifecycle runs over real HTTP with the key, including failures: not found, refused
pause, HTML and dropped answers, 429, an HTTP status Python does not know, a wait that times
out, a wrong key, a connection refused. Everything the caller or a log could see is gathered
into one text and searched for the key (and for a fragment of it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from agb import AGB, Session
from agb.config import Config
from agb.emulator import RunningEmulator
from agb.exceptions import AGBError
from tests.support.asserts import assert_no_key
from tests.support.clock import FakeClock
from tests.support.emulator import API_KEY, WRONG_API_KEY, create_params, emulator_agb

LOGGERS = ("", "agb", "agb.emulator", "httpx", "httpcore", "uvicorn", "uvicorn.error", "asyncio")


class _Seen:
    """Everything a user, a log or a traceback could show."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, *things: Any) -> None:
        for thing in things:
            self.parts.append(repr(thing))
            self.parts.append(str(thing))
            if isinstance(thing, BaseException):
                self.parts.extend(traceback.format_exception(thing))
            error = getattr(thing, "error", None)
            if isinstance(error, BaseException):
                self.add(error)
                try:
                    thing.raise_for_status()
                except AGBError as raised:
                    self.parts.extend(traceback.format_exception(raised))

    def text(self) -> str:
        return "\n".join(self.parts)


@contextlib.contextmanager
def _closed_port() -> Iterator[int]:
    """A port nobody listens on, held (bound, not listening) so no other process can take it
    while the test connects: every connection is refused, on any machine."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def test_the_key_never_shows(
    server: RunningEmulator, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    seen = _Seen()
    faults = server.emulator.faults

    agb = emulator_agb(server, clock=clock)
    seen.add(agb, agb.raw, agb.raw.get_httpx_client(), agb.raw.get_async_httpx_client())
    seen.add(agb.config, agb._transport)
    created = agb.create(create_params())
    assert created.success, created
    session = created.session
    assert session is not None
    seen.add(created, session)
    seen.add(session.set_labels({"team": "reliability"}), session.get_labels())
    seen.add(session.info(), session.get_link(), session.get_status(), session.keep_alive())
    seen.add(agb.list(), agb.get(session.session_id), agb.get_session(session.session_id))
    seen.add(session.pause(timeout=30, poll_interval=0.5))
    seen.add(session.resume(timeout=30, poll_interval=0.5))

    # Failures of every kind.
    seen.add(agb.get_session("no-such-session"), Session(agb, "no-such-session").pause())
    faults.add("html", path="/mcp/getSessionInfo", status=502)
    faults.add("drop", path="/sdk/GetLabel")
    faults.add("rate_limited", path="/mcp/getMcpResource", times=3, seconds=1)
    faults.add("http_status", path="/mcp/getSession", status=499, times=3)
    faults.add("truncated_json", path="/internet/getLink")
    seen.add(session.get_status(), session.info(), agb.get_session(session.session_id))
    for call in (session.get_labels, session.get_link):
        try:
            seen.add(call())
        except AGBError as error:
            seen.add(error)
    seen.add(session.pause(timeout=0.1, poll_interval=0.05))  # the wait times out

    wrong = emulator_agb(server, clock=clock, api_key=WRONG_API_KEY)
    seen.add(wrong, wrong.get_session(session.session_id), Session(wrong, "x").get_status())
    wrong.close()
    with _closed_port() as port:
        nowhere = AGB(API_KEY, Config(f"http://127.0.0.1:{port}", 2_000), **clock.agb_kwargs())
        seen.add(nowhere, nowhere.get_session("s-1"), Session(nowhere, "s-1").pause(timeout=1))
        nowhere.close()

    async def async_part() -> None:
        seen.add(await session.get_status_async(), await session.resume_async(timeout=30))
        seen.add(await session.delete_async(timeout=30, poll_interval=0.5))
        await agb.aclose()

    asyncio.run(async_part())

    logged = caplog.text + "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )
    assert "GET /sdk/GetLabel" in logged or "getLabel" in logged, "DEBUG logging was on"
    assert any(r.name.startswith("httpcore") for r in caplog.records), "httpcore logged too"
    # Not even a recognisable part of a key (e.g. a key cut short in a message).
    assert_no_key(logged, API_KEY, WRONG_API_KEY, fragment=True)
    assert_no_key(seen.text(), API_KEY, WRONG_API_KEY, fragment=True)
