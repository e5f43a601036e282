"""``agb sessions ...``: list, create, inspect, pause, resume and delete sessions."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from agb._constants import (
    DEFAULT_DELETE_POLL_INTERVAL,
    DEFAULT_DELETE_TIMEOUT,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
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
from agb.session_params import CreateSessionParams

__all__ = ["parse_labels", "sessions"]

R = TypeVar("R", bound=ApiResponse)


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


session_id_argument = click.argument("session_id", metavar="ID", callback=_session_id)

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON on stdout (for scripts)."
)


def _wait_options(timeout: float, interval: float) -> Callable[[Any], Any]:
    def decorate(command: Any) -> Any:
        command = click.option(
            "--poll-interval",
            type=click.FloatRange(min=0, min_open=True),
            default=interval,
            show_default=True,
            help="Seconds between status polls.",
        )(command)
        return click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=timeout,
            show_default=True,
            help="Seconds to wait in all.",
        )(command)

    return decorate


@contextmanager
def _client(ctx: click.Context, progress: Progress | None = None) -> Iterator[AGB]:
    options: GlobalOptions = ctx.find_object(GlobalOptions) or GlobalOptions()
    with options.client(progress) as agb:
        yield agb


def _call(what: str, action: Callable[[], R]) -> R:
    """Run an SDK call, turning the errors it may raise into a one-line failure."""
    try:
        return action()
    except (AGBError, ValueError) as error:
        raise CommandFailed(describe_error(what, error)) from None


def _finish(what: str, result: R, as_json: bool, show: Callable[[R], None]) -> None:
    """Print ``result`` (JSON or ``show``); a failed result ends the command with status 1."""
    if as_json:
        emit_json(result_dict(result))
    elif result.success:
        show(result)
    if not result.success:
        failed = BadArguments if refused_locally(result) else CommandFailed
        raise failed(describe_failure(what, result))


def _session(agb: AGB, session_id: str) -> Session:
    try:
        return Session(agb, session_id)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'ID'") from None


def _table(rows: list[tuple[str, str]]) -> None:
    width = max(len(key) for key, _ in rows) + 2
    for key, value in rows:
        click.echo(f"{key + ':':<{width}}{value}")


@cli.group()
def sessions() -> None:
    """List, create, inspect, pause, resume and delete sessions.

    Every command takes --json for machine-readable output; progress of waits goes to stderr.
    """


@sessions.command("list")
@click.option(
    "--label",
    "labels",
    multiple=True,
    callback=parse_labels,
    metavar="KEY=VALUE",
    help="Only sessions with this label (repeatable; all must match).",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Sessions per page [10].")
@click.option("--page", type=click.IntRange(min=1), default=None, help="Page number, from 1.")
@click.option("--next-token", default=None, help="Start from this token of a previous page.")
@json_option
@click.pass_context
def list_sessions(
    ctx: click.Context,
    labels: dict[str, str],
    limit: int | None,
    page: int | None,
    next_token: str | None,
    as_json: bool,
) -> None:
    """List sessions, optionally only those with given labels."""
    with _client(ctx) as agb:
        result = _call(
            "list",
            lambda: agb.list(labels=labels or None, page=page, limit=limit, next_token=next_token),
        )

    def show(result: Any) -> None:
        width = max([len("SESSION ID"), *(len(s.session_id) for s in result.sessions)]) + 2
        click.echo(f"{'SESSION ID':<{width}}STATUS")
        for summary in result.sessions:
            click.echo(f"{summary.session_id:<{width}}{summary.status}")
        click.echo(
            f"{len(result.sessions)} shown, {result.total_count} matching "
            f"({result.max_results} per page)"
        )
        if result.next_token:
            click.echo(f"next page: --next-token {result.next_token}")

    _finish("list", result, as_json, show)


@sessions.command()
@click.option("--image", "image_id", required=True, help="Image to start, e.g. agb-code-space-1.")
@click.option(
    "--label",
    "labels",
    multiple=True,
    callback=parse_labels,
    metavar="KEY=VALUE",
    help="Label to put on the session (repeatable).",
)
@click.option(
    "--context",
    "contexts",
    multiple=True,
    callback=_parse_contexts,
    metavar="CONTEXT_ID:PATH",
    help="Mount a persistent context at PATH, default sync policy (repeatable).",
)
@click.option(
    "--idle-release-timeout",
    type=click.IntRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Release the session after this much idleness (service default otherwise).",
)
@json_option
@click.pass_context
def create(
    ctx: click.Context,
    image_id: str,
    labels: dict[str, str],
    contexts: list[ContextSync],
    idle_release_timeout: int | None,
    as_json: bool,
) -> None:
    """Create a session and print its id."""
    params = CreateSessionParams(
        labels=labels,
        image_id=image_id,
        context_syncs=contexts,
        idle_release_timeout=idle_release_timeout,
    )
    with _client(ctx) as agb:
        result = _call("create", lambda: agb.create(params))

    def show(result: Any) -> None:
        click.echo(result.session.session_id)
        click.echo(f"created from {image_id} (request {result.request_id})", err=True)

    _finish("create", result, as_json, show)


@sessions.command()
@session_id_argument
@json_option
@click.pass_context
def get(ctx: click.Context, session_id: str, as_json: bool) -> None:
    """Show a session's status and details."""
    with _client(ctx) as agb:
        result = _call("get", lambda: agb.get_session(session_id))

    def show(result: Any) -> None:
        data = result.data
        _table(
            [
                ("session_id", data.session_id),
                ("status", data.status),
                ("resource_url", data.resource_url),
                ("app_instance_id", data.app_instance_id),
                ("resource_id", data.resource_id),
                ("request_id", result.request_id),
            ]
        )

    _finish("get", result, as_json, show)


