"""Speed where users live: ours vs the published client on the emulator at 0 and 40 ms RTT.

Each subcommand starts its own emulator on 127.0.0.1 and, for RTT > 0, a latency proxy in
front of it (``scripts/_latency_proxy.py``: every answer and every new connection delayed by
the RTT), runs every side in its own subprocess, alternating sides round after round, and
prints medians with their spread. The machine is shared: read the ratios within one run.

    python scripts/bench_conditions.py compare     # ours vs agbcloud-sdk 0.7.0 at 0/40 ms (~4 min)
    python scripts/bench_conditions.py stall       # loop stalls, before/after the warm-up prototype
    python scripts/bench_conditions.py transports  # httpx vs aiohttp: CPU/request, fan-out by RTT
    python scripts/bench_conditions.py bounds      # fan-out time by in-flight bound and RTT
    python scripts/bench_conditions.py scale       # 1,000 concurrent pauses+resumes
    python scripts/bench_conditions.py scale --huge  # 10,000 (opt-in: minutes, ~1 GB total)
    python scripts/bench_conditions.py all         # compare, stall, transports, bounds, scale

"Ideal" is one session's pause+resume alone, measured in the same run at the same RTT with
our client: a fan-out can't beat it. The loop stall is the longest lateness of a heartbeat
task sleeping 5 ms in the client's loop. ``--json FILE`` writes every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench_common import (
    CLIENT_SCRIPT,
    KEY,
    PEER_SPEC,
    EmulatorProcess,
    PeerUnavailable,
    emulator,
    peer_python,
    print_header,
    run_benchmarks,
    run_json,
    stat,
    verdict,
)
from _latency_proxy import proxy

RESULTS: dict[str, Any] = {}
TRANSITION = 0.5
INTERVAL = 0.25


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


def run_side(
    python: str,
    emu: EmulatorProcess,
    url: str,
    count: int,
    *,
    transport: str = "default",
    limit: int = 0,
    warm: bool = False,
    gc_freeze: bool = False,
    loops: int = 2,
    solo: bool = True,
    interval: float = INTERVAL,
    timeout: float = 900,
) -> dict[str, Any]:
    """One client process: ``loops`` fan-outs of ``count`` sessions (and one alone)."""
    ids = emu.create_sessions(count + (1 if solo else 0))
    with tempfile.NamedTemporaryFile("w", suffix=".ids", delete=False) as file:
        file.write("\n".join(ids))
    command = [str(CLIENT_SCRIPT), "conditions", "--url", url, "--key", KEY]
    command += ["--sessions-file", file.name, "--interval", str(interval), "--loops", str(loops)]
    command += ["--transport", transport] if transport != "default" else []
    command += ["--limit", str(limit)] if limit else []
    command += ["--warm"] if warm else []
    command += ["--gc-freeze"] if gc_freeze else []
    command += ["--solo"] if solo else []
    before = _requests(emu)
    server_cpu = emu.cpu_seconds()
    try:
        result = run_json(python, command, timeout=timeout)
    finally:
        Path(file.name).unlink()
    result["server_cpu_s"] = emu.cpu_seconds() - server_cpu
    after = _requests(emu)
    served = {path: after.get(path, 0) - before.get(path, 0) for path in after}
    result["requests"] = sum(served.values())
    pauses = count * loops + (1 if solo else 0)
    # Requests per wait (pause or resume): its request and its status reads, averaged.
    waits = served.get("/mcp/pauseSessionAsync", 0) + served.get("/mcp/resumeSessionAsync", 0)
    result["requests_per_pause"] = (waits + served.get("/mcp/getSession", 0)) / (2 * pauses)
    first = result["loops"][0]
    result["total_s"] = first["total_s"]
    result["stall_ms"] = first["stall_ms"]
    result["stall_again_ms"] = (
        max(loop["stall_ms"] for loop in result["loops"][1:]) if loops > 1 else 0.0
    )
    result["failed"] = sum(loop["failed"] for loop in result["loops"])
    if result["failed"]:
        print(f"    ! {result['failed']} failed: {first['errors']}", flush=True)
    return result


def _peer(args: argparse.Namespace) -> str | None:
    if args.no_peer:
        return None
    try:
        return str(peer_python())
    except PeerUnavailable as error:
        print(f"the published client is not available, its figures are skipped:\n{error}")
        return None


def _ideal(runs: list[dict[str, Any]]) -> float:
    solos = [loop["solo_s"] for r in runs for loop in r["loops"] if "solo_s" in loop]
    return statistics.median(solos)


# --------------------------------------------------------------------------- compare


def _sync_calls(python: str, url: str, sid: str, n: int, raw: bool) -> dict[str, Any]:
    command = [str(CLIENT_SCRIPT), "calls", "--url", url, "--key", KEY, "--session", sid]
    command += ["--op", "get_session", "-n", str(n), "--warmup", "5"]
    command += ["--raw"] if raw else []
    return run_json(python, command)


def bench_compare(args: argparse.Namespace) -> None:
    """Sync calls/s, 50-session fan-out and loop stall: ours, the peer's, raw httpx."""
    peer = _peer(args)
    ours = sys.executable
    for rtt in args.rtts:
        print_header(
            f"ours vs {PEER_SPEC} at {rtt:g} ms RTT: sync get_session calls/s, fan-out of "
            f"{args.sessions} pause+resume (transition {TRANSITION:g} s, poll {INTERVAL:g} s)"
        )
        calls = 300 if rtt == 0 else 40
        sync: dict[str, list[float]] = {}
        fan: dict[str, list[dict[str, Any]]] = {}
        # "proposed": what docs/performance.md recommends for the sender (warm-up off
        # the loop, shared SSL context, in-flight bound 50), without and with the aiohttp extra.
        proposed = {"warm": True, "limit": args.proposed_limit}
        sides = [
            ("ours as shipped", ours, {}),
            ("ours proposed", ours, {**proposed, "transport": "sharded"}),
            ("ours proposed+aiohttp", ours, {**proposed, "transport": "aiohttp"}),
        ]
        if peer:
            sides.append(("peer", peer, {}))
        with endpoint(rtt) as (emu, url):
            sid = emu.create_sessions(1)[0]
            for round_ in range(args.rounds):
                shift = round_ % len(sides)
                for name, python, options in sides[shift:] + sides[:shift]:
                    if name in ("ours as shipped", "peer"):  # the proposal leaves sync alone
                        rate = _sync_calls(python, url, sid, calls, raw=False)["calls_per_s"]
                        sync.setdefault(name, []).append(rate)
                    fan.setdefault(name, []).append(
                        run_side(python, emu, url, args.sessions, **options)
                    )
                sync.setdefault("raw httpx", []).append(
                    _sync_calls(ours, url, sid, calls, raw=True)["calls_per_s"]
                )
        ideal = _ideal([r for name, runs in fan.items() if name.startswith("ours") for r in runs])
        print(f"  sync, {calls} calls per side per round, {args.rounds} rounds:")
        for name, rates in sync.items():
            print(f"    {name:22s} {stat(rates).show('.1f', '/s')}")
        if peer:
            ratio = stat(
                [o / p for o, p in zip(sync["ours as shipped"], sync["peer"], strict=True)]
            )
            print(
                f"    ours/peer {ratio.show()}"
                + (f"  target >= 1.5: {verdict(ratio.median >= 1.5)}" if rtt else "")
            )
        ratio_raw = stat(
            [o / r for o, r in zip(sync["ours as shipped"], sync["raw httpx"], strict=True)]
        )
        print(
            f"    ours/raw httpx {ratio_raw.show()}"
            + ("  target >= 0.85: " + verdict(ratio_raw.median >= 0.85) if rtt == 0 else "")
        )
        print(f"  fan-out of {args.sessions}, ideal (one session alone) {ideal:.2f} s:")
        _show_fan(fan, ideal)
        if peer:
            for name in [n for n in fan if n.startswith("ours")]:
                ratio = stat(
                    [
                        p["total_s"] / o["total_s"]
                        for o, p in zip(fan[name], fan["peer"], strict=True)
                    ]
                )
                print(
                    f"    peer time / {name} time {ratio.show()}"
                    + (f"  target >= 6: {verdict(ratio.median >= 6)}" if rtt else "")
                )
        RESULTS[f"compare.{rtt:g}ms"] = {"sync": sync, "fanout": fan, "ideal_s": ideal}


