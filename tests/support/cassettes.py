"""What the cassette-backed tests share: the recording setup, vcrpy filters, and the rig.

Every test in ``tests/replay`` runs one scenario twice, through the sync methods and through
their ``*_async`` twins, against ONE cassette (``tests/cassettes/<module>/<test>.yaml``):

* record mode (``scripts/record_cassettes.py``, i.e. ``--record-mode=rewrite``): the sync variant
  talks to a fresh in-process emulator (seeded, on a :class:`ManualClock`), and vcrpy records
  the real HTTP traffic. Faults are scripted on the emulator. The async variants are deselected.
* replay (the default, ``--record-mode=none --block-network``): both variants are answered from
  the cassette; nothing listens anywhere, and a request the cassette does not hold fails the
  test with vcrpy's ``CannotOverwriteExistingCassetteException`` naming the request.

The AGB under test gets a ``sleep`` / ``async_sleep`` that never sleeps: each wait is appended to
:attr:`Rig.waits` and moves the clock (the emulator's clock when recording, a local one when
replaying), so the tests assert the exact schedule of waits and replays take no real time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from agb import AGB, Config
from agb.emulator import ManualClock

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "tests" / "cassettes"

#: The key the recording AGB and emulator use. It must never reach a cassette (a test greps).
RECORDING_KEY = "agb-recording-key-0123456789abcdef"
#: A key the emulator refuses, for the authentication scenario. Never recorded either.
WRONG_KEY = "agb-recording-wrong-key-fedcba9876543210"
#: What the ``authorization`` header reads in every cassette.
SCRUBBED_AUTH = "Bearer <scrubbed>"
#: Every recorded URL starts with this (the emulator's random port would make re-recordings
#: differ); replays use it as their base URL too. Port 9 (discard): nothing ever listens there.
ORIGIN = "http://127.0.0.1:9"

# The emulator that records: fixed seed (ids, request ids, secrets repeat exactly), times in
# whole seconds so the schedule of waits is easy to read.
SEED = 20250501
TRANSITION_SECONDS = 5.0  # PAUSING / RESUMING / DELETING last this long after the request
STALE_SECONDS = 1.0  # the old status is still shown this long after a pause / resume
CONTEXT_SYNC_SECONDS = 3.0  # a context task ends this long after it started
RETRY_AFTER_SECONDS = 2  # Retry-After of a rate_limited fault without its own seconds

# Request headers worth keeping: the rest are volatile (host:port, user-agent with versions,
# accept-encoding that depends on installed compressors).
_KEPT_REQUEST_HEADERS = frozenset({"content-type", "content-length", "authorization"})
# Response headers that change on every run.
_DROPPED_RESPONSE_HEADERS = frozenset({"date", "server"})


# --------------------------------------------------------------------------- vcrpy settings


def normalize_request(request: Any) -> Any:
    """Before recording (and before matching): a fixed origin and only the stable headers.

    vcrpy hands a deep copy, so the request really sent is not changed; ``filter_headers`` in
    :data:`VCR_CONFIG` has already replaced the ``authorization`` header by the placeholder.
    """
    parts = urlsplit(request.uri)
    request.uri = ORIGIN + request.uri[len(f"{parts.scheme}://{parts.netloc}") :]
    request.headers = {
        name: value
        for name, value in request.headers.items()
        if name.lower() in _KEPT_REQUEST_HEADERS
    }
    return request


def normalize_response(response: dict[str, Any]) -> dict[str, Any]:
    """Before recording: drop the headers that differ on every run (``date``, ``server``)."""
    response["headers"] = {
        name: values
        for name, values in response["headers"].items()
        if name.lower() not in _DROPPED_RESPONSE_HEADERS
    }
    return response


def _query_items(request: Any) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for name, value in parse_qsl(urlsplit(request.uri).query, keep_blank_values=True):
        if name == "sdkStats":
            # JSON text carrying the SDK's version: compare it parsed, without the version, so
            # a version bump does not invalidate every cassette that creates a session.
            try:
                stats = json.loads(value)
            except ValueError:
                items.append((name, value))
                continue
            if isinstance(stats, dict):
                stats.pop("sdk_version", None)
            items.append((name, json.dumps(stats, sort_keys=True)))
        else:
            items.append((name, value))
    return sorted(items)


def query_sans_sdk_version(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the query strings are equal (``sdkStats.sdk_version`` aside)."""
    q1, q2 = _query_items(r1), _query_items(r2)
    if q1 != q2:
        raise AssertionError(f"{q1} != {q2}")


