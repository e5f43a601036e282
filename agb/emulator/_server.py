"""Running the emulator: in a background thread (tests) or as the main program."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import attrs
import uvicorn
from starlette.applications import Starlette

from agb.emulator._app import create_app
from agb.emulator._config import EmulatorConfig
from agb.emulator._protocols import HTTP_PROTOCOL
from agb.emulator._state import Emulator


@attrs.frozen
class RunningEmulator:
    """A started emulator: where it listens and its state.

    Attributes:
        base_url: e.g. ``"http://127.0.0.1:54321"``; use it as the SDK's endpoint.
        host: The address it listens on.
        port: The port it listens on.
        emulator: Its state and fault script (``emulator.faults.add(...)``).
        app: The ASGI app being served.
    """

    base_url: str
    host: str
    port: int
    emulator: Emulator
    app: Starlette

    @property
    def config(self) -> EmulatorConfig:
        """The configuration it runs with."""
        return self.emulator.config

    @property
    def api_key(self) -> str:
        """A key it accepts: the configured one, or any non-empty key when none is set."""
        return self.config.api_key or "emulator-any-key"

    @property
    def auth_headers(self) -> dict[str, str]:
        """The ``authorization`` header of a request it accepts."""
        return {"authorization": f"Bearer {self.api_key}"}


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port=0`` picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto is
    # IPPROTO_TCP, and without it every answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_for(host: str, port: int) -> str:
    """The base URL of a server on ``host:port``."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def uvicorn_config(app: Starlette, *, log_level: str = "warning") -> uvicorn.Config:
    """The uvicorn settings the emulator runs with (it leaves the logging setup alone)."""
    return uvicorn.Config(
        app,
        log_config=None,
        log_level=log_level,
        http=HTTP_PROTOCOL,  # an error envelope for requests uvicorn cannot parse
        access_log=False,  # the emulator logs each request itself (agb.emulator.access, INFO)
        lifespan="off",
        timeout_graceful_shutdown=2,
        timeout_keep_alive=30,
        server_header=False,
    )


@contextlib.contextmanager
def serve(
    config: EmulatorConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    startup_timeout: float = 10.0,
) -> Iterator[RunningEmulator]:
    """Run an emulator on ``host:port`` in a background thread for the ``with`` block.

    It accepts connections before this yields, and is stopped (and its thread joined) on
    exit. ``port=0`` picks a free port; read it from the handle's ``base_url``::

        with serve(EmulatorConfig(api_key="k", clock=ManualClock())) as server:
            httpx.post(server.base_url + "/mcp/getSession", ...)
            server.emulator.faults.add("unavailable", path="/mcp/getSession")
    """
    app = create_app(config)
    emulator: Emulator = app.state.emulator
    sock = bind_socket(host, port)
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app))
    thread = threading.Thread(
        target=server.run,
        kwargs={"sockets": [sock]},
        name=f"agb-emulator-{bound_port}",
        daemon=True,
    )
    try:
        thread.start()
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the emulator's server stopped during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start within {startup_timeout} s")
            time.sleep(0.002)
        yield RunningEmulator(
            base_url=url_for(host, bound_port),
            host=host,
            port=bound_port,
            emulator=emulator,
            app=app,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
