"""Fan out with the async API: create N sessions, pause them all at once, resume, delete.

    python examples/async_fanout.py [N]                  # against an emulator started here
    AGB_API_KEY=... python examples/async_fanout.py 3    # against AGB cloud (or AGB_ENDPOINT)

Every ``*_async`` method waits with ``asyncio.sleep``, so the N waits overlap: pausing ten
sessions takes about as long as pausing one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Iterator

from agb import AGB, Config, Session
from agb.session_params import CreateSessionParams


async def main(agb: AGB, count: int = 5, poll_interval: float = 2.0) -> dict[str, int]:
    """Create ``count`` sessions, pause and resume them concurrently, delete them.

    Returns how many sessions reached each step, e.g. ``{"paused": 5, "resumed": 5, ...}``.
    """
    async with agb:  # closes both connection pools at the end
        params = [
            CreateSessionParams(image_id="agb-code-space-1", labels={"fanout": str(index)})
            for index in range(count)
        ]
        created = await asyncio.gather(*(agb.create_async(p) for p in params))
        sessions: list[Session] = [r.session for r in created if r.success and r.session]
        print(f"created {len(sessions)} of {count}")
        counts = {"created": len(sessions)}
        try:
            for step in ("pause", "resume"):
                started = time.monotonic()
                results = await asyncio.gather(
                    *(getattr(s, f"{step}_async")(300, poll_interval) for s in sessions)
                )
                ok = sum(result.success for result in results)
                counts[f"{step}d"] = ok
                print(f"{step}d {ok} of {len(sessions)} in {time.monotonic() - started:.1f} s")
                for result in results:
                    if not result.success:
                        print(f"  {result.code}: {result.error_message}")
        finally:
            deleted = await asyncio.gather(
                *(s.delete_async(poll_interval=poll_interval) for s in sessions)
            )
            counts["deleted"] = sum(result.success for result in deleted)
            print(f"deleted {counts['deleted']} of {len(sessions)}")
    return counts


@contextlib.contextmanager
def connect() -> Iterator[tuple[AGB, float]]:
    """AGB cloud when ``AGB_API_KEY`` is set, else an emulator on a free local port."""
    if os.environ.get("AGB_API_KEY"):
        yield AGB(), 2.0  # AGB_API_KEY, AGB_ENDPOINT and AGB_TIMEOUT_MS from the environment
        return
    from agb.emulator import EmulatorConfig, serve

    # Quick transitions and instant context syncs: an emulator is only a stand-in.
    settings = EmulatorConfig(transition_seconds=0.5, stale_seconds=0.1, context_sync_seconds=0)
    with serve(settings) as emulator:
        yield AGB(api_key="local", cfg=Config(endpoint=emulator.base_url)), 0.1


if __name__ == "__main__":
    how_many = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with connect() as (client, interval):
        client.warm_up()  # the async path's imports now, before the loop: no stall in it
        asyncio.run(main(client, how_many, interval))