@sessions.command()
@session_id_argument
@click.option(
    "--set",
    "new_labels",
    multiple=True,
    callback=parse_labels,
    metavar="KEY=VALUE",
    help="Replace the labels with these (repeatable), then show them.",
)
@json_option
@click.pass_context
def labels(ctx: click.Context, session_id: str, new_labels: dict[str, str], as_json: bool) -> None:
    """Show a session's labels, or replace them with --set."""
    with _client(ctx) as agb:
        session = _session(agb, session_id)
        if new_labels:
            done = _call("set labels", lambda: session.set_labels(new_labels))
            if not done.success:
                _finish("set labels", done, as_json, lambda _r: None)
        result = _call("get labels", session.get_labels)

    def show(result: Any) -> None:
        for key, value in sorted(result.data.items()):
            click.echo(f"{key}={value}")

    _finish("get labels", result, as_json, show)


@sessions.command()
@session_id_argument
@json_option
@click.pass_context
def info(ctx: click.Context, session_id: str, as_json: bool) -> None:
    """Show a session's resource details."""
    with _client(ctx) as agb:
        session = _session(agb, session_id)
        result = _call("info", session.info)

    def show(result: Any) -> None:
        rows = [(key, "" if value is None else str(value)) for key, value in result.data.items()]
        _table([*rows, ("request_id", result.request_id)])

    _finish("info", result, as_json, show)


@sessions.command()
@session_id_argument
@click.option("--port", type=int, default=None, help="Port inside the session (30100-30199).")
@click.option("--protocol", "protocol_type", default=None, help="Protocol, e.g. https.")
@json_option
@click.pass_context
def link(
    ctx: click.Context,
    session_id: str,
    port: int | None,
    protocol_type: str | None,
    as_json: bool,
) -> None:
    """Print a URL that reaches a port of the session."""
    with _client(ctx) as agb:
        session = _session(agb, session_id)
        result = _call("link", lambda: session.get_link(protocol_type=protocol_type, port=port))
    _finish("link", result, as_json, lambda result: click.echo(result.data))


def _waiting(
    ctx: click.Context, session_id: str, what: str, label: str, run: Callable[[Session], R]
) -> R:
    """Run a call that waits, showing the statuses it sees on stderr."""
    progress = Progress.for_stream(sys.stderr)
    with _client(ctx, progress) as agb:
        session = _session(agb, session_id)
        progress.start(f"{label} {session_id}")
        try:
            return _call(what, lambda: run(session))
        finally:
            progress.stop()


def _show_wait(result: Any) -> None:
    click.echo(f"{result.status} after {result.elapsed:.2f} s (request {result.request_id or '-'})")


@sessions.command()
@session_id_argument
@_wait_options(DEFAULT_WAIT_TIMEOUT, DEFAULT_POLL_INTERVAL)
@json_option
@click.pass_context
def pause(
    ctx: click.Context, session_id: str, timeout: float, poll_interval: float, as_json: bool
) -> None:
    """Pause a session and wait until it is PAUSED."""
    result = _waiting(
        ctx, session_id, "pause", "pausing", lambda session: session.pause(timeout, poll_interval)
    )
    _finish("pause", result, as_json, _show_wait)


@sessions.command()
@session_id_argument
@_wait_options(DEFAULT_WAIT_TIMEOUT, DEFAULT_POLL_INTERVAL)
@json_option
@click.pass_context
def resume(
    ctx: click.Context, session_id: str, timeout: float, poll_interval: float, as_json: bool
) -> None:
    """Resume a paused session and wait until it is RUNNING."""
    result = _waiting(
        ctx,
        session_id,
        "resume",
        "resuming",
        lambda session: session.resume(timeout, poll_interval),
    )
    _finish("resume", result, as_json, _show_wait)


@sessions.command()
@session_id_argument
@click.option(
    "--sync-context", is_flag=True, help="Upload the session's contexts first, then delete."
)
@_wait_options(DEFAULT_DELETE_TIMEOUT, DEFAULT_DELETE_POLL_INTERVAL)
@json_option
@click.pass_context
def delete(
    ctx: click.Context,
    session_id: str,
    sync_context: bool,
    timeout: float,
    poll_interval: float,
    as_json: bool,
) -> None:
    """Delete a session and wait until it is gone."""
    result = _waiting(
        ctx,
        session_id,
        "delete",
        "deleting",
        lambda session: session.delete(
            sync_context=sync_context, timeout=timeout, poll_interval=poll_interval
        ),
    )

    def show(result: Any) -> None:
        _show_wait(result)
        if result.context_synced is not None:
            synced = "yes" if result.context_synced else f"no ({result.context_sync_error})"
            click.echo(f"context synced: {synced}")

    _finish("delete", result, as_json, show)
