"""Speed where users live: ours vs the published client on the emulator at 0 and 40 ms RTT.

Each subcommand starts its own emulator on 127.0.0.1 and, for RTT > 0, a latency proxy in
front of it (``scripts/_latency_proxy.py``: every answer and every new connection delayed by
the RTT), runs every side in its own subprocess, alternating sides round after round, and
prints medians with their spread (min-max over the rounds). The machine may be shared: read
the ratios within one run.

    python scripts/bench_conditions.py report         # issue 13's report, one run  (~5 min)
    python scripts/bench_conditions.py report --huge  # ... and 10,000 sessions (~12-15 min)
    python scripts/bench_conditions.py compare     # report's RTT part + "before"  (~6 min)
    python scripts/bench_conditions.py stall       # loop stalls, before/now/...    (~1 min)
    python scripts/bench_conditions.py transports  # CPU/request by transport, RTT (~4 min)
    python scripts/bench_conditions.py bounds      # fan-out by in-flight bound     (~6 min)
    python scripts/bench_conditions.py scale       # 1,000 sessions, before/now     (~1 min)
    python scripts/bench_conditions.py scale --huge  # 10,000, now only             (~4 min)
    python scripts/bench_conditions.py all         # every one above but compare

``report`` prints, at 0 and 40 ms RTT, the sync calls/s of ours, of the published client and of
raw httpx, the fan-out wall time of each against the ideal and the longest loop stall of each;
then at 1,000 (and with ``--huge`` 10,000) concurrent pauses+resumes the wall time, client CPU
seconds, requests per pause, peak RSS, RSS per session, loop stall and the emulator's CPU; each
as median (min-max) over the rounds, each target with MET / NOT MET, and the targets again at
the end.

Sides. "Ours as shipped" is this checkout as ``pip install 'agb-sessions[aiohttp]'`` installs
it (``.venv-bench-aiohttp/``: the async transport the SDK picks is aiohttp's), "ours, no
extra" as ``pip install agb-sessions`` does (``.venv-bench-core/``: httpx in pools of 10); both
with 50 requests in flight per loop and the warm-up off the loop, built as a user builds them
(no option, no patch). "Before" is the default the SDK had until its own transports (one httpx
pool, 10 in flight), passed explicitly. The published client runs from ``.venv-bench-peer/``.
Each venv is created on first use (pip must reach the package registry); ``--dev-venv`` runs
our sides in this interpreter instead ("no extra" is then ``agb._sharded`` passed explicitly).

"Ideal" is one session's pause+resume alone, measured in the same run at the same RTT by our
client: a fan-out can't beat it. The loop stall is the longest lateness of a heartbeat task
sleeping 5 ms in the client's loop that the client's own CPU time explains (not the OS running
another process). Calls start ``--batch`` tasks per loop iteration. ``--json FILE`` writes
every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench_common import (
    CLIENT_SCRIPT,
    KEY,
    PEER_SPEC,
    EmulatorProcess,
    PeerUnavailable,
    Stat,
    aiohttp_python,
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
from _latency_proxy import proxy

RESULTS: dict[str, Any] = {}
TRANSITION = 0.5
INTERVAL = 0.25
RSS_TARGET_MB = 300


@contextlib.contextmanager
def endpoint(rtt_ms: float, *options: str) -> Iterator[tuple[EmulatorProcess, str]]:
    """An emulator, and the URL to reach it at ``rtt_ms`` (through a proxy when > 0)."""
    with emulator("--transition-seconds", str(TRANSITION), *options) as emu:
        if rtt_ms <= 0:
            yield emu, emu.url
            return
        with proxy(emu.url, rtt_ms, rtt_ms) as url:
            yield emu, url


def _requests(emu: EmulatorProcess) -> dict[str, int]:
    counts: dict[str, int] = emu.stats()["requests"]
    return counts


# --------------------------------------------------------------------------- sides


@dataclass(frozen=True)
class Side:
    """One client configuration: an interpreter and the options of ``_bench_client.py``."""

    name: str
    python: str
    options: dict[str, Any] = field(default_factory=dict)
    ours: bool = True


class Pythons:
    """The interpreters of the sides, each resolved (its venv created) on first use."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._cache: dict[str, str | None] = {}

    def _get(self, key: str, make: Callable[[], Path]) -> str | None:
        if key not in self._cache:
            self._cache[key] = str(make())
        return self._cache[key]

    def shipped(self) -> str:
        """Ours with the aiohttp extra (the SDK picks aiohttp)."""
        if self.args.dev_venv:
            return sys.executable
        python = self._get("shipped", aiohttp_python)
        assert python is not None
        return python

    def core(self) -> str | None:
        """Ours without extras (the SDK picks httpx in pools of 10); None with --dev-venv."""
        if self.args.dev_venv:
            return None
        return self._get("core", core_python)

    def peer(self) -> str | None:
        """The published client's, or None (skipped, or not installable: said once)."""
        if self.args.no_peer:
            return None
        if "peer" not in self._cache:
            try:
                self._cache["peer"] = str(peer_python())
            except PeerUnavailable as error:
                print(f"the published client is not available, its figures are skipped:\n{error}")
                RESULTS["peer.unavailable"] = str(error)
                self._cache["peer"] = None
        return self._cache["peer"]

    def has_module(self, python: str, module: str) -> bool:
        probe = run_python(python, ["-c", f"import {module}"], check=False)
        return probe.returncode == 0


