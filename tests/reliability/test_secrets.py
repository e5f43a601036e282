"""The API key never shows: not in DEBUG logs (ours, httpx's, httpcore's, the emulator's), not in
any repr or str, not in exception text or tracebacks, not in a recorded cassette.

A full lifecycle runs over real HTTP with the key, including failures: not found, refused
pause, HTML and dropped answers, 429, an HTTP status Python does not know, a wait that times
out, a wrong key, a connection refused. Everything the caller or a log could see is gathered
into one text and searched for the key (and for a fragment of it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agb import AGB, Session
from agb.config import Config
from agb.emulator import RunningEmulator
from agb.exceptions import AGBError
from tests.support.clock import FakeClock
from tests.support.emulator import API_KEY, create_params, emulator_agb

WRONG_KEY = "agb-sk-WRONG-91d0c3b7e5a24f68-SECRET"
CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
REPLAY_KIT = Path(__file__).resolve().parent.parent / "support" / "cassettes.py"
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


def _assert_hidden(text: str, key: str) -> None:
    assert key not in text
    # Not even a recognisable part of it (e.g. a key cut short in a message).
    middle = key.split("-")[2]
    assert middle not in text


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

    wrong = emulator_agb(server, clock=clock, api_key=WRONG_KEY)
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
    for key in (API_KEY, WRONG_KEY):
        _assert_hidden(logged, key)
        _assert_hidden(seen.text(), key)


def _recording_keys() -> list[str]:
    """The keys the cassette suite records with (``*_KEY = "..."`` in its kit), if any."""
    if not REPLAY_KIT.exists():
        return []
    return re.findall(r'^[A-Z_]*KEY\s*=\s*"([^"]+)"', REPLAY_KIT.read_text(), re.M)


def test_no_cassette_holds_a_key() -> None:
    cassettes = sorted(CASSETTES.rglob("*.yaml")) if CASSETTES.exists() else []
    if not cassettes:
        pytest.skip("no cassettes recorded yet")
    keys = [API_KEY, WRONG_KEY, *_recording_keys()]
    bearer = re.compile(r"Bearer\s+(\S+)")
    for path in cassettes:
        text = path.read_text()
        for key in keys:
            assert key not in text, f"{path.name} holds an API key"
        for token in bearer.findall(text):
            assert token.strip("'\"") == "<scrubbed>", f"{path.name}: unscrubbed {token[:4]}..."
