"""Benchmarks of the SDK against a local emulator, and against the published client.

Each subcommand starts its own emulator(s) (``python -m agb.emulator --port 0``) on 127.0.0.1,
measures both sides in the same run, round after round in alternation, and prints medians with
their spread and whether each target of issue 7 is met. Figures are noisy on a shared machine:
read the ratios, not the absolute rates.

    python scripts/bench_sdk.py overhead   # facade vs raw httpx, sync and 50-task async (~1.5 min)
    python scripts/bench_sdk.py peer       # sync calls/s vs agbcloud-sdk 0.7.0, raw httpx (~30 s)
    python scripts/bench_sdk.py fanout     # pause+resume of 200 sessions, vs the peer   (~2 min)
    python scripts/bench_sdk.py polling    # requests per pause, transitions 0.5/2/10 s (~25 s)
    python scripts/bench_sdk.py startup    # import time and installed size vs the peer  (~30 s)
    python scripts/bench_sdk.py all        # every one of the above                       (~5 min)

Speed under real network conditions (0/10/40/150 ms RTT through a latency proxy), event-loop
stalls, transports, in-flight bounds and 1,000/10,000-session scale: ``bench_conditions.py``.

Our side runs in the interpreter running this script, so its async calls take the transport
the SDK picks there (aiohttp in the dev venv, which has the ``aiohttp`` extra; httpx in pools of
10 without it). ``bench_conditions.py`` measures both installs in clean venvs.

The first run that needs them installs ``agbcloud-sdk==0.7.0`` into ``.venv-bench-peer/`` and
this checkout without extras into ``.venv-bench-core/`` (about a minute, once).

Options: ``--rounds N`` (repetitions), ``--json FILE`` (write every figure), ``overhead
--profile`` (where the facade's time goes), ``--no-peer`` (skip the published client);
``AGB_BENCH_PEER_VENV`` / ``AGB_BENCH_CORE_VENV`` move the two venvs.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import math
import pstats
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench_common import (
    CLIENT_SCRIPT,
    CORE_VENV,
    KEY,
    PEER_SPEC,
    ROOT,
    PeerUnavailable,
    core_python,
    emulator,
    peer_python,
    print_header,
    run_benchmarks,
    run_json,
    run_python,
    stat,
    verdict,
)

RESULTS: dict[str, Any] = {}


def _seconds(call: Callable[[], bool], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        if not call():
            raise RuntimeError("a benchmarked call failed")
    return time.perf_counter() - started


def _interleaved(
    a: Callable[[], bool], b: Callable[[], bool], n: int, block: int
) -> tuple[float, float]:
    """Calls/s of ``a`` and ``b``, ``n`` calls each, alternating blocks so both see one load."""
    spent = [0.0, 0.0]
    for index in range(max(1, n // block)):
        order = (0, 1) if index % 2 == 0 else (1, 0)
        for side in order:
            spent[side] += _seconds((a, b)[side], block)
    done = max(1, n // block) * block
    return done / spent[0], done / spent[1]


# --------------------------------------------------------------------------- overhead


def bench_overhead(args: argparse.Namespace) -> None:
    """Facade sync calls and 50-task async fan-in vs raw httpx doing the same requests."""
    import httpx

    from agb import AGB, Session
    from agb.config import Config

    print_header("per-call overhead: facade vs raw httpx (same emulator, same round)")
    headers = {"authorization": f"Bearer {KEY}", "content-type": "application/json"}
    with emulator() as emu:
        sid = emu.create_sessions(1)[0]
        raw = httpx.Client(base_url=emu.url, headers=headers, timeout=30)
        agb = AGB(KEY, Config(emu.url, 30_000))
        session = Session(agb, sid)
        ops: dict[str, tuple[Callable[[], bool], Callable[[], bool]]] = {
            "get_labels": (
                lambda: raw.get("/sdk/GetLabel", params={"sessionId": sid}).json()["success"],
                lambda: session.get_labels().success,
            ),
            "get_session": (
                lambda: raw.post("/mcp/getSession", json={"sessionId": sid}).json()["success"],
                lambda: agb.get_session(sid).success,
            ),
        }
        n = args.sync_calls
        for raw_call, facade_call in ops.values():
            _interleaved(raw_call, facade_call, 50, 50)
        sync_figures: dict[str, dict[str, list[float]]] = {
            op: {"raw": [], "facade": [], "ratio": []} for op in ops
        }
        for _round in range(args.rounds):
            for op, (raw_call, facade_call) in ops.items():
                raw_rate, facade_rate = _interleaved(raw_call, facade_call, n, args.block)
                figures = sync_figures[op]
                figures["raw"].append(raw_rate)
                figures["facade"].append(facade_rate)
                figures["ratio"].append(facade_rate / raw_rate)
        connections = len(agb._transport.sync_client()._transport._pool.connections)  # type: ignore[attr-defined]
        raw.close()
        agb.close()
        print(
            f"sync, {n} calls per side per round in alternating blocks of {args.block}, "
            f"{args.rounds} rounds, one keep-alive socket"
        )
        for op, figures in sync_figures.items():
            ratio = stat(figures["ratio"])
            print(
                f"  {op:12s} raw {stat(figures['raw']).show('.0f', '/s')}"
                f"\n  {'':12s} facade {stat(figures['facade']).show('.0f', '/s')}"
                f"\n  {'':12s} facade/raw {ratio.show()}  target >= 0.8: "
                f"{verdict(ratio.median >= 0.8)}"
            )
            RESULTS[f"overhead.sync.{op}"] = {k: stat(v).as_dict() for k, v in figures.items()}
        print(f"  facade's sync pool after the run: {connections} connection(s)")

        async_figures = asyncio.run(_overhead_async(emu.url, sid, args))
        print(
            f"async, {args.tasks} concurrent tasks, {args.async_calls} calls per side per round "
            f"in alternating blocks of {4 * args.tasks}, {args.rounds} rounds"
        )
        ratio = stat(async_figures["ratio"])
        print(
            f"  get_session  raw {stat(async_figures['raw']).show('.0f', '/s')}"
            f"\n  {'':12s} facade {stat(async_figures['facade']).show('.0f', '/s')}"
            f"\n  {'':12s} facade/raw {ratio.show()}  target >= 0.8: {verdict(ratio.median >= 0.8)}"
        )
        RESULTS["overhead.async.get_session"] = {
            k: stat(v).as_dict() for k, v in async_figures.items()
        }
        _sniffio_note()
        if args.profile:
            _profile(emu.url, sid)


async def _overhead_async(url: str, sid: str, args: argparse.Namespace) -> dict[str, list[float]]:
    import httpx

    from agb import AGB
    from agb.config import Config

    headers = {"authorization": f"Bearer {KEY}", "content-type": "application/json"}
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    raw = httpx.AsyncClient(base_url=url, headers=headers, timeout=30, limits=limits)
    agb = AGB(KEY, Config(url, 30_000))

    async def raw_call() -> bool:
        answer = await raw.post("/mcp/getSession", json={"sessionId": sid})
        return bool(answer.json()["success"])

    async def facade_call() -> bool:
        return (await agb.get_session_async(sid)).success

    async def rate(call: Callable[[], Any], n: int) -> float:
        todo = iter(range(n))

        async def worker() -> None:
            for _ in todo:
                if not await call():
                    raise RuntimeError("a benchmarked call failed")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(args.tasks)))
        return n / (time.perf_counter() - started)

    await rate(raw_call, 2 * args.tasks)
    await rate(facade_call, 2 * args.tasks)
    figures: dict[str, list[float]] = {"raw": [], "facade": [], "ratio": []}
    block = 4 * args.tasks
    blocks = max(1, args.async_calls // block)
    for _round in range(args.rounds):
        spent = {raw_call: 0.0, facade_call: 0.0}
        for index in range(blocks):
            for call in (raw_call, facade_call) if index % 2 == 0 else (facade_call, raw_call):
                spent[call] += block / await rate(call, block)
        raw_rate = blocks * block / spent[raw_call]
        facade_rate = blocks * block / spent[facade_call]
        figures["raw"].append(raw_rate)
        figures["facade"].append(facade_rate)
        figures["ratio"].append(facade_rate / raw_rate)
    await raw.aclose()
    await agb.aclose()
    return figures


def _sniffio_note() -> None:
    """httpcore asks ``import sniffio`` on every async lock it makes; without sniffio installed
    (httpx and anyio no longer need it) each failed import searches sys.path again."""
    import importlib.util

    from httpcore._synchronization import current_async_library

    async def cost() -> float:
        started = time.perf_counter()
        for _ in range(500):
            current_async_library()
        return (time.perf_counter() - started) / 500 * 1e6

    micros = asyncio.run(cost())
    present = importlib.util.find_spec("sniffio") is not None
    print(
        f"  note: sniffio {'is' if present else 'is NOT'} installed; httpcore's "
        f"current_async_library() costs {micros:.1f} us here and runs ~12 times per async request"
    )
    RESULTS["overhead.async.current_async_library_us"] = micros


def _profile(url: str, sid: str) -> None:
    """Where one sync get_session spends its client-side time (cProfile, by package)."""
    from agb import AGB
    from agb.config import Config

    agb = AGB(KEY, Config(url, 30_000))
    for _ in range(50):
        agb.get_session(sid)
    profile = cProfile.Profile()
    n = 500
    profile.enable()
    for _ in range(n):
        agb.get_session(sid)
    profile.disable()
    agb.close()
    stats = pstats.Stats(profile)
    by_area: Counter[str] = Counter()
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        by_area[_area(filename)] += tottime
    total = sum(by_area.values())
    print(f"profile of {n} sync get_session calls: self time by area (client side)")
    for area, seconds in by_area.most_common():
        print(f"  {area:28s} {seconds / n * 1e6:7.1f} us/call  {seconds / total:6.1%}")
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(15)
    print("\n".join(text.getvalue().splitlines()[:40]))


def _area(filename: str) -> str:
    for marker, area in (
        ("/agb_api_client/", "generated client"),
        ("/agb/", "facade (agb)"),
        ("/httpx/", "httpx"),
        ("/httpcore/", "httpcore"),
        ("/h11/", "h11"),
        ("/attr/", "attrs"),
        ("/json/", "json"),
    ):
        if marker in filename:
            return area
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (sockets, ...)"
    return "stdlib/other"


# --------------------------------------------------------------------------- the peer


def _peer(args: argparse.Namespace) -> Path | None:
    if args.no_peer:
        return None
    try:
        return peer_python()
    except PeerUnavailable as error:
        print(f"the published client is not available, peer figures skipped:\n{error}")
        RESULTS["peer.unavailable"] = str(error)
        return None


def bench_peer(args: argparse.Namespace) -> None:
    """Sync calls/s of ours vs the published client (and raw httpx), each in a subprocess."""
    print_header(f"sync throughput vs the published client ({PEER_SPEC})")
    peer = _peer(args)
    if peer is None:
        return
    sides = [
        ("ours", sys.executable, []),
        ("peer", str(peer), []),
        ("raw", sys.executable, ["--raw"]),
    ]
    figures: dict[str, dict[str, list[float]]] = {}
    with emulator() as emu:
        sid = emu.create_sessions(1)[0]
        for round_ in range(args.rounds):
            for op in ("get_labels", "get_session"):
                command = [str(CLIENT_SCRIPT), "calls", "--url", emu.url, "--key", KEY]
                command += ["--session", sid, "--op", op, "-n", str(args.peer_calls)]
                entry = figures.setdefault(op, {})
                for side, python, extra in sides[round_ % 3 :] + sides[: round_ % 3]:
                    server_cpu = emu.cpu_seconds()
                    result = run_json(python, [*command, *extra])
                    server_cpu = emu.cpu_seconds() - server_cpu
                    if result["failed"]:
                        raise RuntimeError(f"{side}: {result['failed']} {op} calls failed")
                    entry.setdefault(side, []).append(result["calls_per_s"])
                    entry.setdefault(f"{side}.client_cpu", []).append(
                        result["client_cpu_us_per_call"]
                    )
                    entry.setdefault(f"{side}.server_cpu", []).append(
                        server_cpu / (result["n"] + 20) * 1e6
                    )
                entry.setdefault("ratio", []).append(entry["ours"][-1] / entry["peer"][-1])
                entry.setdefault("raw/peer", []).append(entry["raw"][-1] / entry["peer"][-1])
    print(
        f"{args.peer_calls} calls per side per round, {args.rounds} rounds, each side in its own "
        "subprocess; CPU per call of the client process and of the emulator process"
    )
    for op, entry in figures.items():
        for side, _python, _extra in sides:
            label = {"raw": "raw httpx"}.get(side, side)
            print(
                f"  {op:12s} {label:9s} {stat(entry[side]).show('.0f', '/s')}; CPU/call client "
                f"{stat(entry[side + '.client_cpu']).median:.0f} us, emulator "
                f"{stat(entry[side + '.server_cpu']).median:.0f} us"
            )
        ratio = stat(entry["ratio"])
        print(
            f"  {'':12s} ours/peer {ratio.show()}  target >= 3: {verdict(ratio.median >= 3)}"
            f"\n  {'':12s} raw httpx/peer {stat(entry['raw/peer']).show()} (the ceiling for any "
            "client on this emulator)"
        )
        RESULTS[f"peer.sync.{op}"] = {k: stat(v).as_dict() for k, v in entry.items()}


# --------------------------------------------------------------------------- fan-out


def bench_fanout(args: argparse.Namespace) -> None:
    """pause_async then resume_async of 200 sessions with asyncio.gather, ours and the peer's."""
    transition, interval, count = 1.0, 0.5, args.sessions
    ideal = 2 * transition + 2 * interval
    print_header(
        f"fan-out: pause_async + resume_async of {count} sessions, transition {transition:g} s, "
        f"poll interval {interval:g} s (ideal {ideal:g} s)"
    )

    def one(python: str, emu: Any, limit: int = 0) -> dict[str, Any]:
        ids = emu.create_sessions(count)
        command = [str(CLIENT_SCRIPT), "fanout", "--url", emu.url, "--key", KEY]
        command += ["--sessions", ",".join(ids), "--interval", str(interval)]
        command += ["--limit", str(limit)] if limit else []
        return run_json(python, command, timeout=900)

    ours: list[dict[str, Any]] = []
    limited: list[dict[str, Any]] = []
    with emulator("--transition-seconds", str(transition)) as emu:
        for _ in range(args.fanout_rounds):
            ours.append(one(sys.executable, emu))
            limited.append(one(sys.executable, emu, limit=args.limit))
    for label, runs in (
        ("ours as this venv ships it (emulator default: no stale status)", ours),
        (
            f"ours with max_connections={args.limit} instead of the default (50 async)",
            limited,
        ),
    ):
        _show_fanout(label, runs, ideal)
        totals = stat([r["total_s"] for r in runs])
        all_ok = all(r["pause_ok"] == r["resume_ok"] == count for r in runs)
        print(
            f"  total/ideal {stat([r['total_s'] / ideal for r in runs]).show()}  target <= 1.5: "
            f"{verdict(totals.median <= 1.5 * ideal and all_ok)}"
        )
    RESULTS["fanout.ours"] = ours
    RESULTS["fanout.ours_limited"] = limited

    peer = _peer(args)
    if peer is None:
        return
    # The published client takes a first poll still showing RUNNING for a failure, so the
    # comparison runs on an emulator that switches status at once: that is kind to the peer.
    pairs: dict[str, list[dict[str, Any]]] = {"ours": [], "peer": []}
    with emulator("--transition-seconds", str(transition), "--stale-seconds", "0") as emu:
        for round_ in range(args.fanout_rounds):
            sides = [("ours", sys.executable), ("peer", str(peer))]
            if round_ % 2:
                sides.reverse()
            for side, python in sides:
                pairs[side].append(one(python, emu))
            pairs.setdefault("ours_limited", []).append(one(sys.executable, emu, args.limit))
    print("vs the published client, on an emulator with no stale status (kind to the peer)")
    _show_fanout("ours", pairs["ours"], ideal)
    _show_fanout(f"ours with max_connections={args.limit}", pairs["ours_limited"], ideal)
    _show_fanout(f"peer {PEER_SPEC}", pairs["peer"], ideal)
    ratio = stat(
        [p["total_s"] / o["total_s"] for o, p in zip(pairs["ours"], pairs["peer"], strict=True)]
    )
    print(f"  peer time / our time {ratio.show()}  target >= 5: {verdict(ratio.median >= 5)}")
    limited_ratio = stat(
        [
            p["total_s"] / o["total_s"]
            for o, p in zip(pairs["ours_limited"], pairs["peer"], strict=True)
        ]
    )
    print(
        f"  peer time / our time with max_connections={args.limit} {limited_ratio.show()}; "
        "the most any client can "
        f"reach here is peer time / ideal = "
        f"{stat([p['total_s'] / ideal for p in pairs['peer']]).median:.2f}"
    )
    RESULTS["fanout.vs_peer"] = {**pairs, "ratio": ratio.as_dict()}
    if not args.no_stale_check:
        with emulator("--transition-seconds", str(transition), "--stale-seconds", "0.2") as emu:
            stale = one(str(peer), emu)
        _show_fanout("peer on an emulator showing the old status for 0.2 s", [stale], ideal)
        RESULTS["fanout.peer_stale_emulator"] = stale