SHIPPED = "ours as shipped"
NO_EXTRA = "ours, no extra"
BEFORE = "ours before"
PEER = PEER_SPEC.replace("==", " ")
RAW = "raw httpx"


def shipped_sides(pythons: Pythons) -> list[Side]:
    """Ours as the two installs ship it: with the aiohttp extra, and without extras."""
    sides = [Side(SHIPPED, pythons.shipped())]
    core = pythons.core()
    if core is not None:
        sides.append(Side(NO_EXTRA, core))
    else:  # --dev-venv: what the SDK picks without aiohttp, passed explicitly
        sides.append(Side(NO_EXTRA, sys.executable, {"transport": "sharded"}))
    return sides


def before_side(pythons: Pythons) -> Side:
    """The default before the SDK's own transports: one httpx pool, 10 in flight."""
    return Side(BEFORE, pythons.shipped(), {"transport": "httpx", "limit": 10})


def peer_sides(pythons: Pythons) -> list[Side]:
    peer = pythons.peer()
    return [Side(PEER, peer, ours=False)] if peer else []


def run_side(
    side: Side,
    emu: EmulatorProcess,
    url: str,
    count: int,
    *,
    loops: int = 2,
    solo: bool = True,
    batch: int = 50,
    interval: float = INTERVAL,
    timeout: float = 900,
) -> dict[str, Any]:
    """One client process: ``loops`` fan-outs of ``count`` sessions (and one alone)."""
    ids = emu.create_sessions(count + (1 if solo else 0))
    with tempfile.NamedTemporaryFile("w", suffix=".ids", delete=False) as file:
        file.write("\n".join(ids))
    options = side.options
    command = [str(CLIENT_SCRIPT), "conditions", "--url", url, "--key", KEY]
    command += ["--sessions-file", file.name, "--interval", str(interval), "--loops", str(loops)]
    command += ["--batch", str(batch)]
    transport = options.get("transport", "default")
    command += ["--transport", transport] if transport != "default" else []
    command += ["--limit", str(options["limit"])] if options.get("limit") else []
    command += ["--warm-up"] if options.get("warm_up") else []
    command += ["--gc-freeze"] if options.get("gc_freeze") else []
    command += ["--solo"] if solo else []
    before = _requests(emu)
    server_cpu = emu.cpu_seconds()
    started = time.perf_counter()
    try:
        result = run_json(side.python, command, timeout=timeout)
    finally:
        Path(file.name).unlink()
    result["side_wall_s"] = time.perf_counter() - started
    result["server_cpu_s"] = emu.cpu_seconds() - server_cpu
    after = _requests(emu)
    served = {path: after.get(path, 0) - before.get(path, 0) for path in after}
    result["requests"] = sum(served.values())
    pauses = count * loops + (1 if solo else 0)
    # Requests per wait (a pause or a resume): its own request and its status reads, averaged.
    waits = served.get("/mcp/pauseSessionAsync", 0) + served.get("/mcp/resumeSessionAsync", 0)
    result["requests_per_pause"] = (waits + served.get("/mcp/getSession", 0)) / (2 * pauses)
    first = result["loops"][0]
    result["total_s"] = first["total_s"]
    result["stall_ms"] = first["stall_ms"]
    result["stall_again_ms"] = (
        max(loop["stall_ms"] for loop in result["loops"][1:]) if loops > 1 else 0.0
    )
    result["stall_max_ms"] = max(loop["stall_ms"] for loop in result["loops"])
    result["peak_mb"] = result["maxrss_mib"] * 2**20 / 1e6
    result["failed"] = sum(loop["failed"] for loop in result["loops"])
    if result["failed"]:
        print(f"    ! {side.name}: {result['failed']} failed: {first['errors']}", flush=True)
    return result