def _show_fan(fan: dict[str, list[dict[str, Any]]], ideal: float) -> None:
    for name, runs in fan.items():
        totals = [r["total_s"] for r in runs]
        again = [r["loops"][1]["total_s"] for r in runs if len(r["loops"]) > 1]
        failed = sum(r["failed"] for r in runs)
        print(
            f"    {name:22s} {stat(totals).show('.2f', ' s')} = "
            f"{statistics.median(totals) / ideal:.2f}x ideal"
            + (f"; in a 2nd loop {stat(again).median:.2f} s" if again else "")
            + f"; loop stall {stat([r['stall_ms'] for r in runs]).show('.0f', ' ms')}"
            + (
                f", 2nd loop {stat([r['stall_again_ms'] for r in runs]).median:.0f} ms"
                if again
                else ""
            )
            + (f"; {failed} FAILED" if failed else "")
        )


# --------------------------------------------------------------------------- stall


def bench_stall(args: argparse.Namespace) -> None:
    """Longest loop stall of a 50-session fan-out, as shipped and with the warm-up prototype."""
    print_header(
        f"event-loop stall, {args.sessions}-session fan-out, first loop of a fresh process and "
        "a second loop (heartbeat every 5 ms)"
    )
    variants: list[tuple[str, dict[str, Any]]] = [
        ("as shipped (httpx, 10)", {}),
        ("httpx, 10, warm-up", {"warm": True}),
        ("aiohttp, 10", {"transport": "aiohttp"}),
        ("aiohttp, 10, warm-up", {"transport": "aiohttp", "warm": True}),
        ("proposed (pools, 50)", {"transport": "sharded", "warm": True, "limit": 50}),
        ("proposed+aiohttp (50)", {"transport": "aiohttp", "warm": True, "limit": 50}),
        ("pools, 16, warm-up", {"transport": "sharded", "warm": True, "limit": 16}),
        ("aiohttp, 16, warm-up", {"transport": "aiohttp", "warm": True, "limit": 16}),
        (
            "aiohttp, 50, gc.freeze",
            {"transport": "aiohttp", "warm": True, "limit": 50, "gc_freeze": True},
        ),
    ]
    runs: dict[str, list[dict[str, Any]]] = {}
    with endpoint(0) as (emu, url):
        for round_ in range(args.rounds):
            shift = round_ % len(variants)
            for name, options in variants[shift:] + variants[:shift]:
                runs.setdefault(name, []).append(
                    run_side(sys.executable, emu, url, args.sessions, solo=False, **options)
                )
    for name, results in runs.items():
        first = stat([r["stall_ms"] for r in results])
        again = stat([r["stall_again_ms"] for r in results])
        gcs = stat([r["loops"][0]["gc_longest_ms"] for r in results])
        print(
            f"  {name:24s} first loop {first.show('.1f', ' ms')}; "
            f"2nd loop {again.show('.1f', ' ms')}"
            f"; longest gen-2 GC {gcs.median:.1f} ms  target < 10: "
            f"{verdict(first.high < 10 and again.high < 10)}"
        )
    RESULTS["stall"] = runs


