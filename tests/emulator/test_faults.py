"""Every fault kind over real HTTP, the scripting rules, the admin API and random faults."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from agb.emulator import (
    FAULT_KINDS,
    RANDOM_FAULT_KINDS,
    DroppedConnection,
    EmulatorConfig,
    FaultScript,
    ManualClock,
    RunningEmulator,
    create_app,
    serve,
)
from agb.emulator._operations import OPERATIONS
from tests.support.wire import AUTH, SYNC, Wire, assert_error, assert_ok


def sessions(server: RunningEmulator) -> int:
    count: int = server.emulator.stats()["sessions"]
    return count


# ------------------------------------------------------------------ answers instead of the op


def test_unavailable(server: RunningEmulator, wire: Wire) -> None:
    server.emulator.faults.add("unavailable", path="/mcp/createSession")
    response = wire.create()
    assert_error(response, 503, "ServiceUnavailable")
    assert "retry-after" not in response.headers
    assert sessions(server) == 0  # not applied
    server.emulator.faults.add("unavailable", seconds=2)
    assert wire.list().headers["retry-after"] == "2"
    assert_ok(wire.create())  # only the next request


def test_rate_limited(server: RunningEmulator, wire: Wire) -> None:
    server.emulator.faults.add("rate_limited")
    response = wire.list()
    assert_error(response, 429, "Throttling")
    assert response.headers["retry-after"] == "3"  # the config's retry_after_seconds
    server.emulator.faults.add("rate_limited", seconds=7)
    assert wire.list().headers["retry-after"] == "7"


@pytest.mark.parametrize(("params", "status"), [({}, 502), ({"status": 500}, 500)])
def test_html(server: RunningEmulator, wire: Wire, params: dict[str, Any], status: int) -> None:
    server.emulator.faults.add("html", path="/mcp/createSession", **params)
    response = wire.create()
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<html>")
    assert str(status) in response.text
    assert sessions(server) == 0


def test_drop_closes_the_connection_and_applies_nothing(
    server: RunningEmulator, wire: Wire
) -> None:
    sid = wire.create_id()
    server.emulator.faults.add("drop", path="/mcp/pauseSessionAsync")
    with pytest.raises(httpx.RemoteProtocolError):
        wire.pause(sid)
    assert wire.status(sid) == "RUNNING"  # the next request works, on a new connection
    assert server.emulator.stats()["faultsInjected"] == {"drop": 1}


def test_not_json(server: RunningEmulator, wire: Wire) -> None:
    server.emulator.faults.add("not_json", path="/mcp/createSession")
    response = wire.create()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert sessions(server) == 0


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"status": 499}, "EmulatedFault", "Emulated HTTP 499 answer"),
        ({"status": 502, "code": "BadGateway", "message": "upstream"}, "BadGateway", "upstream"),
        ({"status": 200, "code": "Odd"}, "Odd", "Emulated HTTP 200 answer"),
    ],
)
def test_http_status(
    server: RunningEmulator, wire: Wire, params: dict[str, Any], code: str, message: str
) -> None:
    server.emulator.faults.add("http_status", path="/mcp/createSession", **params)
    body = assert_error(wire.create(), params["status"], code)
    assert body["message"] == message
    assert sessions(server) == 0


def test_create_fail(server: RunningEmulator, wire: Wire) -> None:
    server.emulator.faults.add("create_fail")
    wire.list()  # create_fail waits for a createSession request
    body = assert_ok(wire.create())
    assert body["data"]["success"] is False
    assert body["data"]["errMsg"]
    assert sessions(server) == 0
    server.emulator.faults.add("create_fail", message="quota exceeded")
    assert assert_ok(wire.create())["data"]["errMsg"] == "quota exceeded"


# ------------------------------------------------------------- the op runs, the answer changes


def test_slow(server: RunningEmulator, wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:  # the fault's delay, asked of the seam, not timed
        waited.append(seconds)

    monkeypatch.setattr("agb.emulator._app._sleep", sleep)
    server.emulator.faults.add("slow", seconds=0.05, path="/mcp/createSession")
    assert_ok(wire.create())
    assert waited == [0.05]
    assert sessions(server) == 1  # applied


def test_truncated_json(server: RunningEmulator, wire: Wire) -> None:
    server.emulator.faults.add("truncated_json", path="/mcp/createSession")
    response = wire.create()
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text.startswith('{"requestId"')
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert sessions(server) == 1  # applied: the session exists, its id was cut off


def test_null_data(server: RunningEmulator, wire: Wire) -> None:
    sid = wire.create_id()
    server.emulator.faults.add("null_data", times=3)
    assert assert_ok(wire.get(sid))["data"] is None
    assert assert_ok(wire.pause(sid))["data"] is None  # applied
    response = wire.get("unknown")  # error answers are left as they are
    assert "data" not in assert_error(response, 400, "InvalidMcpSession.NotFound")
    assert server.emulator.status_of(sid) == "RUNNING"  # stale right after the pause


def test_status(server: RunningEmulator, wire: Wire) -> None:
    sid = wire.create_id()
    server.emulator.faults.add("status", value="HIBERNATING", times=3)
    assert_ok(wire.set_labels(sid, {"a": "b"}))  # not a status answer: the fault waits
    assert wire.status(sid) == "HIBERNATING"
    assert assert_ok(wire.info_status(sid))["data"]["status"] == "HIBERNATING"
    assert assert_ok(wire.list())["data"][0]["sessionStatus"] == "HIBERNATING"
    assert wire.status(sid) == "RUNNING"


def _all_objects(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value] + [o for v in value.values() for o in _all_objects(v)]
    if isinstance(value, list):
        return [o for v in value for o in _all_objects(v)]
    return []


@pytest.mark.parametrize("op", ["create", "resource", "list", "error"])
def test_extra_fields(server: RunningEmulator, wire: Wire, op: str) -> None:
    sid = wire.create_id()
    server.emulator.faults.add("extra_fields")
    response = {
        "create": lambda: wire.create(),
        "resource": lambda: wire.resource(sid),
        "list": lambda: wire.list(),
        "error": lambda: wire.get("unknown"),
    }[op]()
    objects = [o for o in _all_objects(response.json()) if "nested" not in o]
    assert len(objects) >= (1 if op == "error" else 2)
    assert all("emulatorUnknownField" in o and "emulatorUnknownObject" in o for o in objects)


def test_context_sync_fail(server: RunningEmulator, wire: Wire, clock: ManualClock) -> None:
    sid = wire.create_id(persistenceDataList=[{"contextId": "c1", "path": "/p"}])
    server.emulator.faults.add("context_sync_fail", message="disk full")
    assert_ok(wire.sync(sid))  # accepted: the failure shows in the tasks
    clock.advance(SYNC)
    [task] = wire.context_tasks(sid, taskType="upload")
    assert task["status"] == "Failed"
    assert task["errorMessage"] == "disk full"
    assert_ok(wire.sync(sid))
    clock.advance(SYNC)
    [task] = wire.context_tasks(sid, taskType="upload")
    assert task["status"] == "Success"
    assert task["errorMessage"] == ""


# ------------------------------------------------------------------------- scripting rules


def test_skip_times_and_path(server: RunningEmulator, wire: Wire) -> None:
    sid = wire.create_id()
    server.emulator.faults.add("unavailable", path="/mcp/getSession", skip=2, times=2)
    codes = [wire.get(sid).status_code for _ in range(5)]
    assert codes == [200, 200, 503, 503, 200]
    assert wire.list().status_code == 200  # other paths never matched


def test_faults_apply_in_the_order_they_were_added(server: RunningEmulator, wire: Wire) -> None:
    server.emulator.faults.add("unavailable")
    server.emulator.faults.add("rate_limited", times=2)
    server.emulator.faults.add("http_status", status=499, skip=1)
    codes = [wire.list().status_code for _ in range(5)]
    assert codes == [503, 429, 429, 499, 200]


def test_times_none_repeats_until_cleared(server: RunningEmulator, wire: Wire) -> None:
    server.emulator.faults.add("unavailable", times=None)
    assert [wire.list().status_code for _ in range(4)] == [503] * 4
    assert server.emulator.faults.clear() == 1
    assert wire.list().status_code == 200


def test_refused_and_admin_requests_take_no_fault(
    server: RunningEmulator, http: httpx.Client
) -> None:
    server.emulator.faults.add("unavailable")
    no_auth = httpx.get(server.base_url + "/sdk/ListSession")
    assert no_auth.status_code == 401
    assert http.get("/_emulator/stats").status_code == 200
    assert http.get("/sdk/ListSession").status_code == 503


@pytest.mark.parametrize(
    ("kind", "kwargs", "words"),
    [
        ("nope", {}, "unknown fault kind"),
        ("slow", {"seconds": -1}, "seconds"),
        ("slow", {"seconds": "1"}, "seconds"),
        ("html", {"status": 1000}, "status"),
        ("http_status", {}, "needs the parameter status"),
        ("status", {}, "needs the parameter value"),
        ("status", {"value": ""}, "value"),
        ("drop", {"seconds": 1}, "no parameter"),
        ("create_fail", {"path": "/mcp/getSession"}, "only applies"),
        ("drop", {"path": "mcp/getSession"}, "path"),
        ("drop", {"path": "/mcp/getsession"}, "no operation has the path '/mcp/getsession'"),
        ("drop", {"path": "/_emulator/stats"}, "no operation has the path"),
        ("drop", {"path": "/mcp/getSession/"}, "known paths: /internet/getLink, "),
        ("drop", {"times": 0}, "times"),
        ("drop", {"skip": -1}, "skip"),
    ],
)
def test_bad_fault_scripts_are_refused(kind: str, kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        FaultScript().add(kind, **kwargs)


def test_a_fault_for_an_unknown_path_names_every_known_path() -> None:
    with pytest.raises(ValueError, match="known paths") as refused:
        FaultScript().add("unavailable", path="/mcp/getsession")
    for operation in OPERATIONS:
        assert operation.path in str(refused.value)


# ---------------------------------------------------------------------------- admin API


def test_admin_api_scripts_faults_and_reads_stats(
    server: RunningEmulator, http: httpx.Client
) -> None:
    added = assert_ok(
        http.post(
            "/_emulator/faults",
            json={
                "kind": "http_status",
                "path": "/sdk/ListSession",
                "times": 2,
                "params": {"status": 499},
            },
        )
    )["data"]
    assert added == {
        "kind": "http_status", "path": "/sdk/ListSession", "times": 2, "skip": 0,
        "params": {"status": 499},
    }  # fmt: skip
    assert assert_ok(http.get("/_emulator/faults"))["data"] == [added]
    assert http.get("/sdk/ListSession").status_code == 499
    assert assert_ok(http.get("/_emulator/faults"))["data"][0]["times"] == 1
    assert assert_ok(http.delete("/_emulator/faults"))["data"] == {"cleared": 1}
    assert http.get("/sdk/ListSession").status_code == 200
    stats = assert_ok(http.get("/_emulator/stats"))["data"]
    assert stats["requests"] == {"/sdk/ListSession": 2}
    assert stats["totalRequests"] == 2
    assert stats["faultsInjected"] == {"http_status": 1}
    assert stats["internalErrors"] == 0
    assert stats["sessions"] == 0


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({}, "kind"),
        ({"kind": "nope"}, "unknown fault kind"),
        ({"kind": "slow", "params": []}, "params"),
        ({"kind": "slow", "params": {"seconds": "x"}}, "seconds"),
        ({"kind": "slow", "times": "2"}, "times"),
        ({"kind": "slow", "path": 5}, "path"),
        ({"kind": "slow", "path": "/mcp/getsession"}, "known paths: /internet/getLink, "),
    ],
)
def test_admin_api_refuses_bad_faults(http: httpx.Client, body: dict[str, Any], word: str) -> None:
    assert_error(http.post("/_emulator/faults", json=body), 400, "InvalidParameter", word)


def test_admin_clock_advance_and_reset(
    server: RunningEmulator, http: httpx.Client, wire: Wire, clock: ManualClock
) -> None:
    sid = wire.create_id()
    assert_ok(wire.pause(sid))
    before = clock()
    now = assert_ok(http.post("/_emulator/clock/advance", json={"seconds": 5}))["data"]["now"]
    assert now == pytest.approx(before + 5)
    assert wire.status(sid) == "PAUSED"
    for bad in ({}, {"seconds": -1}, {"seconds": "1"}, {"seconds": True}):
        assert_error(
            http.post("/_emulator/clock/advance", json=bad), 400, "InvalidParameter", "seconds"
        )
    assert_ok(http.post("/_emulator/reset", json={}))
    assert_error(wire.get(sid), 400, "InvalidMcpSession.NotFound")


async def test_admin_clock_advance_needs_a_manual_clock() -> None:
    app = create_app(EmulatorConfig())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://e", headers=AUTH) as c:
        response = await c.post("/_emulator/clock/advance", json={"seconds": 1})
    assert_error(response, 400, "ClockNotManual")


# -------------------------------------------------------------------------- random faults


def _draws(seed: int, rate: float, n: int = 400) -> list[tuple[str, dict[str, Any]] | None]:
    script = FaultScript(fault_rate=rate, seed=seed)
    out: list[tuple[str, dict[str, Any]] | None] = []
    for _ in range(n):
        fault = script.take("/mcp/getSession")
        out.append(None if fault is None else (fault.kind, fault.params))
    return out


def test_random_faults_are_seeded_and_drawn_from_the_documented_kinds() -> None:
    draws = _draws(seed=5, rate=0.3)
    assert draws == _draws(seed=5, rate=0.3)
    assert draws != _draws(seed=6, rate=0.3)
    faults = [d for d in draws if d is not None]
    assert 0.2 < len(faults) / len(draws) < 0.4
    assert {kind for kind, _ in faults} == set(RANDOM_FAULT_KINDS)
    assert set(RANDOM_FAULT_KINDS) == {"unavailable", "rate_limited", "html", "drop", "slow"}
    assert set(RANDOM_FAULT_KINDS) < FAULT_KINDS
    assert all(params == {"status": 500} for kind, params in faults if kind == "html")
    assert all(params == {"seconds": 0.2} for kind, params in faults if kind == "slow")
    assert all(d is None for d in _draws(seed=5, rate=0.0))


async def test_random_faults_are_served(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("agb.emulator._app._sleep", fake_sleep)
    app = create_app(EmulatorConfig(fault_rate=1.0, seed=3))
    transport = httpx.ASGITransport(app=app)
    seen: set[int | str] = set()
    async with httpx.AsyncClient(transport=transport, base_url="http://e", headers=AUTH) as c:
        for _ in range(40):
            try:
                seen.add((await c.get("/sdk/ListSession")).status_code)
            except DroppedConnection:
                seen.add("drop")
    assert seen == {503, 429, 500, "drop", 200}  # 200: the slow ones, answered late
    assert slept
    assert set(slept) == {0.2}
    stats = app.state.emulator.stats()
    assert sum(stats["faultsInjected"].values()) == 40
    assert stats["internalErrors"] == 0


def test_random_faults_over_real_http() -> None:
    config = EmulatorConfig(fault_rate=0.5, seed=11)
    outcomes: list[int | str] = []
    with serve(config) as server, httpx.Client(base_url=server.base_url, headers=AUTH) as c:
        kinds = []
        for _ in range(12):
            try:
                outcomes.append(c.get("/sdk/ListSession").status_code)
            except httpx.TransportError:
                outcomes.append("dropped")
        kinds = server.emulator.stats()["faultsInjected"]
    assert 200 in outcomes
    assert any(o != 200 for o in outcomes)
    assert set(kinds) <= set(RANDOM_FAULT_KINDS)