def _rotations(items: list[Any], rounds: int) -> Iterator[list[Any]]:
    """``items`` once per round, starting one further each round (no side always first)."""
    for round_ in range(rounds):
        shift = round_ % max(1, len(items))
        yield items[shift:] + items[:shift]


def _ideal(runs: list[dict[str, Any]]) -> float:
    solos = [loop["solo_s"] for r in runs for loop in r["loops"] if "solo_s" in loop]
    return float(statistics.median(solos))


def _transport_line(runs: dict[str, list[dict[str, Any]]], sides: list[Side]) -> None:
    """Which async transport and bound each of our sides used (as the client reported it)."""
    for side in sides:
        first = runs[side.name][0]["loops"][0] if runs.get(side.name) else {}
        if side.ours and "transport" in first:
            print(
                f"  {side.name}: async transport {first['transport']}, "
                f"{first['in_flight']} requests in flight per loop"
            )


# --------------------------------------------------------------------------- targets

TARGETS: list[tuple[str, str, bool]] = []


def target(label: str, shown: str, met: bool) -> None:
    """Print a target's line and keep it for the summary."""
    TARGETS.append((label, shown, met))
    print(f"    {label}: {shown}  {verdict(met)}", flush=True)


def _ratios(numerators: list[float], denominators: list[float]) -> Stat:
    return stat([n / d for n, d in zip(numerators, denominators, strict=True)])


# --------------------------------------------------------------------------- compare


def _sync_calls(python: str, url: str, sid: str, n: int, raw: bool) -> dict[str, Any]:
    command = [str(CLIENT_SCRIPT), "calls", "--url", url, "--key", KEY, "--session", sid]
    command += ["--op", "get_session", "-n", str(n), "--warmup", "5"]
    command += ["--raw"] if raw else []
    return run_json(python, command)


