"""One side of a benchmark, run in a subprocess by ``bench_sdk.py`` with either interpreter.

It only uses what both clients have in common: ``from agb import AGB, Session``,
``from agb.config import Config``, ``AGB(api_key=..., cfg=Config(endpoint, timeout_ms))``,
``agb.get_session(id)``, ``Session(agb, id).get_labels()``, ``pause_async`` / ``resume_async``.
Run by this checkout's venv it measures ours; run by ``.venv-bench-peer`` it measures the
published ``agbcloud-sdk``. Prints one JSON object on its last line. Stdlib only otherwise.

    python -I _bench_client.py calls --url URL --key KEY --session ID --op get_labels -n 300
    python -I _bench_client.py fanout --url URL --key KEY --sessions ID,ID,... --interval 0.5
    python -I _bench_client.py sizes --dist agb-sessions [--tree DIR ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _client(url: str, key: str, limit: int = 0) -> Any:
    from agb import AGB
    from agb.config import Config

    if limit:  # ours only: another pool size (and so in-flight bound) than the default
        return AGB(key, Config(url, 30000, max_connections=limit))
    return AGB(api_key=key, cfg=Config(endpoint=url, timeout_ms=30000))


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
    p = sub.add_parser("sizes")
    p.add_argument("--dist", required=True)
    p.add_argument("--tree", action="append")
    args = parser.parse_args()
    result = {"calls": calls, "fanout": fanout, "sizes": sizes}[args.command](args)
    sys.stdout.flush()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
