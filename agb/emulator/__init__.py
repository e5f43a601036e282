"""A local AGB-compatible session service: a real HTTP server speaking the AGB wire API.

Use it to run demos without credentials, record cassettes from real traffic, test agent code,
and benchmark. It implements every operation of ``openapi.yaml`` with the real service's shapes
(the envelope, JSON text inside JSON, the capital-L ``Labels`` query, request ids).

Running it::

    python -m agb.emulator --port 0 --api-key KEY       # prints "AGB emulator listening on ..."

    with serve(EmulatorConfig(api_key="k", clock=ManualClock())) as server:   # in-process
        ...  # server.base_url, server.emulator.faults.add(...), clock.advance(1.0)

    app = create_app(config)                            # for httpx.ASGITransport(app=app)
    emulator = app.state.emulator

    pytest_plugins = ["agb.emulator.pytest_plugin"]     # fixtures agb_emulator, agb_emulator_clock

Sessions (all times from ``EmulatorConfig.clock``, computed when read, nothing in the background):

* create -> ``RUNNING``. Sessions given ``persistenceDataList`` also get one ``download`` context
  task per entry, finishing ``context_sync_seconds`` later.
* pause -> get session shows ``RUNNING`` for ``stale_seconds``, then ``PAUSING`` until
  ``transition_seconds`` after the request, then ``PAUSED``. Resume the same way:
  ``PAUSED`` (stale) -> ``RESUMING`` -> ``RUNNING``.
* release -> ``DELETING`` for ``transition_seconds`` -> ``FINISH``: the session is gone, left the
  list, and get session answers HTTP 400 ``InvalidMcpSession.NotFound`` "Session not found".
* ``timeout`` at create (seconds): a RUNNING session whose idle timer (reset by
  ``refreshSessionIdleTime``, create and the end of a resume) runs out is released by itself.
  Paused sessions do not idle out. Without ``timeout`` sessions live until released.

Documented choices where the real service is unknown:

* Pausing a PAUSING/PAUSED session and resuming a RESUMING/RUNNING one are idempotent successes
  (``message`` says it is already paused/running). Pausing a RESUMING session or resuming a
  PAUSING one: HTTP 400 ``InvalidSessionStatus`` naming both statuses. These decisions use the
  real phase, not the stale status shown right after a request.
* pause/resume/release of an unknown or finished session: 404 ``SessionNotFound``.
  getSession/getSessionInfo/getMcpResource of one: 400 ``InvalidMcpSession.NotFound``;
  every other operation: 404 ``NotFound``.
* A DELETING session answers getSession, getSessionInfo and ListSession; every other operation
  (including a second release) answers 400 ``InvalidSessionStatus``.
* Bad input (missing/empty sessionId or imageId, malformed or non-object JSON body, wrong JSON
  types, non-integer or < 1 ``maxResults``, port outside 30100-30199, protocolType not
  http/https/ws/wss, labels that are not JSON text of an object of strings, a foreign
  ``nextToken``): 400 ``InvalidParameter`` naming the field. Unknown path: 404 ``NotFound``;
  wrong method: 405 ``MethodNotAllowed`` with ``Allow``; body over 1 MiB: 413. Any unexpected
  exception: 500 ``InternalError`` envelope (counted in ``stats()["internalErrors"]``).
* Auth: no ``authorization`` header -> 401 ``AccessDenied``; not ``Bearer <non-empty key>`` or
  (with ``api_key``) a different key -> 403 ``AccessDenied``. The key is never echoed or logged.
* ListSession: creation order, ``maxResults`` default 10 capped at ``max_page_size`` (100),
  ``count`` = all matches, opaque ``nextToken`` ("" on the last page), ``labels`` must be JSON
  text of an object (``{}`` = no filter); found through a label index, not a scan.
  GetLabel pages the label map the same way (default 10, in the order the labels were set).
* getLink without ``port`` links to the session itself; ``protocolType`` defaults to https;
  the URL is ``https://<sessionId>-<port>.link.agb.invalid/``.
* SyncContext without contextId and path syncs every persistence entry given at create; with
  them, that one context (both or neither). ``mode`` upload (default) or download. Tasks show
  ``Pending``, then ``Running``, then ``Success`` (or ``Failed``) ``context_sync_seconds``
  later; a new sync of the same context, path and mode replaces the old task.
* With ``seed``, session ids, request ids, secrets, timestamps and random faults repeat exactly
  for the same sequence of requests.

Faults (``emulator.faults.add(kind, *, path=None, times=1, skip=0, **params)``, or
``POST /_emulator/faults`` with ``{"kind", "path", "times", "skip", "params"}``). A fault
applies
to the next ``times`` requests (``None``: until cleared) to ``path`` (``None``: any path)
after ``skip`` of them passed normally; one fault per request, in the order they were added.
Requests to ``/_emulator/`` and requests refused by auth never take a fault. "Not applied"
means the request changed nothing in the emulator:

=====================  =====================================================================
``unavailable``        503, envelope code ``ServiceUnavailable``; param ``seconds`` adds
                       ``Retry-After``. Not applied.
``rate_limited``       429, envelope code ``Throttling``, ``Retry-After`` = param ``seconds``
                       (default ``retry_after_seconds``). Not applied.
``html``               an nginx-style HTML error page, status param ``status`` (default 502; use
                       500 for an ``html_500``). Not applied.
``drop``               the status line, headers and part of the body are sent, then the
                       connection is closed: httpx raises ``RemoteProtocolError`` (through
                       ASGITransport: :class:`DroppedConnection`, a subclass). Not applied.
``slow``               waits param ``seconds`` (default 0.2) of real time, then answers
                       normally. Applied.
``truncated_json``     the normal answer (same status), its JSON body cut in the middle.
                       Applied.
``not_json``           200 ``text/plain`` garbage. Not applied.
``null_data``          the normal answer, but a success envelope gets ``data: null``. Applied.
``status``             getSession/getSessionInfo/ListSession report param ``value`` (e.g.
                       ``"HIBERNATING"``) as the status. Applied (they only read).
``extra_fields``       every JSON object in the answer gains unknown fields. Applied.
``create_fail``        createSession answers 200 with ``success: true`` but ``data.success:
                       false`` and ``data.errMsg`` (param ``message``). Not applied.
``http_status``        param ``status`` (200-599, e.g. 499) with an error envelope, params
                       ``code`` (default ``EmulatedFault``) and ``message``. Not applied.
``context_sync_fail``  the next SyncContext's tasks end ``Failed`` with ``errorMessage`` param
                       ``message``. Applied.
=====================  =====================================================================

``fault_rate`` draws, with the seeded generator, from ``unavailable``, ``rate_limited``,
``html`` (500), ``drop`` and ``slow`` (0.2 s) only.

Admin API (same auth as the rest): ``POST``/``GET``/``DELETE /_emulator/faults``,
``POST /_emulator/clock/advance`` ``{"seconds": n}`` (ManualClock only, ``--manual-clock``),
``GET /_emulator/stats`` (requests per path, faults injected, internal errors, live sessions),
``POST /_emulator/reset`` (forget all sessions, faults and counters).
"""

from __future__ import annotations

from agb.emulator._app import DroppedConnection, create_app
from agb.emulator._clock import ManualClock
from agb.emulator._config import EmulatorConfig
from agb.emulator._faults import FAULT_KINDS, RANDOM_FAULT_KINDS, Fault, FaultScript
from agb.emulator._server import RunningEmulator, serve
from agb.emulator._state import ApiError, Emulator

__all__ = [
    "FAULT_KINDS",
    "RANDOM_FAULT_KINDS",
    "ApiError",
    "DroppedConnection",
    "Emulator",
    "EmulatorConfig",
    "Fault",
    "FaultScript",
    "ManualClock",
    "RunningEmulator",
    "create_app",
    "serve",
]
