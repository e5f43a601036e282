"""``agb sessions ...``: list, create, get, labels, info, link, pause, resume and delete."""

from __future__ import annotations

from typing import Any

import click

from agb._constants import (
    DEFAULT_DELETE_POLL_INTERVAL,
    DEFAULT_DELETE_TIMEOUT,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
from agb.cli._commands import (
    contexts_option,
    finish,
    json_option,
    labels_option,
    on_session,
    parse_labels,
    run_call,
    session_command,
    sessions,
    table,
    using_client,
    wait_options,
)
from agb.context_sync import ContextSync
from agb.session_params import CreateSessionParams

__all__ = ["parse_labels", "sessions"]


@sessions.command("list")
@labels_option("--label", "labels", "Only sessions with this label (repeatable; all must match).")
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
    with using_client(ctx) as agb:
        result = run_call(
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

    finish("list", result, as_json, show)


@sessions.command()
@click.option("--image", "image_id", required=True, help="Image to start, e.g. agb-code-space-1.")
@labels_option("--label", "labels", "Label to put on the session (repeatable).")
@contexts_option
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
    with using_client(ctx) as agb:
        result = run_call("create", lambda: agb.create(params))

    def show(result: Any) -> None:
        click.echo(result.session.session_id)
        click.echo(f"created from {image_id} (request {result.request_id})", err=True)

    finish("create", result, as_json, show)


def _show_details(result: Any) -> None:
    data = result.data
    names = ("session_id", "status", "resource_url", "app_instance_id", "resource_id")
    table([*((name, getattr(data, name)) for name in names), ("request_id", result.request_id)])


@session_command()
def get(ctx: click.Context, session_id: str, as_json: bool) -> None:
    """Show a session's status and details."""
    with using_client(ctx) as agb:
        result = run_call("get", lambda: agb.get_session(session_id))
    finish("get", result, as_json, _show_details)


@session_command(
    labels_option(
        "--set", "new_labels", "Replace the labels with these (repeatable), then show them."
    )
)
def labels(ctx: click.Context, session_id: str, new_labels: dict[str, str], as_json: bool) -> None:
    """Show a session's labels, or replace them with --set."""
    if new_labels:
        done = on_session(ctx, session_id, "set labels", lambda s: s.set_labels(new_labels))
        if not done.success:
            finish("set labels", done, as_json, lambda _r: None)
    result = on_session(ctx, session_id, "get labels", lambda s: s.get_labels())

    def show(result: Any) -> None:
        for key, value in sorted(result.data.items()):
            click.echo(f"{key}={value}")

    finish("get labels", result, as_json, show)


@session_command()
def info(ctx: click.Context, session_id: str, as_json: bool) -> None:
    """Show a session's resource details."""
    result = on_session(ctx, session_id, "info", lambda s: s.info())

    def show(result: Any) -> None:
        rows = [(key, "" if value is None else str(value)) for key, value in result.data.items()]
        table([*rows, ("request_id", result.request_id)])

    finish("info", result, as_json, show)


@session_command(
    click.option("--port", type=int, default=None, help="Port inside the session (30100-30199)."),
    click.option("--protocol", "protocol_type", default=None, help="Protocol, e.g. https."),
)
def link(
    ctx: click.Context, session_id: str, port: int | None, protocol_type: str | None, as_json: bool
) -> None:
    """Print a URL that reaches a port of the session."""
    result = on_session(ctx, session_id, "link", lambda s: s.get_link(protocol_type, port))
    finish("link", result, as_json, lambda result: click.echo(result.data))


def _show_wait(result: Any) -> None:
    click.echo(f"{result.status} after {result.elapsed:.2f} s (request {result.request_id or '-'})")


def _change_command(name: str, waiting: str, doc: str) -> click.Command:
    """``pause`` or ``resume``: ask for the change and show the wait until it is done."""

    def command(
        ctx: click.Context, session_id: str, timeout: float, poll_interval: float, as_json: bool
    ) -> None:
        def action(session: Any) -> Any:
            return getattr(session, name)(timeout, poll_interval)

        finish(name, on_session(ctx, session_id, name, action, waiting), as_json, _show_wait)

    command.__name__ = name
    command.__doc__ = doc
    return session_command(*wait_options(DEFAULT_WAIT_TIMEOUT, DEFAULT_POLL_INTERVAL))(command)


pause = _change_command("pause", "pausing", "Pause a session and wait until it is PAUSED.")
resume = _change_command(
    "resume", "resuming", "Resume a paused session and wait until it is RUNNING."
)


@session_command(
    click.option(
        "--sync-context", is_flag=True, help="Upload the session's contexts first, then delete."
    ),
    *wait_options(DEFAULT_DELETE_TIMEOUT, DEFAULT_DELETE_POLL_INTERVAL),
)
def delete(
    ctx: click.Context,
    session_id: str,
    sync_context: bool,
    timeout: float,
    poll_interval: float,
    as_json: bool,
) -> None:
    """Delete a session and wait until it is gone."""

    def action(session: Any) -> Any:
        return session.delete(sync_context, timeout=timeout, poll_interval=poll_interval)

    result = on_session(ctx, session_id, "delete", action, "deleting")

    def show(result: Any) -> None:
        _show_wait(result)
        if result.context_synced is not None:
            synced = "yes" if result.context_synced else f"no ({result.context_sync_error})"
            click.echo(f"context synced: {synced}")

    finish("delete", result, as_json, show)
