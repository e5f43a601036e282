"""The plan of :meth:`agb.AGB.list`: one page of sessions, reached by page number or token.

This module defines a plan named ``list``: the builtin is ``builtins.list`` here.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping

from agb._checks import check_list, invalid
from agb._effects import Call, Plan
from agb._envelope import Reply
from agb._plans.sessions import labels_json
from agb._reading import failed, integer, malformed, succeeded, text
from agb._retry import RetryPolicy, request
from agb.model.response import SessionListResult, SessionSummary
from agb_api_client.api.sessions import list_sessions
from agb_api_client.models import SessionSummary as WireSessionSummary
from agb_api_client.types import UNSET

__all__ = ["list"]

DEFAULT_PAGE_SIZE = 10


def _page(labels: Mapping[str, str], size: int, token: str) -> Call:
    kwargs = {"labels": labels_json(labels), "max_results": size, "next_token": token or UNSET}
    return Call("listSessions", list_sessions, kwargs, idempotent=True)


def _read_page(reply: Reply, size: int, token: str) -> SessionListResult:
    model = reply.model
    rows = model.data
    if rows is None or rows is UNSET:
        rows = []  # an empty page may come without data
    if not isinstance(rows, builtins.list) or not all(
        isinstance(r, WireSessionSummary) for r in rows
    ):
        return failed(
            SessionListResult, malformed(reply, "data is not a list of sessions"), max_results=size
        )
    sessions = [
        SessionSummary(session_id=text(row.session_id), status=text(row.session_status))
        for row in rows
        if text(row.session_id)
    ]
    return succeeded(
        SessionListResult,
        reply,
        session_ids=[item.session_id for item in sessions],
        sessions=sessions,
        next_token=token,
        max_results=integer(model.max_results, size),
        total_count=integer(model.count),
    )


def list(
    policy: RetryPolicy,
    labels: object,
    page: object,
    limit: object,
    next_token: object,
) -> Plan[SessionListResult]:
    """One page of sessions matching ``labels``; ``page`` is 1-based and walks the tokens."""
    labels = {} if labels is None else labels
    problem = check_list(labels, page, limit, next_token)
    if problem:
        return invalid(SessionListResult, problem)
    assert isinstance(labels, Mapping)
    size = limit if isinstance(limit, int) else DEFAULT_PAGE_SIZE
    token = next_token if isinstance(next_token, str) else ""
    wanted = page if isinstance(page, int) else 1
    for number in range(1, wanted + 1):
        reply = yield from request(policy, _page(labels, size, token))
        if not reply.ok:
            why = reply.error.message if reply.error else "the operation failed"
            if wanted > 1:
                why = f"cannot reach page {wanted}: {why}"
            return failed(SessionListResult, reply, error_message=why, max_results=size)
        token = text(reply.model.next_token)
        if number < wanted and not token:
            return invalid(
                SessionListResult,
                f"cannot reach page {wanted}: there are only {number} pages",
                request_id=reply.request_id,
                max_results=size,
                total_count=integer(reply.model.count),
            )
    return _read_page(reply, size, token)
