"""agb._warmup: one shared SSL context per process, and one-time imports done off the loop."""

from __future__ import annotations

import asyncio
import ssl
import threading
from typing import Any

import pytest

from agb import _warmup


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process where nothing was warmed up nor built yet."""
    monkeypatch.setattr(_warmup, "_warm", set())
    monkeypatch.setattr(_warmup, "_jobs", {})
    monkeypatch.setattr(_warmup, "_verified", None)
    monkeypatch.setattr(_warmup, "_plain", None)


@pytest.mark.usefixtures("fresh")
def test_https_gets_one_shared_verifying_context() -> None:
    first = _warmup.ssl_context("https://sdk-api.agb.cloud")
    assert first is _warmup.ssl_context("https://other.invalid:8443/path")
    assert first.verify_mode == ssl.CERT_REQUIRED
    assert first.check_hostname
    assert first.cert_store_stats()["x509_ca"] > 0, "trust anchors are loaded"


@pytest.mark.usefixtures("fresh")
def test_http_gets_a_shared_context_that_loads_no_certificates() -> None:
    plain = _warmup.ssl_context("http://127.0.0.1:8080")
    assert plain is _warmup.ssl_context("http://localhost")
    assert plain is not _warmup.ssl_context("https://sdk-api.agb.cloud")
    # It can never complete a verified handshake: verification on, no trust anchor.
    assert plain.verify_mode == ssl.CERT_REQUIRED
    assert plain.cert_store_stats()["x509_ca"] == 0


@pytest.mark.usefixtures("fresh")
def test_warm_up_imports_what_the_first_async_call_needs_and_remembers_it() -> None:
    assert not _warmup.is_warm("http://127.0.0.1")
    _warmup.warm_up("http://127.0.0.1", ("agb_no_such_module_xyz",))
    assert _warmup.is_warm("http://127.0.0.1", ("agb_no_such_module_xyz",))
    assert not _warmup.is_warm("http://127.0.0.1"), "other extra modules: not yet"
    assert not _warmup.is_warm("https://h.invalid"), "https needs its own context"
    import sys

    assert all(name in sys.modules for name in _warmup.WARM_IMPORTS)
    assert _warmup._plain is not None
    assert _warmup._verified is None


@pytest.mark.usefixtures("fresh")
async def test_concurrent_first_calls_share_one_warm_up_in_another_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    release = threading.Event()

    def fake_warm_up(base_url: str, extra: tuple[str, ...] = ()) -> None:
        calls.append(threading.get_ident())
        release.wait(10)
        _warmup._warm.add(_warmup._key(base_url, extra))

    monkeypatch.setattr(_warmup, "warm_up", fake_warm_up)
    waiting = [asyncio.create_task(_warmup.warm_up_async("http://e")) for _ in range(20)]
    beats = 0
    while not calls:  # the loop keeps running while the warm-up works
        beats += 1
        await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert not any(task.done() for task in waiting)
    release.set()
    await asyncio.gather(*waiting)
    assert len(calls) == 1
    assert calls[0] != threading.get_ident()
    await _warmup.warm_up_async("http://e")  # warm: returns at once, no second job
    assert len(calls) == 1


@pytest.mark.usefixtures("fresh")
async def test_a_failed_warm_up_raises_and_is_tried_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[str] = []

    def broken(base_url: str, extra: tuple[str, ...] = ()) -> None:
        attempts.append(base_url)
        raise ImportError("no backend")

    monkeypatch.setattr(_warmup, "warm_up", broken)
    with pytest.raises(ImportError, match="no backend"):
        await _warmup.warm_up_async("http://e")
    with pytest.raises(ImportError, match="no backend"):
        await _warmup.warm_up_async("http://e")
    assert attempts == ["http://e", "http://e"]
    assert not _warmup.is_warm("http://e")


def _last_json(script: str) -> Any:
    """Run ``script`` in a fresh interpreter; what its last line of output says, as JSON."""
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# A fresh program's first async call: one pause through a mock transport.
_ONE_ASYNC_PAUSE = r"""
def handler(request):
    data = {"sessionId": "s-1", "status": "PAUSED"}
    return httpx.Response(200, json={"success": True, "requestId": "r", "data": data})

async def main():
    agb = AGB("k-1", Config("http://127.0.0.1:9"), async_transport=httpx.MockTransport(handler))
    result = await Session(agb, "s-1").pause_async(timeout=5, poll_interval=0.01)
    assert result.success, result
    await agb.aclose()

asyncio.run(main())
"""

_FIRST_CALL = (
    r"""
import asyncio, importlib.abc, json, sys, threading

on_loop, off_loop = [], []

