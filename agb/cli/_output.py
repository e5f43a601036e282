"""Turning results into text for people and JSON for scripts, and failures into one line."""

from __future__ import annotations

import json
from typing import Any

import attrs
import click

from agb._constants import INVALID_PARAMETER
from agb.exceptions import AGBError
from agb.model.response import ApiResponse
from agb.session import Session

__all__ = [
    "BadArguments",
    "CommandFailed",
    "describe_failure",
    "emit_json",
    "one_line",
    "refused_locally",
    "result_dict",
    "session_dict",
]


class CommandFailed(click.ClickException):
    """An expected failure: shown as one line on stderr, exit status 1 (no traceback)."""

    exit_code = 1


class BadArguments(CommandFailed):
    """The SDK refused an argument before sending anything: one line, exit status 2."""

    exit_code = 2


def refused_locally(result: ApiResponse) -> bool:
    """Whether ``result`` failed on an argument the SDK itself refused (nothing was sent)."""
    return result.code == INVALID_PARAMETER and result.http_status_code is None


def session_dict(session: Session) -> dict[str, Any]:
    """The JSON form of a :class:`~agb.Session` (its ids and URLs; never the client or key)."""
    return {
        "session_id": session.session_id,
        "image_id": session.image_id,
        "resource_url": session.resource_url,
        "app_instance_id": session.app_instance_id,
        "resource_id": session.resource_id,
        "link_url": session.link_url,
        "ws_url": session.ws_url,
    }


def _plain(_inst: Any, _field: Any, value: Any) -> Any:
    if isinstance(value, Session):
        return session_dict(value)
    return value


def result_dict(result: ApiResponse) -> dict[str, Any]:
    """The JSON form of a result: its fields, with ``error_type`` instead of the error object."""
    data = attrs.asdict(
        result, recurse=True, filter=lambda a, _v: a.name != "error", value_serializer=_plain
    )
    data["error_type"] = type(result.error).__name__ if result.error is not None else None
    return data


def emit_json(value: Any) -> None:
    """Print ``value`` as indented JSON on stdout."""
    click.echo(json.dumps(value, indent=2, sort_keys=True, default=str))


def one_line(text: object) -> str:
    """``text`` on one line, its runs of white space (newlines too) made single spaces."""
    return " ".join(str(text).split())


def describe_failure(what: str, result: ApiResponse) -> str:
    """One line saying why ``result`` failed: its typed error's text, or its error message."""
    if result.error is not None:
        reason = str(result.error)
    else:
        reason = result.error_message or result.message or "the operation failed"
        if result.request_id:
            reason += f" (request_id={result.request_id})"
    return one_line(f"{what}: {reason}")


def describe_error(what: str, error: AGBError | ValueError) -> str:
    """One line for an exception the SDK raised."""
    kind = type(error).__name__
    return one_line(f"{what} failed: {kind}: {error}")
