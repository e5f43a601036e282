"""Auth, bad input, unknown paths and methods: every error envelope, over real HTTP.

The ``server`` fixture checks after each test that no request reached the emulator's catch-all
for unexpected exceptions, so every refusal here is a deliberate 4xx.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import httpx
import pytest

from agb.emulator import EmulatorConfig, RunningEmulator, create_app
from tests.support.wire import API_KEY, AUTH, Wire, assert_error, assert_ok

SESSION_ID_PATHS = [
    "/mcp/getSession",
    "/mcp/getSessionInfo",
    "/mcp/pauseSessionAsync",
    "/mcp/resumeSessionAsync",
    "/mcp/releaseSessionAsync",
    "/mcp/getMcpResource",
]


# ------------------------------------------------------------------------------------ auth


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"authorization": "Bearer wrong-key"}, 403),
        ({"authorization": f"Basic {API_KEY}"}, 403),
        ({"authorization": API_KEY}, 403),
        ({"authorization": "Bearer"}, 403),
        ({"authorization": ""}, 403),
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/mcp/getSession"), ("GET", "/sdk/ListSession"), ("GET", "/_emulator/stats")],
)
def test_missing_or_wrong_key_is_refused(
    server: RunningEmulator, headers: dict[str, str], status: int, method: str, path: str
) -> None:
    response = httpx.request(method, server.base_url + path, headers=headers, json={})
    assert_error(response, status, "AccessDenied")
    assert API_KEY not in response.text
    assert "wrong-key" not in response.text


def test_the_bearer_scheme_is_case_insensitive(server: RunningEmulator) -> None:
    response = httpx.get(
        server.base_url + "/sdk/ListSession", headers={"authorization": f"bearer {API_KEY}"}
    )
    assert_ok(response)


def test_the_key_is_never_echoed_or_logged(
    server: RunningEmulator, wire: Wire, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "sk-super-secret-value"
    responses = [
        httpx.post(
            server.base_url + "/mcp/getSession",
            headers={"authorization": f"Bearer {secret}"},
            json={"sessionId": secret},
        ),
        wire.get("x"),
        wire.list(),
    ]
    for response in responses:
        assert secret not in response.text
        assert API_KEY not in response.text
        assert not any(API_KEY in v or secret in v for v in response.headers.values())
    assert API_KEY not in caplog.text
    assert secret not in caplog.text


async def test_without_a_configured_key_any_non_empty_bearer_key_is_accepted() -> None:
    app = create_app(EmulatorConfig())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e") as c:
        assert_ok(await c.get("/sdk/ListSession", headers={"authorization": "Bearer anything"}))
        response = await c.get("/sdk/ListSession", headers={"authorization": "Bearer  "})
        assert_error(response, 403, "AccessDenied")
        assert_error(await c.get("/sdk/ListSession"), 401, "AccessDenied")


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("path", SESSION_ID_PATHS)
@pytest.mark.parametrize(
    ("content", "word"),
    [
        (b"", "body"),
        (b"{bad json", "JSON"),
        (b"[1, 2]", "object"),
        (b'"sessionId"', "object"),
        (b"{}", "sessionId"),
        (b'{"sessionId": ""}', "sessionId"),
        (b'{"sessionId": "   "}', "sessionId"),
        (b'{"sessionId": 5}', "sessionId"),
        (b'{"sessionId": null}', "sessionId"),
        (b'{"sessionId": ["s"]}', "sessionId"),
        (b"\xff\xfe not utf-8", "JSON"),
        (b"[" * 100_000, "JSON"),
    ],
)
def test_bad_session_id_bodies(http: httpx.Client, path: str, content: bytes, word: str) -> None:
    response = http.post(path, content=content, headers={"content-type": "application/json"})
    assert_error(response, 400, "InvalidParameter", word)


CREATE_CASES: list[tuple[dict[str, str], Any, str]] = [
    ({}, {}, "imageId"),
    ({"imageId": ""}, {}, "imageId"),
    ({"imageId": "i"}, {"labels": "not json"}, "labels"),
    ({"imageId": "i"}, {"labels": '["a"]'}, "labels"),
    ({"imageId": "i"}, {"labels": '{"a": 1}'}, "labels"),
    ({"imageId": "i"}, {"labels": '{"": "x"}'}, "labels"),
    ({"imageId": "i"}, {"labels": {"a": "b"}}, "labels"),
    ({"imageId": "i"}, {"labels": None}, "labels"),
    ({"imageId": "i"}, {"persistenceDataList": {}}, "persistenceDataList"),
    ({"imageId": "i"}, {"persistenceDataList": [1]}, "persistenceDataList[0]"),
    ({"imageId": "i"}, {"persistenceDataList": [{"path": "/x"}]}, "contextId"),
    ({"imageId": "i"}, {"persistenceDataList": [{"contextId": "c", "path": ""}]}, "path"),
    (
        {"imageId": "i"},
        {"persistenceDataList": [{"contextId": "c", "path": "/p", "policy": {}}]},
        "policy",
    ),
    ({"imageId": "i"}, {"mcpPolicyId": 5}, "mcpPolicyId"),
    ({"imageId": "i"}, {"timeout": "10"}, "timeout"),
    ({"imageId": "i"}, {"timeout": -1}, "timeout"),
    ({"imageId": "i"}, {"timeout": True}, "timeout"),
    ({"imageId": "i"}, {"timeout": 1.5}, "timeout"),
    ({"imageId": "i"}, {"timeout": None}, "timeout"),
]


@pytest.mark.parametrize(("params", "body", "word"), CREATE_CASES)
def test_bad_create_requests(
    http: httpx.Client, params: dict[str, str], body: Any, word: str
) -> None:
    response = http.post("/mcp/createSession", params=params, json=body)
    assert_error(response, 400, "InvalidParameter", word)


def _token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"maxResults": "0"}, "maxResults"),
        ({"maxResults": "-1"}, "maxResults"),
        ({"maxResults": "abc"}, "maxResults"),
        ({"maxResults": ""}, "maxResults"),
        ({"maxResults": "1.5"}, "maxResults"),
        ({"maxResults": "١٢"}, "maxResults"),  # Arabic-Indic digits are not ASCII digits
        ({"labels": "x"}, "labels"),
        ({"labels": ""}, "labels"),
        ({"labels": "[]"}, "labels"),
        ({"labels": '{"a": 1}'}, "labels"),
        ({"nextToken": "garbage!"}, "nextToken"),
        ({"nextToken": _token("l:3")}, "nextToken"),  # a GetLabel token
        ({"nextToken": _token("s:abc")}, "nextToken"),
    ],
)
def test_bad_list_requests(http: httpx.Client, params: dict[str, str], word: str) -> None:
    assert_error(http.get("/sdk/ListSession", params=params), 400, "InvalidParameter", word)


def test_a_huge_max_results_is_capped(http: httpx.Client) -> None:
    body = assert_ok(http.get("/sdk/ListSession", params={"maxResults": "9" * 40}))
    assert body["maxResults"] == 100


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"Labels": '{"a": "b"}'}, "sessionId"),
        ({"sessionId": "S"}, "Labels"),
        ({"sessionId": "S", "labels": '{"a": "b"}'}, "capital L"),
        ({"sessionId": "S", "Labels": "nope"}, "Labels"),
        ({"sessionId": "S", "Labels": '{"a": ["x"]}'}, "Labels"),
        ({"sessionId": "S", "Labels": '{"  ": "x"}'}, "Labels"),
    ],
)
def test_bad_set_label_requests(
    http: httpx.Client, wire: Wire, params: dict[str, str], word: str
) -> None:
    if params.get("sessionId") == "S":
        params["sessionId"] = wire.create_id()
    response = http.post("/sdk/SetLabel", params=params, json={})
    assert_error(response, 400, "InvalidParameter", word)


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "/sdk/GetLabel", {}),
        ("GET", "/sdk/GetLabel", {"sessionId": ""}),
        ("GET", "/internet/getLink", {}),
        ("POST", "/mcp/refreshSessionIdleTime", {}),
        ("POST", "/sdk/SyncContext", {}),
        ("GET", "/sdk/GetContextInfo", {"sessionId": " "}),
    ],
)
def test_query_session_id_is_required(
    http: httpx.Client, method: str, path: str, params: dict[str, str]
) -> None:
    response = http.request(method, path, params=params, json={} if method == "POST" else None)
    assert_error(response, 400, "InvalidParameter", "sessionId")


@pytest.mark.parametrize(
    ("path", "params", "word"),
    [
        ("/sdk/GetLabel", {"maxResults": "0"}, "maxResults"),
        ("/sdk/GetLabel", {"nextToken": "x"}, "nextToken"),
        ("/internet/getLink", {"protocolType": "gopher"}, "protocolType"),
    ],
)
def test_other_bad_queries(
    http: httpx.Client, wire: Wire, path: str, params: dict[str, str], word: str
) -> None:
    response = http.get(path, params={"sessionId": wire.create_id(), **params})
    assert_error(response, 400, "InvalidParameter", word)


@pytest.mark.parametrize(
    "path", ["/sdk/SetLabel", "/mcp/refreshSessionIdleTime", "/sdk/SyncContext"]
)
@pytest.mark.parametrize(("content", "word"), [(b"", "body"), (b"[]", "object"), (b"{", "JSON")])
def test_query_operations_still_need_a_json_object_body(
    http: httpx.Client, wire: Wire, path: str, content: bytes, word: str
) -> None:
    params = {"sessionId": wire.create_id(), "Labels": "{}"}
    response = http.post(path, params=params, content=content)
    assert_error(response, 400, "InvalidParameter", word)


def test_unknown_fields_in_bodies_are_ignored(http: httpx.Client, wire: Wire) -> None:
    sid = wire.create_id()
    assert_ok(http.post("/mcp/getSession", json={"sessionId": sid, "extra": {"x": [1]}}))


# --------------------------------------------------------------- paths, methods, sizes


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/nowhere"), ("POST", "/mcp/nothing"), ("GET", "/_emulator/nothing")],
)
def test_unknown_paths_are_404_envelopes(http: httpx.Client, method: str, path: str) -> None:
    assert_error(http.request(method, path), 404, "NotFound", path)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/mcp/getSession", "POST"),
        ("PUT", "/mcp/createSession", "POST"),
        ("POST", "/sdk/ListSession", "GET"),
        ("DELETE", "/internet/getLink", "GET"),
        ("PATCH", "/_emulator/faults", "POST"),
    ],
)
def test_wrong_methods_are_405_envelopes(
    http: httpx.Client, method: str, path: str, allowed: str
) -> None:
    response = http.request(method, path)
    assert_error(response, 405, "MethodNotAllowed", method, path)
    assert allowed in response.headers["allow"]


def test_an_oversized_body_is_refused(http: httpx.Client) -> None:
    content = json.dumps({"sessionId": "x" * (2 << 20)}).encode()
    assert_error(http.post("/mcp/getSession", content=content), 413, "RequestTooLarge")


async def test_an_unexpected_exception_is_a_500_envelope_and_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(EmulatorConfig())
    emulator = app.state.emulator

    def boom(session_id: str) -> dict[str, Any]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(emulator, "get_session", boom)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://e", headers=AUTH) as c:
        response = await c.post("/mcp/getSession", json={"sessionId": "s"})
    body = assert_error(response, 500, "InternalError")
    assert "a bug" not in body["message"]
    assert emulator.stats()["internalErrors"] == 1