def compare_at(
    args: argparse.Namespace, rtt: float, sides: list[Side], sync_sides: list[Side]
) -> dict[str, Any]:
    """Sync calls/s (``sync_sides`` and raw httpx) and the fan-out of each side at ``rtt``;
    prints the table and the targets that apply at this RTT."""
    print_header(
        f"{rtt:g} ms RTT: sync get_session calls/s; fan-out of {args.sessions} pause+resume "
        f"(transition {TRANSITION:g} s, poll {INTERVAL:g} s); {args.rounds} rounds"
    )
    calls = args.sync_calls if rtt == 0 else args.sync_calls_rtt
    raw_side = Side(RAW, sync_sides[0].python)
    sync: dict[str, list[float]] = {}
    fan: dict[str, list[dict[str, Any]]] = {}
    with endpoint(rtt) as (emu, url):
        sid = emu.create_sessions(1)[0]
        for order in _rotations([*sides, raw_side], args.rounds):
            for side in order:
                if side in sync_sides or side is raw_side:
                    result = _sync_calls(side.python, url, sid, calls, raw=side is raw_side)
                    sync.setdefault(side.name, []).append(result["calls_per_s"])
                if side is not raw_side:
                    fan.setdefault(side.name, []).append(
                        run_side(side, emu, url, args.sessions, batch=args.batch)
                    )
    ideal_runs = [r for side in sides if side.ours for r in fan[side.name]]
    solos = stat([lp["solo_s"] for r in ideal_runs for lp in r["loops"] if "solo_s" in lp])
    ideal = solos.median
    _transport_line(fan, sides)
    width = max(len(s.name) for s in [*sides, raw_side]) + 2
    print(
        f"  {'':{width}s} {'sync calls/s':24s} {'fan-out wall':24s} {'x ideal':8s} "
        f"{'loop stall, 1st loop':24s} {'2nd loop':8s} failed"
    )
    for side in [*sides, raw_side]:
        cells = [
            stat(sync[side.name]).show_short(".1f") if side.name in sync else "",
            "",
            "",
            "",
            "",
            "",
        ]
        if side.name in fan:
            runs = fan[side.name]
            totals = stat([r["total_s"] for r in runs])
            cells[1] = totals.show_short(".2f", " s")
            cells[2] = f"{totals.median / ideal:.2f}"
            cells[3] = stat([r["stall_ms"] for r in runs]).show_short(".0f", " ms")
            cells[4] = f"{stat([r['stall_again_ms'] for r in runs]).median:.0f} ms"
            cells[5] = str(sum(r["failed"] for r in runs))
        print(
            f"  {side.name:{width}s} {cells[0]:24s} {cells[1]:24s} {cells[2]:8s} "
            f"{cells[3]:24s} {cells[4]:8s} {cells[5]}"
        )
    print(f"  ideal (one session alone, ours): {solos.show_short('.2f', ' s')}")
    if any(side.ours and side not in sync_sides for side in sides):
        print("  (no sync figure: the async transport does not touch the sync path)")
    print("  targets:")
    ours_sides = [s for s in sides if s.ours and s.name != BEFORE]
    for side in ours_sides:
        name = side.name
        if rtt == 0 and name in sync:
            ratio = _ratios(sync[name], sync[RAW])
            target(
                f"{rtt:g} ms: {name} sync / raw httpx >= 0.85 (loopback overhead)",
                ratio.show(),
                ratio.median >= 0.85,
            )
        if PEER in sync and name in sync:
            ratio = _ratios(sync[name], sync[PEER])
            if rtt > 0:
                target(f"{rtt:g} ms: {name} sync / peer >= 1.5", ratio.show(), ratio.median >= 1.5)
            else:
                print(f"    ({rtt:g} ms: {name} sync / peer {ratio.show()}; no target)")
        if PEER in fan:
            ratio = _ratios([r["total_s"] for r in fan[PEER]], [r["total_s"] for r in fan[name]])
            label = f"{rtt:g} ms: peer fan-out time / {name}'s"
            if rtt > 0:
                target(f"{label} >= 6", ratio.show(), ratio.median >= 6)
            else:
                print(f"    ({label} {ratio.show()}; no target)")
        stall = stat([r["stall_max_ms"] for r in fan[name]])
        target(
            f"{rtt:g} ms: {name} longest loop stall (either loop) < 10 ms",
            stall.show(".1f", " ms"),
            stall.median < 10,
        )
    if PEER in fan:
        peer_x = stat([r["total_s"] / ideal for r in fan[PEER]])
        print(
            f"    (the most any client can gain over the peer here is the peer's time / ideal: "
            f"{peer_x.show()})"
        )
    data = {"sync": sync, "fanout": fan, "ideal_s": ideal, "solo_s": solos.as_dict()}
    RESULTS[f"{args.benchmark}.{rtt:g}ms"] = data
    return data


def bench_compare(args: argparse.Namespace) -> None:
    """Ours as shipped (both installs), before, and the peer at each RTT; raw httpx for sync."""
    pythons = Pythons(args)
    shipped = shipped_sides(pythons)
    sides = [*shipped, before_side(pythons), *peer_sides(pythons)]
    sync_sides = [*shipped, *[s for s in sides if not s.ours]]
    for rtt in args.rtts:
        compare_at(args, rtt, sides, sync_sides)


# --------------------------------------------------------------------------- report