class Spy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if asyncio._get_running_loop() is not None:
            on_loop.append(name)
        elif threading.current_thread().name == "agb-warm-up":
            off_loop.append(name)
        return None

sys.meta_path.insert(0, Spy())
import httpx
from agb import AGB, Config, Session
"""
    + _ONE_ASYNC_PAUSE
    + r"""
print(json.dumps({"on_loop": on_loop, "off_loop": off_loop}))
"""
)


def test_a_programs_first_async_call_imports_nothing_on_its_loop() -> None:
    """In a fresh process, the plans and the generated client are imported by the warm-up
    thread, none by the loop's thread (each such import stalled the loop 20-150 ms)."""
    seen = _last_json(_FIRST_CALL)
    assert seen["on_loop"] == []
    assert "agb._plans" in seen["off_loop"]
    assert any(name.startswith("agb_api_client.models") for name in seen["off_loop"])


def test_making_a_plan_imports_nothing_running_it_does() -> None:
    import subprocess
    import sys

    script = (
        "import sys\nfrom agb import AGB, Config, Session\n"
        "agb = AGB('k', Config('http://127.0.0.1:9'))\n"
        "plan = Session(agb, 's')._pause(5, 1, None, is_async=False)\n"
        "assert 'agb._plans' not in sys.modules, 'made'\n"
        "next(plan)\n"
        "assert 'agb._plans' in sys.modules, 'ran'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


@pytest.mark.usefixtures("fresh")
async def test_a_caller_cancelled_during_the_warm_up_does_not_cancel_it_for_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def slow_warm_up(base_url: str, extra: tuple[str, ...] = ()) -> None:
        started.set()
        release.wait(10)
        _warmup._warm.add(_warmup._key(base_url, extra))

    monkeypatch.setattr(_warmup, "warm_up", slow_warm_up)
    original_run_job = _warmup._run_job

    def run_job(*args: object) -> None:
        try:
            original_run_job(*args)  # type: ignore[arg-type]
        except BaseException as error:  # e.g. InvalidStateError on a cancelled job
            failures.append(error)

    monkeypatch.setattr(_warmup, "_run_job", run_job)
    first = asyncio.create_task(_warmup.warm_up_async("http://e"))
    second = asyncio.create_task(_warmup.warm_up_async("http://e"))
    assert await asyncio.to_thread(started.wait, 10), "the warm-up never started"
    first.cancel()
    await asyncio.sleep(0)
    release.set()
    await asyncio.wait_for(second, timeout=10)  # not cancelled with the first
    assert first.cancelled()
    await _warmup.warm_up_async("http://e")
    assert failures == []


_AGING = r"""
import gc, json
from agb import _warmup

gc.disable()  # no collection moves anything but the calls under test
young = [[]]
before = any(o is young for o in gc.get_objects(generation=0))
aged = _warmup.age_objects()
out = {
    "before": before,
    "aged": aged,
    "in_oldest": any(o is young for o in gc.get_objects(generation=2)),
    "frozen_after": gc.get_freeze_count(),
}
gc.freeze()  # the program freezes its own objects (e.g. before forking workers)
frozen = gc.get_freeze_count()
newer = [[]]
out["aged_again"] = _warmup.age_objects()
out["still_frozen"] = gc.get_freeze_count() == frozen
out["newer_young"] = any(o is newer for o in gc.get_objects(generation=0))
print(json.dumps(out))
"""


def test_aging_moves_objects_to_the_oldest_generation_and_never_thaws_the_programs() -> None:
    """age_objects() moves every tracked object into the oldest generation and leaves none
    frozen; when the program froze objects itself it does nothing (unfreezing would release
    them)."""
    seen = _last_json(_AGING)
    assert seen == {
        "before": True,
        "aged": True,
        "in_oldest": True,
        "frozen_after": 0,
        "aged_again": False,
        "still_frozen": True,
        "newer_young": True,
    }


_FIRST_CALL_AGES = (
    r"""
import asyncio, gc, json
import httpx
from agb import AGB, Config, Session

gc.disable()  # only the warm-up may move objects between generations
"""
    + _ONE_ASYNC_PAUSE
    + r"""
from agb._plans import lifecycle
print(json.dumps({
    "imported_is_old": any(o is lifecycle.pause for o in gc.get_objects(generation=2)),
    "frozen": gc.get_freeze_count(),
}))
"""
)


def test_the_first_async_call_ages_what_the_warm_up_imported() -> None:
    """The objects the warm-up's imports made (here a function of the plans) are in the
    oldest generation once the first call is done, so the collection they would trigger does
    not fall in the program's first fan-out; nothing is left frozen."""
    seen = _last_json(_FIRST_CALL_AGES)
    assert seen == {"imported_is_old": True, "frozen": 0}
