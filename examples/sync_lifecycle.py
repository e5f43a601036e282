"""One session's lifecycle with the sync API: create, label, pause, resume, delete.

    python examples/sync_lifecycle.py                    # against an emulator started here
    AGB_API_KEY=... python examples/sync_lifecycle.py    # against AGB cloud (or AGB_ENDPOINT)

Needs the ``emulator`` extra for the first form: ``pip install -e '.[demo]'``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from agb import AGB, Config, ContextSync
from agb.session_params import CreateSessionParams


def main(agb: AGB, poll_interval: float = 2.0) -> str:
    """Run the lifecycle on ``agb``; return the session's last status (``"FINISH"``)."""
    params = CreateSessionParams(
        image_id="agb-code-space-1",
        labels={"example": "sync-lifecycle"},
        context_syncs=[ContextSync("example-context", "/home/wuying/data")],  # default policy
    )
    created = agb.create(params)
    created.raise_for_status()  # a failed result raises its typed error (an AGBError)
    session = created.session
    assert session is not None
    print(f"created {session.session_id} (request {created.request_id})")
    try:
        session.set_labels({"example": "sync-lifecycle", "stage": "labelled"}).raise_for_status()
        print(f"labels: {session.get_labels().data}")

        paused = session.pause(timeout=300, poll_interval=poll_interval)
        if not paused.success:  # or check results instead of raising
            raise SystemExit(f"pause failed: {paused.code} {paused.error_message}")
        print(f"{paused.status} after {paused.elapsed:.1f} s (request {paused.request_id})")

        resumed = session.resume(timeout=300, poll_interval=poll_interval)
        resumed.raise_for_status()
        print(f"{resumed.status} after {resumed.elapsed:.1f} s")
    finally:
        deleted = session.delete(sync_context=True, poll_interval=poll_interval)
        print(f"deleted: {deleted.success}, context synced: {deleted.context_synced}")
    return deleted.status


@contextlib.contextmanager
def connect() -> Iterator[tuple[AGB, float]]:
    """AGB cloud when ``AGB_API_KEY`` is set, else an emulator on a free local port."""
    if os.environ.get("AGB_API_KEY"):
        with AGB() as agb:  # AGB_API_KEY, AGB_ENDPOINT and AGB_TIMEOUT_MS from the environment
            yield agb, 2.0
        return
    from agb.emulator import EmulatorConfig, serve

    # Quick transitions and instant context syncs: an emulator is only a stand-in.
    settings = EmulatorConfig(transition_seconds=0.5, stale_seconds=0.1, context_sync_seconds=0)
    with (
        serve(settings) as emulator,
        AGB(api_key="local", cfg=Config(endpoint=emulator.base_url)) as agb,
    ):
        yield agb, 0.1


if __name__ == "__main__":
    with connect() as (client, interval):
        main(client, interval)