def bench_report(args: argparse.Namespace) -> None:
    """Issue 13's report in one run: ours as shipped vs the peer and raw httpx at 0 and 40 ms,
    then the scale figures, each target with its verdict, and a summary of the targets."""
    TARGETS.clear()
    pythons = Pythons(args)
    shipped = shipped_sides(pythons)
    sides = [*shipped, *peer_sides(pythons)]
    for rtt in args.rtts:
        compare_at(args, rtt, sides, sides)
    counts = [args.scale_sessions] + ([10_000] if args.huge else [])
    for count in counts:
        rounds = args.huge_rounds if count >= 10_000 else args.scale_rounds
        scale_at(args, count, shipped, rounds, targets=True)
    print_header("targets (medians over the rounds; spread in brackets above)")
    for label, shown, met in TARGETS:
        print(f"  {verdict(met):7s}  {label}: {shown}")
    RESULTS["report.targets"] = [
        {"target": label, "value": shown, "met": met} for label, shown, met in TARGETS
    ]


# --------------------------------------------------------------------------- stall


def bench_stall(args: argparse.Namespace) -> None:
    """Longest loop stall of a fan-out at 0 ms: before, now (both installs), other bounds."""
    print_header(
        f"event-loop stall, {args.sessions}-session fan-out at 0 ms, first loop of a fresh "
        "process and a second loop (heartbeat every 5 ms); target < 10 ms"
    )
    pythons = Pythons(args)
    ours = pythons.shipped()
    variants = [
        before_side(pythons),
        *shipped_sides(pythons),
        Side(f"{SHIPPED} + AGB.warm_up()", ours, {"warm_up": True}),
        Side(f"{SHIPPED} + warm_up + gc.freeze", ours, {"warm_up": True, "gc_freeze": True}),
        Side("aiohttp, 16 in flight", ours, {"transport": "aiohttp", "limit": 16}),
        Side("httpx pools, 16 in flight", ours, {"transport": "sharded", "limit": 16}),
    ]
    runs: dict[str, list[dict[str, Any]]] = {}
    with endpoint(0) as (emu, url):
        for order in _rotations(variants, args.rounds):
            for side in order:
                runs.setdefault(side.name, []).append(
                    run_side(side, emu, url, args.sessions, solo=False, batch=args.batch)
                )
    _transport_line(runs, variants)
    width = max(len(side.name) for side in variants) + 1
    for side in variants:
        results = runs[side.name]
        first = stat([r["stall_ms"] for r in results])
        again = stat([r["stall_again_ms"] for r in results])
        gcs = stat([r["loops"][0]["gc_longest_ms"] for r in results])
        print(
            f"  {side.name:{width}s} first loop {first.show_short('.1f', ' ms')}; "
            f"2nd loop {again.show_short('.1f', ' ms')}; longest gen-2 GC {gcs.median:.1f} ms; "
            f"< 10 ms: {verdict(first.median < 10 and again.median < 10)}"
        )
    RESULTS["stall"] = runs


# --------------------------------------------------------------------------- transports


def bench_transports(args: argparse.Namespace) -> None:
    """One httpx pool vs httpx pools vs aiohttp: CPU per request and fan-out time by RTT."""
    limit = args.limit or 50
    print_header(
        f"transports: {args.sessions}-session fan-out ({limit} in flight) and client CPU per "
        "request, by RTT"
    )
    pythons = Pythons(args)
    ours = pythons.shipped()
    variants = [
        Side("httpx, one pool (before)", ours, {"transport": "httpx", "limit": limit}),
        Side("httpx, pools of 10", ours, {"transport": "sharded", "limit": limit}),
        Side("aiohttp (agb._aiohttp)", ours, {"transport": "aiohttp", "limit": limit}),
    ]
    if pythons.has_module(ours, "httpx_aiohttp"):
        variants.append(Side("httpx-aiohttp", ours, {"transport": "httpx-aiohttp", "limit": limit}))
    table: dict[str, Any] = {}
    for rtt in args.transport_rtts:
        runs: dict[str, list[dict[str, Any]]] = {}
        with endpoint(rtt) as (emu, url):
            for order in _rotations(variants, args.rounds):
                for side in order:
                    runs.setdefault(side.name, []).append(
                        run_side(side, emu, url, args.sessions, batch=args.batch)
                    )
        ideal = _ideal([r for results in runs.values() for r in results])
        print(f"  {rtt:g} ms RTT (ideal {ideal:.2f} s):")
        for side in variants:
            results = runs[side.name]
            cpu = stat([r["client_cpu_s"] / r["requests"] * 1000 for r in results])
            totals = stat([r["total_s"] for r in results])
            print(
                f"    {side.name:26s} fan-out {totals.show_short('.2f', ' s')} = "
                f"{totals.median / ideal:.2f}x ideal; client CPU "
                f"{cpu.show_short('.2f', ' ms')}/request"
            )
        table[f"{rtt:g}"] = {"runs": runs, "ideal_s": ideal}
    RESULTS["transports"] = table


