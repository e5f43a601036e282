"""Before/after figures of issue 12 (not a test): ``python tests/hostile/figures.py WHAT``.

WHAT is ``drip`` (a 100-byte answer dripped at 0.1 s a byte, timeout 2 s, no retries: the
call's time), ``bomb`` (a 1 MB gzip that inflates to 1 GiB: peak RSS and time, sync and async),
``stall`` (the longest event-loop stall while the bomb is refused) or ``loops`` (300
``asyncio.run`` calls: time; run it with ``-W error::ResourceWarning`` to see any leak).
Run it with ``PYTHONPATH`` pointing at an older ``agb`` to get the "before" figures.
"""

from __future__ import annotations

import asyncio
import resource
import socket
import sys
import time
import zlib
from pathlib import Path

# Last, so that an older agb given by PYTHONPATH still wins over this checkout's.
sys.path.append(str(Path(__file__).resolve().parents[2]))

from agb import AGB, Config
from tests.support.fakes import HOSTILE_KEY, SID
from tests.support.raw_server import head, raw_server

BODY = b'{"success": true, "code": "ok", "requestId": "r", "data": {"sessionId": "s-1", "status": "RUNNING"}}'  # noqa: E501


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def gzip_bomb(size: int = 1 << 30) -> bytes:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    parts = [squeeze.compress(b'{"success": true, "data": "')]
    parts += [squeeze.compress(block) for _ in range(size >> 20)]
    return b"".join([*parts, squeeze.compress(b'"}'), squeeze.flush()])


def drip() -> None:
    def handler(request: bytes, conn: socket.socket) -> bool:
        headers = {"content-type": "application/json", "content-length": str(len(BODY))}
        conn.sendall(head(200, headers))
        for byte in BODY:
            conn.sendall(bytes([byte]))
            time.sleep(0.1)
        return False

    with raw_server(handler) as server:
        agb = AGB(HOSTILE_KEY, Config(server.url, timeout_ms=2000, max_retries=0))
        started = time.monotonic()
        result = agb.get_session(SID)
        print(f"sync  get_session, timeout 2 s: {time.monotonic() - started:.1f} s", result.success)
        started = time.monotonic()
        result = asyncio.run(agb.get_session_async(SID))
        print(f"async get_session, timeout 2 s: {time.monotonic() - started:.1f} s", result.success)


def bomb(mode: str) -> None:
    body = gzip_bomb()

    def handler(request: bytes, conn: socket.socket) -> None:
        headers = {"content-type": "application/json", "content-encoding": "gzip",
                   "content-length": str(len(body))}  # fmt: skip
        conn.sendall(head(200, headers) + body)

    with raw_server(handler) as server:
        agb = AGB(HOSTILE_KEY, Config(server.url, timeout_ms=60_000))
        before, started = rss_mb(), time.monotonic()
        sync = mode == "sync"
        result = agb.get_session(SID) if sync else asyncio.run(agb.get_session_async(SID))
        print(f"{mode}: peak RSS {before:.0f} -> {rss_mb():.0f} MB in "
              f"{time.monotonic() - started:.1f} s: {result.error_message[:80]}")  # fmt: skip


def stall() -> None:
    body = gzip_bomb()

    def handler(request: bytes, conn: socket.socket) -> None:
        if b"bomb" in request:
            headers = {"content-type": "application/json", "content-encoding": "gzip",
                       "content-length": str(len(body))}  # fmt: skip
            conn.sendall(head(200, headers) + body)
        else:
            headers = {"content-type": "application/json", "content-length": str(len(BODY))}
            conn.sendall(head(200, headers) + BODY)

    async def main(agb: AGB) -> None:
        await agb.get_session_async("warm-up")  # lazy imports and the first connection
        for _ in range(3):
            gaps: list[float] = []
            done = asyncio.Event()
            beating = asyncio.create_task(beat(gaps, done))
            await asyncio.sleep(0.005)
            await agb.get_session_async("bomb")
            done.set()
            await beating
            print(f"longest loop stall while a bomb is refused: {max(gaps) * 1000:.1f} ms")

    with raw_server(handler) as server:
        asyncio.run(main(AGB(HOSTILE_KEY, Config(server.url, timeout_ms=60_000, max_retries=0))))


async def beat(gaps: list[float], done: asyncio.Event) -> None:
    last = time.perf_counter()
    while not done.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now


def loops() -> None:
    def handler(request: bytes, conn: socket.socket) -> None:
        headers = {"content-type": "application/json", "content-length": str(len(BODY))}
        conn.sendall(head(200, headers) + BODY)

    with raw_server(handler) as server:
        agb = AGB(HOSTILE_KEY, Config(server.url))
        started = time.monotonic()
        for _ in range(300):
            assert asyncio.run(agb.get_session_async(SID)).success
        print(f"300 asyncio.run calls: {time.monotonic() - started:.1f} s")
        agb.close()


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "drip"
    {"drip": drip, "bomb": lambda: bomb(sys.argv[2] if len(sys.argv) > 2 else "sync"),
     "stall": stall, "loops": loops}[what]()  # fmt: skip
