"""``agb demo``: one session's whole lifecycle through the SDK, step by step, with timings.

With no API key and no endpoint it starts the embedded emulator on a free loopback port, so it
needs no account and no network. With ``--endpoint`` or ``AGB_API_KEY`` it runs the same steps
against that service (and creates, pauses and deletes one real session).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO, TypeVar

import attrs
import click

from agb._constants import DEFAULT_POLL_INTERVAL
from agb._version import __version__
from agb.cli._app import GlobalOptions, cli
from agb.cli._output import describe_error, describe_failure
from agb.cli._progress import Progress
from agb.client import AGB
from agb.context_sync import ContextSync, SyncPolicy
from agb.exceptions import AGBError
from agb.model.response import (
    ApiResponse,
    DeleteResult,
    OperationResult,
    SessionPauseResult,
    SessionResult,
    SessionResumeResult,
)
from agb.session import Session
from agb.session_params import CreateSessionParams

__all__ = ["demo"]

R = TypeVar("R", bound=ApiResponse)

IMAGE_ID = "agb-code-space-1"
LABELS = {"project": "agb-demo", "owner": "agb-cli"}
LOCAL_CONTEXT_ID = "demo-context"
CONTEXT_PATH = "/home/wuying/demo"
LINK_PORT = 30100
LOCAL_POLL_INTERVAL = 0.2
STEPS = ("create", "labels", "info", "link", "pause", "resume", "delete")

# "[1/7] create ok      2.01 s  ..." - detail lines line up under the first detail.
_HEAD = "[{number}/{total}] {name:<6} {outcome:<7} {timing:>7}"
_INDENT = " " * (len(_HEAD.format(number=1, total=len(STEPS), name="", outcome="", timing="")) + 2)


@attrs.define
class _Run:
    """Prints the steps of one demo run and remembers which failed."""

    out: TextIO
    progress: Progress
    failed: list[str] = attrs.Factory(list)
    number: int = 0

    def step(
        self,
        name: str,
        action: Callable[[], R],
        check: Callable[[R], tuple[bool, list[str]]],
        wait_label: str | None = None,
    ) -> R | None:
        """Run one step, print ``[n/7] name ok|FAILED seconds detail``, return its result."""
        self.number += 1
        if wait_label:
            self.progress.start(wait_label)
        started = time.monotonic()
        result: R | None = None
        try:
            result = action()
            ok, lines = check(result) if result.success else (False, [])
            if not result.success:
                lines = [describe_failure(name, result)]
        except (AGBError, ValueError) as error:
            ok, lines = False, [describe_error(name, error)]
        finally:
            seconds = time.monotonic() - started
            self.progress.stop()
        if result is not None and result.request_id:
            lines.append(f"request {result.request_id}")
        self._print(name, "ok" if ok else "FAILED", f"{seconds:.2f} s", lines)
        if not ok:
            self.failed.append(name)
        return result

    def skip(self, name: str, why: str) -> None:
        """Print a step that could not run."""
        self.number += 1
        self.failed.append(name)
        self._print(name, "skipped", "", [why])

    def _print(self, name: str, outcome: str, timing: str, lines: list[str]) -> None:
        head = _HEAD.format(
            number=self.number, total=len(STEPS), name=name, outcome=outcome, timing=timing
        )
        first, *rest = lines or [""]
        self.out.write(f"{head}  {first}".rstrip() + "\n")
        for line in rest:
            self.out.write(f"{_INDENT}{line}\n")
        self.out.flush()


def _labels(labels: dict[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(labels.items()))


def _lifecycle(
    run: _Run, agb: AGB, image_id: str, context_id: str | None, timeout: float, interval: float
) -> None:
    """The seven steps; a session that was created is deleted even if a step in between fails."""
    syncs = [ContextSync(context_id, CONTEXT_PATH, SyncPolicy())] if context_id else []
    params = CreateSessionParams(labels=LABELS, image_id=image_id, context_syncs=syncs)

    def created(result: SessionResult) -> tuple[bool, list[str]]:
        assert result.session is not None
        mounted = f"context {context_id} at {CONTEXT_PATH}" if context_id else "no context"
        return True, [
            f"{result.session.session_id} from {image_id}",
            f"labels {_labels(LABELS)}; {mounted}",
        ]

    result = run.step(
        "create",
        lambda: agb.create(params, timeout=timeout, poll_interval=interval),
        created,
        "create",
    )
    session = result.session if result is not None and result.success else None
    if session is None:
        for name in STEPS[1:]:
            run.skip(name, "no session")
        return
    deleted = False
    try:
        _middle_steps(run, session, timeout, interval)

        def gone(result: DeleteResult) -> tuple[bool, list[str]]:
            if result.context_synced is None:
                return True, [f"{result.status or 'gone'}; no context sync asked"]
            if result.context_synced:
                tasks = len(result.context_tasks)
                return True, [f"{result.status or 'gone'}; context synced ({tasks} task(s))"]
            return False, [f"context sync failed: {result.context_sync_error}"]

        run.step(
            "delete",
            lambda: session.delete(sync_context=True, timeout=timeout, poll_interval=interval),
            gone,
            "delete",
        )
        deleted = True
    finally:
        if not deleted:  # interrupted or crashed in between: do not leave the session behind
            with contextlib.suppress(Exception):
                session.delete(timeout=min(timeout, 30.0), poll_interval=interval)


def _middle_steps(run: _Run, session: Session, timeout: float, interval: float) -> None:
    def got_labels(result: OperationResult) -> tuple[bool, list[str]]:
        labels = result.data if isinstance(result.data, dict) else {}
        ok = all(labels.get(key) == value for key, value in LABELS.items())
        line = json.dumps(labels, sort_keys=True)
        return ok, [line if ok else f"expected {_labels(LABELS)}, got {line}"]

    run.step("labels", session.get_labels, got_labels)

    def got_info(result: OperationResult) -> tuple[bool, list[str]]:
        data: dict[str, Any] = result.data if isinstance(result.data, dict) else {}
        kind = data.get("resource_type") or "resource"
        return True, [f"{kind} {data.get('resource_id') or '-'}: {data.get('resource_url')}"]

    run.step("info", session.info, got_info)

    def got_link(result: OperationResult) -> tuple[bool, list[str]]:
        return True, [f"port {LINK_PORT}: {result.data}"]

    run.step("link", lambda: session.get_link(port=LINK_PORT), got_link)

    def reached(target: str) -> Callable[[SessionPauseResult | SessionResumeResult], Any]:
        def check(result: SessionPauseResult | SessionResumeResult) -> tuple[bool, list[str]]:
            return result.status == target, [f"status {result.status or 'unknown'}"]

        return check

    run.step(
        "pause",
        lambda: session.pause(timeout=timeout, poll_interval=interval),
        reached("PAUSED"),
        "pause",
    )
    run.step(
        "resume",
        lambda: session.resume(timeout=timeout, poll_interval=interval),
        reached("RUNNING"),
        "resume",
    )


@contextlib.contextmanager
def _target(
    options: GlobalOptions,
    progress: Progress,
    local: bool,
    emulator: tuple[float, float, float],
    out: TextIO,
) -> Iterator[tuple[AGB, bool]]:
    """The client to run with, and whether it talks to an embedded emulator."""
    if not local:
        with options.client(progress) as agb:
            out.write(f"Target:  {agb.endpoint}\n")
            yield agb, False
        return
    try:
        from agb.emulator import EmulatorConfig, serve
    except ImportError as error:
        raise click.ClickException(
            f"the embedded emulator needs the 'emulator' extra ({error.name} is missing): "
            "pip install 'agb-sessions[demo]'"
        ) from None
    try:
        transition, stale, context_sync = emulator
        config = EmulatorConfig(
            api_key=secrets.token_urlsafe(16),
            transition_seconds=transition,
            stale_seconds=stale,
            context_sync_seconds=context_sync,
        )
    except ValueError as error:
        from agb.emulator.__main__ import as_options

        raise click.UsageError(as_options(str(error))) from None
    with serve(config) as server:
        out.write(
            f"Target:  embedded emulator at {server.base_url} (no account needed; "
            f"pause/resume/delete take {config.transition_seconds:g} s there)\n"
        )
        assert config.api_key is not None
        with options.client(progress, endpoint=server.base_url, api_key=config.api_key) as agb:
            yield agb, True


@cli.command()
@click.option(
    "--local",
    is_flag=True,
    help="Use the embedded emulator even when AGB_API_KEY or --endpoint is set.",
)
@click.option("--image", "image_id", default=IMAGE_ID, show_default=True, help="Image to start.")
@click.option(
    "--context-id",
    default=None,
    help=f"Context to mount at {CONTEXT_PATH} and sync on delete "
    f"[default: {LOCAL_CONTEXT_ID} on the emulator, none on a real service].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=300.0,
    show_default=True,
    help="Seconds each wait (pause, resume, delete) may take.",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds between status polls "
    f"[default: {LOCAL_POLL_INTERVAL} on the emulator, {DEFAULT_POLL_INTERVAL} otherwise].",
)
@click.option(
    "--transition-seconds",
    type=float,
    default=1.0,
    show_default=True,
    help="Embedded emulator: how long PAUSING, RESUMING and DELETING last.",
)
@click.option(
    "--stale-seconds",
    type=float,
    default=0.0,
    show_default=True,
    help="Embedded emulator: how long the old status still shows after pause/resume "
    "(a quirk to test waits against; none by default).",
)
@click.option(
    "--context-sync-seconds",
    type=float,
    default=0.5,
    show_default=True,
    help="Embedded emulator: how long a context upload or download takes.",
)
@click.pass_context
def demo(
    ctx: click.Context,
    local: bool,
    image_id: str,
    context_id: str | None,
    timeout: float,
    poll_interval: float | None,
    transition_seconds: float,
    stale_seconds: float,
    context_sync_seconds: float,
) -> None:
    """Run a session's whole lifecycle and show each step.

    create (with labels and a context), labels, info, link (port 30100), pause, resume, and
    delete with context sync. With no AGB_API_KEY and no --endpoint, against an emulator started
    on a free loopback port; otherwise against that service. Exits 0 only if every step
    succeeded.
    """
    options: GlobalOptions = ctx.find_object(GlobalOptions) or GlobalOptions()
    local = local or not (options.api_key or options.endpoint)
    out = sys.stdout
    progress = Progress.for_stream(out, indent=_INDENT)
    emulator = (transition_seconds, stale_seconds, context_sync_seconds)
    out.write(f"AGB demo: one session's lifecycle through the agb SDK {__version__}\n")
    started = time.monotonic()
    run = _Run(out, progress)
    with _target(options, progress, local, emulator, out) as (agb, is_local):
        interval = poll_interval or (LOCAL_POLL_INTERVAL if is_local else DEFAULT_POLL_INTERVAL)
        context = context_id or (LOCAL_CONTEXT_ID if is_local else None)
        out.write("\n")
        _lifecycle(run, agb, image_id, context, timeout, interval)
    seconds = time.monotonic() - started
    out.write("\n")
    if run.failed:
        out.write(
            f"{len(run.failed)} of {len(STEPS)} steps did not succeed ({', '.join(run.failed)}); "
            f"{seconds:.1f} s in all.\n"
        )
        ctx.exit(1)
    out.write(f"All {len(STEPS)} steps succeeded in {seconds:.1f} s.\n")
