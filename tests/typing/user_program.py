# mypy: disallow-any-expr, disallow-any-explicit, disallow-any-decorated, disallow-any-generics
"""A user's program using every API of issue 14, checked by ``mypy --strict`` in CI with no
``Any`` allowed in any expression: each value the SDK hands out has a precise type.

It also runs (tests/facade/test_facade_api_user_program.py runs it against an emulator).
"""

from __future__ import annotations

import asyncio

from agb import (
    AGB,
    APIError,
    CreateSessionParams,
    GetSessionData,
    OnExit,
    OperationResult,
    Session,
    SessionError,
    SessionInfo,
    SessionSummary,
)

PARAMS = CreateSessionParams(image_id="agb-code-space-1", labels={"team": "typing"})


def describe_error(error: SessionError) -> str:
    """What a user prints of an error: the service's answer too, when it is an APIError."""
    text = f"{type(error).__name__} {error.code} {error.http_status_code} {error.request_id}"
    if isinstance(error, APIError):
        status: int | None = error.status_code
        body: str = error.body
        trace: str | None = error.headers.get("x-request-id")
        text += f" {status} {len(body)} {trace}"
    return text


def main(agb: AGB, on_exit: OnExit = "delete") -> list[str]:
    """Every sync feature; returns what it saw."""
    seen: list[str] = []
    session: Session = agb.create(PARAMS).unwrap()
    session.pause().raise_for_status()
    session.delete().raise_for_status()

    with agb.session(PARAMS, on_exit=on_exit) as guarded:
        labels: dict[str, str] = guarded.get_labels().unwrap()
        seen.append(labels["team"])
        link: str = guarded.get_link(port=30100).unwrap()
        seen.append(link[:4])
        result: OperationResult[SessionInfo] = guarded.info()
        info: SessionInfo = result.unwrap()
        seen.append("info" if info["session_id"] == guarded.session_id else "other")
        url: str | None = info.get("link_url")
        seen.append("no-link" if url is None else url)
        seen.append(f"{guarded.get_link_url()}|{guarded.get_token()}|{guarded.ws_url}")
        found: GetSessionData | None = agb.get_session(guarded.session_id).data
        seen.append(found.status if found is not None else "?")
        summaries: list[SessionSummary] = list(agb.iter_sessions({"team": "typing"}, 2))
        seen.append(f"listed {len(summaries)}")

    quick: AGB = agb.with_options(timeout_ms=5_000, max_retries=0, extra_headers={"X-T": "1"})
    missing = quick.get("session-that-does-not-exist")
    try:
        missing.unwrap()
    except SessionError as error:
        seen.append(describe_error(error).split(" ")[0])
    quick.close()
    return seen


async def amain(agb: AGB) -> list[str]:
    """Every async feature; returns what it saw."""
    seen: list[str] = []
    session: Session = (await agb.create_async(PARAMS)).unwrap()
    await session.delete_async()
    async with agb.session_async(PARAMS, on_exit="keep") as guarded:
        labels: dict[str, str] = (await guarded.get_labels_async()).unwrap()
        seen.append(labels["team"])
        info: SessionInfo = (await guarded.info_async()).unwrap()
        seen.append(info["resource_url"][:5])
        async for summary in agb.aiter_sessions(page_size=1):
            seen.append(summary.status)
    (await guarded.delete_async()).raise_for_status()
    return seen


if __name__ == "__main__":
    with AGB() as client:
        print(main(client))
        print(asyncio.run(amain(client)))
