"""Sessions that clean up after themselves, every page of a list, per-call options.

    python examples/guarded_sessions.py                    # against an emulator started here
    AGB_API_KEY=... python examples/guarded_sessions.py    # against AGB cloud (or AGB_ENDPOINT)

``agb.session(...)`` deletes (or pauses, or keeps) its session when the block ends, even on an
exception; ``iter_sessions`` walks every page; ``with_options`` changes the timeout, retries or
headers over the same connections. Every result is typed: ``unwrap()`` gives its data or raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator

from agb import AGB, Config, CreateSessionParams, SessionError


def main(agb: AGB, count: int = 3) -> list[str]:
    """Open ``count`` guarded sessions, list them page by page, and return their ids."""
    params = CreateSessionParams(image_id="agb-code-space-1", labels={"example": "guarded"})
    with contextlib.ExitStack() as stack:
        ids = [stack.enter_context(agb.session(params)).session_id for _ in range(count)]
        listed = [s.session_id for s in agb.iter_sessions({"example": "guarded"}, page_size=2)]
        print(f"opened {len(ids)}, listed {len(listed)} over pages of 2")
        labels: dict[str, str] = agb.get(ids[0]).unwrap().get_labels().unwrap()
        print(f"labels of the first: {labels}")
    quick = agb.with_options(timeout_ms=5_000, max_retries=0, extra_headers={"X-Example": "1"})
    try:
        quick.get(ids[0]).unwrap()
    except SessionError as error:  # every session was deleted on leaving the block
        print(f"after the block: {type(error).__name__}")
    return listed


async def amain(agb: AGB) -> str:
    """The async guard: the session is paused when the block ends; returns its status."""
    params = CreateSessionParams(image_id="agb-code-space-1", labels={"example": "guarded"})
    async with agb.session_async(params, on_exit="pause") as session:
        async for summary in agb.aiter_sessions({"example": "guarded"}):
            print(f"{summary.session_id}: {summary.status}")
    status = (await session.get_status_async()).status
    print(f"after the block: {status}")
    (await session.delete_async()).raise_for_status()
    return status


@contextlib.contextmanager
def connect() -> Iterator[AGB]:
    """AGB cloud when ``AGB_API_KEY`` is set, else an emulator on a free local port."""
    if os.environ.get("AGB_API_KEY"):
        with AGB() as agb:
            yield agb
        return
    from agb.emulator import EmulatorConfig, serve

    settings = EmulatorConfig(transition_seconds=0.5, stale_seconds=0.1, context_sync_seconds=0)
    with (
        serve(settings) as emulator,
        AGB(api_key="local", cfg=Config(endpoint=emulator.base_url)) as agb,
    ):
        yield agb


if __name__ == "__main__":
    with connect() as client:
        main(client)
        asyncio.run(amain(client))
