"""A TCP proxy on 127.0.0.1 that makes a loopback server look far away.

Every answer chunk is delivered ``latency`` ms after the upstream sent it (plus up to ``jitter``
ms, order kept), and every new connection waits ``connect_latency`` ms before its first byte
goes upstream (a TCP handshake's round trip). asyncio protocols and timer handles only: no
thread, no task per chunk, so thousands of delayed answers in flight cost little.

    python scripts/_latency_proxy.py --upstream http://127.0.0.1:8080 --latency 40 \
        --connect-latency 40 [--jitter 5] [--port 0]

prints ``latency proxy listening on http://127.0.0.1:PORT`` once it accepts connections.
``proxy(...)`` (a context manager) runs it in a subprocess for the benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import random
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

READY = "latency proxy listening on "


class _Upstream(asyncio.Protocol):
    """The proxy's connection to the server: hands every chunk back to its client side."""

    def __init__(self, client: _Client) -> None:
        self.client = client
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.client.deliver_later(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.client.upstream_closed()


class _Client(asyncio.Protocol):
    """One accepted connection: forwards requests at once, answers after the delay."""

    def __init__(self, proxy: LatencyProxy) -> None:
        self.proxy = proxy
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.upstream: _Upstream | None = None
        self.pending: list[bytes] = []
        self.queue: collections.deque[tuple[float, bytes | None]] = collections.deque()
        self.timer: asyncio.TimerHandle | None = None
        self.last_due = 0.0
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.proxy.connections += 1
        self.loop.call_later(self.proxy.connect_latency, self._connect)

    def _connect(self) -> None:
        if self.closed:
            return
        host, port = self.proxy.next_upstream()
        task = self.loop.create_task(
            self.loop.create_connection(lambda: _Upstream(self), host, port)
        )
        task.add_done_callback(self._connected)

    def _connected(self, task: asyncio.Task[tuple[asyncio.BaseTransport, _Upstream]]) -> None:
        if task.cancelled() or task.exception() is not None:
            if self.transport is not None:
                self.transport.close()
            return
        transport, upstream = task.result()
        if self.closed:
            transport.close()
            return
        self.upstream = upstream
        for data in self.pending:
            transport.write(data)  # type: ignore[attr-defined]
        self.pending.clear()

    def data_received(self, data: bytes) -> None:
        if self.upstream is not None and self.upstream.transport is not None:
            self.upstream.transport.write(data)
        else:
            self.pending.append(data)

    def deliver_later(self, data: bytes | None) -> None:
        """Queue ``data`` (``None``: close) for delivery after the latency, in order."""
        due = self.loop.time() + self.proxy.delay()
        due = max(due, self.last_due)
        self.last_due = due
        self.queue.append((due, data))
        if self.timer is None:
            self.timer = self.loop.call_at(due, self._flush)

    def _flush(self) -> None:
        self.timer = None
        now = self.loop.time()
        while self.queue and self.queue[0][0] <= now:
            _due, data = self.queue.popleft()
            if self.transport is None or self.transport.is_closing():
                continue
            if data is None:
                self.transport.close()
            else:
                self.transport.write(data)
        if self.queue:
            self.timer = self.loop.call_at(self.queue[0][0], self._flush)

    def upstream_closed(self) -> None:
        self.deliver_later(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.upstream is not None and self.upstream.transport is not None:
            self.upstream.transport.close()
        if self.timer is not None:
            self.timer.cancel()


class LatencyProxy:
    """Settings and counters of one proxy; ``serve`` runs it on the running loop."""

    def __init__(
        self,
        upstreams: list[tuple[str, int]],
        *,
        latency_ms: float,
        connect_latency_ms: float,
        jitter_ms: float = 0.0,
        seed: int = 1,
    ) -> None:
        self.upstreams = upstreams
        self.latency = latency_ms / 1000
        self.connect_latency = connect_latency_ms / 1000
        self.jitter = jitter_ms / 1000
        self.random = random.Random(seed)
        self.connections = 0
        self._next = 0

    def delay(self) -> float:
        if not self.jitter:
            return self.latency
        return self.latency + self.random.uniform(0, self.jitter)

    def next_upstream(self) -> tuple[str, int]:
        self._next = (self._next + 1) % len(self.upstreams)
        return self.upstreams[self._next]

    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        return await loop.create_server(lambda: _Client(self), host, port, backlog=4096)


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


async def _main(args: argparse.Namespace) -> None:
    proxy = LatencyProxy(
        [_address(url) for url in args.upstream],
        latency_ms=args.latency,
        connect_latency_ms=args.connect_latency,
        jitter_ms=args.jitter,
    )
    server = await proxy.serve(args.host, args.port)
    port = server.sockets[0].getsockname()[1]
    print(f"{READY}http://{args.host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


@contextlib.contextmanager
def proxy(
    upstream: str, latency_ms: float, connect_latency_ms: float | None = None, jitter_ms: float = 0
) -> Iterator[str]:
    """Run a proxy in a subprocess in front of ``upstream``; yield its URL."""
    if connect_latency_ms is None:
        connect_latency_ms = latency_ms
    command = [sys.executable, __file__, "--upstream", upstream, "--latency", str(latency_ms)]
    command += ["--connect-latency", str(connect_latency_ms), "--jitter", str(jitter_ms)]
    from _bench_common import ready_process

    with ready_process(command, READY, "the latency proxy") as (_, url):
        yield url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", action="append", required=True, help="http://host:port")
    parser.add_argument("--latency", type=float, default=40.0, help="ms added to each answer")
    parser.add_argument("--connect-latency", type=float, default=40.0, help="ms per connection")
    parser.add_argument("--jitter", type=float, default=0.0, help="up to this many ms more")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
