"""Fixtures of the cassette-backed tests (``tests.support.cassettes`` says how recording and
replay work).

* ``vcr_config`` / ``vcr_cassette_dir`` / ``default_cassette_name``: pytest-recording settings.
  One cassette per scenario, ``tests/cassettes/<module>/<test>.yaml``: the ``[sync]`` and
  ``[async]`` variants share it. Nothing here sets a record mode: CI replays with
  ``--record-mode=none`` (pyproject's addopts), ``scripts/record_cassettes.py`` records.
* ``rig``: the AGB under test, on a live seeded emulator (record mode) or on nothing at all
  (replay), with the waits it asked for. After the test it checks that the cassette was played
  completely and that every scripted fault fired.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from agb.emulator import EmulatorConfig, ManualClock, serve
from tests.support.cassettes import (
    CASSETTES,
    CONTEXT_SYNC_SECONDS,
    ORIGIN,
    RECORDING_KEY,
    RETRY_AFTER_SECONDS,
    SEED,
    STALE_SECONDS,
    TRANSITION_SECONDS,
    VCR_CONFIG,
    Rig,
    query_sans_sdk_version,
    unplayed,
)

HERE = Path(__file__).resolve().parent


def _recording(config: pytest.Config) -> bool:
    return config.getoption("--record-mode") not in (None, "none")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "emulator(**settings): EmulatorConfig fields of the recording emulator, beside the "
        "replay suite's own (e.g. pause_supported=False)",
    )


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("query_sans_sdk_version", query_sans_sdk_version)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """When recording, run only the sync variants of the scenarios.

    The async variant replays the sync variant's cassette; recording it too would overwrite the
    cassette (pytest-recording's rewrite deletes it first). Tests that are not scenarios read the
    committed cassettes, which are being rewritten, so they wait for the replay run.
    """
    if not _recording(config):
        return
    keep, drop = [], []
    for item in items:
        if not Path(str(item.path)).is_relative_to(HERE):
            keep.append(item)
            continue
        callspec = getattr(item, "callspec", None)
        variant = callspec.params.get("variant") if callspec is not None else None
        (keep if variant == "sync" else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    return dict(VCR_CONFIG)


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.path.stem)


@pytest.fixture
def default_cassette_name(request: pytest.FixtureRequest) -> str:
    """The test's name without its ``[sync]`` / ``[async]`` id: both variants share it."""
    node = request.node
    return getattr(node, "originalname", None) or node.name


@pytest.fixture(params=["sync", "async"])
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def emulator_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def live_emulator(
    request: pytest.FixtureRequest, record_mode: str, emulator_clock: ManualClock
) -> Iterator[Any]:
    """A fresh emulator for this test when recording (its ``emulator`` marker's settings on
    top of the suite's); ``None`` in replay."""
    if record_mode == "none":
        yield None
        return
    marker = request.node.get_closest_marker("emulator")
    config = EmulatorConfig(
        api_key=RECORDING_KEY,
        seed=SEED,
        clock=emulator_clock,
        transition_seconds=TRANSITION_SECONDS,
        stale_seconds=STALE_SECONDS,
        context_sync_seconds=CONTEXT_SYNC_SECONDS,
        retry_after_seconds=RETRY_AFTER_SECONDS,
        **(marker.kwargs if marker else {}),
    )
    with serve(config) as server:
        yield server


@pytest.fixture
async def rig(
    vcr: Any,
    variant: str,
    default_cassette_name: str,
    vcr_cassette_dir: str,
    live_emulator: Any,
    emulator_clock: ManualClock,
) -> AsyncIterator[Rig]:
    """The scenario's AGB and its waits; afterwards, the checks that the replay was faithful."""
    if vcr is None:
        pytest.fail("the rig needs the vcr marker (pytestmark = pytest.mark.vcr)")
    recording = live_emulator is not None
    if not recording:
        path = Path(vcr_cassette_dir) / f"{default_cassette_name}.yaml"
        if not path.is_file():
            pytest.fail(
                f"cassette {path.relative_to(CASSETTES.parent.parent)} is missing: "
                "re-record with `.venv/bin/python scripts/record_cassettes.py`",
                pytrace=False,
            )
    rig = Rig(
        recording=recording,
        variant=variant,
        base_url=live_emulator.base_url if recording else ORIGIN,
        clock=emulator_clock,
        cassette=vcr,
        emulator=live_emulator.emulator if recording else None,
    )
    try:
        yield rig
    finally:
        await rig.close()
    problems = list(rig.unfinished())
    if not recording:
        problems += [f"interaction {item} was never played" for item in unplayed(vcr)]
    if problems:
        pytest.fail(f"cassette {default_cassette_name}: " + "; ".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def client_tokens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Deterministic client tokens (``token-1``, ...), as ``tests/conftest.py`` gives every
    suite: here too, because a copy of this folder alone must replay its cassettes."""
    import agb._plans.sessions as sessions

    given: list[str] = []

    def next_token() -> str:
        given.append(f"token-{len(given) + 1}")
        return given[-1]

    monkeypatch.setattr(sessions, "client_token", next_token)
    return given