# --------------------------------------------------------------------------- bounds


def bench_bounds(args: argparse.Namespace) -> None:
    """Fan-out time / ideal for each in-flight bound, transport and RTT."""
    print_header(
        f"in-flight bound: {args.sessions}-session fan-out time / ideal, by bound, transport, "
        "RTT (target <= 1.3)"
    )
    ours = Pythons(args).shipped()
    transports = args.bound_transports
    table: dict[str, Any] = {}
    for rtt in args.transport_rtts:
        runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
        with endpoint(rtt) as (emu, url):
            combos = [(t, b) for t in transports for b in args.bounds]
            for round_ in range(args.bound_rounds):
                order = combos if round_ % 2 == 0 else list(reversed(combos))
                for transport, bound in order:
                    side = Side(
                        f"{transport}.{bound}", ours, {"transport": transport, "limit": bound}
                    )
                    runs.setdefault((transport, bound), []).append(
                        run_side(side, emu, url, args.sessions, loops=1, batch=args.batch)
                    )
        ideal = _ideal([r for results in runs.values() for r in results])
        line = f"  {rtt:5g} ms (ideal {ideal:.2f} s)"
        for transport in transports:
            cells = []
            for bound in args.bounds:
                ratio = stat([r["total_s"] / ideal for r in runs[(transport, bound)]])
                cells.append(f"{bound}: {ratio.median:.2f} ({ratio.low:.2f}-{ratio.high:.2f})")
            print(f"{line} {transport:8s} " + "; ".join(cells))
            line = " " * len(line)
        table[f"{rtt:g}"] = {
            "ideal_s": ideal,
            "runs": {f"{t}.{b}": v for (t, b), v in runs.items()},
        }
    RESULTS["bounds"] = table


# --------------------------------------------------------------------------- scale


def scale_at(
    args: argparse.Namespace, count: int, sides: list[Side], rounds: int, *, targets: bool
) -> None:
    """``count`` concurrent pauses then resumes from one client process, per side; with
    ``targets``, the scale targets' verdicts."""
    print_header(
        f"scale: {count:,} concurrent pauses then resumes, one client process, one emulator at "
        f"0 ms (transition {TRANSITION:g} s, poll {INTERVAL:g} s), tasks started "
        f"{args.batch} per loop iteration; {rounds} round(s)"
    )
    runs: dict[str, list[dict[str, Any]]] = {}
    with endpoint(0) as (emu, url):
        for order in _rotations(sides, rounds):
            for side in order:
                started = time.perf_counter()
                runs.setdefault(side.name, []).append(
                    run_side(side, emu, url, count, loops=1, batch=args.batch, timeout=3600)
                )
                print(f"    ({side.name}: {time.perf_counter() - started:.0f} s with set-up)")
    ideal = _ideal([r for results in runs.values() for r in results])
    _transport_line(runs, sides)
    print(f"  ideal (one session alone, after the fan-out, same client): {ideal:.2f} s")
    for side in sides:
        results = runs[side.name]
        totals = stat([r["total_s"] for r in results])
        cpu = stat([r["client_cpu_s"] for r in results])
        server = stat([r["server_cpu_s"] for r in results])
        # The emulator is idle while the client starts and serves a handful of requests for
        # the solo run: its CPU over the fan-out's wall time is its load during the fan-out.
        busy = stat([r["server_cpu_s"] / r["total_s"] for r in results])
        rss = stat([r["peak_mb"] for r in results])
        per = stat([r["mib_per_session"] * 1024 for r in results])
        stall = stat([r["stall_ms"] for r in results])
        gc_ms = stat([r["loops"][0]["gc_longest_ms"] for r in results])
        failed = sum(r["failed"] for r in results)
        print(
            f"  {side.name}:"
            f"\n    wall {totals.show_short('.2f', ' s')} = {totals.median / ideal:.2f}x ideal"
            f"; client CPU {cpu.show_short('.1f', ' s')}"
            f"; requests per pause/resume "
            f"{stat([r['requests_per_pause'] for r in results]).show_short('.2f')}"
            f"\n    peak RSS {rss.show_short('.0f', ' MB')}; "
            f"{per.show_short('.1f', ' KiB')} per session (RSS growth / sessions)"
            f"\n    loop stall {stall.show_short('.0f', ' ms')} (longest gen-2 GC "
            f"{gc_ms.median:.0f} ms); failed {failed} of {2 * count * len(results)}"
            f"\n    emulator CPU {server.show_short('.1f', ' s')} = {busy.median:.0%} of one core "
            "during the fan-out"
            + (" (SATURATED: the wall time is the emulator's)" if busy.high >= 0.9 else "")
        )
        if targets:
            n = f"{count:,}"
            target(
                f"{n}: {side.name} all pauses and resumes succeed", f"{failed} failed", not failed
            )
            ratio = stat([r["total_s"] / ideal for r in results])
            target(f"{n}: {side.name} wall <= 2x ideal", ratio.show(), ratio.median <= 2)
            target(
                f"{n}: {side.name} peak RSS < {RSS_TARGET_MB} MB (highest round)",
                rss.show(".0f", " MB"),
                rss.high < RSS_TARGET_MB,
            )
            target(
                f"{n}: {side.name} loop stall < 10 ms", stall.show(".0f", " ms"), stall.median < 10
            )
    RESULTS[f"{args.benchmark}.scale.{count}"] = {"runs": runs, "ideal_s": ideal}