# --------------------------------------------------------------------------- transports


def bench_transports(args: argparse.Namespace) -> None:
    """httpx's default transport vs aiohttp: CPU per request and fan-out time by RTT."""
    print_header(
        f"transports: {args.sessions}-session fan-out (in-flight bound {args.limit}) and client "
        "CPU per request, by RTT"
    )
    variants = [
        ("httpx", {"warm": True}),
        ("httpx, pools of 10", {"transport": "sharded", "warm": True}),
        ("aiohttp (agb._aiohttp)", {"transport": "aiohttp", "warm": True}),
    ]
    if importlib.util.find_spec("httpx_aiohttp") is not None:
        variants.append(("httpx-aiohttp 0.2", {"transport": "httpx-aiohttp", "warm": True}))
    table: dict[str, Any] = {}
    for rtt in args.transport_rtts:
        runs: dict[str, list[dict[str, Any]]] = {}
        with endpoint(rtt) as (emu, url):
            for round_ in range(args.rounds):
                shift = round_ % len(variants)
                for name, options in variants[shift:] + variants[:shift]:
                    runs.setdefault(name, []).append(
                        run_side(
                            sys.executable, emu, url, args.sessions, limit=args.limit, **options
                        )
                    )
        ideal = _ideal(runs["httpx"] + runs["aiohttp (agb._aiohttp)"])
        print(f"  {rtt:g} ms RTT (ideal {ideal:.2f} s):")
        for name, results in runs.items():
            cpu = stat([r["client_cpu_s"] / r["requests"] * 1000 for r in results])
            totals = stat([r["total_s"] for r in results])
            print(
                f"    {name:24s} fan-out {totals.show('.2f', ' s')} = {totals.median / ideal:.2f}x"
                f" ideal; client CPU {cpu.show('.2f', ' ms')}/request"
            )
        table[f"{rtt:g}"] = {"runs": runs, "ideal_s": ideal}
    RESULTS["transports"] = table


# --------------------------------------------------------------------------- bounds


