"""One side of a benchmark, run in a subprocess by ``bench_sdk.py`` / ``bench_conditions.py``.

It only uses what both clients have in common: ``from agb import AGB, Session``,
``from agb.config import Config``, ``AGB(api_key=..., cfg=Config(endpoint, timeout_ms))``,
``agb.get_session(id)``, ``Session(agb, id).get_labels()``, ``pause_async`` / ``resume_async``.
Run by a venv holding this checkout it measures ours; run by ``.venv-bench-peer`` it measures
the published ``agbcloud-sdk``. Prints one JSON object on its last line. Stdlib only otherwise.

    python -I _bench_client.py calls --url URL --key KEY --session ID --op get_labels -n 300
    python -I _bench_client.py fanout --url URL --key KEY --sessions ID,ID,... --interval 0.5
    python -I _bench_client.py sizes --dist agb-sessions [--tree DIR ...]
    python -I _bench_client.py conditions --url URL --key KEY --sessions-file F
        [--transport default|httpx|sharded|aiohttp|httpx-aiohttp] [--limit N] [--loops 2]
        [--batch 50] [--warm-up] [--gc-freeze] [--solo]

Without ``--transport`` / ``--limit`` the client is built as a user builds it, so ours runs as
it ships: its async transport is the one the SDK picks (aiohttp with the ``aiohttp`` extra
installed, else httpx in pools of 10; 50 requests in flight per loop). The other transports are
ours only, built explicitly and passed as ``async_transport`` with ``Config(max_connections=N)``:

- ``httpx``: one ``httpx.AsyncHTTPTransport`` pool (N default 10): the default before the SDK
  had transports of its own ("before"). The warm-up off the loop, which the SDK now does for
  every transport, is not undone.
- ``sharded``: ``agb._sharded.ShardedTransport`` (N default 50): the default without aiohttp.
- ``aiohttp``: ``agb._aiohttp.AiohttpTransport`` (N default 50): the default with aiohttp.
- ``httpx-aiohttp``: the ``httpx-aiohttp`` package's transport (N default 50), if installed.

``conditions`` (used by ``bench_conditions.py``) runs the fan-out in ``--loops`` fresh event
loops with a heartbeat task that measures its own lateness (the longest event-loop stall), and
reports client CPU seconds, peak RSS and the RSS growth per session. It starts the calls'
tasks ``--batch`` at a time, yielding to the loop between batches (a program starting 10,000
calls at once stalls its loop for every first step of every call before anything else runs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

# The in-flight bound of each explicit transport when --limit is not given: the old default's
# for one httpx pool, the SDK's own (agb._pools.IN_FLIGHT_OWN_ASYNC) for the others.
DEFAULT_BOUND = {"httpx": 10, "sharded": 50, "aiohttp": 50, "httpx-aiohttp": 50}


def _client(url: str, key: str, limit: int = 0, transport: str = "default") -> Any:
    """The client under test: built as a user builds it unless ``transport``/``limit`` say
    otherwise (ours only: the published client has no such options)."""
    from agb import AGB
    from agb.config import Config

    if transport == "default":
        if limit:  # ours only: the transport the SDK picks, another in-flight bound
            return AGB(key, Config(url, 30000, max_connections=limit))
        return AGB(api_key=key, cfg=Config(endpoint=url, timeout_ms=30000))
    import httpx

    bound = limit or DEFAULT_BOUND[transport]
    given: httpx.AsyncBaseTransport
    if transport == "httpx":  # the default before the SDK's own transports: one pool
        from agb._warmup import ssl_context  # as the SDK passed it: one context per process

        limits = httpx.Limits(max_connections=bound, max_keepalive_connections=bound)
        given = httpx.AsyncHTTPTransport(verify=ssl_context(url), limits=limits)
    elif transport == "sharded":  # httpx in pools of 10 (agb._sharded)
        from agb._sharded import ShardedTransport

        given = ShardedTransport(url, bound)
    elif transport == "aiohttp":  # agb._aiohttp (per-loop aiohttp sessions)
        from agb._aiohttp import AiohttpTransport

        given = AiohttpTransport(max_connections=bound)
    elif transport == "httpx-aiohttp":  # the httpx-aiohttp package as it ships
        from httpx_aiohttp import AiohttpTransport as Published

        given = Published(
            limits=httpx.Limits(max_connections=bound, max_keepalive_connections=None)
        )
    else:
        raise ValueError(f"unknown transport {transport!r}")
    return AGB(key, Config(url, 30000, max_connections=bound), async_transport=given)


def _describe(agb: Any) -> dict[str, Any]:
    """Ours only: which async transport the client uses and its in-flight bound (for labels)."""
    sender = getattr(agb, "_transport", None)
    transport = getattr(sender, "_async_transport", None)
    if transport is None:
        return {}
    return {
        "transport": type(transport).__module__ + "." + type(transport).__name__,
        "in_flight": getattr(sender, "_max_in_flight", None),
    }


def _raw_calls(args: argparse.Namespace) -> Any:
    """The same request with plain httpx on one keep-alive connection: the practical limit."""
    import httpx

    client = httpx.Client(
        base_url=args.url,
        headers={"authorization": f"Bearer {args.key}", "content-type": "application/json"},
        timeout=30,
    )
    if args.op == "get_labels":

        def call() -> Any:
            answer = client.get("/sdk/GetLabel", params={"sessionId": args.session}).json()
            return argparse.Namespace(success=answer["success"])
    else:

        def call() -> Any:
            answer = client.post("/mcp/getSession", json={"sessionId": args.session}).json()
            return argparse.Namespace(success=answer["success"])

    return call, client


def calls(args: argparse.Namespace) -> dict[str, Any]:
    if args.raw:
        call, agb = _raw_calls(args)
        return _time_calls(args, call, agb)
    from agb import Session

    agb = _client(args.url, args.key)
    session = Session(agb, args.session)
    if args.op == "get_labels":

        def call() -> Any:
            return session.get_labels()
    else:

        def call() -> Any:
            return agb.get_session(args.session)

    return _time_calls(args, call, agb)


def _time_calls(args: argparse.Namespace, call: Any, agb: Any) -> dict[str, Any]:
    failed = 0
    for _ in range(args.warmup):
        failed += not call().success
    cpu = time.process_time()
    started = time.perf_counter()
    for _ in range(args.n):
        failed += not call().success
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    close = getattr(agb, "close", None)
    if close is not None:
        close()
    return {
        "calls_per_s": args.n / elapsed,
        "client_cpu_us_per_call": cpu / args.n * 1e6,
        "failed": failed,
        "n": args.n,
    }


async def _fanout(args: argparse.Namespace) -> dict[str, Any]:
    from agb import Session

    agb = _client(args.url, args.key, args.limit)
    sessions = [Session(agb, sid) for sid in args.sessions.split(",")]
    out: dict[str, Any] = {"sessions": len(sessions)}
    for phase in ("pause", "resume"):
        started = time.perf_counter()
        results = await asyncio.gather(
            *(
                getattr(s, f"{phase}_async")(timeout=args.timeout, poll_interval=args.interval)
                for s in sessions
            ),
            return_exceptions=True,
        )
        out[f"{phase}_s"] = time.perf_counter() - started
        ok = [r for r in results if not isinstance(r, BaseException) and r.success]
        out[f"{phase}_ok"] = len(ok)
        problems = sorted(
            {
                repr(r) if isinstance(r, BaseException) else str(r.error_message)[:160]
                for r in results
                if isinstance(r, BaseException) or not r.success
            }
        )
        out[f"{phase}_errors"] = problems[:3]
    out["total_s"] = out["pause_s"] + out["resume_s"]
    aclose = getattr(agb, "aclose", None)
    if aclose is not None:
        await aclose()
    return out


def fanout(args: argparse.Namespace) -> dict[str, Any]:
    result = asyncio.run(_fanout(args))
    result["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


class Heartbeat:
    """A task that sleeps ``period`` over and over and records how late it wakes up.

    Its lateness is how long the event loop could not run anything else: the loop stall.
    ``longest`` counts only the lateness the process's own CPU time explains (on a shared
    machine the OS also preempts the process: that is ``longest_wall``). Also counts the
    garbage collector's full (gen-2) collections and the longest one (process CPU time).
    ``top`` keeps the five longest stalls with when they ended (seconds after the start), and
    ``over_10ms`` counts the stalls longer than 10 ms: where the time goes, for a reader.
    """

    def __init__(self, period: float = 0.005) -> None:
        self.period = period
        self.longest = 0.0
        self.longest_wall = 0.0
        self.top: list[tuple[float, float]] = []
        self.over_10ms = 0
        self._started = 0.0
        self.task: asyncio.Task[None] | None = None
        self.gc_full = 0
        self.gc_longest = 0.0
        self._gc_started = 0.0

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._gc_started = time.process_time()
        else:
            self.gc_full += 1
            self.gc_longest = max(self.gc_longest, time.process_time() - self._gc_started)

    async def _run(self) -> None:
        clock, cpu = time.perf_counter, time.process_time
        while True:
            started, cpu_started = clock(), cpu()
            await asyncio.sleep(self.period)
            late = clock() - started - self.period
            # Lateness this process's own work explains (not the OS running another process
            # on a shared machine): at most the CPU time the process used meanwhile (all its
            # threads: a worker thread holding the GIL stalls the loop too).
            busy = min(late, cpu() - cpu_started)
            self.longest_wall = max(self.longest_wall, late)
            self.longest = max(self.longest, busy)
            if busy > 0.010:
                self.over_10ms += 1
            if len(self.top) < 5 or busy > self.top[-1][0]:
                self.top = sorted([*self.top, (busy, clock() - self._started)], reverse=True)[:5]

    async def __aenter__(self) -> Heartbeat:
        import gc

        gc.callbacks.append(self._gc)
        self._started = time.perf_counter()
        self.task = asyncio.create_task(self._run())
        await asyncio.sleep(0)  # let it start before the work does
        return self

    async def __aexit__(self, *exc: object) -> None:
        import gc

        gc.callbacks.remove(self._gc)
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def _start_progressively(
    calls: Sequence[Callable[[], Coroutine[Any, Any, Any]]], batch: int
) -> list[Any]:
    """Run every call concurrently, starting their tasks ``batch`` at a time.

    A task's first step (building the request up to where it waits for an in-flight slot)
    runs in the loop iteration after its creation: starting them all at once runs every first
    step back to back before anything else (10,000 of them stall the loop ~1 s). Yielding
    between batches lets the loop run other work (timers, answers) after each batch.

    Returns:
        The results (or exceptions) in the order of ``calls``.
    """
    tasks: list[asyncio.Task[Any]] = []
    for start in range(0, len(calls), batch):
        if start:
            await asyncio.sleep(0)
        tasks.extend(asyncio.ensure_future(call()) for call in calls[start : start + batch])
    return await asyncio.gather(*tasks, return_exceptions=True)


async def _conditions_loop(args: argparse.Namespace, ids: list[str], solo: str) -> dict[str, Any]:
    """One event loop: build a client, fan out pause then resume, optionally time one session."""
    from agb import Session

    out: dict[str, Any] = {}
    async with Heartbeat() as beat:
        agb = _client(args.url, args.key, args.limit, args.transport)
        out.update(_describe(agb))
        sessions = [Session(agb, sid) for sid in ids]
        started = time.perf_counter()
        failed = 0
        problems: set[str] = set()
        for phase in ("pause", "resume"):
            phase_started = time.perf_counter()
            calls = [
                functools.partial(
                    getattr(s, f"{phase}_async"), timeout=args.timeout, poll_interval=args.interval
                )
                for s in sessions
            ]
            results = await _start_progressively(calls, args.batch)
            out[f"{phase}_s"] = time.perf_counter() - phase_started
            for r in results:
                if isinstance(r, BaseException) or not r.success:
                    failed += 1
                    problems.add(
                        repr(r)[:160]
                        if isinstance(r, BaseException)
                        else str(r.error_message)[:160]
                    )
        out["total_s"] = time.perf_counter() - started
        out["failed"] = failed
        out["errors"] = sorted(problems)[:3]
        out["stall_ms"] = beat.longest * 1000
        out["stall_wall_ms"] = beat.longest_wall * 1000
        out["stalls_over_10ms"] = beat.over_10ms
        out["top_stalls"] = [(round(ms * 1000, 1), round(at, 3)) for ms, at in beat.top]
        if solo:
            one = Session(agb, solo)
            started = time.perf_counter()
            paused = await one.pause_async(timeout=args.timeout, poll_interval=args.interval)
            resumed = await one.resume_async(timeout=args.timeout, poll_interval=args.interval)
            out["solo_s"] = time.perf_counter() - started
            out["solo_ok"] = bool(paused.success and resumed.success)
        aclose = getattr(agb, "aclose", None)
        if aclose is not None:
            await aclose()
    out["gc_full"] = beat.gc_full
    out["gc_longest_ms"] = beat.gc_longest * 1000
    return out


def conditions(args: argparse.Namespace) -> dict[str, Any]:
    # A program imports the SDK at its top, before any loop runs (the peer's too).
    import agb
    import agb.config  # noqa: F401

    # An explicit transport's own modules, imported before the first loop as the SDK's warm-up
    # imports those of the transport it picks (it cannot know what a given transport needs).
    if args.transport == "aiohttp":
        import aiohttp  # noqa: F401
    elif args.transport == "httpx-aiohttp":
        import httpx_aiohttp  # noqa: F401
    if args.warm_up:  # ours only: the public AGB.warm_up(), before any loop runs
        warm = _client(args.url, args.key, args.limit, args.transport)
        warm.warm_up()
        warm.close()
    if args.gc_freeze:  # what a latency-sensitive program can do after its imports
        import gc

        gc.collect()
        gc.freeze()
    ids = Path(args.sessions_file).read_text().split()
    solo = ids.pop() if args.solo else ""
    rss_before = _rss_mib()
    cpu = time.process_time()
    loops = []
    for index in range(args.loops):
        loops.append(
            asyncio.run(_conditions_loop(args, ids, solo if index == args.loops - 1 else ""))
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "sessions": len(ids),
        "loops": loops,
        "client_cpu_s": time.process_time() - cpu,
        "rss_before_mib": rss_before,
        "maxrss_mib": peak,
        "mib_per_session": (peak - rss_before) / max(1, len(ids)),
    }


def sizes(args: argparse.Namespace) -> dict[str, Any]:
    """Bytes on disk of a distribution and everything it needs (no extras), without bytecode."""
    from importlib import metadata

    from pip._vendor.packaging.markers import Marker
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name

    seen: dict[str, int] = {}
    todo = [args.dist]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        dist = metadata.distribution(name)
        total = 0
        for file in dist.files or []:
            if file.suffix == ".pyc" or "__pycache__" in file.parts:
                continue
            path = Path(str(file.locate()))
            if path.is_file():
                total += path.stat().st_size
        seen[name] = total
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is not None and not Marker(str(req.marker)).evaluate({"extra": ""}):
                continue
            todo.append(req.name)
    for tree in args.tree or []:
        total = 0
        for dirpath, dirnames, filenames in os.walk(tree):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            total += sum(
                os.path.getsize(os.path.join(dirpath, f))
                for f in filenames
                if not f.endswith(".pyc")
            )
        seen[f"tree:{Path(tree).name}"] = total
    return {"bytes": sum(seen.values()), "by_dist": seen}


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("calls")
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--session", required=True)
    p.add_argument("--op", choices=["get_labels", "get_session"], required=True)
    p.add_argument("-n", type=int, default=300)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--raw", action="store_true", help="plain httpx instead of an SDK")
    p = sub.add_parser("fanout")
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--sessions", required=True)
    p.add_argument("--interval", type=float, default=0.5)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument(
        "--limit",
        type=int,
        default=0,
        help="ours only: max_connections",
    )
    p = sub.add_parser("conditions")
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--sessions-file", required=True, help="session ids, whitespace-separated")
    p.add_argument("--interval", type=float, default=0.25)
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument(
        "--limit", type=int, default=0, help="ours only: max_connections (0: the default)"
    )
    p.add_argument(
        "--transport",
        choices=["default", "httpx", "sharded", "aiohttp", "httpx-aiohttp"],
        default="default",
        help="ours only: default = the one the SDK picks; else built and passed explicitly",
    )
    p.add_argument(
        "--batch", type=int, default=50, help="tasks started per loop iteration (progressively)"
    )
    p.add_argument("--loops", type=int, default=2, help="fan-outs, each in a new event loop")
    p.add_argument("--gc-freeze", action="store_true", help="gc.freeze() after the imports")
    p.add_argument(
        "--warm-up", action="store_true", help="ours only: AGB.warm_up() before the first loop"
    )
    p.add_argument("--solo", action="store_true", help="last id: one session alone, at the end")
    p = sub.add_parser("sizes")
    p.add_argument("--dist", required=True)
    p.add_argument("--tree", action="append")
    args = parser.parse_args()
    commands = {"calls": calls, "fanout": fanout, "sizes": sizes, "conditions": conditions}
    result = commands[args.command](args)
    sys.stdout.flush()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
