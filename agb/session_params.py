"""Parameters of :meth:`agb.AGB.create`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attrs import define, field

from agb.context_sync import ContextSync

__all__ = ["CreateSessionParams"]


def _as_list(value: Iterable[ContextSync] | None) -> list[ContextSync]:
    return [] if value is None else list(value)


@define
class CreateSessionParams:
    """What session to create.

    Args:
        labels: Labels to put on the session (string keys to string values).
        image_id: The image to start, e.g. ``"agb-code-space-1"`` (required by the service).
        context_syncs: Persistent contexts to mount into the session.
        policy_id: Id of an MCP policy to apply (optional).
        idle_release_timeout: Seconds of idleness after which the service releases the
            session (optional; the service's default otherwise).
    """

    labels: Mapping[str, str] | None = field(default=None)
    image_id: str | None = None
    context_syncs: list[ContextSync] = field(factory=list, converter=_as_list)
    policy_id: str | None = field(default=None, kw_only=True)
    idle_release_timeout: int | None = field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.labels is None:
            self.labels = {}
