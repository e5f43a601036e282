"""Every operation of the facade, written once as a plan, by topic; each is named as the method
it serves.

A plan checks its input, yields effects (:mod:`agb._effects`) and returns a result. It holds
no I/O, so the sync and async methods of :class:`~agb.AGB` and :class:`~agb.Session` share it,
and tests drive it with scripted replies and any clock (``tests/plans``). Plans that find a
session return a :class:`Found` record; the facade makes the :class:`~agb.Session`.

This package imports the whole generated client, so the facade loads it on first use.
"""

from agb._plans.details import get_labels, get_link, get_status, info, keep_alive, set_labels
from agb._plans.lifecycle import delete, pause, resume, wait_for
from agb._plans.listing import list
from agb._plans.sessions import Found, SessionRecord, create, get, get_session

__all__ = [
    "Found",
    "SessionRecord",
    "create",
    "delete",
    "get",
    "get_labels",
    "get_link",
    "get_session",
    "get_status",
    "info",
    "keep_alive",
    "list",
    "pause",
    "resume",
    "set_labels",
    "wait_for",
]
