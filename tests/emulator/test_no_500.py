"""No input gives a 500: arbitrary queries and bodies on every operation (hypothesis)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agb.emulator import RunningEmulator
from agb.emulator._admin import ADMIN_ROUTES
from agb.emulator._operations import OPERATIONS, Operation

# Every route: the operations and the admin API (with each of its methods).
ROUTES = list(OPERATIONS) + [
    Operation("admin", method, path)
    for path, (methods, _) in ADMIN_ROUTES.items()
    for method in methods
    if path != "/_emulator/reset"  # it would only forget the sessions the examples make
]

PARAMS = ["sessionId", "imageId", "labels", "Labels", "maxResults", "nextToken", "port"]
PARAMS += ["protocolType", "contextId", "path", "mode", "taskType"]
BODY_KEYS = ["sessionId", "labels", "persistenceDataList", "mcpPolicyId", "timeout", "x"]
BODY_KEYS += ["kind", "path", "times", "skip", "params", "seconds", "status", "value"]

# Any text, lone surrogates included: JSON text escapes them ("\udc80"), so they reach the
# server inside bodies and inside the JSON text of label maps, even from a query.
characters = st.characters() | st.sampled_from(["\udc80", "\ud800", "\U0001f600", "\x00"])
text = st.text(characters, max_size=12)
url_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
huge = st.sampled_from([10**400, -(10**400), 2**64, 1e308, 86_401])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | huge | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
# Mostly well-formed label maps (non-empty keys, text values), so that sessions get created.
label_maps = st.dictionaries(text.filter(str.strip), text, max_size=3)
label_text = st.one_of(label_maps, st.dictionaries(text, json_values, max_size=2)).map(json.dumps)


def _session_id(http: httpx.Client, labels: str) -> str:
    response = http.post("/mcp/createSession", params={"imageId": "i"}, json={"labels": labels})
    return str(response.json()["data"]["sessionId"]) if response.status_code == 200 else "none"


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operation=st.sampled_from(ROUTES),
    query=st.dictionaries(st.sampled_from(PARAMS) | url_text, url_text | label_text, max_size=4),
    body=st.one_of(
        st.dictionaries(st.sampled_from(BODY_KEYS) | text, json_values | label_text, max_size=4),
        json_values,
        st.binary(max_size=40),
    ),
    real_session=st.booleans(),
    session_labels=label_text,
)
def test_no_input_gives_a_500(
    server: RunningEmulator,
    http: httpx.Client,
    operation: Any,
    query: dict[str, str],
    body: Any,
    real_session: bool,
    session_labels: str,
) -> None:
    if real_session:
        sid = _session_id(http, session_labels)
        query["sessionId"] = sid
        if isinstance(body, dict):
            body["sessionId"] = sid
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = http.request(operation.method, operation.path, params=query, content=content)
    assert response.status_code != 500, response.text
    response.json()  # always an envelope
    if real_session:  # and whatever was stored can be read back
        for path in ("/sdk/GetLabel", "/sdk/GetContextInfo", "/sdk/ListSession"):
            read = http.get(path, params={"sessionId": query["sessionId"]})
            assert read.status_code != 500, read.text
    assert server.emulator.stats()["internalErrors"] == 0
    server.emulator.faults.clear()  # a fault an example scripted must not hit the next one
