"""A session's record and its state machine: statuses computed from the clock, paging tokens."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Final

import attrs

from agb.emulator._config import EmulatorConfig
from agb.emulator._errors import invalid

RUNNING: Final = "RUNNING"
PAUSING: Final = "PAUSING"
PAUSED: Final = "PAUSED"
RESUMING: Final = "RESUMING"
DELETING: Final = "DELETING"
FINISH: Final = "FINISH"

_TOOLS: Final = json.dumps(
    [
        {"name": "shell", "server": "mcp-server"},
        {"name": "run_code", "server": "mcp-server"},
        {"name": "read_file", "server": "filesystem"},
        {"name": "write_file", "server": "filesystem"},
    ],
    separators=(",", ":"),
)


@attrs.define(eq=False)
class Task:
    """A context synchronisation task of a session."""

    context_id: str
    path: str
    task_type: str
    started: float
    fail_message: str | None


@attrs.define(eq=False)
class Session:
    """One session: what create gave it and the last operation accepted on it."""

    session_id: str
    seq: int
    image_id: str
    created_at: float
    labels: dict[str, str]
    persistence: list[tuple[str, str]]
    mcp_policy_id: str
    timeout: int
    app_instance_id: str
    resource_id: str
    auth_code: str
    ticket: str
    token: str
    op: str | None = None  # last accepted "pause" / "resume" / "release"
    op_at: float = 0.0
    last_refresh: float = 0.0
    idle_check_pending: bool = False  # one idle-heap entry per session at most
    tasks: dict[tuple[str, str, str], Task] = attrs.Factory(dict)


def phase(s: Session, now: float, config: EmulatorConfig) -> str:
    """The session's real status at ``now`` (``FINISH`` once a release has ended)."""
    if s.op is None:
        return RUNNING
    settled = now - s.op_at >= config.transition_seconds
    if s.op == "pause":
        return PAUSED if settled else PAUSING
    if s.op == "resume":
        return RUNNING if settled else RESUMING
    return FINISH if settled else DELETING


def shown(s: Session, now: float, config: EmulatorConfig) -> str:
    """The status get session reports: the old one for ``stale_seconds`` after pause/resume."""
    if s.op in ("pause", "resume") and now - s.op_at < config.stale_seconds:
        return RUNNING if s.op == "pause" else PAUSED
    return phase(s, now, config)


def idle_deadline(s: Session, config: EmulatorConfig) -> float | None:
    """When the session idles out if nothing keeps it alive; ``None``: it cannot now."""
    if s.timeout <= 0:
        return None
    if s.op is None:
        since = s.created_at
    elif s.op == "resume":
        since = s.op_at + config.transition_seconds
    else:
        return None  # paused, pausing or deleting sessions do not idle out
    return max(since, s.last_refresh) + s.timeout


def task_status(task: Task, now: float, config: EmulatorConfig) -> tuple[str, float | None]:
    """A task's status at ``now`` and, once it has ended, the clock reading it ended at."""
    duration = config.context_sync_seconds
    elapsed = now - task.started
    if elapsed >= duration:
        return ("Failed" if task.fail_message else "Success"), task.started + duration
    return ("Pending" if elapsed < duration / 4 else "Running"), None


def task_view(task: Task, status: str, start_time: int, finish_time: int) -> dict[str, Any]:
    """A task as GetContextInfo shows it."""
    return {
        "contextId": task.context_id,
        "path": task.path,
        "errorMessage": (task.fail_message or "") if status == "Failed" else "",
        "status": status,
        "startTime": start_time,
        "finishTime": finish_time,
        "taskType": task.task_type,
    }


def _resource_url(s: Session) -> str:
    return f"https://resource.agb.invalid/?resourceId={s.resource_id}&authcode={s.auth_code}"


def created_data(s: Session) -> dict[str, Any]:
    """createSession's ``data`` for a new session."""
    return {
        "sessionId": s.session_id,
        "resourceUrl": _resource_url(s),
        "appInstanceId": s.app_instance_id,
        "resourceId": s.resource_id,
        "success": True,
        "errMsg": "",
        "taskId": "",
        "linkUrl": f"https://{s.session_id}.link.agb.invalid/",
        "wsUrl": f"wss://{s.session_id}.ws.agb.invalid/",
        "token": s.token,
        "toolList": _TOOLS,
    }


def session_data(s: Session, status: str) -> dict[str, Any]:
    """getSession's ``data``, showing ``status``."""
    return {
        "sessionId": s.session_id,
        "appInstanceId": s.app_instance_id,
        "resourceId": s.resource_id,
        "resourceUrl": _resource_url(s),
        "status": status,
    }


def resource_data(s: Session) -> dict[str, Any]:
    """getMcpResource's ``data``."""
    return {
        "sessionId": s.session_id,
        "resourceUrl": _resource_url(s),
        "desktopInfo": {
            "appId": s.app_instance_id,
            "authCode": s.auth_code,
            "connectionProperties": json.dumps(
                {"imageId": s.image_id, "region": "emulator-local-1", "protocol": "https"},
                separators=(",", ":"),
            ),
            "resourceId": s.resource_id,
            "resourceType": "AIAgent",
            "ticket": s.ticket,
        },
    }


def encode_token(kind: str, position: int) -> str:
    """An opaque paging token."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_token(kind: str, token: str) -> int:
    """The position in an opaque paging token; ``ApiError`` when it is not one of ours."""
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise invalid("nextToken is not a token this service issued") from None
    prefix, _, number = raw.partition(":")
    if prefix != kind or not number.isdigit() or len(number) > 18:
        raise invalid("nextToken is not a token this service issued")
    return int(number)
