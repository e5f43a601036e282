#!/usr/bin/env python3
"""Benchmark: get session requests per second the emulator serves on one CPU core.

The emulator runs as ``python -m agb.emulator`` in its own process, pinned to one core (with
``os.sched_setaffinity``); this script pins itself to the other cores when there are any. It
creates one session, then for each run keeps ``--connections`` keep-alive HTTP/1.1 connections
busy with ``POST /mcp/getSession`` for ``--seconds`` (a minimal asyncio client that writes
pre-built requests and reads ``Content-Length`` bodies, so the client costs little), counts the
answers that are 200 success envelopes, and prints per run the requests per wall-clock second
and per second of CPU time the emulator process used (from /proc; the figure for one fully busy
core, and robust to other processes sharing the machine), then the median and spread over the
runs plus latency percentiles.

    .venv/bin/python scripts/bench_emulator.py --runs 5 --seconds 3 --connections 16
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

API_KEY = "bench-key"
READY = "AGB emulator listening on "


@dataclass
class RunResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    server_cpu_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Answers per wall-clock second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def rate_per_cpu(self) -> float:
        """Answers per second of CPU the emulator used: what one busy core serves."""
        return self.requests / self.server_cpu_seconds if self.server_cpu_seconds else 0.0


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), 0 where unavailable."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(cpu: int | None) -> tuple[subprocess.Popen[str], str]:
    def pin() -> None:
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})

    process = subprocess.Popen(
        [sys.executable, "-m", "agb.emulator", "--port", "0", "--api-key", API_KEY],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=pin if hasattr(os, "sched_setaffinity") else None,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith(READY):
        process.kill()
        raise SystemExit(f"the emulator did not start: {line!r}")
    return process, line[len(READY) :].strip()


def build_request(host: str, port: int, session_id: str) -> bytes:
    body = json.dumps({"sessionId": session_id}).encode()
    head = (
        f"POST /mcp/getSession HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"authorization: Bearer {API_KEY}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


async def connection_loop(
    host: str, port: int, request: bytes, stop_at: float, result: RunResult
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            started = time.perf_counter()
            if started >= stop_at:
                return
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            result.latencies.append(time.perf_counter() - started)
            if head.startswith(b"HTTP/1.1 200") and b'"success":true' in body:
                result.requests += 1
            else:
                result.errors += 1
    finally:
        writer.close()


async def one_run(
    host: str, port: int, request: bytes, connections: int, seconds: float, pid: int
) -> RunResult:
    result = RunResult()
    cpu_before = process_cpu_seconds(pid)
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(
        *(connection_loop(host, port, request, stop_at, result) for _ in range(connections))
    )
    result.seconds = time.perf_counter() - started
    result.server_cpu_seconds = process_cpu_seconds(pid) - cpu_before
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of load before the runs")
    parser.add_argument("--server-cpu", type=int, default=None, help="core for the emulator")
    args = parser.parse_args()

    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_cpu = args.server_cpu if args.server_cpu is not None else (cpus[-1] if cpus else None)
    client_cpus = set(cpus) - {server_cpu} if server_cpu is not None else set()
    if client_cpus:
        os.sched_setaffinity(0, client_cpus)

    process, url = start_server(server_cpu)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        with httpx.Client(base_url=url, headers={"authorization": f"Bearer {API_KEY}"}) as client:
            created = client.post("/mcp/createSession", params={"imageId": "bench"}, json={})
            session_id = created.json()["data"]["sessionId"]
        request = build_request(host, port, session_id)
        print(
            f"emulator pid {process.pid} on CPU {server_cpu}, client on CPUs "
            f"{sorted(client_cpus) or 'shared'}; {args.connections} keep-alive connections, "
            f"{args.runs} runs of {args.seconds:g} s, POST /mcp/getSession"
        )
        asyncio.run(one_run(host, port, request, args.connections, args.warmup, process.pid))
        results = []
        for n in range(1, args.runs + 1):
            result = asyncio.run(
                one_run(host, port, request, args.connections, args.seconds, process.pid)
            )
            results.append(result)
            print(
                f"run {n}: {result.rate:6.0f} req/s wall, {result.rate_per_cpu:6.0f} req/s per "
                f"server CPU-second ({result.requests} ok, {result.errors} errors, "
                f"p50 {percentile(result.latencies, 0.5) * 1000:.2f} ms, "
                f"p99 {percentile(result.latencies, 0.99) * 1000:.2f} ms)"
            )
    finally:
        process.terminate()
        process.wait(timeout=10)

    latencies = [x for r in results for x in r.latencies]
    for name, rates in (
        ("wall-clock", [r.rate for r in results]),
        ("per server CPU-second", [r.rate_per_cpu for r in results]),
    ):
        print(
            f"{name}: median {statistics.median(rates):.0f} req/s; min {min(rates):.0f}, "
            f"max {max(rates):.0f}, stdev {statistics.pstdev(rates):.0f} over {len(rates)} runs"
        )
    print(
        f"latency p50 {percentile(latencies, 0.5) * 1000:.2f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.2f} ms"
    )
    return 0 if all(r.errors == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
