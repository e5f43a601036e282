"""What the ``agb sessions`` commands share: argument parsing, the client, running a call and
printing its result (``--json`` or text), with failures as one line and the right exit status."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from agb.cli._app import GlobalOptions, cli
from agb.cli._output import (
    BadArguments,
    CommandFailed,
    describe_error,
    describe_failure,
    emit_json,
    refused_locally,
    result_dict,
)
from agb.cli._progress import Progress
from agb.client import AGB
from agb.context_sync import ContextSync
from agb.exceptions import AGBError
from agb.model.response import ApiResponse
from agb.session import Session

__all__ = [
    "contexts_option",
    "finish",
    "json_option",
    "labels_option",
    "on_session",
    "parse_labels",
    "run_call",
    "session_command",
    "sessions",
    "table",
    "using_client",
    "wait_options",
]

R = TypeVar("R", bound=ApiResponse)
F = TypeVar("F", bound=Callable[..., Any])


@cli.group()
def sessions() -> None:
    """List, create, inspect, pause, resume and delete sessions.

    Every command takes --json for machine-readable output; progress of waits goes to stderr.
    """


def parse_labels(
    _ctx: click.Context | None, _param: click.Parameter | None, values: tuple[str, ...]
) -> dict[str, str]:
    """Turn ``KEY=VALUE`` arguments into a dict (a click callback).

    Raises:
        click.BadParameter: If an item has no ``=`` or an empty key.
    """
    labels: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}")
        labels[key.strip()] = value
    return labels


def _parse_contexts(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> list[ContextSync]:
    syncs = []
    for item in values:
        context_id, sep, path = item.partition(":")
        if not sep or not context_id.strip() or not path.strip():
            raise click.BadParameter(f"expected CONTEXT_ID:PATH, got {item!r}")
        syncs.append(ContextSync(context_id.strip(), path.strip()))
    return syncs


def _session_id(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not value.strip():
        raise click.BadParameter("a session id cannot be empty")
    return value.strip()


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON on stdout (for scripts)."
)


def labels_option(flag: str, dest: str, help_text: str) -> Callable[[F], F]:
    """A repeatable ``KEY=VALUE`` option, given to the command as a dict."""
    return click.option(
        flag, dest, multiple=True, callback=parse_labels, metavar="KEY=VALUE", help=help_text
    )


contexts_option = click.option(
    "--context",
    "contexts",
    multiple=True,
    callback=_parse_contexts,
    metavar="CONTEXT_ID:PATH",
    help="Mount a persistent context at PATH, default sync policy (repeatable).",
)


def session_command(
    *options: Callable[[Any], Any],
) -> Callable[[Callable[..., None]], click.Command]:
    """``@sessions.command()`` taking a session ``ID``, ``options``, ``--json`` and the context."""

    def decorate(command: Callable[..., None]) -> click.Command:
        wrapped: Any = click.pass_context(command)
        for option in (json_option, *reversed(options)):
            wrapped = option(wrapped)
        wrapped = click.argument("session_id", metavar="ID", callback=_session_id)(wrapped)
        return sessions.command()(wrapped)

    return decorate


def wait_options(timeout: float, interval: float) -> tuple[Callable[[Any], Any], ...]:
    """``--timeout`` and ``--poll-interval`` with these defaults."""
    seconds = click.FloatRange(min=0, min_open=True)
    wait: dict[str, Any] = {"type": seconds, "show_default": True}
    return (
        click.option("--timeout", default=timeout, help="Seconds to wait in all.", **wait),
        click.option(
            "--poll-interval", default=interval, help="Seconds between status polls.", **wait
        ),
    )


@contextmanager
def using_client(ctx: click.Context, progress: Progress | None = None) -> Iterator[AGB]:
    """The client the global options describe, closed at the end."""
    options: GlobalOptions = ctx.find_object(GlobalOptions) or GlobalOptions()
    with options.client(progress) as agb:
        yield agb


def run_call(what: str, action: Callable[[], R]) -> R:
    """Run an SDK call, turning the errors it may raise into a one-line failure."""
    try:
        return action()
    except (AGBError, ValueError) as error:
        raise CommandFailed(describe_error(what, error)) from None


def _session(agb: AGB, session_id: str) -> Session:
    try:
        return Session(agb, session_id)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'ID'") from None


def on_session(
    ctx: click.Context,
    session_id: str,
    what: str,
    action: Callable[[Session], R],
    waiting: str = "",
) -> R:
    """Run ``action`` on the session ``session_id``; with ``waiting`` (e.g. ``"pausing"``),
    show the statuses its wait sees on stderr."""
    progress = Progress.for_stream(sys.stderr) if waiting else None
    with using_client(ctx, progress) as agb:
        session = _session(agb, session_id)
        if progress is None:
            return run_call(what, lambda: action(session))
        progress.start(f"{waiting} {session_id}")
        try:
            return run_call(what, lambda: action(session))
        finally:
            progress.stop()


def finish(what: str, result: R, as_json: bool, show: Callable[[R], None]) -> None:
    """Print ``result`` (JSON or ``show``); a failed result ends the command with status 1, or
    2 when the SDK refused an argument before sending anything."""
    if as_json:
        emit_json(result_dict(result))
    elif result.success:
        show(result)
    if not result.success:
        failed = BadArguments if refused_locally(result) else CommandFailed
        raise failed(describe_failure(what, result))


def table(rows: list[tuple[str, str]]) -> None:
    """Print ``key: value`` rows, the values lined up."""
    width = max(len(key) for key, _ in rows) + 2
    for key, value in rows:
        click.echo(f"{key + ':':<{width}}{value}")
