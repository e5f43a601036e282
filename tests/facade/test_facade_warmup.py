"""agb._warmup: one shared SSL context per process, and one-time imports done off the loop."""

from __future__ import annotations

import asyncio
import ssl
import threading

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