def bench_bounds(args: argparse.Namespace) -> None:
    """Fan-out time / ideal for each in-flight bound, transport and RTT."""
    print_header(
        f"in-flight bound: {args.sessions}-session fan-out time / ideal, by bound, transport, RTT "
        f"(warm-up on; target <= 1.3)"
    )
    transports = args.bound_transports
    table: dict[str, Any] = {}
    for rtt in args.transport_rtts:
        runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
        with endpoint(rtt) as (emu, url):
            combos = [(t, b) for t in transports for b in args.bounds]
            for round_ in range(args.bound_rounds):
                order = combos if round_ % 2 == 0 else list(reversed(combos))
                for transport, bound in order:
                    runs.setdefault((transport, bound), []).append(
                        run_side(
                            sys.executable,
                            emu,
                            url,
                            args.sessions,
                            transport=transport,
                            limit=bound,
                            warm=True,
                            loops=1,
                        )
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


def bench_scale(args: argparse.Namespace) -> None:
    """1,000 (or with --huge 10,000) concurrent pauses then resumes from one process."""
    counts = [10_000] if args.huge else [1_000]
    limit = args.proposed_limit
    variants = [
        ("as shipped", {"limit": 0}),
        ("proposed", {"transport": "sharded", "warm": True, "limit": limit}),
        ("proposed+aiohttp", {"transport": "aiohttp", "warm": True, "limit": limit}),
    ]
    if args.huge:  # minutes per side: the two proposals only
        variants = variants[1:]
    for count in counts:
        print_header(
            f"scale: {count:,} concurrent pauses then resumes, one client process, one emulator "
            f"(transition {TRANSITION:g} s, poll {INTERVAL:g} s)"
        )
        runs: dict[str, list[dict[str, Any]]] = {}
        rounds = 1 if count >= 10_000 else args.scale_rounds
        with endpoint(0) as (emu, url):
            for round_ in range(rounds):
                order = variants if round_ % 2 == 0 else list(reversed(variants))
                for name, options in order:
                    started = time.perf_counter()
                    runs.setdefault(name, []).append(
                        run_side(sys.executable, emu, url, count, loops=1, timeout=1800, **options)
                    )
                    print(f"    ({name}: {time.perf_counter() - started:.0f} s with set-up)")
        ideal = _ideal([r for results in runs.values() for r in results])
        for name, results in runs.items():
            totals = stat([r["total_s"] for r in results])
            cpu = stat([r["client_cpu_s"] for r in results])
            rss = stat([r["maxrss_mib"] for r in results])
            per = stat([r["mib_per_session"] * 1024 for r in results])
            bound = dict(variants)[name]["limit"] or "default"
            print(
                f"  {name:16s} (bound {bound}): wall {totals.show('.2f', ' s')} = "
                f"{totals.median / ideal:.2f}x ideal ({ideal:.2f} s)  target <= 2: "
                f"{verdict(totals.median <= 2 * ideal)}"
                f"\n           client CPU {cpu.show('.1f', ' s')}, emulator CPU "
                f"{stat([r['server_cpu_s'] for r in results]).median:.1f} s, requests/wait "
                f"{stat([r['requests_per_pause'] for r in results]).median:.2f}"
                f"\n           peak RSS {rss.show('.0f', ' MiB')} (target < 300), "
                f"{per.median:.1f} KiB/session; loop stall "
                f"{stat([r['stall_ms'] for r in results]).show('.0f', ' ms')}; "
                f"failed {sum(r['failed'] for r in results)}"
            )
        RESULTS[f"scale.{count}"] = {"runs": runs, "ideal_s": ideal}


# --------------------------------------------------------------------------- main

BENCHMARKS = {
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
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rtts", type=float, nargs="+", default=[0.0, 40.0])
    parser.add_argument("--transport-rtts", type=float, nargs="+", default=[0.0, 10.0, 40.0, 150.0])
    parser.add_argument("--bounds", type=int, nargs="+", default=[10, 25, 50, 100])
    parser.add_argument("--bound-rounds", type=int, default=2)
    parser.add_argument("--bound-transports", nargs="+", default=["default", "sharded", "aiohttp"])
    parser.add_argument(
        "--proposed-limit", type=int, default=50, help="compare: the proposed in-flight bound"
    )
    parser.add_argument("--limit", type=int, default=0, help="in-flight bound (0: the default)")
    parser.add_argument("--scale-rounds", type=int, default=2)
    parser.add_argument("--huge", action="store_true", help="scale: 10,000 sessions")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    return run_benchmarks(BENCHMARKS, RESULTS, args)


if __name__ == "__main__":
    sys.exit(main())