def bench_scale(args: argparse.Namespace) -> None:
    """1,000 (or with --huge 10,000) concurrent pauses then resumes: before and now."""
    pythons = Pythons(args)
    shipped = shipped_sides(pythons)
    if args.huge:  # minutes per side: what ships only
        scale_at(args, 10_000, shipped, args.huge_rounds, targets=False)
    else:
        scale_at(
            args,
            args.scale_sessions,
            [before_side(pythons), *shipped],
            args.scale_rounds,
            targets=False,
        )


# --------------------------------------------------------------------------- main

BENCHMARKS = {
    "report": bench_report,
    "compare": bench_compare,
    "stall": bench_stall,
    "transports": bench_transports,
    "bounds": bench_bounds,
    "scale": bench_scale,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("benchmark", choices=[*BENCHMARKS, "all"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=50, help="fan-out size")
    parser.add_argument("--rtts", type=float, nargs="+", default=[0.0, 40.0])
    parser.add_argument("--sync-calls", type=int, default=1000, help="sync calls per side at 0 ms")
    parser.add_argument(
        "--sync-calls-rtt", type=int, default=40, help="sync calls per side at RTT > 0"
    )
    parser.add_argument("--transport-rtts", type=float, nargs="+", default=[0.0, 10.0, 40.0, 150.0])
    parser.add_argument("--bounds", type=int, nargs="+", default=[10, 25, 50, 100])
    parser.add_argument("--bound-rounds", type=int, default=2)
    parser.add_argument("--bound-transports", nargs="+", default=["httpx", "sharded", "aiohttp"])
    parser.add_argument(
        "--limit", type=int, default=0, help="transports: in-flight bound (0: 50, as shipped)"
    )
    parser.add_argument("--batch", type=int, default=50, help="tasks started per loop iteration")
    parser.add_argument("--scale-sessions", type=int, default=1_000)
    parser.add_argument("--scale-rounds", type=int, default=2)
    parser.add_argument("--huge", action="store_true", help="scale, report: 10,000 sessions")
    parser.add_argument("--huge-rounds", type=int, default=2)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument(
        "--dev-venv",
        action="store_true",
        help="run our sides in this interpreter instead of the clean venvs",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.benchmark == "all":  # report holds compare's figures but "before"
        return run_benchmarks(
            {k: v for k, v in BENCHMARKS.items() if k != "compare"}, RESULTS, args
        )
    return run_benchmarks(BENCHMARKS, RESULTS, args)


if __name__ == "__main__":
    sys.exit(main())