VCR_CONFIG: dict[str, Any] = {
    "filter_headers": [("authorization", SCRUBBED_AUTH)],
    # `query_sans_sdk_version` is the matcher above (registered by conftest.py).
    # `body` is vcrpy's: it parses both bodies as JSON when the request says application/json.
    "match_on": ["method", "path", "query_sans_sdk_version", "body"],
    "before_record_request": normalize_request,
    "before_record_response": normalize_response,
}


# --------------------------------------------------------------------------- cassette reading


def _json(body: Any) -> Any:
    raw = body.get("string") if isinstance(body, dict) else body
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def so_far(cassette: Any) -> list[tuple[Any, Any]]:
    """The interactions of the test so far: recorded ones, or (replaying) the played ones."""
    if not cassette.rewound:
        return list(cassette.data)
    return [item for index, item in enumerate(cassette.data) if cassette.play_counts[index]]


def exchanges(cassette: Any) -> list[str]:
    """The exchanges so far in order, e.g. ``"POST /mcp/getSession 200"``."""
    return [
        f"{request.method} {request.path} {response['status']['code']}"
        for request, response in so_far(cassette)
    ]


def statuses(cassette: Any, path: str = "/mcp/getSession") -> list[str]:
    """What each answer so far to ``path`` said: its ``data.status``, else its HTTP status."""
    seen = []
    for request, response in so_far(cassette):
        if request.path != path:
            continue
        body = _json(response["body"])
        data = body.get("data") if isinstance(body, dict) else None
        status = data.get("status") if isinstance(data, dict) else None
        seen.append(status if isinstance(status, str) else f"HTTP {response['status']['code']}")
    return seen


def request_ids(cassette: Any, path: str) -> list[str]:
    """The ``x-request-id`` of each answer so far to ``path``."""
    return [
        response["headers"]["x-request-id"][0]
        for request, response in so_far(cassette)
        if request.path == path
    ]


# --------------------------------------------------------------------------- drops in replay


class DropRule:
    """Raise ``httpx.RemoteProtocolError`` for one request to ``path`` after ``skip`` of them.

    vcrpy cannot record a connection the server dropped (there is no answer to store), so in
    replay this reproduces it *before* the cassette layer: vcrpy patches
    ``httpx.HTTPTransport.handle_request``, which this wrapper calls only for the other
    requests. When recording, the emulator's real ``drop`` fault does it instead.
    """

    def __init__(self, path: str, skip: int) -> None:
        self.path = path
        self.skip = skip
        self.fired = False

    def check(self, request: httpx.Request) -> None:
        if self.fired or request.url.path != self.path:
            return
        if self.skip > 0:
            self.skip -= 1
            return
        self.fired = True
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body (replayed drop)",
            request=request,
        )


