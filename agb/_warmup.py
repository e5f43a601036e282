"""One-time costs of the async path, paid once per process and off the event loop.

Measured causes of event-loop stalls at the first async calls (``scripts/bench_conditions.py
stall``): each new ``httpx.AsyncClient`` builds an SSL context and loads the certificate bundle
on the loop thread (40-60 ms, even for an ``http://`` endpoint); the first async request imports
the transport's modules (anyio's asyncio backend for httpx, ~45 ms; aiohttp); an async-first
program imports the generated client inside the loop (~120 ms); and the first full garbage
collection after those imports walks every object they made (14-15 ms). This module removes
all four:

- :func:`ssl_context` gives one context per process, built lazily: for ``https://`` endpoints
  httpx's default (certifi, ``SSL_CERT_FILE``...), for ``http://`` ones a context that loads no
  certificates at all (it is never used for a handshake; were it used, verification would fail
  closed, as it has no trust anchors).
- :func:`warm_up_async` does those imports and builds the context in a worker thread the first
  time, so the loop keeps running; later calls return at once (one attribute read).
- After the imports it ages what exists into the collector's oldest generation
  (:func:`age_objects`), as a full collection would, without walking it.

The runner awaits :func:`warm_up_async` before it drives a plan; the pools pass
:func:`ssl_context` to every httpx client and transport. A program that wants no thread at all
calls :meth:`agb.AGB.warm_up` before it starts its event loop.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import importlib
import os
import ssl
import threading

__all__ = [
    "HTTPX_ASYNC_IMPORTS",
    "WARM_IMPORTS",
    "age_objects",
    "is_warm",
    "ssl_context",
    "warm_up",
    "warm_up_async",
]

# Modules every first async call needs: the plans and the generated client.
WARM_IMPORTS: tuple[str, ...] = ("agb._plans",)

# What httpx's own async transport needs besides: httpcore's async pool and anyio's asyncio
# backend (which httpcore loads on its first socket). The aiohttp transport needs neither.
HTTPX_ASYNC_IMPORTS: tuple[str, ...] = (
    "httpcore._async.connection_pool",
    "httpcore._backends.anyio",
    "anyio._backends._asyncio",
    "anyio.streams.tls",
)

_lock = threading.Lock()
_verified: ssl.SSLContext | None = None
_plain: ssl.SSLContext | None = None
_warm: set[tuple[bool, tuple[str, ...]]] = set()
# The one warm-up under way for each key: the first caller starts it in a thread of its own,
# every concurrent caller (of any event loop) awaits the same future.
_jobs: dict[tuple[bool, tuple[str, ...]], concurrent.futures.Future[None]] = {}


def _after_fork_in_child() -> None:
    # A warm-up thread of the parent does not exist in the child: forget its job (and a lock
    # it may have held), so that the child's first call starts its own.
    global _lock
    _lock = threading.Lock()
    _jobs.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def ssl_context(base_url: str) -> ssl.SSLContext:
    """The process's shared SSL context for ``base_url``, built on first use.

    Args:
        base_url: The service URL (only its scheme matters).

    Returns:
        httpx's default verifying context for ``https://``; for anything else a context with
        no trust anchors (cheap to build, and unable to complete a verified handshake).
    """
    global _verified, _plain
    if base_url.startswith("https://"):
        context = _verified
        if context is None:
            with _lock:
                if _verified is None:
                    import httpx

                    _verified = httpx.create_ssl_context()
                context = _verified
        return context
    context = _plain
    if context is None:
        with _lock:
            if _plain is None:
                _plain = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context = _plain
    return context


def _key(base_url: str, extra_modules: tuple[str, ...]) -> tuple[bool, tuple[str, ...]]:
    return base_url.startswith("https://"), extra_modules


def is_warm(base_url: str, extra_modules: tuple[str, ...] = ()) -> bool:
    """Whether :func:`warm_up` already ran for this scheme and these extra modules.

    Args:
        base_url: The service URL.
        extra_modules: As given to :func:`warm_up`.

    Returns:
        True when nothing is left to do (a set look-up: cheap enough for every request).
    """
    return _key(base_url, extra_modules) in _warm


def warm_up(base_url: str, extra_modules: tuple[str, ...] = ()) -> None:
    """Do the one-time work of the async path in the calling thread (idempotent).

    Args:
        base_url: The service URL; an ``https://`` one also builds the verifying context.
        extra_modules: More modules to import (e.g. ``aiohttp``); absent ones are skipped.

    Raises:
        ImportError: If one of :data:`WARM_IMPORTS` cannot be imported.
    """
    for name in WARM_IMPORTS:
        importlib.import_module(name)
    for name in extra_modules:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    ssl_context(base_url)
    _warm.add(_key(base_url, extra_modules))


async def warm_up_async(base_url: str, extra_modules: tuple[str, ...] = ()) -> None:
    """:func:`warm_up` in a worker thread, so that the running event loop does not stall.

    Args:
        base_url: The service URL.
        extra_modules: More modules to import off the loop.

    Raises:
        ImportError: As :func:`warm_up`.
    """
    key = _key(base_url, extra_modules)
    if key in _warm:
        return
    import asyncio  # only reached inside a running loop, where asyncio is loaded already

    with _lock:
        job = _jobs.get(key)
        if job is None:
            job = _jobs[key] = concurrent.futures.Future()
            threading.Thread(
                target=_run_job,
                args=(job, base_url, extra_modules),
                name="agb-warm-up",
                daemon=True,
            ).start()
    # Shielded: a caller cancelled meanwhile must not cancel the job the others await.
    await asyncio.shield(asyncio.wrap_future(job))


def _run_job(
    job: concurrent.futures.Future[None], base_url: str, extra_modules: tuple[str, ...]
) -> None:
    try:
        warm_up(base_url, extra_modules)
        age_objects()
    except BaseException as error:
        with _lock:  # forgotten before anyone hears of the failure: a later call tries again
            _jobs.pop(_key(base_url, extra_modules), None)
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            job.set_exception(error)
    else:
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            job.set_result(None)


def age_objects() -> bool:
    """Move every object the collector tracks into its oldest generation, as a full
    collection moves what survives it, without walking them.

    The warm-up's imports leave tens of thousands of new objects (functions, classes, module
    dictionaries) that live as long as the process. Left young, they soon trigger a full
    collection that walks every object the process has: 14-15 ms of stalled event loop in the
    middle of the first fan-out (``scripts/bench_conditions.py stall``). Aged, they are walked
    only by the full collections the program's own work triggers. Nothing is kept from
    collection: garbage among them is freed by the next full collection.

    Skipped, returning ``False``, when the program has frozen objects itself
    (``gc.freeze()``, e.g. before forking workers): ``gc.unfreeze()`` would release them.

    Returns:
        Whether the objects were aged.
    """
    if gc.get_freeze_count():
        return False
    gc.freeze()
    gc.unfreeze()
    return True