def _show_fanout(label: str, runs: list[dict[str, Any]], ideal: float) -> None:
    count = runs[0]["sessions"]
    print(f"  {label}:")
    print(f"    pause  {stat([r['pause_s'] for r in runs]).show('.2f', ' s')}")
    print(f"    resume {stat([r['resume_s'] for r in runs]).show('.2f', ' s')}")
    print(f"    total  {stat([r['total_s'] for r in runs]).show('.2f', ' s')}")
    print(f"    peak RSS {stat([r['maxrss_mib'] for r in runs]).show('.1f', ' MiB')}")
    ok = [f"{r['pause_ok']}/{count} paused, {r['resume_ok']}/{count} resumed" for r in runs]
    print(f"    outcomes: {'; '.join(ok)}")
    errors = sorted({e for r in runs for e in r["pause_errors"] + r["resume_errors"]})
    for error in errors[:3]:
        print(f"    error seen: {error}")


# --------------------------------------------------------------------------- polling


def _counting_transport() -> Any:
    """An httpx async transport that counts requests per (path, session id)."""
    import httpx

    class CountingTransport(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.AsyncHTTPTransport()
            self.counts: Counter[tuple[str, str]] = Counter()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sid = request.url.params.get("sessionId", "")
            if not sid and request.content:
                sid = json.loads(request.content).get("sessionId", "")
            self.counts[(request.url.path, sid)] += 1
            return await self.inner.handle_async_request(request)

        async def aclose(self) -> None:
            await self.inner.aclose()

    return CountingTransport()


def bench_polling(args: argparse.Namespace) -> None:
    """Requests per pause for transitions of 0.5, 2 and 10 s, poll intervals 0.5 and 2 s."""
    import contextlib

    transitions = (0.5, 2.0, 10.0)
    intervals = (0.5, 2.0)
    per = args.polling_sessions
    print_header(
        f"polling cost: requests per pause ({per} sessions per transition and interval, "
        f"{args.polling_rounds} rounds, emulator default: no stale status)"
    )

    async def one_emulator(url: str, ids: dict[float, list[str]], transition: float) -> Any:
        from agb import AGB, Session
        from agb.config import Config

        counter = _counting_transport()
        agb = AGB(KEY, Config(url, 30_000), async_transport=counter)
        jobs = [
            (interval, sid, Session(agb, sid).pause_async(timeout=60, poll_interval=interval))
            for interval, sids in ids.items()
            for sid in sids
        ]
        results = await asyncio.gather(*(job for _, _, job in jobs))
        await agb.aclose()
        out: dict[float, list[int]] = {interval: [] for interval in intervals}
        for (interval, sid, _job), result in zip(jobs, results, strict=True):
            if not result.success:
                raise RuntimeError(f"pause failed: {result.error_message}")
            out[interval].append(
                counter.counts[("/mcp/pauseSessionAsync", sid)]
                + counter.counts[("/mcp/getSession", sid)]
            )
        return transition, out

    figures: dict[tuple[float, float], list[int]] = {}
    with contextlib.ExitStack() as stack:
        emus = {
            t: stack.enter_context(emulator("--transition-seconds", str(t))) for t in transitions
        }
        for _ in range(args.polling_rounds):
            plans = {t: {i: emu.create_sessions(per) for i in intervals} for t, emu in emus.items()}
            before = {t: emu.stats()["requests"] for t, emu in emus.items()}

            async def everything(plans: Any = plans) -> list[Any]:
                return await asyncio.gather(
                    *(one_emulator(emus[t].url, plans[t], t) for t in transitions)
                )

            for transition, out in asyncio.run(everything()):
                after = emus[transition].stats()["requests"]
                counted = sum(sum(v) for v in out.values())
                served = sum(
                    after.get(p, 0) - before[transition].get(p, 0)
                    for p in ("/mcp/pauseSessionAsync", "/mcp/getSession")
                )
                if counted != served:
                    raise RuntimeError(f"counts disagree: client {counted}, emulator {served}")
                for interval, counts in out.items():
                    figures.setdefault((transition, interval), []).extend(counts)
    all_met = True
    for (transition, interval), counts in sorted(figures.items()):
        bound = 2 + math.ceil(transition / interval)
        met = max(counts) <= bound
        all_met &= met
        print(
            f"  transition {transition:4g} s, interval {interval:g} s: "
            f"median {statistics.median(counts):g}, max {max(counts)} requests per pause "
            f"(bound 2+ceil(T/i) = {bound}): {verdict(met)}"
        )
        RESULTS[f"polling.T{transition:g}.i{interval:g}"] = {"counts": counts, "bound": bound}
    print(f"  (counts match the emulator's own stats) all within bound: {verdict(all_met)}")


# --------------------------------------------------------------------------- start-up

_IMPORTTIME = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|\s*(\S+)\s*$")


def _import_us(python: str) -> tuple[float, float]:
    """(cumulative -X importtime of ``agb`` in ms, wall time of the whole process in ms)."""
    started = time.perf_counter()
    done = run_python(python, ["-X", "importtime", "-c", "import agb"])
    wall = (time.perf_counter() - started) * 1000
    for line in done.stderr.splitlines():
        match = _IMPORTTIME.search(line)
        if match and match.group(3) == "agb":
            return int(match.group(2)) / 1000, wall
    raise RuntimeError(f"no import time for agb from {python}")


def bench_startup(args: argparse.Namespace) -> None:
    """``import agb`` time and installed size of core dependencies, ours vs the peer's."""
    print_header("start-up: import agb time and installed size")
    peer = _peer(args)
    ours = str(core_python())
    print(f"ours measured in {CORE_VENV.name}/ (this checkout, no extras), the peer's in its venv")
    sides = [("ours", ours)] + ([("peer", str(peer))] if peer else [])
    times: dict[str, list[float]] = {side: [] for side, _ in sides}
    walls: dict[str, list[float]] = {side: [] for side, _ in sides}
    bare: dict[str, list[float]] = {side: [] for side, _ in sides}
    for _side, python in sides:  # warm the file cache
        _import_us(python)
    for round_ in range(args.import_rounds):
        for side, python in sides if round_ % 2 else list(reversed(sides)):
            imported, wall = _import_us(python)
            times[side].append(imported)
            walls[side].append(wall)
            started = time.perf_counter()
            run_python(python, ["-c", "pass"])
            bare[side].append((time.perf_counter() - started) * 1000)
    for side, _ in sides:
        print(
            f"  {side}: import agb {stat(times[side]).show('.0f', ' ms')} (-X importtime, "
            f"cumulative); process with the import {stat(walls[side]).show('.0f', ' ms')}, "
            f"bare interpreter {stat(bare[side]).show('.0f', ' ms')}"
        )
        RESULTS[f"startup.import_ms.{side}"] = stat(times[side]).as_dict()
    ours_size = run_json(
        ours,
        [
            str(CLIENT_SCRIPT),
            "sizes",
            "--dist",
            "agb-sessions",
            "--tree",
            str(ROOT / "agb"),
            "--tree",
            str(ROOT / "generated" / "agb_api_client"),
        ],
    )
    _show_size("ours (agb + agb_api_client + core deps)", ours_size)
    RESULTS["startup.size.ours"] = ours_size
    if peer:
        ratio = stat([o / p for o, p in zip(times["ours"], times["peer"], strict=True)])
        met = verdict(ratio.median <= 1 / 3)
        print(f"  import time ours/peer {ratio.show()}  target <= 0.33: {met}")
        peer_size = run_json(str(peer), [str(CLIENT_SCRIPT), "sizes", "--dist", "agbcloud-sdk"])
        _show_size(f"peer ({PEER_SPEC} and its deps)", peer_size)
        size_ratio = ours_size["bytes"] / peer_size["bytes"]
        met = verdict(size_ratio <= 0.1)
        print(f"  installed size ours/peer {size_ratio:.3f}  target <= 0.1: {met}")
        RESULTS["startup.size.peer"] = peer_size


def _show_size(label: str, sizes: dict[str, Any]) -> None:
    parts = ", ".join(
        f"{name} {size / 1e6:.2f}"
        for name, size in sorted(sizes["by_dist"].items(), key=lambda item: -item[1])
    )
    print(f"  {label}: {sizes['bytes'] / 1e6:.2f} MB without bytecode ({parts})")


# --------------------------------------------------------------------------- main

BENCHMARKS: dict[str, Callable[[argparse.Namespace], None]] = {
    "overhead": bench_overhead,
    "peer": bench_peer,
    "fanout": bench_fanout,
    "polling": bench_polling,
    "startup": bench_startup,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("benchmark", choices=[*BENCHMARKS, "all"])
    parser.add_argument("--rounds", type=int, default=5, help="repetitions (default 5)")
    parser.add_argument("--sync-calls", type=int, default=500)
    parser.add_argument("--async-calls", type=int, default=600)
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--block", type=int, default=50, help="overhead: calls per sync block")
    parser.add_argument("--peer-calls", type=int, default=300)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--fanout-rounds", type=int, default=3)
    parser.add_argument(
        "--limit",
        type=int,
        default=100,
        help="fanout: a max_connections to compare with the default (50 per loop, async)",
    )
    parser.add_argument("--polling-sessions", type=int, default=5)
    parser.add_argument("--polling-rounds", type=int, default=2)
    parser.add_argument("--import-rounds", type=int, default=9)
    parser.add_argument("--profile", action="store_true", help="overhead: profile the facade")
    parser.add_argument("--no-peer", action="store_true", help="skip the published client")
    parser.add_argument(
        "--no-stale-check",
        action="store_true",
        help="fanout: skip running the peer on the default emulator (RUNNING shown for 0.2 s)",
    )
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args(argv)
    return run_benchmarks(BENCHMARKS, RESULTS, args)


if __name__ == "__main__":
    sys.exit(main())
