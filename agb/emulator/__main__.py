"""``python -m agb.emulator``: run a local AGB-compatible server until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import gc
import logging
import re
import signal
import socket
import sys
from types import FrameType
from typing import Final

import attrs
import uvicorn

from agb.emulator._app import create_app
from agb.emulator._clock import ManualClock
from agb.emulator._config import EmulatorConfig
from agb.emulator._server import bind_socket, url_for, uvicorn_config

READY_LINE = "AGB emulator listening on {url}"
# The options whose names are not their fields' names with dashes.
_OPTIONS: Final = {
    "latency_ms": "--latency",
    "connect_latency_ms": "--connect-latency",
    "jitter_ms": "--jitter",
    "pause_supported": "--no-pause",
}
_FIELD_NAMES = re.compile(r"\b(" + "|".join(f.name for f in attrs.fields(EmulatorConfig)) + r")\b")


def _port(text: str) -> int:
    """A TCP port number (0 picks a free one), for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: not an integer") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"invalid port {value}: must be between 0 and 65535 (0 picks a free one)"
        )
    return value


def as_options(message: str) -> str:
    """``message`` with every :class:`EmulatorConfig` field name written as its option.

    ``"stale_seconds must be ..."`` becomes ``"--stale-seconds must be ..."``: an option is its
    field's name with dashes, but ``--latency`` (``latency_ms``) and the others in ``_OPTIONS``.
    """
    return _FIELD_NAMES.sub(lambda m: _OPTIONS.get(m[1], "--" + m[1].replace("_", "-")), message)


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m agb.emulator",
        description="A local AGB-compatible session service (for demos, recording and tests).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    parser.add_argument(
        "--port", type=_port, default=8080, help="port; 0 picks a free one (default %(default)s)"
    )
    parser.add_argument(
        "--api-key", default=None, help="the only bearer key accepted (default: any non-empty key)"
    )
    parser.add_argument(
        "--transition-seconds",
        type=float,
        default=1.0,
        help="how long PAUSING, RESUMING and DELETING last (default %(default)s)",
    )
    parser.add_argument(
        "--stale-seconds",
        type=float,
        default=0.0,
        help="how long get session still shows the old status after pause/resume, a quirk "
        "to test waits against; must be below --transition-seconds (default %(default)s: none)",
    )
    parser.add_argument(
        "--context-sync-seconds",
        type=float,
        default=0.5,
        help="how long a context sync task runs (default %(default)s)",
    )
    parser.add_argument(
        "--fault-rate", type=float, default=0.0, help="fraction of requests given a random fault"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for ids and random faults")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="milliseconds added to every answer (default %(default)s)",
    )
    parser.add_argument(
        "--connect-latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="milliseconds before a new connection's first request is read (default %(default)s)",
    )
    parser.add_argument(
        "--jitter",
        type=float,
        default=0.0,
        metavar="MS",
        help="up to this many milliseconds more on each delay, seeded by --seed "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--no-pause",
        dest="pause_supported",
        action="store_false",
        help="answer pause and resume as a service without them would (404 InvalidAction.NotFound)",
    )
    parser.add_argument(
        "--wire-form",
        choices=("camel", "pascal", "body"),
        default="camel",
        help="spell answers as the spec does (camel), with PascalCase envelope keys (pascal), or "
        "wrapped in a body object (body), as other service versions have (default %(default)s)",
    )
    parser.add_argument(
        "--manual-clock",
        action="store_true",
        help="time stands still until POST /_emulator/clock/advance moves it",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="log level of messages on stderr (default %(default)s)",
    )
    return parser


class _Server(uvicorn.Server):
    """uvicorn's server that prints the ready line once it accepts connections."""

    def __init__(self, config: uvicorn.Config, ready_line: str) -> None:
        super().__init__(config)
        self._ready_line = ready_line

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            print(self._ready_line, flush=True)


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """The configuration the parsed options ask for.

    Args:
        args: The options, as :func:`build_parser` parsed them.

    Returns:
        The emulator's configuration.

    Raises:
        ValueError: The options do not make a valid configuration; the message names them as
            typed (``--stale-seconds``), not as fields.
    """
    try:
        return EmulatorConfig(
            api_key=args.api_key,
            transition_seconds=args.transition_seconds,
            stale_seconds=args.stale_seconds,
            context_sync_seconds=args.context_sync_seconds,
            fault_rate=args.fault_rate,
            seed=args.seed,
            clock=ManualClock() if args.manual_clock else EmulatorConfig().clock,
            latency_ms=args.latency,
            connect_latency_ms=args.connect_latency,
            jitter_ms=args.jitter,
            pause_supported=args.pause_supported,
            wire_form=args.wire_form,
        )
    except ValueError as err:
        raise ValueError(as_options(str(err))) from None


def main(argv: list[str] | None = None) -> int:
    """Run the emulator; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as err:
        parser.error(str(err))
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as err:
        print(f"cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr)
        return 1
    # A server holding thousands of requests (--latency) keeps many objects alive; with the
    # default thresholds the collector rescans them all the time (10,000 answers held: 4.4 s
    # of collection, 1.3 s with these). Only in this process, never in a program's own.
    gc.set_threshold(50_000, 20, 20)
    url = url_for(args.host, sock.getsockname()[1])
    server = _Server(
        uvicorn_config(create_app(config), log_level=args.log_level), READY_LINE.format(url=url)
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        server.should_exit = True

    # uvicorn takes these signals over while it serves and afterwards restores ours and raises
    # the signal again; ours then just (re)asks for a stop, so the process exits with 0.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