class DroppingTransport(httpx.BaseTransport):
    def __init__(self, rules: list[DropRule]) -> None:
        self.rules = rules
        self.inner = httpx.HTTPTransport(verify=False)  # plain HTTP; spares loading the CA store
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        for rule in self.rules:
            rule.check(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncDroppingTransport(httpx.AsyncBaseTransport):
    def __init__(self, rules: list[DropRule]) -> None:
        self.rules = rules
        self.inner = httpx.AsyncHTTPTransport(verify=False)
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        for rule in self.rules:
            rule.check(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


# --------------------------------------------------------------------------- the rig


class Rig:
    """What a scenario gets: an AGB, the clock, the waits it asked for, and fault scripting.

    Attributes:
        recording: True when talking to a live emulator (record mode).
        variant: ``"sync"`` or ``"async"``: which methods :meth:`call` uses.
        agb: The client under test (closed by the fixture).
        clock: The clock the AGB reads (the emulator's when recording).
        waits: Every wait the AGB asked for, in seconds, in order.
        cassette: The vcrpy cassette in use.
    """

    def __init__(
        self,
        *,
        recording: bool,
        variant: str,
        base_url: str,
        clock: ManualClock,
        cassette: Any,
        emulator: Any = None,
    ) -> None:
        self.recording = recording
        self.variant = variant
        self.base_url = base_url
        self.clock = clock
        self.cassette = cassette
        self.emulator = emulator
        self.waits: list[float] = []
        self.during_waits: list[Callable[[], object]] = []
        self.drops: list[DropRule] = []
        self.clients: list[AGB] = []
        # What the variant must not use: the other variant's sleep and HTTP client.
        self.sleeps = {"sync": 0, "async": 0}
        self.transports: dict[str, DroppingTransport | AsyncDroppingTransport] = {}
        self.agb = self.make_agb(RECORDING_KEY)

    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)
        if self.during_waits:
            self.during_waits.pop(0)()

    def _sleep(self, seconds: float) -> None:
        self.sleeps["sync"] += 1
        self._wait(seconds)

    async def _async_sleep(self, seconds: float) -> None:
        self.sleeps["async"] += 1
        self._wait(seconds)

    def during_next_wait(self, action: Callable[[], object]) -> None:
        """Run ``action`` (real traffic too, recorded in the same cassette) in the next wait.

        This is how something happens to a session while the SDK is waiting on it, as when
        another client deletes it in the middle of a pause.
        """
        self.during_waits.append(action)

    def make_agb(self, api_key: str) -> AGB:
        """An AGB on this rig's clock and sleeps (``api_key`` only matters when recording)."""
        transports: dict[str, Any] = {}
        if not self.recording:
            transports = {
                "transport": DroppingTransport(self.drops),
                "async_transport": AsyncDroppingTransport(self.drops),
            }
            if not self.clients:  # the main client: watch which of its pools is used
                self.transports = {
                    "sync": transports["transport"],
                    "async": transports["async_transport"],
                }
        client = AGB(
            api_key=api_key,
            cfg=Config(endpoint=self.base_url, timeout_ms=5_000),
            clock=self.clock,
            sleep=self._sleep,
            async_sleep=self._async_sleep,
            random=lambda: 0.0,  # no jitter: the recorded waits are the exact backoff delays
            **transports,
        )
        self.clients.append(client)
        return client

    async def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``method`` (a bound sync method), or its ``*_async`` twin in the async variant."""
        if self.variant == "sync":
            return method(*args, **kwargs)
        twin: Callable[..., Awaitable[Any]] = getattr(method.__self__, method.__name__ + "_async")
        return await twin(*args, **kwargs)

    def fault(self, kind: str, **kwargs: Any) -> None:
        """Script an emulator fault (see ``agb.emulator``); a no-op in replay."""
        if self.recording:
            self.emulator.faults.add(kind, **kwargs)

    def drop(self, path: str, *, skip: int = 0) -> None:
        """Drop the connection of one request to ``path`` after ``skip`` of them passed."""
        if self.recording:
            self.emulator.faults.add("drop", path=path, skip=skip)
        else:
            self.drops.append(DropRule(path, skip))

    def take_waits(self) -> list[float]:
        """The waits so far, forgetting them (to separate a scenario's set-up from its test)."""
        waits, self.waits = self.waits, []
        return waits

    def exchanges(self) -> list[str]:
        return exchanges(self.cassette)

    def statuses(self, path: str = "/mcp/getSession") -> list[str]:
        return statuses(self.cassette, path)

    def request_ids(self, path: str) -> list[str]:
        return request_ids(self.cassette, path)

    def unfinished(self) -> Iterator[str]:
        """Scripted faults or drops that never fired (the scenario did not go as written)."""
        if self.recording:
            for fault in self.emulator.faults.pending():
                yield f"emulator fault {fault.kind} on {fault.path} never fired"
        if self.during_waits:
            yield f"{len(self.during_waits)} action(s) planned during waits never ran"
        other = "async" if self.variant == "sync" else "sync"
        if self.sleeps[other]:
            count = self.sleeps[other]
            yield f"the {self.variant} variant slept {count} time(s) with the {other} sleep"
        if other in self.transports and self.transports[other].sent:
            sent = self.transports[other].sent
            yield f"the {self.variant} variant sent {sent} request(s) through the {other} client"
        for rule in self.drops:
            if not rule.fired:
                yield f"replayed drop of {rule.path} never fired"

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


def unplayed(cassette: Any) -> list[str]:
    """The recorded interactions a replay did not use."""
    return [
        f"#{index} {request.method} {request.path}"
        for index, (request, _response) in enumerate(cassette.data)
        if cassette.play_counts[index] == 0
    ]


AUTH_LEAK = re.compile(r"bearer\s+(?!<scrubbed>)", re.IGNORECASE)
